"""Receipts (content-typed, size-limited, stored safely, served only to the claim's people),
flags, and paid claims in the value report's investment without double counting."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.expenses.conftest import TODAY, png_bytes
from tests.expenses.test_claims import _add, _claim, _start, _upload
from volunteer_hub.core.errors import DomainError
from volunteer_hub.expenses import services
from volunteer_hub.expenses.flags import claim_flags, claims_flags
from volunteer_hub.expenses.models import ClaimStatus, ExpenseClaim, ExpenseItem, Receipt
from volunteer_hub.extensions import db
from volunteer_hub.investment.services import add_entry

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32


@pytest.fixture
def draft(login, personas, placement):
    volunteer = login(personas.volunteer)
    claim_id = _start(volunteer, placement)
    _add(volunteer, claim_id, amount="3.40")
    return volunteer, claim_id, _claim(claim_id).items[0].id


def _receipts() -> int:
    return db.session.scalar(select(func.count(Receipt.id)))


@pytest.mark.parametrize(
    ("data", "name", "kind", "shown"),
    [
        (png_bytes(), "ticket.pdf", "image/png", "ticket.png"),
        (JPEG, "photo.jpeg", "image/jpeg", "photo.jpg"),
        (PDF, "../../etc/passwd.pdf", "application/pdf", "passwd.pdf"),
        (HEIC, "IMG_0001.HEIC", "image/heic", "IMG_0001.heic"),
        (png_bytes(), "收据 été.png", "image/png", "收据 été.png"),
    ],
)
def test_accepted_types_are_decided_by_content(
    draft, receipts_dir, data, name, kind, shown
) -> None:
    volunteer, claim_id, item_id = draft
    assert _upload(volunteer, claim_id, item_id, data, name).status_code == 302
    receipt = db.session.scalar(select(Receipt))
    assert (receipt.content_type, receipt.original_name) == (kind, shown)
    stored = receipts_dir()
    assert len(stored) == 1 and stored[0].name == receipt.storage_key
    assert "static" not in str(stored[0]) and name.split("/")[-1] not in str(stored[0])
    response = volunteer.get(f"/expenses/receipts/{receipt.id}")
    assert response.status_code == 200 and response.data == data
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    disposition.encode("latin-1")  # any server can send it (non-Latin names go in filename*)
    assert "filename*=UTF-8''" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == kind


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "receipt.jpg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "r.png"),
        (b"GIF89a" + b"\x00" * 20, "r.gif"),
        (b"", "empty.pdf"),
    ],
)
def test_html_svg_other_and_empty_files_are_refused(draft, receipts_dir, data, name) -> None:
    volunteer, claim_id, item_id = draft
    response = _upload(volunteer, claim_id, item_id, data, name)
    assert response.status_code == 302
    page = volunteer.get(f"/expenses/claims/{claim_id}").get_data(as_text=True)
    assert "PDF, JPEG, PNG or HEIC" in page or "empty" in page
    assert _receipts() == 0 and receipts_dir() == []


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    from tests.expenses.conftest import KEY

    return {
        "RECEIPT_FOLDER": str(tmp_path / "receipts"),
        "BANK_DETAILS_KEYS": KEY,
        "RECEIPT_MAX_BYTES": 4096,
    }


def test_an_oversized_file_is_answered_413_with_nothing_stored(draft, receipts_dir) -> None:
    volunteer, claim_id, item_id = draft
    big = png_bytes() + b"\x00" * 5000
    assert _upload(volunteer, claim_id, item_id, big, "big.png").status_code == 413
    huge = png_bytes() + b"\x00" * (11 * 1024 * 1024)  # over the request limit too
    assert _upload(volunteer, claim_id, item_id, huge, "huge.png").status_code == 413
    assert _receipts() == 0 and receipts_dir() == []


class FullDisk:
    def save(self, data: bytes) -> str:
        raise OSError(28, "No space left on device")

    def read(self, key: str) -> bytes:  # pragma: no cover
        raise FileNotFoundError(key)

    def delete(self, key: str) -> None:  # pragma: no cover
        pass


def test_a_failed_write_leaves_no_item_pointing_at_a_missing_file(app, draft) -> None:
    volunteer, claim_id, item_id = draft
    app.extensions["receipt_storage"] = FullDisk()
    response = _upload(volunteer, claim_id, item_id, png_bytes(), "t.png")
    assert response.status_code == 302
    assert "could not be saved" in volunteer.get(f"/expenses/claims/{claim_id}").get_data(
        as_text=True
    )
    assert _receipts() == 0
    assert db.session.get(ExpenseItem, item_id) is not None


def test_receipts_are_served_only_to_people_who_may_see_the_claim(login, personas, draft) -> None:
    volunteer, claim_id, item_id = draft
    _upload(volunteer, claim_id, item_id, png_bytes(), "t.png")
    receipt_id = db.session.scalar(select(Receipt.id))
    assert login(personas.coordinator_a).get(f"/expenses/receipts/{receipt_id}").status_code == 200
    for other in (personas.coordinator_b, personas.stranger, personas.partner):
        assert login(other).get(f"/expenses/receipts/{receipt_id}").status_code in (403, 404)


# Flags --------------------------------------------------------------------------------------


def _submitted(personas, placement, items) -> ExpenseClaim:
    claim = services.start_claim(user=personas.volunteer, placement=placement)
    for kind, day, pence in items:
        claim.items.append(
            ExpenseItem(type=kind, date=day, description=f"{kind} {day}", claimed_pence=pence)
        )
    claim.status = ClaimStatus.SUBMITTED.value
    claim.submitted_at = services.utcnow()
    db.session.flush()
    return claim


def _same_receipt(claims, sha256: str) -> None:
    """One receipt file (the same SHA-256) on the first item of each of ``claims``."""
    for claim in claims:
        claim.items[0].receipts.append(
            Receipt(
                storage_key=f"{claim.id:032x}",
                original_name="same.png",
                content_type="image/png",
                size_bytes=10,
                sha256=sha256,
            )
        )
    db.session.flush()


def _keys(claim) -> set[str]:
    return {f.key for f in claim_flags(claim)}


def test_a_list_gets_the_same_flags_as_each_claim_alone(personas, placement) -> None:
    """The approvals page works out a list's flags together (expenses/flags.py): the same
    flags, for flat rates spread over several claims and a receipt shared within the list."""
    monday = TODAY - timedelta(days=TODAY.weekday())
    weekly = [
        _submitted(personas, placement, [("subsistence", monday - timedelta(weeks=w), 500)])
        for w in range(1, 5)
    ]
    other_amount = _submitted(personas, placement, [("subsistence", monday, 450)])
    empty = _submitted(personas, placement, [])
    shared = [_submitted(personas, placement, [("parking", TODAY, 300)]) for _ in range(2)]
    _same_receipt(shared, "b" * 64)
    claims = [*weekly, other_amount, empty, *shared]
    alone = [claim_flags(claim) for claim in claims]
    assert claims_flags(claims) == alone
    assert claims_flags(claims[::-1]) == alone[::-1]
    keys = [{f.key for f in flags} for flags in alone]
    assert all("flat_rate" in k for k in keys[:4])  # four weeks in a row, one claim each
    assert "flat_rate" not in keys[4] and keys[5] == set()
    assert all("duplicate_receipt" in k for k in keys[6:])
    assert f"also on claim {shared[1].reference}" in alone[6][0].message


def test_every_flag(personas, placement) -> None:
    monday = TODAY - timedelta(days=TODAY.weekday())
    flat = _submitted(
        personas,
        placement,
        [("subsistence", monday - timedelta(weeks=w), 500) for w in range(1, 5)],
    )
    assert {"flat_rate", "no_receipt"} <= _keys(flat)
    three = _submitted(
        personas,
        placement,
        [("parking", monday - timedelta(weeks=w), 300) for w in range(1, 4)],
    )
    assert "flat_rate" not in _keys(three)
    late = _submitted(personas, placement, [("parking", TODAY - timedelta(days=91), 300)])
    assert "late" in _keys(late)
    on_time = _submitted(personas, placement, [("parking", TODAY - timedelta(days=90), 300)])
    assert "late" not in _keys(on_time)
    more = _submitted(personas, placement, [("parking", TODAY, 300)])
    more.items[0].decision, more.items[0].approved_pence = "part_approved", 400
    more.status = ClaimStatus.PART_APPROVED.value
    assert "paid_more" in _keys(more)
    first = _submitted(personas, placement, [("parking", TODAY, 300)])
    second = _submitted(personas, placement, [("parking", TODAY, 300)])
    _same_receipt((first, second), "a" * 64)
    assert "duplicate_receipt" in _keys(first) and "duplicate_receipt" in _keys(second)
    assert "no_receipt" not in _keys(first)
    # 10,100 miles paid at 45p: £4,545.00 against a tax-free £4,525.00: £20.00 taxable.
    miles = services.start_claim(user=personas.volunteer, placement=placement)
    for n in range(6):
        tenths = 16_000 if n < 5 else 21_000
        miles.items.append(
            ExpenseItem(
                type="car_mileage",
                date=TODAY,
                description=f"trip {n}",
                miles_tenths=tenths,
                claimed_pence=tenths * 45 // 10,
            )
        )
    miles.status = ClaimStatus.SUBMITTED.value
    db.session.flush()
    flags = [f for f in claim_flags(miles) if f.key == "over_tax_free"]
    assert flags and "£20.00 taxable" in flags[0].message


# Investment ---------------------------------------------------------------------------------


def _paid_claim(personas, placement, day, pence) -> ExpenseClaim:
    claim = _submitted(personas, placement, [("parking", day, pence)])
    claim.items[0].decision, claim.items[0].approved_pence = "approved", pence
    claim.status, claim.paid_on = ClaimStatus.PAID.value, day
    db.session.commit()
    return claim


def test_paid_claims_feed_the_value_report_by_item_date(personas, placement) -> None:
    from volunteer_hub.rates.services import ensure_default_rates
    from volunteer_hub.reports.value import build_value_report

    ensure_default_rates()
    _paid_claim(personas, placement, TODAY - timedelta(days=3), 1234)
    approved = _submitted(personas, placement, [("parking", TODAY - timedelta(days=3), 999)])
    approved.items[0].decision, approved.items[0].approved_pence = "approved", 999
    approved.status = ClaimStatus.APPROVED.value
    db.session.commit()
    report = build_value_report(start=TODAY - timedelta(days=10), end=TODAY)
    assert report["investment"]["by_category"]["expenses_reimbursed"] == "12.34"
    before = build_value_report(start=TODAY - timedelta(days=40), end=TODAY - timedelta(days=11))
    assert before["investment"]["by_category"]["expenses_reimbursed"] == "0.00"


def test_entering_reimbursed_expenses_by_hand_for_a_period_with_paid_claims_is_refused(
    login, personas, placement, cli
) -> None:
    _paid_claim(personas, placement, TODAY - timedelta(days=3), 1234)
    with pytest.raises(DomainError, match="count them twice"):
        add_entry(
            organisation_id=personas.org_a.id,
            period_start=TODAY - timedelta(days=30),
            period_end=TODAY,
            category="expenses_reimbursed",
            amount_pence=100,
            entered_by=None,
        )
    db.session.rollback()
    # Another organisation, another period or another category is fine.
    add_entry(
        organisation_id=personas.org_b.id,
        period_start=TODAY - timedelta(days=30),
        period_end=TODAY,
        category="expenses_reimbursed",
        amount_pence=100,
        entered_by=None,
    )
    add_entry(
        organisation_id=personas.org_a.id,
        period_start=TODAY - timedelta(days=30),
        period_end=TODAY,
        category="training",
        amount_pence=100,
        entered_by=None,
    )
    db.session.commit()
    # The screen says why.
    from tests.helpers import post_form

    page = post_form(
        login(personas.coordinator_a),
        "/investment",
        {
            "organisation": str(personas.org_a.id),
            "category": "expenses_reimbursed",
            "period_start": (TODAY - timedelta(days=30)).isoformat(),
            "period_end": TODAY.isoformat(),
            "amount": "1.00",
        },
    )
    assert page.status_code == 400 and "count them twice" in page.get_data(as_text=True)
    # And `flask investment import` lists the row.
    result = cli(
        "investment",
        [
            [
                "Organisation A",
                (TODAY - timedelta(days=5)).isoformat(),
                TODAY.isoformat(),
                "expenses_reimbursed",
                "5.00",
            ]
        ],
        expect_ok=False,
    )
    assert result.exit_code != 0 and "line 2" in result.output and "twice" in result.output


def test_money_columns_are_integers(personas, placement) -> None:
    claim = _paid_claim(personas, placement, TODAY, 1234)
    db.session.expire_all()
    item = db.session.scalar(select(ExpenseItem).where(ExpenseItem.claim_id == claim.id))
    assert type(item.claimed_pence) is int and type(item.approved_pence) is int
    assert db.session.scalar(select(func.sum(ExpenseItem.approved_pence))) == 1234
