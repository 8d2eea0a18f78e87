"""Task descriptions move through draft → submitted → published (or returned) → closed exactly
once under real parallel requests: one new version, one audit event, never a 500."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import COMPLETE, in_good_standing
from tests.parallel import Shot
from volunteer_hub.accounts.models import AuditEvent
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Category, Role, RoleVersion
from volunteer_hub.organisations.roles import save_role, submit_role


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _audits(action: str) -> int:
    return _count(AuditEvent, AuditEvent.action == action)


def _draft(personas, *, submitted: bool = False) -> Role:
    in_good_standing(personas.org_a)
    role = save_role(
        actor=personas.coordinator_a,
        organisation=personas.org_a,
        values={**COMPLETE, "title": "Befriender"},
        category_ids=list(db.session.scalars(select(Category.id).limit(1))),
    )
    if submitted:
        submit_role(actor=personas.coordinator_a, role=role)
    db.session.commit()
    return role


def test_ten_parallel_submissions_submit_once(personas, login, parallel) -> None:
    role = _draft(personas)
    page = f"/roles/{role.id}/edit"
    results = parallel.post(
        login(personas.coordinator_a), f"/roles/{role.id}/submit", {}, form_page=page
    )
    assert results.server_errors == []
    assert _audits("role.submitted") == 1
    assert db.session.get(Role, role.id).status == "submitted"


def test_ten_parallel_approvals_publish_one_version(personas, login, parallel) -> None:
    role = _draft(personas, submitted=True)
    results = parallel.post(
        login(personas.centre), f"/roles/{role.id}/approve", {}, form_page="/roles/review"
    )
    assert results.server_errors == []
    assert _count(RoleVersion) == 1
    assert _audits("role.approved") == 1
    published = db.session.get(Role, role.id)
    assert (published.status, published.version) == ("published", 1)


def test_approving_racing_returning_leaves_one_decision(personas, login, parallel) -> None:
    role = _draft(personas, submitted=True)
    results = parallel.run(
        [
            Shot(login(personas.centre), f"/roles/{role.id}/approve", {}, "/roles/review", times=5),
            Shot(
                login(personas.admin),
                f"/roles/{role.id}/return",
                {"reason": "Say more about the support given"},
                "/roles/review",
                times=5,
            ),
        ]
    )
    assert results.server_errors == []
    assert _audits("role.approved") + _audits("role.returned") == 1
    decided = db.session.get(Role, role.id)
    assert decided.status in {"published", "returned"}
    assert _count(RoleVersion) == (1 if decided.status == "published" else 0)


def test_ten_parallel_closures_close_once(personas, login, parallel, publish) -> None:
    role = publish(personas.org_a, "Befriender")
    page = f"/roles/{role.id}/edit"
    results = parallel.post(
        login(personas.coordinator_a), f"/roles/{role.id}/close", {}, form_page=page
    )
    assert results.server_errors == []
    assert _audits("role.closed") == 1
    assert db.session.get(Role, role.id).status == "closed"
