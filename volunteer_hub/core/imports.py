"""The one import pipeline: read → parse each cell → resolve references → refuse all → insert.

Every CSV/XLSX import (hours, expenses, time bank, rates, investment) is a short configuration
of these phases:

1. :func:`read_columns` reads the file into a :class:`Table`: each expected column a pandas
   ``Categorical`` of stripped text, so a value held by a million rows is parsed once. CSV goes
   through pandas' C reader; XLSX, and any CSV pandas would read differently from the csv module
   (control characters, a cell over the csv size limit, ragged rows, no header…), go through
   :func:`volunteer_hub.core.tabular.read_table`, which names every such line.
2. :meth:`Table.parse` runs each :class:`Field`'s parser once per distinct value (or combination
   of values) of its columns and collects every bad row's problems, in column order, by line.
3. The domain resolves references with set operations on distinct values (:func:`distinct`).
4. :func:`refusal` builds the one error listing every bad line (nothing is written).
5. :func:`insert_rows` writes in large batches: ``COPY`` on PostgreSQL, ``executemany`` on
   SQLite, in the caller's transaction.

A :data:`Progress` callback hears ``("checked", rows)`` and ``("saved", rows)``: the CLI prints
it; a background job can store it for a progress page. pandas and numpy are imported only when an
import runs, so commands start quickly.

Running an import from a background job (issue 19 §2) is the same call the CLI makes, inside an
application context: ``import_hours(path, create_missing=..., imported_by=user,
progress=store)`` (likewise ``import_expenses`` and ``import_exchanges``), then commit; on
:class:`~volunteer_hub.core.errors.DomainError` roll back and show ``error.message``, which lists
every bad line exactly as the command does. Nothing is written until every row is good, and the
import runs in the caller's one transaction, so a job killed part-way leaves nothing behind.
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table as DbTable
from sqlalchemy import insert, text

from volunteer_hub.core.errors import DomainError
from volunteer_hub.core.formatting import plural
from volunteer_hub.core.inputs import unusual
from volunteer_hub.core.tabular import MAX_LISTED, read_table
from volunteer_hub.extensions import db

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: ``progress(stage, rows)``: stage is "checked" (rows parsed and checked) or "saved".
Progress = Callable[[str, int], None]

#: Rows per insert batch (and per "saved" progress report).
BATCH = 50_000
#: Rows per chunk read by pandas (bounds the memory of text not yet made categorical).
CHUNK = 100_000


@dataclass
class Table:
    """An import file's rows: each expected column as a Categorical of stripped text, and each
    row's line number in the file (the header is line 1; blank lines count but are not rows)."""

    frame: pd.DataFrame
    lines: np.ndarray

    def __len__(self) -> int:
        return len(self.lines)

    def codes(self, column: str) -> np.ndarray:
        return self.frame[column].cat.codes.to_numpy()

    def categories(self, column: str) -> list[str]:
        return [str(value) for value in self.frame[column].cat.categories]

    def parse(self, fields: Sequence[Field]) -> Parsed:
        """Every field parsed (once per distinct value), and every bad row's problems."""
        import numpy as np

        values: dict[str, np.ndarray] = {}
        codes: dict[str, np.ndarray] = {}
        bad_parts: list[tuple[np.ndarray, np.ndarray]] = []
        for one in fields:
            keys = [self.codes(column) for column in one.columns]
            texts = [self.categories(column) for column in one.columns]
            inverse, combos = combine(keys)
            results: list[Any] = []
            messages: list[list[str]] = []
            for combo in combos:
                problems: list[str] = []
                results.append(
                    one.parse(*(t[i] for t, i in zip(texts, combo, strict=True)), problems)
                )
                messages.append(problems)
            values[one.name or one.columns[0]] = _objects(results)[inverse]
            codes[one.name or one.columns[0]] = inverse
            wrong = np.array([bool(m) for m in messages], dtype=bool)
            if wrong.any():
                rows = np.flatnonzero(wrong[inverse])
                bad_parts.append((rows, _objects(messages)[inverse[rows]]))
        return Parsed(values, codes, _joined(bad_parts))


@dataclass(frozen=True)
class Field:
    """Columns parsed together: ``parse(*texts, problems)`` returns the value and appends what is
    wrong to ``problems`` (a row's messages are kept in field order; :meth:`Parsed.joined` joins
    them with "; ")."""

    columns: tuple[str, ...]
    parse: Callable[..., Any]
    name: str | None = None


@dataclass
class Parsed:
    values: dict[str, np.ndarray]
    #: Each field's distinct value (or combination) per row: keys for :func:`distinct`.
    codes: dict[str, np.ndarray]
    #: Row index → its problems (in field order), for rows with any.
    problems: dict[int, list[str]]

    def joined(self) -> list[tuple[int, str]]:
        """Each bad row's problems as one message, "; "-joined."""
        return [(row, "; ".join(messages)) for row, messages in self.problems.items()]

    def good(self) -> np.ndarray:
        import numpy as np

        mask = np.ones(len(next(iter(self.values.values()))), dtype=bool)
        mask[list(self.problems)] = False
        return mask


def _objects(items: list[Any]) -> np.ndarray:
    """A one-dimensional object array of ``items`` (tuples and lists stay whole)."""
    import numpy as np

    return np.fromiter(items, dtype=object, count=len(items))


def _joined(parts: list[tuple[np.ndarray, np.ndarray]]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for rows, messages in parts:
        for row, message in zip(rows.tolist(), messages.tolist(), strict=True):
            found.setdefault(row, []).extend(message)
    return dict(sorted(found.items()))


def combine(keys: Sequence[np.ndarray]) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Rows keyed by code arrays → (each row's combination number, the combinations), numbered
    in order of first appearance (codes are combined pairwise into one integer)."""
    import numpy as np
    import pandas as pd

    arrays = [np.asarray(k, dtype=np.int64) for k in keys]
    inverse = np.zeros(len(arrays[0]), dtype=np.int64)
    for other in arrays:
        width = int(other.max()) + 2 if len(other) else 1
        inverse = pd.factorize(inverse * width + (other + 1))[0].astype(np.int64)
    first = np.unique(inverse, return_index=True)[1]
    return inverse, list(zip(*(a[first].tolist() for a in arrays), strict=True))


def first_rows(rows: np.ndarray, keys: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Of ``rows`` (row indexes), keyed by ``keys`` (code arrays over the whole table): the first
    row of each distinct combination, in order of appearance, and each row's combination."""
    import numpy as np

    inverse, _ = combine([np.asarray(k)[rows] for k in keys])
    return rows[np.unique(inverse, return_index=True)[1]], inverse


def distinct(
    rows: np.ndarray, keys: Sequence[np.ndarray], check: Callable[[int], list[str]]
) -> list[tuple[int, str]]:
    """``check(row)`` once per distinct combination of ``keys`` among ``rows``, with its first
    row; every message as (row, message), rows in order, a row's messages in check order."""
    if not len(rows):
        return []
    firsts, inverse = first_rows(rows, keys)
    answers = [check(int(row)) for row in firsts.tolist()]
    return [
        (row, message)
        for row, a in zip(rows.tolist(), inverse.tolist(), strict=True)
        for message in answers[a]
    ]


def repeated_refs(table: Table, refs: np.ndarray, good: np.ndarray) -> list[tuple[int, str]]:
    """(row, message) for each good row whose ref an earlier good row already has."""
    import pandas as pd

    series = pd.Series(refs)[good & pd.notna(refs)]
    repeated = series[series.duplicated(keep="first")]
    if repeated.empty:
        return []
    first = {ref: table.lines[row] for row, ref in series.drop_duplicates(keep="first").items()}
    return [
        (int(row), f"ref {ref!r} is also on line {first[ref]}") for row, ref in repeated.items()
    ]


# --- reading ----------------------------------------------------------------------------------


def read_columns(path: Path, header: Sequence[str]) -> Table:
    """The file's rows as a :class:`Table` (see the module's docstring); DomainError as
    :func:`~volunteer_hub.core.tabular.read_table` raises it."""
    if path.suffix.lower() in {".csv", ".txt", ""}:
        table = _fast_csv(path, header)
        if table is not None:
            return table
    return _exact(path, header)


def _exact(path: Path, header: Sequence[str]) -> Table:
    import numpy as np
    import pandas as pd

    lines: list[int] = []
    columns: dict[str, list[str]] = {name: [] for name in header}
    for line, row in read_table(path, header):
        lines.append(line)
        for name in header:
            columns[name].append(row[name])
    frame = pd.DataFrame({name: pd.Categorical(values) for name, values in columns.items()})
    return Table(frame, np.array(lines, dtype=np.int64))


def _fast_csv(path: Path, header: Sequence[str]) -> Table | None:
    """pandas' reading, or None when the csv module's reading must decide (see above)."""
    import numpy as np
    import pandas as pd
    from pandas.api.types import union_categoricals

    chunks: list[pd.DataFrame] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                encoding="utf-8-sig",
                index_col=False,
                chunksize=CHUNK,
            ) as reader:
                for chunk in reader:
                    chunks.append(chunk.fillna("").astype("category"))
    except Exception:
        return None
    if not chunks:
        return None
    names = [str(c).strip().lower() for c in chunks[0].columns]
    if any(name not in names for name in header):
        return None
    whole = {
        column: union_categoricals([c[column] for c in chunks]) for column in chunks[0].columns
    }
    return _stripped(whole, names, header, np, pd)


def _stripped(
    whole: dict[Any, Any], names: list[str], header: Sequence[str], np: Any, pd: Any
) -> Table | None:
    limit = csv.field_size_limit()
    blank = None
    wanted = {name: list(whole)[names.index(name)] for name in header}
    columns: dict[str, Any] = {}
    for original, values in whole.items():
        raw = [str(c) for c in values.categories]
        stripped = [c.strip() for c in raw]
        empty = np.array([not s for s in stripped], dtype=bool)
        codes = values.codes
        row_empty = empty[codes] if len(empty) else np.ones(len(codes), dtype=bool)
        blank = row_empty if blank is None else blank & row_empty
        if original not in wanted.values():
            continue
        if any(unusual(c) or len(c) > limit for c in raw):
            return None
        uniques = list(dict.fromkeys(stripped))
        position = {text: i for i, text in enumerate(uniques)}
        mapping = np.array([position[s] for s in stripped], dtype=np.int64)
        columns[original] = (mapping[codes] if len(mapping) else codes, uniques)
    keep = np.flatnonzero(~blank) if blank is not None else np.array([], dtype=np.int64)
    frame = pd.DataFrame(
        {
            name: pd.Categorical.from_codes(columns[original][0][keep], columns[original][1])
            for name, original in wanted.items()
        }
    )
    return Table(frame, keep.astype(np.int64) + 2)


# --- refusing -------------------------------------------------------------------------------


def refusal(
    problems: Sequence[str], heading: str | None = None, *, listed: int = MAX_LISTED
) -> DomainError:
    """Nothing imported: the first ``listed`` problems, and how many more."""
    if heading is None:
        heading = f"Nothing was imported: {plural(len(problems), 'row needs', 'rows need')} fixing."
    shown = list(problems[:listed])
    more = len(problems) - len(shown)
    return DomainError(heading + "\n" + "\n".join(shown) + (f"\n… and {more} more" if more else ""))


def lined(table: Table, found: Iterable[tuple[int, str]]) -> list[str]:
    """(row index, message) → "line N: message"."""
    lines = table.lines
    return [f"line {lines[row]}: {message}" for row, message in found]


# --- inserting ------------------------------------------------------------------------------


def insert_rows(
    target: DbTable,
    columns: dict[str, Any],
    size: int,
    *,
    progress: Progress | None = None,
    batch: int = BATCH,
) -> None:
    """Insert ``size`` rows into ``target`` in the session's transaction, in batches of
    :data:`BATCH`: ``COPY`` on PostgreSQL, ``executemany`` elsewhere. Each value of ``columns``
    is a sequence of ``size`` values or one value for every row."""
    connection = db.session.connection()
    dialect = connection.dialect
    names = [target.c[name].name for name in columns]  # the table's own columns only
    quote = dialect.identifier_preparer.quote
    into = f"{quote(target.name)} ({', '.join(quote(name) for name in names)})"
    driver = connection.connection.driver_connection
    assert driver is not None
    for start in range(0, size, batch):
        stop = min(start + batch, size)
        if dialect.name == "postgresql":
            cells = [_batch(columns[n], start, stop, None) for n in names]
            with driver.cursor() as cursor, cursor.copy(f"COPY {into} FROM STDIN") as copy:
                for row in zip(*cells, strict=True):
                    copy.write_row(row)
        else:
            cells = [
                _batch(columns[n], start, stop, target.c[n].type._cached_bind_processor(dialect))
                for n in names
            ]
            marks = ", ".join("?" for _ in names)
            statement = f"INSERT INTO {into} VALUES ({marks})"  # noqa: S608 - names from the table
            driver.executemany(statement, zip(*cells, strict=True))
        if progress:
            progress("saved", stop)


def insert_returning_ids(
    target: DbTable, columns: dict[str, Any], size: int, *, progress: Progress | None = None
) -> list[int]:
    """:func:`insert_rows`, and the new rows' ids in row order. On PostgreSQL the ids are drawn
    from the table's sequence first and the rows copied with them; elsewhere the rows are
    inserted with ``RETURNING``. Columns are written as given: give every NOT NULL column."""
    if not size:
        return []
    if db.session.connection().dialect.name == "postgresql":
        ids = list(
            db.session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
                ),
                {"t": target.name, "n": size},
            )
        )
        insert_rows(target, {"id": ids, **columns}, size, progress=progress)
        return ids
    names = list(columns)
    cells = [_batch(columns[name], 0, size, None) for name in names]
    found = db.session.scalars(
        insert(target).returning(target.c.id, sort_by_parameter_order=True),
        [dict(zip(names, row, strict=True)) for row in zip(*cells, strict=True)],
    )
    ids = list(found)
    if progress:
        progress("saved", size)
    return ids


def _batch(values: Any, start: int, stop: int, processor: Callable[[Any], Any] | None) -> list[Any]:
    if (
        isinstance(values, (str, int, float, bool))
        or values is None
        or not hasattr(values, "__len__")
    ):
        one = processor(values) if processor else values
        return [one] * (stop - start)
    part = values[start:stop]
    part = part.tolist() if hasattr(part, "tolist") else list(part)
    if processor is None:
        return part
    cache: dict[Any, Any] = {}
    return [cache[v] if v in cache else cache.setdefault(v, processor(v)) for v in part]
