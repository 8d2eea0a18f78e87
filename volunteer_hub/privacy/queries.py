"""Privacy's read side: the privacy requests its own pages list and look up. Nothing outside
privacy reads these (an import contract in pyproject.toml)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select

from volunteer_hub.accounts.models import User
from volunteer_hub.extensions import db
from volunteer_hub.privacy.models import PrivacyRequest
from volunteer_hub.volunteers.models import Volunteer

#: Requests still being worked on.
OPEN = ("received", "exported")


def requests_of(user: User) -> Sequence[PrivacyRequest]:
    """The person's own requests, latest first."""
    return db.session.scalars(
        select(PrivacyRequest)
        .where(PrivacyRequest.user_id == user.id)
        .order_by(PrivacyRequest.received_on.desc())
    ).all()


def open_erasure_request_id(user: User) -> int | None:
    """The person's erasure request not yet confirmed by an administrator, if any."""
    return db.session.scalar(
        select(PrivacyRequest.id).where(
            PrivacyRequest.user_id == user.id,
            PrivacyRequest.kind == "erasure",
            PrivacyRequest.status == "received",
        )
    )


def all_requests() -> Sequence[PrivacyRequest]:
    """Every request, open ones first by the day they are due."""
    return db.session.scalars(
        select(PrivacyRequest).order_by(PrivacyRequest.status == "sent", PrivacyRequest.due_on)
    ).all()


def open_request(
    kind: str, user: User | None, volunteer: Volunteer | None
) -> PrivacyRequest | None:
    """The oldest open request of this kind about the person (their sign-in or record)."""
    about = []
    if user is not None:
        about.append(PrivacyRequest.user_id == user.id)
    if volunteer is not None:
        about.append(PrivacyRequest.volunteer_id == volunteer.id)
    return db.session.scalar(
        select(PrivacyRequest)
        .where(PrivacyRequest.kind == kind, PrivacyRequest.status.in_(OPEN), or_(*about))
        .order_by(PrivacyRequest.id)
        .limit(1)
    )
