"""SOC 2020 unit groups that volunteer roles often resemble, offered as a searchable list on the
task description's "Occupation code" (any 1- to 4-digit SOC 2020 code may still be typed).

The codes and titles are those of the ONS Standard Occupational Classification 2020, Volume 1
(Open Government Licence v3.0), limited to unit groups whose code and title were read from a
stored copy of the classification; extend the list from the ONS coding index, never from memory.
"""

from __future__ import annotations

import re

UNIT_GROUPS: tuple[tuple[str, str], ...] = (
    ("1135", "Charitable organisation managers and directors"),
    ("1136", "Human resource managers and directors"),
    ("1150", "Managers and directors in retail and wholesale"),
    ("1172", "Social services managers and directors"),
    ("1232", "Residential, day and domiciliary care managers and proprietors"),
    ("1242", "Managers in storage and warehousing"),
    ("2134", "Programmers and software development professionals"),
    ("2142", "Graphic and multimedia designers"),
    ("2221", "Physiotherapists"),
    ("2231", "Midwifery nurses"),
    ("2251", "Pharmacists"),
    ("2255", "Paramedics"),
    ("2311", "Higher education teaching professionals"),
    ("2313", "Secondary education teaching professionals"),
    ("2314", "Primary education teaching professionals"),
    ("2412", "Solicitors and lawyers"),
    ("2421", "Chartered and certified accountants"),
    ("2432", "Marketing and commercial managers"),
    ("2451", "Architects"),
    ("2461", "Social workers"),
    ("3551", "Buyers and procurement officers"),
    ("3552", "Business sales executives"),
    ("3571", "Human resources and industrial relations officers"),
    ("4122", "Book-keepers, payroll managers and wages clerks"),
    ("4143", "Customer service managers"),
    ("4159", "Other administrative occupations n.e.c."),
    ("4216", "Receptionists"),
    ("5434", "Chefs"),
    ("5435", "Cooks"),
    ("6112", "Teaching assistants"),
    ("6131", "Nursing auxiliaries and assistants"),
    ("6135", "Care workers and home carers"),
    ("6136", "Senior care workers"),
    ("7111", "Sales and retail assistants"),
    ("7219", "Customer service occupations n.e.c."),
    ("8211", "Large goods vehicle drivers"),
    ("8214", "Delivery drivers and couriers"),
    ("9252", "Warehouse operatives"),
    ("9264", "Waiters and waitresses"),
)
TITLES = dict(UNIT_GROUPS)
LEADING_CODE = re.compile(r"^\s*(\d{1,4})(?:\s|$)")


def option_text(code: str) -> str:
    """'6135 Care workers and home carers': what the list shows and what may be typed."""
    return f"{code} {TITLES[code]}" if code in TITLES else code


def code_of(text: str | None) -> str | None:
    """The code from what was typed or chosen: '6135 Care workers and home carers' → '6135';
    anything else unchanged (the role's checks say what is wrong with it)."""
    if text is None:
        return None
    match = LEADING_CODE.match(text)
    return match.group(1) if match else text.strip()
