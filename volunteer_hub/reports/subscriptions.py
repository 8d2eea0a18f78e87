"""Partners' subscriptions to the quarterly report.

When a quarter closes, each subscriber is emailed (through the outbox) a link to the quarterly
monitoring PDF as partners receive it (disclosure control and its audit applied). The link is
signed and expires after ``QUARTERLY_LINK_DAYS`` days (default 30). Each subscriber gets each
quarter once: a delivery row with a unique key (subscriber, year, quarter) is written in the same
transaction as the email, so running the sending command twice, or twice at once, sends once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.core.navigation import external_url
from volunteer_hub.extensions import db
from volunteer_hub.reports.formatting import human_period, long_date
from volunteer_hub.reports.models import QuarterlyDelivery, QuarterlySubscription
from volunteer_hub.reports.value import Period, quarter_period

SALT = "vh-quarterly-report"


class LinkExpired(Exception):
    """The link was genuine but is older than ``QUARTERLY_LINK_DAYS``."""


class LinkInvalid(Exception):
    """The link was not made by this service (or was altered)."""


@dataclass(frozen=True)
class Quarter:
    year: int  # the financial year: 2025 for 2025/26
    quarter: int  # 1 = April to June

    @property
    def period(self) -> Period:
        return quarter_period(self.year, self.quarter)

    @property
    def label(self) -> str:
        return f"Quarter {self.quarter} of {self.year} to {self.year + 1}"


def quarter_of(day: date) -> Quarter:
    year = day.year if day.month >= 4 else day.year - 1
    return Quarter(year, (day.month - 4) % 12 // 3 + 1)


def last_closed_quarter(today: date) -> Quarter:
    """The latest quarter that ended before ``today``."""
    current = quarter_of(today)
    if current.quarter > 1:
        return Quarter(current.year, current.quarter - 1)
    return Quarter(current.year - 1, 4)


def link_days() -> int:
    return int(current_app.config.get("QUARTERLY_LINK_DAYS", 30))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_link_token(user_id: int, quarter: Quarter) -> str:
    return str(_serializer().dumps([user_id, quarter.year, quarter.quarter]))


def read_link_token(token: str) -> tuple[int, Quarter]:
    """(user id, quarter); raises LinkExpired or LinkInvalid."""
    try:
        user_id, year, number = _serializer().loads(token, max_age=link_days() * 86400)
    except SignatureExpired:
        raise LinkExpired from None
    except (BadSignature, ValueError, TypeError):
        raise LinkInvalid from None
    if not all(isinstance(n, int) for n in (user_id, year, number)) or number not in range(1, 5):
        raise LinkInvalid
    return user_id, Quarter(year, number)


def subscription_of(user: User) -> QuarterlySubscription | None:
    return db.session.scalar(
        select(QuarterlySubscription).where(QuarterlySubscription.user_id == user.id)
    )


def subscribe(user: User) -> bool:
    """True if subscribed now; False if already subscribed (a double click adds one row)."""
    try:
        with db.session.begin_nested():
            db.session.add(QuarterlySubscription(user_id=user.id))
    except IntegrityError:
        return False
    return True


def unsubscribe(user: User) -> bool:
    """True if a subscription was removed."""
    result = db.session.execute(
        delete(QuarterlySubscription).where(QuarterlySubscription.user_id == user.id)
    )
    return bool(getattr(result, "rowcount", 0))


def send_closed_quarter(today: date) -> int:
    """Queue the last closed quarter's report to every subscribed partner who has not had it;
    return how many were queued. Flushes, never commits (the command commits)."""
    quarter = last_closed_quarter(today)
    queued = 0
    rows = db.session.execute(
        select(QuarterlySubscription, User)
        .join(User, User.id == QuarterlySubscription.user_id)
        .order_by(QuarterlySubscription.id)
    ).all()
    expires = long_date(today + timedelta(days=link_days()))
    period = quarter.period
    for subscription, user in rows:
        if not user.is_partner or not user.is_active:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(
                    QuarterlyDelivery(
                        subscription_id=subscription.id,
                        year=quarter.year,
                        quarter=quarter.quarter,
                    )
                )
        except IntegrityError:
            continue  # already sent (or being sent by another run, which will send it)
        queue_email(
            kind="quarterly_report",
            to=user.email,
            subject=f"Quarterly monitoring report: {quarter.label}",
            user=user,
            label=quarter.label,
            period=human_period(period.start, period.end),
            expires=expires,
            link=external_url("reports.quarterly_link", token=make_link_token(user.id, quarter)),
            settings=external_url("reports.subscription"),
        )
        queued += 1
    return queued
