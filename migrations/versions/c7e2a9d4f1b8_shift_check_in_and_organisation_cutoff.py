"""scheduling: QR check-in and check-out times; organisations: default shift cut-off and
automatic approval of check-in hours

Revision ID: c7e2a9d4f1b8
Revises: a1c3e5f7b9d2
Create Date: 2026-11-30 16:30:00

"""

from alembic import op
import sqlalchemy as sa

import volunteer_hub.core.models


# revision identifiers, used by Alembic.
revision = "c7e2a9d4f1b8"
down_revision = "a1c3e5f7b9d2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scheduling_signup", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "checked_in_at", volunteer_hub.core.models.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "checked_out_at",
                volunteer_hub.core.models.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
    with op.batch_alter_table("organisations_organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "auto_approve_check_ins", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "shift_cutoff_hours", sa.Integer(), server_default=sa.text("24"), nullable=False
            )
        )
        batch_op.create_check_constraint(
            "shift_cutoff_valid", "shift_cutoff_hours >= 0 AND shift_cutoff_hours <= 336"
        )


def downgrade():
    with op.batch_alter_table("organisations_organisation", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_organisations_organisation_shift_cutoff_valid"), type_="check"
        )
        batch_op.drop_column("shift_cutoff_hours")
        batch_op.drop_column("auto_approve_check_ins")
    with op.batch_alter_table("scheduling_signup", schema=None) as batch_op:
        batch_op.drop_column("checked_out_at")
        batch_op.drop_column("checked_in_at")
