"""Expenses screens: claims, receipts, approvals, payment batches, flags, policy, statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

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
from sqlalchemy import select

from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.permissions import (
    coordinated_organisation_ids,
    get_or_404,
    role_required,
    sees_all_organisations,
)
from volunteer_hub.config import ROOT
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import attach_error, perform
from volunteer_hub.core.inputs import arg_int, form_ids, form_text, posted_texts
from volunteer_hub.core.money import two_dp
from volunteer_hub.core.tabular import Sheet, write_csv, write_xlsx
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.expenses import bank, mileage, queries, services
from volunteer_hub.expenses.forms import (
    ActionForm,
    ApproverForm,
    BankForm,
    BatchForm,
    ItemForm,
    PaidForm,
    PolicyForm,
    ReceiptForm,
    StartForm,
)
from volunteer_hub.expenses.models import (
    ITEM_TYPES,
    ClaimStatus,
    ExpenseClaim,
    ExpenseItem,
    PaymentBatch,
    Receipt,
)
from volunteer_hub.expenses.storage import receipt_storage
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation
from volunteer_hub.placements.models import Placement
from volunteer_hub.volunteers.models import Volunteer

bp = Blueprint("expenses", __name__, url_prefix="/expenses")
STAFF = ("admin", "centre_coordinator", "org_coordinator")


def _today() -> date:
    return date.today()


def _volunteer() -> Volunteer | None:
    return db.session.scalar(select(Volunteer).where(Volunteer.user_id == current_user.id))


def _money(pence: int) -> str:
    return two_dp(Decimal(pence) / 100)


@bp.app_template_filter("pounds")
def pounds(pence: int | None) -> str:
    return f"£{Decimal(pence or 0) / 100:,.2f}"


@bp.app_template_global()
def expenses_policy_lines(organisation_id: int) -> list[str]:
    """For task descriptions: the organisation's current expenses policy in plain words."""
    return services.describe_policy(services.current_policy(organisation_id))


@bp.app_template_global()
def expenses_policy_agreed(placement: Placement) -> int | None:
    """For the placement page: the policy version in force when the volunteer agreed."""
    if placement.agreed_at is None:
        return None
    return services.policy_in_force_at(placement.organisation_id, placement.agreed_at).version


# The volunteer's claims --------------------------------------------------------------------


def _placements(volunteer: Volunteer | None) -> list[Placement]:
    if volunteer is None:
        return []
    return list(
        db.session.scalars(
            select(Placement)
            .where(Placement.volunteer_id == volunteer.id)
            .order_by(Placement.start_date.desc())
        )
    )


@bp.route("", methods=["GET", "POST"])
@role_required("volunteer")
def mine() -> ResponseReturnValue:
    volunteer = _volunteer()
    placements = _placements(volunteer)
    form = StartForm()
    form.placement.choices = [
        (str(p.id), f"{p.role.title} at {p.organisation.name}") for p in placements
    ]
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
    claims = []
    if volunteer is not None:
        claims = list(
            db.session.scalars(
                select(ExpenseClaim)
                .where(ExpenseClaim.volunteer_id == volunteer.id)
                .order_by(ExpenseClaim.id.desc())
            )
        )
    this_year = mileage.tax_year_of(_today())
    bank_allowed = any(
        services.current_policy(oid).bank_payments
        for oid in {p.organisation_id for p in placements}
    )
    return render_template(
        "expenses/mine.html",
        form=form,
        claims=claims,
        placements=placements,
        years=[this_year, this_year - 1],
        label=mileage.tax_year_label,
        bank_allowed=bank_allowed,
    )


def _claim_page(
    claim: ExpenseClaim,
    item_form: ItemForm | None = None,
    status: int = 200,
    decision_error: DomainError | None = None,
) -> Any:
    own = services._owns(current_user, claim)
    approver = services.is_approver(current_user, claim.organisation_id) and not own
    policy = services.policy_version(claim.organisation_id, claim.policy_version)
    if item_form is None and own and claim.status == ClaimStatus.DRAFT.value:
        item_form = ItemForm(formdata=None)
    if item_form is not None:
        current = services.current_policy(claim.organisation_id)
        item_form.item_type.choices = [("", "Choose a type")] + [
            (t, ITEM_TYPES[t]) for t in current.types
        ]
        if not item_form.is_submitted():
            item_form.passengers.data = None
    # Passengers are asked only where the policy repays the passenger supplement.
    passengers_asked = item_form is not None and "passenger_mileage" in (
        services.current_policy(claim.organisation_id).types
    )
    flags = queries.claim_flags(claim) if (approver or not own) else []
    return (
        render_template(
            "expenses/claim.html",
            claim=claim,
            own=own,
            approver=approver,
            policy=policy,
            policy_lines=services.describe_policy(policy),
            item_form=item_form,
            passengers_asked=passengers_asked,
            receipt_form=ReceiptForm(formdata=None),
            action=ActionForm(formdata=None),
            flags=flags,
            needs_receipt=lambda item: services.receipt_needed(item, policy),
            decision_error=decision_error,
            posted=posted_texts() if decision_error is not None else {},
        ),
        status,
    )


@bp.get("/claims/<int:claim_id>")
@role_required("volunteer", *STAFF)
def claim(claim_id: int) -> ResponseReturnValue:
    return _claim_page(get_or_404(ExpenseClaim, claim_id))


def _miles_tenths(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        miles = Decimal(text)
    except InvalidOperation:
        raise DomainError("Enter the miles as a number, like 12.5", field="miles") from None
    if not miles.is_finite():
        raise DomainError("Enter the miles as a number, like 12.5", field="miles")
    # Range first: arithmetic on a huge number (1e999999999) would overflow.
    if miles <= 0 or miles > 2000:
        raise DomainError("Enter the miles, more than 0 and at most 2,000", field="miles")
    if miles * 10 != (miles * 10).to_integral_value():
        raise DomainError("Enter the miles to at most one decimal place", field="miles")
    return int(miles * 10)


@bp.post("/claims/<int:claim_id>/items")
@role_required("volunteer")
def add_item(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(ExpenseClaim, claim_id)
    form = ItemForm()
    services_choices = services.current_policy(claim.organisation_id).types
    form.item_type.choices = [(t, ITEM_TYPES[t]) for t in services_choices]
    if not form.validate_on_submit():
        return _claim_page(claim, form, 400)
    try:
        amount = None
        if (form.amount.data or "").strip():
            try:
                amount = services.pounds_to_pence(form.amount.data or "")
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
            today=_today(),
            amount_pence=amount,
            miles_tenths=_miles_tenths(form.miles.data or ""),
            start_postcode=form.start_postcode.data,
            end_postcode=form.end_postcode.data,
            passengers=form.passengers.data or 0,
        )
    except DomainError as error:
        db.session.rollback()
        claim = get_or_404(ExpenseClaim, claim_id)
        attach_error(form, error)
        return _claim_page(claim, form, 400)
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


# Approving ------------------------------------------------------------------------------------


@bp.post("/claims/<int:claim_id>/decide")
@role_required("volunteer", *STAFF)
def decide(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(ExpenseClaim, claim_id, action="change")
    if not ActionForm().validate_on_submit():
        abort(400)
    back = url_for("expenses.claim", claim_id=claim_id)
    decisions: dict[int, tuple[str, int | None, str]] = {}
    try:
        for item in claim.items:
            # Only this claim's own items are read: fields naming any other item are ignored.
            choice = form_text(f"decision-{item.id}")
            amount_text = form_text(f"amount-{item.id}").strip()
            amount = None
            if choice == "part_approved" and amount_text:
                try:
                    amount = services.pounds_to_pence(amount_text)
                except ValueError:
                    raise DomainError(
                        f"Enter the amount to pay for {item.description} in pounds, like 2.50",
                        field=f"amount-{item.id}",
                    ) from None
            decisions[item.id] = (choice, amount, form_text(f"reason-{item.id}"))
        services.decide(approver=current_user, claim=claim, decisions=decisions)
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
        return _claim_page(get_or_404(ExpenseClaim, claim_id), status=400, decision_error=error)
    db.session.commit()
    flash("Decision recorded; the volunteer has been told", "success")
    return redirect(back)


def _approver_orgs() -> list[Organisation]:
    ids = services.approver_organisation_ids(current_user)
    if sees_all_organisations(current_user):
        return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.id.in_(sorted(ids))).order_by(Organisation.name)
        )
    )


@bp.route("/approvals", methods=["GET", "POST"])
@role_required("volunteer", *STAFF)
def approvals() -> ResponseReturnValue:
    organisations = _approver_orgs()
    if not organisations:
        abort(403)
    ids = [o.id for o in organisations]
    coordinated = coordinated_organisation_ids(current_user)
    batch_form = BatchForm()
    batch_form.organisation.choices = [
        (str(o.id), o.name) for o in organisations if o.id in coordinated
    ]
    if request.method == "POST":
        if not batch_form.validate_on_submit():
            abort(400)
        chosen = next(
            (
                o
                for o in organisations
                if str(o.id) == batch_form.organisation.data and o.id in coordinated
            ),
            None,
        )
        if chosen is None:
            abort(404)
        # Exactly the claims the coordinator checked on the preview page (it sends their ids).
        claim_ids = form_ids("claim")
        if not claim_ids:
            return redirect(url_for("expenses.batch_preview", organisation=chosen.id))
        try:
            batch = services.create_batch(
                actor=current_user, organisation_id=chosen.id, claim_ids=claim_ids
            )
        except AlreadyDone as error:
            db.session.rollback()
            flash(error.message, "info")
            return redirect(url_for("expenses.approvals"))
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("expenses.approvals"))
        db.session.commit()
        flash(f"Payment batch {batch.reference} made", "success")
        return redirect(url_for("expenses.batch", batch_id=batch.id))
    waiting = list(
        db.session.scalars(
            select(ExpenseClaim)
            .where(
                ExpenseClaim.organisation_id.in_(ids),
                ExpenseClaim.status == ClaimStatus.SUBMITTED.value,
            )
            .order_by(ExpenseClaim.submitted_at)
        )
    )
    to_pay = list(
        db.session.scalars(
            select(ExpenseClaim)
            .where(
                ExpenseClaim.organisation_id.in_(ids),
                ExpenseClaim.status.in_(
                    (ClaimStatus.APPROVED.value, ClaimStatus.PART_APPROVED.value)
                ),
                ExpenseClaim.batch_id.is_(None),
            )
            .order_by(ExpenseClaim.id)
        )
    )
    batches = list(
        db.session.scalars(
            select(PaymentBatch)
            .where(PaymentBatch.organisation_id.in_(ids))
            .order_by(PaymentBatch.id.desc())
            .limit(50)
        )
    )
    return render_template(
        "expenses/approvals.html",
        waiting=[(c, queries.claim_flags(c)) for c in waiting],
        to_pay=to_pay,
        batches=batches,
        batch_form=batch_form if batch_form.organisation.choices else None,
        organisations=organisations,
        coordinated=coordinated,
        centre=sees_all_organisations(current_user),
    )


@bp.get("/batches/new")
@role_required("volunteer", *STAFF)
def batch_preview() -> ResponseReturnValue:
    """What a payment batch would hold (claims, payees, total), checked before it is made."""
    chosen = next(
        (
            o
            for o in _approver_orgs()
            if o.id == arg_int("organisation")
            and o.id in coordinated_organisation_ids(current_user)
        ),
        None,
    )
    if chosen is None:
        abort(404)
    claims = services.payable_claims(actor=current_user, organisation_id=chosen.id)
    payees: dict[int, list[ExpenseClaim]] = {}
    for claim in claims:
        payees.setdefault(claim.volunteer_id, []).append(claim)
    form = BatchForm()
    form.organisation.choices = [(str(chosen.id), chosen.name)]
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
    return render_template("expenses/flags.html", flagged=queries.flagged_claims(None))


# Payment batches --------------------------------------------------------------------------------


def _batch_rows(batch: PaymentBatch) -> list[list[Any]]:
    """Payee, email, claim references, amount and bank details where held (each read audited)."""
    by_volunteer: dict[int, list[ExpenseClaim]] = {}
    for claim in batch.claims:
        by_volunteer.setdefault(claim.volunteer_id, []).append(claim)
    rows: list[list[Any]] = [
        [
            "payee",
            "email",
            "claim_references",
            "amount",
            "account_name",
            "sort_code",
            "account_number",
        ]
    ]
    for claims in by_volunteer.values():
        volunteer = claims[0].volunteer
        details = None
        if services.current_policy(batch.organisation_id).bank_payments and bank.keys_configured():
            details = bank.read(
                actor=current_user, volunteer_id=volunteer.id, purpose=f"batch {batch.reference}"
            )
        rows.append(
            [
                volunteer.name,
                volunteer.email or "",
                " ".join(c.reference for c in claims),
                _money(sum(c.decided_pence for c in claims)),
                details.account_name if details else "",
                details.sort_code if details else "",
                details.account_number if details else "",
            ]
        )
    return rows


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
    rows = _batch_rows(found)
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
        lambda: services.mark_paid(
            actor=current_user, batch=found, paid_on=paid_on, today=_today()
        ),
        done="Batch marked paid; the volunteers have been told",
        back=url_for("expenses.batch", batch_id=batch_id),
    )


# Policy ---------------------------------------------------------------------------------------


@bp.route("/policy/<int:organisation_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def policy(organisation_id: int) -> ResponseReturnValue:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not (
        sees_all_organisations(current_user)
        or organisation_id in coordinated_organisation_ids(current_user)
    ):
        abort(404)
    current = services.current_policy(organisation_id)
    form = PolicyForm()
    approver_form = ApproverForm(prefix="approver")
    supervisors = list(
        db.session.scalars(
            select(User)
            .join(Placement, Placement.supervisor_id == User.id)
            .where(Placement.organisation_id == organisation_id)
            .distinct()
        )
    )
    approver_form.user.choices = [(str(u.id), u.name) for u in supervisors]
    if request.method == "GET":
        form.types.data = list(current.types)
        form.mileage_policy.data = current.mileage_policy
        form.fixed_pence_per_mile.data = current.fixed_pence_per_mile
        form.deadline_days.data = current.deadline_days
        form.receipt_threshold.data = _money(current.receipt_threshold_pence)
        form.bank_payments.data = current.bank_payments
    elif "approver-user" in request.form:
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
        try:
            threshold = services.pounds_to_pence(form.receipt_threshold.data or "")
        except ValueError:
            form.receipt_threshold.errors = [
                *form.receipt_threshold.errors,
                "Enter the threshold in pounds, like 10.00",
            ]
        else:
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
            else:
                db.session.commit()
                flash("Expenses policy saved as a new version", "success")
                return redirect(url_for("expenses.policy", organisation_id=organisation_id))
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "expenses/policy.html",
            organisation=organisation,
            current=current,
            lines=services.describe_policy(current),
            form=form,
            approver_form=approver_form if supervisors else None,
        ),
        status,
    )


# The volunteer's statement and bank details ---------------------------------------------------


@bp.get("/statement/<int:year>.<kind>")
@role_required("volunteer")
def statement(year: int, kind: str) -> ResponseReturnValue:
    volunteer = _volunteer()
    if volunteer is None or not 1990 <= year <= 2100 or kind not in ("pdf", "csv"):
        abort(404)
    context = queries.statement(volunteer, year)
    name = f"mileage-statement-{context['tax_year']}.{kind}"
    headers = {"Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"}
    if kind == "csv":
        rows: list[list[Any]] = [
            ["date", "organisation", "claim", "type", "from", "to", "miles", "amount", "status"]
        ]
        for line in context["lines"]:
            rows.append(
                [
                    line["date"].isoformat(),
                    line["organisation"],
                    line["claim"],
                    line["type"],
                    line["from"],
                    line["to"],
                    line["miles"].replace(",", ""),
                    line["amount"],
                    "paid" if line["paid"] else "approved_not_yet_paid",
                ]
            )
        for key in ("paid", "not_yet_paid", "total", "tax_free", "taxable_profit"):
            rows.append([key, "", "", "", "", "", "", context[key], ""])
        return Response(write_csv(rows), mimetype="text/csv", headers=headers)
    from weasyprint import HTML

    html = render_template("expenses/statement_pdf.html", **context)
    pdf = bytes(HTML(string=html, base_url=str(ROOT)).write_pdf())
    return Response(pdf, mimetype="application/pdf", headers=headers)


@bp.route("/bank-details", methods=["GET", "POST"])
@role_required("volunteer")
def bank_details() -> ResponseReturnValue:
    volunteer = _volunteer()
    placements = _placements(volunteer)
    allowed = any(
        services.current_policy(oid).bank_payments
        for oid in {p.organisation_id for p in placements}
    )
    if volunteer is None or not allowed:
        abort(404)
    form = BankForm()
    remove = ActionForm(prefix="remove")
    if request.method == "POST" and "remove-submit" in request.form:
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
            else:
                db.session.commit()
                flash("Bank details saved", "success")
                return redirect(url_for("expenses.bank_details"))
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
