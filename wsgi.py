"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

import sys

from volunteer_hub import ConfigError, create_app

try:
    app = create_app()
except ConfigError as error:
    sys.exit(f"Volunteer Hub cannot start: {error}")
