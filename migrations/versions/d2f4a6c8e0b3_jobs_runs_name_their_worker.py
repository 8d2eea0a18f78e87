"""a job run names the process that ran it, so a run whose worker died can be marked stopped

Revision ID: d2f4a6c8e0b3
Revises: c4e8a2d6f0b1
Create Date: 2026-11-30 20:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "d2f4a6c8e0b3"
down_revision = "c4e8a2d6f0b1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jobs_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("worker", sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table("jobs_run", schema=None) as batch_op:
        batch_op.drop_column("worker")
