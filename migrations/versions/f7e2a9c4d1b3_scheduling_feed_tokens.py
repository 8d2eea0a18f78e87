"""calendar feed tokens: each person's private iCalendar link (only a hash of its secret)

Revision ID: f7e2a9c4d1b3
Revises: ffe2ad585b87
Create Date: 2026-11-30 16:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

from volunteer_hub.core.models import UTCDateTime

# revision identifiers, used by Alembic.
revision = "f7e2a9c4d1b3"
down_revision = "ffe2ad585b87"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scheduling_feed_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_scheduling_feed_token_user_id_accounts_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduling_feed_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_scheduling_feed_token_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_scheduling_feed_token_user_id")),
    )


def downgrade():
    op.drop_table("scheduling_feed_token")
