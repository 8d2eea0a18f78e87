"""Consents and formal requests are exactly-once under real parallel requests: ten identical
clicks give or withdraw a consent once, ask for erasure once, log a request once, record a reply
once and erase once (one audit event each), never a 500."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from volunteer_hub.accounts.models import AuditEvent, ConsentRecord
from volunteer_hub.accounts.services import give_consent
from volunteer_hub.core.dates import add_months
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.privacy.models import PrivacyRequest
from volunteer_hub.volunteers.services import volunteer_for

TODAY = date.today()


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _audits(action: str) -> int:
    return _count(AuditEvent, AuditEvent.action == action)


def _consents(purpose: str, *, standing: bool | None = None) -> int:
    where = [ConsentRecord.purpose == purpose]
    if standing is not None:
        withdrawn = ConsentRecord.withdrawn_at
        where.append(withdrawn.is_(None) if standing else withdrawn.is_not(None))
    return _count(ConsentRecord, *where)


def test_ten_parallel_consents_are_given_once(personas, login, parallel) -> None:
    results = parallel.post(
        login(personas.volunteer),
        "/account/privacy/contact_opportunities/give",
        form_page="/account/privacy",
    )
    assert results.server_errors == []
    assert _consents("contact_opportunities") == 1
    assert _audits("consent.given") == 1


def test_ten_parallel_withdrawals_withdraw_once(personas, login, parallel) -> None:
    give_consent(personas.volunteer, "contact_opportunities", "privacy_page")
    db.session.commit()
    results = parallel.post(
        login(personas.volunteer),
        "/account/privacy/contact_opportunities/withdraw",
        form_page="/account/privacy",
    )
    assert results.server_errors == []
    assert _consents("contact_opportunities", standing=True) == 0
    assert _audits("consent.withdrawn") == 1


def test_an_updated_notice_acknowledged_ten_times_at_once_is_recorded_once(
    app, personas, login, parallel
) -> None:
    db.session.add(
        ConsentRecord(
            user_id=personas.volunteer.id,
            purpose="privacy_notice",
            version="2025-01",
            method="registration_form",
        )
    )
    db.session.commit()
    client = login(personas.volunteer)
    results = parallel.post(client, "/privacy/updated?next=/account", {})
    assert results.server_errors == []
    assert _consents("privacy_notice", standing=True) == 1
    assert _consents("privacy_notice") == 2
    assert _audits("consent.given") == 1


def test_ten_parallel_erasure_requests_ask_once(personas, login, parallel) -> None:
    results = parallel.post(
        login(personas.volunteer), "/account/privacy/erase", {}, form_page="/account/privacy"
    )
    assert results.server_errors == []
    assert _count(PrivacyRequest) == 1
    assert _audits("privacy.erasure_requested") == 1


def test_ten_parallel_logs_of_one_request_log_it_once(personas, login, parallel) -> None:
    results = parallel.post(
        login(personas.admin),
        "/admin/privacy",
        {
            "kind": "access",
            "email": personas.volunteer.email,
            "received_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
            "channel": "letter",
        },
    )
    assert results.server_errors == []
    assert _count(PrivacyRequest) == 1
    assert _audits("privacy.request_logged") == 1


def _request(personas, kind: str, **values) -> PrivacyRequest:
    item = PrivacyRequest(
        kind=kind,
        user_id=personas.volunteer.id,
        received_on=TODAY,
        due_on=add_months(TODAY, 1),
        channel="email",
        **values,
    )
    db.session.add(item)
    db.session.commit()
    return item


def test_ten_parallel_replies_are_recorded_as_sent_once(personas, login, parallel) -> None:
    item = _request(personas, "access", status="exported", exported_at=utcnow())
    page = f"/admin/privacy/{item.id}"
    results = parallel.post(login(personas.admin), f"{page}/sent", {}, form_page=page)
    assert results.server_errors == []
    assert _audits("privacy.request_sent") == 1
    assert db.session.get(PrivacyRequest, item.id).status == "sent"


def test_ten_parallel_erasure_confirmations_erase_once(personas, login, parallel) -> None:
    volunteer_for(personas.volunteer)
    item = _request(personas, "erasure")
    page = f"/admin/privacy/{item.id}"
    results = parallel.post(
        login(personas.admin), f"{page}/erase", {"confirm": "yes"}, form_page=page
    )
    assert results.server_errors == []
    assert _audits("privacy.request_erased") == 1
    assert _audits("privacy.erased") == 1
    assert db.session.get(PrivacyRequest, item.id).status == "erased"
