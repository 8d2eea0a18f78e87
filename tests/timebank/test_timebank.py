"""Time bank journeys and rules: joining and approval, offers and contact sharing, exchanges
recorded and confirmed, the pot, statements, who may see and do what, the CLI contract and the
value report's section."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from sqlalchemy import func, select, text

from tests.factories import UserFactory
from tests.helpers import post_form
from tests.timebank.conftest import make_bank, member
from volunteer_hub.accounts.models import User
from volunteer_hub.extensions import db
from volunteer_hub.timebank import queries, services
from volunteer_hub.timebank.models import Account, Entry, Exchange, Listing, Match, Transfer

TODAY = date.today()


def _d(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _key(page_html: str) -> str:
    return re.search(r'name="key" type="hidden" value="([0-9a-f]+)"', page_html).group(1)


def _keyed(client, url: str, data: dict):
    """Post a form that carries an idempotency key, as the browser would."""
    page = client.get(url).get_data(as_text=True)
    return post_form(client, url, {**data, "key": _key(page)})


def test_join_approve_and_only_approved_members_exchange(personas, login, bank) -> None:
    newcomer = UserFactory(email="new@example.test", name="New Member")
    db.session.commit()
    client = login(newcomer)
    url = f"/timebanks/{bank.timebank.id}/join"
    refused = post_form(client, url, {"area": "SE15 4AB"})
    assert refused.status_code == 400 and "accept the time bank" in refused.get_data(as_text=True)
    assert post_form(client, url, {"area": "SE15 4AB", "accept": "y"}).status_code == 302
    account = queries.account_of(newcomer, bank.timebank)
    assert account.status == "pending" and account.area == "SE15"  # never the full postcode
    # Pending: cannot record an exchange.
    record = f"/timebanks/{bank.timebank.id}/exchanges/new"
    page = client.get(record).get_data(as_text=True)
    pending = client.post(
        record,
        data={
            "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(
                1
            ),
            "key": _key(page),
            "direction": "gave",
            "member": str(bank.ann.id),
            "done_on": _d(TODAY),
            "hours": "1",
            "description": "Shopping",
        },
    )
    assert pending.status_code == 400 and "waiting for the coordinator" in pending.get_data(
        as_text=True
    )

    coordinator = login(personas.coordinator_a)
    member_url = f"/timebanks/{bank.timebank.id}/members/{account.id}"
    no_refs = post_form(coordinator, member_url, {"interviewed_on": _d(TODAY)})
    assert no_refs.status_code == 400 and "references" in no_refs.get_data(as_text=True)
    approved = post_form(
        coordinator, member_url, {"interviewed_on": _d(TODAY), "references_ok": "y"}
    )
    assert approved.status_code == 302
    db.session.refresh(account)
    assert account.status == "approved" and account.approved_by_id == personas.coordinator_a.id

    # Suspended members cannot exchange.
    post_form(
        coordinator,
        f"/timebanks/{bank.timebank.id}/members/{account.id}/suspend",
        {"suspend": "1"},
        form_page=member_url,
    )
    db.session.refresh(account)
    assert account.status == "suspended"
    page = client.get(record).get_data(as_text=True)
    suspended = client.post(
        record,
        data={
            "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(
                1
            ),
            "key": _key(page),
            "direction": "gave",
            "member": str(bank.ann.id),
            "done_on": _d(TODAY),
            "hours": "1",
            "description": "Shopping",
        },
    )
    assert suspended.status_code == 400 and "suspended" in suspended.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Exchange.id))) == 0


def test_dbs_required_before_approval(personas, login, bank) -> None:
    bank.timebank.requires_dbs = True
    pending = member(bank.timebank, UserFactory(email="dbs@example.test"), status="pending")
    db.session.commit()
    response = post_form(
        login(personas.coordinator_a),
        f"/timebanks/{bank.timebank.id}/members/{pending.id}",
        {"interviewed_on": _d(TODAY), "references_ok": "y"},
    )
    assert response.status_code == 400 and "DBS" in response.get_data(as_text=True)


def test_offer_respond_agree_shares_contacts_only_then(personas, login, bank) -> None:
    ann = login(personas.volunteer)
    posted = post_form(
        ann,
        f"/timebanks/{bank.timebank.id}/listings/new",
        {
            "kind": "offer",
            "category": "shopping",
            "title": "Help with shopping",
            "area": "SE15",
            "availability": "Tuesdays",
        },
    )
    assert posted.status_code == 302
    listing = db.session.scalar(select(Listing))
    address = post_form(
        ann,
        f"/timebanks/{bank.timebank.id}/listings/new",
        {"kind": "offer", "category": "shopping", "title": "x", "area": "12 High Street"},
    )
    assert address.status_code == 400 and "never an address" in address.get_data(as_text=True)

    bob = login(
        UserFactory._meta.sqlalchemy_session.get(type(personas.volunteer), bank.bob.user_id)
    )
    found = bob.get(f"/timebanks/{bank.timebank.id}/listings?q=shopping&area=se15")
    assert "Help with shopping" in found.get_data(as_text=True)
    url = f"/listings/{listing.id}"
    assert (
        post_form(bob, f"{url}/respond", {"message": "I need this"}, form_page=url).status_code
        == 302
    )
    # Not agreed yet: neither sees the other's email.
    assert "bob@example.test" not in ann.get(url).get_data(as_text=True)
    assert personas.volunteer.email not in bob.get(url).get_data(as_text=True)
    match = db.session.scalar(select(Match))
    assert post_form(ann, f"/matches/{match.id}/agree", {}, form_page=url).status_code == 302
    assert "bob@example.test" in ann.get(url).get_data(as_text=True)
    assert personas.volunteer.email in bob.get(url).get_data(as_text=True)
    # A member of another time bank cannot see the listing.
    assert login(personas.stranger).get(url).status_code == 404


def test_exchange_recorded_confirmed_and_in_both_statements(personas, login, bank) -> None:
    ann = login(personas.volunteer)
    record = f"/timebanks/{bank.timebank.id}/exchanges/new"
    page = ann.get(record).get_data(as_text=True)
    data = {
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1),
        "key": _key(page),
        "direction": "gave",
        "member": str(bank.bob.id),
        "done_on": _d(TODAY - timedelta(days=1)),
        "hours": "1.75",
        "description": "Lift to the surgery",
    }
    bad = ann.post(record, data={**data, "hours": "1.3"})
    assert bad.status_code == 400 and "quarter of an hour" in bad.get_data(as_text=True)
    assert ann.post(record, data=data).status_code == 302
    assert ann.post(record, data=data).status_code == 302  # the same form again: recorded once
    assert db.session.scalar(select(func.count(Exchange.id))) == 1
    exchange = db.session.scalar(select(Exchange))
    assert exchange.status == "pending" and db.session.scalar(select(func.count(Entry.id))) == 0
    # Ann cannot confirm her own; Bob can.
    home = f"/timebanks/{bank.timebank.id}"
    self_confirm = post_form(
        ann, f"/exchanges/{exchange.id}/confirm", {}, form_page=home, follow_redirects=True
    )
    assert "Only the other member" in self_confirm.get_data(as_text=True)
    bob_user = db.session.get(User, bank.bob.user_id)
    bob = login(bob_user)
    assert (
        post_form(bob, f"/exchanges/{exchange.id}/confirm", {}, form_page=home).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(Account, bank.ann.id).balance_minutes == 105
    assert db.session.get(Account, bank.bob.id).balance_minutes == -105
    for client, account, sign in ((ann, bank.ann, "+1.75"), (bob, bank.bob, "-1.75")):
        page = client.get(f"/timebanks/{bank.timebank.id}/accounts/{account.id}/statement")
        assert "Lift to the surgery" in page.get_data(as_text=True) and sign in page.get_data(
            as_text=True
        )
        rows = list(
            csv.reader(
                io.StringIO(
                    client.get(
                        f"/timebanks/{bank.timebank.id}/accounts/{account.id}/statement.csv"
                    ).get_data(as_text=True)
                )
            )
        )
        assert rows[0] == ["date", "what", "with", "hours", "balance"]
        assert rows[1][3] == sign.lstrip("+") and rows[1][4] == sign.lstrip("+")
        pdf = client.get(f"/timebanks/{bank.timebank.id}/accounts/{account.id}/statement.pdf")
        assert pdf.data.startswith(b"%PDF")
    # A member cannot see another's statement.
    assert (
        ann.get(f"/timebanks/{bank.timebank.id}/accounts/{bank.bob.id}/statement").status_code
        == 404
    )
    assert (
        ann.get(f"/timebanks/{bank.timebank.id}/accounts/{bank.bob.id}/statement.csv").status_code
        == 404
    )


def test_a_coordinator_of_one_time_bank_cannot_act_in_another(personas, login, bank) -> None:
    other = make_bank("Hillside Time Bank", personas.coordinator_b, {})
    db.session.commit()
    b = login(personas.coordinator_b)
    tb = bank.timebank.id
    for url in (
        f"/timebanks/{tb}/coordinate",
        f"/timebanks/{tb}/members/{bank.ann.id}",
        f"/timebanks/{tb}/pot/grant",
        f"/timebanks/{tb}/exchanges/both",
        f"/timebanks/{tb}/accounts/{bank.ann.id}/statement",
    ):
        assert b.get(url).status_code == 404, url
    assert b.get(f"/timebanks/{other.id}/coordinate").status_code == 200
    # By form field: an account of the first time bank posted to the second's form.
    page = b.get(f"/timebanks/{other.id}/exchanges/both").get_data(as_text=True)
    response = b.post(
        f"/timebanks/{other.id}/exchanges/both",
        data={
            "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(
                1
            ),
            "key": _key(page),
            "giver": str(bank.ann.id),
            "receiver": str(bank.bob.id),
            "done_on": _d(TODAY),
            "hours": "1",
            "description": "Not theirs",
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Exchange.id))) == 0


def test_pot_donation_grant_and_reversal_screens(personas, login, bank) -> None:
    services.record_for_both(
        actor=personas.coordinator_a,
        timebank=bank.timebank,
        giver=bank.ann,
        receiver=bank.bob,
        done_on=TODAY,
        minutes=180,
        description="Gardening",
        key="seed",
        today=TODAY,
    )
    db.session.commit()
    ann = login(personas.volunteer)
    donate = f"/timebanks/{bank.timebank.id}/pot/donate"
    page = ann.get(donate).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "key": _key(page), "hours": "2"}
    assert ann.post(donate, data=form).status_code == 302
    assert ann.post(donate, data=form).status_code == 302  # twice: one donation
    db.session.expire_all()
    assert db.session.get(Account, bank.pot.id).balance_minutes == 120
    coordinator = login(personas.coordinator_a)
    grant = f"/timebanks/{bank.timebank.id}/pot/grant"
    too_much = _keyed(
        coordinator, grant, {"member": str(bank.bob.id), "hours": "3", "reason": "After surgery"}
    )
    assert too_much.status_code == 400 and "below" in too_much.get_data(as_text=True)
    assert (
        _keyed(
            coordinator,
            grant,
            {"member": str(bank.bob.id), "hours": "1.5", "reason": "After surgery"},
        ).status_code
        == 302
    )
    transfer = db.session.scalar(select(Transfer).where(Transfer.kind == "grant"))
    member_page = f"/timebanks/{bank.timebank.id}/members/{bank.bob.id}"
    reversed_ = post_form(
        coordinator,
        f"/transfers/{transfer.id}/reverse",
        {"reason": "Granted to the wrong member", "back": member_page},
        form_page=member_page,
    )
    assert reversed_.status_code == 302
    db.session.expire_all()
    assert db.session.get(Account, bank.pot.id).balance_minutes == 120
    assert db.session.get(Account, bank.bob.id).balance_minutes == -180
    reversal = db.session.scalar(select(Transfer).where(Transfer.kind == "reversal"))
    assert reversal.reverses_id == transfer.id and reversal.reason == "Granted to the wrong member"


def _write(tmp_path, rows: list[str], name: str = "exchanges.csv"):
    path = tmp_path / name
    path.write_text(
        "ref,date,giver_email,receiver_email,hours,description\n" + "\n".join(rows) + "\n"
    )
    return path


def test_import_lists_every_bad_row_and_imports_nothing(runner, tmp_path, bank) -> None:
    bank.timebank.min_balance_minutes = -120
    member(bank.timebank, name="Suspended", email="sus@example.test", status="suspended")
    db.session.commit()
    ann, bob = "volunteer@example.test", "bob@example.test"
    rows = [
        f"r1,{TODAY - timedelta(days=9)},{ann},{bob},1.5,Shopping",  # good
        f"r2,{TODAY - timedelta(days=8)},nobody@example.test,{bob},1,Unknown giver",
        f"r3,{TODAY - timedelta(days=8)},{ann},{ann},1,Same member",
        f"r4,{TODAY - timedelta(days=8)},{ann},{bob},1.1,Not a quarter",
        f"r5,{TODAY - timedelta(days=8)},{ann},{bob},25,Too long",
        f"r6,31/01/2026,{ann},{bob},1,Bad date",
        f"r7,{TODAY - timedelta(days=7)},{ann},{bob},1,Breaches: Bob at -2.50",
        f"r8,{TODAY - timedelta(days=7)},{ann},sus@example.test,1,Suspended receiver",
        f"r1,{TODAY - timedelta(days=7)},{bob},{ann},1,Repeated ref",
        f"r10,{TODAY - timedelta(days=7)},{ann},{bob},0,Zero",
    ]
    result = runner.invoke(args=["timebank", "import", str(_write(tmp_path, rows))])
    assert result.exit_code != 0
    out = result.output
    for line, reason in (
        (3, "giver_email nobody@example.test is not a member"),
        (4, "the giver and the receiver are the same member"),
        (5, "must be a positive multiple of 0.25"),
        (6, "must be a positive multiple of 0.25"),
        (7, "is not a date"),
        (8, "below the minimum of -2 hours"),
        (9, "is suspended, not approved"),
        (10, "ref 'r1' is also on line 2"),
        (11, "must be a positive multiple of 0.25"),
    ):
        assert f"line {line}: " in out and reason in out, (line, reason, out)
    assert "line 2:" not in out
    assert db.session.scalar(select(func.count(Entry.id))) == 0


def test_import_applies_in_date_order_skips_known_refs_and_creates_missing(
    runner, tmp_path, bank
) -> None:
    ann, bob = "volunteer@example.test", "bob@example.test"
    # In file order Bob would spend first and go to −10.50; in date order he earns first.
    rows = [
        f"a2,{TODAY - timedelta(days=1)},{ann},{bob},10.5,Painting",
        f"a1,{TODAY - timedelta(days=5)},{bob},{ann},1,Lift",
        f"a3,{TODAY - timedelta(days=2)},new.person@example.test,{ann},2,Cooking",
    ]
    path = _write(tmp_path, rows)
    refused = runner.invoke(args=["timebank", "import", str(path)])
    assert refused.exit_code != 0 and "not a member" in refused.output
    first = runner.invoke(args=["timebank", "import", str(path), "--create-missing"])
    assert first.exit_code == 0, first.output
    assert (
        "Imported 3 exchanges (13.5 hours)" in first.output and "created 1 member" in first.output
    )
    again = runner.invoke(args=["timebank", "import", str(path)])
    assert (
        again.exit_code == 0
        and "Imported 0 exchanges" in again.output
        and "skipped 3" in again.output
    )
    balances = json.loads(
        runner.invoke(args=["timebank", "balances", "--timebank", "Riverside Time Bank"]).output
    )
    assert {"member": bob, "balance": "-9.50"} in balances
    assert {"member": ann, "balance": "7.50"} in balances  # +10.50 − 1.00 − 2.00
    assert {"member": "new.person@example.test", "balance": "2.00"} in balances
    assert {"member": "Riverside Time Bank community pot", "balance": "0.00"} in balances
    as_csv = runner.invoke(args=["timebank", "balances", "--format", "csv"]).output.splitlines()
    assert as_csv[0] == "member,balance" and f"{bob},-9.50" in as_csv


def test_import_into_a_new_time_bank_needs_create_missing(runner, tmp_path, bank) -> None:
    rows = [f"n1,{TODAY - timedelta(days=1)},x@example.test,y@example.test,1,Help"]
    path = _write(tmp_path, rows)
    several = make_bank("Second Time Bank", bank.ann.user, {})
    db.session.commit()
    assert several is not None
    ambiguous = runner.invoke(args=["timebank", "import", str(path), "--create-missing"])
    assert ambiguous.exit_code != 0 and "more than one time bank" in ambiguous.output
    unknown = runner.invoke(args=["timebank", "import", str(path), "--timebank", "Brand New"])
    assert unknown.exit_code != 0 and "no time bank called 'Brand New'" in unknown.output
    made = runner.invoke(
        args=["timebank", "import", str(path), "--timebank", "Brand New", "--create-missing"]
    )
    assert made.exit_code == 0 and "and the time bank" in made.output


def test_check_passes_and_names_each_discrepancy(runner, personas, bank) -> None:
    services.record_for_both(
        actor=personas.coordinator_a,
        timebank=bank.timebank,
        giver=bank.ann,
        receiver=bank.bob,
        done_on=TODAY,
        minutes=75,
        description="Help",
        key="c1",
        today=TODAY,
    )
    db.session.commit()
    ok = runner.invoke(args=["timebank", "check"])
    assert (
        ok.exit_code == 0
        and ok.output.strip().splitlines()[-1] == "ledger balanced: 2 entries, total 0.00"
    )
    # Someone with database access changes a stored balance: the check names it.
    db.session.execute(
        text("UPDATE timebank_account SET balance_minutes = 999 WHERE id = :id"),
        {"id": bank.ann.id},
    )
    db.session.commit()
    bad = runner.invoke(args=["timebank", "check"])
    assert bad.exit_code == 1
    assert f"account {bank.ann.id} (Test" in bad.output or f"account {bank.ann.id} (" in bad.output
    assert "stored balance 16.65 but its entries sum to 1.25" in bad.output


def test_value_report_timebank_section(cli, default_rates, personas, bank) -> None:
    from datetime import UTC, datetime

    for account in (bank.ann, bank.bob, bank.cat):
        account.approved_at = datetime(2025, 1, 6, tzinfo=UTC)
    late = member(bank.timebank, name="Joined later", email="later@example.test")
    late.approved_at = datetime(2026, 5, 1, tzinfo=UTC)  # after the period: not counted
    for n, (giver, receiver, minutes, day) in enumerate(
        [
            (bank.ann, bank.bob, 90, date(2025, 5, 1)),
            (bank.bob, bank.cat, 60, date(2025, 6, 1)),
            (bank.ann, bank.cat, 30, date(2024, 6, 1)),  # before the period
        ]
    ):
        services.record_for_both(
            actor=personas.coordinator_a,
            timebank=bank.timebank,
            giver=giver,
            receiver=receiver,
            done_on=day,
            minutes=minutes,
            description="Help",
            key=f"v{n}",
            today=day,
        )
    reversed_one = services.record_for_both(
        actor=personas.coordinator_a,
        timebank=bank.timebank,
        giver=bank.cat,
        receiver=bank.ann,
        done_on=date(2025, 7, 1),
        minutes=600,
        description="Mistake",
        key="v9",
        today=date(2025, 7, 1),
    )
    services.reverse(
        actor=personas.coordinator_a,
        transfer=db.session.get(Transfer, reversed_one.transfer_id),
        reason="Entered by mistake",
        today=date(2025, 7, 2),
    )
    db.session.commit()
    report = cli("report", None, "--start", "2025-04-01", "--end", "2026-03-31")
    section = report["timebank"]
    # Two exchanges count (2.50 hours): the earlier one is outside, the reversed one never counts.
    assert section["hours_exchanged"] == "2.50" and section["exchanges"] == 2
    assert section["active_members"] == 3 and section["members"] == 3
    assert section["hours_per_active_member"] == "0.83"
    # Notional: 2.5 hours × the generalist rate in force on 31 March 2026 (£17.96): £44.90.
    assert section["notional_value"] == str(
        (Decimal("2.5") * Decimal("17.96")).quantize(Decimal("0.01"))
    )
    assert section["notional_value"] == "44.90"


def test_imported_members_count_in_the_report_from_their_first_exchange(
    cli, default_rates, runner, tmp_path, personas, bank
) -> None:
    """Members created by an import are members since their first exchange on file, so the
    report for that past period counts them; a member with a sign-in is linked to it."""
    rows = [
        "h1,2025-05-02,x.one@example.test,x.two@example.test,2,Painting",
        "h2,2025-06-10,x.two@example.test,x.three@example.test,1.5,Shopping",
        f"h3,2025-06-11,x.three@example.test,{personas.stranger.email},0.5,Lift",
    ]
    path = _write(tmp_path, rows)
    result = runner.invoke(
        args=["timebank", "import", str(path), "--timebank", "Old Time Bank", "--create-missing"]
    )
    assert result.exit_code == 0, result.output
    stranger = db.session.scalar(select(Account).where(Account.email == personas.stranger.email))
    assert stranger.user_id == personas.stranger.id and stranger.name == personas.stranger.name
    report = cli("report", None, "--start", "2025-04-01", "--end", "2026-03-31")
    section = report["timebank"]
    # Bank fixture members were approved today, after this period: only the four imported count.
    assert (section["exchanges"], section["hours_exchanged"]) == (3, "4.00")
    assert (section["members"], section["active_members"]) == (4, 4)
    assert section["hours_per_active_member"] == "1.00"
    early = cli("report", None, "--start", "2025-04-01", "--end", "2025-05-31")["timebank"]
    assert (early["members"], early["exchanges"]) == (2, 1)


def test_statement_is_newest_first_by_date_and_a_reversal_is_dated_and_worded(
    personas, login, bank, monkeypatch
) -> None:
    """Entries recorded out of date order still read newest first (one day's entries newest
    recorded first), across pages, with a running balance that adds up; a reversal is dated
    the day it was made and described in words, never by an internal number."""
    days = [TODAY - timedelta(days=2), TODAY - timedelta(days=20), TODAY - timedelta(days=9)]
    made = []
    for n, day in enumerate([*days, days[2]]):  # the last two on the same day
        made.append(
            services.record_for_both(
                actor=personas.coordinator_a,
                timebank=bank.timebank,
                giver=bank.ann,
                receiver=bank.bob,
                done_on=day,
                minutes=60 * (n + 1),
                description=f"Job {n}",
                key=f"order-{n}",
                today=TODAY,
            )
        )
    db.session.commit()
    original = db.session.get(Transfer, made[1].transfer_id)  # the one done 20 days ago
    services.reverse(
        actor=personas.coordinator_a, transfer=original, reason="Entered twice", today=TODAY
    )
    db.session.commit()
    db.session.expire_all()
    ann = db.session.get(Account, bank.ann.id)

    lines = queries.statement(ann, limit=None)
    assert [line.description for line in lines] == [
        f"Reversal of the {original.done_on:%-d %B %Y} exchange with Bob Member",
        "Job 0",
        "Job 3",  # recorded after Job 2, on the same day
        "Job 2",
        "Job 1",
    ]
    assert lines[0].done_on == TODAY
    assert lines[0].balance_after == ann.balance_minutes
    for newer, older in pairwise(lines):
        assert older.balance_after == newer.balance_after - newer.minutes
    assert lines[-1].balance_after - lines[-1].minutes == 0

    # Pages keep the same order and balances.
    monkeypatch.setattr(queries, "STATEMENT_PAGE", 2)
    first = queries.statement(ann, limit=2)
    second = queries.statement(ann, before=first[-1].entry_id, limit=2)
    third = queries.statement(ann, before=second[-1].entry_id, limit=2)
    assert [*first, *second, *third] == lines

    page = login(personas.volunteer).get(
        f"/timebanks/{bank.timebank.id}/accounts/{bank.ann.id}/statement"
    )
    html = page.get_data(as_text=True)
    assert f"Reversal of the {original.done_on:%-d %B %Y} exchange" in html
    assert f"transfer {original.id}" not in html.lower()
