"""investment entries keep the one-time key of the form that entered them

A double click on "Add investment" added the money twice; the key (unique) lets one in.

Revision ID: c5d9a3e7b214
Revises: b8e4c2a1f905
Create Date: 2026-11-30 08:05:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5d9a3e7b214"
down_revision = "b8e4c2a1f905"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("investment_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_key", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_investment_entry_form_key"), ["form_key"])


def downgrade():
    with op.batch_alter_table("investment_entry", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_investment_entry_form_key"), type_="unique")
        batch_op.drop_column("form_key")
