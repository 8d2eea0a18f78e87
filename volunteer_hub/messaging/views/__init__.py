"""messaging's pages: the blueprint, with routes split by topic in this package."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("messaging", __name__)
