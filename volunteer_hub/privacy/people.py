"""Who the person is: their sign-in and volunteer record, and the placeholders erasure gives
them. (The only reads privacy makes itself: the subject of a request.)"""

from __future__ import annotations

from sqlalchemy import func, select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.privacy_hooks import ERASED_DOMAIN
from volunteer_hub.extensions import db
from volunteer_hub.privacy.models import PrivacyRequest
from volunteer_hub.volunteers.models import Volunteer

VOLUNTEER_PLACEHOLDER = "Erased person {id}"
USER_PLACEHOLDER = "Erased user {id}"


def resolve(
    *, user: User | None, volunteer: Volunteer | None
) -> tuple[User | None, Volunteer | None]:
    """The person's sign-in and volunteer record, from either."""
    if volunteer is None and user is not None:
        volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    if user is None and volunteer is not None and volunteer.user_id is not None:
        user = db.session.get(User, volunteer.user_id)
    return user, volunteer


def by_email(email: str) -> tuple[User | None, Volunteer | None]:
    """The person whose sign-in or volunteer record has this email address."""
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    volunteer = db.session.scalar(select(Volunteer).where(func.lower(Volunteer.email) == email))
    return resolve(user=user, volunteer=volunteer)


def of_request(item: PrivacyRequest) -> tuple[User | None, Volunteer | None]:
    """The person a privacy request is about."""
    user = db.session.get(User, item.user_id) if item.user_id else None
    volunteer = db.session.get(Volunteer, item.volunteer_id) if item.volunteer_id else None
    return resolve(user=user, volunteer=volunteer)


def every_record_of(email: str) -> tuple[User | None, list[Volunteer]]:
    """The sign-in with this email and every volunteer record it names (theirs, and one recorded
    with the same email but no sign-in)."""
    address = email.strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == address))
    volunteers: list[Volunteer] = []
    if user is not None:
        own = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
        if own is not None:
            volunteers.append(own)
    other = db.session.scalar(select(Volunteer).where(func.lower(Volunteer.email) == address))
    if other is not None and other not in volunteers:
        volunteers.append(other)
    return user, volunteers


def volunteer_placeholder(volunteer_id: int) -> str:
    return VOLUNTEER_PLACEHOLDER.format(id=volunteer_id)


def user_placeholder_email(user_id: int) -> str:
    return f"erased-{user_id}@{ERASED_DOMAIN}"


def placeholders(user: User | None, volunteer: Volunteer | None) -> tuple[str, str]:
    """The name and email address that replace the person's everywhere."""
    if volunteer is not None:
        name = volunteer_placeholder(volunteer.id)
    else:
        assert user is not None
        name = USER_PLACEHOLDER.format(id=user.id)
    email = (
        user_placeholder_email(user.id)
        if user is not None
        else f"erased-v{volunteer.id if volunteer else 0}@{ERASED_DOMAIN}"
    )
    return name, email


def is_erased_volunteer(volunteer: Volunteer) -> bool:
    return volunteer.name == volunteer_placeholder(volunteer.id)


def is_erased_user(user: User) -> bool:
    return user.email == user_placeholder_email(user.id)


def erased_volunteer_ids() -> set[int]:
    """Ids of volunteer records that are erased stubs."""
    rows = db.session.execute(
        select(Volunteer.id, Volunteer.name).where(Volunteer.name.like("Erased person %"))
    )
    return {vid for vid, name in rows if name == volunteer_placeholder(vid)}


def people() -> list[tuple[int, int | None]]:
    """Every volunteer record's id and sign-in, in id order."""
    rows = db.session.execute(select(Volunteer.id, Volunteer.user_id).order_by(Volunteer.id))
    return [(vid, user_id) for vid, user_id in rows]
