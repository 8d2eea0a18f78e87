"""Interview slots: the coordinators' list for a role, and the applicant's choice of time.
Routes on the scheduling blueprint (imported at the end of ``views.py``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from volunteer_hub.accounts.permissions import get_or_404, role_required
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import date_time, duration, plural
from volunteer_hub.core.forms import FlaskForm, attach_error, attempt, choices, perform
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import Role
from volunteer_hub.recruitment.models import Application
from volunteer_hub.scheduling import interview_queries, interviews
from volunteer_hub.scheduling.forms import (
    InterviewBookForm,
    InterviewSlotsForm,
    interview_plan_values,
)
from volunteer_hub.scheduling.models import InterviewBooking, InterviewSlot
from volunteer_hub.scheduling.views import bp


def slot_label(slot: InterviewSlot) -> str:
    where = "video call" if slot.video_url and not slot.place else slot.place
    return f"{date_time(slot.starts_at, weekday=True)} ({duration(slot.minutes)}, {where})"


@bp.app_template_global()
def interview_booking(application: Application) -> InterviewBooking | None:
    """For the application page: the slot booked, while at the interview stage."""
    return interview_queries.booking_of_application(application.id)


@bp.route("/roles/<int:role_id>/interviews", methods=["GET", "POST"])
@role_required("staff")
def interview_slots(role_id: int) -> ResponseReturnValue:
    role = get_or_404(Role, role_id, action="change")
    form = InterviewSlotsForm()
    if form.validate_on_submit():
        try:
            plan = interviews.SlotPlan(**interview_plan_values(form))
            made = interviews.add_slots(actor=current_user, role=role, plan=plan, now=utcnow())
        except AlreadyDone as error:
            db.session.rollback()
            flash(error.message, "info")
            return redirect(url_for("scheduling.interview_slots", role_id=role.id))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(f"{plural(len(made), 'interview slot')} published.", "success")
            return redirect(url_for("scheduling.interview_slots", role_id=role.id))
    return render_template(
        "scheduling/interview_slots.html",
        role=role,
        form=form,
        slots=interview_queries.slots_of_role(role.id, utcnow()),
        now=utcnow(),
        button=FlaskForm(),
    ), (400 if form.errors else 200)


@bp.post("/interviews/slots/<int:slot_id>/cancel")
@role_required("staff")
def cancel_interview_slot(slot_id: int) -> ResponseReturnValue:
    slot = get_or_404(InterviewSlot, slot_id, action="change")
    if not FlaskForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: interviews.cancel_slot(actor=current_user, slot=slot, now=utcnow()),
        done=lambda booking: (
            f"Slot cancelled; {booking.volunteer.name} has been emailed."
            if booking is not None and booking.status == "cancelled"
            else "Slot cancelled."
        ),
        back=url_for("scheduling.interview_slots", role_id=slot.role_id),
    )


def _own_application(application_id: int) -> Application:
    application = get_or_404(Application, application_id)
    if application.volunteer.user_id != current_user.id or application.role_id is None:
        abort(404)
    return application


@bp.route("/applications/<int:application_id>/interview", methods=["GET", "POST"])
@role_required("volunteer")
def book_interview(application_id: int) -> ResponseReturnValue:
    application = _own_application(application_id)
    now = utcnow()
    current = interview_queries.booking_of_application(application.id)
    slots = interview_queries.open_slots(application.role_id or 0, now, application.id)
    form = InterviewBookForm()
    form.slot.choices = choices((s.id, slot_label(s)) for s in slots)
    back = url_for("recruitment.application", application_id=application.id)
    if form.validate_on_submit():
        chosen = db.session.get(InterviewSlot, form.slot.data)
        if chosen is None:
            abort(404)
        booked = attempt(
            form,
            lambda: interviews.book(
                user=current_user, application=application, slot=chosen, now=now
            ),
        )
        if booked.already:
            return redirect(back)
        if booked.ok and booked.result is not None:
            when = date_time(booked.result.slot.starts_at, weekday=True)
            flash(
                f"Your interview is booked for {when}. We have emailed you an invitation.",
                "success",
            )
            return redirect(back)
    return render_template(
        "scheduling/interview_book.html",
        application=application,
        current=current,
        slots=slots,
        form=form,
        interview_stage=application.stage == "interview",
    ), (400 if form.errors else 200)


@bp.post("/interviews/bookings/<int:booking_id>/cancel")
@role_required("volunteer", "staff")
def cancel_interview(booking_id: int) -> ResponseReturnValue:
    booking = get_or_404(InterviewBooking, booking_id, action="change")
    if not FlaskForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: interviews.cancel_booking(user=current_user, booking=booking, now=utcnow()),
        done="The interview is cancelled; everyone has been emailed.",
        back=url_for("recruitment.application", application_id=booking.application_id),
    )
