"""Matching's privacy hooks.

Export (position 127): the volunteer's two choices as they stand (the consent records
themselves, with when each was given and withdrawn, are in the accounts section), the digests
sent to them, the invitations they received, and the searches they saved as a coordinator.
Erasure (position 53): digests and invitations of the volunteer are deleted, and so are the
person's own saved searches. Withdrawing either consent needs no hook: searches, matches and
the digest read the consent as it stands, so it stops at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from volunteer_hub.accounts.queries import consent_stands
from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.extensions import db
from volunteer_hub.matching.models import DigestSent, Invitation, SavedSearch
from volunteer_hub.matching.reach import DIGEST, FINDABLE


@hooks.export(128)
def export_matching(subject: hooks.Subject) -> dict[str, Any]:
    section: dict[str, Any] = {}
    if subject.user is not None:
        choices = {
            "found_by_partner_organisations": consent_stands(subject.user.id, FINDABLE),
            "weekly_matching_email": consent_stands(subject.user.id, DIGEST),
        }
        if any(choices.values()):
            section["choices"] = choices
        searches = hooks.rows(
            select(SavedSearch)
            .where(SavedSearch.owner_id == subject.user.id)
            .order_by(SavedSearch.id)
        )
        if searches:
            section["saved_searches"] = searches
    if subject.volunteer is not None:
        digests = hooks.rows(
            select(DigestSent)
            .where(DigestSent.volunteer_id == subject.volunteer.id)
            .order_by(DigestSent.id)
        )
        if digests:
            section["digests_sent"] = digests
        invitations = db.session.scalars(
            select(Invitation)
            .where(Invitation.volunteer_id == subject.volunteer.id)
            .order_by(Invitation.id)
        ).all()
        if invitations:
            section["invitations"] = [
                {
                    **hooks.row_dict(i),
                    "role": i.role.title,
                    "organisation": i.role.organisation.name,
                }
                for i in invitations
            ]
    return {"matching": section} if section else {}


@hooks.erase(54)
def erase_matching(erasure: hooks.Erasure) -> None:
    if erasure.volunteer is not None:
        vid = erasure.volunteer.id
        for model, words in (
            (DigestSent, "matching digests"),
            (Invitation, "invitations to apply"),
        ):
            gone = db.session.execute(
                delete(model)
                .where(model.volunteer_id == vid)
                .execution_options(synchronize_session=False)
            )
            if gone.rowcount:  # type: ignore[attr-defined]
                erasure.erased.append(f"{words} deleted")
    if erasure.user is not None:
        gone = db.session.execute(
            delete(SavedSearch)
            .where(SavedSearch.owner_id == erasure.user.id)
            .execution_options(synchronize_session=False)
        )
        if gone.rowcount:  # type: ignore[attr-defined]
            erasure.erased.append("saved searches deleted")
