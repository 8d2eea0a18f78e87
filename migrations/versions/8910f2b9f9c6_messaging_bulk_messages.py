"""messaging: bulk messages, their deliveries (one per person) and unsubscribes by kind

Revision ID: 8910f2b9f9c6
Revises: 9aaf5186b211
Create Date: 2026-11-30 16:22:44.051693

"""

from alembic import op
import sqlalchemy as sa
import volunteer_hub.core.models


# revision identifiers, used by Alembic.
revision = "8910f2b9f9c6"
down_revision = "9aaf5186b211"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "messaging_bulk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("segment_kind", sa.String(length=20), nullable=False),
        sa.Column("segment_key", sa.String(length=60), nullable=False),
        sa.Column("segment_label", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=150), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("sent_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "finished_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=True
        ),
        sa.CheckConstraint(
            "kind IN ('news', 'opportunities', 'shift_updates', 'service')",
            name=op.f("ck_messaging_bulk_kind_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'sending', 'sent', 'cancelled')",
            name=op.f("ck_messaging_bulk_status_valid"),
        ),
        sa.CheckConstraint(
            "recipient_count >= 0 AND sent_count >= 0",
            name=op.f("ck_messaging_bulk_counts_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations_organisation.id"],
            name=op.f("fk_messaging_bulk_organisation_id_organisations_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["accounts_user.id"],
            name=op.f("fk_messaging_bulk_sender_id_accounts_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_bulk")),
    )
    with op.batch_alter_table("messaging_bulk", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_messaging_bulk_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "messaging_unsubscribe",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column(
            "created_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "kind IN ('news', 'opportunities', 'shift_updates')",
            name=op.f("ck_messaging_unsubscribe_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers_volunteer.id"],
            name=op.f("fk_messaging_unsubscribe_volunteer_id_volunteers_volunteer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_unsubscribe")),
        sa.UniqueConstraint(
            "volunteer_id", "kind", name=op.f("uq_messaging_unsubscribe_volunteer_id_kind")
        ),
    )
    with op.batch_alter_table("messaging_unsubscribe", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_messaging_unsubscribe_volunteer_id"), ["volunteer_id"], unique=False
        )

    op.create_table(
        "messaging_bulk_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bulk_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=150), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column(
            "delivered_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=True
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'in_app', 'skipped', 'cancelled')",
            name=op.f("ck_messaging_bulk_delivery_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["bulk_id"],
            ["messaging_bulk.id"],
            name=op.f("fk_messaging_bulk_delivery_bulk_id_messaging_bulk"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers_volunteer.id"],
            name=op.f("fk_messaging_bulk_delivery_volunteer_id_volunteers_volunteer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_bulk_delivery")),
        sa.UniqueConstraint(
            "bulk_id", "volunteer_id", name=op.f("uq_messaging_bulk_delivery_bulk_id_volunteer_id")
        ),
    )
    with op.batch_alter_table("messaging_bulk_delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messaging_bulk_delivery_pending", ["bulk_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_messaging_bulk_delivery_volunteer_id"), ["volunteer_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("messaging_bulk_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messaging_bulk_delivery_volunteer_id"))
        batch_op.drop_index("ix_messaging_bulk_delivery_pending")

    op.drop_table("messaging_bulk_delivery")
    with op.batch_alter_table("messaging_unsubscribe", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messaging_unsubscribe_volunteer_id"))

    op.drop_table("messaging_unsubscribe")
    with op.batch_alter_table("messaging_bulk", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messaging_bulk_organisation_id"))

    op.drop_table("messaging_bulk")
