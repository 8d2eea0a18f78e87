"""Organisation model."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

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
