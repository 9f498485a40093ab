"""Reliable change and clinical significance (Jacobson & Truax 1991).

Formulas (Jacobson NS, Truax P. Clinical significance: a statistical approach to defining
meaningful change in psychotherapy research. J Consult Clin Psychol 1991;59(1):12-19):

- Standard error of the difference: ``S_diff = SD * sqrt(2) * sqrt(1 - r)``, where ``SD`` is the
  standard deviation of the pre scores (sample SD, ``ddof = 1``, over the complete pre/post pairs,
  unless a published SD is given) and ``r`` the instrument's reliability.
- Reliable change index: ``RCI = (post - pre) / S_diff``; the change is reliable when
  ``|RCI| > 1.96`` (strictly), in the better direction an improvement, else a deterioration.
- Cut-offs between the clinical and the functional population (``d = -1`` when lower is
  better, ``+1`` when higher is better):
  ``a = M_clin + d * 2 * SD_clin`` (two SDs beyond the clinical mean),
  ``b = M_func - d * 2 * SD_func`` (within two SDs of the functional mean),
  ``c = (SD_clin * M_func + SD_func * M_clin) / (SD_clin + SD_func)``.
  ``M_clin`` and ``SD_clin`` are estimated from the pre scores of the complete pairs unless
  given.  A computed cut-off is compared strictly: clinical at start when ``d * pre < d * cut``,
  functional at the end when ``d * post > d * cut``.
- Categories: ``recovered`` = reliably improved, clinical at start and functional at the end;
  ``improved`` = reliably improved otherwise; ``unchanged`` = no reliable change;
  ``harmed`` = reliably deteriorated, not clinical at start and not functional at the end;
  ``deteriorated`` = reliably deteriorated otherwise.  Without a cut-off only improved,
  unchanged and deteriorated occur.

These are the definitions of the R package clinicalsignificance (Claus BB, Wager J, Bonnet U.
clinicalsignificance: clinical significance analyses of intervention studies in R. J Stat Softw
2024;111(1); doi:10.18637/jss.v111.i01), whose published results on its example data this
implementation reproduces exactly (tests/feedback/test_change.py).

Two extensions for routine practice, both from the instrument definitions
(``criteria_for``):

- A *published* reliable-change threshold (e.g. PHQ-9: 6 points) replaces ``1.96 * S_diff``:
  a change of at least the threshold is reliable (``|change| >= threshold``, as the manuals
  word it); the reported ``s_diff`` is then the implied ``threshold / 1.96`` so that the RCI
  stays on the usual scale.
- A *published* clinical cut-off (e.g. PHQ-9: 10) is compared as the definition states it:
  the clinical range includes the cut-off value (``>= cut`` when lower is better, ``< cut``
  when higher is better), the functional range is the rest.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import FeedbackError
from .io import convert_column

Better = Literal["lower", "higher"]
CutoffType = Literal["a", "b", "c"]
Category = Literal["recovered", "improved", "unchanged", "deteriorated", "harmed"]
CATEGORIES: tuple[Category, ...] = ("recovered", "improved", "unchanged", "deteriorated", "harmed")
CRITICAL_VALUE = 1.96

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _finite(name: str, value: float | None, *, positive: bool = False) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FeedbackError(f"{name}: {value!r} is not a finite number")
    if positive and value <= 0:
        raise FeedbackError(f"{name}: {value!r}; expected a number above 0")


@dataclass(frozen=True)
class ChangeCriteria:
    """What makes a change reliable and a score clinical.

    Give either ``reliability`` (Jacobson-Truax RCI, with ``sd`` or, by default, the SD of the
    pre scores) or ``reliable_change`` (a published minimum change).  For a cut-off give either
    a published ``cutoff`` or let one be computed: ``cutoff_type`` ``"a"``, ``"b"`` or ``"c"``
    (by default ``"c"`` when functional norms are given, otherwise no cut-off).  Override single
    fields with ``dataclasses.replace(criteria, field=value)``; the result is checked again.
    """

    better: Better = "lower"
    reliability: float | None = None
    sd: float | None = None
    reliable_change: float | None = None
    critical_value: float = CRITICAL_VALUE
    cutoff: float | None = None
    cutoff_type: CutoffType | None = None
    functional_mean: float | None = None
    functional_sd: float | None = None
    clinical_mean: float | None = None
    clinical_sd: float | None = None

    def __post_init__(self) -> None:
        if self.better not in ("lower", "higher"):
            raise FeedbackError(f"better: {self.better!r}; expected 'lower' or 'higher'")
        _finite("reliability", self.reliability)
        if self.reliability is not None and not 0 < self.reliability < 1:
            raise FeedbackError(
                f"reliability: {self.reliability!r}; expected a number between 0 and 1"
            )
        _finite("sd", self.sd, positive=True)
        _finite("reliable_change", self.reliable_change, positive=True)
        _finite("critical_value", self.critical_value, positive=True)
        _finite("cutoff", self.cutoff)
        _finite("functional_mean", self.functional_mean)
        _finite("functional_sd", self.functional_sd, positive=True)
        _finite("clinical_mean", self.clinical_mean)
        _finite("clinical_sd", self.clinical_sd, positive=True)
        if (self.reliability is None) == (self.reliable_change is None):
            raise FeedbackError(
                "give exactly one of reliability (Jacobson-Truax) or reliable_change "
                "(a published threshold)"
            )
        if self.sd is not None and self.reliability is None:
            raise FeedbackError("sd is used with reliability only; reliable_change needs no sd")
        if (self.functional_mean is None) != (self.functional_sd is None):
            raise FeedbackError("give functional_mean and functional_sd together")
        if self.cutoff_type not in (None, "a", "b", "c"):
            raise FeedbackError(f"cutoff_type: {self.cutoff_type!r}; expected 'a', 'b' or 'c'")
        if self.cutoff is not None and self.cutoff_type is not None:
            raise FeedbackError("give either a published cutoff or a cutoff_type, not both")
        if self.cutoff_type in ("b", "c") and self.functional_mean is None:
            raise FeedbackError(
                f"cutoff_type {self.cutoff_type!r} needs functional_mean and functional_sd"
            )

    @property
    def direction(self) -> int:
        """+1 when higher scores are better, -1 when lower scores are better."""
        return 1 if self.better == "higher" else -1

    @property
    def effective_cutoff_type(self) -> CutoffType | None:
        if self.cutoff_type is not None:
            return self.cutoff_type
        if self.cutoff is None and self.functional_mean is not None:
            return "c"
        return None


def criteria_for(instrument_id: str, scale_id: str = "total") -> ChangeCriteria:
    """Change criteria from an instrument definition: the direction, the published reliable
    change (or SD and reliability, giving a Jacobson-Truax threshold) and the published
    clinical cut-off of ``scale_id``.  Override with ``dataclasses.replace``."""
    from alliance.measures import MeasureError, get_instrument

    try:
        instrument = get_instrument(instrument_id)
    except MeasureError as exc:
        raise FeedbackError(str(exc)) from None
    scale = instrument.scale_index.get(scale_id)
    if scale is None:
        raise FeedbackError(
            f"instrument {instrument_id}: no scale {scale_id!r}; "
            f"scales: {', '.join(instrument.scale_index)}"
        )
    if scale.change is None:
        raise FeedbackError(
            f"instrument {instrument_id}, scale {scale_id}: the definition gives no change "
            "parameters; give reliability or reliable_change yourself"
        )
    change = scale.change
    better: Better = "lower" if change.direction == "lower-is-better" else "higher"
    cutoff = scale.clinical_cutoff.value if scale.clinical_cutoff is not None else None
    if change.reliable_change is not None:
        return ChangeCriteria(better=better, reliable_change=change.reliable_change, cutoff=cutoff)
    return ChangeCriteria(
        better=better, reliability=change.reliability, sd=change.sd, cutoff=cutoff
    )


@dataclass(frozen=True, eq=False)
class ChangeResult:
    """Outcome of a reliable-change analysis.

    ``cases`` is a tidy DataFrame, one row per complete pair, in input order, with columns
    ``id``, ``pre``, ``post``, ``change`` (post - pre), ``rci``, ``clinical_pre``,
    ``functional_post`` (nullable booleans; missing without a cut-off) and ``category``.
    """

    n_used: int
    s_diff: float
    threshold: float
    cutoff: float | None
    cutoff_type: str | None
    clinical_mean: float | None
    clinical_sd: float | None
    counts: dict[str, int]
    cases: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Tidy counts: columns ``category``, ``n``, ``percent`` (of ``n_used``)."""
        n = [self.counts[c] for c in CATEGORIES]
        percent = [100.0 * k / self.n_used for k in n]
        return pd.DataFrame({"category": list(CATEGORIES), "n": n, "percent": percent})

    def to_json_dict(self) -> dict[str, Any]:
        """The ``alliance change --format json`` contract."""
        return {
            "n_used": self.n_used,
            "s_diff": self.s_diff,
            "cutoff": self.cutoff,
            "counts": {c: self.counts[c] for c in CATEGORIES},
            "cases": [
                {"id": _plain(i), "category": str(cat), "rci": float(rci)}
                for i, cat, rci in zip(
                    self.cases["id"], self.cases["category"], self.cases["rci"], strict=True
                )
            ],
        }


def _plain(value: object) -> object:
    """numpy scalars to Python scalars, for JSON."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def jacobson_truax(
    pre: Sequence[float] | FloatArray,
    post: Sequence[float] | FloatArray,
    criteria: ChangeCriteria,
    ids: Sequence[Hashable] | None = None,
) -> ChangeResult:
    """Reliable change and clinical significance of paired scores (see the module docstring).

    Pairs with a missing (NaN) pre or post score are left out; ``n_used`` counts the rest.
    """
    pre_a = np.asarray(pre, dtype=float)
    post_a = np.asarray(post, dtype=float)
    if pre_a.ndim != 1 or pre_a.shape != post_a.shape:
        raise FeedbackError(
            f"pre and post need the same length; got {pre_a.shape} and {post_a.shape}"
        )
    id_list: list[Hashable] = list(range(1, len(pre_a) + 1)) if ids is None else list(ids)
    if len(id_list) != len(pre_a):
        raise FeedbackError(f"ids: {len(id_list)} ids for {len(pre_a)} pairs")
    if np.isinf(pre_a).any() or np.isinf(post_a).any():
        raise FeedbackError("pre and post scores must be finite numbers (or missing)")
    complete = ~(np.isnan(pre_a) | np.isnan(post_a))
    pre_a, post_a = pre_a[complete], post_a[complete]
    id_list = [i for i, keep in zip(id_list, complete, strict=True) if keep]
    n = len(pre_a)
    if n == 0:
        raise FeedbackError("no complete pre/post pairs: every case lacks a pre or a post score")
    d = criteria.direction
    change = post_a - pre_a

    if criteria.reliable_change is not None:
        threshold = criteria.reliable_change
        s_diff = threshold / criteria.critical_value
        improved = d * change >= threshold
        deteriorated = d * change <= -threshold
    else:
        assert criteria.reliability is not None  # guaranteed by ChangeCriteria
        sd = criteria.sd if criteria.sd is not None else _sample_sd(pre_a, "the pre scores")
        s_diff = sd * math.sqrt(2.0) * math.sqrt(1.0 - criteria.reliability)
        threshold = criteria.critical_value * s_diff
        improved = d * (change / s_diff) > criteria.critical_value
        deteriorated = d * (change / s_diff) < -criteria.critical_value
    rci = change / s_diff

    cutoff, cutoff_type, m_clin, sd_clin = _cutoff(pre_a, criteria)
    categories = np.full(n, "unchanged", dtype=object)
    categories[improved] = "improved"
    categories[deteriorated] = "deteriorated"
    clinical_pre: pd.Series[Any]
    functional_post: pd.Series[Any]
    if cutoff is None:
        clinical_pre = pd.Series(pd.NA, index=range(n), dtype="boolean")
        functional_post = pd.Series(pd.NA, index=range(n), dtype="boolean")
    else:
        if cutoff_type == "given":
            if d < 0:
                clin, func = pre_a >= cutoff, post_a < cutoff
            else:
                clin, func = pre_a < cutoff, post_a >= cutoff
        else:
            clin, func = d * pre_a < d * cutoff, d * post_a > d * cutoff
        categories[clin & func & improved] = "recovered"
        categories[~clin & ~func & deteriorated] = "harmed"
        clinical_pre = pd.Series(clin, dtype="boolean")
        functional_post = pd.Series(func, dtype="boolean")

    cases = pd.DataFrame(
        {
            "id": pd.Series(id_list, dtype=object),
            "pre": pre_a,
            "post": post_a,
            "change": change,
            "rci": rci,
            "clinical_pre": clinical_pre,
            "functional_post": functional_post,
            "category": pd.Series(categories, dtype=object),
        }
    )
    counts: dict[str, int] = {c: int((categories == c).sum()) for c in CATEGORIES}
    return ChangeResult(
        n_used=n,
        s_diff=float(s_diff),
        threshold=float(threshold),
        cutoff=None if cutoff is None else float(cutoff),
        cutoff_type=cutoff_type,
        clinical_mean=m_clin,
        clinical_sd=sd_clin,
        counts=counts,
        cases=cases,
    )


def _sample_sd(values: FloatArray, what: str) -> float:
    if len(values) < 2:
        raise FeedbackError(
            f"the SD of {what} needs at least 2 complete pairs; got {len(values)} "
            "(give sd, or clinical_mean and clinical_sd, from a published source)"
        )
    sd = float(np.std(values, ddof=1))
    if sd == 0:
        raise FeedbackError(
            f"{what} do not vary (SD 0), so no S_diff or cut-off can be estimated; "
            "give a published sd (or clinical_sd)"
        )
    return sd


def _cutoff(
    pre: FloatArray, criteria: ChangeCriteria
) -> tuple[float | None, str | None, float | None, float | None]:
    """(cut-off, its type, clinical mean, clinical SD) — see the module docstring."""
    if criteria.cutoff is not None:
        return criteria.cutoff, "given", None, None
    kind = criteria.effective_cutoff_type
    if kind is None:
        return None, None, None, None
    m_clin = criteria.clinical_mean if criteria.clinical_mean is not None else float(pre.mean())
    sd_clin = (
        criteria.clinical_sd
        if criteria.clinical_sd is not None
        else _sample_sd(pre, "the pre scores (clinical SD)")
    )
    d = criteria.direction
    if kind == "a":
        return m_clin + d * 2.0 * sd_clin, kind, m_clin, sd_clin
    assert criteria.functional_mean is not None and criteria.functional_sd is not None
    m_func, sd_func = criteria.functional_mean, criteria.functional_sd
    if kind == "b":
        return m_func - d * 2.0 * sd_func, kind, m_clin, sd_clin
    return (sd_clin * m_func + sd_func * m_clin) / (sd_clin + sd_func), kind, m_clin, sd_clin


def reliable_change(
    data: pd.DataFrame,
    *,
    id_col: str,
    pre: object,
    post: object,
    criteria: ChangeCriteria,
    time_col: str | None = None,
    score_col: str | None = None,
) -> ChangeResult:
    """Reliable change of a long or a wide DataFrame.

    Long (``time_col`` and ``score_col`` given): one row per id and time point; ``pre`` and
    ``post`` are values of ``time_col`` (compared with ``==``, so pass the column's type).
    Wide (no ``time_col``): one row per id; ``pre`` and ``post`` name the score columns.
    Only complete pre/post pairs are used (``n_used``); the SD is that of their pre scores.
    Cases keep the order in which their ids first appear.  A repeated id (at the same time
    point) or a cell that is not a number raises FeedbackError naming the row (1-based data
    row) and column.
    """
    if time_col is None:
        if score_col is not None:
            raise FeedbackError("score_col is for long data; give time_col too")
        pre_col, post_col = str(pre), str(post)
        _require_columns(data, [id_col, pre_col, post_col])
        if pre_col == post_col:
            raise FeedbackError(f"pre and post name the same column {pre_col!r}")
        _require_ids(data, id_col)
        _refuse_repeats(data, id_col, np.ones(len(data), dtype=bool), "")
        pre_scores = _numbers(data, pre_col)
        post_scores = _numbers(data, post_col)
        ids = list(data[id_col])
        return jacobson_truax(pre_scores, post_scores, criteria, ids=ids)

    if score_col is None:
        raise FeedbackError("long data needs score_col (the column holding the scores)")
    _require_columns(data, [id_col, time_col, score_col])
    if pre == post:
        raise FeedbackError(f"pre and post are the same time point {pre!r}")
    _require_ids(data, id_col)
    times = data[time_col]
    is_pre = (times == pre).to_numpy(dtype=bool)
    is_post = (times == post).to_numpy(dtype=bool)
    for name, value, mask in (("pre", pre, is_pre), ("post", post, is_post)):
        if not mask.any():
            seen = ", ".join(repr(_plain(v)) for v in pd.unique(times)[:12])
            raise FeedbackError(
                f"{name} time point {value!r}: no row has it in column {time_col}; "
                f"values there: {seen}"
            )
        _refuse_repeats(data, id_col, mask, f" at {time_col} {value!r}")
    scores = _numbers(data, score_col)
    id_values = data[id_col].to_numpy(dtype=object)
    pre_by_id = dict(zip(id_values[is_pre], scores[is_pre], strict=True))
    post_by_id = dict(zip(id_values[is_post], scores[is_post], strict=True))
    order = [i for i in pd.unique(id_values[is_pre | is_post])]
    return jacobson_truax(
        [pre_by_id.get(i, math.nan) for i in order],
        [post_by_id.get(i, math.nan) for i in order],
        criteria,
        ids=order,
    )


def _require_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    lacking = [c for c in dict.fromkeys(columns) if c not in data.columns]
    if lacking:
        raise FeedbackError(f"data lacks columns {lacking}; it has {list(data.columns)}")


def _require_ids(data: pd.DataFrame, id_col: str) -> None:
    missing = data[id_col].isna().to_numpy()
    if missing.any():
        row = int(np.flatnonzero(missing)[0]) + 1
        raise FeedbackError(f"row {row}, column {id_col}: empty; expected an id")


def _refuse_repeats(data: pd.DataFrame, id_col: str, mask: BoolArray, where: str) -> None:
    repeated = np.zeros(len(data), dtype=bool)
    repeated[mask] = data[id_col][mask].duplicated().to_numpy()
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0]) + 1
        value = _plain(data[id_col].iloc[row - 1])
        raise FeedbackError(
            f"row {row}, column {id_col}: id {value!r} appears again{where}; "
            "expected one row per id"
        )


def _numbers(data: pd.DataFrame, column: str) -> FloatArray:
    cells = data[column]
    if not pd.api.types.is_numeric_dtype(cells) or pd.api.types.is_bool_dtype(cells):
        cells = convert_column("data", column, cells.astype(object).fillna(""), "number")
    values = cells.to_numpy(dtype=float, na_value=np.nan)
    bad = np.isinf(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        raise FeedbackError(
            f"row {row}, column {column}: {values[row - 1]!r}; expected a finite number or empty"
        )
    return values


__all__ = [
    "CATEGORIES",
    "ChangeCriteria",
    "ChangeResult",
    "criteria_for",
    "jacobson_truax",
    "reliable_change",
]
