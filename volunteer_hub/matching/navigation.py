"""matching's menu links."""

from __future__ import annotations

from flask import Flask


def register_navigation(app: Flask) -> None:
    """No links yet."""
