"""Reports' privacy hooks: a partner's quarterly report subscription, and the PDFs a person
asked for on the web (kept a day at most).

Not exported (a work setting, not about a volunteer). Erasure: the subscription and its delivery
log end with the account, and so do the person's report files (rows and files).
"""

from __future__ import annotations

from sqlalchemy import delete, select

from volunteer_hub.core import privacy_hooks as hooks
from volunteer_hub.extensions import db
from volunteer_hub.reports.models import QuarterlyDelivery, QuarterlySubscription, ReportFile


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
    from volunteer_hub.reports.files import folder

    stored = db.session.scalars(
        select(ReportFile.stored_name).where(
            ReportFile.user_id == user_id, ReportFile.stored_name.is_not(None)
        )
    ).all()
    db.session.execute(delete(ReportFile).where(ReportFile.user_id == user_id))
    for name in stored:
        if name:
            (folder() / name).unlink(missing_ok=True)
