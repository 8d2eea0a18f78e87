"""Invented demo references: one unanswered reference request, so a coordinator sees one
waiting and the referee's page (a signed link) has one to show."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from volunteer_hub.extensions import db
from volunteer_hub.recruitment.models import Application, Reference, Stage


def seed() -> list[str]:
    application = db.session.scalar(
        select(Application)
        .where(Application.stage == Stage.SCREENING.value)
        .order_by(Application.id)
        .limit(1)
    )
    if application is None or db.session.scalar(
        select(Reference.id).where(Reference.application_id == application.id)
    ):
        return []
    db.session.add(
        Reference(
            application_id=application.id,
            referee_name="Morag Ellison",
            referee_email="referee@demo.volunteerhub.invalid",
            relationship_to_applicant="Former manager at a community café",
            nonce=secrets.token_hex(16),
        )
    )
    db.session.flush()
    return []
