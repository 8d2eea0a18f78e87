"""Time bank transitions are exactly-once under real parallel requests (double clicks, and the
two members or two coordinators at once): one effect, one audit event, never a 500; the ledger
still sums to zero."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from tests.factories import UserFactory
from tests.parallel import Shot
from tests.timebank.conftest import member
from volunteer_hub.accounts.models import AuditEvent, User
from volunteer_hub.extensions import db
from volunteer_hub.timebank import ledger, services
from volunteer_hub.timebank.models import (
    CATEGORIES,
    Account,
    Entry,
    Exchange,
    Listing,
    Match,
    Transfer,
)

TODAY = date.today()


def _audits(action: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id)).where(*where)) or 0


def _fresh(model, ident: int):
    db.session.expire_all()
    return db.session.get(model, ident)


def _d(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _key(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="key" type="hidden" value="([0-9a-f]+)"', page).group(1)


def _user(account: Account) -> User:
    return db.session.get(User, account.user_id)


def _settled(personas, bank, minutes: int = 60) -> Transfer:
    exchange = services.record_for_both(
        actor=personas.coordinator_a,
        timebank=bank.timebank,
        giver=bank.ann,
        receiver=bank.bob,
        done_on=TODAY - timedelta(days=1),
        minutes=minutes,
        description="Gardening",
        key=f"seed-{minutes}",
        today=TODAY,
    )
    db.session.commit()
    return db.session.get(Transfer, exchange.transfer_id)


def _pending_exchange(personas, bank) -> Exchange:
    """Ann says she gave Bob an hour; Bob is to confirm."""
    exchange = services.record_exchange(
        user=personas.volunteer,
        timebank=bank.timebank,
        other=bank.bob,
        i_gave=True,
        done_on=TODAY - timedelta(days=1),
        minutes=60,
        description="Lift to the surgery",
        key="pending-1",
        today=TODAY,
    )
    db.session.commit()
    return exchange


def test_twenty_parallel_reversals_reverse_once(personas, login, bank, parallel) -> None:
    transfer = _settled(personas, bank)
    coordinator = login(personas.coordinator_a)
    page = f"/timebanks/{bank.timebank.id}/members/{bank.ann.id}"
    results = parallel.post(
        coordinator,
        f"/transfers/{transfer.id}/reverse",
        {"reason": "Recorded by mistake", "back": page},
        times=20,
        form_page=page,
    )
    assert results.server_errors == []
    assert set(results.statuses) == {302}
    assert _count(Transfer, Transfer.kind == "reversal") == 1
    assert _audits("timebank.reversed") == 1
    assert ledger.check().problems == []
    assert _fresh(Account, bank.ann.id).balance_minutes == 0


def test_reversals_by_two_coordinators_at_once_reverse_once(
    personas, login, bank, parallel
) -> None:
    from volunteer_hub.timebank.models import TimeBankCoordinator

    db.session.add(TimeBankCoordinator(timebank_id=bank.timebank.id, user_id=personas.centre.id))
    transfer = _settled(personas, bank)
    page = f"/timebanks/{bank.timebank.id}/members/{bank.bob.id}"
    url = f"/transfers/{transfer.id}/reverse"
    results = parallel.run(
        [
            Shot(login(personas.coordinator_a), url, {"reason": "Wrong member"}, page, times=5),
            Shot(login(personas.centre), url, {"reason": "Entered twice"}, page, times=5),
        ]
    )
    assert results.server_errors == []
    assert _count(Transfer, Transfer.kind == "reversal") == 1
    assert _audits("timebank.reversed") == 1
    assert ledger.check().problems == []


def test_ten_parallel_approvals_approve_a_member_once(personas, login, bank, parallel) -> None:
    pending = member(bank.timebank, UserFactory(email="new@example.test"), status="pending")
    db.session.commit()
    coordinator = login(personas.coordinator_a)
    results = parallel.post(
        coordinator,
        f"/timebanks/{bank.timebank.id}/members/{pending.id}",
        {"interviewed_on": _d(TODAY), "references_ok": "y"},
        times=10,
    )
    assert results.server_errors == []
    assert _fresh(Account, pending.id).status == "approved"
    assert _audits("timebank.member_approved") == 1


def test_ten_parallel_suspensions_then_reinstatements_act_once_each(
    personas, login, bank, parallel
) -> None:
    coordinator = login(personas.coordinator_a)
    page = f"/timebanks/{bank.timebank.id}/members/{bank.cat.id}"
    url = f"{page}/suspend"
    results = parallel.post(coordinator, url, {"suspend": "1"}, times=10, form_page=page)
    assert results.server_errors == []
    assert _fresh(Account, bank.cat.id).status == "suspended"
    assert _audits("timebank.member_suspended") == 1
    results = parallel.post(coordinator, url, {"suspend": "0"}, times=10, form_page=page)
    assert results.server_errors == []
    assert _fresh(Account, bank.cat.id).status == "approved"
    assert _audits("timebank.member_reinstated") == 1


def test_ten_parallel_confirmations_settle_once(personas, login, bank, parallel) -> None:
    exchange = _pending_exchange(personas, bank)
    bob = login(_user(bank.bob))
    results = parallel.post(
        bob,
        f"/exchanges/{exchange.id}/confirm",
        times=10,
        form_page=f"/timebanks/{bank.timebank.id}",
    )
    assert results.server_errors == []
    assert _fresh(Exchange, exchange.id).status == "confirmed"
    assert _count(Entry) == 2 and _count(Transfer) == 1
    assert _audits("timebank.exchange_confirmed") == 1
    assert ledger.check().problems == []


def test_confirming_racing_declining_leaves_one_outcome(personas, login, bank, parallel) -> None:
    exchange = _pending_exchange(personas, bank)
    home = f"/timebanks/{bank.timebank.id}"
    results = parallel.run(
        [
            # Bob confirms; Ann, who recorded it, cancels it (declines) at the same moment.
            Shot(login(_user(bank.bob)), f"/exchanges/{exchange.id}/confirm", {}, home, times=5),
            Shot(login(personas.volunteer), f"/exchanges/{exchange.id}/decline", {}, home, times=5),
        ]
    )
    assert results.server_errors == []
    confirmed, declined = (
        _audits("timebank.exchange_confirmed"),
        _audits("timebank.exchange_declined"),
    )
    assert confirmed + declined == 1
    status = _fresh(Exchange, exchange.id).status
    assert status == ("confirmed" if confirmed else "declined")
    assert _count(Entry) == (2 if confirmed else 0)
    assert ledger.check().problems == []


def test_ten_parallel_closes_close_a_listing_once(personas, login, bank, parallel) -> None:
    listing = services.post_listing(
        user=personas.volunteer,
        timebank=bank.timebank,
        values={"kind": "offer", "category": "garden", "title": "Weeding"},
    )
    db.session.commit()
    ann = login(personas.volunteer)
    page = f"/listings/{listing.id}"
    results = parallel.post(ann, f"{page}/close", times=10, form_page=page)
    assert results.server_errors == []
    assert _fresh(Listing, listing.id).status == "closed"
    assert _audits("timebank.listing_closed") == 1


def test_ten_parallel_responses_make_one_match_and_agreements_count_once(
    personas, login, bank, parallel
) -> None:
    listing = services.post_listing(
        user=personas.volunteer,
        timebank=bank.timebank,
        values={"kind": "offer", "category": "garden", "title": "Weeding"},
    )
    db.session.commit()
    page = f"/listings/{listing.id}"
    results = parallel.post(
        login(_user(bank.bob)),
        f"{page}/respond",
        {"message": "Yes please"},
        times=10,
        form_page=page,
    )
    assert results.server_errors == []
    assert _count(Match) == 1
    assert _audits("timebank.responded") == 1
    match = db.session.scalar(select(Match))
    results = parallel.post(
        login(personas.volunteer), f"/matches/{match.id}/agree", times=10, form_page=page
    )
    assert results.server_errors == []
    db.session.expire_all()
    assert _fresh(Match, match.id).agreed
    assert _audits("timebank.match_agreed") == 1


def test_ten_parallel_applications_make_one_member(personas, login, bank, parallel) -> None:
    newcomer = UserFactory(email="joiner@example.test", name="Jo Iner")
    db.session.commit()
    results = parallel.post(
        login(newcomer),
        f"/timebanks/{bank.timebank.id}/join",
        {"area": "SE15", "accept": "y"},
        times=10,
    )
    assert results.server_errors == []
    assert _count(Account, Account.user_id == newcomer.id) == 1
    assert _audits("timebank.applied") == 1


def test_the_same_donation_form_ten_times_at_once_donates_once(
    personas, login, bank, parallel
) -> None:
    ann = login(personas.volunteer)
    url = f"/timebanks/{bank.timebank.id}/pot/donate"
    results = parallel.post(ann, url, {"key": _key(ann, url), "hours": "1"}, times=10)
    assert results.server_errors == []
    assert _count(Transfer, Transfer.kind == "donation") == 1
    assert _audits("timebank.donated") == 1
    assert _fresh(Account, bank.pot.id).balance_minutes == 60


def test_the_same_grant_form_ten_times_at_once_grants_once(personas, login, bank, parallel) -> None:
    services.donate(
        user=personas.volunteer, timebank=bank.timebank, minutes=120, key="d", today=TODAY
    )
    db.session.commit()
    coordinator = login(personas.coordinator_a)
    url = f"/timebanks/{bank.timebank.id}/pot/grant"
    data = {
        "key": _key(coordinator, url),
        "member": str(bank.cat.id),
        "hours": "1",
        "reason": "After surgery",
    }
    results = parallel.post(coordinator, url, data, times=10)
    assert results.server_errors == []
    assert _count(Transfer, Transfer.kind == "grant") == 1
    assert _audits("timebank.granted") == 1
    assert _fresh(Account, bank.cat.id).balance_minutes == 60


def test_the_same_exchange_form_ten_times_at_once_records_once(
    personas, login, bank, parallel
) -> None:
    ann = login(personas.volunteer)
    url = f"/timebanks/{bank.timebank.id}/exchanges/new"
    data = {
        "key": _key(ann, url),
        "direction": "gave",
        "member": str(bank.bob.id),
        "done_on": _d(TODAY - timedelta(days=1)),
        "hours": "1.5",
        "description": "Shopping",
    }
    results = parallel.post(ann, url, data, times=10)
    assert results.server_errors == []
    assert _count(Exchange) == 1
    assert _audits("timebank.exchange_recorded") == 1


def test_ten_parallel_new_time_banks_make_one_and_no_error(personas, login, parallel) -> None:
    from volunteer_hub.timebank.models import TimeBank

    admin = login(personas.admin)
    results = parallel.post(
        admin, "/timebanks/new", {"name": "Harbour Time Bank", "min_hours": "-10"}, times=10
    )
    assert results.server_errors == []
    assert _count(TimeBank, TimeBank.name == "Harbour Time Bank") == 1
    assert _audits("timebank.created") == 1
    refused = [r for r in results.results if r.status == 400]
    assert all("There is already a time bank with this name" in r.body for r in refused)


def test_a_listing_form_sent_ten_times_at_once_posts_one(personas, login, bank, parallel) -> None:
    ann = login(personas.volunteer)
    url = f"/timebanks/{bank.timebank.id}/listings/new"
    page = ann.get(url).get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([0-9a-f]{32})"', page)
    assert key, "the form carries a one-time key"
    values = {
        "key": key.group(1),
        "kind": "offer",
        "category": next(iter(CATEGORIES)),
        "title": "Help with gardening",
        "description": "Weeding and mowing",
        "area": "",
        "availability": "Weekends",
    }
    results = parallel.post(ann, url, values, times=10)
    assert results.server_errors == []
    assert _count(Listing, Listing.title == "Help with gardening") == 1
    assert _audits("timebank.listing_posted") == 1
    # The form shown again is a new form: posting it is a new listing.
    again = ann.get(url).get_data(as_text=True)
    assert key.group(1) not in again
