"""audit event target index

Revision ID: d3f1a7c29b64
Revises: 6e2eb09d726d
Create Date: 2026-11-30 07:30:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "d3f1a7c29b64"
down_revision = "6e2eb09d726d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("accounts_audit_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_accounts_audit_event_target", ["target_type", "target_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("accounts_audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_audit_event_target")
