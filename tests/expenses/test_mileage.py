"""HMRC mileage: the worked examples, the 10,000-mile boundary and the 5/6 April boundary."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from volunteer_hub.expenses import mileage
from volunteer_hub.expenses.mileage import HmrcRates
from volunteer_hub.extensions import db

HEADER = (
    "ref,volunteer_email,volunteer_name,organisation,date,type,miles,amount,status,paid_on,"
    "description"
)
A = "Organisation A"


def _write(tmp_path: Path, lines: list[str], name: str = "claims.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _report(runner, *args: str) -> dict:
    result = runner.invoke(args=["expenses", "mileage-report", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_tax_year_runs_6_april_to_5_april() -> None:
    assert mileage.tax_year_of(date(2025, 4, 5)) == 2024
    assert mileage.tax_year_of(date(2025, 4, 6)) == 2025
    assert mileage.tax_year_bounds(2025) == (date(2025, 4, 6), date(2026, 4, 5))
    assert mileage.tax_year_label(2025) == "2025-26"
    assert mileage.tax_year_label(2099) == "2099-00"


def test_an_item_across_the_10000_mile_boundary_is_split() -> None:
    # 9,900 miles already driven; 200 more: 100 at 45p and 100 at 25p = £70.00.
    pence = mileage.price_item(
        item_type="car_mileage",
        tenths=2000,
        passengers=0,
        mileage_policy="hmrc",
        fixed_pence_per_mile=None,
        prior_car_tenths=99_000,
        rates=HmrcRates(),
    )
    assert pence == 7000
    assert isinstance(pence, int)


def test_other_rates_and_half_up_rounding() -> None:
    rates = HmrcRates()

    def price(kind: str, tenths: int, passengers: int = 0, policy: str = "hmrc", fixed=None):
        return mileage.price_item(
            item_type=kind,
            tenths=tenths,
            passengers=passengers,
            mileage_policy=policy,
            fixed_pence_per_mile=fixed,
            prior_car_tenths=0,
            rates=rates,
        )

    assert price("motorcycle_mileage", 100) == 240
    assert price("bicycle_mileage", 100) == 200
    assert price("passenger_mileage", 100, passengers=2) == 100
    assert price("car_mileage", 1) == 5  # 0.1 mile at 45p = 4.5p → 5p
    assert price("car_mileage", 100, policy="fixed", fixed=42) == 420


def test_worked_example_16000_miles_at_42p(runner, personas, tmp_path) -> None:
    """16,000 miles at 42p: paid £6,720.00, tax-free £6,000.00, £720.00 taxable, flagged."""
    from volunteer_hub.expenses.models import ExpensePolicy

    db.session.add(
        ExpensePolicy(
            organisation_id=personas.org_a.id,
            version=1,
            types=["car_mileage"],
            mileage_policy="fixed",
            fixed_pence_per_mile=42,
            deadline_days=90,
            receipt_threshold_pence=0,
            bank_payments=False,
        )
    )
    db.session.commit()
    lines = [
        f"W{n},driver@example.test,Dee Driver,{A},2025-{5 + n // 2:02d}-{10 + n % 2:02d},"
        "car_mileage,2000,,paid,2025-12-31,Community transport"
        for n in range(8)
    ]
    result = runner.invoke(
        args=["expenses", "import", str(_write(tmp_path, lines)), "--create-missing"]
    )
    assert result.exit_code == 0, result.output
    report = _report(runner, "--tax-year", "2025")
    assert report["tax_year"] == "2025-26"
    assert (report["start"], report["end"]) == ("2025-04-06", "2026-04-05")
    row = report["volunteers"][0]
    assert row == {
        "volunteer_email": "driver@example.test",
        "car_miles": 16000,
        "motorcycle_miles": 0,
        "bicycle_miles": 0,
        "paid": "6720.00",
        "tax_free": "6000.00",
        "taxable_profit": "720.00",
        "flagged": True,
    }
    assert report["totals"]["taxable_profit"] == "720.00"


def test_worked_example_two_organisations_at_45p(runner, personas, tmp_path) -> None:
    """7,000 + 5,000 miles at two organisations, both paid 45p: £5,400.00 against a tax-free
    £5,000.00: £400.00 profit, flagged, though neither organisation alone passed 10,000.

    Organisation B pays a fixed 45p a mile (under HMRC rates its last 2,000 miles, past the
    volunteer's 10,000th, would come to 25p, and paying more than the claim is refused)."""
    from volunteer_hub.expenses.models import ExpensePolicy

    db.session.add(
        ExpensePolicy(
            organisation_id=personas.org_b.id,
            version=1,
            types=["car_mileage"],
            mileage_policy="fixed",
            fixed_pence_per_mile=45,
            deadline_days=90,
            receipt_threshold_pence=0,
            bank_payments=False,
        )
    )
    db.session.commit()
    lines = []
    for n in range(7):
        lines.append(
            f"A{n},two@example.test,Two Orgs,Organisation A,2025-06-{n + 1:02d},car_mileage,1000,"
            "450.00,approved,,Deliveries"
        )
    for n in range(5):
        lines.append(
            f"B{n},two@example.test,Two Orgs,Organisation B,2025-07-{n + 1:02d},car_mileage,1000,"
            "450.00,paid,2025-08-01,Deliveries"
        )
    result = runner.invoke(
        args=["expenses", "import", str(_write(tmp_path, lines)), "--create-missing"]
    )
    assert result.exit_code == 0, result.output
    row = _report(runner, "--tax-year", "2025")["volunteers"][0]
    assert (
        row["car_miles"],
        row["paid"],
        row["tax_free"],
        row["taxable_profit"],
        row["flagged"],
    ) == (
        12000,
        "5400.00",
        "5000.00",
        "400.00",
        True,
    )
    # Organisation A alone: the same person's figures (the band is theirs, across organisations).
    only_a = _report(runner, "--tax-year", "2025", "--organisation", "organisation a")
    assert only_a["volunteers"][0]["taxable_profit"] == "400.00"
    # CSV has the same columns and a totals row.
    result = runner.invoke(
        args=["expenses", "mileage-report", "--tax-year", "2025", "--format", "csv"]
    )
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == [
        "volunteer_email",
        "car_miles",
        "motorcycle_miles",
        "bicycle_miles",
        "paid",
        "tax_free",
        "taxable_profit",
        "flagged",
    ]
    assert rows[1][-2:] == ["400.00", "yes"] and rows[-1][0] == "TOTAL"


def test_imported_mileage_is_priced_in_date_order_across_organisations(
    runner, personas, tmp_path
) -> None:
    """Empty amounts are priced by policy: the band counts both organisations, in date order,
    whatever the order of the file; the row crossing 10,000 miles is split."""
    lines = [
        "L3,band@example.test,,Organisation B,2025-09-01,car_mileage,1000,,approved,,Late trip",
        "L1,band@example.test,,Organisation A,2025-05-01,car_mileage,2000,,approved,,Early",
        *[
            f"M{n},band@example.test,,{A},2025-06-{n + 1:02d},car_mileage,2000,,approved,,Mid"
            for n in range(4)
        ],
        "L2,band@example.test,,Organisation B,2025-08-01,car_mileage,500,,approved,,Crosses",
    ]
    assert (
        runner.invoke(
            args=["expenses", "import", str(_write(tmp_path, lines)), "--create-missing"]
        ).exit_code
        == 0
    )
    from sqlalchemy import select

    from volunteer_hub.expenses.models import ExpenseClaim

    priced = {c.ref: c.items[0].claimed_pence for c in db.session.scalars(select(ExpenseClaim))}
    assert priced["L1"] == 90000  # 2,000 at 45p
    # Each of the four June rows counts the rows before it once (2,000 … 8,000 miles before).
    assert [priced[f"M{n}"] for n in range(4)] == [90000] * 4
    # 10,000 reached after L1 + 4 × 2,000 = 10,000: L2 (500) is all at 25p, L3 too.
    assert priced["L2"] == 12500
    assert priced["L3"] == 25000
    row = _report(runner, "--tax-year", "2025")["volunteers"][0]
    assert row["taxable_profit"] == "0.00" and row["flagged"] is False


def test_the_5_april_trip_counts_in_the_earlier_tax_year(runner, personas, tmp_path) -> None:
    lines = [
        f"E1,april@example.test,,{A},2025-04-05,car_mileage,100,,paid,2025-04-30,Last day",
        f"E2,april@example.test,,{A},2025-04-06,bicycle_mileage,10,,paid,2025-04-30,First",
    ]
    assert (
        runner.invoke(
            args=["expenses", "import", str(_write(tmp_path, lines)), "--create-missing"]
        ).exit_code
        == 0
    )
    earlier = _report(runner, "--tax-year", "2024")["volunteers"][0]
    later = _report(runner, "--tax-year", "2025")["volunteers"][0]
    assert (earlier["car_miles"], earlier["bicycle_miles"], earlier["paid"]) == (100, 0, "45.00")
    assert (later["car_miles"], later["bicycle_miles"], later["paid"]) == (0, 10, "2.00")


def test_a_file_with_bad_rows_imports_nothing_and_lists_them(runner, personas, tmp_path) -> None:
    lines = [
        "G1,ok@example.test,,Organisation A,2025-05-01,public_transport,,3.40,submitted,,Bus",
        "G2,ok@example.test,,Organisation A,2025-05-01,car_mileage,,,approved,,No miles",
        "G3,ok@example.test,,Organisation A,2025-05-01,parking,,NaN,paid,,Bad amount",
        "G4,ok@example.test,,Nowhere,2025-05-01,teleport,,1.00,approved,,",
        "G1,ok@example.test,,Organisation A,2025-05-01,parking,,1.00,approved,,Dup",
    ]
    result = runner.invoke(args=["expenses", "import", str(_write(tmp_path, lines))])
    assert result.exit_code != 0
    for fragment in (
        "line 3:",
        "miles is required",
        "line 4:",
        "paid_on is required",
        "line 5:",
        "teleport",
        "line 6:",
        "also on line 2",
    ):
        assert fragment in result.output, fragment
    from sqlalchemy import func, select

    from volunteer_hub.expenses.models import ExpenseClaim

    assert db.session.scalar(select(func.count(ExpenseClaim.id))) == 0


def test_refs_imported_before_are_skipped(runner, personas, tmp_path) -> None:
    lines = [
        "R1,again@example.test,,Organisation A,2025-05-01,parking,,2.00,paid,2025-05-02,Car park"
    ]
    path = _write(tmp_path, lines)
    assert runner.invoke(args=["expenses", "import", str(path), "--create-missing"]).exit_code == 0
    result = runner.invoke(args=["expenses", "import", str(path)])
    assert (
        result.exit_code == 0
        and "Imported 0 claims" in result.output
        and "skipped 1" in result.output
    )


@pytest.mark.parametrize("year", ["1989", "abc"])
def test_the_report_refuses_a_bad_tax_year(runner, year) -> None:
    assert runner.invoke(args=["expenses", "mileage-report", "--tax-year", year]).exit_code != 0


def test_rows_of_one_file_count_once_in_the_band(runner, personas, tmp_path) -> None:
    """2,000 + 2,000 + 2,000 + 1,000 miles at A, then 2,000 + 2,000 at B (all HMRC): the fifth row
    has 7,000 before it (all 45p); the sixth crosses 10,000 halfway (1,000 at 45p, 1,000 at 25p)."""
    dates = ["2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04", "2025-06-01", "2025-06-02"]
    miles = [2000, 2000, 2000, 1000, 2000, 2000]
    orgs = [A, A, A, A, "Organisation B", "Organisation B"]
    lines = [
        f"D{n},twice@example.test,,{org},{day},car_mileage,{m},,approved,,Trip"
        for n, (day, m, org) in enumerate(zip(dates, miles, orgs, strict=True))
    ]
    result = runner.invoke(
        args=["expenses", "import", str(_write(tmp_path, lines)), "--create-missing"]
    )
    assert result.exit_code == 0, result.output
    from sqlalchemy import select

    from volunteer_hub.expenses.models import ExpenseClaim

    priced = {c.ref: c.items[0].claimed_pence for c in db.session.scalars(select(ExpenseClaim))}
    assert [priced[f"D{n}"] for n in range(6)] == [90000, 90000, 90000, 45000, 90000, 70000]
    row = _report(runner, "--tax-year", "2025")["volunteers"][0]
    # 11,000 miles: tax-free 10,000 × 45p + 1,000 × 25p = £4,750.00, paid the same.
    assert (row["paid"], row["tax_free"], row["taxable_profit"]) == ("4750.00", "4750.00", "0.00")
