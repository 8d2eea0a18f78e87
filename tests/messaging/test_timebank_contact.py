"""Time-bank members contact each other about a listing through the app."""

from __future__ import annotations

from typing import Any

from tests.helpers import post_form
from tests.messaging.conftest import KEY, Bank, count, emails_to, messages_in
from volunteer_hub.extensions import db
from volunteer_hub.messaging.models import Thread

SECRET = "My number is in the phone book, ring me any evening."


def _contact(
    login: Any, user: Any, bank: Bank, body: str = SECRET, key: str = KEY, page: str | None = None
) -> Any:
    url = f"/timebank/listings/{bank.listing.id}/contact"
    return post_form(login(user), url, {"body": body, "key": key}, form_page=page)


def test_a_member_contacts_another_without_seeing_their_email(
    personas: Any, bank: Bank, login: Any
) -> None:
    response = _contact(login, personas.volunteer, bank)
    assert response.status_code == 302
    thread = db.session.query(Thread).one()
    assert (thread.kind, thread.listing_id, thread.volunteer_id) == (
        "timebank",
        bank.listing.id,
        personas.volunteer.id,
    )
    ann_page = login(personas.volunteer).get(f"/messages/{thread.id}").get_data(as_text=True)
    bob = login(bank.bob_user)
    bob_page = bob.get(f"/messages/{thread.id}").get_data(as_text=True)
    assert SECRET in bob_page and "Bob Member" in ann_page
    assert bank.bob_user.email not in ann_page and personas.volunteer.email not in bob_page
    [email] = emails_to(bank.bob_user.email)
    assert personas.volunteer.email not in email.body_text
    # Bob answers; a second contact from Ann continues the same thread.
    assert (
        post_form(
            bob, f"/messages/{thread.id}", {"body": "Thursday?", "key": KEY + "b"}
        ).status_code
        == 302
    )
    assert (
        login(personas.volunteer).get(f"/timebank/listings/{bank.listing.id}/contact").status_code
        == 302
    )
    again = _contact(
        login, personas.volunteer, bank, "Thursday is fine", KEY + "a", f"/messages/{thread.id}"
    )
    assert again.status_code == 302
    assert count(Thread) == 1 and len(messages_in(thread)) == 3


def test_the_coordinator_sees_that_contact_happened_but_not_the_text(
    personas: Any, bank: Bank, login: Any
) -> None:
    _contact(login, personas.volunteer, bank)
    thread = db.session.query(Thread).one()
    page = login(personas.coordinator_a).get(f"/timebanks/{bank.timebank.id}/contacts")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Help in the garden" in text and "Bob Member" in text
    assert SECRET not in text
    # The coordinator cannot open the thread itself.
    assert login(personas.coordinator_a).get(f"/messages/{thread.id}").status_code == 404


def test_others_cannot_see_contacts_or_the_thread(personas: Any, bank: Bank, login: Any) -> None:
    _contact(login, personas.volunteer, bank)
    thread = db.session.query(Thread).one()
    for who in ("coordinator_b", "centre", "stranger"):
        client = login(personas.get(who))
        assert client.get(f"/timebanks/{bank.timebank.id}/contacts").status_code == 404
        assert client.get(f"/messages/{thread.id}").status_code == 404
    # Someone outside the time bank cannot contact through it either.
    assert (
        login(personas.stranger).get(f"/timebank/listings/{bank.listing.id}/contact").status_code
        == 404
    )
    # The listing's own member cannot contact themselves.
    assert (
        login(bank.bob_user).get(f"/timebank/listings/{bank.listing.id}/contact").status_code == 404
    )


def test_a_suspended_member_cannot_contact(personas: Any, bank: Bank, login: Any) -> None:
    bank.ann.status = "suspended"
    db.session.commit()
    response = _contact(login, personas.volunteer, bank)
    assert response.status_code == 200
    assert "suspended" in response.get_data(as_text=True)
    assert count(Thread) == 0


def test_the_listing_and_the_coordinators_page_link_to_contact(
    personas: Any, bank: Bank, login: Any
) -> None:
    page = login(personas.volunteer).get(f"/listings/{bank.listing.id}")
    assert f"/timebank/listings/{bank.listing.id}/contact" in page.get_data(as_text=True)
    own = login(bank.bob_user).get(f"/listings/{bank.listing.id}")
    assert "/contact" not in own.get_data(as_text=True)
    coordinate = login(personas.coordinator_a).get(f"/timebanks/{bank.timebank.id}/coordinate")
    assert f"/timebanks/{bank.timebank.id}/contacts" in coordinate.get_data(as_text=True)
