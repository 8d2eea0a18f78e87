"""Account forms: input shape only; the rules live in services."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, Regexp

from volunteer_hub.accounts.passwords import MAX_LENGTH
from volunteer_hub.core.forms import FlaskForm

EMAIL_VALIDATORS = [
    InputRequired(message="Enter your email address"),
    Length(max=254, message="Email address must be 254 characters or fewer"),
    Email(
        message="Enter an email address in the correct format, like name@example.com",
        check_deliverability=False,
    ),
]

#: For looking an account up (sign-in, reset): any address shape; strictness is for new addresses.
LOOKUP_EMAIL_VALIDATORS = [
    InputRequired(message="Enter your email address"),
    Length(max=254, message="Email address must be 254 characters or fewer"),
    Regexp(
        r"^[^@\s]+@[^@\s]+$",
        message="Enter an email address in the correct format, like name@example.com",
    ),
]


def _password(label: str, message: str) -> PasswordField:
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message=message),
            Length(max=MAX_LENGTH, message=f"Password must be {MAX_LENGTH} characters or fewer"),
        ],
    )


class RegisterForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    email = EmailField("Email address", widget=GovTextInput(), validators=EMAIL_VALIDATORS)
    password = _password("Create a password", "Enter a password")
    privacy = BooleanField(
        "I have read the privacy notice and agree to my information being used as it describes",
        widget=GovCheckboxInput(),
        validators=[InputRequired(message="You must agree to the privacy notice to register")],
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())


class SignInForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(), validators=LOOKUP_EMAIL_VALIDATORS)
    password = _password("Password", "Enter your password")
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class TwoFactorForm(FlaskForm):
    code = StringField(
        "Code",
        widget=GovTextInput(),
        description="The 6-digit code from your authenticator app, or one of your recovery codes",
        validators=[
            InputRequired(message="Enter the code from your authenticator app"),
            Length(max=20, message="Enter the 6-digit code or a recovery code"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class EmailOnlyForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(), validators=LOOKUP_EMAIL_VALIDATORS)
    submit = SubmitField("Send the link", widget=GovSubmitInput())


class NewPasswordForm(FlaskForm):
    password = _password("New password", "Enter a new password")
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = _password("Current password", "Enter your current password")
    password = _password("New password", "Enter a new password")
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ChangeEmailForm(FlaskForm):
    email = EmailField("New email address", widget=GovTextInput(), validators=EMAIL_VALIDATORS)
    password = _password("Your password", "Enter your password")
    submit = SubmitField("Send a confirmation link", widget=GovSubmitInput())


class ConfirmPasswordForm(FlaskForm):
    password = _password("Your password", "Enter your password")
    submit = SubmitField("Turn off two-factor sign-in", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    submit = SubmitField("Sign out")
