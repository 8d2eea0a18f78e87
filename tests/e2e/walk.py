"""The page walk's pieces: which URLs to visit (every GET route, ids from the demo data), the
demo personas, and what is checked on each page in the browser.

Route arguments are filled by :data:`BY_ENDPOINT` (a route's own variants: file formats, charts,
kinds; each one is visited), :data:`ROWS_BY_ENDPOINT` (arguments whose meaning depends on the
route: a role's slug, a signed link) and :data:`BY_ARGUMENT` (an id's name means the same row on
every route). Each filler is a query of demo rows returning candidate values, a few
representatives (one per organisation and status, say) rather than every row; the walk tries them
in turn as each persona. A GET route that neither fills is reported, so a new route fails the walk
until it is given a filler here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask, url_for
from sqlalchemy import Select, func, select

from volunteer_hub.accounts.demo import DEMO_USERS
from volunteer_hub.extensions import db

Values = list[dict[str, Any]]

#: Endpoints that are not pages of the service: files served as they are.
SKIPPED_ENDPOINTS = {"static"}

#: Representatives per query: enough for each persona to find one they may see.
LIMIT = 12


def _rows(query: Select[Any], *names: str) -> Values:
    return [dict(zip(names, row, strict=True)) for row in db.session.execute(query.limit(LIMIT))]


def _first_per(column: Any, *groups: Any) -> Select[Any]:
    """The first row's ``column`` in each group (one representative per group)."""
    return select(func.min(column)).group_by(*groups).order_by(func.min(column))


def _ids(name: str, column: Any, *groups: Any) -> Callable[[], Values]:
    return lambda: _rows(_first_per(column, *groups) if groups else select(column), name)


def _user(email_start: str) -> Any:
    from volunteer_hub.accounts.models import User

    return db.session.scalar(select(User).where(User.email.startswith(email_start)))


def _token(purpose: str, extra: str = "") -> Callable[[], Values]:
    def fill() -> Values:
        from volunteer_hub.accounts.tokens import make_token

        return [{"token": make_token(_user("volunteer@demo"), purpose, extra)}]

    return fill


def _reference_tokens() -> Values:
    from volunteer_hub.recruitment.models import Reference
    from volunteer_hub.recruitment.services import reference_link

    references = db.session.scalars(select(Reference).where(Reference.responded_at.is_(None)))
    return [{"token": reference_link(r).rsplit("/", 1)[1]} for r in references]


def _quarterly_links() -> Values:
    """The emailed link to the last closed quarter's PDF, for the demo partner (subscribed here,
    through the service, as a partner would from the subscription page)."""
    from volunteer_hub.reports import subscriptions

    partner = _user("partner@demo")
    subscriptions.subscribe(partner)
    db.session.commit()
    quarter = subscriptions.last_closed_quarter(date.today())
    return [{"token": subscriptions.make_link_token(partner.id, quarter)}]


def _invitation_tokens() -> Values:
    from volunteer_hub.matching.models import Invitation
    from volunteer_hub.matching.services import invitation_link

    invitations = db.session.scalars(select(Invitation).order_by(Invitation.id))
    return [{"token": invitation_link(i).rsplit("/", 1)[1]} for i in invitations]


def _choices(name: str, values: Iterable[Any]) -> Callable[[], Values]:
    return lambda: [{name: value} for value in values]


def _role_slugs() -> Values:
    from volunteer_hub.organisations.models import Role

    return _rows(
        select(func.min(Role.slug)).where(Role.slug.is_not(None)).group_by(Role.organisation_id),
        "slug",
    )


def _organisation_slugs() -> Values:
    from volunteer_hub.organisations.models import Organisation

    return _rows(select(Organisation.slug).order_by(Organisation.id), "slug")


def _application_ids() -> Values:
    from volunteer_hub.recruitment.models import Application

    query = _first_per(Application.id, Application.organisation_id, Application.stage)
    return _rows(query, "application_id")


def _placement_ids() -> Values:
    from volunteer_hub.placements.models import Placement

    return _rows(_first_per(Placement.id, Placement.organisation_id), "placement_id")


def _hour_record_ids() -> Values:
    from volunteer_hub.hours.models import HourRecord

    query = _first_per(HourRecord.id, HourRecord.organisation_id, HourRecord.status)
    return _rows(query, "record_id")


def _supervision_ids() -> Values:
    from volunteer_hub.supervision.models import SupervisionRecord

    return _rows(select(SupervisionRecord.id), "record_id")


def _shift_ids() -> Values:
    from volunteer_hub.scheduling.models import Shift

    return _rows(_first_per(Shift.id, Shift.role_id, Shift.pattern_id), "shift_id")


def _check_in_rows(argument: str) -> Callable[[], Values]:
    """The demo's shift today with a fresh QR code (``code``) or check-in pass (``p``); by the
    time the walk reaches it the code may have expired, which shows "scan the code again"."""

    def fill() -> Values:
        from volunteer_hub.core.models import utcnow
        from volunteer_hub.scheduling import checkin
        from volunteer_hub.scheduling.models import Shift

        ids = db.session.scalars(select(Shift.id).where(Shift.ref == "demo-check-in-today"))
        make = {"code": lambda i: checkin.code_for(i, utcnow()), "p": checkin.pass_for}[argument]
        return [{"shift_id": i, argument: make(i)} for i in ids]

    return fill


def _shift_volunteer_ids() -> Values:
    from volunteer_hub.scheduling.models import SignUp

    return _rows(_first_per(SignUp.volunteer_id, SignUp.status), "volunteer_id")


def _claim_ids() -> Values:
    from volunteer_hub.expenses.models import ExpenseClaim

    query = _first_per(ExpenseClaim.id, ExpenseClaim.organisation_id, ExpenseClaim.status)
    return _rows(query, "claim_id")


def _receipt_ids() -> Values:
    from volunteer_hub.expenses.models import Receipt

    return _rows(select(Receipt.id), "receipt_id")


def _batch_ids() -> Values:
    from volunteer_hub.expenses.models import PaymentBatch

    return _rows(_first_per(PaymentBatch.id, PaymentBatch.organisation_id), "batch_id")


def _statement_years() -> Values:
    from volunteer_hub.expenses.models import ExpenseClaim

    years = sorted({c.year for c in db.session.scalars(select(ExpenseClaim.created_at))})
    return [{"year": year} for year in years or [date.today().year]]


def _policy_organisations() -> Values:
    from volunteer_hub.expenses.models import ExpensePolicy
    from volunteer_hub.organisations.models import Organisation

    with_policy = _rows(select(ExpensePolicy.organisation_id), "organisation_id")
    others = _rows(select(Organisation.id).order_by(Organisation.id), "organisation_id")
    return with_policy + [row for row in others if row not in with_policy]


def _role_ids() -> Values:
    from volunteer_hub.organisations.models import Role

    return _rows(_first_per(Role.id, Role.organisation_id, Role.status), "role_id")


def _timebank_ids() -> Values:
    from volunteer_hub.timebank.models import TimeBank

    return _rows(select(TimeBank.id), "timebank_id")


def _timebank_accounts() -> Values:
    from volunteer_hub.timebank.models import Account

    firsts = select(func.min(Account.id)).group_by(Account.timebank_id, Account.kind)
    query = select(Account.timebank_id, Account.id).where(Account.id.in_(firsts))
    return _rows(query.order_by(Account.id), "timebank_id", "account_id")


def _listing_ids() -> Values:
    from volunteer_hub.timebank.models import Listing

    return _rows(_first_per(Listing.id, Listing.kind, Listing.status), "listing_id")


def _course_ids() -> Values:
    from volunteer_hub.training.models import Course

    return _rows(select(Course.id), "course_id")


def _session_ids() -> Values:
    from volunteer_hub.training.models import TrainingSession

    return _rows(select(TrainingSession.id), "session_id")


def _trained_volunteer_ids() -> Values:
    from volunteer_hub.training.models import Completion

    return _rows(_first_per(Completion.volunteer_id, Completion.course_id), "volunteer_id")


def _user_ids() -> Values:
    from volunteer_hub.accounts.models import User

    return _rows(select(User.id).order_by(User.id), "user_id")


def _privacy_request_ids() -> Values:
    from volunteer_hub.privacy.models import PrivacyRequest

    return _rows(_first_per(PrivacyRequest.id, PrivacyRequest.kind), "request_id")


def _upload_ids() -> Values:
    from volunteer_hub.uploads.models import Upload

    return _rows(_first_per(Upload.id, Upload.uploaded_by_id, Upload.status), "upload_id")


def _thread_ids() -> Values:
    from volunteer_hub.messaging.models import Thread

    return _rows(_first_per(Thread.id, Thread.kind, Thread.organisation_id), "thread_id")


def _report_files() -> Values:
    """A PDF the demo centre coordinator asked for, waiting for the job (the walk runs no
    worker): its page, status and (not yet built: 404) download."""
    import json

    from volunteer_hub.reports.models import ReportFile

    query = {"period": "year", "year": "2025"}
    found = ReportFile(
        token="walk-report-file",
        request_key="walk-report-file",
        user_id=_user("centre@").id,
        fmt="pdf",
        query=json.dumps(query),
        label="Financial year 2025 to 2026, All organisations",
        filename="value-report-all-2025-04-01-to-2026-03-31.pdf",
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
        status="queued",
    )
    if db.session.scalar(select(ReportFile).where(ReportFile.token == found.token)) is None:
        db.session.add(found)
        db.session.commit()
    return [{"token": "walk-report-file"}]


def _milestones() -> Values:
    from volunteer_hub.hours.milestones import MILESTONES

    return [{"milestone": m} for m in MILESTONES]


def _chart_names() -> Values:
    from volunteer_hub.reports.charts import NAMES

    return [{"name": name} for name in sorted(NAMES)]


def _feed_links() -> Values:
    """The demo's calendar feed links (the secret is derived again from the stored salt)."""
    from volunteer_hub.scheduling.feeds import secret_of
    from volunteer_hub.scheduling.models import FeedToken

    tokens = db.session.scalars(select(FeedToken).order_by(FeedToken.id).limit(1))
    return [{"secret": secret} for t in tokens if (secret := secret_of(t))]


def _bulk_segments() -> Values:
    """Each organisation's first role and first shift, as bulk message segments."""
    from volunteer_hub.organisations.models import Role
    from volunteer_hub.scheduling.models import Shift

    roles = _rows(_first_per(Role.id, Role.organisation_id), "key")
    shifts = _rows(_first_per(Shift.id, Shift.role_id), "key")
    return [{"segment": "role", "key": str(r["key"])} for r in roles] + [
        {"segment": "shift", "key": str(r["key"])} for r in shifts
    ]


def _bulk_ids() -> Values:
    from volunteer_hub.messaging.models import BulkMessage

    return _rows(_first_per(BulkMessage.id, BulkMessage.organisation_id), "bulk_id")


def _unsubscribe_tokens() -> Values:
    from volunteer_hub.messaging.bulk import unsubscribe_token
    from volunteer_hub.messaging.models import BulkDelivery

    ids = db.session.scalars(select(BulkDelivery.volunteer_id).limit(1)).all()
    return [{"token": unsubscribe_token(vid, "news")} for vid in ids]


#: Route → rows for arguments whose meaning depends on the route (a slug, a signed link),
#: tried in turn like ids.
ROWS_BY_ENDPOINT: dict[str, Callable[[], Values]] = {
    "recruitment.opportunity": _role_slugs,
    "recruitment.apply": _role_slugs,
    "accounts.verify_email": _token("verify_email"),
    "accounts.reset_password": _token("reset_password"),
    "accounts.accept_invitation": _token("invitation"),
    "accounts.confirm_email_change": _token("change_email", "sam.new@demo.volunteerhub.invalid"),
    "recruitment.reference": _reference_tokens,
    "reports.quarterly_link": _quarterly_links,
    "scheduling.scan": _check_in_rows("code"),
    "scheduling.check_in": _check_in_rows("p"),
    "scheduling.volunteer_record": _shift_volunteer_ids,
    "scheduling.feed": _feed_links,
    "matching.interested": _invitation_tokens,
    "messaging.bulk_new": _bulk_segments,
    "messaging.bulk_unsubscribe": _unsubscribe_tokens,
    "reports.report_file": _report_files,
    "reports.report_file_status": _report_files,
    "reports.report_file_download": _report_files,
}

#: Route → each value of its own arguments (a file format, a chart, a kind): every one is
#: requested, each with the first row the persona may see.
BY_ENDPOINT: dict[str, Callable[[], Values]] = {
    "privacy.download": _choices("fmt", ["html", "json"]),
    "reports.download": _choices("fmt", ["csv", "xlsx", "pdf", "json", "quarterly.pdf"]),
    "reports.chart": _chart_names,
    "expenses.batch_download": _choices("kind", ["csv", "xlsx"]),
    "expenses.statement": _choices("kind", ["pdf", "csv"]),
    "timebank.pot": _choices("kind", ["donate", "grant"]),
    "timebank.statement": _choices("fmt", ["html", "csv", "pdf"]),
    "hours.certificate": _milestones,
    "uploads.new": _choices("kind", ["hours", "expenses", "timebank"]),
}

#: Argument names (several that go together as one tuple) → their values from the demo data.
BY_ARGUMENT: dict[tuple[str, ...], Callable[[], Values]] = {
    ("timebank_id", "account_id"): _timebank_accounts,
    ("slug",): _organisation_slugs,
    ("application_id",): _application_ids,
    ("placement_id",): _placement_ids,
    ("record_id",): _hour_record_ids,
    ("claim_id",): _claim_ids,
    ("receipt_id",): _receipt_ids,
    ("batch_id",): _batch_ids,
    ("year",): _statement_years,
    ("organisation_id",): _policy_organisations,
    ("role_id",): _role_ids,
    ("timebank_id",): _timebank_ids,
    ("listing_id",): _listing_ids,
    ("course_id",): _course_ids,
    ("session_id",): _session_ids,
    ("shift_id",): _shift_ids,
    ("volunteer_id",): _trained_volunteer_ids,
    ("user_id",): _user_ids,
    ("request_id",): _privacy_request_ids,
    ("upload_id",): _upload_ids,
    ("thread_id",): _thread_ids,
    ("bulk_id",): _bulk_ids,
}

#: Endpoints where ``record_id`` is a supervision record, not an hour record.
_SUPERVISION_RECORD = {"supervision.show"}


@dataclass
class Route:
    endpoint: str
    rule: str
    #: Candidate URLs in groups, one group per value of the route's own arguments (each file
    #: format, chart or kind); each group's URLs (other rows) are tried in turn as each persona.
    groups: list[list[str]] = field(default_factory=list)


def _fill(endpoint: str, arguments: set[str]) -> list[tuple[Any, dict[str, Any]]] | None:
    """Every combination of values for the route's arguments, each with its group (the values
    of the route's own arguments), or None if an argument cannot be filled."""
    if not arguments:
        return [((), {})]
    own: Values = [{}]
    parts: list[Values] = []
    remaining = set(arguments)
    if endpoint in BY_ENDPOINT:
        # An endpoint with two rules (the time-bank statement, with and without a format) takes
        # from its values only the arguments of the rule at hand.
        rows = [{k: v for k, v in row.items() if k in arguments} for row in BY_ENDPOINT[endpoint]()]
        own = [dict(t) for t in dict.fromkeys(tuple(row.items()) for row in rows)]
        remaining -= {k for row in own for k in row}
    if endpoint in ROWS_BY_ENDPOINT:
        rows = ROWS_BY_ENDPOINT[endpoint]()
        parts.append(rows)
        remaining -= {k for row in rows for k in row}
    if endpoint in _SUPERVISION_RECORD and "record_id" in remaining:
        parts.append(_supervision_ids())
        remaining.discard("record_id")
    for names, filler in BY_ARGUMENT.items():
        if set(names) <= remaining:
            parts.append(filler())
            remaining -= set(names)
    if remaining or not own or any(not part for part in parts):
        return None
    return [
        (tuple(group.items()), {**group, **{k: v for part in combo for k, v in part.items()}})
        for group in own
        for combo in itertools.product(*parts)
    ]


def walk_routes(app: Flask) -> tuple[list[Route], list[str]]:
    """Every GET route with its candidate URLs, and the rules that could not be filled."""
    routes: list[Route] = []
    unfilled: list[str] = []
    with app.test_request_context(base_url=str(app.config["BASE_URL"])):
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in (rule.methods or ()) or rule.endpoint in SKIPPED_ENDPOINTS:
                continue
            combos = _fill(rule.endpoint, set(rule.arguments))
            if combos is None:
                unfilled.append(f"{rule.rule} ({rule.endpoint})")
                continue
            route = Route(rule.endpoint, rule.rule)
            groups: dict[Any, list[str]] = {}
            adapter = app.url_map.bind("localhost")
            for group, values in combos:
                url = url_for(rule.endpoint, **values)
                # A route with two rules (statement and statement.<fmt>) builds the rule that
                # matches the values given; keep only URLs of this rule.
                matched = adapter.match(url.split("?")[0], method="GET")
                if matched[0] == rule.endpoint and set(matched[1]) == set(rule.arguments):
                    groups.setdefault(group, []).append(url)
            route.groups = list(groups.values())
            if not route.groups:
                unfilled.append(f"{rule.rule} ({rule.endpoint}): no URL matches the rule")
                continue
            routes.append(route)
    return routes, unfilled


@dataclass(frozen=True)
class Persona:
    name: str
    email: str | None


def personas() -> list[Persona]:
    """Signed out, then each demo user (volunteer, each coordinator, centre, partner, admin)."""
    names = {
        "admin@": "administrator",
        "centre@": "centre",
        "befriending@": "coordinator-befriending",
        "garden@": "coordinator-garden",
        "partner@": "partner",
        "volunteer@": "volunteer",
    }
    found = [Persona("signed-out", None)]
    for email, _name, _grants in DEMO_USERS:
        label = next(v for k, v in names.items() if email.startswith(k))
        found.append(Persona(label, email))
    return found


def seed_demo() -> None:
    """``flask demo seed``, in the current app context."""
    from volunteer_hub.cli import _seeders

    for seeder in _seeders():
        seeder()
    db.session.commit()


# In the browser ------------------------------------------------------------------------------

#: Collects the page's CSP violations (Chromium also says them on the console).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""

#: What the page shows: its width, the rows of the service navigation, tables cut off in a
#: scroll box without a visible "scroll sideways" hint, same-origin links, and the visible text.
LOOK = """
() => {
  const visible = (e) =>
    !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  // The service name and the navigation links: one row when their middles line up.
  const items = [...document.querySelectorAll(
    '.govuk-service-navigation__service-name, .govuk-service-navigation__item')].filter(visible);
  const middles = items
    .map((e) => { const r = e.getBoundingClientRect(); return (r.top + r.bottom) / 2; })
    .sort((a, b) => a - b);
  const navRows = middles.length
    ? 1 + middles.slice(1).filter((m, i) => m - middles[i] > 12).length : 0;
  const cut = [];
  for (const table of document.querySelectorAll('table')) {
    if (!visible(table)) continue;
    let box = table.parentElement;
    while (box && box !== document.body) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(box).overflowX)) break;
      box = box.parentElement;
    }
    if (!box || box === document.body || box.scrollWidth <= box.clientWidth + 1) continue;
    const hints = (box.getAttribute('aria-describedby') || '').split(/\\s+/)
      .map((id) => id && document.getElementById(id)).filter(Boolean);
    const hinted = hints.some((h) => visible(h) && /scroll sideways/i.test(h.innerText));
    if (!hinted || box.tabIndex < 0) {
      const caption = table.querySelector('caption');
      cut.push((caption ? caption.innerText.trim() : table.className || 'a table') +
               (hinted ? ' (its scroll box cannot be focused)' : ''));
    }
  }
  const links = [...document.querySelectorAll('a[href]')]
    .map((a) => {
      try { return new URL(a.getAttribute('href'), location.href); } catch (e) { return null; }
    })
    .filter((u) => u && u.origin === location.origin)
    .map((u) => u.pathname + u.search);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    navRows: navRows,
    cut: cut,
    links: [...new Set(links)],
    // Text in <code> is shown on purpose as it is typed (a rate's key used in imports, a
    // command); everything else is what a person reads.
    text: (() => {
      const copy = document.body.cloneNode(true);
      copy.querySelectorAll('code').forEach((c) => c.replaceWith(' '));
      document.body.appendChild(copy);
      copy.style.position = 'absolute';
      const text = copy.innerText;
      copy.remove();
      return text;
    })(),
    csp: window.__csp || [],
  };
}
"""

#: The widths walked: a desktop and a small phone.
DESKTOP, PHONE = 1280, 375


@dataclass
class Findings:
    """Everything the walk found, by check; each entry says persona, width and URL."""

    unfilled: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    sideways: list[str] = field(default_factory=list)
    cut_tables: list[str] = field(default_factory=list)
    axe: list[str] = field(default_factory=list)
    navigation: list[str] = field(default_factory=list)
    machine_text: dict[str, list[str]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def is_html(content_type: str) -> bool:
    return content_type.split(";")[0].strip() == "text/html"
