"""``core.forms.attempt``: a form's one service call, committed once or shown as its error."""

from __future__ import annotations

from flask import get_flashed_messages
from sqlalchemy import select
from wtforms import StringField

from tests.factories import OrganisationFactory
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, attempt
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Organisation


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name")


def _rename(organisation_id: int, name: str, error: DomainError | None = None) -> str:
    organisation = db.session.get(Organisation, organisation_id)
    assert organisation is not None
    organisation.name = name
    db.session.flush()
    if error is not None:
        raise error
    return name


def _name(organisation_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Organisation.name).where(Organisation.id == organisation_id))


def test_success_commits_once_and_returns_the_result(app) -> None:
    organisation_id = OrganisationFactory(name="Before").id
    db.session.commit()
    with app.test_request_context(method="POST"):
        outcome = attempt(NameForm(), lambda: _rename(organisation_id, "After"))
        assert (outcome.ok, outcome.already, outcome.result) == (True, False, "After")
    db.session.remove()
    assert _name(organisation_id) == "After"


def test_a_domain_error_rolls_back_and_is_shown_on_its_field(app) -> None:
    organisation_id = OrganisationFactory(name="Before").id
    db.session.commit()
    with app.test_request_context(method="POST"):
        form = NameForm()
        error = DomainError("Choose another name", field="name")
        outcome = attempt(form, lambda: _rename(organisation_id, "Changed", error))
        assert not outcome.ok and not outcome.already and outcome.result is None
        assert form.name.errors == ["Choose another name"]
    assert _name(organisation_id) == "Before"


def test_done_already_rolls_back_and_says_so_politely(app) -> None:
    organisation_id = OrganisationFactory(name="Before").id
    db.session.commit()
    with app.test_request_context(method="POST"):
        form = NameForm()
        error = AlreadyDone("That was done already")
        outcome = attempt(form, lambda: _rename(organisation_id, "Twice", error))
        assert outcome.already and not outcome.ok
        assert not form.name.errors
        assert get_flashed_messages(with_categories=True) == [("info", "That was done already")]
    assert _name(organisation_id) == "Before"
