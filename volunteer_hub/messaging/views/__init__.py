"""messaging's pages: the blueprint, with routes split by topic in this package."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("messaging", __name__)

from volunteer_hub.messaging.views import bulk, threads  # noqa: E402, F401
