"""Expenses screens: claims, receipts, approvals, payment batches, flags, policy, statements.

One blueprint, in two modules: :mod:`.claims` (the volunteer's claims, receipts, statement and
bank details) and :mod:`.approvals` (deciding, payment batches, flags and the policy). Objects
are loaded with ``get_or_404`` and the rules registered in :mod:`volunteer_hub.expenses.queries`;
the organisation pages with the loaders in :mod:`.approvals`."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask_login import current_user

from volunteer_hub.expenses import queries
from volunteer_hub.placements.models import Placement
from volunteer_hub.volunteers.models import Volunteer

bp = Blueprint("expenses", __name__, url_prefix="/expenses")
STAFF = ("admin", "centre_coordinator", "org_coordinator")


def today() -> date:
    return date.today()


def own_volunteer() -> Volunteer | None:
    """The signed-in user's volunteer record."""
    return queries.volunteer_of(current_user)


@bp.app_template_global()
def expenses_policy_lines(organisation_id: int) -> list[str]:
    """For task descriptions: the organisation's current expenses policy in plain words."""
    return queries.describe_policy(queries.current_policy(organisation_id))


@bp.app_template_global()
def expenses_policy_agreed(placement: Placement) -> int | None:
    """For the placement page: the policy version in force when the volunteer agreed."""
    if placement.agreed_at is None:
        return None
    return queries.policy_in_force_at(placement.organisation_id, placement.agreed_at).version


from volunteer_hub.expenses.views import approvals, claims  # noqa: E402  (their routes)

__all__ = ["approvals", "bp", "claims"]
