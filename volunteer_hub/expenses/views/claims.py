"""The volunteer's claims (items, receipts, submitting, withdrawing), their mileage statement
and their bank details."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import (
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

from volunteer_hub.accounts.permissions import (
    get_or_404,
    role_required,
)
from volunteer_hub.config import ROOT
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import attach_error, perform
from volunteer_hub.core.inputs import page_arg
from volunteer_hub.core.tabular import write_csv
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.expenses import bank, figures, mileage, queries, services
from volunteer_hub.expenses.flags import claim_flags
from volunteer_hub.expenses.forms import (
    ActionForm,
    BankForm,
    ItemForm,
    ReceiptForm,
    StartForm,
    choices,
)
from volunteer_hub.expenses.models import (
    ITEM_TYPES,
    ClaimStatus,
    ExpenseClaim,
    ExpenseItem,
    Receipt,
)
from volunteer_hub.expenses.rules import miles_to_tenths, pounds_to_pence
from volunteer_hub.expenses.storage import receipt_storage
from volunteer_hub.expenses.views import STAFF, bp, own_volunteer, today
from volunteer_hub.extensions import db
from volunteer_hub.volunteers.models import Volunteer

# The volunteer's claims --------------------------------------------------------------------


@bp.route("", methods=["GET", "POST"])
@role_required("volunteer")
def mine() -> ResponseReturnValue:
    volunteer = own_volunteer()
    placements = queries.placements_of(volunteer)
    form = StartForm()
    form.placement.choices = choices(
        [(p.id, f"{p.role.title} at {p.organisation.name}") for p in placements]
    )
    if request.method == "POST" and form.validate_on_submit():
        placement = next((p for p in placements if str(p.id) == form.placement.data), None)
        if placement is None:
            abort(404)
        try:
            claim = services.start_claim(user=current_user, placement=placement)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("expenses.mine"))
        db.session.commit()
        return redirect(url_for("expenses.claim", claim_id=claim.id))
    this_year = mileage.tax_year_of(today())
    page = page_arg("page")
    claims = queries.claims_of(volunteer, page)
    return render_template(
        "expenses/mine.html",
        form=form,
        claims=claims[: queries.PAGE_SIZE],
        page=page,
        has_next=len(claims) > queries.PAGE_SIZE,
        any_claims=bool(claims) or page > 1,
        placements=placements,
        years=[this_year, this_year - 1],
        bank_allowed=queries.bank_payments_offered(placements),
    )


def claim_page(
    claim: ExpenseClaim,
    item_form: ItemForm | None = None,
    status: int = 200,
    decision_error: DomainError | None = None,
    posted: dict[str, str] | None = None,
) -> Any:
    own = queries.owns(current_user, claim)
    approver = queries.is_approver(current_user, claim.organisation_id) and not own
    policy = queries.policy_version(claim.organisation_id, claim.policy_version)
    if item_form is None and own and claim.status == ClaimStatus.DRAFT.value:
        item_form = ItemForm(formdata=None)
    if item_form is not None:
        current = queries.current_policy(claim.organisation_id)
        item_form.item_type.choices = choices(
            [(t, ITEM_TYPES[t]) for t in current.types], "Choose a type"
        )
        if not item_form.is_submitted():
            item_form.passengers.data = None
    # Passengers are asked only where the policy repays the passenger supplement.
    passengers_asked = item_form is not None and "passenger_mileage" in (
        queries.current_policy(claim.organisation_id).types
    )
    flags = claim_flags(claim) if (approver or not own) else []
    return (
        render_template(
            "expenses/claim.html",
            claim=claim,
            own=own,
            approver=approver,
            policy=policy,
            policy_lines=queries.describe_policy(policy),
            item_form=item_form,
            passengers_asked=passengers_asked,
            receipt_form=ReceiptForm(formdata=None),
            action=ActionForm(formdata=None),
            flags=flags,
            needs_receipt=lambda item: queries.receipt_needed(item, policy),
            decision_error=decision_error,
            posted=posted or {},
        ),
        status,
    )


@bp.get("/claims/<int:claim_id>")
@role_required("volunteer", *STAFF)
def claim(claim_id: int) -> ResponseReturnValue:
    return claim_page(get_or_404(ExpenseClaim, claim_id))


@bp.post("/claims/<int:claim_id>/items")
@role_required("volunteer")
def add_item(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(ExpenseClaim, claim_id)
    form = ItemForm()
    repaid = queries.current_policy(claim.organisation_id).types
    form.item_type.choices = choices([(t, ITEM_TYPES[t]) for t in repaid])
    if not form.validate_on_submit():
        return claim_page(claim, form, 400)
    try:
        amount = None
        if (form.amount.data or "").strip():
            try:
                amount = pounds_to_pence(form.amount.data or "")
            except ValueError as error:
                raise DomainError(
                    str(error).replace("amount ", "The amount ", 1), field="amount"
                ) from None
        assert form.day.data is not None
        services.add_item(
            user=current_user,
            claim=claim,
            item_type=form.item_type.data or "",
            day=form.day.data,
            description=form.description.data or "",
            today=today(),
            amount_pence=amount,
            miles_tenths=miles_to_tenths(form.miles.data or ""),
            start_postcode=form.start_postcode.data,
            end_postcode=form.end_postcode.data,
            passengers=form.passengers.data or 0,
        )
    except DomainError as error:
        db.session.rollback()
        claim = get_or_404(ExpenseClaim, claim_id)
        attach_error(form, error)
        return claim_page(claim, form, 400)
    db.session.commit()
    flash("Item added", "success")
    return redirect(url_for("expenses.claim", claim_id=claim.id))


def _commit_then_discard(action: Any, *, done: str, back: str) -> ResponseReturnValue:
    """Perform a deletion, commit, and only then remove the files it dropped."""
    try:
        keys = action()
    except AlreadyDone as error:
        db.session.rollback()
        flash(error.message, "info")
        return redirect(back)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    db.session.commit()
    services.discard_files(keys)
    flash(done, "success")
    return redirect(back)


@bp.post("/claims/<int:claim_id>/items/<int:item_id>/delete")
@role_required("volunteer")
def remove_item(claim_id: int, item_id: int) -> ResponseReturnValue:
    item = get_or_404(ExpenseItem, item_id)
    if item.claim_id != claim_id or not ActionForm().validate_on_submit():
        abort(404 if item.claim_id != claim_id else 400)
    return _commit_then_discard(
        lambda: services.remove_item(user=current_user, item=item),
        done="Item removed",
        back=url_for("expenses.claim", claim_id=claim_id),
    )


@bp.post("/claims/<int:claim_id>/items/<int:item_id>/receipts")
@role_required("volunteer")
def upload_receipt(claim_id: int, item_id: int) -> ResponseReturnValue:
    limit = int(current_app.config["RECEIPT_MAX_BYTES"])
    if request.content_length is not None and request.content_length > limit + 64 * 1024:
        abort(413)
    item = get_or_404(ExpenseItem, item_id)
    if item.claim_id != claim_id:
        abort(404)
    form = ReceiptForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.receipt.data
    data = upload.read(limit + 1) if upload else b""
    if len(data) > limit:
        abort(413)
    back = url_for("expenses.claim", claim_id=claim_id)
    return perform(
        lambda: services.attach_receipt(
            user=current_user, item=item, data=data, filename=getattr(upload, "filename", None)
        ),
        done="Receipt attached",
        back=back,
    )


@bp.post("/claims/<int:claim_id>/receipts/<int:receipt_id>/delete")
@role_required("volunteer")
def remove_receipt(claim_id: int, receipt_id: int) -> ResponseReturnValue:
    receipt = get_or_404(Receipt, receipt_id)
    if receipt.item.claim_id != claim_id or not ActionForm().validate_on_submit():
        abort(404)
    return _commit_then_discard(
        lambda: services.remove_receipt(user=current_user, receipt=receipt),
        done="Receipt removed",
        back=url_for("expenses.claim", claim_id=claim_id),
    )


def _attachment(name: str) -> str:
    """An attachment header any server can send (latin-1): an ASCII fallback name, and the real
    name encoded as RFC 5987 ``filename*`` for browsers."""
    fallback = name.encode("ascii", "replace").decode("ascii").replace('"', "").replace("\\", "")
    return f"attachment; filename=\"{fallback or 'receipt'}\"; filename*=UTF-8''{quote(name)}"


@bp.get("/receipts/<int:receipt_id>")
@role_required("volunteer", *STAFF)
def receipt(receipt_id: int) -> ResponseReturnValue:
    """The file, only for people who may see the claim, always as an attachment."""
    found = get_or_404(Receipt, receipt_id)
    try:
        data = receipt_storage().read(found.storage_key)
    except (OSError, ValueError):
        abort(404)
    response = Response(data, mimetype=found.content_type)
    response.headers["Content-Disposition"] = _attachment(found.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/claims/<int:claim_id>/submit")
@role_required("volunteer")
def submit(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(ExpenseClaim, claim_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: services.submit(user=current_user, claim=claim),
        done="Claim submitted",
        back=url_for("expenses.claim", claim_id=claim_id),
    )


@bp.post("/claims/<int:claim_id>/withdraw")
@role_required("volunteer")
def withdraw(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(ExpenseClaim, claim_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: services.withdraw(user=current_user, claim=claim),
        done="Claim withdrawn",
        back=url_for("expenses.claim", claim_id=claim_id),
    )


@bp.post("/claims/<int:claim_id>/delete")
@role_required("volunteer")
def delete(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(ExpenseClaim, claim_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _commit_then_discard(
        lambda: services.delete_claim(user=current_user, claim=claim),
        done="Claim deleted",
        back=url_for("expenses.mine"),
    )


# The volunteer's statement and bank details ---------------------------------------------------


@bp.get("/statement/<int:year>.<kind>")
@role_required("volunteer")
def statement(year: int, kind: str) -> ResponseReturnValue:
    volunteer = own_volunteer()
    if volunteer is None or not 1990 <= year <= 2100 or kind not in ("pdf", "csv"):
        abort(404)
    context = figures.statement(volunteer, year)
    name = f"mileage-statement-{context['tax_year']}.{kind}"
    headers = {"Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"}
    if kind == "csv":
        rows = figures.statement_csv_rows(context)
        return Response(write_csv(rows), mimetype="text/csv", headers=headers)
    from weasyprint import HTML

    html = render_template("expenses/statement_pdf.html", **context)
    pdf = bytes(HTML(string=html, base_url=str(ROOT)).write_pdf())
    return Response(pdf, mimetype="application/pdf", headers=headers)


def _save_bank_details(form: BankForm, volunteer: Volunteer) -> ResponseReturnValue | None:
    """Save the posted bank details (None: show the form again with its errors)."""
    try:
        bank.save(
            actor=current_user,
            volunteer=volunteer,
            account_name=form.name.data or "",
            sort_code=form.sort_code.data or "",
            account_number=form.account_number.data or "",
        )
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    db.session.commit()
    flash("Bank details saved", "success")
    return redirect(url_for("expenses.bank_details"))


@bp.route("/bank-details", methods=["GET", "POST"])
@role_required("volunteer")
def bank_details() -> ResponseReturnValue:
    volunteer = own_volunteer()
    if volunteer is None or not queries.bank_payments_offered(queries.placements_of(volunteer)):
        abort(404)
    form = BankForm()
    remove = ActionForm(prefix="remove")
    if request.method == "POST" and remove.submit.data:
        if not remove.validate_on_submit():
            abort(400)
        return perform(
            lambda: bank.remove(actor=current_user, volunteer=volunteer),
            done="Bank details removed",
            back=url_for("expenses.bank_details"),
        )
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            saved = _save_bank_details(form, volunteer)
            if saved is not None:
                return saved
        status = 400
    details = None
    unreadable = None
    try:
        details = bank.read(actor=current_user, volunteer_id=volunteer.id, purpose="own view")
        db.session.commit()
    except DomainError as problem:
        db.session.rollback()
        unreadable = problem.message
    return (
        render_template(
            "expenses/bank.html",
            form=form,
            remove=remove,
            details=details,
            error=unreadable,
            configured=bank.keys_configured(),
        ),
        status,
    )
