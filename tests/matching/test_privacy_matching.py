"""Matching's privacy hooks: the volunteer's choices, digests and invitations, and a
coordinator's saved searches are exported; erasure deletes them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from volunteer_hub.accounts.services import give_consent
from volunteer_hub.extensions import db
from volunteer_hub.matching import services
from volunteer_hub.matching.digest import send_digests
from volunteer_hub.matching.models import DigestSent, Invitation, SavedSearch
from volunteer_hub.matching.reach import DIGEST
from volunteer_hub.privacy.erasure import erase
from volunteer_hub.privacy.export import build_export


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _history(world, personas) -> None:
    give_consent(world.carol_user, DIGEST, "test")
    services.invite(
        actor=personas.coordinator_a,
        role=world.garden,
        volunteer=world.carol,
        explanation="matches your interest in gardening",
        today=date.today(),
    )
    send_digests(datetime.now(UTC))
    services.save_search(owner=personas.coordinator_a, name="Drivers", params={"skill": "driving"})
    db.session.commit()


def test_export_has_choices_digests_invitations_and_saved_searches(world, personas) -> None:
    _history(world, personas)
    data = build_export(user=world.carol_user, volunteer=world.carol, full=False)["matching"]
    assert data["choices"] == {
        "found_by_partner_organisations": True,
        "weekly_matching_email": True,
    }
    assert len(data["digests_sent"]) == 1
    assert data["invitations"][0]["role"] == "Community garden helper"
    consents = build_export(user=world.carol_user, volunteer=world.carol, full=False)
    assert "found_by_partners" in str(consents)  # the consent records themselves (accounts)
    staff = build_export(user=personas.coordinator_a, volunteer=None, full=False)["matching"]
    assert staff["saved_searches"][0]["name"] == "Drivers"
    assert "matching" not in build_export(user=world.dave_user, volunteer=world.dave, full=False)


def test_erasure_deletes_digests_invitations_and_saved_searches(world, personas) -> None:
    _history(world, personas)
    result = erase(actor=personas.admin, user=world.carol_user, today=date.today())
    db.session.commit()
    assert "matching digests deleted" in result.erased
    assert "invitations to apply deleted" in result.erased
    assert _count(DigestSent) == 0 and _count(Invitation) == 0
    erase(actor=personas.admin, user=personas.coordinator_a, today=date.today())
    db.session.commit()
    assert _count(SavedSearch) == 0
