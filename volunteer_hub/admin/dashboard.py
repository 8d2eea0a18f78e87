"""The staff dashboard: what needs the signed-in coordinator or administrator, with links.

Each count is the domain's own query (recruitment, hours, expenses, supervision), scoped as the
page it links to is, so the number matches what the person finds there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import role_required, sees_all_organisations
from volunteer_hub.admin.views import dev_emails_enabled
from volunteer_hub.expenses.queries import (
    approver_organisation_ids,
    claims_awaiting_approval_count,
)
from volunteer_hub.hours.queries import awaiting_approval_count
from volunteer_hub.recruitment.queries import unanswered_count
from volunteer_hub.supervision.queries import overdue_for

bp = Blueprint("dashboard", __name__)

STAFF = ("admin", "centre_coordinator", "org_coordinator")


@dataclass(frozen=True)
class Task:
    label: str
    count: int
    href: str
    action: str
    #: Words for the count: (one, many), e.g. ("applicant", "applicants").
    noun: tuple[str, str]

    @property
    def text(self) -> str:
        if not self.count:
            return "None"
        return f"{self.count:,} {self.noun[0] if self.count == 1 else self.noun[1]}"


def tasks_for(user: User, today: date) -> list[Task]:
    """The dashboard's rows for ``user``: what waits for them, in the order they act on it."""
    late_meetings, late_actions = overdue_for(user, today)
    tasks = [
        Task(
            "Applicants to answer",
            unanswered_count(user),
            url_for(
                "recruitment.centre" if sees_all_organisations(user) else "organisations.my_roles"
            ),
            "Answer applicants",
            ("applicant", "applicants"),
        ),
        Task(
            "Hours to approve",
            awaiting_approval_count(user),
            url_for("hours.queue"),
            "Approve hours",
            ("record", "records"),
        ),
    ]
    if sees_all_organisations(user) or approver_organisation_ids(user):
        tasks.append(
            Task(
                "Expense claims to approve",
                claims_awaiting_approval_count(user),
                url_for("expenses.approvals"),
                "Approve expense claims",
                ("claim", "claims"),
            )
        )
    tasks += [
        Task(
            "Supervision meetings overdue",
            len(late_meetings),
            url_for("supervision.overdue"),
            "See supervision due",
            ("meeting", "meetings"),
        ),
        Task(
            "Agreed actions overdue",
            len(late_actions),
            url_for("supervision.overdue"),
            "See overdue actions",
            ("action", "actions"),
        ),
    ]
    return tasks


@bp.get("/dashboard")
@role_required(*STAFF)
def index() -> ResponseReturnValue:
    tasks = tasks_for(current_user, date.today())
    return render_template(
        "admin/dashboard.html",
        tasks=tasks,
        waiting=sum(task.count for task in tasks),
        dev_emails=current_user.is_admin and dev_emails_enabled(),
    )
