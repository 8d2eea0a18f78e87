"""Who may see and change an organisation."""

from __future__ import annotations

from typing import Any

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import (
    Action,
    coordinated_organisation_ids,
    register_rule,
    sees_all_organisations,
)
from volunteer_hub.organisations.models import Organisation


def organisation_rule(user: User, organisation: Any, action: Action) -> bool:
    if sees_all_organisations(user):
        return True
    if action == "change":
        return organisation.id in coordinated_organisation_ids(user)
    return organisation.id in {m.organisation_id for m in user.memberships}


register_rule(Organisation, organisation_rule)
