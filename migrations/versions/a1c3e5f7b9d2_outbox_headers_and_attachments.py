"""outbox: extra headers (List-Unsubscribe) and text attachments (.ics invitations)

Revision ID: a1c3e5f7b9d2
Revises: b4d6f8a0c2e3
Create Date: 2026-11-30 16:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a1c3e5f7b9d2"
down_revision = "b4d6f8a0c2e3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("accounts_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("headers_json", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("attachments_json", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("accounts_outbox", schema=None) as batch_op:
        batch_op.drop_column("attachments_json")
        batch_op.drop_column("headers_json")
