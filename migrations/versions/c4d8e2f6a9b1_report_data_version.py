"""the version of the data reports are built from, for the report cache

Revision ID: c4d8e2f6a9b1
Revises: 8910f2b9f9c6
Create Date: 2026-11-30 16:30:00.000000

"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "c4d8e2f6a9b1"
down_revision = "8910f2b9f9c6"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "reports_data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "token": uuid.uuid4().hex}])


def downgrade():
    op.drop_table("reports_data_version")
