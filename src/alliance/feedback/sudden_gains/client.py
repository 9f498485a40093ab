"""The one-client path: :func:`client_sudden_gains` over one client's sessions and scores."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import FeedbackError
from .events import _find_events, _session_value, _show
from .rules import Better, Kind, make_rules


@dataclass(frozen=True)
class SuddenChange:
    """One sudden gain or loss of one client (see :func:`client_sudden_gains`)."""

    kind: Kind
    pregain_session: float
    postgain_session: float
    pregain_score: float
    postgain_score: float
    magnitude: float
    n_pre: int
    n_post: int
    mean_pre: float
    mean_post: float
    sd_pooled: float
    critical_value: float
    reversal_value: float
    reversal: bool
    reversal_session: float | None
    treatment_change: float | None
    change_proportion: float | None


def client_sudden_gains(
    sessions: ArrayLike,
    scores: ArrayLike,
    *,
    cutoff: float | None = None,
    min_proportion: float | None = 0.25,
    alpha: float = 0.05,
    adjust_for_missing: bool = True,
    losses: bool = False,
    better: Better | None = None,
    instrument: str | None = None,
    scale: str | None = None,
) -> tuple[SuddenChange, ...]:
    """Sudden gains (or, with ``losses=True``, sudden losses) in one client's history.

    ``sessions`` are the session numbers (any order, no repeats) and ``scores`` the scores
    there (NaN = missing).  Consecutive entries of the sorted sessions are consecutive
    occasions: pass an occasion without a score as NaN rather than leaving it out.  Options
    as in :func:`sudden_gains`.  Returns the events in session order."""
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
    grid, values = _client_arrays(sessions, scores)
    events = _find_events(grid, values[None, :], rules)
    return tuple(_change(rules.kind, events.columns, i) for i in range(events.row.size))


def _change(kind: Kind, columns: Mapping[str, NDArray[Any]], i: int) -> SuddenChange:
    """Event ``i`` of the columns found, in plain Python values."""
    value = {name: column[i] for name, column in columns.items()}
    reversal = bool(value["reversal"])
    treatment = float(value["treatment_change"])
    proportion = float(value["change_proportion"])
    return SuddenChange(
        kind=kind,
        pregain_session=_session_value(value["pregain_session"]),
        postgain_session=_session_value(value["postgain_session"]),
        pregain_score=float(value["pregain_score"]),
        postgain_score=float(value["postgain_score"]),
        magnitude=float(value["magnitude"]),
        n_pre=int(value["n_pre"]),
        n_post=int(value["n_post"]),
        mean_pre=float(value["mean_pre"]),
        mean_post=float(value["mean_post"]),
        sd_pooled=float(value["sd_pooled"]),
        critical_value=float(value["critical_value"]),
        reversal_value=float(value["reversal_value"]),
        reversal=reversal,
        reversal_session=_session_value(value["reversal_session"]) if reversal else None,
        treatment_change=None if math.isnan(treatment) else treatment,
        change_proportion=None if math.isnan(proportion) else proportion,
    )


def _client_arrays(
    sessions: ArrayLike, scores: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    try:
        grid = np.asarray(sessions, dtype=float).ravel()
    except (TypeError, ValueError):
        raise FeedbackError("sessions: expected numbers (session numbers)") from None
    try:
        values = np.asarray(scores, dtype=float).ravel()
    except (TypeError, ValueError):
        raise FeedbackError("scores: expected numbers (NaN for a missing score)") from None
    if grid.size != values.size:
        raise FeedbackError(
            f"sessions and scores: {grid.size} sessions but {values.size} scores; "
            "expected one score per session"
        )
    if not np.isfinite(grid).all():
        index = int(np.flatnonzero(~np.isfinite(grid))[0])
        raise FeedbackError(f"sessions[{index}]: {_show(grid[index])}; expected a session number")
    if np.isinf(values).any():
        index = int(np.flatnonzero(np.isinf(values))[0])
        raise FeedbackError(f"scores[{index}]: {_show(values[index])}; expected a finite number")
    order = np.argsort(grid, kind="stable")
    grid, values = grid[order], values[order]
    repeated = np.flatnonzero(np.diff(grid) == 0)
    if repeated.size:
        raise FeedbackError(
            f"sessions: session {_session_value(grid[repeated[0]])!r} appears twice; "
            "expected each session once"
        )
    return grid, values
