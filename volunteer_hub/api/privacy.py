"""The API's privacy hooks: partner API tokens.

Not exported (hashed credentials: staff work records). Erasure: the person's tokens are revoked.
"""

from __future__ import annotations

from sqlalchemy import update

from volunteer_hub.api.models import ApiToken
from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db


@hooks.erase(83)
def revoke_tokens(erasure: hooks.Erasure) -> None:
    if erasure.user is None:
        return
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == erasure.user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
