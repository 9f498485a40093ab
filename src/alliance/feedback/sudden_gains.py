"""Sudden gains and sudden losses (Tang & DeRubeis 1999; missing-data rule of Lutz et al. 2013).

A *sudden gain* is a large, stable improvement between two consecutive sessions: the
*pre-gain session* n and the *post-gain session* n + 1.  With ``x_k`` the score at session k
(lower is better, as on the BDI) an interval n -> n + 1 is a sudden gain when

1. ``x_n - x_(n+1) >= cutoff`` (Tang & DeRubeis used 7 BDI points; a measure's reliable
   change index, Jacobson & Truax 1991, is the usual choice for other measures);
2. ``x_n - x_(n+1) >= 0.25 * x_n`` (the gain is at least 25% of the pre-gain score);
3. ``mean(pre) - mean(post) > t * s_pooled``, where ``pre`` holds the available scores of
   sessions n-2, n-1, n and ``post`` those of sessions n+1, n+2, n+3 (n1 and n2 of them),
   ``s_pooled = sqrt(((n1 - 1) * s1^2 + (n2 - 1) * s2^2) / (n1 + n2 - 2))`` and ``t`` is the
   two-tailed critical value of Student's t at ``alpha`` (.05) with ``n1 + n2 - 2`` degrees of
   freedom.  With complete windows that is t(.975, 4) = 2.776, Tang & DeRubeis's value; the
   missing-data adjustment of Lutz et al. (2013) keeps the test when a window lacks one score
   and uses t(.975, 3) = 3.182 for one missing score and t(.975, 2) = 4.303 for one missing
   on each side.  Each window needs at least two scores, otherwise the interval cannot be
   tested and is not a gain.

Both x_n and x_(n+1) must be present: a gain is never bridged across a missing session.
Sessions are *occasions on a grid*: in :func:`sudden_gains` the grid is every session
number present anywhere in the table (a client without a score at an occasion of the grid
has a missing value there, as in the wide layout of the R package), in
:func:`client_sudden_gains` it is the session numbers passed in (pass a missed occasion with
a NaN score).  "n - 2" and "n + 3" are positions on the grid; windows are cut at its ends.

Further measures of each event:

- ``magnitude = x_n - x_(n+1)`` (the size of the change, positive, in the event's direction);
- ``reversal_value = (x_n + x_(n+1)) / 2``, the midpoint; the event is *reversed* when a later
  score lies strictly beyond the midpoint, back towards the pre-event level (for a gain on a
  lower-is-better measure: ``x_k > reversal_value``).  Tang & DeRubeis (1999) call a gain
  reversed when the patient later loses 50% or more of it; as in the suddengains R package
  (Wiedemann et al. 2020, ``create_bysg``, default layout) the later scores checked are those
  of grid sessions n + 3 to the last session;
- ``treatment_change``: change from the first to the last session of the grid in the event's
  direction (missing when either score is missing) and ``change_proportion = magnitude /
  treatment_change`` (missing when the change is missing or 0);
- ``person_events``: how many events of this kind the client has.  Every interval that meets
  the criteria is reported ("all gains", the package's ``bysg`` data set); a practice that
  wants one gain per client picks the first or largest from the table.

*Sudden losses* are the mirror image (Lutz et al. 2013): the change in the direction of
worsening must reach the cutoff and 25% of the pre-loss score, the t test runs the other
way, and a loss is reversed when a later score comes back beyond the midpoint towards the
pre-loss level.  For higher-is-better measures (ORS, WEMWBS) a gain is an increase and every
rule above is mirrored.  Where the R package differs: it reports loss magnitudes as negative
numbers, and its criterion 2 for losses compares with ``+0.25 * x_n`` so that it always holds;
here criterion 2 is the mirror image for losses too.

References:
    Tang, T. Z., & DeRubeis, R. J. (1999). Sudden gains and critical sessions in
    cognitive-behavioral therapy for depression. Journal of Consulting and Clinical
    Psychology, 67(6), 894-904.
    Lutz, W., Ehrlich, T., Rubel, J., et al. (2013). The ups and downs of psychotherapy:
    Sudden gains and sudden losses identified with session reports. Psychotherapy Research,
    23(1), 14-24.
    Wiedemann, M., Thew, G. R., Stott, R., & Ehlers, A. (2020). suddengains: An R package to
    identify sudden gains in longitudinal data. PLOS ONE, 15(3), e0230276.
"""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray

from alliance.measures import MeasureError, get_instrument

from .errors import FeedbackError

Better = Literal["lower", "higher"]
Kind = Literal["gain", "loss"]

DEFAULT_CUTOFF = 7.0
"""Tang & DeRubeis's (1999) first criterion on the BDI, used when no cutoff or instrument is
given."""

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


@dataclass(frozen=True)
class Rules:
    """The criteria in force (see the module docstring)."""

    cutoff: float
    min_proportion: float | None
    alpha: float
    adjust_for_missing: bool
    better: Better
    kind: Kind

    @property
    def decrease(self) -> bool:
        """Whether the event is a fall in score (a gain on a lower-is-better measure)."""
        return (self.kind == "gain") == (self.better == "lower")


@dataclass(frozen=True)
class IntervalCheck:
    """The three criteria for one interval n -> n + 1 (``None``: not testable)."""

    criterion1: bool | None
    criterion2: bool | None
    criterion3: bool | None
    n_pre: int
    n_post: int
    mean_pre: float
    mean_post: float
    sd_pre: float
    sd_post: float
    sd_pooled: float
    critical_value: float

    @property
    def met(self) -> bool:
        """All applied criteria hold (criterion 2 counts as met when it is switched off)."""
        return bool(self.criterion1 and self.criterion3 and self.criterion2 is not False)


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


def make_rules(
    *,
    cutoff: float | None = None,
    min_proportion: float | None = 0.25,
    alpha: float = 0.05,
    adjust_for_missing: bool = True,
    losses: bool = False,
    better: Better | None = None,
    instrument: str | None = None,
    scale: str | None = None,
) -> Rules:
    """Check the options and fill in defaults: the cutoff and direction of ``instrument``'s
    scale (its reliable change), else a cutoff of 7 and lower-is-better.  An explicit
    ``cutoff`` or ``better`` wins over the instrument's."""
    inst_cutoff: float | None = None
    inst_better: Better | None = None
    if instrument is not None:
        inst_cutoff, inst_better = _instrument_defaults(instrument, scale)
    elif scale is not None:
        raise FeedbackError("scale: given without an instrument; give instrument too")
    if cutoff is None:
        cutoff = inst_cutoff if inst_cutoff is not None else DEFAULT_CUTOFF
    if not _finite(cutoff) or cutoff <= 0:
        raise FeedbackError(f"cutoff: {cutoff!r}; expected a positive number")
    if min_proportion is not None and (not _finite(min_proportion) or min_proportion < 0):
        raise FeedbackError(
            f"min_proportion: {min_proportion!r}; expected a number >= 0 (e.g. 0.25) or None"
        )
    if not _finite(alpha) or not 0 < alpha < 1:
        raise FeedbackError(f"alpha: {alpha!r}; expected a number between 0 and 1")
    chosen = better if better is not None else (inst_better or "lower")
    if chosen not in ("lower", "higher"):
        raise FeedbackError(f"better: {chosen!r}; expected 'lower' or 'higher'")
    return Rules(
        cutoff=float(cutoff),
        min_proportion=None if min_proportion is None else float(min_proportion),
        alpha=float(alpha),
        adjust_for_missing=adjust_for_missing,
        better=chosen,
        kind="loss" if losses else "gain",
    )


def check_interval(
    pre_scores: ArrayLike,
    post_scores: ArrayLike,
    *,
    cutoff: float | None = None,
    min_proportion: float | None = 0.25,
    alpha: float = 0.05,
    adjust_for_missing: bool = True,
    losses: bool = False,
    better: Better | None = None,
) -> IntervalCheck:
    """Check one interval: ``pre_scores`` are the scores of sessions n-2, n-1, n (the last is
    the pre-gain score), ``post_scores`` those of n+1, n+2, n+3 (the first is the post-gain
    score); NaN marks a missing score; shorter windows are padded with missing values (pre on
    the left, post on the right).  Criteria 1 and 2 are ``None`` when x_n or x_(n+1) is
    missing, criterion 3 when a window has fewer than two scores."""
    rules = make_rules(
        cutoff=cutoff,
        min_proportion=min_proportion,
        alpha=alpha,
        adjust_for_missing=adjust_for_missing,
        losses=losses,
        better=better,
    )
    pre = _window(pre_scores, "pre_scores", pad_left=True)
    post = _window(post_scores, "post_scores", pad_left=False)
    oriented_pre, oriented_post = (pre, post) if rules.decrease else (-pre, -post)
    crit = _criteria(oriented_pre[None, :], oriented_post[None, :], pre[None, 2], rules)
    raw = _window_moments(pre[None, :], post[None, :])
    testable_12 = not (math.isnan(pre[2]) or math.isnan(post[0]))
    testable_3 = bool(crit.testable[0])
    return IntervalCheck(
        criterion1=bool(crit.c1[0]) if testable_12 else None,
        criterion2=(None if rules.min_proportion is None or not testable_12 else bool(crit.c2[0])),
        criterion3=bool(crit.c3[0]) if testable_3 else None,
        n_pre=int(crit.n_pre[0]),
        n_post=int(crit.n_post[0]),
        mean_pre=float(raw.mean_pre[0]),
        mean_post=float(raw.mean_post[0]),
        sd_pre=float(raw.sd_pre[0]),
        sd_post=float(raw.sd_post[0]),
        sd_pooled=float(crit.sd_pooled[0]),
        critical_value=float(crit.critical[0]),
    )


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
    found = _scan(values[None, :], rules)
    events = []
    for i in range(found.row.size):
        p = int(found.position[i])
        rev_pos = int(found.reversal_position[i])
        treatment = float(found.treatment_change[i])
        proportion = float(found.change_proportion[i])
        events.append(
            SuddenChange(
                kind=rules.kind,
                pregain_session=_session_value(grid[p]),
                postgain_session=_session_value(grid[p + 1]),
                pregain_score=float(values[p]),
                postgain_score=float(values[p + 1]),
                magnitude=float(found.magnitude[i]),
                n_pre=int(found.n_pre[i]),
                n_post=int(found.n_post[i]),
                mean_pre=float(found.mean_pre[i]),
                mean_post=float(found.mean_post[i]),
                sd_pooled=float(found.sd_pooled[i]),
                critical_value=float(found.critical[i]),
                reversal_value=float(found.reversal_value[i]),
                reversal=rev_pos >= 0,
                reversal_session=_session_value(grid[rev_pos]) if rev_pos >= 0 else None,
                treatment_change=None if math.isnan(treatment) else treatment,
                change_proportion=None if math.isnan(proportion) else proportion,
            )
        )
    return tuple(events)


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
    number present in the table (see the module docstring for the criteria and measures).

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
    found = _scan(matrix, rules)
    row, pos = found.row, found.position
    padded = np.pad(matrix, ((0, 0), (2, 3)), constant_values=np.nan)
    counts = np.bincount(row, minlength=len(ids))
    rev_pos = found.reversal_position
    grid_f = grid.astype(float)
    table = pd.DataFrame(
        {
            "id": pd.Series(ids.take(row), dtype=ids.dtype),
            "kind": pd.Series([rules.kind] * row.size, dtype=object),
            "pregain_session": grid.take(pos),
            "postgain_session": grid.take(pos + 1),
            "score_n_minus_2": padded[row, pos],
            "score_n_minus_1": padded[row, pos + 1],
            "pregain_score": padded[row, pos + 2],
            "postgain_score": padded[row, pos + 3],
            "score_n_plus_2": padded[row, pos + 4],
            "score_n_plus_3": padded[row, pos + 5],
            "magnitude": found.magnitude,
            "n_pre": found.n_pre,
            "n_post": found.n_post,
            "mean_pre": found.mean_pre,
            "mean_post": found.mean_post,
            "sd_pooled": found.sd_pooled,
            "critical_value": found.critical,
            "reversal_value": found.reversal_value,
            "reversal": rev_pos >= 0,
            "reversal_session": np.where(rev_pos >= 0, grid_f.take(rev_pos.clip(0)), np.nan),
            "treatment_change": found.treatment_change,
            "change_proportion": found.change_proportion,
            "person_events": counts.take(row),
        }
    )
    return table.loc[:, list(EVENT_COLUMNS)].reset_index(drop=True)


# ----------------------------------------------------------------------------- internals


@dataclass(frozen=True)
class _Criteria:
    c1: NDArray[np.bool_]
    c2: NDArray[np.bool_]
    c3: NDArray[np.bool_]
    testable: NDArray[np.bool_]
    n_pre: NDArray[np.int64]
    n_post: NDArray[np.int64]
    mean_pre: NDArray[np.float64]
    mean_post: NDArray[np.float64]
    sd_pooled: NDArray[np.float64]
    critical: NDArray[np.float64]


@dataclass(frozen=True)
class _Moments:
    n_pre: NDArray[np.int64]
    n_post: NDArray[np.int64]
    mean_pre: NDArray[np.float64]
    mean_post: NDArray[np.float64]
    ss_pre: NDArray[np.float64]
    ss_post: NDArray[np.float64]

    @property
    def sd_pre(self) -> NDArray[np.float64]:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.sqrt(self.ss_pre / (self.n_pre - 1)), dtype=float)

    @property
    def sd_post(self) -> NDArray[np.float64]:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.sqrt(self.ss_post / (self.n_post - 1)), dtype=float)


@dataclass(frozen=True)
class _Found:
    row: NDArray[np.int64]
    position: NDArray[np.int64]
    magnitude: NDArray[np.float64]
    n_pre: NDArray[np.int64]
    n_post: NDArray[np.int64]
    mean_pre: NDArray[np.float64]
    mean_post: NDArray[np.float64]
    sd_pooled: NDArray[np.float64]
    critical: NDArray[np.float64]
    reversal_value: NDArray[np.float64]
    reversal_position: NDArray[np.int64]
    treatment_change: NDArray[np.float64]
    change_proportion: NDArray[np.float64]


def _window_moments(pre: NDArray[np.float64], post: NDArray[np.float64]) -> _Moments:
    """Count, mean and sum of squared deviations of each row's available scores."""

    def moments(
        block: NDArray[np.float64],
    ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
        present = ~np.isnan(block)
        n = present.sum(axis=1).astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(present, block, 0.0).sum(axis=1) / n
        deviation = np.where(present, block - mean[:, None], 0.0)
        return n, mean, (deviation**2).sum(axis=1)

    n_pre, mean_pre, ss_pre = moments(pre)
    n_post, mean_post, ss_post = moments(post)
    return _Moments(n_pre, n_post, mean_pre, mean_post, ss_pre, ss_post)


def _criteria(
    pre: NDArray[np.float64],
    post: NDArray[np.float64],
    pregain_raw: NDArray[np.float64],
    rules: Rules,
) -> _Criteria:
    """The three criteria for rows of windows oriented so that the event is a fall
    (``pre``: sessions n-2..n, ``post``: n+1..n+3, NaN = missing); ``pregain_raw`` is the
    unoriented pre-gain score (criterion 2 is a proportion of it)."""
    m = _window_moments(pre, post)
    change = pre[:, 2] - post[:, 0]  # NaN when x_n or x_(n+1) is missing
    c1 = change >= rules.cutoff
    if rules.min_proportion is None:
        c2 = np.ones_like(c1)
    else:
        c2 = change >= rules.min_proportion * pregain_raw
    testable = (m.n_pre >= 2) & (m.n_post >= 2)
    df = np.where(testable, m.n_pre + m.n_post - 2, 4)
    if not rules.adjust_for_missing:
        df = np.full_like(df, 4)
    critical = np.where(testable, _critical_values(rules.alpha)[df], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd_pooled = np.sqrt((m.ss_pre + m.ss_post) / (m.n_pre + m.n_post - 2))
    sd_pooled = np.where(testable, sd_pooled, np.nan)
    c3 = testable & (m.mean_pre - m.mean_post > critical * sd_pooled)
    return _Criteria(
        c1=c1,
        c2=c2,
        c3=c3,
        testable=testable,
        n_pre=m.n_pre,
        n_post=m.n_post,
        mean_pre=m.mean_pre,
        mean_post=m.mean_post,
        sd_pooled=sd_pooled,
        critical=critical,
    )


@functools.lru_cache(maxsize=16)
def _critical_values(alpha: float) -> NDArray[np.float64]:
    """Two-tailed critical values of Student's t at ``alpha``, indexed by df (0 to 4; windows
    of two or three scores give df 2 to 4, df 0 and 1 are never used).  SciPy is imported
    here, not at module level, so that the ``alliance`` command starts fast."""
    from scipy import stats  # type: ignore[import-untyped]

    values = np.asarray(stats.t.ppf(1.0 - alpha / 2.0, np.arange(5)), dtype=float)
    values.setflags(write=False)
    return values


def _scan(matrix: NDArray[np.float64], rules: Rules) -> _Found:
    """Every interval of every row of ``matrix`` (clients x occasions) meeting the rules,
    ordered by row, then occasion.  Vectorised over clients and occasions at once."""
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
    row, position = np.divmod(hit, n_intervals)
    before, after = oriented[row, position], oriented[row, position + 1]
    midpoint = (before + after) / 2.0
    # reversal: a score at occasion n + 3 or later beyond the midpoint (NaN compares False)
    later = np.arange(n_occasions)[None, :] >= (position + 3)[:, None]
    beyond = later & (oriented[row] > midpoint[:, None])
    reversal_position = np.where(beyond.any(axis=1), beyond.argmax(axis=1), -1)
    magnitude = before - after
    # change from the first to the last occasion, in the event's direction
    treatment = padded[row, 2] - padded[row, n_occasions + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        proportion = np.where(treatment == 0, np.nan, magnitude / treatment)
    return _Found(
        row=row.astype(np.int64),
        position=position.astype(np.int64),
        magnitude=magnitude,
        n_pre=crit.n_pre[hit],
        n_post=crit.n_post[hit],
        mean_pre=_unorient(crit.mean_pre[hit], rules),
        mean_post=_unorient(crit.mean_post[hit], rules),
        sd_pooled=crit.sd_pooled[hit],
        critical=crit.critical[hit],
        reversal_value=_unorient(midpoint, rules),
        reversal_position=reversal_position.astype(np.int64),
        treatment_change=treatment,
        change_proportion=proportion,
    )


def _unorient(values: NDArray[np.float64], rules: Rules) -> NDArray[np.float64]:
    return values if rules.decrease else -values


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


def _window(scores: ArrayLike, name: str, *, pad_left: bool) -> NDArray[np.float64]:
    try:
        values = np.asarray(scores, dtype=float).ravel()
    except (TypeError, ValueError):
        raise FeedbackError(f"{name}: expected up to three numbers (NaN = missing)") from None
    if not 1 <= values.size <= 3:
        raise FeedbackError(f"{name}: {values.size} scores; expected 1 to 3")
    if np.isinf(values).any():
        raise FeedbackError(f"{name}: holds an infinite value; expected finite numbers or NaN")
    gap = np.full(3 - values.size, np.nan)
    return np.concatenate([gap, values] if pad_left else [values, gap])


def _instrument_defaults(instrument: str, scale: str | None) -> tuple[float, Better]:
    try:
        inst = get_instrument(instrument)
    except MeasureError as exc:
        raise FeedbackError(f"instrument: {exc}") from None
    with_change = [s for s in inst.scales if s.change is not None]
    names = [s.id for s in with_change]
    if scale is not None:
        chosen = [s for s in with_change if s.id == scale]
        if not chosen:
            raise FeedbackError(
                f"scale: {instrument} has no scale {scale!r} with reliable change; "
                f"expected one of {names}"
            )
    elif len(with_change) == 1:
        chosen = with_change
    else:
        chosen = [s for s in with_change if s.id == "total"]
        if not chosen:
            raise FeedbackError(
                f"instrument: {instrument} has {len(with_change)} scales with reliable change "
                f"({names}); give scale"
            )
    change = chosen[0].change
    if change is None:  # pragma: no cover - the scales were filtered on it
        raise FeedbackError(f"scale: {chosen[0].id} has no reliable change")
    better: Better = "lower" if change.direction == "lower-is-better" else "higher"
    return change.threshold, better


def _session_value(value: float | np.floating[Any] | np.integer[Any]) -> float:
    """A session number as a plain Python number: an int when it is whole (3, not 3.0)."""
    number = float(value)
    return int(number) if number.is_integer() else number


def _show(value: object) -> str:
    """A cell for an error message: numpy scalars shown as plain Python values."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _finite(value: object) -> bool:
    """A real number (Python or numpy), not a bool, not NaN or infinite."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return False
    return math.isfinite(float(value))
