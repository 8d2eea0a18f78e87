"""Reports' privacy hooks: a partner's quarterly report subscription.

Not exported (a work setting, not about a volunteer). Erasure: the subscription and its delivery
log end with the account.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.extensions import db
from volunteer_hub.reports.models import QuarterlyDelivery, QuarterlySubscription


@hooks.erase(82)
def erase_subscriptions(erasure: hooks.Erasure) -> None:
    if erasure.user is None:
        return
    user_id = erasure.user.id
    subscriptions = select(QuarterlySubscription.id).where(QuarterlySubscription.user_id == user_id)
    db.session.execute(
        delete(QuarterlyDelivery).where(QuarterlyDelivery.subscription_id.in_(subscriptions))
    )
    db.session.execute(
        delete(QuarterlySubscription).where(QuarterlySubscription.user_id == user_id)
    )
