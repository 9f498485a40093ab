"""Scoring many responses at once, vectorised with numpy.

``score_frame(instrument, frame)`` takes a DataFrame with one column per item
id (one row per response; NaN or an empty cell means unanswered) and returns a
DataFrame with the same index and, per scale, a score column named by the
scale id, a ``<scale>_band`` column where the scale has bands, and one
boolean ``flag_<flag id>`` column per flag.  It applies exactly the rules of
``scoring.score`` (which is the readable reference) with no Python loop over
rows; the property tests check that both agree.

Columns are processed one at a time (numpy arrays of one item each): an
integer column cannot hold a missing value, so the integer fast path skips
all missing-data bookkeeping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import RowError, ScoringError
from .registry import resolve
from .schema import Instrument, ResponseSet, Scale
from .scoring import SCORE_DECIMALS, VAS_GRID_TOLERANCE, as_real, check_weights, is_missing

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Column:
    """One validated item column: ``values`` is integer (nothing missing) or float (NaN)."""

    values: npt.NDArray[np.generic]

    @property
    def is_integer(self) -> bool:
        return self.values.dtype.kind in "iu"

    def as_float(self) -> FloatArray:
        return self.values.astype(np.float64, copy=False)


def score_frame(
    instrument: str | Instrument,
    frame: pd.DataFrame,
    *,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Score every row of ``frame``; see the module docstring for the output."""
    inst = resolve(instrument)
    if not isinstance(frame, pd.DataFrame):
        raise ScoringError(f"{inst.id}: score_frame needs a pandas DataFrame")
    goal_weights = check_weights(inst, weights)
    columns = read_columns(inst, frame)
    n_rows = len(frame)
    out: dict[str, object] = {}
    scores: dict[str, FloatArray] = {}
    for scale in inst.scales:
        values = score_scale_columns(inst, scale, columns, goal_weights, n_rows)
        scores[scale.id] = values
        out[scale.id] = values
        if scale.bands:
            out[f"{scale.id}_band"] = band_column(scale, values)
    for flag in inst.flags:
        observed = columns[flag.item].as_float() if flag.item is not None else scores[flag.target]
        out[f"flag_{flag.id}"] = compare_arrays(flag.op, observed, flag.value)
    return pd.DataFrame(out, index=frame.index)


def read_columns(inst: Instrument, frame: pd.DataFrame) -> dict[str, Column]:
    """Validate every item column; absent trailing goals count as unanswered."""
    absent = [i for i in inst.item_ids if i not in frame.columns]
    needed = inst.item_ids[: inst.required_items]
    lacking = [i for i in absent if i in needed]
    if lacking:
        raise ScoringError(
            f"{inst.id}: input lacks item columns {', '.join(lacking)}; "
            f"expected columns {', '.join(inst.item_ids)}"
        )
    repeated = [i for i in inst.item_ids if i not in absent and not isinstance(frame[i], pd.Series)]
    if repeated:
        raise ScoringError(
            f"{inst.id}: input has more than one column for item {', '.join(repeated)}"
        )
    columns: dict[str, Column] = {}
    for item_id in inst.item_ids:
        if item_id in absent:
            columns[item_id] = Column(np.full(len(frame), np.nan))
        else:
            columns[item_id] = read_column(inst, item_id, frame[item_id])
    return columns


def read_column(inst: Instrument, item_id: str, series: pd.Series) -> Column:
    rs = inst.response_set_of(item_id)
    kind = series.dtype.kind
    is_extension = isinstance(series.dtype, pd.api.extensions.ExtensionDtype)
    if is_extension and kind in "iuf":  # nullable Int64/Float64: pd.NA becomes NaN
        values: npt.NDArray[np.generic] = series.to_numpy(dtype=np.float64, na_value=np.nan)
    elif kind in "iu":
        values = series.to_numpy()
    elif kind == "f":
        values = series.to_numpy(dtype=np.float64)
    else:
        values = numeric_or_error(inst, item_id, series, rs)
    bad = invalid_mask(rs, values)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise RowError(
            inst.id,
            pos,
            item_id,
            f"{plain(series.iloc[pos])!r} is not allowed; "
            f"expected {rs.describe_allowed()} (or empty for unanswered)",
        )
    return Column(values)


def numeric_or_error(
    inst: Instrument,
    item_id: str,
    series: pd.Series,
    rs: ResponseSet,
) -> FloatArray:
    """Object, string or boolean columns: accept only real numbers and missing cells."""
    if series.dtype.kind == "b":
        wrong = np.ones(len(series), dtype=bool)
        numbers = np.zeros(len(series))
    else:
        objects = series.to_numpy(dtype=object)
        missing = np.fromiter((is_missing(v) for v in objects), dtype=bool, count=len(objects))
        reals = [None if m else as_real(v) for v, m in zip(objects, missing, strict=True)]
        wrong = np.array([r is None for r in reals], dtype=bool) & ~missing
        numbers = np.array([np.nan if r is None else r for r in reals], dtype=np.float64)
    if wrong.any():
        pos = int(np.flatnonzero(wrong)[0])
        value = plain(series.iloc[pos])
        raise RowError(
            inst.id,
            pos,
            item_id,
            f"wrong type {type(value).__name__} ({value!r}); "
            f"expected {rs.describe_allowed()} (or empty for unanswered)",
        )
    return numbers


def plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (for readable error messages)."""
    return value.item() if isinstance(value, np.generic) else value


def invalid_mask(rs: ResponseSet, values: npt.NDArray[np.generic]) -> BoolArray:
    """True where a value is present but not allowed."""
    if rs.options is not None:
        allowed = np.array(sorted(rs.options))
        contiguous = bool(np.all(np.diff(allowed) == 1))
        if values.dtype.kind in "iu" and contiguous:
            if len(values) == 0 or (values.min() >= allowed[0] and values.max() <= allowed[-1]):
                return np.zeros(len(values), dtype=bool)  # two reductions, no temporaries
            return np.asarray((values < allowed[0]) | (values > allowed[-1]))
        ok = np.isin(values, allowed)
        if values.dtype.kind == "f":
            ok |= np.isnan(values)
        return ~ok
    assert rs.vas is not None
    x = values.astype(np.float64, copy=False)
    steps = (x - rs.vas.min) / rs.vas.step
    with np.errstate(invalid="ignore"):
        ok = (x >= rs.vas.min) & (x <= rs.vas.max)
        ok &= np.abs(steps - np.round(steps)) <= VAS_GRID_TOLERANCE
    return ~(ok | np.isnan(x))


def keyed_column(inst: Instrument, scale: Scale, item_id: str, column: Column) -> Column:
    if item_id not in scale.reverse:
        return column
    rs = inst.response_set_of(item_id)
    if column.is_integer:
        return Column(int(rs.low + rs.high) - column.values.astype(np.int16))
    return Column(rs.low + rs.high - column.as_float())


def score_scale_columns(
    inst: Instrument,
    scale: Scale,
    columns: Mapping[str, Column],
    weights: Mapping[str, float],
    n_rows: int,
) -> FloatArray:
    keyed = [keyed_column(inst, scale, i, columns[i]) for i in scale.items]
    if scale.aggregation == "kiresuk_sherman":
        raw = kiresuk_sherman_columns(scale, keyed, [weights.get(i, 1.0) for i in scale.items])
    elif all(c.is_integer for c in keyed):
        total = integer_sum(inst, scale, keyed, n_rows)
        if scale.aggregation == "sum" and scale.transform is None:
            return total.astype(np.float64)  # a sum of integers is exact: nothing to round
        raw = total.astype(np.float64)
        if scale.aggregation == "mean":
            raw = raw / len(keyed)
    else:
        raw = float_aggregate(scale, keyed, n_rows)
    return np.round(transform_column(inst, scale, raw), SCORE_DECIMALS)


def integer_sum(
    inst: Instrument, scale: Scale, keyed: list[Column], n_rows: int
) -> npt.NDArray[np.integer[Any]]:
    """Sum integer columns in the narrowest accumulator that cannot overflow (the values were
    validated, so each lies within its item's option range)."""
    bound = sum(
        max(abs(inst.response_set_of(i).low), abs(inst.response_set_of(i).high))
        for i in scale.items
    )
    total: npt.NDArray[np.integer[Any]] = np.zeros(
        n_rows, dtype=np.int16 if bound < 2**15 else np.int64
    )
    for c in keyed:
        np.add(total, c.values, out=total, dtype=total.dtype, casting="unsafe")
    return total


def float_aggregate(scale: Scale, keyed: list[Column], n_rows: int) -> FloatArray:
    """Sum or mean with the scale's missing-data rule; NaN where no score is allowed."""
    total = np.zeros(n_rows)
    answered = np.zeros(n_rows, dtype=np.int64)
    for c in keyed:
        x = c.as_float()
        present = ~np.isnan(x)
        total += np.where(present, x, 0.0)
        answered += present
    n_items = len(keyed)
    n_missing = n_items - answered
    with np.errstate(invalid="ignore", divide="ignore"):
        if scale.aggregation == "mean":
            raw = total / answered
        else:
            prorated = total * n_items / answered
            if scale.missing.round_prorated:
                prorated = np.floor(prorated + 0.5)
            raw = np.where(n_missing > 0, prorated, total)
    allowed = (n_missing <= scale.missing.max_missing) & (answered > 0)
    return np.where(allowed, raw, np.nan)


def kiresuk_sherman_columns(scale: Scale, keyed: list[Column], weights: list[float]) -> FloatArray:
    """Vectorised Kiresuk-Sherman T (see ``scoring.kiresuk_sherman_t``) over answered goals."""
    assert scale.inter_goal_correlation is not None
    rho = scale.inter_goal_correlation
    n_rows = len(keyed[0].values)
    weighted_sum = np.zeros(n_rows)
    sum_w = np.zeros(n_rows)
    sum_w2 = np.zeros(n_rows)
    answered = np.zeros(n_rows, dtype=np.int64)
    for c, w in zip(keyed, weights, strict=True):
        x = c.as_float()
        present = ~np.isnan(x)
        weighted_sum += np.where(present, w * x, 0.0)
        sum_w += np.where(present, w, 0.0)
        sum_w2 += np.where(present, w * w, 0.0)
        answered += present
    with np.errstate(invalid="ignore", divide="ignore"):
        t = 50.0 + 10.0 * weighted_sum / np.sqrt((1 - rho) * sum_w2 + rho * sum_w**2)
    allowed = (len(keyed) - answered <= scale.missing.max_missing) & (answered > 0)
    return np.where(allowed, t, np.nan)


def transform_column(inst: Instrument, scale: Scale, raw: FloatArray) -> FloatArray:
    t = scale.transform
    if t is None:
        return raw
    if t.multiply is not None:
        return raw * t.multiply
    assert t.lookup is not None
    low, high = inst.raw_range(scale)
    table = np.array([t.lookup[r] for r in range(int(low), int(high) + 1)], dtype=np.float64)
    present = ~np.isnan(raw)
    index = np.where(present, np.round(raw) - low, 0).astype(np.int64)
    return np.where(present, table[index], np.nan)


def band_column(scale: Scale, values: FloatArray) -> pd.Categorical[str]:
    """Band labels as a categorical; NaN scores (and scores below every band) get no band."""
    # Lower bounds ascend, so a score's band code is the number of bounds it reaches, less 1
    # (NaN reaches none: -1, no band).
    codes = np.full(len(values), -1, dtype=np.int16)
    for band in scale.bands:
        codes += values >= band.lower
    labels = [b.label for b in scale.bands]
    return pd.Categorical.from_codes(codes, categories=pd.Index(labels))


def compare_arrays(op: str, left: FloatArray, right: float) -> BoolArray:
    with np.errstate(invalid="ignore"):
        result = {
            "gt": np.greater,
            "ge": np.greater_equal,
            "lt": np.less,
            "le": np.less_equal,
            "eq": np.equal,
        }[op](left, right)
    return np.asarray(result, dtype=bool)
