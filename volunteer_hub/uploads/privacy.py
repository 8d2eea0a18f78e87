"""Uploads' privacy hooks: a refused import's lines may quote a person (an email address or a
name in a bad row).

Export: nothing of the person's own (an upload belongs to the coordinator who made it, and its
file is deleted once imported). Erasure: every mention of the person in a refused import's
lines is replaced by the placeholder.
"""

from __future__ import annotations

import re

from sqlalchemy import or_, select

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.extensions import db
from volunteer_hub.uploads.models import Upload


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@hooks.erase(84)
def erase_mentions(erasure: hooks.Erasure) -> None:
    terms = sorted({t for t in erasure.emails | erasure.names if t and len(t.strip()) >= 3})
    if not terms:
        return
    found = db.session.scalars(
        select(Upload).where(
            Upload.error.is_not(None),
            or_(*(Upload.error.ilike(_like(term), escape="\\") for term in terms)),
        )
    ).all()
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    changed = 0
    for upload in found:
        text = pattern.sub(hooks.ERASED_TEXT, upload.error or "")
        if text != upload.error:
            upload.error = text
            changed += 1
    if changed:
        erasure.erased.append(f"Mentions in {changed} refused import(s) replaced")
    db.session.flush()
