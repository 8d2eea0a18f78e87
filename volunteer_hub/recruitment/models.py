"""Applications and their history."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer_hub.core.models import TimestampMixin, UTCDateTime, utcnow
from volunteer_hub.extensions import Model
from volunteer_hub.organisations.models import Organisation, Role
from volunteer_hub.volunteers.models import Volunteer


class Stage(enum.StrEnum):
    ENQUIRY = "enquiry"
    APPLIED = "applied"
    SCREENING = "screening"
    INTERVIEW = "interview"
    OFFERED = "offered"
    PLACED = "placed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()


#: The pipeline, in order; declined and withdrawn can happen at any point before placed.
PIPELINE = [Stage.ENQUIRY, Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFERED]
CLOSED = {Stage.PLACED, Stage.DECLINED, Stage.WITHDRAWN}

#: Reasons a coordinator may give for declining (a managed list, not free text).
DECLINE_REASONS = {
    "role_filled": "The role has been filled",
    "not_suitable": "The role is not a good match for the applicant",
    "checks": "Screening or checks were not completed satisfactorily",
    "no_response": "The applicant did not respond",
    "availability": "The applicant's availability does not fit the role",
    "age": "The applicant does not meet the role's age requirement",
    "referred": "Referred to another opportunity",
}

STAGE_VALUES = ", ".join(f"'{s.value}'" for s in Stage)


class Application(TimestampMixin, Model):
    """A volunteer's application to a role, or a general expression of interest (no role) that
    the volunteer centre brokers."""

    __tablename__ = "recruitment_application"
    __table_args__ = (
        CheckConstraint(f"stage IN ({STAGE_VALUES})", name="stage_valid"),
        # One open application per volunteer and role (declined or withdrawn ones may repeat).
        Index(
            "uq_recruitment_application_open",
            "volunteer_id",
            "role_id",
            unique=True,
            sqlite_where=text("stage NOT IN ('declined', 'withdrawn') AND role_id IS NOT NULL"),
            postgresql_where=text("stage NOT IN ('declined', 'withdrawn') AND role_id IS NOT NULL"),
        ),
        Index("ix_recruitment_application_org_stage", "organisation_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="CASCADE"), index=True
    )
    role_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations_role.id", ondelete="SET NULL")
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="SET NULL")
    )
    stage: Mapped[str] = mapped_column(String(16))
    #: "Why I'm interested", in the volunteer's words.
    message: Mapped[str | None] = mapped_column(Text)
    declined_reason: Mapped[str | None] = mapped_column(String(40))
    #: The response deadline: someone must contact the applicant by then.
    respond_by: Mapped[date | None]
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Applicants under 18 need a parent's or guardian's consent before they are placed.
    under_18: Mapped[bool] = mapped_column(default=False)
    guardian_name: Mapped[str | None] = mapped_column(String(200))
    guardian_consent_on: Mapped[date | None]
    guardian_consent_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )

    volunteer: Mapped[Volunteer] = relationship()
    role: Mapped[Role | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id", cascade="all, delete-orphan"
    )

    @property
    def is_closed(self) -> bool:
        """Placed, declined or withdrawn: the application moves no further."""
        return self.stage in CLOSED

    @property
    def awaiting_contact(self) -> bool:
        """Applied (or enquired) and nobody has contacted the applicant yet."""
        return self.contacted_at is None and self.stage in (Stage.APPLIED, Stage.ENQUIRY)

    def is_overdue(self, today: date) -> bool:
        """Nobody has contacted the applicant by the response deadline."""
        return self.respond_by is not None and self.respond_by < today and self.awaiting_contact


class ApplicationEvent(Model):
    """Every move of an application: who, when, from and to which stage, and why."""

    __tablename__ = "recruitment_application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("recruitment_application.id", ondelete="CASCADE"), index=True
    )
    from_stage: Mapped[str | None] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(String(1000))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[Application] = relationship(back_populates="events")


#: How each stage reads on a page.
STAGE_LABELS = {stage.value: stage.label for stage in Stage}


class DbsWorkforce(enum.StrEnum):
    ADULT = "adult"
    CHILD = "child"
    ADULT_AND_CHILD = "adult_and_child"
    OTHER = "other"


class DbsOutcome(enum.StrEnum):
    CLEAR = "clear"
    NOT_CLEAR = "not_clear"


#: The only facts about a DBS certificate that may be kept (no copy of the certificate, no
#: details of any conviction). A test checks the table has exactly these columns.
DBS_PERMITTED_COLUMNS = frozenset(
    {
        "id",
        "volunteer_id",
        "application_id",
        "certificate_number",
        "issue_date",
        "level",
        "workforce",
        "outcome",
        "decided_by_id",
        "decided_at",
        "update_service",
        "update_service_checked_on",
    }
)


class DbsRecord(Model):
    """The minimal record of a DBS check. Seen only by the centre and the organisation's
    safeguarding lead; every view is audited."""

    __tablename__ = "recruitment_dbs_record"
    __table_args__ = (
        CheckConstraint(
            "level IN ('basic', 'standard', 'enhanced', 'enhanced_barred')", name="level_valid"
        ),
        CheckConstraint(
            "workforce IN ('adult', 'child', 'adult_and_child', 'other')", name="workforce_valid"
        ),
        CheckConstraint("outcome IN ('clear', 'not_clear')", name="outcome_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers_volunteer.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("recruitment_application.id", ondelete="SET NULL"), index=True
    )
    certificate_number: Mapped[str] = mapped_column(String(12))
    issue_date: Mapped[date]
    level: Mapped[str] = mapped_column(String(20))
    workforce: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(10))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Subscribed to the DBS Update Service, and when its status was last checked.
    update_service: Mapped[bool] = mapped_column(default=False)
    update_service_checked_on: Mapped[date | None]


class Reference(Model):
    """A reference requested by email; the referee answers through a signed link, without an
    account. A coordinator then marks it satisfactory or not."""

    __tablename__ = "recruitment_reference"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("recruitment_application.id", ondelete="CASCADE"), index=True
    )
    referee_name: Mapped[str] = mapped_column(String(200))
    referee_email: Mapped[str] = mapped_column(String(254))
    relationship_to_applicant: Mapped[str] = mapped_column(String(200))
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Random value in the link; the link works once, until the referee answers.
    nonce: Mapped[str] = mapped_column(String(32))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    known_for: Mapped[str | None] = mapped_column(String(100))
    would_recommend: Mapped[str | None] = mapped_column(String(10))  # yes / no / unsure
    comments: Mapped[str | None] = mapped_column(Text)
    satisfactory: Mapped[bool | None]
    marked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
