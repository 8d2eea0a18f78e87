"""Scheduling's demo data (filled in below)."""

from __future__ import annotations


def seed() -> list[str]:
    return []
