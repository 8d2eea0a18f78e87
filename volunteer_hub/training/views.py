"""The training catalogue, sessions and bookings, training records and expiries."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from volunteer_hub.accounts.permissions import get_or_404, has_any_role, role_required
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, GovDateField, attach_error, perform
from volunteer_hub.core.inputs import form_ids, to_id
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Role
from volunteer_hub.placements.models import Placement
from volunteer_hub.recruitment.models import Application
from volunteer_hub.training import services
from volunteer_hub.training.models import Booking, Completion, Course, TrainingSession
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for

bp = Blueprint("training", __name__)


class CourseForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the course title"), Length(max=200)],
    )
    provider = SelectField("Provided by", choices=[], widget=GovSelect())
    description = TextAreaField(
        "Description", widget=GovTextArea(), validators=[Optional(), Length(max=5000)]
    )
    hours = IntegerField(
        "Length: hours",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the hours (0 or more)"),
            NumberRange(min=0, max=120, message="Enter hours from 0 to 120"),
        ],
    )
    minutes = SelectField(
        "Length: minutes",
        choices=[("0", "0"), ("15", "15"), ("30", "30"), ("45", "45")],
        widget=GovSelect(),
    )
    valid_months = IntegerField(
        "Valid for (months)",
        description="Leave empty if a completion never expires, such as an induction",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=1, max=240, message="Enter 1 to 240 months")],
    )
    active = BooleanField("Open for sessions and bookings", default=True, widget=GovCheckboxInput())
    submit = SubmitField("Save the course", widget=GovSubmitInput())


class SessionForm(FlaskForm):
    held_on = GovDateField("Date", validators=[InputRequired(message="Enter the date")])
    starts_at = StringField(
        "Start time",
        description="For example, 18:30",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the start time"), Length(max=5)],
    )
    place = StringField(
        "Where (leave empty if online only)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300)],
    )
    online_link = StringField(
        "Online link (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=500)]
    )
    capacity = IntegerField(
        "Places",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the number of places"),
            NumberRange(min=1, max=500, message="Enter 1 to 500 places"),
        ],
    )
    submit = SubmitField("Add the session", widget=GovSubmitInput())


class ExternalForm(FlaskForm):
    course = SelectField("Course", choices=[], widget=GovSelect())
    completed_on = GovDateField(
        "Completed on", validators=[InputRequired(message="Enter the date it was completed")]
    )
    evidence = StringField(
        "Evidence seen",
        description="For example, certificate number FA-1234 from a first aid provider",
        widget=GovTextInput(),
        validators=[InputRequired(message="Describe the evidence you saw"), Length(max=500)],
    )
    submit = SubmitField("Record the completion", widget=GovSubmitInput())


class ExceptionForm(FlaskForm):
    course = SelectField("Course", choices=[], widget=GovSelect())
    reason = TextAreaField(
        "Why the volunteer may start without it",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the reason"), Length(max=1000)],
    )
    submit = SubmitField("Record the exception", widget=GovSubmitInput())


def _today() -> date:
    return date.today()


def _course_values(form: CourseForm) -> dict[str, object]:
    provider = form.provider.data or ""
    return {
        "title": form.title.data,
        "provider_id": to_id(provider),
        "description": form.description.data,
        "duration_minutes": (form.hours.data or 0) * 60 + int(form.minutes.data or 0),
        "valid_months": form.valid_months.data,
        "active": bool(form.active.data),
    }


@bp.get("/training")
@role_required("volunteer", "staff")
def catalogue() -> ResponseReturnValue:
    courses = db.session.scalars(
        select(Course).where(Course.active.is_(True)).order_by(Course.title)
    ).all()
    upcoming = db.session.scalars(
        select(TrainingSession)
        .where(TrainingSession.held_on > _today(), TrainingSession.cancelled.is_(False))
        .order_by(TrainingSession.held_on, TrainingSession.starts_at)
    ).all()
    by_course: dict[int, list[TrainingSession]] = {}
    for session in upcoming:
        by_course.setdefault(session.course_id, []).append(session)
    return render_template(
        "training/catalogue.html",
        courses=courses,
        sessions=by_course,
        manages=bool(services.providers_for(current_user)) and not _volunteer_only(),
    )


def _volunteer_only() -> bool:
    return not (
        current_user.is_admin
        or current_user.is_centre_coordinator
        or current_user.is_org_coordinator
    )


@bp.route("/training/courses/new", methods=["GET", "POST"])
@bp.route("/training/courses/<int:course_id>/edit", methods=["GET", "POST"])
@role_required("staff")
def course_form(course_id: int | None = None) -> ResponseReturnValue:
    course = db.session.get(Course, course_id) if course_id else None
    if course_id and (
        course is None or not services.manages_provider(current_user, course.provider_id)
    ):
        abort(404)
    form = CourseForm(obj=course)
    form.provider.choices = [("", "Choose the provider")] + [
        (str(o.id), o.name) for o in services.providers_for(current_user)
    ]
    if course is not None and request.method == "GET":
        form.provider.data = str(course.provider_id)
        form.hours.data, minutes = divmod(course.duration_minutes, 60)
        form.minutes.data = str(minutes)
    if form.validate_on_submit():
        try:
            saved = services.save_course(
                actor=current_user, values=_course_values(form), course=course
            )
        except IntegrityError:  # the same new course sent twice at once: added once
            db.session.rollback()
            flash("This course has just been added.", "info")
            return redirect(url_for("training.catalogue"))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Course saved.", "success")
            return redirect(url_for("training.course", course_id=saved.id))
    return render_template("training/course_form.html", form=form, course=course), (
        400 if form.errors else 200
    )


@bp.get("/training/courses/<int:course_id>")
@role_required("volunteer", "staff")
def course(course_id: int) -> ResponseReturnValue:
    found = db.session.get(Course, course_id)
    if found is None:
        abort(404)
    manages = services.manages_provider(current_user, found.provider_id)
    statement = select(TrainingSession).where(TrainingSession.course_id == found.id)
    if not manages:
        statement = statement.where(TrainingSession.held_on > _today())
    sessions = db.session.scalars(
        statement.order_by(TrainingSession.held_on.desc(), TrainingSession.starts_at)
    ).all()
    return render_template(
        "training/course.html", course=found, sessions=sessions, manages=manages, today=_today()
    )


@bp.route("/training/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@role_required("staff")
def new_session(course_id: int) -> ResponseReturnValue:
    found = db.session.get(Course, course_id)
    if found is None or not services.manages_provider(current_user, found.provider_id):
        abort(404)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            starts_at = _time(form.starts_at.data or "")
            session = services.add_session(
                actor=current_user,
                course=found,
                values={
                    "held_on": form.held_on.data,
                    "starts_at": starts_at,
                    "place": form.place.data,
                    "online_link": form.online_link.data,
                    "capacity": form.capacity.data,
                },
                today=_today(),
            )
        except AlreadyDone as error:
            db.session.rollback()
            flash(error.message, "info")
            return redirect(url_for("training.course", course_id=found.id))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Session added.", "success")
            return redirect(url_for("training.session", session_id=session.id))
    return render_template("training/session_form.html", form=form, course=found), (
        400 if form.errors else 200
    )


def _time(text: str) -> object:
    try:
        return datetime.strptime(text.strip().replace(".", ":"), "%H:%M").time()
    except ValueError:
        raise DomainError(
            "Enter the start time as hours and minutes, like 18:30", field="starts_at"
        ) from None


@bp.get("/training/sessions/<int:session_id>")
@role_required("volunteer", "staff")
def session(session_id: int) -> ResponseReturnValue:
    found = db.session.get(TrainingSession, session_id)
    if found is None:
        abort(404)
    volunteer = services.volunteer_of(current_user)
    mine = (
        next((b for b in found.bookings if b.volunteer_id == volunteer.id), None)
        if volunteer
        else None
    )
    return render_template(
        "training/session.html",
        session=found,
        mine=mine if mine is None or mine.status != "cancelled" else None,
        may_book=has_any_role(current_user, "volunteer"),
        marks=services.may_mark(current_user, found),
        today=_today(),
        button=FlaskForm(),
    )


@bp.post("/training/sessions/<int:session_id>/book")
@role_required("volunteer")
def book(session_id: int) -> ResponseReturnValue:
    found = db.session.get(TrainingSession, session_id)
    if found is None:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        booking = services.book(user=current_user, session=found, today=_today())
    except AlreadyDone as error:
        db.session.rollback()
        flash(error.message, "info")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            "You are booked on this session."
            if booking.status == "booked"
            else "The session is full: you are on the waiting list, and we will email you if a "
            "place comes free.",
            "success",
        )
    return redirect(url_for("training.session", session_id=session_id))


@bp.post("/training/bookings/<int:booking_id>/cancel")
@role_required("volunteer", "staff")
def cancel(booking_id: int) -> ResponseReturnValue:
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    session_id = booking.session_id
    return perform(
        lambda: services.cancel(user=current_user, booking=booking, today=_today()),
        done="Booking cancelled.",
        back=url_for("training.session", session_id=session_id),
    )


@bp.post("/training/sessions/<int:session_id>/attendance")
@role_required("staff")
def attendance(session_id: int) -> ResponseReturnValue:
    found = db.session.get(TrainingSession, session_id)
    if found is None or not services.may_mark(current_user, found):
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    attended = set(form_ids("attended"))
    return perform(
        lambda: services.mark_attendance(
            actor=current_user, session=found, attended=attended, today=_today()
        ),
        done="Attendance saved; completions recorded.",
        back=url_for("training.session", session_id=session_id),
    )


@bp.get("/my-training")
@role_required("volunteer")
def mine() -> ResponseReturnValue:
    volunteer = volunteer_for(current_user)
    db.session.commit()  # the volunteer record, made on first use
    return _record_page(volunteer, own=True)


def _record_page(volunteer: Volunteer, *, own: bool, form: ExternalForm | None = None) -> str:
    today = _today()
    completions = db.session.scalars(
        select(Completion)
        .where(Completion.volunteer_id == volunteer.id)
        .order_by(Completion.completed_on.desc())
    ).all()
    placements = db.session.scalars(
        select(Placement).where(
            Placement.volunteer_id == volunteer.id, Placement.end_date.is_(None)
        )
    ).all()
    due = [(p, services.placement_flags(p, today)) for p in placements]
    bookings = db.session.scalars(
        select(Booking)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .where(
            Booking.volunteer_id == volunteer.id,
            Booking.status.in_(("booked", "waiting")),
            TrainingSession.held_on >= today,
        )
        .order_by(TrainingSession.held_on)
    ).all()
    return render_template(
        "training/record.html",
        volunteer=volunteer,
        own=own,
        completions=completions,
        due=[(p, flags) for p, flags in due if flags],
        bookings=bookings,
        today=today,
        form=form,
    )


@bp.route("/training/volunteers/<int:volunteer_id>", methods=["GET", "POST"])
@role_required("staff")
def volunteer_record(volunteer_id: int) -> ResponseReturnValue:
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or not services.coordinates_volunteer(current_user, volunteer):
        abort(404)
    form = ExternalForm()
    courses = db.session.scalars(select(Course).order_by(Course.title)).all()
    form.course.choices = [("", "Choose the course")] + [(str(c.id), c.title) for c in courses]
    if form.validate_on_submit():
        chosen = next((c for c in courses if str(c.id) == form.course.data), None)
        try:
            if chosen is None:
                raise DomainError("Choose the course", field="course")
            services.record_external(
                actor=current_user,
                volunteer=volunteer,
                course=chosen,
                completed_on=form.completed_on.data,
                evidence=form.evidence.data or "",
                today=_today(),
            )
        except AlreadyDone as error:
            db.session.rollback()
            flash(error.message, "info")
            return redirect(url_for("training.volunteer_record", volunteer_id=volunteer.id))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Completion recorded.", "success")
            return redirect(url_for("training.volunteer_record", volunteer_id=volunteer.id))
    return _record_page(volunteer, own=False, form=form), (400 if form.errors else 200)


@bp.route("/roles/<int:role_id>/training", methods=["GET", "POST"])
@role_required("staff")
def role_training(role_id: int) -> ResponseReturnValue:
    role = get_or_404(Role, role_id, action="change")
    courses = db.session.scalars(
        select(Course).where(Course.active.is_(True)).order_by(Course.title)
    ).all()
    chosen = {rc.course_id for rc in services.required_for_role(role.id)}
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        ids = set(form_ids("course"))
        return perform(
            lambda: services.set_required_courses(actor=current_user, role=role, course_ids=ids),
            done="Required training saved.",
            back=url_for("training.role_training", role_id=role.id),
        )
    return render_template(
        "training/role.html", role=role, courses=courses, chosen=chosen, button=FlaskForm()
    )


@bp.route("/applications/<int:application_id>/training", methods=["GET", "POST"])
@role_required("staff")
def application_training(application_id: int) -> ResponseReturnValue:
    application = get_or_404(Application, application_id, action="change")
    if application.role is None:
        abort(404)
    today = _today()
    needs = services.requirements(application.volunteer_id, application.role.id, today)
    form = ExceptionForm()
    form.course.choices = [("", "Choose the course")] + [
        (str(r.course.id), r.course.title) for r in needs if r.blocking
    ]
    if form.validate_on_submit():
        chosen = next((r.course for r in needs if str(r.course.id) == form.course.data), None)
        try:
            if chosen is None:
                raise DomainError("Choose the course", field="course")
            services.record_exception(
                actor=current_user,
                application=application,
                course=chosen,
                reason=form.reason.data or "",
            )
        except AlreadyDone as error:
            db.session.rollback()
            flash(error.message, "info")
            return redirect(url_for("training.application_training", application_id=application.id))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Exception recorded.", "success")
            return redirect(url_for("training.application_training", application_id=application.id))
    return render_template(
        "training/application.html", application=application, needs=needs, form=form
    ), (400 if form.errors else 200)


@bp.get("/training/expiries")
@role_required("staff")
def expiries() -> ResponseReturnValue:
    today = _today()
    return render_template(
        "training/expiries.html",
        expiring=services.expiring_for(current_user, today),
        flagged=services.flagged_placements(current_user, today),
        today=today,
        window=services.EXPIRY_WINDOW_DAYS,
    )


@bp.app_template_global()
def training_flags(placement: Placement) -> list[services.Requirement]:
    """For the placement page: required courses expired, missing or expiring soon."""
    return services.placement_flags(placement, _today())


@bp.app_template_global()
def required_courses(role_id: int) -> list[Course]:
    """For task descriptions: the courses a role's volunteers must hold."""
    return [rc.course for rc in services.required_for_role(role_id)]
