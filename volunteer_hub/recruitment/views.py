"""Public opportunity search and role pages."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from volunteer_hub.accounts.permissions import (
    can_change,
    get_or_404,
    role_required,
)
from volunteer_hub.accounts.queries import consent_stands
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import attach_error, perform
from volunteer_hub.core.geo import (
    centroid,
    covered_areas,
    distance_words,
    miles_between,
    outward_code,
)
from volunteer_hub.core.inputs import to_id
from volunteer_hub.core.templating import register_labels
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db
from volunteer_hub.organisations import queries as organisation_queries
from volunteer_hub.organisations.models import DbsLevel
from volunteer_hub.organisations.permissions import organisation_or_404
from volunteer_hub.organisations.queries import active_categories, latest_version
from volunteer_hub.recruitment import queries, services
from volunteer_hub.recruitment.forms import (
    ApplyForm,
    BrokerForm,
    ButtonForm,
    DbsForm,
    GuardianConsentForm,
    InterestForm,
    MarkReferenceForm,
    MoveForm,
    ReferenceForm,
    ReferenceRequestForm,
)
from volunteer_hub.recruitment.models import (
    DECLINE_REASONS,
    PIPELINE,
    STAGE_LABELS,
    Application,
    Reference,
    Stage,
)
from volunteer_hub.recruitment.queries import (
    DISTANCES,
    HOURS_LIMITS,
    SORTS,
    SearchFilters,
    search,
    visible_role,
)
from volunteer_hub.volunteers.models import Volunteer

bp = Blueprint("recruitment", __name__)
register_labels(bp, stage_labels=STAGE_LABELS)

#: The search page's parameters (carried into pagination links; nothing else is).
SEARCH_FIELDS = (
    "q",
    "category",
    "commitment",
    "remote",
    "under_18",
    "starting_soon",
    "sort",
    "postcode",
    "miles",
    "max_hours",
)


def _flag(name: str) -> bool:
    return request.args.get(name) in {"1", "yes", "on", "true"}


def _page() -> int:
    return max(1, min(to_id(request.args.get("page")) or 1, 10_000))


@bp.get("/opportunities")
def opportunities() -> ResponseReturnValue:
    categories = active_categories()
    keys = {c.key for c in categories}
    category = request.args.get("category", "")
    filters = SearchFilters(
        keyword=(request.args.get("q") or "").strip()[:200],
        category=category if category in keys else "",
        commitment=request.args.get("commitment", "")
        if request.args.get("commitment") in {"regular", "one_off"}
        else "",
        remote=_flag("remote"),
        under_18=_flag("under_18"),
        starting_soon=_flag("starting_soon"),
        sort=request.args.get("sort", "newest") if request.args.get("sort") in SORTS else "newest",
        page=_page(),
    )
    max_hours = to_id(request.args.get("max_hours"))
    if max_hours in HOURS_LIMITS:
        filters.max_hours = max_hours
    postcode = (request.args.get("postcode") or "").strip()[:10]
    problem = None
    if postcode:
        filters.origin = centroid(postcode)
        if outward_code(postcode) is None:
            problem = "Enter a full postcode, like NB1 4RT, or search without one"
        elif filters.origin is None:
            areas = covered_areas()
            problem = (
                f"We cannot search near {postcode.upper()}: it is outside the area we know. "
                + (
                    f"Enter a postcode starting {' or '.join(areas)}, or search without one"
                    if areas
                    else "Enter another postcode nearby, or search without one"
                )
            )
        miles = to_id(request.args.get("miles"))
        filters.miles = miles if miles is not None and miles in DISTANCES else 5
    elif filters.sort == "nearest":
        filters.sort = "newest"
    results = search(filters, date.today())
    distances = {
        role.id: distance_words(miles_between(filters.origin, (role.latitude, role.longitude)))
        for role in results.roles
        if filters.origin and role.latitude is not None and role.longitude is not None
    }
    query = {k: v for k, v in request.args.items() if k in SEARCH_FIELDS}
    return render_template(
        "recruitment/search.html",
        filters=filters,
        results=results,
        categories=categories,
        sorts=SORTS,
        query=query,
        postcode=postcode,
        distances=distances,
        distance_choices=DISTANCES,
        hours_choices=HOURS_LIMITS,
        problem=problem,
    )


@bp.get("/opportunities/<slug>")
def opportunity(slug: str) -> ResponseReturnValue:
    role = visible_role(slug, date.today())
    if role is None:
        abort(404)
    version = latest_version(role)
    if version is None:
        abort(404)
    content = version.content
    dbs_label = DbsLevel(content.get("dbs_level") or "none").label
    return render_template(
        "recruitment/opportunity.html",
        role=role,
        version=version,
        task=content,
        dbs_label=dbs_label,
    )


@bp.route("/opportunities/<slug>/apply", methods=["GET", "POST"])
@role_required("volunteer")
def apply(slug: str) -> ResponseReturnValue:
    role = visible_role(slug, date.today())
    if role is None:
        abort(404)
    form = ApplyForm()
    if form.validate_on_submit():
        try:
            application = services.apply(
                user=current_user,
                role=role,
                message=form.message.data or "",
                today=date.today(),
                under_18=form.age_group.data == "under_18",
                share_profile=bool(form.share_profile.data),
            )
            db.session.flush()
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        except IntegrityError:  # the same application sent twice at once
            db.session.rollback()
            attach_error(
                form,
                DomainError(
                    "You have already applied for this role. You can follow your application "
                    "on your applications page."
                ),
            )
        else:
            db.session.commit()
            flash(
                f"Application sent. {role.organisation.name} will contact you by "
                f"{application.respond_by:%-d %B %Y}.",
                "success",
            )
            return redirect(url_for("recruitment.application", application_id=application.id))
    status = 400 if form.errors else 200
    return render_template("recruitment/apply.html", role=role, form=form), status


@bp.route("/opportunities/interest", methods=["GET", "POST"])
@role_required("volunteer")
def interest() -> ResponseReturnValue:
    form = InterestForm()
    if form.validate_on_submit():
        try:
            application = services.express_interest(
                user=current_user, message=form.message.data or "", today=date.today()
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("Thank you. The volunteer centre will be in touch.", "success")
            return redirect(url_for("recruitment.application", application_id=application.id))
    status = 400 if form.errors else 200
    return render_template("recruitment/interest.html", form=form), status


MOVE_LABELS = {
    "applied": "Applied: the applicant has chosen a role",
    "screening": "Screening (references, checks)",
    "interview": "Interview or informal chat",
    "offered": "Offer the role",
    "declined": "Decline",
}


def _move_form(application: Application) -> MoveForm:
    """The next stage (no stage is skipped) and "Decline"."""
    form = MoveForm()
    if not form.is_submitted():
        form.seen.data = application.stage
    try:
        following = services.MOVES.get(Stage(application.stage), set())
    except ValueError:
        following = set()
    form.to.choices = [SelectChoice(s.value, MOVE_LABELS[s.value]) for s in following] + [
        SelectChoice("declined", MOVE_LABELS["declined"])
    ]
    return form


@bp.get("/applications/<int:application_id>")
@role_required("volunteer", "staff")
def application(application_id: int) -> ResponseReturnValue:
    item = get_or_404(Application, application_id)
    staff = can_change(current_user, item)
    return render_template(
        "recruitment/application.html",
        application=item,
        staff=staff,
        may_see_dbs=queries.may_see_dbs(current_user, item),
        dbs_needed=queries.dbs_check_needed(item, date.today())
        if staff and item.stage in ("screening", "interview", "offered")
        else None,
        references=queries.references_of(item.id) if staff else [],
        reference_form=ReferenceRequestForm(),
        consent_form=GuardianConsentForm(),
        broker_form=BrokerForm(),
        centre=current_user.is_admin or current_user.is_centre_coordinator,
        move=_move_form(item),
        button=ButtonForm(),
        reasons=DECLINE_REASONS,
        today=date.today(),
    )


@bp.post("/applications/<int:application_id>/move")
@role_required("staff")
def move(application_id: int) -> ResponseReturnValue:
    item = get_or_404(Application, application_id, action="change")
    form = _move_form(item)
    back = url_for("recruitment.application", application_id=item.id)
    if not form.validate_on_submit():
        flash("Choose the next stage, or decline with a reason.", "error")
        return redirect(back)
    return perform(
        lambda: services.move(
            actor=current_user,
            application=item,
            to=form.to.data or "",
            note=form.note.data or "",
            reason=form.reason.data or "",
            seen=form.seen.data or None,
        ),
        done=f"Moved to {form.to.data}.",
        back=back,
    )


@bp.post("/applications/<int:application_id>/withdraw")
@role_required("volunteer")
def withdraw(application_id: int) -> ResponseReturnValue:
    item = get_or_404(Application, application_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return perform(
        lambda: services.withdraw(user=current_user, application=item),
        done="Your application has been withdrawn.",
        back=url_for("recruitment.application", application_id=item.id),
    )


@bp.get("/organisations/<slug>/applicants")
@role_required("staff")
def applicants(slug: str) -> ResponseReturnValue:
    organisation = organisation_or_404(slug)
    by_stage: dict[str, list[Application]] = {}
    for item in queries.applications_at(organisation.id):
        by_stage.setdefault(item.stage, []).append(item)
    return render_template(
        "recruitment/applicants.html",
        organisation=organisation,
        by_stage=by_stage,
        stages=[*PIPELINE, Stage.PLACED, Stage.DECLINED, Stage.WITHDRAWN],
        today=date.today(),
    )


@bp.get("/centre")
@role_required("admin", "centre_coordinator")
def centre() -> ResponseReturnValue:
    """The borough-wide funnel, overdue responses and organisations with lapsed checks."""
    today = date.today()
    return render_template(
        "recruitment/centre.html",
        counts=queries.stage_counts(),
        stages=[*PIPELINE, Stage.PLACED, Stage.DECLINED, Stage.WITHDRAWN],
        overdue=queries.overdue(today),
        lapsed=organisation_queries.with_lapsed_checks(today),
        waiting=organisation_queries.submitted_count(),
        today=today,
    )


@bp.route("/applications/<int:application_id>/dbs", methods=["GET", "POST"])
@role_required("staff")
def dbs(application_id: int) -> ResponseReturnValue:
    item = get_or_404(Application, application_id)
    if not queries.may_see_dbs(current_user, item):
        abort(403)
    form = DbsForm()
    if form.validate_on_submit():
        try:
            services.record_dbs(
                actor=current_user,
                application=item,
                values={f.name: f.data for f in form if f.name not in {"csrf_token", "submit"}},
                today=date.today(),
            )
        except AlreadyDone as error:
            db.session.rollback()
            flash(error.message, "info")
            return redirect(url_for("recruitment.dbs", application_id=item.id))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash("DBS record saved.", "success")
            return redirect(url_for("recruitment.dbs", application_id=item.id))
    records = services.dbs_records(viewer=current_user, application=item)
    db.session.commit()  # the audited view
    return render_template("recruitment/dbs.html", application=item, records=records, form=form), (
        400 if form.errors else 200
    )


@bp.post("/applications/<int:application_id>/references")
@role_required("staff")
def request_reference(application_id: int) -> ResponseReturnValue:
    item = get_or_404(Application, application_id, action="change")
    form = ReferenceRequestForm()
    back = url_for("recruitment.application", application_id=item.id)
    if not form.validate_on_submit():
        flash("Enter the referee's name, email address and how they know the applicant.", "error")
        return redirect(back)
    return perform(
        lambda: services.request_reference(
            actor=current_user,
            application=item,
            name=form.name.data or "",
            email=form.email.data or "",
            relationship=form.relationship.data or "",
        ),
        done="Reference requested: we have emailed the referee a link.",
        back=back,
    )


@bp.route("/references/<token>", methods=["GET", "POST"])
def reference(token: str) -> ResponseReturnValue:
    """The referee's page: no account needed, the signed link is the key; it works once."""
    try:
        item = services.reference_from_token(token)
    except DomainError as error:
        return render_template("recruitment/reference_done.html", message=error.message), 400
    application = db.session.get(Application, item.application_id)
    form = ReferenceForm()
    if form.validate_on_submit():
        try:
            services.give_reference(
                reference=item,
                known_for=form.known_for.data or "",
                would_recommend=form.would_recommend.data or "",
                comments=form.comments.data or "",
            )
        except AlreadyDone as error:
            db.session.rollback()
            return render_template("recruitment/reference_done.html", message=error.message)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            return render_template(
                "recruitment/reference_done.html",
                message="Thank you. Your reference has been sent.",
            )
    return render_template(
        "recruitment/reference.html", reference=item, application=application, form=form
    ), (400 if form.errors else 200)


@bp.post("/references/<int:reference_id>/mark")
@role_required("staff")
def mark_reference(reference_id: int) -> ResponseReturnValue:
    item = db.session.get(Reference, reference_id)
    if item is None:
        abort(404)
    application = get_or_404(Application, item.application_id, action="change")
    form = MarkReferenceForm()
    if not form.validate_on_submit():
        abort(400)
    return perform(
        lambda: services.mark_reference(
            actor=current_user, reference=item, satisfactory=form.satisfactory.data == "yes"
        ),
        done="Reference marked.",
        back=url_for("recruitment.application", application_id=application.id),
    )


@bp.post("/applications/<int:application_id>/guardian-consent")
@role_required("staff")
def guardian_consent(application_id: int) -> ResponseReturnValue:
    item = get_or_404(Application, application_id, action="change")
    form = GuardianConsentForm()
    back = url_for("recruitment.application", application_id=item.id)
    consent_on = form.consent_on.data if form.validate_on_submit() else None
    if consent_on is None:
        flash("Enter the parent's or guardian's name and the date they consented.", "error")
        return redirect(back)
    return perform(
        lambda: services.record_guardian_consent(
            actor=current_user,
            application=item,
            guardian_name=form.guardian_name.data or "",
            consent_on=consent_on,
            today=date.today(),
        ),
        done="Consent recorded.",
        back=back,
    )


@bp.post("/applications/<int:application_id>/broker")
@role_required("admin", "centre_coordinator")
def broker(application_id: int) -> ResponseReturnValue:
    item = get_or_404(Application, application_id, action="change")
    form = BrokerForm()
    back = url_for("recruitment.application", application_id=item.id)
    slug = (
        (form.role.data or "").strip().rstrip("/").rsplit("/", 1)[-1]
        if form.validate_on_submit()
        else ""
    )
    role = visible_role(slug, date.today()) if slug else None
    if role is None:
        flash("Paste the page address of a published role.", "error")
        return redirect(back)
    return perform(
        lambda: services.broker(
            actor=current_user, application=item, role=role, today=date.today()
        ),
        done=f"Referred to {role.title}; its organisation has been emailed.",
        back=back,
    )


bp.add_app_template_global(queries.dbs_needed_words, "dbs_needed_words")


@bp.app_template_global()
def profile_shared(volunteer: Volunteer) -> bool:
    """Skills, interests, languages and availability go to organisations with an application
    only while the volunteer's consent to share their profile stands (given by ticking the
    question on the application form or on their privacy page). A record kept by staff for
    someone without an account has no consent to ask for: staff entered it themselves."""
    if volunteer.user_id is None:
        return True
    return consent_stands(volunteer.user_id, "share_profile")
