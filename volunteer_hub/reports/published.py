"""The value report as one reader may see it: the typed figures (:mod:`.figures`) and what
disclosure control decided about them (:class:`Disclosure`), and the figures rounded for output
(:class:`Shown`: Decimals to the penny or the hundredth of an hour, whole counts, or ``[c]``).

Every output formats these same shown figures: the JSON (:func:`render_json`, the partner API's
contract, whose keys and values never change), and through the report that rendering returns
(it carries the figures and the disclosure) the CSV, the XLSX, the PDF, the charts and pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from volunteer_hub.core.money import PENNY, TENTH, round_money
from volunteer_hub.reports.figures import RateUsed, RoleShare, ValueFigures, hours_of

#: How a hidden figure is published.
HIDDEN: Final = "[c]"
#: A figure as published: a number rounded for output, a count, None (not available) or [c].
Figure = Decimal | int | str | None

CAVEAT = (
    "Replacement cost values the time given, not the difference made, and it is not cash saved. "
    "It is one way to show volunteering's contribution, alongside what volunteers and the people "
    "they support say."
)
METHOD = (
    "Replacement cost: approved hours (employer-time hours excluded) × hourly rate "
    "in force on the last day of the period × (1 + oncost). The value is a range from "
    "the floor (National Living Wage) to the generalist (median pay) figure."
)
RETENTION = (
    "Share of volunteers active in the equal-length period just before who "
    "were active again in this period."
)
RATES_NOTE = (
    "No rate was yet in force on the last day of this period, so the earliest rate "
    "held was used; an administrator can add the rate for this period."
)
#: The breakdown tables: (table, the disclosure audit's key for its rows).
KINDS = (
    ("by_organisation", "org"),
    ("by_role", "role"),
    ("by_month", "month"),
    ("by_frequency", "band"),
)
#: The headline figures of the CSV's summary rows, by their JSON keys.
HEADLINE_KEYS = (
    *("total_hours", "employer_time_hours", "active_volunteers", "new_volunteers"),
    *("hours_per_active_volunteer", "retention_rate", "fte", "net_value"),
)
#: The time bank figures that describe its active members (hidden together: any one of them with
#: the others would give the rest, e.g. hours ÷ hours per member = members).
TIMEBANK_ACTIVE = (
    "hours_exchanged",
    "exchanges",
    "active_members",
    "hours_per_active_member",
    "notional_value",
)
#: The largest count ``nhs7`` suppresses.
NHS7_LARGEST = 7


def round5(value: int) -> int:
    return int((Decimal(value) / 5).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 5)


def largest_suppressed(profile: str, k: int) -> int:
    return NHS7_LARGEST if profile == "nhs7" else k - 1


@dataclass(frozen=True)
class Disclosure:
    """What disclosure control decided for one report: the rows hidden (by the audit's keys,
    e.g. ``("role", 3)``, and ``("new",)`` for new volunteers), and the figures no total
    contains that are hidden on their own (employer-time hours, time bank figures)."""

    profile: str
    k: int
    hidden: frozenset[tuple[Any, ...]] = frozenset()
    employer_time: bool = False
    timebank: frozenset[str] = frozenset()

    @property
    def note(self) -> str:
        return (
            f"Counts of 1 to {self.k - 1} people, and the hours and value of their rows, are "
            f"shown as {HIDDEN}, with more cells hidden where needed so none can be worked out."
        )

    def count(self, people: int) -> int:
        """A published count: as it is, or rounded to 5 in ``nhs7``."""
        return round5(people) if self.profile == "nhs7" and people else people


def unlinked(figures: ValueFigures, profile: str, k: int) -> tuple[bool, frozenset[str]]:
    """Figures no published total contains, so primary suppression is enough for them: the
    employer-time hours of a small group, and a time bank's activity with a small group of
    active members (its membership, with a small group of members)."""
    largest = largest_suppressed(profile, k)
    timebank: set[str] = set()
    if 0 < _count(figures.timebank.get("active_members")) <= largest:
        timebank.update(TIMEBANK_ACTIVE)
    if 0 < _count(figures.timebank.get("members")) <= largest:
        timebank.add("members")
    return 0 < figures.employer_people <= largest, frozenset(timebank)


def _count(value: Any) -> int:
    return value if isinstance(value, int) else 0


@dataclass(frozen=True)
class ShownRow:
    """One row of a breakdown table as published: its names (JSON key, text), and its people,
    hours and (for organisations and roles) generalist value, or ``[c]``."""

    names: tuple[tuple[str, str], ...]
    people: int | str
    hours: Decimal | str
    value: Decimal | str | None = None


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else round_money(numerator / denominator)


class Shown:
    """The figures of one report rounded for output, with disclosure applied (none for the full
    report): what every output formats."""

    def __init__(self, figures: ValueFigures, disclosure: Disclosure | None = None) -> None:
        self.figures = figures
        self.disclosure = disclosure

    def _hidden(self, key: tuple[Any, ...]) -> bool:
        return self.disclosure is not None and key in self.disclosure.hidden

    def _people(self, people: int) -> int:
        return self.disclosure.count(people) if self.disclosure is not None else people

    @property
    def total_hours(self) -> Decimal:
        return round_money(self.figures.hours)

    @property
    def employer_time_hours(self) -> Decimal | str:
        if self.disclosure is not None and self.disclosure.employer_time:
            return HIDDEN
        return round_money(hours_of(self.figures.employer_seconds))

    @property
    def new_volunteers(self) -> int | str:
        return HIDDEN if self._hidden(("new",)) else self.figures.new

    @property
    def hours_per_active_volunteer(self) -> Decimal | None:
        f = self.figures
        return round_money(f.hours / f.active) if f.active else None

    @property
    def retention_rate(self) -> Decimal | None:
        retention = self.figures.retention
        return None if retention is None else retention.quantize(TENTH, rounding=ROUND_HALF_UP)

    @property
    def fte(self) -> Decimal:
        return round_money(self.figures.hours / self.figures.fte_hours)

    @property
    def coverage(self) -> Decimal | None:
        coverage = self.figures.coverage
        return None if coverage is None else coverage.quantize(TENTH, rounding=ROUND_HALF_UP)

    def amount(self, name: str) -> Decimal:
        """The value at the ``floor``, ``generalist`` or ``specialist`` rates, to the penny."""
        f = self.figures
        exact = f.specialist if name == "specialist" else getattr(f, name).value
        return round_money(exact)

    def ratio(self, name: str) -> Decimal | None:
        f = self.figures
        exact = f.specialist if name == "specialist" else getattr(f, name).value
        return _ratio(exact, f.investment_total)

    @property
    def net_value(self) -> Decimal:
        return round_money(self.figures.generalist.value - self.figures.investment_total)

    def rows(self, table: str) -> list[ShownRow]:
        """The rows of ``by_organisation``, ``by_role``, ``by_month`` or ``by_frequency``."""
        f = self.figures
        kind = dict(KINDS)[table]
        source: list[tuple[tuple[tuple[str, str], ...], int, int, Decimal | None]]
        if table == "by_organisation":
            source = [
                ((("name", r.name),), r.people, r.seconds, r.value) for r in f.by_organisation
            ]
        elif table == "by_role":
            source = [
                ((("organisation", r.organisation), ("role", r.role)), r.people, r.seconds, r.value)
                for r in f.by_role
            ]
        elif table == "by_month":
            source = [((("month", r.month),), r.people, r.seconds, None) for r in f.by_month]
        else:
            source = [((("band", r.band),), r.people, r.seconds, None) for r in f.by_frequency]
        shown = []
        for index, (names, people, seconds, value) in enumerate(source):
            if self._hidden((kind, index)):
                shown.append(ShownRow(names, HIDDEN, HIDDEN, None if value is None else HIDDEN))
                continue
            shown.append(
                ShownRow(
                    names,
                    self._people(people),
                    round_money(hours_of(seconds)),
                    None if value is None else round_money(value),
                )
            )
        return shown

    @property
    def timebank(self) -> dict[str, Any]:
        hidden = self.disclosure.timebank if self.disclosure is not None else frozenset()
        return {
            key: HIDDEN if key in hidden else value for key, value in self.figures.timebank.items()
        }


class ValueReport(dict[str, Any]):
    """The report as JSON (a plain dict of the partner API's keys and values), carrying outside
    the JSON the typed ``figures`` and ``disclosure`` it was rendered from (every other output
    formats those), how the hours of each ``by_role`` row split between specialist rates (the
    disclosure audit writes the published specialist value and its coverage as equations over
    those parts), and how many volunteers gave the employer-time hours."""

    role_shares: tuple[tuple[RoleShare, ...], ...] = ()
    employer_time_people: int = 0
    figures: ValueFigures | None = None
    disclosure: Disclosure | None = None
    #: The same report typed (:func:`shown_tree`): what the disclosure audit models.
    typed: dict[str, Any] | None = None
    #: Start, end, organisation id and data version, when it came from ``build_value_report``
    #: (so what publishing it gives can be kept; see ``reports.cache.derived``).
    source: tuple[Any, ...] | None = None

    @property
    def shown(self) -> Shown | None:
        return Shown(self.figures, self.disclosure) if self.figures is not None else None


def text(value: Figure) -> Any:
    """A shown figure as the JSON has it: numbers as strings, counts as numbers."""
    return str(value) if isinstance(value, Decimal) else value


def rate_text(amount: Decimal) -> str:
    """17.9600 → '17.96'; 12.3456 stays '12.3456'."""
    pennies = amount.quantize(PENNY)
    return str(pennies) if pennies == amount else str(amount.normalize())


def _rate_json(shown: Shown, name: str, rate: RateUsed) -> dict[str, Any]:
    return {
        "amount": shown.amount(name),
        "rate": rate_text(rate.amount),
        "rate_key": rate.key,
        "source": rate.source,
        "reference_date": rate.reference_date,
    }


def _row_json(table: str, row: ShownRow) -> dict[str, Any]:
    people_key = "volunteers" if table == "by_frequency" else "active_volunteers"
    out: dict[str, Any] = dict(row.names)
    if table == "by_frequency":
        out[people_key] = row.people
        out["hours"] = row.hours
        return out
    out["hours"] = row.hours
    out[people_key] = row.people
    if row.value is not None:
        out["value_generalist"] = row.value
    return out


def _method_json(f: ValueFigures) -> dict[str, Any]:
    return {
        "description": METHOD,
        "oncost": str(f.oncost),
        "generalist_basis": f.generalist.basis,
        "floor_basis": f.floor_basis,
        "rates_note": None if f.rates_current else RATES_NOTE,
        "fte_hours_per_year": str(f.fte_hours),
        "retention": RETENTION,
    }


def shown_tree(figures: ValueFigures, disclosure: Disclosure | None = None) -> dict[str, Any]:
    """The shown figures in the JSON's shape, typed: Decimals rounded for output, whole counts,
    None, or ``[c]`` (what the disclosure audit models, and the JSON writes as strings)."""
    f, shown = figures, Shown(figures, disclosure)
    tree: dict[str, Any] = {
        "period": {"start": f.period.start.isoformat(), "end": f.period.end.isoformat()},
        "organisation": f.organisation,
        "total_hours": shown.total_hours,
        "employer_time_hours": shown.employer_time_hours,
        "active_volunteers": f.active,
        "new_volunteers": shown.new_volunteers,
        "hours_per_active_volunteer": shown.hours_per_active_volunteer,
        "retention_rate": shown.retention_rate,
        "fte": shown.fte,
        "value": {
            "generalist": _rate_json(shown, "generalist", f.generalist),
            "floor": _rate_json(shown, "floor", f.floor),
            "specialist": {"amount": shown.amount("specialist"), "coverage": shown.coverage},
        },
        "method": _method_json(f),
        "investment": {
            "total": round_money(f.investment_total),
            "by_category": {
                key: round_money(value) for key, value in f.investment_by_category.items()
            },
        },
        "viva_ratio": {name: shown.ratio(name) for name in ("generalist", "floor", "specialist")},
        "net_value": shown.net_value,
        **{table: [_row_json(table, row) for row in shown.rows(table)] for table, _ in KINDS},
        "timebank": shown.timebank,
        "caveat": CAVEAT,
    }
    if disclosure is not None:
        tree["disclosure"] = {"profile": disclosure.profile, "k": disclosure.k}
        tree["disclosure"]["note"] = disclosure.note
    return tree


def typed(report: dict[str, Any]) -> dict[str, Any]:
    """The report's shown figures typed, when it carries them (a report rendered from its
    figures); else the report itself (one read back from its JSON, or made by hand in a test)."""
    tree = getattr(report, "typed", None)
    return tree if tree is not None else report


def _as_json(value: Any) -> Any:
    """The typed tree as JSON values: every Decimal as its string, the rest as it is."""
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    return text(value)


def render_json(figures: ValueFigures, disclosure: Disclosure | None = None) -> ValueReport:
    """The figures as the partner API's JSON (the stable contract: every key and value as
    before the figures were typed), with ``disclosure`` applied when given."""
    tree = shown_tree(figures, disclosure)
    report = ValueReport(_as_json(tree))
    report.role_shares = tuple(row.shares for row in figures.by_role)
    report.employer_time_people = figures.employer_people
    report.figures, report.disclosure, report.typed = figures, disclosure, tree
    return report
