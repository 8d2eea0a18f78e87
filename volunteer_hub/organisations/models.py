"""Organisation model."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import false as sql_false
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer_hub.core.models import TimestampMixin, UTCDateTime, utcnow
from volunteer_hub.extensions import Model, db


class OrganisationKind(enum.StrEnum):
    VOLUNTEER_CENTRE = "volunteer_centre"
    VCO = "vco"
    STATUTORY = "statutory"

    @property
    def label(self) -> str:
        return {
            "volunteer_centre": "Volunteer centre",
            "vco": "Charity or community group",
            "statutory": "Statutory partner",
        }[self.value]


KIND_VALUES = ", ".join(f"'{k.value}'" for k in OrganisationKind)


class Organisation(TimestampMixin, Model):
    __tablename__ = "organisations_organisation"
    __table_args__ = (
        CheckConstraint(f"kind IN ({KIND_VALUES})", name="kind_valid"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint(
            "shift_cutoff_hours >= 0 AND shift_cutoff_hours <= 336", name="shift_cutoff_valid"
        ),
        # Only one volunteer centre per installation.
        Index(
            "uq_organisations_organisation_one_centre",
            "kind",
            unique=True,
            sqlite_where=text("kind = 'volunteer_centre'"),
            postgresql_where=text("kind = 'volunteer_centre'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: URL-safe identifier derived from the name; stable once published.
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    # Profile.
    charity_number: Mapped[str | None] = mapped_column(String(20))
    company_number: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(10))
    website: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    # Due diligence, kept by the volunteer centre.
    safeguarding_lead: Mapped[str | None] = mapped_column(String(200))
    #: The coordinator who is the safeguarding lead: they may see DBS records for this
    #: organisation's applicants.
    safeguarding_lead_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    safeguarding_review_date: Mapped[date | None]
    insurance_expiry: Mapped[date | None]
    #: When coordinators were last told that a check had lapsed (cleared when checks change).
    lapse_notified_on: Mapped[date | None]
    #: Hours logged by this organisation's own coordinators are approved as they are logged.
    auto_approve_coordinator_hours: Mapped[bool] = mapped_column(
        default=False, server_default=sql_false()
    )
    #: Hours from volunteers' own QR check-in to shifts are approved as they are recorded.
    auto_approve_check_ins: Mapped[bool] = mapped_column(default=False, server_default=sql_false())
    #: The cancellation cut-off (hours before the start) that new shifts take; 0 to 336.
    shift_cutoff_hours: Mapped[int] = mapped_column(default=24, server_default=text("24"))

    def lapsed_checks(self, today: date) -> list[str]:
        """Why this organisation's opportunities may not be published today (empty when fine).
        The volunteer centre itself and statutory partners vouch for themselves."""
        if self.kind != OrganisationKind.VCO.value:
            return []
        reasons = []
        if not self.safeguarding_lead:
            reasons.append("no safeguarding lead is recorded")
        if self.safeguarding_review_date is None or self.safeguarding_review_date < today:
            reasons.append("the safeguarding policy review date has passed or is not recorded")
        if self.insurance_expiry is None or self.insurance_expiry < today:
            reasons.append("the insurance has expired or its expiry date is not recorded")
        return reasons

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class RoleStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    RETURNED = "returned"
    CLOSED = "closed"


class Commitment(enum.StrEnum):
    REGULAR = "regular"
    ONE_OFF = "one_off"


class LocationType(enum.StrEnum):
    ON_SITE = "on_site"
    REMOTE = "remote"
    HYBRID = "hybrid"


class DbsLevel(enum.StrEnum):
    NONE = "none"
    BASIC = "basic"
    STANDARD = "standard"
    ENHANCED = "enhanced"
    ENHANCED_BARRED = "enhanced_barred"

    @property
    def label(self) -> str:
        return {
            "none": "No DBS check",
            "basic": "Basic DBS check",
            "standard": "Standard DBS check",
            "enhanced": "Enhanced DBS check",
            "enhanced_barred": "Enhanced DBS check with barred list check",
        }[self.value]


#: How each DBS level reads on a page ("Enhanced DBS check with barred list check").
DBS_LEVEL_LABELS = {level.value: level.label for level in DbsLevel}


def _in(values: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


class Category(Model):
    """The managed list of opportunity categories (befriending, driving, …)."""

    __tablename__ = "organisations_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(default=True)


role_categories = Table(
    "organisations_role_category",
    db.metadata,
    Column(
        "role_id",
        ForeignKey("organisations_role.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "category_id",
        ForeignKey("organisations_category.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class Role(TimestampMixin, Model):
    """A volunteer role at an organisation and its task description. Reports need its
    occupation code and the employer-supported flag; recruitment publishes it."""

    __tablename__ = "organisations_role"
    __table_args__ = (
        UniqueConstraint("organisation_id", "title"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint(f"status IN ({_in(RoleStatus)})", name="status_valid"),
        CheckConstraint(f"commitment IN ({_in(Commitment)})", name="commitment_valid"),
        CheckConstraint(f"location_type IN ({_in(LocationType)})", name="location_type_valid"),
        CheckConstraint(f"dbs_level IN ({_in(DbsLevel)})", name="dbs_level_valid"),
        CheckConstraint("places IS NULL OR places >= 0", name="places_not_negative"),
        CheckConstraint(
            "minimum_age IS NULL OR (minimum_age >= 14 AND minimum_age <= 99)",
            name="minimum_age_range",
        ),
        Index("ix_organisations_role_status_start", "status", "start_date"),
        # Full-text search on PostgreSQL (GIN over a tsvector); a plain index on SQLite.
        Index("ix_organisations_role_search", "search_document", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    #: UK SOC 2020 code (4 digits or coarser) of the paid job the role most resembles.
    soc_code: Mapped[str | None] = mapped_column(String(4))
    #: Employer-supported volunteering done in paid time: counted and shown separately.
    employer_supported: Mapped[bool] = mapped_column(default=False)

    # Publication.
    status: Mapped[str] = mapped_column(String(16), default=RoleStatus.DRAFT.value)
    #: The public address /opportunities/<slug>, set when first published and never changed.
    slug: Mapped[str | None] = mapped_column(String(220), unique=True)
    returned_reason: Mapped[str | None] = mapped_column(String(1000))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The latest approved version of the task description (0 before the first approval).
    version: Mapped[int] = mapped_column(Integer, default=0)

    # The task description.
    purpose: Mapped[str | None] = mapped_column(Text)
    activities: Mapped[str | None] = mapped_column(Text)
    skills: Mapped[str | None] = mapped_column(Text)
    hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    commitment: Mapped[str] = mapped_column(String(16), default=Commitment.REGULAR.value)
    days_and_times: Mapped[str | None] = mapped_column(String(500))
    location_type: Mapped[str] = mapped_column(String(16), default=LocationType.ON_SITE.value)
    address: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(10))
    #: The centroid of the postcode's outward code, for "within N miles" searches.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    start_date: Mapped[date | None]
    closing_date: Mapped[date | None]
    places: Mapped[int | None]
    minimum_age: Mapped[int | None]
    under_18_welcome: Mapped[bool] = mapped_column(default=False)
    training_given: Mapped[str | None] = mapped_column(Text)
    support_given: Mapped[str | None] = mapped_column(Text)
    supervised_by: Mapped[str | None] = mapped_column(String(200))
    supervision_every_weeks: Mapped[int | None]
    expenses_policy: Mapped[str | None] = mapped_column(Text)
    dbs_level: Mapped[str] = mapped_column(String(20), default=DbsLevel.NONE.value)
    dbs_reason: Mapped[str | None] = mapped_column(String(500))
    accessibility: Mapped[str | None] = mapped_column(Text)
    #: What keyword search matches: title, purpose, activities, skills and the organisation's
    #: name — a tsvector on PostgreSQL, lower-case text on SQLite (see roles.search_document).
    search_document: Mapped[Any] = mapped_column(
        TSVECTOR().with_variant(Text(), "sqlite"), nullable=True
    )

    organisation: Mapped[Organisation] = relationship()
    categories: Mapped[list[Category]] = relationship(
        secondary=role_categories, order_by=Category.name
    )


class RoleVersion(Model):
    """An approved task description, frozen: a placement records the version agreed to."""

    __tablename__ = "organisations_role_version"
    __table_args__ = (UniqueConstraint("role_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("organisations_role.id", ondelete="CASCADE"))
    version: Mapped[int]
    #: Every task-description field as it was approved (dates as ISO text).
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL")
    )
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
