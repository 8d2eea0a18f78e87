"""Invented demo accounts: one per persona, all with the same demo password."""

from __future__ import annotations

from sqlalchemy import select

from volunteer_hub.accounts.models import MembershipRole, Role, User
from volunteer_hub.accounts.passwords import hash_password
from volunteer_hub.accounts.services import Grant, _apply_grant
from volunteer_hub.core.models import utcnow
from volunteer_hub.extensions import db

DEMO_PASSWORD = "volunteer-hub-demo"  # noqa: S105 - invented demo data, printed by `demo seed`
#: A fixed TOTP secret for the demo administrator, so anyone trying the demo can sign in.
DEMO_ADMIN_TOTP_SECRET = "JBSWY3DPEHPK3PXPVOLUNTEERHUBDEMO"  # noqa: S105

#: (email, name, grants as (role, organisation name or None))
DEMO_USERS: list[tuple[str, str, list[tuple[str, str | None]]]] = [
    ("admin@demo.volunteerhub.invalid", "Ada Okafor", [(Role.ADMIN, None), (Role.VOLUNTEER, None)]),
    ("centre@demo.volunteerhub.invalid", "Ravi Mensah", [(Role.CENTRE_COORDINATOR, None)]),
    (
        "befriending@demo.volunteerhub.invalid",
        "Grace Whitlow",
        [(MembershipRole.COORDINATOR, "Riverside Befriending Network")],
    ),
    (
        "garden@demo.volunteerhub.invalid",
        "Tomasz Nowicki",
        [(MembershipRole.COORDINATOR, "Greenway Community Garden")],
    ),
    (
        "partner@demo.volunteerhub.invalid",
        "Helen Achebe",
        [(MembershipRole.PARTNER, "Northbridge Borough Council")],
    ),
    ("volunteer@demo.volunteerhub.invalid", "Sam Lindqvist", [(Role.VOLUNTEER, None)]),
]


def seed() -> list[str]:
    organisation_model = User.memberships.property.mapper.class_.organisation.property.mapper.class_
    lines = ["", "Demo sign-ins (password for all: " + DEMO_PASSWORD + "):"]
    for email, name, grants in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                name=name,
                password_hash=hash_password(DEMO_PASSWORD),
                email_verified_at=utcnow(),
            )
            db.session.add(user)
            db.session.flush()
            for role, organisation_name in grants:
                organisation_id = None
                if organisation_name:
                    organisation_id = db.session.scalar(
                        select(organisation_model.id).where(
                            organisation_model.name == organisation_name
                        )
                    )
                _apply_grant(
                    user, Grant(role=str(role), organisation_id=organisation_id), actor=None
                )
            if user.is_admin:
                user.totp_secret = DEMO_ADMIN_TOTP_SECRET
                user.totp_enabled_at = utcnow()
        roles = ", ".join(str(r) + (f" of {o}" if o else "") for r, o in grants)
        lines.append(f"  {email:42} {roles}")
    lines.append(
        "  The demo administrator uses two-factor sign-in; get a code with:\n"
        "  .venv/bin/python -c "
        f"\"import pyotp; print(pyotp.TOTP('{DEMO_ADMIN_TOTP_SECRET}').now())\""
    )
    return lines
