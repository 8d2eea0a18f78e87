"""the National Living Wage from 1 April 2026 carries its final source

The shipped rate (£12.71, 21 and over, from 1 April 2026) was inserted with the draft source
"GOV.UK National Minimum Wage rates (confirm before release)"; the rate is confirmed on GOV.UK, so
the draft words are removed from the one shipped row that still has them (a rate an administrator
added is never touched).

Revision ID: e7a1c4d2b9f3
Revises: c5d9a3e7b214
Create Date: 2026-11-30 09:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "e7a1c4d2b9f3"
down_revision = "c5d9a3e7b214"
branch_labels = None
depends_on = None

DRAFT = "GOV.UK National Minimum Wage rates (confirm before release)"
FINAL = "GOV.UK National Minimum Wage rates"


def _set_source(old: str, new: str) -> None:
    rate = sa.table("rates_rate", sa.column("key", sa.String), sa.column("source", sa.String))
    op.execute(
        rate.update()
        .where(rate.c.key == "uk_national_living_wage_2026", rate.c.source == old)
        .values(source=new)
    )


def upgrade():
    _set_source(DRAFT, FINAL)


def downgrade():
    _set_source(FINAL, DRAFT)
