"""Report pages and downloads for centre coordinators, partners and organisation coordinators."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.permissions import (
    coordinated_organisation_ids,
    role_required,
)
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import financial_year as financial_year_text
from volunteer_hub.core.formatting import parse_date
from volunteer_hub.extensions import db
from volunteer_hub.investment.queries import CATEGORIES
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.organisations.queries import all_organisations, organisations_with_ids
from volunteer_hub.reports import exports, formatting
from volunteer_hub.reports.disclosure import NotPublished, publish, publish_quarterly
from volunteer_hub.reports.forms import SubscriptionForm, ValueReportForm, financial_year_of
from volunteer_hub.reports.published import typed
from volunteer_hub.reports.value import (
    Period,
    build_value_report,
    financial_year,
    quarter_period,
    snap_to_months,
)

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.add_app_template_filter(formatting.month_label, "month_label")
bp.add_app_template_filter(formatting.long_date, "long_date")
bp.add_app_template_global(formatting.human_period, "human_period")
for _helper in (formatting.rate_text, formatting.oncost_text, formatting.method_text):
    bp.add_app_template_global(_helper, _helper.__name__)
bp.add_app_template_global(formatting.coverage_text, "coverage_text")
bp.add_app_template_global(formatting.short_period, "short_period")


@bp.app_context_processor
def _report_words() -> dict[str, Any]:
    return {"band_names": formatting.BAND_NAMES}


REPORT_ROLES = ("admin", "centre_coordinator", "partner", "org_coordinator")
#: The picker's fields: the only query parameters carried into download links.
QUERY_FIELDS = ("period", "year", "quarter", "start", "end", "organisation")
FIRST_YEAR = 2015
MAX_DAYS = 366 * 10


#: Latin letters that Unicode does not decompose into a base letter and an accent.
UNDECOMPOSED = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Đ": "D",
        "đ": "d",
        "Þ": "Th",
        "þ": "th",
    }
)


@dataclass(frozen=True)
class Choice:
    period: Period
    organisation: Organisation | None
    label: str
    quarter: tuple[int, int] | None = None  # (financial year, quarter) when a quarter was chosen
    custom: bool = False
    #: Said beside the period when the chosen dates were changed (snapped to whole months).
    note: str | None = None


def sees_every_organisation(user: Any) -> bool:
    """Partners (the partnership board) and the centre see the whole borough."""
    return bool(user.is_admin or user.is_centre_coordinator or user.is_partner)


def allowed_organisations() -> list[Organisation]:
    if sees_every_organisation(current_user):
        return list(all_organisations())
    return list(organisations_with_ids(coordinated_organisation_ids(current_user)))


def _parse_date(text: str, field: Any) -> date | None:
    day = parse_date(text)
    if day is None:
        field.errors = [*field.errors, "Enter a real date, like 1 April 2025"]
    return day


def build_form() -> tuple[ValueReportForm, list[Organisation]]:
    organisations = allowed_organisations()
    form = ValueReportForm(formdata=request.args or None)
    this_year = financial_year_of(date.today())
    form.year.choices = [
        SelectChoice(str(y), financial_year_text(y)) for y in range(this_year, FIRST_YEAR - 1, -1)
    ]
    choices = [SelectChoice(str(o.id), o.name) for o in organisations]
    if sees_every_organisation(current_user):
        choices.insert(0, SelectChoice("", "All organisations"))
    form.organisation.choices = choices
    if not request.args:
        form.year.data = str(this_year)
        form.quarter.data = str((date.today().month - 4) % 12 // 3 + 1)
    return form, organisations


def resolve(form: ValueReportForm, organisations: list[Organisation]) -> Choice | None:
    """The chosen period and organisation, or None with errors attached to the form."""
    if not form.validate():
        return None
    organisation = None
    raw_org = form.organisation.data or ""
    if raw_org:
        organisation = next((o for o in organisations if str(o.id) == raw_org), None)
        if organisation is None:
            abort(403)
    elif not sees_every_organisation(current_user):
        if not organisations:
            abort(403)
        organisation = organisations[0]  # a coordinator's own organisation by default
        form.organisation.data = str(organisation.id)
    raw_year = form.year.data or str(financial_year_of(date.today()))
    if raw_year not in {choice.value for choice in form.year.choices}:
        form.year.errors = [*form.year.errors, "Choose a financial year from the list"]
        return None
    year = int(raw_year)
    if form.period.data == "year":
        period = financial_year(year)
        label = f"Financial year {financial_year_text(year)}"
        return Choice(period, organisation, label)
    if form.period.data == "quarter":
        quarter = int(form.quarter.data or 1)
        period = quarter_period(year, quarter)
        label = f"Quarter {quarter} of {financial_year_text(year)}"
        return Choice(period, organisation, label, (year, quarter))
    start = _parse_date(form.start.data or "", form.start) if form.start.data else None
    end = _parse_date(form.end.data or "", form.end) if form.end.data else None
    if not form.start.data:
        form.start.errors = [*form.start.errors, "Enter the first day of the period"]
    if not form.end.data:
        form.end.errors = [*form.end.errors, "Enter the last day of the period"]
    if start is None or end is None:
        return None
    if end < start:
        form.end.errors = [*form.end.errors, "The last day must be on or after the first day"]
        return None
    if (end - start).days > MAX_DAYS:
        form.end.errors = [*form.end.errors, "Choose a period of at most ten years"]
        return None
    choice = Choice(
        Period(start, end), organisation, formatting.human_period(start, end), custom=True
    )
    if partner_view(choice):
        snapped = snap_to_months(choice.period)
        if snapped != choice.period:
            form.start.data, form.end.data = snapped.start.isoformat(), snapped.end.isoformat()
            label = formatting.human_period(snapped.start, snapped.end)
            choice = Choice(
                snapped,
                organisation,
                label,
                custom=True,
                note="Reports for partners cover whole months, so this report is for "
                f"{label} (you chose {formatting.human_period(start, end)}).",
            )
    return choice


def _equality(choice: Choice) -> dict[str, Any]:
    """The equality profile, for whole financial years and quarters only when the viewer is a
    partner: with dates of their choosing, two nearly equal periods could be subtracted to learn
    the answers of the one person active in one but not the other."""
    from volunteer_hub.reports.equality import equality_profile

    internal = current_user.is_admin or current_user.is_centre_coordinator
    if choice.custom and not internal:
        return {
            "withheld": "The equality profile is shown for whole financial years and quarters "
            "only, so that nobody can be identified by comparing periods.",
            "profile": current_app.config.get("DISCLOSURE_PROFILE", "k10"),
            "k": current_app.config.get("DISCLOSURE_MIN_GROUP", 10),
            "questions": [],
        }
    return equality_profile(choice.period, choice.organisation.id if choice.organisation else None)


def partner_view(choice: Choice) -> bool:
    """Partners see the figures as published outside the organisations (disclosure control);
    the centre, administrators and an organisation's own coordinators see them in full."""
    if current_user.is_admin or current_user.is_centre_coordinator:
        return False
    own = coordinated_organisation_ids(current_user)
    return not (choice.organisation is not None and choice.organisation.id in own)


def _full(choice: Choice) -> dict[str, Any]:
    return build_value_report(
        start=choice.period.start, end=choice.period.end, organisation=choice.organisation
    )


def _report(choice: Choice) -> dict[str, Any]:
    """Raises DomainError, or NotPublished for partners (too few people, or the disclosure
    audit failed): partners get the same published object as the API."""
    return _as_seen(choice, published=partner_view(choice))


def _as_seen(choice: Choice, *, published: bool) -> dict[str, Any]:
    report = _full(choice)
    return publish(report) if published else report


def quarterly_pdf(
    choice: Choice,
    report: dict[str, Any],
    *,
    published: bool,
    equality: dict[str, Any] | None,
) -> bytes:
    """The board's quarterly monitoring PDF for a chosen quarter; raises NotPublished when the
    quarter itself may not be published."""
    from volunteer_hub.reports.charts import value_charts

    assert choice.quarter is not None
    year, quarter = choice.quarter
    periods = {
        "this_quarter": choice.period,
        "year_to_date": Period(financial_year(year).start, choice.period.end),
        "same_quarter_last_year": quarter_period(year - 1, quarter),
    }
    reports: dict[str, dict[str, Any] | None]
    fulls = {
        key: _full(Choice(period, choice.organisation, choice.label))
        for key, period in periods.items()
    }
    if published:
        # Audited together where the columns add up; a column that cannot be published is
        # None, shown as "not published".
        reports = publish_quarterly(
            fulls, same_period=periods["year_to_date"] == periods["this_quarter"]
        )
        report = reports["this_quarter"] or report
    else:
        reports = dict(fulls)
    return exports.quarterly_pdf(
        reports,
        label=choice.label,
        periods=periods,
        charts=value_charts(report, for_pdf=True),
        equality=equality,
        changes=headline_changes(choice, report, published=published),
    )


def earlier_periods(choice: Choice) -> dict[str, tuple[str, Period]]:
    """The periods each headline figure is compared with: the previous quarter and the same
    quarter last year for a quarter, the previous financial year for a year, and the period of
    the same length just before for dates of the person's choosing."""
    if choice.quarter is not None:
        year, quarter = choice.quarter
        previous = quarter_period(year, quarter - 1) if quarter > 1 else quarter_period(year - 1, 4)
        return {
            "previous": ("the previous quarter", previous),
            "last_year": ("the same quarter last year", quarter_period(year - 1, quarter)),
        }
    if not choice.custom:
        year = choice.period.start.year
        return {"previous": ("the previous year", financial_year(year - 1))}
    return {"previous": ("the previous period of the same length", choice.period.previous())}


def headline_changes(
    choice: Choice, report: dict[str, Any], *, published: bool | None = None
) -> dict[str, list[str]]:
    """Each headline figure's change against the earlier periods, from the reports this person
    may see for them (published for partners: a figure hidden there is 'not available')."""
    if choice.period.end >= date.today():
        # A period still running compared with a whole earlier one would read as a fall.
        return {
            formatting.HEADLINE_CHANGES[0][0]: [
                "Not compared with earlier periods: this period runs to "
                f"{formatting.long_date(choice.period.end)}, which has not passed yet."
            ]
        }
    if published is None:
        published = partner_view(choice)
    earlier: dict[str, tuple[str, dict[str, Any] | None]] = {}
    for key, (label, period) in earlier_periods(choice).items():
        try:
            other: dict[str, Any] | None = _as_seen(
                Choice(period, choice.organisation, label), published=published
            )
        except (DomainError, NotPublished):
            other = None
        earlier[key] = (label, typed(other) if other is not None else None)
    return formatting.headline_changes(typed(report), earlier)


def _filename(choice: Choice, extension: str) -> str:
    """An ASCII file name (HTTP headers are Latin-1): accents folded, anything else a hyphen."""
    scope = "all"
    if choice.organisation:
        folded = unicodedata.normalize("NFKD", choice.organisation.name.translate(UNDECOMPOSED))
        ascii_name = folded.encode("ascii", "ignore").decode().lower()
        scope = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-") or "organisation"
    return f"value-report-{scope}-{choice.period.start}-to-{choice.period.end}.{extension}"


def _default_view(form: ValueReportForm, organisations: list[Organisation]) -> None:
    """Without a query: this financial year, and a coordinator's own organisation."""
    if not request.args:
        form.period.data = "year"
        if not sees_every_organisation(current_user):
            form.organisation.data = str(organisations[0].id)


@bp.get("/value")
@role_required(*REPORT_ROLES)
def value() -> ResponseReturnValue:
    # matplotlib and pandas load on first use, so commands and the API start quickly.
    from volunteer_hub.reports.charts import alt_texts, available, summaries

    form, organisations = build_form()
    if not organisations and not sees_every_organisation(current_user):
        abort(403)
    _default_view(form, organisations)
    choice = resolve(form, organisations)
    query: dict[str, Any] = {n: request.args[n] for n in QUERY_FIELDS if n in request.args}
    report = profile = None
    changes: dict[str, list[str]] = {}
    error = None
    status = 200
    if choice is not None:
        try:
            report = _report(choice)
        except DomainError as problem:
            error, status = problem.message, 400
        except NotPublished as problem:
            error, status = str(problem), problem.status
        else:
            profile = _equality(choice)
            changes = headline_changes(choice, report)
    if form.errors:
        status = 400
    return render_template(
        "reports/value.html",
        form=form,
        choice=choice,
        report=report,
        profile=profile,
        changes=changes,
        error=error,
        charts={name: url_for("reports.chart", name=name, **query) for name in available(report)}
        if report
        else {},
        chart_alts=alt_texts(report) if report else {},
        summaries=summaries(report) if report else {},
        categories=CATEGORIES,
        query=query,
    ), status


def _chosen_report(form: Any, organisations: list[Organisation]) -> tuple[Choice, dict[str, Any]]:
    """The report the query string asks for, as this person may see it: 400 for a bad choice,
    the refusal's status when it may not be published."""
    choice = resolve(form, organisations)
    if choice is None:
        abort(400)
    try:
        return choice, _report(choice)
    except DomainError:
        abort(400)
    except NotPublished as problem:
        abort(problem.status)


@bp.get("/value/chart/<name>.png")
@role_required(*REPORT_ROLES)
def chart(name: str) -> ResponseReturnValue:
    """One chart of the report the same query shows on the page, as a PNG: the same
    permissions, and for partners the same published (disclosure-controlled) figures."""
    from volunteer_hub.reports.charts import NAMES, chart_png

    if name not in NAMES:
        abort(404)
    form, organisations = build_form()
    if not organisations and not sees_every_organisation(current_user):
        abort(403)
    _default_view(form, organisations)
    _choice, report = _chosen_report(form, organisations)
    png = chart_png(report, name)
    if png is None:
        abort(404)
    return Response(png, mimetype="image/png")


@bp.get("/value/download/<fmt>")
@role_required(*REPORT_ROLES)
def download(fmt: str) -> ResponseReturnValue:
    """CSV, XLSX and JSON at once; a PDF is built by the background job (``file_views``)."""
    from volunteer_hub.reports.file_views import ask_for_pdf

    if fmt not in {"csv", "xlsx", "pdf", "json", "quarterly.pdf"}:
        abort(404)
    form, organisations = build_form()
    if fmt in {"pdf", "quarterly.pdf"}:
        choice = resolve(form, organisations)
        if choice is None or (fmt == "quarterly.pdf" and choice.quarter is None):
            abort(400)
        return ask_for_pdf(fmt, choice)
    choice, report = _chosen_report(form, organisations)
    audit(
        "report.downloaded",
        actor=current_user,
        details={"format": fmt, "start": str(choice.period.start), "end": str(choice.period.end)},
    )
    db.session.commit()
    if fmt == "json":
        return Response(
            exports.to_json(report),
            mimetype="application/json",
            headers={"Content-Disposition": f"attachment; filename={_filename(choice, 'json')}"},
        )
    if fmt == "csv":
        return Response(
            exports.to_csv(report),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename={_filename(choice, 'csv')}"},
        )
    return Response(
        exports.to_xlsx(report, equality=_equality(choice)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={_filename(choice, 'xlsx')}"},
    )


@bp.route("/subscription", methods=["GET", "POST"])
@role_required("partner")
def subscription() -> ResponseReturnValue:
    """A partner chooses whether the quarterly report is emailed to them when a quarter closes."""
    from volunteer_hub.reports import subscriptions

    form = SubscriptionForm()
    if form.validate_on_submit():
        if form.action.data == "subscribe":
            if subscriptions.subscribe(current_user):
                audit("report.subscribed", actor=current_user)
            flash("You will be emailed the quarterly report when each quarter closes.", "success")
        elif form.action.data == "unsubscribe":
            if subscriptions.unsubscribe(current_user):
                audit("report.unsubscribed", actor=current_user)
            flash("You will no longer be emailed the quarterly report.", "success")
        else:
            abort(400)
        db.session.commit()
        return redirect(url_for("reports.subscription"))
    return render_template(
        "reports/subscription.html",
        form=form,
        subscribed=subscriptions.subscription_of(current_user) is not None,
        link_days=subscriptions.link_days(),
    )


@bp.get("/quarterly/<token>")
def quarterly_link(token: str) -> ResponseReturnValue:
    """The quarterly monitoring PDF from a subscriber's emailed link (signed, expiring): all
    organisations, as partners receive it. No sign-in: the signature is the permission, and it
    still needs the person to be a partner with a subscription."""
    from volunteer_hub.accounts.models import User
    from volunteer_hub.reports import subscriptions
    from volunteer_hub.reports.equality import equality_profile

    try:
        user_id, quarter = subscriptions.read_link_token(token)
    except subscriptions.LinkExpired:
        return render_template("reports/link_expired.html"), 410
    except subscriptions.LinkInvalid:
        abort(404)
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or not user.is_partner:
        abort(404)
    if subscriptions.subscription_of(user) is None:
        return render_template("reports/link_expired.html", unsubscribed=True), 410
    period = quarter.period
    choice = Choice(
        period,
        None,
        f"Quarter {quarter.quarter} of {quarter.year}/{str(quarter.year + 1)[-2:]}",
        (quarter.year, quarter.quarter),
    )
    try:
        report = _as_seen(choice, published=True)
        pdf = quarterly_pdf(choice, report, published=True, equality=equality_profile(period, None))
    except NotPublished as problem:
        abort(problem.status)
    except DomainError:
        abort(400)
    audit(
        "report.downloaded",
        actor=user,
        details={"format": "quarterly.pdf (emailed link)", "start": str(period.start)},
    )
    db.session.commit()
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename={_filename(choice, 'quarterly.pdf')}"
        },
    )


# The PDF files' pages and downloads, on this blueprint.
from volunteer_hub.reports import file_views  # noqa: E402, F401
