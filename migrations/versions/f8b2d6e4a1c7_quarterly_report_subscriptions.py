"""partners can subscribe to the quarterly report; each quarter is sent to each once

Revision ID: f8b2d6e4a1c7
Revises: e7a1c4d2b9f3
Create Date: 2026-11-30 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import volunteer_hub.core.models

revision = "f8b2d6e4a1c7"
down_revision = "e7a1c4d2b9f3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reports_quarterly_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_reports_quarterly_subscription_user_id_accounts_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_quarterly_subscription")),
        sa.UniqueConstraint("user_id", name=op.f("uq_reports_quarterly_subscription_user_id")),
    )
    op.create_table(
        "reports_quarterly_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column(
            "queued_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "quarter BETWEEN 1 AND 4", name=op.f("ck_reports_quarterly_delivery_quarter_valid")
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["reports_quarterly_subscription.id"],
            name=op.f(
                "fk_reports_quarterly_delivery_subscription_id_reports_quarterly_subscription"
            ),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports_quarterly_delivery")),
        sa.UniqueConstraint(
            "subscription_id",
            "year",
            "quarter",
            name=op.f("uq_reports_quarterly_delivery_subscription_id_year_quarter"),
        ),
    )
    with op.batch_alter_table("reports_quarterly_delivery", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reports_quarterly_delivery_subscription_id"),
            ["subscription_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("reports_quarterly_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_quarterly_delivery_subscription_id"))
    op.drop_table("reports_quarterly_delivery")
    op.drop_table("reports_quarterly_subscription")
