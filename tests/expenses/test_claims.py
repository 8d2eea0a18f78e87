"""Claims on screen: a volunteer claims, the organisation decides, batches and pays; other
organisations see nothing; nobody decides their own claim; posted extras are ignored."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from tests.expenses.conftest import TODAY, png_bytes
from tests.helpers import csrf_token_from, post_form
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage
from volunteer_hub.expenses import services
from volunteer_hub.expenses.models import ExpenseClaim, ExpenseItem, ExpensePolicy, PaymentBatch
from volunteer_hub.extensions import db


def _day(d) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def _start(client, placement) -> int:
    response = post_form(client, "/expenses", {"placement": str(placement.id)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def _add(client, claim_id, **fields):
    data = {
        "item_type": "public_transport",
        "day": _day(TODAY - timedelta(days=1)),
        "description": "Bus",
        **fields,
    }
    return post_form(
        client, f"/expenses/claims/{claim_id}/items", data, form_page=f"/expenses/claims/{claim_id}"
    )


def _upload(client, claim_id, item_id, data: bytes, name: str):
    page = client.get(f"/expenses/claims/{claim_id}").get_data(as_text=True)
    import io

    return client.post(
        f"/expenses/claims/{claim_id}/items/{item_id}/receipts",
        data={"csrf_token": csrf_token_from(page), "receipt": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _claim(claim_id) -> ExpenseClaim:
    db.session.expire_all()
    return db.session.get(ExpenseClaim, claim_id)


def _submitted_claim(login, personas, placement) -> tuple[int, list[int]]:
    volunteer = login(personas.volunteer)
    claim_id = _start(volunteer, placement)
    assert (
        _add(
            volunteer,
            claim_id,
            item_type="car_mileage",
            miles="12.5",
            start_postcode="ab1 2cd",
            end_postcode="AB3 4EF",
            description="To the depot",
        ).status_code
        == 302
    )
    assert _add(volunteer, claim_id, amount="3.40", description="Bus fare").status_code == 302
    items = [i.id for i in _claim(claim_id).items]
    bus = next(i for i in _claim(claim_id).items if i.type == "public_transport")
    assert _upload(volunteer, claim_id, bus.id, png_bytes(), "ticket.png").status_code == 302
    assert (
        post_form(
            volunteer,
            f"/expenses/claims/{claim_id}/submit",
            {},
            form_page=f"/expenses/claims/{claim_id}",
        ).status_code
        == 302
    )
    assert _claim(claim_id).status == "submitted"
    return claim_id, items


def test_a_volunteer_claims_and_the_coordinator_part_approves_batches_and_pays(
    login, personas, placement
) -> None:
    claim_id, _ = _submitted_claim(login, personas, placement)
    claim = _claim(claim_id)
    mileage = next(i for i in claim.items if i.type == "car_mileage")
    bus = next(i for i in claim.items if i.type == "public_transport")
    assert (mileage.miles_tenths, mileage.claimed_pence, mileage.start_postcode) == (
        125,
        563,
        "AB1 2CD",
    )
    assert bus.claimed_pence == 340 and isinstance(bus.claimed_pence, int)

    coordinator = login(personas.coordinator_a)
    assert claim.reference in coordinator.get("/expenses/approvals").get_data(as_text=True)
    response = post_form(
        coordinator,
        f"/expenses/claims/{claim_id}/decide",
        {
            f"decision-{mileage.id}": "approved",
            f"decision-{bus.id}": "part_approved",
            f"amount-{bus.id}": "2.00",
            f"reason-{bus.id}": "Single fare only",
        },
        form_page=f"/expenses/claims/{claim_id}",
    )
    assert response.status_code == 302
    claim = _claim(claim_id)
    assert claim.status == "part_approved" and claim.decided_pence == 763
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "expense_decided"))
    assert email is not None and email.to_address == personas.volunteer.email

    # Checked first: the claims, payees and total the batch would hold; nothing made yet.
    preview_page = f"/expenses/batches/new?organisation={personas.org_a.id}"
    preview = coordinator.get(preview_page).get_data(as_text=True)
    assert claim.reference in preview and "£7.63" in preview and "1 claim to 1 payee" in preview
    assert db.session.scalar(select(PaymentBatch.id)) is None
    response = post_form(
        coordinator,
        "/expenses/approvals",
        {"organisation": str(personas.org_a.id), "claim": str(claim_id)},
        form_page=preview_page,
    )
    assert response.status_code == 302
    batch_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    csv_body = coordinator.get(f"/expenses/batches/{batch_id}.csv").get_data(as_text=True)
    assert "payee,email,claim_references,amount" in csv_body and "7.63" in csv_body
    xlsx = coordinator.get(f"/expenses/batches/{batch_id}.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert (
        post_form(
            coordinator,
            f"/expenses/batches/{batch_id}/paid",
            {"paid_on": _day(TODAY)},
            form_page=f"/expenses/batches/{batch_id}",
        ).status_code
        == 302
    )
    claim = _claim(claim_id)
    assert claim.status == "paid" and claim.paid_on == TODAY and claim.locked
    # Paid claims are locked: no withdrawing, no deciding again.
    with pytest.raises(services.DomainError):
        services.withdraw(user=personas.volunteer, claim=claim)
    with pytest.raises(services.DomainError):
        services.decide(approver=personas.coordinator_a, claim=claim, decisions={})


def test_organisation_b_cannot_see_or_decide_a_claims_or_receipts(
    login, personas, placement
) -> None:
    claim_id, items = _submitted_claim(login, personas, placement)
    receipt_id = (
        _claim(claim_id).items[-1].receipts[0].id
        if _claim(claim_id).items[-1].receipts
        else next(r.id for i in _claim(claim_id).items for r in i.receipts)
    )
    other = login(personas.coordinator_b)
    assert other.get(f"/expenses/claims/{claim_id}").status_code == 404
    assert other.get(f"/expenses/receipts/{receipt_id}").status_code == 404
    assert _claim(claim_id).reference not in other.get("/expenses/approvals").get_data(as_text=True)
    # By URL: deciding A's claim.
    page = other.get("/expenses/approvals").get_data(as_text=True)
    token = csrf_token_from(page)
    data = {"csrf_token": token, **{f"decision-{i}": "approved" for i in items}}
    assert other.post(f"/expenses/claims/{claim_id}/decide", data=data).status_code == 404
    # By form field: batching organisation A's claims from B's form, or previewing them.
    assert other.post(
        "/expenses/approvals",
        data={"csrf_token": token, "organisation": str(personas.org_a.id), "claim": str(claim_id)},
    ).status_code in (400, 404)
    assert other.get(f"/expenses/batches/new?organisation={personas.org_a.id}").status_code == 404
    assert _claim(claim_id).status == "submitted"
    assert login(personas.stranger).get(f"/expenses/claims/{claim_id}").status_code == 404
    assert login(personas.stranger).get(f"/expenses/receipts/{receipt_id}").status_code == 404
    # The centre sees, but does not decide.
    centre = login(personas.centre)
    page = centre.get(f"/expenses/claims/{claim_id}")
    assert page.status_code == 200
    data["csrf_token"] = csrf_token_from(page.get_data(as_text=True))
    assert centre.post(f"/expenses/claims/{claim_id}/decide", data=data).status_code == 404


def test_nobody_approves_their_own_expenses(login, personas, publish) -> None:
    from tests.expenses.conftest import place

    role = publish(personas.org_a, "Coordinator's own role")
    own = place(role, personas.coordinator_a, personas.centre)
    claim = services.start_claim(user=personas.coordinator_a, placement=own)
    services.add_item(
        user=personas.coordinator_a,
        claim=claim,
        item_type="car_mileage",
        day=TODAY,
        description="Trip",
        today=TODAY,
        miles_tenths=100,
        start_postcode="AB1 2CD",
        end_postcode="AB1 3CD",
    )
    services.submit(user=personas.coordinator_a, claim=claim)
    with pytest.raises(services.DomainError, match="own expenses"):
        services.decide(
            approver=personas.coordinator_a,
            claim=claim,
            decisions={claim.items[0].id: ("approved", None, "")},
        )


def test_a_supervisor_decides_only_with_the_approver_permission(login, personas, publish) -> None:
    from tests.expenses.conftest import place
    from tests.factories import UserFactory

    supervisor = UserFactory(email="sup@example.test", roles=[])
    db.session.commit()
    role = publish(personas.org_a, "Supervised role")
    placement = place(role, personas.volunteer, supervisor)
    claim = services.start_claim(user=personas.volunteer, placement=placement)
    services.add_item(
        user=personas.volunteer,
        claim=claim,
        item_type="car_mileage",
        day=TODAY,
        description="Trip",
        today=TODAY,
        miles_tenths=100,
        start_postcode="AB1 2CD",
        end_postcode="AB1 3CD",
    )
    services.submit(user=personas.volunteer, claim=claim)
    decisions = {claim.items[0].id: ("approved", None, "")}
    with pytest.raises(services.DomainError, match="approvers"):
        services.decide(approver=supervisor, claim=claim, decisions=decisions)
    services.grant_approver(
        actor=personas.coordinator_a, organisation_id=personas.org_a.id, user=supervisor
    )
    services.decide(approver=supervisor, claim=claim, decisions=decisions)
    assert claim.status == "approved"


def test_posted_amount_paid_and_status_are_ignored(login, personas, placement) -> None:
    volunteer = login(personas.volunteer)
    claim_id = _start(volunteer, placement)
    response = _add(
        volunteer,
        claim_id,
        amount="3.40",
        amount_paid="999.00",
        approved_pence="99900",
        status="paid",
        decision="approved",
        organisation_id=str(personas.org_b.id),
    )
    assert response.status_code == 302
    claim = _claim(claim_id)
    item = claim.items[0]
    assert (claim.status, claim.organisation_id) == ("draft", personas.org_a.id)
    assert (item.claimed_pence, item.approved_pence, item.decision) == (340, None, None)
    # The volunteer cannot decide their own claim by posting decision fields either.
    response = post_form(
        volunteer,
        f"/expenses/claims/{claim_id}/decide",
        {f"decision-{item.id}": "approved"},
        form_page=f"/expenses/claims/{claim_id}",
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "NaN"}, "not a number"),
        ({"amount": "1e309"}, "too large"),
        ({"amount": "-1"}, "must not be negative"),
        ({"amount": "1000000000"}, "too large"),
        ({"amount": "6000"}, "at most £5,000"),
        ({"amount": ""}, "Enter an amount"),
        ({"amount": "abc"}, "not a number"),
        (
            {
                "item_type": "car_mileage",
                "miles": "12",
                "start_postcode": "nope",
                "end_postcode": "AB1 2CD",
            },
            "start postcode",
        ),
        ({"item_type": "car_mileage", "miles": "0"}, "more than 0"),
        ({"item_type": "car_mileage", "miles": "NaN"}, "as a number"),
        ({"item_type": "car_mileage", "miles": "1e999999999"}, "at most 2,000"),
        ({"item_type": "car_mileage", "miles": "12.25"}, "one decimal place"),
        ({"item_type": "passenger_mileage", "miles": "3"}, "Choose"),
        ({"day": _day(TODAY + timedelta(days=1)), "amount": "1"}, "future"),
    ],
)
def test_bad_amounts_and_miles_get_a_clear_error_and_write_nothing(
    login, personas, placement, fields, message
) -> None:
    volunteer = login(personas.volunteer)
    claim_id = _start(volunteer, placement)
    response = _add(volunteer, claim_id, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(ExpenseItem.id)) is None


def test_submitting_needs_receipts_above_the_threshold(login, personas, placement) -> None:
    volunteer = login(personas.volunteer)
    claim_id = _start(volunteer, placement)
    _add(volunteer, claim_id, amount="3.40")
    response = post_form(
        volunteer,
        f"/expenses/claims/{claim_id}/submit",
        {},
        form_page=f"/expenses/claims/{claim_id}",
        follow_redirects=True,
    )
    assert "Attach a receipt" in response.get_data(as_text=True)
    assert _claim(claim_id).status == "draft"
    # With a £5 threshold a £3.40 fare needs none.
    services.save_policy(
        actor=personas.coordinator_a,
        organisation_id=personas.org_a.id,
        types=["public_transport"],
        mileage_policy="hmrc",
        fixed_pence_per_mile=None,
        deadline_days=90,
        receipt_threshold_pence=500,
        bank_payments=False,
    )
    db.session.commit()
    post_form(
        volunteer,
        f"/expenses/claims/{claim_id}/submit",
        {},
        form_page=f"/expenses/claims/{claim_id}",
    )
    assert _claim(claim_id).status == "submitted"


def test_withdraw_until_decided_and_delete_a_draft_with_its_files(
    login, personas, placement, receipts_dir
) -> None:
    volunteer = login(personas.volunteer)
    claim_id = _start(volunteer, placement)
    _add(volunteer, claim_id, amount="3.40")
    item_id = _claim(claim_id).items[0].id
    assert _upload(volunteer, claim_id, item_id, png_bytes(), "t.png").status_code == 302
    assert len(receipts_dir()) == 1
    post_form(
        volunteer,
        f"/expenses/claims/{claim_id}/submit",
        {},
        form_page=f"/expenses/claims/{claim_id}",
    )
    post_form(
        volunteer,
        f"/expenses/claims/{claim_id}/withdraw",
        {},
        form_page=f"/expenses/claims/{claim_id}",
    )
    assert _claim(claim_id).status == "withdrawn"
    post_form(
        volunteer,
        f"/expenses/claims/{claim_id}/delete",
        {},
        form_page=f"/expenses/claims/{claim_id}",
    )
    assert _claim(claim_id) is None
    assert receipts_dir() == []


def test_mutating_routes_answer_get_with_405(login, personas, placement) -> None:
    volunteer = login(personas.volunteer)
    claim_id = _start(volunteer, placement)
    for path in ("submit", "withdraw", "delete", "decide", "items"):
        assert volunteer.get(f"/expenses/claims/{claim_id}/{path}").status_code == 405


def test_policy_screen_saves_a_new_version_shown_on_the_task_description(
    login, personas, publish
) -> None:
    role = publish(personas.org_a, "Policy role")
    coordinator = login(personas.coordinator_a)
    url = f"/expenses/policy/{personas.org_a.id}"
    response = post_form(
        coordinator,
        url,
        {
            "types": ["car_mileage", "parking"],
            "mileage_policy": "fixed",
            "fixed_pence_per_mile": "40",
            "deadline_days": "60",
            "receipt_threshold": "10.00",
        },
    )
    assert response.status_code == 302
    policy = db.session.scalar(select(ExpensePolicy))
    assert (policy.version, policy.fixed_pence_per_mile, policy.receipt_threshold_pence) == (
        1,
        40,
        1000,
    )
    assert "fixed 40p a mile" in login(personas.stranger).get(
        f"/opportunities/{role.slug}"
    ).get_data(as_text=True)
    assert login(personas.coordinator_b).get(url).status_code == 404
    bad = post_form(
        coordinator,
        url,
        {
            "types": ["car_mileage"],
            "mileage_policy": "fixed",
            "deadline_days": "60",
            "receipt_threshold": "0",
        },
    )
    assert bad.status_code == 400 and "whole pence a mile" in bad.get_data(as_text=True)


def test_bank_details_are_encrypted_masked_and_every_view_audited(
    login, personas, placement
) -> None:
    services.save_policy(
        actor=personas.coordinator_a,
        organisation_id=personas.org_a.id,
        types=["public_transport"],
        mileage_policy="hmrc",
        fixed_pence_per_mile=None,
        deadline_days=90,
        receipt_threshold_pence=0,
        bank_payments=True,
    )
    db.session.commit()
    volunteer = login(personas.volunteer)
    response = post_form(
        volunteer,
        "/expenses/bank-details",
        {"name": "Val Volunteer", "sort_code": "30-94-57", "account_number": "12345678"},
    )
    assert response.status_code == 302
    raw = db.session.execute(text("SELECT ciphertext FROM expenses_bank_details")).scalar_one()
    assert "12345678" not in raw and "309457" not in raw and "Val" not in raw
    page = volunteer.get("/expenses/bank-details").get_data(as_text=True)
    assert "****5678" in page and "12345678" not in page and "**-**-57" in page
    views = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "expenses.bank_details_viewed")
    ).all()
    assert len(views) == 1
    # Not available where the organisation has not turned bank payments on.
    assert login(personas.stranger).get("/expenses/bank-details").status_code == 404


def test_statement_downloads_are_the_volunteers_own(login, personas, placement) -> None:
    claim_id, _ = _submitted_claim(login, personas, placement)
    claim = _claim(claim_id)
    services.decide(
        approver=personas.coordinator_a,
        claim=claim,
        decisions={i.id: ("approved", None, "") for i in claim.items},
    )
    db.session.commit()
    volunteer = login(personas.volunteer)
    from volunteer_hub.expenses.mileage import tax_year_of

    year = tax_year_of(TODAY - timedelta(days=1))
    body = volunteer.get(f"/expenses/statement/{year}.csv")
    assert body.status_code == 200 and "attachment" in body.headers["Content-Disposition"]
    assert "12.5" in body.get_data(as_text=True) and "5.63" in body.get_data(as_text=True)
    pdf = volunteer.get(f"/expenses/statement/{year}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert re.search(
        r"attachment; filename=mileage-statement-\d{4}-\d{2}\.pdf",
        pdf.headers["Content-Disposition"],
    )
    assert login(personas.coordinator_a).get(f"/expenses/statement/{year}.csv").status_code == 403


def test_the_mileage_statement_never_calls_approved_but_unpaid_mileage_paid(
    login, personas, placement
) -> None:
    from pypdf import PdfReader

    from volunteer_hub.expenses.mileage import tax_year_of

    claim_id, _ = _submitted_claim(login, personas, placement)
    claim = _claim(claim_id)
    services.decide(
        approver=personas.coordinator_a,
        claim=claim,
        decisions={i.id: ("approved", None, "") for i in claim.items},
    )
    db.session.commit()
    volunteer = login(personas.volunteer)
    year = tax_year_of(TODAY - timedelta(days=1))

    def statement() -> tuple[str, str]:
        body = volunteer.get(f"/expenses/statement/{year}.csv").get_data(as_text=True)
        pdf = volunteer.get(f"/expenses/statement/{year}.pdf").data
        import io

        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        return body, " ".join(text.split())

    csv_body, text = statement()
    mileage_row = next(r for r in csv_body.splitlines() if "mileage" in r.lower() and "," in r)
    assert mileage_row.endswith(",approved_not_yet_paid")
    assert "paid,,,,,,,0.00," in csv_body and "not_yet_paid,,,,,,,5.63," in csv_body
    assert "Approved, not yet paid" in text and "Mileage paid £0.00" in text

    batch = services.create_batch(actor=personas.coordinator_a, organisation_id=personas.org_a.id)
    services.mark_paid(actor=personas.coordinator_a, batch=batch, paid_on=TODAY, today=TODAY)
    db.session.commit()
    csv_body, text = statement()
    assert "paid,,,,,,,5.63," in csv_body and "not_yet_paid,,,,,,,0.00," in csv_body
    assert f"Paid {TODAY:%-d %B %Y}" in text and "Approved, not yet paid" not in text


def test_passengers_are_asked_only_where_the_passenger_supplement_is_repaid(
    login, personas, placement
) -> None:
    volunteer = login(personas.volunteer)
    claim_id = _start(volunteer, placement)
    page = volunteer.get(f"/expenses/claims/{claim_id}").get_data(as_text=True)
    assert 'name="item_type"' in page and "Passengers" not in page
    services.save_policy(
        actor=personas.coordinator_a,
        organisation_id=personas.org_a.id,
        types=["car_mileage", "passenger_mileage"],
        mileage_policy="hmrc",
        fixed_pence_per_mile=None,
        deadline_days=90,
        receipt_threshold_pence=0,
        bank_payments=False,
    )
    db.session.commit()
    page = volunteer.get(f"/expenses/claims/{claim_id}").get_data(as_text=True)
    assert 'name="passengers"' in page
