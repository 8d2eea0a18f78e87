"""PDF downloads as background jobs, on the reports blueprint: asking for a PDF makes (or finds)
the person's report file and shows its progress at /reports/files/<token> (refreshing itself
without JavaScript, polling /reports/files/<token>/status with it), then offers the download at
/reports/files/<token>/download. Only the person who asked sees any of them (others: 404)."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.extensions import db
from volunteer_hub.reports import exports, files
from volunteer_hub.reports.disclosure import NotPublished
from volunteer_hub.reports.views import (
    QUERY_FIELDS,
    Choice,
    _equality,
    _filename,
    _report,
    bp,
    build_form,
    headline_changes,
    partner_view,
    quarterly_pdf,
    resolve,
)

#: Seconds between refreshes of the progress page without JavaScript.
REFRESH_SECONDS = 2


class NotReleased(Exception):
    """The report may not be released to this person (too few people, or the audit failed)."""


def ask_for_pdf(fmt: str, choice: Choice) -> ResponseReturnValue:
    """The download route's answer for a PDF: the person's file for this choice (one however
    often asked), and its progress page."""
    query = {name: request.args[name] for name in QUERY_FIELDS if name in request.args}
    organisation = choice.organisation.name if choice.organisation else "All organisations"
    report_file = files.ask(
        current_user,
        fmt,
        query,
        label=f"{choice.label}, {organisation}",
        filename=_filename(choice, "pdf" if fmt == "pdf" else "quarterly.pdf"),
        period=(choice.period.start, choice.period.end),
    )
    db.session.commit()
    return redirect(url_for("reports.report_file", token=report_file.token), 303)


def build_pdf(fmt: str) -> bytes:
    """The PDF the current request asks for, as the current person may see it (run by the job
    as the person who asked). Raises NotReleased, DomainError, or HTTPException (a choice or
    permission no longer good)."""
    from volunteer_hub.reports.charts import value_charts

    form, organisations = build_form()
    choice = resolve(form, organisations)
    if choice is None or (fmt == "quarterly.pdf" and choice.quarter is None):
        abort(400)
    try:
        report = _report(choice)
        profile = _equality(choice)
        if fmt == "pdf":
            return exports.to_pdf(
                report,
                charts=value_charts(report, for_pdf=True),
                equality=profile,
                changes=headline_changes(choice, report),
            )
        return quarterly_pdf(choice, report, published=partner_view(choice), equality=profile)
    except NotPublished as problem:
        raise NotReleased(str(problem)) from problem


def _owned_or_404(token: str) -> Any:
    report_file = files.owned(token, current_user)
    if report_file is None:
        abort(404)
    return report_file


@bp.get("/files/<token>")
@login_required
def report_file(token: str) -> ResponseReturnValue:
    found = _owned_or_404(token)
    page = render_template(
        "reports/file.html",
        report_file=found,
        available=files.path_of(found) is not None,
        refresh=REFRESH_SECONDS,
        keep_hours=files.keep_hours(),
    )
    if found.finished:
        return page, 200, {"Cache-Control": "no-store"}
    # Without JavaScript the page refreshes itself (a header: the CSP allows no inline script).
    return page, 200, {"Refresh": str(REFRESH_SECONDS), "Cache-Control": "no-store"}


@bp.get("/files/<token>/status")
@login_required
def report_file_status(token: str) -> ResponseReturnValue:
    from flask import jsonify

    response = jsonify(files.status(_owned_or_404(token)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/files/<token>/download")
@login_required
def report_file_download(token: str) -> ResponseReturnValue:
    found = _owned_or_404(token)
    path = files.path_of(found)
    if path is None:
        abort(404)
    audit(
        "report.downloaded",
        actor=current_user,
        details={
            "format": found.fmt,
            "start": str(found.period_start),
            "end": str(found.period_end),
        },
    )
    db.session.commit()
    response = send_file(
        path, mimetype="application/pdf", as_attachment=True, download_name=found.filename
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
