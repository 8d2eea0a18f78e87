"""Deciding claims, payment batches, the centre's flags and each organisation's policy."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from volunteer_hub.accounts.permissions import (
    coordinated_organisation_ids,
    get_or_404,
    role_required,
    sees_all_organisations,
)
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import attach_error, perform
from volunteer_hub.core.inputs import arg_int, page_arg, to_id
from volunteer_hub.core.tabular import Sheet, write_csv, write_xlsx
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.expenses import bank, queries, services
from volunteer_hub.expenses.figures import money
from volunteer_hub.expenses.flags import claims_flags, flagged_claims
from volunteer_hub.expenses.forms import (
    ApproverForm,
    BatchForm,
    PaidForm,
    PolicyForm,
    choices,
    decision_form,
)
from volunteer_hub.expenses.models import (
    ExpenseClaim,
    PaymentBatch,
)
from volunteer_hub.expenses.rules import pounds_to_pence
from volunteer_hub.expenses.views import STAFF, bp, today
from volunteer_hub.expenses.views.claims import claim_page
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation


def _managed_organisation(organisation_id: int) -> Organisation:
    """An organisation whose policy the current user may see and change: its coordinators, the
    centre and administrators (404 for anyone else)."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not (
        sees_all_organisations(current_user)
        or organisation_id in coordinated_organisation_ids(current_user)
    ):
        abort(404)
    return organisation


def _paying_organisation(organisations: list[Organisation], raw: object) -> Organisation:
    """One of ``organisations`` that the current user coordinates (who makes payment batches),
    chosen by its id; 404 for any other."""
    coordinated = coordinated_organisation_ids(current_user)
    chosen = next(
        (o for o in organisations if o.id == to_id(raw) and o.id in coordinated),
        None,
    )
    if chosen is None:
        abort(404)
    return chosen


# Approving ------------------------------------------------------------------------------------


def _decisions(claim: ExpenseClaim, form: Any) -> dict[int, tuple[str, int | None, str]]:
    """What the approver chose for each of the claim's items: (decision, pence, reason). Only
    this claim's own items are read: fields naming any other item are ignored."""
    decisions: dict[int, tuple[str, int | None, str]] = {}
    for item in claim.items:
        choice = form[f"decision-{item.id}"].data or ""
        amount_text = (form[f"amount-{item.id}"].data or "").strip()
        amount = None
        if choice == "part_approved" and amount_text:
            try:
                amount = pounds_to_pence(amount_text)
            except ValueError:
                raise DomainError(
                    f"Enter the amount to pay for {item.description} in pounds, like 2.50",
                    field=f"amount-{item.id}",
                ) from None
        decisions[item.id] = (choice, amount, form[f"reason-{item.id}"].data or "")
    return decisions


@bp.post("/claims/<int:claim_id>/decide")
@role_required("volunteer", *STAFF)
def decide(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(ExpenseClaim, claim_id, action="change")
    form = decision_form(claim.items)
    if not form.validate_on_submit():
        abort(400)
    back = url_for("expenses.claim", claim_id=claim_id)
    try:
        services.decide(approver=current_user, claim=claim, decisions=_decisions(claim, form))
    except AlreadyDone as error:
        db.session.rollback()
        flash(error.message, "info")
        return redirect(back)
    except DomainError as error:
        db.session.rollback()
        if error.field is None:  # not about what was typed (not waiting, not theirs to decide)
            flash(error.message, "error")
            return redirect(back)
        # Nothing is changed; the decision form is shown again with what was typed.
        posted = {f.name: f.data or "" for f in form if f.name != "csrf_token"}
        claim = get_or_404(ExpenseClaim, claim_id)
        return claim_page(claim, status=400, decision_error=error, posted=posted)
    db.session.commit()
    flash("Decision recorded; the volunteer has been told", "success")
    return redirect(back)


def _make_batch(form: BatchForm, organisations: list[Organisation]) -> ResponseReturnValue:
    """The coordinator made the batch they checked on the preview page."""
    if not form.validate_on_submit():
        abort(400)
    chosen = _paying_organisation(organisations, form.organisation.data)
    # Exactly the claims the coordinator checked on the preview page (it sends their ids).
    claim_ids = [to_id(raw) for raw in (form.claim.data or [])[:1000]]
    if any(claim_id is None for claim_id in claim_ids):
        abort(400)
    if not claim_ids:
        return redirect(url_for("expenses.batch_preview", organisation=chosen.id))
    try:
        batch = services.create_batch(
            actor=current_user,
            organisation_id=chosen.id,
            claim_ids=[claim_id for claim_id in claim_ids if claim_id is not None],
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "info" if isinstance(error, AlreadyDone) else "error")
        return redirect(url_for("expenses.approvals"))
    db.session.commit()
    flash(f"Payment batch {batch.reference} made", "success")
    return redirect(url_for("expenses.batch", batch_id=batch.id))


@bp.route("/approvals", methods=["GET", "POST"])
@role_required("volunteer", *STAFF)
def approvals() -> ResponseReturnValue:
    organisations = queries.approver_organisations(current_user)
    if not organisations:
        abort(403)
    ids = [o.id for o in organisations]
    coordinated = coordinated_organisation_ids(current_user)
    batch_form = BatchForm()
    batch_form.organisation.choices = choices(
        [(o.id, o.name) for o in organisations if o.id in coordinated]
    )
    if request.method == "POST":
        return _make_batch(batch_form, organisations)
    pages = {"waiting_page": page_arg("waiting_page"), "to_pay_page": page_arg("to_pay_page")}
    waiting = queries.waiting_claims(ids, pages["waiting_page"])
    to_pay = queries.claims_to_pay(ids, pages["to_pay_page"])
    size = queries.PAGE_SIZE
    return render_template(
        "expenses/approvals.html",
        waiting=list(zip(waiting[:size], claims_flags(waiting[:size]), strict=True)),
        waiting_total=queries.count_of(queries.waiting_statement(ids)),
        waiting_next=len(waiting) > size,
        to_pay=to_pay[:size],
        to_pay_total=queries.count_of(queries.to_pay_statement(ids)),
        to_pay_next=len(to_pay) > size,
        pages=pages,
        page_size=size,
        batches=queries.recent_batches(ids),
        batch_form=batch_form if batch_form.organisation.choices else None,
        organisations=organisations,
        coordinated=coordinated,
        centre=sees_all_organisations(current_user),
    )


@bp.get("/batches/new")
@role_required("volunteer", *STAFF)
def batch_preview() -> ResponseReturnValue:
    """What a payment batch would hold (claims, payees, total), checked before it is made."""
    organisations = queries.approver_organisations(current_user)
    if not organisations:
        abort(404)
    chosen = _paying_organisation(organisations, arg_int("organisation"))
    claims = queries.payable_claims(actor=current_user, organisation_id=chosen.id)
    payees: dict[int, list[ExpenseClaim]] = {}
    for claim in claims:
        payees.setdefault(claim.volunteer_id, []).append(claim)
    form = BatchForm()
    form.organisation.choices = choices([(chosen.id, chosen.name)])
    form.organisation.data = str(chosen.id)
    return render_template(
        "expenses/batch_preview.html",
        organisation=chosen,
        claims=claims,
        payees=[(group[0].volunteer, group) for group in payees.values()],
        total=sum(c.decided_pence or 0 for c in claims),
        form=form,
    )


@bp.get("/flags")
@role_required("admin", "centre_coordinator")
def flags() -> ResponseReturnValue:
    return render_template("expenses/flags.html", flagged=flagged_claims(None))


# Payment batches --------------------------------------------------------------------------------


@bp.get("/batches/<int:batch_id>")
@role_required(*STAFF)
def batch(batch_id: int) -> ResponseReturnValue:
    found = get_or_404(PaymentBatch, batch_id)
    return render_template(
        "expenses/batch.html",
        batch=found,
        form=PaidForm(formdata=None),
        manages=found.organisation_id in coordinated_organisation_ids(current_user),
        total=sum(c.decided_pence for c in found.claims),
    )


@bp.get("/batches/<int:batch_id>.<kind>")
@role_required(*STAFF)
def batch_download(batch_id: int, kind: str) -> ResponseReturnValue:
    if kind not in ("csv", "xlsx"):
        abort(404)
    found = get_or_404(PaymentBatch, batch_id, action="change")
    rows = bank.payment_rows(
        actor=current_user,
        batch=found,
        bank_payments=queries.current_policy(found.organisation_id).bank_payments,
    )
    db.session.commit()  # the audit of each bank-details read
    name = f"{found.reference.lower()}.{kind}"
    if kind == "csv":
        body: bytes = write_csv(rows).encode("utf-8")
        mimetype = "text/csv"
    else:
        body = write_xlsx([Sheet("Payments", rows)])
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f"attachment; filename={name}",
            "Cache-Control": "no-store",
        },
    )


@bp.post("/batches/<int:batch_id>/paid")
@role_required(*STAFF)
def batch_paid(batch_id: int) -> ResponseReturnValue:
    found = get_or_404(PaymentBatch, batch_id, action="change")
    form = PaidForm()
    if not form.validate_on_submit() or form.paid_on.data is None:
        flash("Enter the date the payments were made", "error")
        return redirect(url_for("expenses.batch", batch_id=batch_id))
    paid_on = form.paid_on.data
    return perform(
        lambda: services.mark_paid(actor=current_user, batch=found, paid_on=paid_on, today=today()),
        done="Batch marked paid; the volunteers have been told",
        back=url_for("expenses.batch", batch_id=batch_id),
    )


# Policy ---------------------------------------------------------------------------------------


def _save_policy(form: PolicyForm, organisation_id: int) -> ResponseReturnValue | None:
    """Save the posted policy as a new version (None: show the form again with its errors)."""
    try:
        threshold = pounds_to_pence(form.receipt_threshold.data or "")
    except ValueError:
        form.receipt_threshold.errors = [
            *form.receipt_threshold.errors,
            "Enter the threshold in pounds, like 10.00",
        ]
        return None
    try:
        services.save_policy(
            actor=current_user,
            organisation_id=organisation_id,
            types=list(form.types.data or []),
            mileage_policy=form.mileage_policy.data or "",
            fixed_pence_per_mile=form.fixed_pence_per_mile.data,
            deadline_days=form.deadline_days.data or 0,
            receipt_threshold_pence=threshold,
            bank_payments=bool(form.bank_payments.data),
        )
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    db.session.commit()
    flash("Expenses policy saved as a new version", "success")
    return redirect(url_for("expenses.policy", organisation_id=organisation_id))


@bp.route("/policy/<int:organisation_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def policy(organisation_id: int) -> ResponseReturnValue:
    organisation = _managed_organisation(organisation_id)
    current = queries.current_policy(organisation_id)
    form = PolicyForm()
    approver_form = ApproverForm(prefix="approver")
    supervisors = queries.supervisors_of(organisation_id)
    approver_form.user.choices = choices([(u.id, u.name) for u in supervisors])
    if request.method == "GET":
        form.types.data = list(current.types)
        form.mileage_policy.data = current.mileage_policy
        form.fixed_pence_per_mile.data = current.fixed_pence_per_mile
        form.deadline_days.data = current.deadline_days
        form.receipt_threshold.data = money(current.receipt_threshold_pence)
        form.bank_payments.data = current.bank_payments
    elif approver_form.user.raw_data:  # the approver form was sent, not the policy
        if not approver_form.validate_on_submit():
            abort(400)
        chosen = next((u for u in supervisors if str(u.id) == approver_form.user.data), None)
        if chosen is None:
            abort(404)
        return perform(
            lambda: services.grant_approver(
                actor=current_user, organisation_id=organisation_id, user=chosen
            ),
            done=f"{chosen.name} can now approve expenses",
            back=url_for("expenses.policy", organisation_id=organisation_id),
        )
    elif form.validate_on_submit():
        saved = _save_policy(form, organisation_id)
        if saved is not None:
            return saved
    return render_template(
        "expenses/policy.html",
        organisation=organisation,
        current=current,
        lines=queries.describe_policy(current),
        form=form,
        approver_form=approver_form if supervisors else None,
    ), (400 if request.method == "POST" else 200)
