"""Invented expenses: the garden's policy, claims in every state for the demo volunteer (with
generated receipt images), flagged claims for other volunteers and one paid batch."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from volunteer_hub.accounts.models import User
from volunteer_hub.core.models import utcnow
from volunteer_hub.expenses import mileage
from volunteer_hub.expenses.models import (
    DEFAULT_TYPES,
    ClaimStatus,
    ExpenseClaim,
    ExpenseItem,
    ExpensePolicy,
    PaymentBatch,
    Receipt,
)
from volunteer_hub.expenses.queries import prior_car_tenths
from volunteer_hub.expenses.services import price_mileage
from volunteer_hub.expenses.storage import PNG, receipt_storage
from volunteer_hub.extensions import db
from volunteer_hub.placements.models import Placement

MARKER = "DEMO-EXP-PAID"


def _receipt_png(text: str) -> bytes:
    """A small receipt-like picture (Pillow), so demo receipts open as real images."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 220), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, 355, 215), outline="black", width=2)
    draw.text((20, 20), "RECEIPT (invented demo data)", fill="black")
    for n, line in enumerate(text.split("\n")):
        draw.text((20, 60 + 22 * n), line, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _attach(item: ExpenseItem, data: bytes, name: str) -> None:
    import hashlib

    key = receipt_storage().save(data)
    item.receipts.append(
        Receipt(
            storage_key=key,
            original_name=name,
            content_type=PNG,
            size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
    )


def _claim(
    placement: Placement,
    status: ClaimStatus,
    ref: str,
    policy_version: int,
    *,
    decided_by: User | None = None,
) -> ExpenseClaim:
    now = utcnow()
    claim = ExpenseClaim(
        ref=ref,
        volunteer_id=placement.volunteer_id,
        organisation_id=placement.organisation_id,
        placement_id=placement.id,
        status=status.value,
        policy_version=policy_version,
        submitted_at=None if status == ClaimStatus.DRAFT else now,
        decided_at=now
        if status
        in (
            ClaimStatus.APPROVED,
            ClaimStatus.PART_APPROVED,
            ClaimStatus.REJECTED,
            ClaimStatus.PAID,
        )
        else None,
        decided_by_id=decided_by.id if decided_by else None,
    )
    db.session.add(claim)
    return claim


def _item(
    claim: ExpenseClaim,
    kind: str,
    day: date,
    description: str,
    pence: int,
    *,
    decision: str | None = None,
    approved: int | None = None,
    reason: str | None = None,
    tenths: int | None = None,
) -> ExpenseItem:
    item = ExpenseItem(
        type=kind,
        date=day,
        description=description,
        claimed_pence=pence,
        decision=decision,
        approved_pence=approved,
        decision_reason=reason,
        miles_tenths=tenths,
        start_postcode="NB1 4GD" if tenths else None,
        end_postcode="NB3 7RP" if tenths else None,
    )
    claim.items.append(item)
    return item


def _car(placement: Placement, tenths: int, day: date, policy: ExpensePolicy) -> int:
    return price_mileage(
        policy=policy,
        item_type="car_mileage",
        tenths=tenths,
        passengers=0,
        day=day,
        prior_tenths=prior_car_tenths(placement.volunteer_id, day),
    )


def seed() -> list[str]:
    if db.session.scalar(select(ExpenseClaim.id).where(ExpenseClaim.ref == MARKER)):
        return []
    demo_user = db.session.scalar(
        select(User).where(User.email == "volunteer@demo.volunteerhub.invalid")
    )
    coordinator = db.session.scalar(
        select(User).where(User.email == "garden@demo.volunteerhub.invalid")
    )
    if demo_user is None or coordinator is None:
        return []
    placement = db.session.scalar(
        select(Placement)
        .join(Placement.volunteer)
        .where(Placement.supervisor_id == coordinator.id)
        .where(Placement.volunteer.has(user_id=demo_user.id))
    )
    if placement is None:
        return []
    today = date.today()
    policy = _policy(placement, coordinator)
    gloves_png = _claims_in_every_state(placement, coordinator, policy, today)
    _paid_claim(placement, coordinator, policy, today, gloves_png)
    lines = ["Expenses: the demo volunteer has claims in every state; the garden has a paid batch."]
    lines += _flagged_claims(placement, coordinator, today)
    db.session.flush()
    return lines


def _policy(placement: Placement, coordinator: User) -> ExpensePolicy:
    """The garden's policy: the one it has, or a first version with bank payments."""
    policy = ExpensePolicy(
        organisation_id=placement.organisation_id,
        version=1,
        types=list(DEFAULT_TYPES),
        mileage_policy="hmrc",
        deadline_days=90,
        receipt_threshold_pence=1000,
        bank_payments=True,
        created_by_id=coordinator.id,
    )
    if db.session.scalar(
        select(ExpensePolicy.id).where(ExpensePolicy.organisation_id == placement.organisation_id)
    ):
        policy = db.session.scalars(
            select(ExpensePolicy)
            .where(ExpensePolicy.organisation_id == placement.organisation_id)
            .order_by(ExpensePolicy.version.desc())
        ).first()  # type: ignore[assignment]
    else:
        db.session.add(policy)
    db.session.flush()
    return policy


def _claims_in_every_state(
    placement: Placement, coordinator: User, policy: ExpensePolicy, today: date
) -> bytes:
    """The demo volunteer's claims: draft, submitted, withdrawn, rejected and part approved.
    Returns the gloves' receipt, which the paid claim reuses."""
    version = policy.version
    # Draft: a bus fare with its ticket photographed.
    draft = _claim(placement, ClaimStatus.DRAFT, "DEMO-EXP-DRAFT", version)
    bus = _item(
        draft, "public_transport", today - timedelta(days=2), "Bus to the garden and back", 340
    )
    _attach(bus, _receipt_png("Northbridge Buses\nReturn ticket\n£3.40"), "bus-ticket.png")

    # Submitted, waiting: mileage and gloves, with a receipt.
    submitted = _claim(placement, ClaimStatus.SUBMITTED, "DEMO-EXP-SUBMITTED", version)
    day = today - timedelta(days=6)
    _item(
        submitted,
        "car_mileage",
        day,
        "Compost run to the tip",
        _car(placement, 124, day, policy),
        tenths=124,
    )
    gloves = _item(submitted, "equipment", day, "Gardening gloves", 1299)
    gloves_png = _receipt_png("Greenway Garden Centre\nGloves x2\n£12.99")
    _attach(gloves, gloves_png, "gloves.png")

    # Withdrawn.
    withdrawn = _claim(placement, ClaimStatus.WITHDRAWN, "DEMO-EXP-WITHDRAWN", version)
    _item(withdrawn, "parking", today - timedelta(days=12), "Parking at the allotments", 250)

    # Rejected, and part approved.
    rejected = _claim(
        placement, ClaimStatus.REJECTED, "DEMO-EXP-REJECTED", version, decided_by=coordinator
    )
    _item(
        rejected,
        "subsistence",
        today - timedelta(days=20),
        "Lunch on a garden day",
        850,
        decision="rejected",
        approved=0,
        reason="Lunch is provided on garden days",
    )
    part = _claim(
        placement, ClaimStatus.PART_APPROVED, "DEMO-EXP-PART", version, decided_by=coordinator
    )
    seeds = _item(
        part,
        "equipment",
        today - timedelta(days=15),
        "Seed trays and labels",
        2400,
        decision="part_approved",
        approved=1800,
        reason="Labels were already in the shed",
    )
    _attach(
        seeds,
        _receipt_png("Greenway Garden Centre\nSeed trays £18.00\nLabels £6.00"),
        "seed-trays.png",
    )

    return gloves_png


def _paid_claim(
    placement: Placement, coordinator: User, policy: ExpensePolicy, today: date, receipt: bytes
) -> None:
    """An approved claim not yet paid, and a paid one in a paid batch."""
    version = policy.version
    # Approved, not yet paid.
    approved = _claim(
        placement, ClaimStatus.APPROVED, "DEMO-EXP-APPROVED", version, decided_by=coordinator
    )
    day = today - timedelta(days=10)
    pence = _car(placement, 86, day, policy)
    _item(
        approved,
        "car_mileage",
        day,
        "Collecting donated tools",
        pence,
        decision="approved",
        approved=pence,
        tenths=86,
    )
    # Paid in a paid batch (with a receipt that is reused on the submitted claim: flagged).
    paid = _claim(placement, ClaimStatus.PAID, MARKER, version, decided_by=coordinator)
    paid_day = today - timedelta(days=30)
    paid.paid_on = today - timedelta(days=14)
    tools = _item(
        paid, "equipment", paid_day, "Hand trowels", 1299, decision="approved", approved=1299
    )
    _attach(tools, receipt, "trowels.png")
    day = today - timedelta(days=28)
    pence = _car(placement, 210, day, policy)
    _item(
        paid,
        "car_mileage",
        day,
        "Plant sale deliveries",
        pence,
        decision="approved",
        approved=pence,
        tenths=210,
    )
    db.session.flush()
    batch = PaymentBatch(
        organisation_id=placement.organisation_id,
        created_by_id=coordinator.id,
        paid_on=paid.paid_on,
        paid_by_id=coordinator.id,
    )
    db.session.add(batch)
    db.session.flush()
    paid.batch_id = batch.id


def _flagged_claims(placement: Placement, coordinator: User, today: date) -> list[str]:
    lines: list[str] = []
    # Other volunteers: a flat-rate pattern and a late item; mileage above the tax-free amount.
    others = list(
        db.session.scalars(
            select(Placement)
            .where(Placement.volunteer_id != placement.volunteer_id)
            .order_by(Placement.id)
            .limit(2)
        )
    )
    if others:
        other = others[0]
        lines.append("Expenses: a claim that looks like a flat rate, with a late item.")
        flat = _claim(other, ClaimStatus.SUBMITTED, "DEMO-EXP-FLAT", 0)
        monday = today - timedelta(days=today.weekday())
        for week in range(1, 5):
            _item(flat, "subsistence", monday - timedelta(weeks=week), "Lunch allowance", 500)
        _item(
            flat, "public_transport", today - timedelta(days=120), "Train to a training day", 1260
        )
    if others:
        driver = others[-1]
        year = mileage.tax_year_of(today)
        start, _ = mileage.tax_year_bounds(year)
        heavy = _claim(driver, ClaimStatus.APPROVED, "DEMO-EXP-MILES", 0, decided_by=coordinator)
        # 10,500 miles paid at 45p: £4,725.00 against a tax-free £4,625.00.
        per_trip = 17_500
        for n in range(6):
            trip_day = min(today, start + timedelta(days=n))
            _item(
                heavy,
                "car_mileage",
                trip_day,
                f"Community transport round {n + 1}",
                per_trip * 45 // 10,
                decision="approved",
                approved=per_trip * 45 // 10,
                tenths=per_trip,
            )
        lines.append("Expenses: 10,500 car miles paid at 45p: taxable mileage, flagged.")
    return lines
