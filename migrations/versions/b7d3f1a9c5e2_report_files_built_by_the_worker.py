"""PDF reports asked for on the web are built by the background job into report files

Revision ID: b7d3f1a9c5e2
Revises: c4d8e2f6a9b1
Create Date: 2026-11-30 16:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

import volunteer_hub.core.models

revision = "b7d3f1a9c5e2"
down_revision = "c4d8e2f6a9b1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reports_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("fmt", sa.String(length=20), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("stored_name", sa.String(length=100), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "started_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "finished_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=True
        ),
        sa.CheckConstraint(
            "fmt IN ('pdf', 'quarterly.pdf')", name=op.f("ck_reports_file_fmt_valid")
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'building', 'ready', 'refused', 'failed')",
            name=op.f("ck_reports_file_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_reports_file_user_id_accounts_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_file")),
        sa.UniqueConstraint("token", name=op.f("uq_reports_file_token")),
        sa.UniqueConstraint("request_key", name=op.f("uq_reports_file_request_key")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_reports_file_stored_name")),
    )
    with op.batch_alter_table("reports_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_file_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_file_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reports_file_created_at"), ["created_at"], unique=False
        )


def downgrade():
    op.drop_table("reports_file")
