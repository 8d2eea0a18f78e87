"""an upload counts the job's claims, so one that keeps killing the worker is reported

Revision ID: c4e8a2d6f0b1
Revises: b7d3f1a9c5e2
Create Date: 2026-11-30 16:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "c4e8a2d6f0b1"
down_revision = "b7d3f1a9c5e2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("uploads_upload", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("uploads_upload", schema=None) as batch_op:
        batch_op.drop_column("attempts")
