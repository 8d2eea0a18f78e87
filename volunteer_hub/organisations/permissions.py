"""Who may see and change an organisation."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import (
    Action,
    can,
    coordinated_organisation_ids,
    register_rule,
    sees_all_organisations,
)
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.organisations.queries import by_slug


def organisation_rule(user: User, organisation: Any, action: Action) -> bool:
    if sees_all_organisations(user):
        return True
    if action == "change":
        return organisation.id in coordinated_organisation_ids(user)
    return organisation.id in {m.organisation_id for m in user.memberships}


register_rule(Organisation, organisation_rule)


def organisation_or_404(slug: str, *, action: Action = "change") -> Organisation:
    """The organisation at this address if the current user may see (or change) it; otherwise
    404, as ``get_or_404`` does for objects loaded by id."""
    organisation = by_slug(slug)
    if organisation is None or not can(current_user, action, organisation):
        abort(404)
    return organisation
