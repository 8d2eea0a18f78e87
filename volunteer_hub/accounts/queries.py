"""Read-side queries for accounts: other domains and views look people up here."""

from __future__ import annotations

from sqlalchemy import select

from volunteer_hub.accounts.models import User
from volunteer_hub.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))
