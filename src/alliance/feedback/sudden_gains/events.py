"""Finding the events in a clients x occasions matrix and measuring them (magnitude,
reversal, change over treatment): the one step that the table and the one-client path share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from .criteria import _criteria
from .rules import Rules


@dataclass(frozen=True)
class _Events:
    """The events of a matrix, in order of row (client), then occasion.  ``row`` is each
    event's row of the matrix; ``columns`` holds its measures, one array entry per event,
    under the names of :data:`EVENT_COLUMNS` (all but ``id``, ``kind`` and
    ``person_events``, which only the table has)."""

    row: NDArray[np.int64]
    columns: dict[str, NDArray[Any]]


def _find_events(
    grid: NDArray[np.float64] | NDArray[np.int64], matrix: NDArray[np.float64], rules: Rules
) -> _Events:
    """Every interval of every row of ``matrix`` (clients x the occasions of ``grid``, NaN =
    missing) meeting the rules.  Vectorised over clients and occasions at once."""
    raw = np.pad(matrix, ((0, 0), (2, 3)), constant_values=np.nan)  # column j + 2: occasion j
    n_occasions = matrix.shape[1]
    if n_occasions < 2:  # no interval at all
        matrix = np.full((0, 2), np.nan)
        n_occasions = 2
    n_intervals = n_occasions - 1
    oriented = matrix if rules.decrease else -matrix
    # padded column j + 2 is occasion j; window j holds occasions j-2 .. j+3
    padded = np.pad(oriented, ((0, 0), (2, 3)), constant_values=np.nan)
    windows = sliding_window_view(padded, 6, axis=1)[:, :n_intervals, :].reshape(-1, 6)
    pregain_raw = matrix[:, :n_intervals].reshape(-1)
    crit = _criteria(windows[:, :3], windows[:, 3:], pregain_raw, rules)
    hit = np.flatnonzero(crit.c1 & crit.c2 & crit.c3)  # row-major: row, then occasion
    row, pos = np.divmod(hit, n_intervals)
    before, after = oriented[row, pos], oriented[row, pos + 1]
    midpoint = (before + after) / 2.0
    # reversal: a score at occasion n + 3 or later beyond the midpoint (NaN compares False)
    later = np.arange(n_occasions)[None, :] >= (pos + 3)[:, None]
    beyond = later & (oriented[row] > midpoint[:, None])
    reversal_pos = np.where(beyond.any(axis=1), beyond.argmax(axis=1), -1)
    magnitude = before - after
    # change from the first to the last occasion, in the event's direction
    treatment = padded[row, 2] - padded[row, n_occasions + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        proportion = np.where(treatment == 0, np.nan, magnitude / treatment)
    reversal_session = grid.astype(float).take(reversal_pos.clip(0))
    return _Events(
        row=row.astype(np.int64),
        columns={
            "pregain_session": grid.take(pos),
            "postgain_session": grid.take(pos + 1),
            "score_n_minus_2": raw[row, pos],
            "score_n_minus_1": raw[row, pos + 1],
            "pregain_score": raw[row, pos + 2],
            "postgain_score": raw[row, pos + 3],
            "score_n_plus_2": raw[row, pos + 4],
            "score_n_plus_3": raw[row, pos + 5],
            "magnitude": magnitude,
            "n_pre": crit.moments.n_pre[hit],
            "n_post": crit.moments.n_post[hit],
            "mean_pre": _unorient(crit.moments.mean_pre[hit], rules),
            "mean_post": _unorient(crit.moments.mean_post[hit], rules),
            "sd_pooled": crit.sd_pooled[hit],
            "critical_value": crit.critical[hit],
            "reversal_value": _unorient(midpoint, rules),
            "reversal": reversal_pos >= 0,
            "reversal_session": np.where(reversal_pos >= 0, reversal_session, np.nan),
            "treatment_change": treatment,
            "change_proportion": proportion,
        },
    )


def _unorient(values: NDArray[np.float64], rules: Rules) -> NDArray[np.float64]:
    return values if rules.decrease else -values


def _session_value(value: float | np.floating[Any] | np.integer[Any]) -> float:
    """A session number as a plain Python number: an int when it is whole (3, not 3.0)."""
    number = float(value)
    return int(number) if number.is_integer() else number


def _show(value: object) -> str:
    """A cell for an error message: numpy scalars shown as plain Python values."""
    return repr(value.item() if isinstance(value, np.generic) else value)
