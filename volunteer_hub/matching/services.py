"""Matching's commands: the volunteer's choices, saved searches, invitations and the answer to
one. Services flush, never commit; each change happens once (a unique row or a
compare-and-set), so a double click is "already done", never a second email or application."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.accounts.permissions import can
from volunteer_hub.accounts.services import give_consent, withdraw_consent
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.navigation import external_url
from volunteer_hub.core.transitions import compare_and_set_where, flush_unique
from volunteer_hub.extensions import db
from volunteer_hub.matching import queries
from volunteer_hub.matching.models import Invitation, SavedSearch
from volunteer_hub.matching.reach import DIGEST, FINDABLE
from volunteer_hub.organisations.models import Role
from volunteer_hub.recruitment.queries import visible_role
from volunteer_hub.recruitment.services import apply
from volunteer_hub.volunteers.models import Volunteer

#: How long an invitation's link works.
INVITATION_DAYS = 30
SALT = "matching-invitation"


def set_preferences(*, user: User, findable: bool, digest: bool) -> list[str]:
    """Give or withdraw the two consents; what changed, in words. A withdrawal takes effect at
    once: searches and the digest read the consent as it stands."""
    changed = []
    for purpose, wanted, words in (
        (FINDABLE, findable, "being found by partner organisations"),
        (DIGEST, digest, "the weekly email of matching roles"),
    ):
        stands = queries.preferences_of(user)["findable" if purpose == FINDABLE else "digest"]
        if wanted and not stands:
            give_consent(user, purpose, "matching_preferences")
            changed.append(f"You agreed to {words}.")
        elif not wanted and stands and withdraw_consent(user, purpose):
            changed.append(f"You withdrew your consent to {words}.")
    db.session.flush()
    return changed


# Saved searches -----------------------------------------------------------------------------


def save_search(*, owner: User, name: str, params: dict[str, Any]) -> SavedSearch:
    name = " ".join(name.split())
    if not name:
        raise DomainError("Enter a name for the search", field="name")
    saved = SavedSearch(owner_id=owner.id, name=name[:100], params=dict(params))
    db.session.add(saved)
    flush_unique(f"You already have a search called {name!r}: choose another name", field="name")
    audit("matching.search_saved", actor=owner, target=saved, details={"name": saved.name})
    return saved


def delete_search(*, owner: User, saved: SavedSearch) -> None:
    if saved.owner_id != owner.id:
        raise DomainError("You can delete only your own searches")
    gone = db.session.execute(
        delete(SavedSearch).where(SavedSearch.id == saved.id, SavedSearch.owner_id == owner.id)
    ).rowcount  # type: ignore[attr-defined]
    if not gone:
        from volunteer_hub.core.transitions import AlreadyDone

        raise AlreadyDone("That search was already deleted.")
    audit("matching.search_deleted", actor=owner, details={"name": saved.name})


# Invitations --------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=SALT)


def invitation_link(invitation: Invitation) -> str:
    return external_url("matching.interested", token=_serializer().dumps(invitation.id))


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link names, while the link is valid; None for anything else."""
    if len(token) > 200:
        return None
    try:
        invitation_id = _serializer().loads(token, max_age=INVITATION_DAYS * 24 * 3600)
    except BadSignature:  # includes an expired link
        return None
    if not isinstance(invitation_id, int) or isinstance(invitation_id, bool):
        return None
    return db.session.get(Invitation, invitation_id)


def invite(
    *, actor: User, role: Role, volunteer: Volunteer, explanation: str, today: date
) -> Invitation:
    """Invite a volunteer the coordinator may see for this role to apply: one invitation per
    volunteer and role, emailed through the outbox with an "I'm interested" link."""
    if not can(actor, "change", role):
        raise DomainError("You cannot invite volunteers to this role")
    if role.slug is None or visible_role(role.slug, today) is None:
        raise DomainError("Only open, published roles can have invitations")
    if not queries.may_see_match(role, volunteer.id, actor):
        raise DomainError("You cannot invite this volunteer")
    user = db.session.get(User, volunteer.user_id) if volunteer.user_id else None
    if user is None or not user.is_active or not user.email:
        raise DomainError("This volunteer has no account to receive an invitation")
    invitation = Invitation(
        role_id=role.id,
        volunteer_id=volunteer.id,
        invited_by_id=actor.id,
        explanation=explanation[:500] or None,
    )
    db.session.add(invitation)
    flush_unique(f"{volunteer.name} has already been invited to apply for {role.title}.")
    queue_email(
        kind="matching_invitation",
        to=user.email,
        user=user,
        subject=f"Would you like to volunteer as {role.title}?",
        role=role,
        organisation=role.organisation.name,
        explanation=invitation.explanation,
        link=invitation_link(invitation),
        days=INVITATION_DAYS,
    )
    audit("matching.invited", actor=actor, target=invitation, details={"role": role.title})
    return invitation


def accept(
    *, user: User, invitation: Invitation, today: date, under_18: bool | None, message: str
) -> Any:
    """The volunteer's "I'm interested": once. Applies to the role through recruitment (whose
    rules, such as age, still apply) and records the application on the invitation."""
    volunteer = db.session.get(Volunteer, invitation.volunteer_id)
    if volunteer is None or volunteer.user_id != user.id:
        raise DomainError("This invitation is for someone else")
    compare_and_set_where(
        invitation,
        Invitation.responded_at.is_(None),
        values={"responded_at": utcnow()},
        message="You have already told them you are interested. They will be in touch.",
    )
    role = db.session.get(Role, invitation.role_id)
    if role is None or role.slug is None or visible_role(role.slug, today) is None:
        raise DomainError("Sorry, this role is no longer open for applications")
    application = apply(
        user=user,
        role=role,
        message=message.strip() or "I'm interested (I was invited to apply).",
        today=today,
        under_18=under_18,
    )
    invitation.application_id = application.id
    db.session.flush()
    audit("matching.interested", actor=user, target=invitation, details={"role": role.title})
    return application
