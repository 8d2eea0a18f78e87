"""Consents a person can see, give and withdraw, and what withdrawing stops at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from volunteer_hub.accounts.models import ConsentRecord, User
from volunteer_hub.accounts.services import give_consent, withdraw_consent
from volunteer_hub.core import privacy_hooks
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db


@dataclass(frozen=True)
class Purpose:
    key: str
    title: str
    explanation: str
    #: Given by doing something else (joining a time bank, answering the equality questions):
    #: withdrawn here, given there.
    given_elsewhere: bool = False


PURPOSES = [
    Purpose(
        "privacy_notice",
        "The privacy notice",
        "You read it when you signed up. It cannot be withdrawn while you have an account: ask us "
        "to erase your data instead.",
        given_elsewhere=True,
    ),
    Purpose(
        "equality_monitoring",
        "Equality monitoring",
        "Your answers to the equality questions, used only in anonymous totals. Withdrawing "
        "deletes your answers.",
        given_elsewhere=True,
    ),
    Purpose(
        "contact_opportunities",
        "Being told about other opportunities",
        "Occasional emails about roles that match your interests.",
    ),
    Purpose(
        "share_profile",
        "Sharing your profile with organisations you apply to",
        "Your skills, interests, languages and availability shown to the organisation's "
        "coordinators with your application.",
    ),
    Purpose(
        "found_by_partners",
        "Being found by partner organisations",
        "The volunteer centre and its partner organisations' coordinators can find you by your "
        "skills, interests, languages, availability and area, and invite you to apply.",
    ),
    Purpose("photos", "Photos", "Photos of you at activities used in our publicity."),
    Purpose(
        "timebank_terms",
        "A time bank's terms",
        "You accepted them when you joined a time bank. Withdrawing suspends your membership.",
        given_elsewhere=True,
    ),
]
BY_KEY = {p.key: p for p in PURPOSES}


def history(user: User) -> list[ConsentRecord]:
    return list(
        db.session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.user_id == user.id)
            .order_by(ConsentRecord.given_at.desc())
        )
    )


def give(*, user: User, purpose: str) -> ConsentRecord:
    found = BY_KEY.get(purpose)
    if found is None or found.given_elsewhere:
        raise DomainError("Choose something you can agree to here")
    return give_consent(user, purpose, "privacy_page")


def withdraw(*, user: User, purpose: str) -> None:
    if purpose not in BY_KEY:
        raise DomainError("Choose a consent from the list")
    if purpose == "privacy_notice":
        raise DomainError(BY_KEY["privacy_notice"].explanation)
    if not withdraw_consent(user, purpose):
        if db.session.scalar(
            select(ConsentRecord.id).where(
                ConsentRecord.user_id == user.id, ConsentRecord.purpose == purpose
            )
        ):
            raise AlreadyDone(f"{BY_KEY[purpose].title}: already withdrawn.")
        raise DomainError("There is no consent to withdraw")
    # Withdrawal stops the use at once: the domain that uses it says how.
    stop = privacy_hooks.registry.withdrawn.get(purpose)
    if stop is not None:
        stop(user)
    db.session.flush()
