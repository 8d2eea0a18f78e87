"""Postcode outward codes and distances, with no network look-ups.

Each outward code (the part before the space, e.g. ``NB1`` of ``NB1 4RT``) has a centroid in the
``core_outcode`` table. A small table for the invented demo borough is bundled
(``core/data/outcodes.csv``); operators load the full ONS outward-code centroids with
``flask --app wsgi recruitment load-outcodes FILE.csv`` (header ``outcode,latitude,longitude``).
Distances are straight-line miles: good enough to say "about 3 miles away".
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

from sqlalchemy import Float, String, select
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core import formatting
from volunteer_hub.extensions import Model, db

BUNDLED = Path(__file__).parent / "data" / "outcodes.csv"
MILES_PER_DEGREE = 69.05
OUTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


class Outcode(Model):
    __tablename__ = "core_outcode"

    outcode: Mapped[str] = mapped_column(String(4), primary_key=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


def outward_code(postcode: str | None) -> str | None:
    """'nb1 4rt' → 'NB1'; 'NB1' → 'NB1'; anything else → None."""
    if not postcode:
        return None
    compact = "".join(postcode.split()).upper()
    candidate = compact[:-3] if len(compact) >= 5 else compact
    return candidate if OUTCODE_RE.match(candidate) else None


def centroid(postcode: str | None) -> tuple[float, float] | None:
    code = outward_code(postcode)
    if code is None:
        return None
    row = db.session.get(Outcode, code)
    return (row.latitude, row.longitude) if row else None


def covered_areas(limit: int = 3) -> list[str]:
    """The postcode areas (the letters, e.g. ``NB``) with known outward codes, when there are
    only a few of them (the bundled demo borough); an empty list when there are more."""
    areas = sorted(
        {
            re.sub(r"[0-9].*$", "", code)
            for code in db.session.scalars(select(Outcode.outcode).limit(500))
        }
    )
    return areas if len(areas) <= limit else []


def distance_words(miles: float) -> str:
    """3.24 → "about 3.2 miles away"; 1.0 → "about 1 mile away"; 0.04 → "less than a mile
    away"."""
    return f"{formatting.miles(miles)} away"


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular approximation (within a fraction of a mile at borough scale)."""
    mean_latitude = math.radians((a[0] + b[0]) / 2)
    dx = (b[1] - a[1]) * math.cos(mean_latitude)
    dy = b[0] - a[0]
    return math.hypot(dx, dy) * MILES_PER_DEGREE


def load_outcodes(path: Path) -> int:
    """Add or replace outward-code centroids from a CSV; all or nothing."""
    rows: dict[str, tuple[float, float]] = {}
    problems = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"outcode", "latitude", "longitude"} <= {
            f.strip().lower() for f in reader.fieldnames
        }:
            raise ValueError("the header must be outcode,latitude,longitude")
        for line, row in enumerate(reader, start=2):
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            code = row["outcode"].upper()
            try:
                latitude, longitude = float(row["latitude"]), float(row["longitude"])
            except ValueError:
                problems.append(f"line {line}: latitude and longitude must be numbers")
                continue
            if not OUTCODE_RE.match(code):
                problems.append(f"line {line}: {code!r} is not an outward code like NB1")
            elif not (49 <= latitude <= 61 and -9 <= longitude <= 3):
                problems.append(f"line {line}: {code} is not in the United Kingdom")
            else:
                rows[code] = (latitude, longitude)
    if problems:
        raise ValueError("Nothing was loaded:\n" + "\n".join(problems[:1000]))
    existing = {o.outcode: o for o in db.session.scalars(select(Outcode))}
    for code, (latitude, longitude) in rows.items():
        if code in existing:
            existing[code].latitude, existing[code].longitude = latitude, longitude
        else:
            db.session.add(Outcode(outcode=code, latitude=latitude, longitude=longitude))
    db.session.flush()
    return len(rows)


def ensure_bundled_outcodes() -> int:
    """Load the bundled table when the database has no outward codes at all."""
    if db.session.scalar(select(Outcode.outcode).limit(1)):
        return 0
    return load_outcodes(BUNDLED)
