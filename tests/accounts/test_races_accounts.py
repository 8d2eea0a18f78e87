"""Exactly-once under real concurrency: two outbox senders at once send each email once;
single-use links and API-token revocation act once under parallel requests."""

from __future__ import annotations

import threading

import pyotp
from flask import url_for
from sqlalchemy import func, select

from tests.accounts.conftest import ADMIN_TOTP
from tests.accounts.test_outbox_and_cli import _queue, smtp_server  # noqa: F401
from tests.factories import PASSWORD, UserFactory
from tests.helpers import post_form
from tests.parallel import Shot
from volunteer_hub.accounts import outbox
from volunteer_hub.accounts.models import AuditEvent, OutboxMessage, User
from volunteer_hub.accounts.passwords import verify_password
from volunteer_hub.accounts.services import _new_recovery_codes
from volunteer_hub.accounts.tokens import make_token
from volunteer_hub.api.services import issue_token
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _audits(action: str) -> int:
    return _count(AuditEvent, AuditEvent.action == action)


def test_senders_running_at_once_send_each_email_once(app, smtp_server) -> None:  # noqa: F811
    inbox, port = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    ids = [_queue(app, to=f"person-{n}@example.org") for n in range(12)]
    senders = 4
    barrier = threading.Barrier(senders)
    results: list[outbox.SendResult] = []
    errors: list[BaseException] = []

    def send() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results.append(outbox.send_due())
            except BaseException as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    delivered = sorted(to for _sender, tos, _content in inbox.messages for to in tos)
    assert delivered == sorted(f"person-{n}@example.org" for n in range(12))
    assert sum(r.sent for r in results) == 12
    db.session.expire_all()
    stored = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()
    assert {(m.status, m.attempts) for m in stored} == {("sent", 1)}


# --- single-use links and codes --------------------------------------------------------------


def _path(app, endpoint: str, user, purpose: str, extra: str = "") -> str:
    with app.test_request_context():
        return url_for(endpoint, token=make_token(user, purpose, extra))


def test_a_verification_link_opened_ten_times_at_once_confirms_once(
    app, personas, parallel
) -> None:
    user = UserFactory(email="new@example.test", email_verified_at=None)
    db.session.commit()
    path = _path(app, "accounts.verify_email", user, "verify_email")
    results = parallel.post(app.test_client(), path, {})
    assert results.server_errors == []
    assert _audits("email_verified") == 1
    assert db.session.get(User, user.id).email_verified_at is not None


def test_an_invitation_used_ten_times_at_once_sets_one_password(app, personas, parallel) -> None:
    user = UserFactory(email="invited@example.test", email_verified_at=None, password_hash=None)
    db.session.commit()
    version = user.session_version
    path = _path(app, "accounts.accept_invitation", user, "invitation")
    results = parallel.run(
        [Shot(app.test_client(), path, {"password": f"Invented-pass-{n}-long"}) for n in range(10)]
    )
    assert results.server_errors == []
    assert _audits("invitation_accepted") == 1
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.session_version == version + 1
    assert (
        sum(verify_password(stored.password_hash, f"Invented-pass-{n}-long") for n in range(10))
        == 1
    )


def test_a_password_reset_link_used_ten_times_at_once_resets_once(app, personas, parallel) -> None:
    path = _path(app, "accounts.reset_password", personas.volunteer, "reset_password")
    results = parallel.post(app.test_client(), path, {"password": "Another-invented-pass-9"})
    assert results.server_errors == []
    assert _audits("password_reset") == 1


def test_an_email_change_confirmed_ten_times_at_once_changes_once(
    app, personas, login, parallel
) -> None:
    new = "moved@example.test"
    path = _path(app, "accounts.confirm_email_change", personas.volunteer, "change_email", new)
    results = parallel.post(login(personas.volunteer), path, {})
    assert results.server_errors == []
    assert _audits("email_changed") == 1
    assert _count(OutboxMessage, OutboxMessage.kind == "email_changed") == 1
    assert db.session.get(User, personas.volunteer.id).email == "moved@example.test"


def _half_signed_in(app, user):
    client = app.test_client()
    response = post_form(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/sign-in/two-factor")
    return client


def test_a_recovery_code_sent_ten_times_at_once_works_once(app, personas, parallel) -> None:
    codes = _new_recovery_codes(personas.admin)
    db.session.commit()
    client = _half_signed_in(app, personas.admin)
    results = parallel.post(client, "/sign-in/two-factor", {"code": codes[0]})
    assert results.server_errors == []
    assert _audits("recovery_code_used") == 1
    assert [r.status for r in results.results].count(302) == 1


def test_a_two_factor_code_sent_ten_times_at_once_works_once(app, personas, parallel) -> None:
    client = _half_signed_in(app, personas.admin)
    code = pyotp.TOTP(ADMIN_TOTP).now()
    results = parallel.post(client, "/sign-in/two-factor", {"code": code})
    assert results.server_errors == []
    assert [r.status for r in results.results].count(302) == 1


def test_ten_parallel_revocations_revoke_once(app, personas, login, parallel) -> None:
    row, _token = issue_token(actor=personas.admin, holder=personas.partner, name="Dashboard")
    db.session.commit()
    results = parallel.post(
        login(personas.admin),
        f"/admin/api-tokens/{row.id}/revoke",
        {},
        form_page="/admin/api-tokens",
    )
    assert results.server_errors == []
    assert _audits("api_token.revoked") == 1


# --- accounts made and changed by people ------------------------------------------------------


def test_ten_parallel_registrations_make_one_account(app, personas, parallel) -> None:
    results = parallel.post(
        app.test_client(),
        "/register",
        {
            "name": "New Person",
            "email": "brand-new@example.org",
            "password": "An-invented-pass-42",
            "privacy": "y",
        },
    )
    assert results.server_errors == []
    assert _count(User, User.email == "brand-new@example.org") == 1
    assert _audits("registered") == 1
    assert _count(OutboxMessage, OutboxMessage.kind == "already_registered") <= 9


def test_ten_parallel_invitations_invite_once(personas, login, parallel) -> None:
    results = parallel.post(
        login(personas.admin),
        "/admin/users/invite",
        {"name": "Invited Person", "email": "invited@example.org", "role": "centre_coordinator"},
    )
    assert results.server_errors == []
    assert _count(User, User.email == "invited@example.org") == 1
    assert _audits("user_invited") == 1
    assert _count(OutboxMessage, OutboxMessage.kind == "invitation") == 1


def test_ten_parallel_grants_grant_once(personas, login, parallel) -> None:
    page = f"/admin/users/{personas.volunteer.id}"
    results = parallel.post(
        login(personas.admin),
        f"{page}/roles",
        {"role": "coordinator", "organisation": str(personas.org_a.id)},
        form_page=page,
    )
    assert results.server_errors == []
    assert _audits("role_granted") == 1


def test_ten_parallel_deactivations_deactivate_once(personas, login, parallel) -> None:
    page = f"/admin/users/{personas.volunteer.id}"
    results = parallel.post(
        login(personas.admin), f"{page}/active", {"active": "no"}, form_page=page
    )
    assert results.server_errors == []
    assert _audits("user_deactivated") == 1
    assert db.session.get(User, personas.volunteer.id).is_active is False


def test_ten_parallel_two_factor_resets_reset_once(personas, login, parallel) -> None:
    person = db.session.get(User, personas.coordinator_a.id)
    person.totp_secret = pyotp.random_base32()
    person.totp_enabled_at = utcnow()
    _new_recovery_codes(person)
    db.session.commit()
    page = f"/admin/users/{person.id}"
    results = parallel.post(login(personas.admin), f"{page}/two-factor/reset", {}, form_page=page)
    assert results.server_errors == []
    assert _audits("two_factor_reset") == 1


def test_two_people_taking_the_same_new_email_at_once_one_gets_it_no_error(
    app, personas, parallel
) -> None:
    ann = UserFactory(email="ann@example.test")
    bob = UserFactory(email="bob@example.test")
    db.session.commit()
    wanted = "shared@example.test"
    shots = []
    for person in (ann, bob):
        token = make_token(person, "change_email", wanted)
        url = f"/account/email/confirm/{token}"
        shots.append(Shot(app.test_client(), url, {}, times=3))
    results = parallel.run(shots)
    assert results.server_errors == []
    db.session.expire_all()
    owners = db.session.scalars(select(User).where(User.email == wanted)).all()
    assert len(owners) == 1
    assert _count(AuditEvent, AuditEvent.action == "email_changed") == 1
