"""An uploaded import file and its state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.extensions import Model


class UploadKind(StrEnum):
    HOURS = "hours"
    EXPENSES = "expenses"
    TIMEBANK = "timebank"


class UploadStatus(StrEnum):
    UPLOADED = "uploaded"
    CHECKING = "checking"
    IMPORTING = "importing"
    DONE = "done"
    FAILED = "failed"


class Upload(Model):
    __tablename__ = "uploads_upload"
    __table_args__ = (
        CheckConstraint("kind IN ('hours', 'expenses', 'timebank')", name="kind_valid"),
        CheckConstraint(
            "status IN ('uploaded', 'checking', 'importing', 'done', 'failed')",
            name="status_valid",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations_organisation.id", ondelete="CASCADE"), index=True
    )
    timebank_id: Mapped[int | None] = mapped_column(
        ForeignKey("timebank_timebank.id", ondelete="CASCADE"), index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_user.id", ondelete="SET NULL"), index=True
    )
    #: The name the file had on the uploader's computer (shown back to them).
    filename: Mapped[str] = mapped_column(String(255))
    #: The random name it is kept under in the upload folder until the import ends.
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=UploadStatus.UPLOADED, index=True)
    checked: Mapped[int] = mapped_column(default=0)
    imported: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    #: Times the job has claimed it: more than one means a worker died part-way before.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    #: A failed import's message: a heading, then every bad line as the command prints it.
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def finished(self) -> bool:
        return self.status in (UploadStatus.DONE, UploadStatus.FAILED)

    @property
    def error_lines(self) -> list[str]:
        return (self.error or "").splitlines()[1:]

    @property
    def error_heading(self) -> str:
        return (self.error or "").splitlines()[0] if self.error else ""
