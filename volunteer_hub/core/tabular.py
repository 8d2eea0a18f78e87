"""Reading CSV/XLSX uploads and writing safe CSV/XLSX: shared by every import and export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import plural
from volunteer_hub.core.inputs import unusual

#: Cells starting with these are treated as formulas by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


#: At most this many problems are listed in an import's error.
MAX_LISTED = 1000

#: A plain number written as text, e.g. "-97781.94": safe, and must stay a number.
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")


def neutralise(value: Any) -> Any:
    """Make a text cell safe to open in a spreadsheet (numbers, and plain negative numbers
    written as text, pass unchanged)."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not PLAIN_NUMBER.match(value)
    ):
        return "'" + value
    return value


def write_csv(rows: Iterable[Sequence[Any]]) -> str:
    """The one CSV writer of the product: every cell through :func:`neutralise`. Line breaks
    inside a cell are written as ``\\n`` (so the cell is quoted: a lone carriage return would
    not be, and would break the row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([_one_kind_of_line_break(neutralise(cell)) for cell in row])
    return buffer.getvalue()


def _one_kind_of_line_break(value: Any) -> Any:
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


@dataclass
class Sheet:
    """One worksheet for :func:`write_xlsx`: a bold ``header`` (if any), then ``rows``."""

    title: str
    rows: Iterable[Sequence[Any]]
    header: Sequence[str] | None = None
    #: Widen each column to its longest value (12 to 80 characters).
    fit_columns: bool = False
    #: Per cell, the same shape as ``rows``: a spreadsheet number format (e.g. "#,##0.00"), or
    #: None. Applied to numbers and dates only.
    number_formats: Sequence[Sequence[str | None]] | None = None
    #: Column widths in characters (instead of ``fit_columns``).
    widths: Sequence[float] | None = None
    #: Keep the header row in view (frozen) and print it on every page.
    freeze_header: bool = False
    #: Text cells longer than this wrap.
    wrap_longer_than: int | None = None


def write_xlsx(
    sheets: Iterable[Sheet], *, title: str | None = None, language: str | None = None
) -> bytes:
    """The one XLSX writer of the product: every cell through :func:`neutralise`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    default = workbook.active
    assert default is not None
    workbook.remove(default)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title)
        if sheet.header is not None:
            ws.append([neutralise(cell) for cell in sheet.header])
            for cell in ws[1]:
                cell.font = bold
        for row in sheet.rows:
            ws.append([neutralise(cell) for cell in row])
        if sheet.fit_columns:
            for column in ws.columns:
                width = max(len(str(c.value or "")) for c in column)
                ws.column_dimensions[column[0].column_letter].width = min(max(12, width + 2), 80)
        _present(ws, sheet, Alignment)
    if not workbook.worksheets:
        workbook.create_sheet("Sheet")
    if title is not None:
        workbook.properties.title = title
    if language is not None:
        workbook.properties.language = language
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _present(ws: Any, sheet: Sheet, alignment: Any) -> None:
    """Number formats, widths, a frozen header and wrapping, as the sheet asks."""
    first = 2 if sheet.header is not None else 1
    for r, formats in enumerate(sheet.number_formats or [], start=first):
        for c, number_format in enumerate(formats, start=1):
            cell = ws.cell(row=r, column=c)
            if number_format and not isinstance(cell.value, str) and cell.value is not None:
                cell.number_format = number_format
    for c, width in enumerate(sheet.widths or [], start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = width
    if sheet.freeze_header and sheet.header is not None:
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        for cell in ws[1]:
            cell.alignment = alignment(wrap_text=True, vertical="bottom")
    if sheet.wrap_longer_than is not None:
        wrap = alignment(wrap_text=True, vertical="top")
        for row in ws.iter_rows(min_row=first):
            for cell in row:
                if isinstance(cell.value, str) and len(cell.value) > sheet.wrap_longer_than:
                    cell.alignment = wrap


def read_table(path: Path, expected_header: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line number, row)`` from a CSV or XLSX file whose first row is the header.

    The header must contain every expected column (order free, case and surrounding spaces
    ignored); cells come back as stripped strings. Raises DomainError for an unreadable file, a
    wrong header, a CSV cell over the csv module's size limit (naming its line), or, once every
    row has been read, for control characters in any cell read (naming each line and column;
    such rows are not yielded, and nothing may be imported).
    """
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        rows = _xlsx_rows(path)
    elif suffix in {".csv", ".txt", ""}:
        rows = _csv_rows(path)
    else:
        raise DomainError(f"{path.name}: use a .csv or .xlsx file")
    try:
        header = next(rows)
    except StopIteration:
        raise DomainError(f"{path.name} is empty") from None
    names = [str(h or "").strip().lower() for h in header]
    missing = [c for c in expected_header if c not in names]
    if missing:
        raise DomainError(
            f"{path.name}: the header must be {','.join(expected_header)} "
            f"(missing: {', '.join(missing)})"
        )
    index = {name: names.index(name) for name in expected_header}
    problems: list[str] = []
    for line, cells in enumerate(rows, start=2):
        values = [_cell_text(c) for c in cells]
        if not any(values):
            continue  # blank lines are not rows
        row = {name: values[i] if i < len(values) else "" for name, i in index.items()}
        bad = [name for name, value in row.items() if unusual(value)]
        if bad:
            problems.append(
                f"line {line}: remove the control characters (such as a null byte or a line "
                f"break) from {', '.join(bad)}"
            )
            continue
        yield line, row
    if problems:
        shown = problems[:MAX_LISTED]
        more = len(problems) - len(shown)
        raise DomainError(
            f"Nothing was imported: {plural(len(problems), 'row needs', 'rows need')} fixing.\n"
            + "\n".join(shown)
            + (f"\n… and {more} more" if more else "")
        )


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if hasattr(cell, "isoformat"):
        text = cell.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _csv_rows(path: Path) -> Iterator[list[str]]:
    done = 0  # rows read: the header is line 1, as in read_table
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.reader(handle):
                done += 1
                yield row
    except csv.Error as error:  # a cell over csv.field_size_limit(), a stray quote…
        problem = (
            f"a cell is longer than {csv.field_size_limit():,} characters"
            if "field limit" in str(error)
            else f"it cannot be read as CSV ({error})"
        )
        raise DomainError(f"Nothing was imported: {path.name} line {done + 1}: {problem}") from None
    except UnicodeDecodeError:
        raise DomainError(f"{path.name} is not UTF-8 text; save it as CSV UTF-8") from None
    except FileNotFoundError:
        raise DomainError(f"{path} does not exist") from None
    except OSError as error:  # a directory, no permission, a device…
        raise DomainError(f"{path} cannot be read: {error.strerror or error}") from None


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise DomainError(f"{path} does not exist") from None
    except OSError as error:  # a directory, no permission, a device…
        raise DomainError(f"{path} cannot be read: {error.strerror or error}") from None
    except Exception as error:  # openpyxl raises many kinds for a bad file
        raise DomainError(f"{path.name} is not a readable Excel file ({error})") from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


# --- checking imported rows (the same rules and messages in every import) ---------------------

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def iso_date(text: str, column: str) -> date:
    """A cell that must be a date like 2025-04-30; ValueError with the message to show."""
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a date like 2025-04-30") from None


def past_date(text: str, column: str, today: date, problems: list[str]) -> date:
    """A date on or before today and not before 1990, adding what is wrong to ``problems``;
    the date as read (``date.min`` when it cannot be read)."""
    try:
        day = iso_date(text, column)
    except ValueError as error:
        problems.append(str(error))
        return date.min
    if day > today:
        problems.append(f"{column} {text} is in the future")
    elif day.year < 1990:
        problems.append(f"{column} {text} is before 1990")
    return day


def volunteer_columns(row: dict[str, str], problems: list[str]) -> tuple[str | None, str]:
    """The ``volunteer_email`` and ``volunteer_name`` of an import row (one of them needed),
    adding what is wrong with them to ``problems``."""
    email = row["volunteer_email"].lower() or None
    if email is not None and (len(email) > 254 or not EMAIL_RE.match(email)):
        problems.append(f"volunteer_email {row['volunteer_email']!r} is not an email address")
    name = " ".join(row["volunteer_name"].split())
    if email is None and not name:
        problems.append("give volunteer_email or volunteer_name")
    if len(name) > 200:
        problems.append("volunteer_name is longer than 200 characters")
    return email, name
