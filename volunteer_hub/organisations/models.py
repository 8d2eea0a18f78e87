"""Organisation model."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer_hub.core.models import TimestampMixin
from volunteer_hub.extensions import db


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


class Organisation(TimestampMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "organisations_organisation"
    __table_args__ = (
        CheckConstraint(f"kind IN ({KIND_VALUES})", name="kind_valid"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
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

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Role(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """A volunteer role at an organisation. The recruitment issue turns this into a full task
    description; reports need its occupation code and the employer-supported flag."""

    __tablename__ = "organisations_role"
    __table_args__ = (
        UniqueConstraint("organisation_id", "title"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
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

    organisation: Mapped[Organisation] = relationship()
