"""factory_boy factories for the models tests need."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from volunteer_hub.accounts.models import Membership, User, UserRole
from volunteer_hub.accounts.passwords import hash_password
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class OrganisationFactory(Base):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Community Group {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    kind = "vco"


class UserFactory(Base):
    class Meta:
        model = User

    name = factory.Sequence(lambda n: f"Test Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.test")
    password_hash = _PASSWORD_HASH
    email_verified_at = factory.LazyFunction(utcnow)
    is_active = True

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **_: object) -> None:
        for role in extracted if extracted is not None else ["volunteer"]:
            self.roles.append(UserRole(role=role))
        db.session.flush()

    @factory.post_generation
    def coordinates(self, create: bool, extracted: list[Organisation] | None, **_: object) -> None:
        for organisation in extracted or []:
            self.memberships.append(Membership(organisation_id=organisation.id, role="coordinator"))
        db.session.flush()

    @factory.post_generation
    def partner_of(self, create: bool, extracted: list[Organisation] | None, **_: object) -> None:
        for organisation in extracted or []:
            self.memberships.append(Membership(organisation_id=organisation.id, role="partner"))
        db.session.flush()
