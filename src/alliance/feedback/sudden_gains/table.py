"""The table path: :func:`sudden_gains` over a long table of many clients."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import FeedbackError
from .events import _find_events, _session_value, _show
from .rules import Better, make_rules

EVENT_COLUMNS = (
    "id",
    "kind",
    "pregain_session",
    "postgain_session",
    "score_n_minus_2",
    "score_n_minus_1",
    "pregain_score",
    "postgain_score",
    "score_n_plus_2",
    "score_n_plus_3",
    "magnitude",
    "n_pre",
    "n_post",
    "mean_pre",
    "mean_post",
    "sd_pooled",
    "critical_value",
    "reversal_value",
    "reversal",
    "reversal_session",
    "treatment_change",
    "change_proportion",
    "person_events",
)
"""Columns of the table returned by :func:`sudden_gains`, in order."""


def sudden_gains(
    data: pd.DataFrame,
    id_col: str = "id",
    session_col: str = "session",
    score_col: str = "score",
    *,
    cutoff: float | None = None,
    min_proportion: float | None = 0.25,
    alpha: float = 0.05,
    adjust_for_missing: bool = True,
    losses: bool = False,
    better: Better | None = None,
    instrument: str | None = None,
    scale: str | None = None,
) -> pd.DataFrame:
    """All sudden gains (or, with ``losses=True``, sudden losses) in a long table.

    ``data`` has one row per client and session: ``id_col`` (any value), ``session_col`` (a
    number) and ``score_col`` (a number; NaN = missing).  The occasions are every session
    number present in the table (see the package docstring for the criteria and measures).

    Options: ``cutoff`` (criterion 1; default the reliable change of ``instrument``'s
    ``scale``, else 7), ``min_proportion`` (criterion 2, 0.25; None switches it off),
    ``alpha`` (criterion 3, .05), ``adjust_for_missing`` (True: df = n1 + n2 - 2, Lutz et al.
    2013; False: t(1 - alpha/2, 4) whatever the windows hold), ``better`` ("lower" or
    "higher"; default the instrument's direction, else "lower").

    Returns one row per event, ordered by client (first appearance) and session, with the
    columns in :data:`EVENT_COLUMNS`: ``id``, ``kind`` ("gain"/"loss"), ``pregain_session``
    and ``postgain_session`` (n and n + 1; pre-loss and post-loss for losses), the scores of
    sessions n-2 ... n+3, ``magnitude``, the window sizes, means, pooled SD and critical value
    of criterion 3, ``reversal_value``, ``reversal``, ``reversal_session`` (the first later
    session beyond the midpoint), ``treatment_change``, ``change_proportion`` and
    ``person_events``.  Raises FeedbackError naming the row and column of bad input."""
    rules = make_rules(
        cutoff=cutoff,
        min_proportion=min_proportion,
        alpha=alpha,
        adjust_for_missing=adjust_for_missing,
        losses=losses,
        better=better,
        instrument=instrument,
        scale=scale,
    )
    ids, grid, matrix = _wide(data, id_col, session_col, score_col)
    events = _find_events(grid, matrix, rules)
    row = events.row
    table = pd.DataFrame(
        {
            "id": pd.Series(ids.take(row), dtype=ids.dtype),
            "kind": pd.Series([rules.kind] * row.size, dtype=object),
            **events.columns,
            "person_events": np.bincount(row, minlength=len(ids)).take(row),
        }
    )
    return table.loc[:, list(EVENT_COLUMNS)].reset_index(drop=True)


def _wide(
    data: pd.DataFrame, id_col: str, session_col: str, score_col: str
) -> tuple[pd.Index, NDArray[np.float64] | NDArray[np.int64], NDArray[np.float64]]:
    """Validate the long table; return the ids (first-appearance order), the occasion grid
    (sorted session numbers) and the clients x occasions score matrix (NaN = missing)."""
    if not isinstance(data, pd.DataFrame):
        raise FeedbackError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    for what, name in (("id_col", id_col), ("session_col", session_col), ("score_col", score_col)):
        if name not in data.columns:
            raise FeedbackError(
                f"{what}: column {name!r} is not in the table; it has {list(data.columns)}"
            )
    ids = data[id_col]
    missing_id = ids.isna().to_numpy()
    if missing_id.any():
        row = int(np.flatnonzero(missing_id)[0]) + 1
        raise FeedbackError(f"row {row}, column {id_col}: empty; expected a client id")
    sessions = _numeric_column(data[session_col], session_col, allow_missing=False)
    scores = _numeric_column(data[score_col], score_col, allow_missing=True)
    codes, uniques = pd.factorize(ids, sort=False)
    grid = np.unique(sessions)
    position = np.searchsorted(grid, sessions)
    repeated = pd.Series(codes.astype(np.int64) * len(grid) + position).duplicated().to_numpy()
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        raise FeedbackError(
            f"row {row + 1}, columns {id_col}/{session_col}: client {_show(ids.iloc[row])} "
            f"already has a row for session {_session_value(sessions[row])!r}; "
            "expected one row per client and session"
        )
    matrix = np.full((len(uniques), len(grid)), np.nan)
    matrix[codes, position] = scores
    whole = bool(np.all(np.floor(grid) == grid))
    return pd.Index(uniques), (grid.astype(np.int64) if whole else grid), matrix


def _numeric_column(cells: pd.Series, name: str, *, allow_missing: bool) -> NDArray[np.float64]:
    if pd.api.types.is_bool_dtype(cells.dtype):
        raise FeedbackError(f"column {name}: holds true/false values; expected numbers")
    numbers = pd.to_numeric(cells, errors="coerce").astype("float64").to_numpy()
    original_missing = cells.isna().to_numpy()
    bad = np.isnan(numbers) & ~original_missing
    bad |= np.isinf(numbers)
    if not allow_missing:
        bad |= original_missing
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        expected = "a finite number (NaN for missing)" if allow_missing else "a session number"
        raise FeedbackError(
            f"row {row + 1}, column {name}: {_show(cells.iloc[row])}; expected {expected}"
        )
    return np.asarray(numbers, dtype=np.float64)
