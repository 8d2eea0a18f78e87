"""Registration, verification, sign-in, passwords and links: the security checklist's
"Authentication and sessions" cases."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from tests.accounts.conftest import Personas, sign_in
from tests.factories import PASSWORD, UserFactory
from tests.helpers import csrf_token_from, post_form
from volunteer_hub.accounts.models import AuditEvent, ConsentRecord, OutboxMessage, User
from volunteer_hub.accounts.passwords import password_problems, verify_password
from volunteer_hub.accounts.services import SIGN_IN_FAILED
from volunteer_hub.extensions import db

GOOD_PASSWORD = "lantern orchard 42 pebble"


def register(client, email: str = "new.person@example.org", password: str = GOOD_PASSWORD, **extra):
    data = {"name": "New Person", "email": email, "password": password, "privacy": "y", **extra}
    return post_form(client, "/register", data)


def outbox_link(email: str, kind: str) -> str:
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == email, OutboxMessage.kind == kind)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, f"no {kind} email to {email}"
    match = re.search(r"https?://\S+", message.body_text)
    assert match
    return match.group(0).split("127.0.0.1:5000", 1)[1]


def user_by_email(email: str) -> User:
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


# Registration -------------------------------------------------------------------------------


def test_register_creates_volunteer_records_consent_and_queues_verification(client) -> None:
    response = register(client)
    assert response.status_code == 302
    user = user_by_email("new.person@example.org")
    assert user.role_names == {"volunteer"}
    assert user.email_verified_at is None
    assert user.password_hash and user.password_hash.startswith("$argon2id$")
    consent = db.session.scalar(select(ConsentRecord).where(ConsentRecord.user_id == user.id))
    assert consent is not None
    assert (consent.purpose, consent.version, consent.method) == (
        "privacy_notice",
        "2026-11",
        "registration_form",
    )
    assert consent.given_at is not None
    assert outbox_link(user.email, "verify_email").startswith("/verify-email/")


def test_register_without_privacy_consent_creates_nothing(client) -> None:
    response = post_form(
        client,
        "/register",
        {"name": "No Consent", "email": "nc@example.org", "password": GOOD_PASSWORD},
    )
    assert response.status_code == 400
    assert "You must agree to the privacy notice" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_extra_fields_cannot_grant_roles_or_verify(client) -> None:
    register(
        client,
        role="admin",
        roles="admin",
        is_active="0",
        email_verified_at="2020-01-01",
        session_version="99",
    )
    user = user_by_email("new.person@example.org")
    assert user.role_names == {"volunteer"}
    assert user.email_verified_at is None
    assert user.session_version == 1


def test_registering_a_taken_email_looks_the_same_and_tells_the_owner(
    client, personas: Personas
) -> None:
    fresh = register(client, email="brand.new@example.org")
    taken = register(
        client, email="VOLUNTEER@example.org".lower().replace("example.org", "example.org")
    )
    assert fresh.status_code == taken.status_code == 302
    assert fresh.headers["Location"] == taken.headers["Location"]
    # The existing owner's account is untouched.
    assert (
        db.session.scalar(select(func.count(User.id)).where(User.email == "volunteer@example.org"))
        <= 1
    )


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short9chr", "10 characters or more"),
        ("password123", "too common"),
        ("qwertyuiop", "too common"),
        ("aaaaaaaaaaaa", "too common"),
        ("x" * 257, "256 characters or fewer"),
    ],
)
def test_weak_passwords_are_rejected_with_a_clear_message(
    client, password: str, problem: str
) -> None:
    response = register(client, password=password)
    assert response.status_code == 400
    assert problem in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == 0


@pytest.mark.parametrize(
    "password",
    [
        "exactly10c",
        "ünïcödé pässwörd 🔑 with emoji",
        "密码是一个很长的句子而且不常见",
        "a" + "b7!" * 21,  # 64 characters
        "long passphrase " * 16,  # 256 characters
    ],
)
def test_long_and_unicode_passwords_are_accepted_whole(client, password: str) -> None:
    assert password_problems(password) == []
    assert register(client, password=password).status_code == 302
    user = user_by_email("new.person@example.org")
    assert verify_password(user.password_hash, password)
    # No silent truncation: dropping the last character does not match.
    assert not verify_password(user.password_hash, password[:-1])


# Verification -------------------------------------------------------------------------------


def test_verification_link_works_once(client) -> None:
    register(client)
    link = outbox_link("new.person@example.org", "verify_email")
    assert client.get(link).status_code == 200  # a confirm button, so link scanners change nothing
    assert user_by_email("new.person@example.org").email_verified_at is None
    assert post_form(client, link, {}).status_code == 302
    assert user_by_email("new.person@example.org").email_verified_at is not None
    again = post_form(client, link, {})
    assert again.status_code == 400
    assert "not valid or has already been used" in again.get_data(as_text=True)


def test_verification_link_expires(client) -> None:
    with freeze_time("2026-06-01 09:00:00"):
        register(client)
        link = outbox_link("new.person@example.org", "verify_email")
    with freeze_time("2026-06-04 09:00:01"):
        response = post_form(client, link, {})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_tampered_token_is_refused(client) -> None:
    register(client)
    link = outbox_link("new.person@example.org", "verify_email")
    response = post_form(client, link[:-3] + "abc", {}, form_page=link)
    assert response.status_code == 400


# Signing in ---------------------------------------------------------------------------------


def test_sign_in_and_out(client, personas: Personas) -> None:
    sign_in(client, personas.volunteer)
    assert client.get("/account").status_code == 200
    page = client.get("/account").get_data(as_text=True)
    response = client.post("/sign-out", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_sign_out_by_get_is_not_allowed(client) -> None:
    assert client.get("/sign-out").status_code == 405


def test_unknown_email_and_wrong_password_get_the_same_answer(client, personas: Personas) -> None:
    unknown = post_form(
        client, "/sign-in", {"email": "nobody@example.org", "password": "whatever-123"}
    )
    wrong = post_form(
        client, "/sign-in", {"email": personas.volunteer.email, "password": "whatever-123"}
    )
    assert unknown.status_code == wrong.status_code == 400
    strip = lambda html: re.sub(r'(value|nonce)="[^"]*"', "", html)  # noqa: E731
    assert strip(unknown.get_data(as_text=True)).replace("nobody@example.org", "") == strip(
        wrong.get_data(as_text=True)
    ).replace(personas.volunteer.email, "")
    assert SIGN_IN_FAILED in unknown.get_data(as_text=True)


def test_sign_in_is_audited_with_ip(client, personas: Personas) -> None:
    post_form(
        client, "/sign-in", {"email": personas.volunteer.email, "password": "wrong-password-1"}
    )
    sign_in(client, personas.volunteer)
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [(e.action, e.target_id) for e in events]
    assert ("sign_in_failed", str(personas.volunteer.id)) in actions
    assert ("sign_in", str(personas.volunteer.id)) in actions
    assert all(e.ip == "127.0.0.1" for e in events if e.action.startswith("sign_in"))


def test_repeated_failures_slow_the_account_but_never_lock_it_for_good(
    client, personas: Personas
) -> None:
    email = personas.volunteer.email
    with freeze_time("2026-06-01 09:00:00") as clock:
        for _ in range(6):
            post_form(client, "/sign-in", {"email": email, "password": "wrong-password-1"})
        # Now even the right password is not checked for a while...
        right = post_form(client, "/sign-in", {"email": email, "password": PASSWORD})
        assert right.status_code == 400
        # ...but the wait is bounded: after 15 minutes the right password works.
        clock.tick(timedelta(minutes=15, seconds=1))
        right = post_form(client, "/sign-in", {"email": email, "password": PASSWORD})
        assert right.status_code == 302


def test_deactivated_user_cannot_sign_in(client, personas: Personas) -> None:
    personas.stranger.is_active = False
    db.session.commit()
    response = post_form(
        client, "/sign-in", {"email": personas.stranger.email, "password": PASSWORD}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "http://evil.example",
        "javascript:alert(1)",
        "/\\evil.example",
        "\\\\evil.example",
        "evil.example",
        "",
    ],
)
def test_next_redirects_stay_on_the_site(client, personas: Personas, target: str) -> None:
    response = post_form(
        client,
        f"/sign-in?next={target}",
        {"email": personas.volunteer.email, "password": PASSWORD},
        form_page="/sign-in",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/my-volunteering"


def test_a_next_with_a_line_break_is_a_bad_request(client, personas: Personas) -> None:
    """Control characters in any query argument are refused before the view (core.inputs)."""
    response = post_form(
        client,
        "/sign-in?next=/%0d%0aLocation:%20https://evil.example",
        {"email": personas.volunteer.email, "password": PASSWORD},
        form_page="/sign-in",
    )
    assert response.status_code == 400 and "Location" not in response.headers
    assert client.get("/account").status_code == 302  # not signed in


def test_next_redirect_to_a_local_path_is_followed(client, personas: Personas) -> None:
    response = post_form(
        client,
        "/sign-in?next=/privacy",
        {"email": personas.volunteer.email, "password": PASSWORD},
        form_page="/sign-in",
    )
    assert response.headers["Location"] == "/privacy"


# Password reset -----------------------------------------------------------------------------


def test_reset_request_looks_the_same_for_known_and_unknown_addresses(
    client, personas: Personas
) -> None:
    known = post_form(client, "/password/forgotten", {"email": personas.volunteer.email})
    unknown = post_form(client, "/password/forgotten", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    kinds = db.session.scalars(select(OutboxMessage.to_address)).all()
    assert kinds == [personas.volunteer.email]


def test_reset_link_works_once_and_ends_other_sessions(
    app, client, personas: Personas, login
) -> None:
    other_device = login(personas.volunteer)
    post_form(client, "/password/forgotten", {"email": personas.volunteer.email})
    link = outbox_link(personas.volunteer.email, "reset_password")
    response = post_form(client, link, {"password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert other_device.get("/account").status_code == 302  # signed out there
    again = post_form(
        client, link, {"password": "another good passphrase"}, form_page="/password/forgotten"
    )
    assert again.status_code == 400
    user = user_by_email(personas.volunteer.email)
    assert verify_password(user.password_hash, GOOD_PASSWORD)


def test_reset_link_expires_after_an_hour(client, personas: Personas) -> None:
    with freeze_time("2026-06-01 09:00:00") as clock:
        post_form(client, "/password/forgotten", {"email": personas.volunteer.email})
        link = outbox_link(personas.volunteer.email, "reset_password")
        clock.tick(timedelta(hours=1, seconds=1))
        assert client.get(link).status_code == 400


def test_reset_link_dies_when_the_password_changes_another_way(
    client, personas: Personas, login
) -> None:
    post_form(client, "/password/forgotten", {"email": personas.volunteer.email})
    link = outbox_link(personas.volunteer.email, "reset_password")
    signed_in = login(personas.volunteer)
    post_form(
        signed_in, "/account/password", {"current_password": PASSWORD, "password": GOOD_PASSWORD}
    )
    assert client.get(link).status_code == 400


# Changing password and email ----------------------------------------------------------------


def test_changing_password_ends_other_sessions_but_keeps_this_one(
    personas: Personas, login
) -> None:
    phone = login(personas.volunteer)
    laptop = login(personas.volunteer)
    response = post_form(
        laptop, "/account/password", {"current_password": PASSWORD, "password": GOOD_PASSWORD}
    )
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "password_changed")
        )
        == 1
    )


def test_changing_password_needs_the_current_one(personas: Personas, login) -> None:
    client = login(personas.volunteer)
    response = post_form(
        client,
        "/account/password",
        {"current_password": "not-it-at-all", "password": GOOD_PASSWORD},
    )
    assert response.status_code == 400
    assert verify_password(user_by_email(personas.volunteer.email).password_hash, PASSWORD)


def test_change_email_reauthenticates_confirms_and_notifies_old_address(
    personas: Personas, login
) -> None:
    client = login(personas.volunteer)
    old = personas.volunteer.email
    wrong = post_form(
        client, "/account/email", {"email": "moved@example.org", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == 400
    assert (
        post_form(
            client, "/account/email", {"email": "moved@example.org", "password": PASSWORD}
        ).status_code
        == 302
    )
    assert user_by_email(old).email == old  # nothing changes until the link is followed
    link = outbox_link("moved@example.org", "confirm_new_email")
    assert post_form(client, link, {}).status_code == 302
    assert user_by_email("moved@example.org").id == personas.volunteer.id
    notice = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "email_changed"))
    assert notice is not None and notice.to_address == old
    assert post_form(client, link, {}).status_code == 400  # single use


# CSRF, sessions and cookies -----------------------------------------------------------------


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, personas: Personas) -> None:
    response = client.post(
        "/register",
        data={"name": "X", "email": "csrf@example.org", "password": GOOD_PASSWORD, "privacy": "y"},
    )
    assert response.status_code == 400
    assert (
        db.session.scalar(select(func.count(User.id)).where(User.email == "csrf@example.org")) == 0
    )
    response = client.post(
        "/sign-in", data={"email": personas.volunteer.email, "password": "wrong-password-1"}
    )
    assert response.status_code == 400
    assert user_by_email(personas.volunteer.email).failed_sign_ins == 0


def test_session_cookie_flags(client, personas: Personas) -> None:
    response = post_form(
        client, "/sign-in", {"email": personas.volunteer.email, "password": PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development over http


def test_session_cookie_is_secure_in_production(database_url: str) -> None:
    from tests.conftest import base_config
    from volunteer_hub import create_app

    app = create_app(
        {**base_config(database_url), "ENV": "production", "BASE_URL": "https://vh.example.org"}
    )
    response = app.test_client().get("/sign-in")
    assert "Secure" in response.headers["Set-Cookie"]


def test_signed_in_pages_are_not_cached(personas: Personas, login) -> None:
    client = login(personas.volunteer)
    assert client.get("/account").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("persona", "minutes", "still_signed_in"),
    [
        ("coordinator_a", 29, True),
        ("coordinator_a", 31, False),
        ("volunteer", 119, True),
        ("volunteer", 121, False),
    ],
)
def test_idle_timeout_for_staff_and_volunteers(
    personas: Personas, login, persona: str, minutes: int, still_signed_in: bool
) -> None:
    with freeze_time("2026-06-01 09:00:00") as clock:
        client = login(personas.get(persona))
        assert client.get("/account").status_code == 200
        clock.tick(timedelta(minutes=minutes))
        assert (client.get("/account").status_code == 200) is still_signed_in


def test_script_in_a_name_is_shown_as_text(personas: Personas, login) -> None:
    personas.volunteer.name = "<script>alert('x')</script>"
    db.session.commit()
    html = login(personas.volunteer).get("/account").get_data(as_text=True)
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(" in html


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
@pytest.mark.parametrize(
    ("path", "data", "allowed"),
    [
        ("/sign-in", {"email": "nobody@example.org", "password": "wrong-password"}, 10),
        ("/register", {"name": "A", "email": "a@example.org", "password": "x", "privacy": "y"}, 5),
        ("/password/forgotten", {"email": "nobody@example.org"}, 5),
    ],
)
def test_rate_limits(client, app_config, path: str, data: dict, allowed: int) -> None:
    responses = [post_form(client, path, data) for _ in range(allowed + 2)]
    statuses = [r.status_code for r in responses]
    assert 429 not in statuses[:allowed]
    assert statuses[allowed:] == [429, 429]
    assert "Too many attempts" in responses[-1].get_data(as_text=True)
    assert responses[-1].headers["Retry-After"]


def test_user_factory_password_matches(personas: Personas) -> None:
    user = UserFactory(email="x@example.org")
    assert verify_password(user.password_hash, PASSWORD)


def _redis_available() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
            # Each test process counts under its own prefix: CI runs the SQLite and PostgreSQL
            # passes at once against the same Redis, and they met in this test.
            "RATELIMIT_KEY_PREFIX": f"vh-test-{uuid.uuid4().hex}",
        }
    ],
)
def test_rate_limits_are_shared_through_redis(app, client, app_config) -> None:
    import os

    if not _redis_available():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import redis

    store = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    pattern = f"*{app_config['RATELIMIT_KEY_PREFIX']}*"

    def forget() -> None:  # only this process's counters: never another pass's
        for key in store.scan_iter(pattern):
            store.delete(key)

    forget()
    # A second app (another gunicorn worker) shares the same counters.
    from tests.conftest import IsolatedClient, base_config
    from volunteer_hub import create_app

    other_worker = create_app({**base_config(app.config["SQLALCHEMY_DATABASE_URI"]), **app_config})
    other_worker.test_client_class = IsolatedClient
    other = other_worker.test_client()
    data = {"email": "nobody@example.org", "password": "wrong-password"}
    statuses = [post_form(c, "/sign-in", data).status_code for c in [client, other] * 5]
    assert 429 not in statuses
    assert post_form(other, "/sign-in", data).status_code == 429
    assert list(store.scan_iter(pattern))  # the counters were under this process's prefix
    forget()
