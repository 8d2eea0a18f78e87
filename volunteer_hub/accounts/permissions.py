"""The one permission layer: role-gated routes, object-level checks and organisation scoping.

Views, services and the API all ask here. Rules for each kind of object are registered by the
domain that owns it (:func:`register_rule`); an object with no rule is visible to nobody but
administrators, so forgetting a rule fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, false

from volunteer_hub.accounts.models import MembershipRole, User
from volunteer_hub.extensions import db, login_manager

Action = Literal["view", "change"]
Rule = Callable[[User, Any, Action], bool]
F = TypeVar("F", bound=Callable[..., Any])

#: Route roles: the name used in ``@role_required`` → the test on the user.
ROLE_TESTS: dict[str, Callable[[User], bool]] = {
    "admin": lambda u: u.is_admin,
    "centre_coordinator": lambda u: u.is_centre_coordinator,
    "org_coordinator": lambda u: u.is_org_coordinator,
    "partner": lambda u: u.is_partner,
    "volunteer": lambda u: u.is_volunteer,
    "staff": lambda u: u.is_staff,
}

_RULES: dict[type, Rule] = {}


def register_rule(model: type, rule: Rule) -> None:
    _RULES[model] = rule


def has_any_role(user: Any, *roles: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    unknown = set(roles) - ROLE_TESTS.keys()
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    return any(ROLE_TESTS[role](user) for role in roles)


#: The staff roles: who coordinates volunteering (the menus show them the follow-up links).
STAFF_ROLES = ("admin", "centre_coordinator", "org_coordinator")


def is_staff_role(user: Any) -> bool:
    """Signed in as an administrator, centre coordinator or organisation coordinator."""
    return has_any_role(user, *STAFF_ROLES)


def is_volunteer_role(user: Any) -> bool:
    return has_any_role(user, "volunteer")


def is_centre_role(user: Any) -> bool:
    """An administrator or centre coordinator: the volunteer centre's own staff."""
    return has_any_role(user, "admin", "centre_coordinator")


def volunteer_only(user: Any) -> bool:
    """A volunteer who is not also staff or a partner: their own links come first."""
    return has_any_role(user, "volunteer") and not has_any_role(user, *STAFF_ROLES, "partner")


def role_required(*roles: str) -> Callable[[F], F]:
    """Anonymous → the sign-in page; signed in without one of ``roles`` → 403."""
    for role in roles:
        if role not in ROLE_TESTS:
            raise ValueError(f"unknown role {role!r}")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_any_role(current_user, *roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def sees_all_organisations(user: User) -> bool:
    """Centre coordinators and administrators see every organisation's recruitment and placement
    data (never individuals' equality answers: those have rules of their own)."""
    return user.is_admin or user.is_centre_coordinator


def coordinated_organisation_ids(user: User) -> set[int]:
    return user.organisation_ids(MembershipRole.COORDINATOR)


def can(user: Any, action: Action, obj: Any) -> bool:
    if obj is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active:
        return False
    rule = _RULES.get(type(obj))
    if rule is None:
        return bool(user.is_admin)
    return rule(user, obj, action)


def can_view(user: Any, obj: Any) -> bool:
    return can(user, "view", obj)


def can_change(user: Any, obj: Any) -> bool:
    return can(user, "change", obj)


def organisation_scoped(user: User, obj: Any, action: Action) -> bool:
    """The default rule for objects with an ``organisation_id``: their coordinators, the centre
    and administrators."""
    organisation_id = getattr(obj, "organisation_id", None)
    if sees_all_organisations(user):
        return True
    return organisation_id is not None and organisation_id in coordinated_organisation_ids(user)


def scope_to_organisations(
    statement: Select[Any], user: User, organisation_column: ColumnElement[Any] | Any
) -> Select[Any]:
    """Limit a query to the organisations ``user`` coordinates (all for the centre/admins)."""
    if sees_all_organisations(user):
        return statement
    ids = coordinated_organisation_ids(user)
    if not ids:
        return statement.where(false())
    return statement.where(organisation_column.in_(sorted(ids)))


M = TypeVar("M")


def get_or_404(model: type[M], object_id: Any, *, action: Action = "view") -> M:
    """Load an object the current user may see (or change); otherwise 404, so that objects the
    user may not see are indistinguishable from ones that do not exist."""
    obj = db.session.get(model, object_id)
    if obj is None or not can(current_user, action, obj):
        abort(404)
    return obj


# Rules for the accounts domain's own objects -------------------------------------------------


def _user_rule(user: User, other: User, action: Action) -> bool:
    return user.id == other.id or user.is_admin


register_rule(User, _user_rule)
