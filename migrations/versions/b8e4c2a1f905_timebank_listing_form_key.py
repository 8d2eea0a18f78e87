"""time-bank listings keep the one-time key of the form that posted them

A double click on "Post" posted the listing twice; the key (unique) lets one in.

Revision ID: b8e4c2a1f905
Revises: d3f1a7c29b64
Create Date: 2026-11-30 08:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b8e4c2a1f905"
down_revision = "d3f1a7c29b64"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("timebank_listing", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_key", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_timebank_listing_form_key"), ["form_key"])


def downgrade():
    with op.batch_alter_table("timebank_listing", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_timebank_listing_form_key"), type_="unique")
        batch_op.drop_column("form_key")
