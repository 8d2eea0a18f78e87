"""matching's pages: the blueprint, with routes split by topic in this package."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("matching", __name__)

from volunteer_hub.matching.views import matches as matches  # noqa: E402  (routes on bp)
from volunteer_hub.matching.views import search as search  # noqa: E402  (routes on bp)
