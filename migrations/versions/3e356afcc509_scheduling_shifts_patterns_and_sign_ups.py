"""scheduling: shifts, patterns and sign-ups

Revision ID: 3e356afcc509
Revises: a3c5e7f9b1d2
Create Date: 2026-11-30 13:49:29.532007

"""

from alembic import op
import sqlalchemy as sa
import volunteer_hub.core.models


revision = "3e356afcc509"
down_revision = "a3c5e7f9b1d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scheduling_pattern",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=12), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("nth", sa.Integer(), nullable=True),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("skip_bank_holidays", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(length=8), nullable=False),
        sa.Column(
            "created_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "(frequency = 'monthly' AND nth IN (1, 2, 3, 4, -1)) OR (frequency <> 'monthly' AND nth IS NULL)",
            name=op.f("ck_scheduling_pattern_nth_valid"),
        ),
        sa.CheckConstraint(
            "frequency IN ('weekly', 'fortnightly', 'monthly')",
            name=op.f("ck_scheduling_pattern_frequency"),
        ),
        sa.CheckConstraint(
            "who IN ('placed', 'anyone')", name=op.f("ck_scheduling_pattern_who_valid")
        ),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_scheduling_pattern_capacity_positive")),
        sa.CheckConstraint(
            "minimum >= 0 AND minimum <= capacity", name=op.f("ck_scheduling_pattern_minimum_valid")
        ),
        sa.CheckConstraint(
            "until IS NULL OR until >= starts_on",
            name=op.f("ck_scheduling_pattern_until_after_start"),
        ),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6", name=op.f("ck_scheduling_pattern_weekday_valid")
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["organisations_role.id"],
            name=op.f("fk_scheduling_pattern_role_id_organisations_role"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduling_pattern")),
    )
    with op.batch_alter_table("scheduling_pattern", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduling_pattern_role_id"), ["role_id"], unique=False
        )

    op.create_table(
        "scheduling_shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=True),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("pattern_id", sa.Integer(), nullable=True),
        sa.Column(
            "starts_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("ends_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(length=8), nullable=False),
        sa.Column("cutoff_hours", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "created_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "who IN ('placed', 'anyone')", name=op.f("ck_scheduling_shift_who_valid")
        ),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_scheduling_shift_capacity_positive")),
        sa.CheckConstraint(
            "cutoff_hours >= 0", name=op.f("ck_scheduling_shift_cutoff_not_negative")
        ),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_scheduling_shift_ends_after_start")
        ),
        sa.CheckConstraint(
            "minimum >= 0 AND minimum <= capacity", name=op.f("ck_scheduling_shift_minimum_valid")
        ),
        sa.CheckConstraint("version > 0", name=op.f("ck_scheduling_shift_version_positive")),
        sa.ForeignKeyConstraint(
            ["pattern_id"],
            ["scheduling_pattern.id"],
            name=op.f("fk_scheduling_shift_pattern_id_scheduling_pattern"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["organisations_role.id"],
            name=op.f("fk_scheduling_shift_role_id_organisations_role"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduling_shift")),
        sa.UniqueConstraint(
            "pattern_id", "starts_at", name=op.f("uq_scheduling_shift_pattern_id_starts_at")
        ),
        sa.UniqueConstraint("ref", name=op.f("uq_scheduling_shift_ref")),
    )
    with op.batch_alter_table("scheduling_shift", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduling_shift_pattern_id"), ["pattern_id"], unique=False
        )
        batch_op.create_index(
            "ix_scheduling_shift_role_starts", ["role_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scheduling_shift_starts_at"), ["starts_at"], unique=False
        )

    op.create_table(
        "scheduling_signup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("hour_record_id", sa.Integer(), nullable=True),
        sa.Column("reminded_version", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "(status = 'waiting' AND position IS NOT NULL) OR (status <> 'waiting' AND position IS NULL)",
            name=op.f("ck_scheduling_signup_position_only_waiting"),
        ),
        sa.CheckConstraint(
            "status IN ('confirmed', 'waiting', 'cancelled', 'attended', 'no_show')",
            name=op.f("ck_scheduling_signup_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["hour_record_id"],
            ["hours_record.id"],
            name=op.f("fk_scheduling_signup_hour_record_id_hours_record"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["scheduling_shift.id"],
            name=op.f("fk_scheduling_signup_shift_id_scheduling_shift"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers_volunteer.id"],
            name=op.f("fk_scheduling_signup_volunteer_id_volunteers_volunteer"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduling_signup")),
        sa.UniqueConstraint("hour_record_id", name=op.f("uq_scheduling_signup_hour_record_id")),
        sa.UniqueConstraint(
            "shift_id", "position", name=op.f("uq_scheduling_signup_shift_id_position")
        ),
        sa.UniqueConstraint(
            "shift_id", "volunteer_id", name=op.f("uq_scheduling_signup_shift_id_volunteer_id")
        ),
    )
    with op.batch_alter_table("scheduling_signup", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduling_signup_shift_id"), ["shift_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scheduling_signup_volunteer_id"), ["volunteer_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("scheduling_signup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduling_signup_volunteer_id"))
        batch_op.drop_index(batch_op.f("ix_scheduling_signup_shift_id"))

    op.drop_table("scheduling_signup")
    with op.batch_alter_table("scheduling_shift", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduling_shift_starts_at"))
        batch_op.drop_index("ix_scheduling_shift_role_starts")
        batch_op.drop_index(batch_op.f("ix_scheduling_shift_pattern_id"))

    op.drop_table("scheduling_shift")
    with op.batch_alter_table("scheduling_pattern", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduling_pattern_role_id"))

    op.drop_table("scheduling_pattern")
