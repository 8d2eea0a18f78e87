"""Placements and the volunteer's agreement."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer_hub.accounts.models import User
from volunteer_hub.core.models import TimestampMixin, UTCDateTime
from volunteer_hub.extensions import Model
from volunteer_hub.organisations.models import Organisation, Role, RoleVersion
from volunteer_hub.volunteers.models import Volunteer

END_REASONS = {
    "completed": "The role or project came to an end",
    "volunteer_left": "The volunteer decided to stop",
    "moved_on": "The volunteer moved to another role",
    "organisation_ended": "The organisation ended the placement",
    "other": "Another reason",
}


class Placement(TimestampMixin, Model):
    __tablename__ = "placements_placement"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("recruitment_application.id", ondelete="SET NULL"), unique=True
    )
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="RESTRICT"), index=True
    )
    role_id: Mapped[int] = mapped_column(ForeignKey("organisations_role.id", ondelete="RESTRICT"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="RESTRICT"), index=True
    )
    #: The task description the volunteer agrees to.
    role_version_id: Mapped[int] = mapped_column(
        ForeignKey("organisations_role_version.id", ondelete="RESTRICT")
    )
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("accounts_user.id", ondelete="RESTRICT"))
    start_date: Mapped[date]
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_date: Mapped[date | None]
    end_reason: Mapped[str | None] = mapped_column(String(40))

    volunteer: Mapped[Volunteer] = relationship()
    role: Mapped[Role] = relationship()
    organisation: Mapped[Organisation] = relationship()
    role_version: Mapped[RoleVersion] = relationship()
    supervisor: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.end_date is None
