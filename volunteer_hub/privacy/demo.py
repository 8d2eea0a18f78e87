"""Invented demo privacy requests: one subject access request from the demo volunteer, so the
administrator's privacy requests page (and the page walk) has one to open."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.dates import add_months
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.privacy.models import PrivacyRequest
from volunteer_hub.volunteers.models import Volunteer


def seed() -> list[str]:
    user = db.session.scalar(
        select(User).where(User.email == "volunteer@demo.volunteerhub.invalid")
    )
    if user is None or db.session.scalar(
        select(PrivacyRequest.id).where(PrivacyRequest.user_id == user.id)
    ):
        return []
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    received = utcnow().date() - timedelta(days=3)
    db.session.add(
        PrivacyRequest(
            kind="access",
            user_id=user.id,
            volunteer_id=volunteer.id if volunteer else None,
            received_on=received,
            due_on=add_months(received, 1),
            channel="email",
            notes="Asked by email for a copy of everything held (invented demo request).",
        )
    )
    db.session.flush()
    return []
