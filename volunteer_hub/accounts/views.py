"""Account pages: register, verify, sign in and out, passwords, email, two-factor."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from volunteer_hub.accounts import services, two_factor
from volunteer_hub.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmPasswordForm,
    EmailOnlyForm,
    NewPasswordForm,
    RegisterForm,
    SignInForm,
    SignOutForm,
    TwoFactorForm,
)
from volunteer_hub.accounts.models import ROLE_LABELS, User
from volunteer_hub.accounts.permissions import role_required
from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.forms import attach_error
from volunteer_hub.core.models import utcnow
from volunteer_hub.core.redirects import local_target
from volunteer_hub.core.templating import register_labels
from volunteer_hub.core.transitions import AlreadyDone
from volunteer_hub.extensions import db, limiter

bp = Blueprint("accounts", __name__)
register_labels(bp, role_labels=ROLE_LABELS)

AUTH_LIMIT = "10 per minute; 60 per hour"
EMAIL_LIMIT = "5 per minute; 30 per hour"
PENDING_2FA_SECONDS = 300


def _next_or(default: str) -> str:
    """The ``next=`` target if it is a path on this site (:mod:`volunteer_hub.core.redirects`)."""
    return local_target(request.args.get("next"), default)


def _next_only() -> str | None:
    """The ``next=`` target to carry on to the following step (a safe path), or None."""
    target = _next_or("")
    return target or None


def home_for(user: User) -> str:
    """Where a person lands after signing in with nowhere else to go: staff on what needs
    them, volunteers on their volunteering, partners on reports; anyone else on their account."""
    if user.is_staff:
        return url_for("dashboard.index")
    if user.is_volunteer:
        return url_for("placements.mine")
    if user.is_partner:
        return url_for("reports.value")
    return url_for("accounts.account")


_form_error = attach_error


def _start_session(user: User, *, method: str) -> None:
    session.clear()
    login_user(user)
    session["last_seen"] = utcnow().timestamp()
    services.record_sign_in(user, method=method)


# Register and verify -------------------------------------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(EMAIL_LIMIT, methods=["POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_next_or(home_for(current_user)))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register_volunteer(
                name=form.name.data or "",
                email=form.email.data or "",
                password=form.password.data or "",
                accepted_privacy=bool(form.privacy.data),
                next_url=_next_only(),
            )
        except IntegrityError:  # the same registration sent twice at once: made once
            db.session.rollback()
            return redirect(url_for("accounts.check_email", reason="register"))
        except DomainError as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("accounts.check_email", reason="register"))
    return render_template(
        "accounts/register.html", form=form, next_url=_next_only()
    ), 200 if not form.errors else 400


@bp.get("/check-your-email")
def check_email() -> ResponseReturnValue:
    reason = request.args.get("reason", "register")
    if reason not in {"register", "reset"}:
        reason = "register"
    return render_template("accounts/check_email.html", reason=reason)


@bp.route("/verify-email/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def verify_email(token: str) -> ResponseReturnValue:
    form = SignOutForm()  # just a CSRF-protected button
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.verify_email(token)
        except AlreadyDone as error:  # the same link opened twice at once
            db.session.rollback()
            flash(error.message, "info")
            return _after_verifying()
        except DomainError as error:
            db.session.rollback()
            return render_template("accounts/link_problem.html", message=error.message), 400
        db.session.commit()
        if current_user.is_authenticated:
            flash("Your email address is confirmed.", "success")
        else:
            flash("Your email address is confirmed. Sign in to carry on.", "success")
        return _after_verifying()
    return render_template(
        "accounts/confirm_link.html",
        form=form,
        title="Confirm your email address",
        button="Confirm my email address",
    )


def _after_verifying() -> ResponseReturnValue:
    """Signed in: on to where they were going; otherwise to sign in, keeping it."""
    if current_user.is_authenticated:
        return redirect(_next_or(home_for(current_user)))
    return redirect(url_for("accounts.sign_in", next=_next_only()))


@bp.post("/verify-email/resend")
@login_required
@limiter.limit(EMAIL_LIMIT)
def resend_verification() -> ResponseReturnValue:
    form = SignOutForm()
    if not form.validate_on_submit():
        abort(400)
    services.send_verification_email(current_user)
    db.session.commit()
    flash("We have sent you a new link. Check your email.", "success")
    return redirect(url_for("accounts.account"))


# Sign in and out -----------------------------------------------------------------------------


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_next_or(home_for(current_user)))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                email=form.email.data or "", password=form.password.data or ""
            )
        except DomainError as error:
            db.session.commit()  # keep the failure count and the audit event
            form.email.errors = [error.message]
            status = 400
        else:
            next_url = _next_or(home_for(user))
            if user.totp_enabled:
                db.session.commit()
                session.clear()
                session["pending_2fa"] = {
                    "uid": user.id,
                    "v": user.session_version,
                    "at": utcnow().timestamp(),
                    "next": next_url,
                }
                return redirect(url_for("accounts.sign_in_two_factor"))
            _start_session(user, method="password")
            db.session.commit()
            return redirect(next_url)
    elif form.errors:
        status = 400
    return render_template("accounts/sign_in.html", form=form, next_url=_next_only()), status


def _pending_two_factor_user() -> tuple[User, str] | None:
    pending = session.get("pending_2fa")
    if not isinstance(pending, dict):
        return None
    if utcnow().timestamp() - float(pending.get("at", 0)) > PENDING_2FA_SECONDS:
        session.pop("pending_2fa", None)
        return None
    user = db.session.get(User, pending.get("uid"))
    if user is None or not user.is_active or user.session_version != pending.get("v"):
        return None
    return user, local_target(pending.get("next"), home_for(user))


@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def sign_in_two_factor() -> ResponseReturnValue:
    pending = _pending_two_factor_user()
    if pending is None:
        flash("Sign in again to continue.", "info")
        return redirect(url_for("accounts.sign_in"))
    user, next_url = pending
    form = TwoFactorForm()
    status = 200
    if form.validate_on_submit():
        try:
            method = two_factor.verify_second_factor(user=user, code=form.code.data or "")
        except DomainError as error:
            db.session.commit()
            _form_error(form, error)
            status = 400
        else:
            _start_session(user, method=f"password+{method}")
            db.session.commit()
            return redirect(next_url)
    elif form.errors:
        status = 400
    return render_template("accounts/two_factor.html", form=form), status


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    form = SignOutForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        services.sign_out(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out on every device.", "success")
    return redirect(url_for("core.home"))


# Passwords -----------------------------------------------------------------------------------


@bp.route("/password/forgotten", methods=["GET", "POST"])
@limiter.limit(EMAIL_LIMIT, methods=["POST"])
def forgotten_password() -> ResponseReturnValue:
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(email=form.email.data or "")
        db.session.commit()
        return redirect(url_for("accounts.check_email", reason="reset"))
    return render_template(
        "accounts/forgotten_password.html", form=form
    ), 400 if form.errors else 200


def _new_password_page(token: str, purpose: str, template: str) -> ResponseReturnValue:
    try:
        user = services.user_for_reset_token(token, purpose)
    except DomainError as error:
        return render_template("accounts/link_problem.html", message=error.message), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token=token, password=form.password.data or "", purpose=purpose)
        except AlreadyDone as error:  # the same link used twice at once
            db.session.rollback()
            flash(error.message, "info")
            return redirect(url_for("accounts.sign_in"))
        except DomainError as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash("Your password has been saved. Sign in with your new password.", "success")
            return redirect(url_for("accounts.sign_in"))
    return render_template(template, form=form, user=user), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    return _new_password_page(token, "reset_password", "accounts/reset_password.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    return _new_password_page(token, "invitation", "accounts/accept_invitation.html")


# Your account --------------------------------------------------------------------------------


@bp.get("/account")
@login_required
def account() -> ResponseReturnValue:
    return render_template("accounts/account.html", resend_form=SignOutForm())


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                user=current_user,
                current_password=form.current_password.data or "",
                new_password=form.password.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            # Other sessions ended with the new session version; keep this one.
            login_user(current_user._get_current_object())
            flash(
                "Your password has been changed. You have been signed out everywhere else.",
                "success",
            )
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form), 400 if form.errors else 200


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
@limiter.limit(EMAIL_LIMIT, methods=["POST"])
def change_email() -> ResponseReturnValue:
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(
                user=current_user,
                password=form.password.data or "",
                new_email=form.email.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            flash(
                "We have sent a link to your new email address. Follow it to finish the change.",
                "success",
            )
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_email.html", form=form), 400 if form.errors else 200


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def confirm_email_change(token: str) -> ResponseReturnValue:
    form = SignOutForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.confirm_email_change(token=token)
        except AlreadyDone as error:  # the same link opened twice at once
            db.session.rollback()
            flash(error.message, "info")
            return redirect(
                url_for("accounts.account")
                if current_user.is_authenticated
                else url_for("accounts.sign_in")
            )
        except DomainError as error:
            db.session.rollback()
            return render_template("accounts/link_problem.html", message=error.message), 400
        db.session.commit()
        flash("Your email address has been changed.", "success")
        return redirect(
            url_for("accounts.account")
            if current_user.is_authenticated
            else url_for("accounts.sign_in")
        )
    return render_template(
        "accounts/confirm_link.html",
        form=form,
        title="Confirm your new email address",
        button="Confirm my new email address",
    )


# Two-factor ----------------------------------------------------------------------------------


def _qr_svg(data: str) -> Markup:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    svg = svg.replace(
        "<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1
    )
    return Markup(svg)  # noqa: S704 - generated by qrcode from our own data, no user markup


@bp.route("/account/two-factor", methods=["GET", "POST"])
@role_required("staff")
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def two_factor_setup() -> ResponseReturnValue:
    if current_user.totp_enabled:
        return render_template("accounts/two_factor_on.html", form=ConfirmPasswordForm())
    secret = session.get("totp_setup_secret")
    if not secret:
        secret = two_factor.new_totp_secret()
        session["totp_setup_secret"] = secret
    form = TwoFactorForm()
    form.code.description = "Enter the 6-digit code your authenticator app shows"
    if form.validate_on_submit():
        try:
            codes = two_factor.enable_two_factor(
                user=current_user, secret=secret, code=form.code.data or ""
            )
        except DomainError as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            session.pop("totp_setup_secret", None)
            return render_template("accounts/recovery_codes.html", codes=codes)
    uri = two_factor.provisioning_uri(current_user, secret)
    return render_template(
        "accounts/two_factor_setup.html", form=form, secret=secret, qr=_qr_svg(uri)
    ), 400 if form.errors else 200


@bp.post("/account/two-factor/disable")
@role_required("staff")
@limiter.limit(AUTH_LIMIT)
def two_factor_disable() -> ResponseReturnValue:
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        try:
            two_factor.disable_two_factor(user=current_user, password=form.password.data or "")
        except DomainError as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            flash("Two-factor sign-in is turned off.", "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/two_factor_on.html", form=form), 400
