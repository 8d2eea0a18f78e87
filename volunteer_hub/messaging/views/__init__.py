"""messaging's pages: the blueprint, with routes split by topic in this package."""

from __future__ import annotations

from flask import Blueprint

from volunteer_hub.messaging.bulk import in_words

bp = Blueprint("messaging", __name__)
bp.add_app_template_filter(in_words, "merge_fields_in_words")

from volunteer_hub.messaging.views import bulk, threads  # noqa: E402, F401
