"""The smallest and largest value of chosen variables under linear relations: HiGHS, through scipy.

The programme is ``lower ≤ x ≤ upper``, ``A_eq x = 0``, ``A_ub x ≤ 0`` (the audit's relations are
homogeneous: published figures are variables with narrow bounds). Two ways to solve it:

- the HiGHS object bundled with scipy (``scipy.optimize._highspy._core._Highs``), built once per
  programme and re-solved for each objective from the previous basis: many times quicker when a
  group has hundreds of hidden figures. It is not scipy's public interface, so it is used only
  when present with the methods needed (scipy is pinned), and the results are the same;
- otherwise ``scipy.optimize.linprog(method="highs")``, with the programme repeated block-diagonally
  (one copy per objective) so that several objectives are solved in one call.
"""

from __future__ import annotations

import math
from typing import Any

INF = math.inf
#: Programmes up to this many matrix entries are passed to linprog as dense arrays.
DENSE_LIMIT = 250_000
#: About how many variables one linprog call takes (copies of the programme, batched).
BATCH_VARIABLES = 2_000
#: Use the warm-started HiGHS object when available (tests turn it off to check linprog).
FAST = True

Bounds = list[tuple[float, float]]
Entries = dict[bool, list[tuple[int, int, float]]]  # equality rows (True), ≤ 0 rows (False)


class SolverError(Exception):
    """A programme did not solve (infeasible figures, or the solver failed)."""


def extremes(bounds: Bounds, entries: Entries, columns: list[int]) -> list[tuple[float, float]]:
    """(smallest, largest) of each column; the largest may be ``inf``."""
    highs = _highs() if FAST else None
    if highs is not None:
        return _warm(highs, bounds, entries, columns)
    return _batched(bounds, entries, columns)


def _highs() -> Any:
    try:
        from scipy.optimize._highspy import _core
    except ImportError:  # pragma: no cover - scipy is pinned
        return None
    needed = ("passModel", "changeColCost", "changeObjectiveSense", "run", "getModelStatus")
    highs = getattr(_core, "_Highs", None)
    if highs is None or not all(hasattr(highs, name) for name in needed):  # pragma: no cover
        return None
    return _core


def _rows(entries: Entries) -> dict[bool, int]:
    return {e: 1 + max((r for r, _c, _v in entries[e]), default=-1) for e in entries}


def _warm(
    core: Any, bounds: Bounds, entries: Entries, columns: list[int]
) -> list[tuple[float, float]]:
    import numpy as np
    from scipy.sparse import coo_array

    n = len(bounds)
    rows = _rows(entries)
    triples = entries[True] + [(r + rows[True], c, v) for r, c, v in entries[False]]
    height = rows[True] + rows[False]
    matrix = coo_array(
        (
            np.array([t[2] for t in triples], dtype=float),
            (
                np.array([t[0] for t in triples], dtype=np.int64),
                np.array([t[1] for t in triples], dtype=np.int64),
            ),
        ),
        shape=(height, n),
    ).tocsc()
    inf = core.kHighsInf
    lp = core.HighsLp()
    lp.num_col_, lp.num_row_ = n, height
    lp.col_cost_ = np.zeros(n)
    lp.col_lower_ = np.array([low for low, _high in bounds], dtype=float)
    lp.col_upper_ = np.array([inf if high == INF else high for _low, high in bounds], dtype=float)
    lp.row_lower_ = np.array([0.0] * rows[True] + [-inf] * rows[False], dtype=float)
    lp.row_upper_ = np.zeros(height)
    lp.a_matrix_.format_ = core.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, height
    highs = core._Highs()
    highs.setOptionValue("output_flag", False)
    if highs.passModel(lp) != core.HighsStatus.kOk:
        raise SolverError("HiGHS refused the programme")
    status = core.HighsModelStatus
    out = []
    previous = None
    for column in columns:
        if previous is not None:
            highs.changeColCost(previous, 0.0)
        highs.changeColCost(column, 1.0)
        previous = column
        ends = []
        for sense in (core.ObjSense.kMinimize, core.ObjSense.kMaximize):
            highs.changeObjectiveSense(sense)
            highs.run()
            model_status = highs.getModelStatus()
            if model_status == status.kOptimal:
                ends.append(float(highs.getInfo().objective_function_value))
            elif model_status == status.kUnbounded and sense == core.ObjSense.kMaximize:
                ends.append(INF)
            else:
                raise SolverError(f"HiGHS: {highs.modelStatusToString(model_status)}")
        out.append((ends[0], ends[1]))
    return out


def _batched(bounds: Bounds, entries: Entries, columns: list[int]) -> list[tuple[float, float]]:
    objective = [(side, column) for column in columns for side in (0, 1)]
    per_call = max(2, 2 * (BATCH_VARIABLES // (2 * max(1, len(bounds)))))
    ends: list[float] = []
    for first in range(0, len(objective), per_call):
        batch = objective[first : first + per_call]
        try:
            ends += _linprog(bounds, entries, batch)
        except _Unbounded:  # some column has no upper end: solve them one at a time
            for side, column in batch:
                try:
                    ends += _linprog(bounds, entries, [(side, column)])
                except _Unbounded:
                    if side == 0:
                        raise SolverError("a figure has no lower end") from None
                    ends.append(INF)
    return [(ends[2 * n], ends[2 * n + 1]) for n in range(len(columns))]


class _Unbounded(Exception):
    pass


def _linprog(bounds: Bounds, entries: Entries, objective: list[tuple[int, int]]) -> list[float]:
    """One programme per (side, column) of ``objective`` — side 0 minimises that column, 1
    maximises it — as one block-diagonal programme: the copies are independent, so an optimum
    of their sum is each copy's own optimum."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import coo_array

    n, copies = len(bounds), len(objective)
    rows = _rows(entries)

    def matrix(equal: bool) -> Any:
        if not rows[equal]:
            return None
        r = np.array([e[0] for e in entries[equal]], dtype=np.int64)
        c = np.array([e[1] for e in entries[equal]], dtype=np.int64)
        v = np.array([e[2] for e in entries[equal]], dtype=float)
        blocks = np.arange(copies, dtype=np.int64).repeat(len(r))
        r_all = np.tile(r, copies) + blocks * rows[equal]
        c_all = np.tile(c, copies) + blocks * n
        v_all = np.tile(v, copies)
        shape = (copies * rows[equal], copies * n)
        if shape[0] * shape[1] <= DENSE_LIMIT:  # small: dense is much quicker to pass in
            dense = np.zeros(shape)
            np.add.at(dense, (r_all, c_all), v_all)
            return dense
        return coo_array((v_all, (r_all, c_all)), shape=shape).tocsr()

    a_eq, a_ub = matrix(True), matrix(False)
    cost = np.zeros(copies * n)
    for block, (side, column) in enumerate(objective):
        cost[block * n + column] = 1.0 if side == 0 else -1.0
    result = linprog(
        cost,
        A_ub=a_ub,
        b_ub=None if a_ub is None else np.zeros(a_ub.shape[0]),
        A_eq=a_eq,
        b_eq=None if a_eq is None else np.zeros(a_eq.shape[0]),
        bounds=[(low, None if high == INF else high) for low, high in bounds] * copies,
        method="highs",
    )
    if result.status == 3:
        raise _Unbounded
    if result.status != 0:
        raise SolverError(f"linprog: {result.message}")
    return [float(result.x[b * n + column]) for b, (_side, column) in enumerate(objective)]
