"""Applying and moving applications through the pipeline. Services flush, never commit."""

from __future__ import annotations

import secrets
from datetime import date

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, literal, select
from sqlalchemy.exc import IntegrityError

from volunteer_hub.accounts.audit import record as audit
from volunteer_hub.accounts.models import User
from volunteer_hub.accounts.outbox import queue_email
from volunteer_hub.accounts.permissions import (
    Action,
    coordinated_organisation_ids,
    register_rule,
    sees_all_organisations,
)
from volunteer_hub.accounts.queries import coordinators_of as coordinators_of  # read by reminders
from volunteer_hub.accounts.services import give_consent
from volunteer_hub.core.dates import add_working_days
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.models import UTCDateTime, utcnow
from volunteer_hub.core.navigation import external_url
from volunteer_hub.core.transitions import AlreadyDone, compare_and_set, compare_and_set_where, lock
from volunteer_hub.extensions import db
from volunteer_hub.organisations.models import DbsLevel, Organisation, OrganisationKind, Role
from volunteer_hub.organisations.queries import latest_version
from volunteer_hub.recruitment.models import (
    CLOSED,
    DECLINE_REASONS,
    Application,
    ApplicationEvent,
    DbsOutcome,
    DbsRecord,
    DbsWorkforce,
    Reference,
    Stage,
)
from volunteer_hub.recruitment.queries import may_see_dbs
from volunteer_hub.recruitment.queries import overdue as overdue  # read here by reminders
from volunteer_hub.volunteers.services import age_on, volunteer_for

MAX_MESSAGE = 2000

#: Where a coordinator may move an application from each stage (declining is always allowed).
MOVES: dict[Stage, set[Stage]] = {
    Stage.ENQUIRY: set(),  # the centre refers it to a role (broker), or declines it
    Stage.APPLIED: {Stage.SCREENING},
    Stage.SCREENING: {Stage.INTERVIEW},
    Stage.INTERVIEW: {Stage.OFFERED},
    Stage.OFFERED: set(),  # placed by making a placement
}


def application_rule(user: User, application: Application, action: Action) -> bool:
    """The centre sees every application; an organisation's coordinators their own; the
    volunteer their own (and may only withdraw)."""
    if sees_all_organisations(user):
        return True
    if application.organisation_id in coordinated_organisation_ids(user):
        return True
    if action == "view":
        return application.volunteer.user_id == user.id
    return False


register_rule(Application, application_rule)


def _clean_message(message: str) -> str | None:
    message = message.strip()
    if len(message) > MAX_MESSAGE:
        raise DomainError(f"Keep this to {MAX_MESSAGE:,} characters or fewer", field="message")
    return message or None


def _event(
    application: Application, to: Stage, actor: User | None, note: str | None = None
) -> None:
    application.events.append(
        ApplicationEvent(
            from_stage=application.stage if application.id else None,
            to_stage=to.value,
            actor_id=actor.id if actor else None,
            note=note,
        )
    )
    application.stage = to.value


def respond_by(today: date) -> date:
    """The response deadline for an application made or referred today."""
    return add_working_days(today, int(current_app.config.get("RESPONSE_WORKING_DAYS", 5)))


def _tell_coordinators(application: Application, role: Role, subject: str) -> None:
    """Email the role's organisation's coordinators about a new applicant."""
    link = external_url("recruitment.application", application_id=application.id)
    for coordinator in coordinators_of(role.organisation_id):
        queue_email(
            kind="new_applicant",
            to=coordinator.email,
            user=coordinator,
            subject=subject,
            role=role,
            respond_by=application.respond_by,
            link=link,
        )


def apply(
    *,
    user: User,
    role: Role,
    message: str,
    today: date,
    under_18: bool | None = None,
    share_profile: bool = False,
) -> Application:
    """Apply to a role, under the rules of its approved version (never an unapproved edit).

    Consent to share the profile is recorded only when the applicant ticked the form's
    (optional, unticked) question: ``share_profile``. Applying never needs it.

    Age comes from the volunteer's date of birth when they have given it, otherwise from what
    they say on the form (``under_18``); one or the other is required."""
    volunteer = volunteer_for(user)
    version = latest_version(role)
    if version is None:
        raise DomainError("This role is not open for applications")
    task = version.content
    open_application = db.session.scalar(
        select(Application.id).where(
            Application.volunteer_id == volunteer.id,
            Application.role_id == role.id,
            Application.stage.not_in([Stage.DECLINED.value, Stage.WITHDRAWN.value]),
        )
    )
    if open_application:
        raise DomainError(
            "You have already applied for this role. You can follow your application on your "
            "applications page."
        )
    age = age_on(volunteer.date_of_birth, today) if volunteer.date_of_birth else None
    if age is None and under_18 is None:
        raise DomainError("Say whether you are 18 or over", field="age_group")
    young = age < 18 if age is not None else bool(under_18)
    if young and not task.get("under_18_welcome"):
        raise DomainError(
            "This role is for volunteers aged 18 or over. The volunteer centre can help you find "
            "one that welcomes under-18s.",
            field="age_group",
        )
    minimum = task.get("minimum_age")
    if age is not None and minimum and age < int(minimum):
        raise DomainError(f"This role is for volunteers aged {minimum} or over.")
    application = Application(
        volunteer_id=volunteer.id,
        role_id=role.id,
        under_18=young,
        organisation_id=role.organisation_id,
        stage=Stage.APPLIED.value,
        message=_clean_message(message),
        respond_by=respond_by(today),
    )
    _event(application, Stage.APPLIED, user)
    db.session.add(application)
    db.session.flush()
    _tell_coordinators(application, role, f"New applicant for {role.title}")
    queue_email(
        kind="application_received",
        to=user.email,
        user=user,
        subject=f"Your application for {role.title}",
        role=role,
        respond_by=application.respond_by,
    )
    if share_profile:
        # Only when ticked: consent is never inferred from applying. Withdrawn from the
        # volunteer's privacy page.
        give_consent(user, "share_profile", "application_form")
    audit("application.created", actor=user, target=application, details={"role": role.title})
    return application


def express_interest(*, user: User, message: str, today: date) -> Application:
    """A general expression of interest (no particular role) that the centre brokers."""
    # The volunteer's row locked: of two identical sends, the second sees the first's enquiry.
    volunteer = lock(volunteer_for(user))
    if db.session.scalar(
        select(Application.id).where(
            Application.volunteer_id == volunteer.id,
            Application.role_id.is_(None),
            Application.stage == Stage.ENQUIRY.value,
        )
    ):
        raise DomainError(
            "The volunteer centre already has your message and will be in touch. You can also "
            "apply for any opportunity yourself.",
            field="message",
        )
    centre = db.session.scalar(
        select(Organisation).where(Organisation.kind == OrganisationKind.VOLUNTEER_CENTRE.value)
    )
    application = Application(
        volunteer_id=volunteer.id,
        role_id=None,
        organisation_id=centre.id if centre else None,
        stage=Stage.ENQUIRY.value,
        message=_clean_message(message),
        respond_by=respond_by(today),
    )
    if not application.message:
        raise DomainError("Tell us a little about what you would like to do", field="message")
    _event(application, Stage.ENQUIRY, user)
    db.session.add(application)
    db.session.flush()
    audit("application.enquiry", actor=user, target=application)
    return application


def move(
    *,
    actor: User,
    application: Application,
    to: Stage | str,
    note: str = "",
    reason: str = "",
    seen: str | None = None,
) -> Application:
    """A coordinator moves an application (placing it is done by making a placement). ``seen``
    is the stage the coordinator's page showed: if it has moved on since, nothing is done."""
    target = Stage(to)
    current = Stage(application.stage)
    if not application_rule(actor, application, "change"):
        raise DomainError("Only the organisation's coordinators or the centre can do this")
    if seen is not None and seen != current.value:
        raise AlreadyDone(f"This application was already moved: it is now {current.value}.")
    if current in CLOSED:
        raise DomainError(f"This application is {current.value}; it cannot be moved")
    if target is Stage.DECLINED:
        if reason not in DECLINE_REASONS:
            raise DomainError("Choose a reason for declining", field="reason")
    elif target is Stage.PLACED:
        raise DomainError("Make a placement to place an applicant")
    elif target not in MOVES.get(current, set()):
        raise DomainError(f"An application cannot go from {current.value} to {target.value}")
    note = " ".join(note.split())[:1000]
    # From the stage this request saw to the next, once: a double click (or a colleague moving
    # it at the same moment) is told, before any history, email or audit event is written.
    compare_and_set(
        application,
        expected=current.value,
        column="stage",
        values={
            "stage": target.value,
            "contacted_at": func.coalesce(
                Application.contacted_at, literal(utcnow(), UTCDateTime())
            ),
            **({"declined_reason": reason} if target is Stage.DECLINED else {}),
        },
        message="This application has already moved on: see its history below.",
    )
    application.events.append(
        ApplicationEvent(
            from_stage=current.value, to_stage=target.value, actor_id=actor.id, note=note or None
        )
    )
    db.session.flush()
    if target in {Stage.OFFERED, Stage.DECLINED} and application.volunteer.email:
        queue_email(
            kind=f"application_{target.value}",
            to=application.volunteer.email,
            subject=(
                f"An offer: {application.role.title}"
                if target is Stage.OFFERED and application.role
                else "About your application"
            ),
            application=application,
            reason=DECLINE_REASONS.get(reason, ""),
        )
    audit(
        "application.moved",
        actor=actor,
        target=application,
        details={"from": current.value, "to": target.value},
    )
    return application


def withdraw(*, user: User, application: Application) -> Application:
    if application.volunteer.user_id != user.id:
        raise DomainError("Only the applicant can withdraw an application")
    current = Stage(application.stage)
    if current is Stage.WITHDRAWN:
        raise AlreadyDone("This application is already withdrawn.")
    if current in CLOSED:
        raise DomainError(f"This application is already {application.stage}")
    compare_and_set(
        application,
        expected=current.value,
        column="stage",
        values={"stage": Stage.WITHDRAWN.value},
        message="This application has already moved on: see its history below.",
    )
    application.events.append(
        ApplicationEvent(from_stage=current.value, to_stage=Stage.WITHDRAWN.value, actor_id=user.id)
    )
    db.session.flush()
    audit("application.withdrawn", actor=user, target=application)
    return application


def record_dbs(
    *, actor: User, application: Application, values: dict[str, object], today: date
) -> DbsRecord:
    if not may_see_dbs(actor, application):
        raise DomainError("Only the centre or the safeguarding lead can record a DBS check")
    number = str(values.get("certificate_number") or "").replace(" ", "")
    if not (number.isascii() and number.isdigit() and len(number) == 12):
        raise DomainError("The certificate number is 12 digits", field="certificate_number")
    issued = values.get("issue_date")
    if not isinstance(issued, date) or issued > today:
        raise DomainError("Enter the issue date, which cannot be in the future", field="issue_date")
    checked = values.get("update_service_checked_on")
    if isinstance(checked, date) and checked > today:
        raise DomainError(
            "The status check date cannot be in the future", field="update_service_checked_on"
        )
    try:
        level = DbsLevel(str(values.get("level")))
        workforce = DbsWorkforce(str(values.get("workforce")))
        outcome = DbsOutcome(str(values.get("outcome")))
    except ValueError:
        raise DomainError("Choose the level, workforce and outcome from the lists") from None
    if level is DbsLevel.NONE:
        raise DomainError("Choose the level of the check", field="level")
    # The applicant's row locked, so the same check sent twice at once is recorded once.
    lock(application)
    if db.session.scalar(
        select(DbsRecord.id).where(
            DbsRecord.volunteer_id == application.volunteer_id,
            DbsRecord.certificate_number == number,
            DbsRecord.issue_date == issued,
            DbsRecord.outcome == outcome.value,
            DbsRecord.update_service_checked_on.is_not_distinct_from(
                checked if isinstance(checked, date) else None
            ),
        )
    ):
        raise AlreadyDone("This DBS check is already recorded.")
    record = DbsRecord(
        volunteer_id=application.volunteer_id,
        application_id=application.id,
        certificate_number=number,
        issue_date=issued,
        level=level.value,
        workforce=workforce.value,
        outcome=outcome.value,
        decided_by_id=actor.id,
        update_service=bool(values.get("update_service")),
        update_service_checked_on=checked if isinstance(checked, date) else None,
    )
    db.session.add(record)
    db.session.flush()
    audit("dbs.recorded", actor=actor, target=record, details={"outcome": outcome.value})
    return record


def dbs_records(*, viewer: User, application: Application) -> list[DbsRecord]:
    """The applicant's DBS records, for someone allowed to see them; the view is audited."""
    if not may_see_dbs(viewer, application):
        raise DomainError("Only the centre or the safeguarding lead can see DBS records")
    statement = select(DbsRecord).where(DbsRecord.volunteer_id == application.volunteer_id)
    if not viewer.is_centre_coordinator:
        # A safeguarding lead sees the checks made for their own organisation's applications.
        statement = statement.where(
            DbsRecord.application_id.in_(
                select(Application.id).where(
                    Application.organisation_id == application.organisation_id
                )
            )
        )
    records = list(db.session.scalars(statement.order_by(DbsRecord.issue_date.desc())))
    audit(
        "dbs.viewed",
        actor=viewer,
        target=application,
        details={"volunteer_id": application.volunteer_id, "records": len(records)},
    )
    return records


REFERENCE_DAYS = 30


def _reference_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="vh-reference")


def reference_link(reference: Reference) -> str:
    token = _reference_serializer().dumps({"r": reference.id, "n": reference.nonce})
    return external_url("recruitment.reference", token=token)


def request_reference(
    *, actor: User, application: Application, name: str, email: str, relationship: str
) -> Reference:
    if not application_rule(actor, application, "change"):
        raise DomainError("Only the organisation's coordinators or the centre can do this")
    name, relationship = " ".join(name.split()), " ".join(relationship.split())
    email = email.strip().lower()
    if not name:
        raise DomainError("Enter the referee's name", field="name")
    if "@" not in email or len(email) > 254 or " " in email:
        raise DomainError("Enter the referee's email address", field="email")
    if application.volunteer.email and email == application.volunteer.email:
        raise DomainError("A referee cannot be the applicant", field="email")
    if not relationship:
        raise DomainError("Say how the referee knows the applicant", field="relationship")
    # Locked, so a double click asks the referee once (one reference, one email).
    lock(application)
    if db.session.scalar(
        select(Reference.id).where(
            Reference.application_id == application.id, Reference.referee_email == email
        )
    ):
        raise AlreadyDone(f"A reference was already requested from {email}.")
    reference = Reference(
        application_id=application.id,
        referee_name=name[:200],
        referee_email=email,
        relationship_to_applicant=relationship[:200],
        requested_by_id=actor.id,
        nonce=secrets.token_hex(16),
    )
    db.session.add(reference)
    db.session.flush()
    queue_email(
        kind="reference_request",
        to=email,
        subject=f"A reference for {application.volunteer.name}",
        reference=reference,
        application=application,
        link=reference_link(reference),
        days=REFERENCE_DAYS,
    )
    audit("reference.requested", actor=actor, target=reference)
    return reference


def reference_from_token(token: str) -> Reference:
    """The reference a link is for, while it is unanswered; DomainError otherwise."""
    try:
        payload = _reference_serializer().loads(token, max_age=REFERENCE_DAYS * 24 * 3600)
    except SignatureExpired:
        raise DomainError("This link has expired. Ask the organisation for a new one.") from None
    except BadSignature:
        raise DomainError("This link is not valid.") from None
    reference = db.session.get(Reference, payload.get("r")) if isinstance(payload, dict) else None
    if reference is None or not secrets.compare_digest(reference.nonce, str(payload.get("n"))):
        raise DomainError("This link is not valid.")
    if reference.responded_at is not None:
        raise DomainError("Thank you: this reference has already been given.")
    return reference


def give_reference(
    *, reference: Reference, known_for: str, would_recommend: str, comments: str
) -> Reference:
    if would_recommend not in {"yes", "no", "unsure"}:
        raise DomainError("Say whether you would recommend them", field="would_recommend")
    comments = comments.strip()
    if len(comments) > 5000:
        raise DomainError("Keep your comments to 5,000 characters or fewer", field="comments")
    compare_and_set_where(
        reference,
        Reference.responded_at.is_(None),
        values={
            "known_for": " ".join(known_for.split())[:100] or None,
            "would_recommend": would_recommend,
            "comments": comments or None,
            "responded_at": utcnow(),
        },
        message="Thank you: this reference has already been given.",
    )
    db.session.flush()
    audit("reference.given", actor=None, target=reference)
    return reference


def mark_reference(*, actor: User, reference: Reference, satisfactory: bool) -> Reference:
    application = db.session.get(Application, reference.application_id)
    if application is None or not application_rule(actor, application, "change"):
        raise DomainError("Only the organisation's coordinators or the centre can do this")
    if reference.responded_at is None:
        raise DomainError("The referee has not answered yet")
    # Marked again only to change the mark: a repeat of the same mark is already done.
    compare_and_set_where(
        reference,
        Reference.satisfactory.is_distinct_from(satisfactory),
        values={"satisfactory": satisfactory, "marked_by_id": actor.id, "marked_at": utcnow()},
        message=f"The reference is already marked {'' if satisfactory else 'not '}satisfactory.",
    )
    db.session.flush()
    audit("reference.marked", actor=actor, target=reference, details={"satisfactory": satisfactory})
    return reference


def record_guardian_consent(
    *, actor: User, application: Application, guardian_name: str, consent_on: date, today: date
) -> Application:
    """A coordinator records that a parent or guardian consented (how it was given is kept on
    paper or email; here only who and when)."""
    if not application_rule(actor, application, "change"):
        raise DomainError("Only the organisation's coordinators or the centre can do this")
    name = " ".join(guardian_name.split())
    if not name:
        raise DomainError("Enter the parent's or guardian's name", field="guardian_name")
    if consent_on > today:
        raise DomainError("The consent date cannot be in the future", field="consent_on")
    name = name[:200]
    compare_and_set_where(
        application,
        Application.guardian_name.is_distinct_from(name)
        | Application.guardian_consent_on.is_distinct_from(consent_on),
        values={
            "guardian_name": name,
            "guardian_consent_on": consent_on,
            "guardian_consent_recorded_by_id": actor.id,
        },
        message="This consent is already recorded.",
    )
    db.session.flush()
    audit("application.guardian_consent", actor=actor, target=application)
    return application


def broker(*, actor: User, application: Application, role: Role, today: date) -> Application:
    """The centre refers an expression of interest to a published role: it becomes an
    application to that role, with the organisation's response deadline from today."""
    if not sees_all_organisations(actor):
        raise DomainError("Only the volunteer centre refers enquiries to roles")
    if application.stage != Stage.ENQUIRY.value or application.role_id is not None:
        raise DomainError("Only an open enquiry can be referred to a role")
    if latest_version(role) is None or role.status == "closed":
        raise DomainError("Choose a published role", field="role")
    if db.session.scalar(
        select(Application.id).where(
            Application.volunteer_id == application.volunteer_id,
            Application.role_id == role.id,
            Application.stage.not_in([Stage.DECLINED.value, Stage.WITHDRAWN.value]),
        )
    ):
        raise DomainError("They have already applied for that role", field="role")
    try:
        compare_and_set_where(
            application,
            Application.stage == Stage.ENQUIRY.value,
            Application.role_id.is_(None),
            values={
                "stage": Stage.APPLIED.value,
                "role_id": role.id,
                "organisation_id": role.organisation_id,
                "respond_by": respond_by(today),
                "contacted_at": None,
            },
            message="This enquiry has already been referred to a role.",
        )
    except IntegrityError:  # they applied for the role themselves at the same moment
        raise DomainError("They have already applied for that role", field="role") from None
    application.events.append(
        ApplicationEvent(
            from_stage=Stage.ENQUIRY.value,
            to_stage=Stage.APPLIED.value,
            actor_id=actor.id,
            note=f"Referred by the volunteer centre to {role.title}",
        )
    )
    db.session.flush()
    _tell_coordinators(
        application, role, f"New applicant for {role.title} (referred by the volunteer centre)"
    )
    audit("application.brokered", actor=actor, target=application, details={"role": role.title})
    return application
