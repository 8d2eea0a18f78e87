"""background jobs: each run of a job is recorded

Revision ID: a3c5e7f9b1d2
Revises: f8b2d6e4a1c7
Create Date: 2026-11-30 12:49:12.796342

"""

import sqlalchemy as sa
from alembic import op

import volunteer_hub.core.models

revision = "a3c5e7f9b1d2"
down_revision = "f8b2d6e4a1c7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "jobs_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column(
            "started_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "finished_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("counts", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'succeeded', 'retrying', 'failed')",
            name=op.f("ck_jobs_run_status_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs_run")),
    )
    with op.batch_alter_table("jobs_run", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_run_name_started_at", ["name", "started_at"], unique=False)


def downgrade():
    with op.batch_alter_table("jobs_run", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_run_name_started_at")
    op.drop_table("jobs_run")
