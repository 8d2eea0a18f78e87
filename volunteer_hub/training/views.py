"""The training catalogue, sessions and bookings, training records and expiries."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from volunteer_hub.accounts.permissions import get_or_404, has_any_role, role_required
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import FlaskForm, attach_error, choices, perform
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Role
from volunteer_hub.placements.models import Placement
from volunteer_hub.recruitment.models import Application
from volunteer_hub.training import queries, services
from volunteer_hub.training.forms import (
    AttendanceForm,
    CourseForm,
    ExceptionForm,
    ExternalForm,
    RequiredCoursesForm,
    SessionForm,
    course_values,
    start_time,
)
from volunteer_hub.training.models import Booking, Course, TrainingSession
from volunteer_hub.volunteers.models import Volunteer
from volunteer_hub.volunteers.services import volunteer_for

bp = Blueprint("training", __name__)


def _today() -> date:
    return date.today()


def _coordinated_volunteer_or_404(volunteer_id: int) -> Volunteer:
    """A volunteer the current user coordinates (the centre: anyone), or 404."""
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or not queries.coordinates_volunteer(current_user, volunteer):
        abort(404)
    return volunteer


@bp.get("/training")
@role_required("volunteer", "staff")
def catalogue() -> ResponseReturnValue:
    return render_template(
        "training/catalogue.html",
        courses=queries.active_courses(),
        sessions=queries.upcoming_sessions_by_course(_today()),
        manages=bool(queries.providers_for(current_user)) and not _volunteer_only(),
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
    course = get_or_404(Course, course_id, action="change") if course_id else None
    form = CourseForm(obj=course)
    form.provider.choices = choices(
        ((str(o.id), o.name) for o in queries.providers_for(current_user)),
        prompt="Choose the provider",
    )
    if course is not None and request.method == "GET":
        form.provider.data = str(course.provider_id)
        form.hours.data, minutes = divmod(course.duration_minutes, 60)
        form.minutes.data = str(minutes)
    if form.validate_on_submit():
        try:
            saved = services.save_course(
                actor=current_user, values=course_values(form), course=course
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
    found = get_or_404(Course, course_id)
    manages = queries.manages_provider(current_user, found.provider_id)
    sessions = queries.sessions_of(found, after=None if manages else _today())
    return render_template(
        "training/course.html", course=found, sessions=sessions, manages=manages, today=_today()
    )


@bp.route("/training/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@role_required("staff")
def new_session(course_id: int) -> ResponseReturnValue:
    found = get_or_404(Course, course_id, action="change")
    form = SessionForm()
    if form.validate_on_submit():
        try:
            starts_at = start_time(form.starts_at.data or "")
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


@bp.get("/training/sessions/<int:session_id>")
@role_required("volunteer", "staff")
def session(session_id: int) -> ResponseReturnValue:
    found = get_or_404(TrainingSession, session_id)
    volunteer = queries.volunteer_of(current_user)
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
        marks=queries.may_mark(current_user, found),
        today=_today(),
        button=FlaskForm(),
    )


@bp.post("/training/sessions/<int:session_id>/book")
@role_required("volunteer")
def book(session_id: int) -> ResponseReturnValue:
    found = get_or_404(TrainingSession, session_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: services.book(user=current_user, session=found, today=_today()),
        done=lambda booking: (
            "You are booked on this session."
            if booking.status == "booked"
            else "The session is full: you are on the waiting list, and we will email you if a "
            "place comes free."
        ),
        back=url_for("training.session", session_id=session_id),
    )


@bp.post("/training/bookings/<int:booking_id>/cancel")
@role_required("volunteer", "staff")
def cancel(booking_id: int) -> ResponseReturnValue:
    booking = get_or_404(Booking, booking_id)
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
    found = get_or_404(TrainingSession, session_id, action="change")
    form = AttendanceForm()
    if not form.validate_on_submit():
        abort(400)
    attended = set(form.attended.data)
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
    due = [(p, queries.placement_flags(p, today)) for p in queries.active_placements_of(volunteer)]
    return render_template(
        "training/record.html",
        volunteer=volunteer,
        own=own,
        completions=queries.completions_of(volunteer),
        due=[(p, flags) for p, flags in due if flags],
        bookings=queries.upcoming_bookings(volunteer, today),
        today=today,
        form=form,
    )


@bp.route("/training/volunteers/<int:volunteer_id>", methods=["GET", "POST"])
@role_required("staff")
def volunteer_record(volunteer_id: int) -> ResponseReturnValue:
    volunteer = _coordinated_volunteer_or_404(volunteer_id)
    form = ExternalForm()
    courses = queries.all_courses()
    form.course.choices = choices(
        ((str(c.id), c.title) for c in courses), prompt="Choose the course"
    )
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
    courses = queries.active_courses()
    chosen = {rc.course_id for rc in queries.required_for_role(role.id)}
    if request.method == "POST":
        form = RequiredCoursesForm()
        if not form.validate_on_submit():
            abort(400)
        ids = set(form.course.data)
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
    needs = queries.requirements(application.volunteer_id, application.role.id, today)
    form = ExceptionForm()
    form.course.choices = choices(
        ((str(r.course.id), r.course.title) for r in needs if r.blocking),
        prompt="Choose the course",
    )
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
        expiring=queries.expiring_for(current_user, today),
        flagged=queries.flagged_placements(current_user, today),
        today=today,
        window=queries.EXPIRY_WINDOW_DAYS,
    )


@bp.app_template_global()
def training_flags(placement: Placement) -> list[queries.Requirement]:
    """For the placement page: required courses expired, missing or expiring soon."""
    return queries.placement_flags(placement, _today())


@bp.app_template_global()
def required_courses(role_id: int) -> list[Course]:
    """For task descriptions: the courses a role's volunteers must hold."""
    return [rc.course for rc in queries.required_for_role(role_id)]
