"""The three criteria of one interval n -> n + 1, vectorised over rows of windows (shared by
the table and the one-client path), and :func:`check_interval` for a single interval."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import FeedbackError
from .rules import Better, Rules, make_rules


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
        n_pre=int(crit.moments.n_pre[0]),
        n_post=int(crit.moments.n_post[0]),
        mean_pre=float(raw.mean_pre[0]),
        mean_post=float(raw.mean_post[0]),
        sd_pre=float(raw.sd_pre[0]),
        sd_post=float(raw.sd_post[0]),
        sd_pooled=float(crit.sd_pooled[0]),
        critical_value=float(crit.critical[0]),
    )


# ----------------------------------------------------------------------------- internals


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
class _Criteria:
    """The criteria of rows of windows, and the moments of those windows (oriented so that
    the event is a fall)."""

    c1: NDArray[np.bool_]
    c2: NDArray[np.bool_]
    c3: NDArray[np.bool_]
    testable: NDArray[np.bool_]
    moments: _Moments
    sd_pooled: NDArray[np.float64]
    critical: NDArray[np.float64]


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
        moments=m,
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
