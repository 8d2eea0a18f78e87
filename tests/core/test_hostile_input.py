"""Hostile requests are a form error or a 400/404: never a 500, and nothing is stored — on
SQLite and PostgreSQL alike (NUL bytes only break PostgreSQL).

Control characters (NUL, the rest of C0, DEL) in query strings, path segments, JSON bodies, form
fields and raw form values; ids like 10**22 or "²" in query strings, forms and URLs. Imports and
downloads: test_tabular_safety.py.
"""

from __future__ import annotations

import ast
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from wtforms import IntegerField, SelectMultipleField, StringField, TextAreaField

from tests.helpers import csrf_token_from, post_form
from volunteer_hub.extensions import db
from volunteer_hub.hours.models import HourRecord
from volunteer_hub.organisations.roles import ensure_default_categories
from volunteer_hub.timebank import services as timebank_services
from volunteer_hub.timebank.models import Exchange, Listing, Match
from volunteer_hub.training.models import Completion, Course, RoleCourse, TrainingSession
from volunteer_hub.volunteers.models import Volunteer

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "volunteer_hub"
TODAY = date.today()
HUGE = str(10**22)
#: The largest PostgreSQL INTEGER: every id column is one.
MAX_ID = 2_147_483_647
#: The start of the error shown on a form field holding control characters.
UNUSUAL = "Remove the unusual characters"
#: Hostile ids: too big for any id column, a superscript digit that isdigit() accepts and int()
#: refuses, a digit int() accepts but that is not ASCII, a sign, and 5,000 digits.
BAD_IDS = [HUGE, "2147483648", "²", "٣", "-1", "1" * 5000]
FRIENDLY_400 = "There is a problem with your request"


def _refused(response, status: int = 400) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    if status == 400 and response.mimetype == "text/html":
        assert FRIENDLY_400 in response.get_data(as_text=True)


# --- control characters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/opportunities?q=a%00b",
        "/opportunities?q=a%01b",
        "/opportunities?q=a%7Fb",
        "/opportunities?q=a%0Ab",
        "/opportunities?q%00=x",
        "/api/v1/reports/value?start=2025-04-01&end=2026-03-31&organisation=a%00b",
    ],
)
def test_control_characters_in_any_query_argument_are_a_bad_request(client, url) -> None:
    _refused(client.get(url))


def test_control_characters_in_the_staff_pages_query_arguments_are_a_bad_request(
    personas, login, bank
) -> None:
    coordinator = login(personas.coordinator_a)
    _refused(coordinator.get("/hours/approvals?volunteer=a%00b"))
    _refused(coordinator.get("/hours/approvals?from=2025-01-01%00"))
    member_client = login(personas.volunteer)
    _refused(member_client.get(f"/timebanks/{bank.timebank.id}/listings?q=a%00b"))
    _refused(member_client.get(f"/timebanks/{bank.timebank.id}/listings?area=%00"))


def test_control_characters_in_a_path_segment_are_not_found(personas, login) -> None:
    client = login(personas.centre)
    _refused(client.get("/opportunities/a%00b"), 404)
    _refused(client.get("/organisations/a%00b"), 404)
    _refused(client.get("/references/a%00b"), 404)


def test_control_characters_in_a_json_body_are_a_bad_request(client) -> None:
    response = client.get("/api/v1/openapi.json", json={"name": "a\x00b"})
    assert response.status_code == 400 and response.json == {
        "error": FRIENDLY_400,
        "status": 400,
    }
    assert client.get("/api/v1/openapi.json", json={"text": "two\nlines"}).status_code == 200


@pytest.mark.parametrize("body", [[1, 2], {"email": {"x": 1}}, {"email": 5}, "text", 5])
def test_a_json_body_a_form_cannot_read_is_a_bad_request(client, body) -> None:
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", json=body, headers={"X-CSRFToken": token})
    _refused(response)


def test_nul_in_the_profile_form_is_an_error_on_the_field(personas, login) -> None:
    client = login(personas.volunteer)
    response = post_form(client, "/profile", {"phone": "07700\x00900000", "postcode": "nb1 4rt"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert UNUSUAL in page and 'href="#phone"' in page
    assert db.session.scalar(select(Volunteer.phone)) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Shopping\x00"),
        ("title", "Shopping\x1b[31m"),
        ("title", "Two\nlines"),  # one-line text: no line breaks either
        ("description", "Tuesdays\x00"),
        ("area", "SE15\x7f"),
    ],
)
def test_control_characters_in_a_listing_are_an_error_on_the_field(
    personas, login, bank, field, value
) -> None:
    client = login(personas.volunteer)
    data = {"kind": "offer", "category": "shopping", "title": "Shopping", "area": "SE15"}
    response = post_form(
        client, f"/timebanks/{bank.timebank.id}/listings/new", {**data, field: value}
    )
    assert response.status_code == 400
    assert UNUSUAL in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Listing.id))) == 0


def test_a_text_area_keeps_its_line_breaks_and_tabs(personas, login, bank) -> None:
    client = login(personas.volunteer)
    response = post_form(
        client,
        f"/timebanks/{bank.timebank.id}/listings/new",
        {
            "kind": "offer",
            "category": "shopping",
            "title": "Shopping",
            "description": "Tuesdays\r\n\tand Thursdays",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert "Thursdays" in db.session.scalar(select(Listing.description))


def test_control_characters_in_a_raw_form_value_are_a_bad_request(personas, login, bank) -> None:
    listing = timebank_services.post_listing(
        user=db.session.get(type(personas.volunteer), bank.bob.user_id),
        timebank=bank.timebank,
        values={"kind": "offer", "category": "shopping", "title": "Lifts", "description": ""},
    )
    db.session.commit()
    client = login(personas.volunteer)
    page = f"/listings/{listing.id}"
    _refused(post_form(client, f"{page}/respond", {"message": "Hi\x00"}, form_page=page))
    assert db.session.scalar(select(func.count(Match.id))) == 0
    # A text area: line breaks are fine.
    answered = post_form(client, f"{page}/respond", {"message": "Hi,\nme"}, form_page=page)
    assert answered.status_code == 302
    assert db.session.scalar(select(Match.message)) == "Hi, me"  # spaces collapsed


def _form_in(app: Flask, form_class: type, data: dict) -> Any:
    """A form bound to a POST of ``data`` (CSRF off: only the fields are under test)."""
    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context(method="POST", data=MultiDict(data)):
        form = form_class()
        form.validate()
        return form


def test_every_form_field_refuses_control_characters(app) -> None:
    from volunteer_hub.core.forms import FlaskForm
    from volunteer_hub.core.inputs import UNUSUAL_CHARACTERS

    assert UNUSUAL_CHARACTERS.startswith(UNUSUAL)

    class Sample(FlaskForm):
        name = StringField()
        notes = TextAreaField()
        count = IntegerField()

    form = _form_in(app, Sample, {"name": "a\x00", "notes": "a\x00", "count": "1\x00"})
    assert form.errors == {
        "name": [UNUSUAL_CHARACTERS],
        "notes": [UNUSUAL_CHARACTERS],
        "count": [UNUSUAL_CHARACTERS],
    }
    form = _form_in(app, Sample, {"name": "a\tb", "notes": "a\tb\r\nc", "count": "1"})
    assert form.errors == {"name": [UNUSUAL_CHARACTERS]}


def test_every_integer_field_fits_the_database_and_int_choices_are_ids(app) -> None:
    from volunteer_hub.core.forms import FlaskForm

    class Sample(FlaskForm):
        count = IntegerField()
        people = SelectMultipleField(coerce=int, choices=[], validate_choice=False)

    form = _form_in(app, Sample, {"count": HUGE, "people": [HUGE]})
    assert form.errors == {"count": ["Enter a smaller number"], "people": ["Choose from the list"]}
    form = _form_in(app, Sample, {"count": "-" + HUGE, "people": ["²"]})
    assert form.errors == {"count": ["Enter a larger number"], "people": ["Choose from the list"]}
    form = _form_in(app, Sample, {"count": "12", "people": ["7", str(MAX_ID)]})
    assert form.errors == {} and form.people.data == [7, MAX_ID]


def test_every_form_is_declared_from_the_core_base_form() -> None:
    """Forms get the control-character and number checks from core.forms.FlaskForm only."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "core" / "forms.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in {"flask_wtf", "wtforms.form"}:
                names = {alias.name for alias in node.names}
                if names & {"FlaskForm", "Form", "BaseForm"}:
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_raw_form_values_are_read_through_core_inputs() -> None:
    """Outside core, ``request.form`` is only compared with a constant (``"x" in request.form``,
    ``request.form.get("x") == "yes"``); any value used is read with core.inputs' form_text,
    form_ids… so control characters and bad ids are refused."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.parent == PACKAGE / "core":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Attribute)
                and node.attr == "form"
                and isinstance(node.value, ast.Name)
                and node.value.id == "request"
            ):
                continue
            parent = parents.get(node)
            if isinstance(parent, ast.Compare):
                continue  # "x" in request.form
            if (
                isinstance(parent, ast.Attribute)
                and parent.attr == "get"
                and isinstance(parents.get(parent), ast.Call)
                and isinstance(parents.get(parents[parent]), ast.Compare)
            ):
                continue  # request.form.get("x") == "yes"
            offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


# --- numbers and ids ------------------------------------------------------------------------


@pytest.mark.parametrize("raw", BAD_IDS)
def test_a_bad_role_id_in_the_approvals_queue_is_a_bad_request(personas, login, raw) -> None:
    coordinator = login(personas.coordinator_a)
    _refused(coordinator.get("/hours/approvals", query_string={"role": raw}))
    # A page number only shapes the page: an odd one is the first page.
    assert coordinator.get("/hours/approvals", query_string={"page": raw}).status_code == 200


@pytest.mark.parametrize("raw", BAD_IDS)
def test_odd_numbers_in_the_public_search_are_ignored(client, raw) -> None:
    for query in ({"page": raw}, {"max_hours": raw}, {"postcode": "NB1", "miles": raw}):
        assert client.get("/opportunities", query_string=query).status_code == 200


@pytest.mark.parametrize("raw", BAD_IDS)
def test_a_bad_entry_id_in_the_statement_is_a_bad_request(personas, login, bank, raw) -> None:
    url = f"/timebanks/{bank.timebank.id}/accounts/{bank.ann.id}/statement"
    _refused(login(personas.volunteer).get(url, query_string={"before": raw}))


@pytest.mark.parametrize("raw", BAD_IDS)
def test_a_bad_member_id_in_an_exchange_is_an_error_on_the_field(
    personas, login, bank, raw
) -> None:
    client = login(personas.volunteer)
    url = f"/timebanks/{bank.timebank.id}/exchanges/new"
    page = client.get(url).get_data(as_text=True)
    key = page.split('name="key" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token_from(page),
            "key": key,
            "direction": "gave",
            "member": raw,
            "done_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
            "hours": "1",
            "description": "Shopping",
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Exchange.id))) == 0


def _training_session(personas) -> TrainingSession:
    course = Course(
        title="First aid", provider_id=personas.org_a.id, duration_minutes=180, valid_months=36
    )
    db.session.add(course)
    db.session.flush()
    session = TrainingSession(
        course_id=course.id,
        held_on=TODAY + timedelta(days=10),
        starts_at=time(18, 30),
        place="Hall",
        capacity=5,
        trainer_id=personas.coordinator_a.id,
    )
    db.session.add(session)
    db.session.commit()
    return session


@pytest.mark.parametrize("raw", BAD_IDS)
def test_a_bad_id_in_training_attendance_is_a_bad_request(personas, login, raw) -> None:
    session = _training_session(personas)
    page = f"/training/sessions/{session.id}"
    client = login(personas.coordinator_a)
    _refused(post_form(client, f"{page}/attendance", {"attended": raw}, form_page=page))
    assert db.session.scalar(select(func.count(Completion.id))) == 0


@pytest.mark.parametrize("raw", BAD_IDS)
def test_a_bad_course_id_in_role_training_is_a_bad_request(personas, login, publish, raw) -> None:
    ensure_default_categories()
    role = publish(personas.org_a, "Befriender")
    url = f"/roles/{role.id}/training"
    _refused(post_form(login(personas.coordinator_a), url, {"course": raw}))
    assert db.session.scalar(select(func.count(RoleCourse.role_id))) == 0


def test_a_bad_volunteer_id_in_a_group_session_is_an_error_on_the_field(personas, login) -> None:
    client = login(personas.coordinator_a)
    response = post_form(
        client,
        f"/organisations/{personas.org_a.slug}/hours/group",
        {
            "day": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
            "hours": "2",
            "minutes": "0",
            "role": "",
            "volunteers": [HUGE],
            "submit": "Record hours",
        },
    )
    assert response.status_code == 400
    assert "Choose from the list" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(HourRecord.id))) == 0


@pytest.mark.parametrize(
    "url",
    [
        "/hours/99999999999999999999/correct",
        "/hours/2147483648/correct",
        "/hours/%D9%A3/correct",  # an Arabic-Indic three
        "/timebanks/99999999999999999999/listings",
        "/listings/99999999999999999999",
        "/training/sessions/99999999999999999999",
        f"/roles/{'9' * 5000}/training",
    ],
)
def test_a_huge_id_in_a_url_is_not_found(personas, login, url) -> None:
    _refused(login(personas.coordinator_a).get(url), 404)


def test_int_routes_take_ascii_ids_up_to_the_largest_integer(app) -> None:
    urls = app.url_map.bind("localhost")
    endpoint = "hours.correct_record"
    assert urls.match(f"/hours/{MAX_ID}/correct") == (endpoint, {"record_id": MAX_ID})
    assert urls.match("/hours/007/correct") == (endpoint, {"record_id": 7})
    for url in (f"/hours/{MAX_ID + 1}/correct", "/hours/٣/correct", "/hours/-1/correct"):
        with pytest.raises(NotFound):
            urls.match(url)


@given(st.text())
def test_to_id_accepts_only_ascii_digits_in_range(raw: str) -> None:
    from volunteer_hub.core.inputs import to_id

    value = to_id(raw)
    if value is not None:
        assert raw.isascii() and raw.isdigit() and int(raw) == value <= MAX_ID


@given(st.integers(min_value=-(2**70), max_value=2**70))
def test_to_id_round_trips_every_id_and_refuses_the_rest(number: int) -> None:
    from volunteer_hub.core.inputs import MAX_ID as LARGEST
    from volunteer_hub.core.inputs import to_id

    assert LARGEST == MAX_ID
    expected = number if 0 <= number <= MAX_ID else None
    assert to_id(str(number)) == expected
    assert to_id(number) == expected


@given(st.text())
def test_unusual_finds_every_control_character(text: str) -> None:
    from volunteer_hub.core.inputs import unusual

    controls = {chr(c) for c in range(32)} | {"\x7f"}
    surrogates = any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    assert unusual(text) == (bool(set(text) & controls) or surrogates)
    assert unusual(text, multiline=True) == (
        bool(set(text) & (controls - {"\t", "\n", "\r"})) or surrogates
    )
