"""Scoring one response: the readable reference implementation.

``score(instrument, answers)`` validates every answer, then for each scale
applies, in this order: reverse keying, the missing-data rule (pro-rating
only where the definition allows it), aggregation, the transform (multiplier
or conversion table), rounding to ``SCORE_DECIMALS``, bands, and finally the
flags.  ``frame.score_frame`` does the same over many responses with numpy
and is tested to agree with this function.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from .errors import ScoringError
from .registry import resolve
from .schema import Flag, Instrument, ResponseSet, Scale

#: Scores are rounded to this many decimals so that the same answers give the
#: same score (and band) whether summed in Python or vectorised in numpy.
SCORE_DECIMALS = 6
#: Tolerance for a visual-analogue answer being on its step grid.
VAS_GRID_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ScoreResult:
    """The scored response: immutable."""

    instrument: str
    scores: Mapping[str, float | None]
    bands: Mapping[str, str | None]
    flags: tuple[str, ...]
    missing: tuple[str, ...]
    answers: Mapping[str, float | None] = field(default_factory=dict, repr=False)

    def to_json_dict(self) -> dict[str, object]:
        return {
            "instrument": self.instrument,
            "scores": {k: json_number(v) for k, v in self.scores.items()},
            "bands": dict(self.bands),
            "flags": list(self.flags),
            "missing": list(self.missing),
        }


def json_number(value: float | None) -> float | int | None:
    """Whole numbers print as integers (14, not 14.0)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


#: Goal weights must lie in this range, so that sums of squared weights neither overflow
#: nor underflow to zero.
WEIGHT_RANGE = (1e-6, 1e6)


def is_missing(value: object) -> bool:
    """None, pandas' NA, or a floating-point NaN (Python or numpy float of any width)."""
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def as_real(value: object) -> float | None:
    """A real number (not a bool) as a float (inf beyond float range); None for a non-number."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf  # beyond float range: never an allowed answer or weight


def check_answer(instrument: Instrument, item_id: str, value: object) -> float | None:
    """Validate one answer; return it as a float, or None when it is missing."""
    if item_id not in instrument.item_index:
        raise ScoringError(
            f"{instrument.id}: unknown item {item_id!r}; items are "
            + ", ".join(instrument.item_ids)
        )
    if is_missing(value):
        return None
    rs = instrument.response_set_of(item_id)
    number = as_real(value)
    if number is None:
        raise ScoringError(
            f"{instrument.id}: item {item_id}: wrong type {type(value).__name__} "
            f"({value!r}); expected {rs.describe_allowed()}"
        )
    if not is_allowed(rs, number):
        raise ScoringError(
            f"{instrument.id}: item {item_id}: {value!r} is not allowed; "
            f"expected {rs.describe_allowed()}"
        )
    return number


def is_allowed(rs: ResponseSet, number: float) -> bool:
    if math.isnan(number):
        return False
    if rs.options is not None:
        return number in rs.options
    assert rs.vas is not None
    if not rs.vas.min <= number <= rs.vas.max:
        return False
    steps = (number - rs.vas.min) / rs.vas.step
    return abs(steps - round(steps)) <= VAS_GRID_TOLERANCE


def score(
    instrument: str | Instrument,
    answers: Mapping[str, object],
    *,
    weights: Mapping[str, float] | None = None,
) -> ScoreResult:
    """Score one response.

    ``answers`` maps item ids to numbers; ``None`` or NaN (or an absent item)
    means unanswered.  ``weights`` (goal attainment scaling only) maps item ids
    to positive goal weights; unlisted goals weigh 1.
    """
    inst = resolve(instrument)
    if not isinstance(answers, Mapping):
        raise ScoringError(f"{inst.id}: answers must be a mapping of item id to value")
    checked = {item_id: check_answer(inst, str(item_id), v) for item_id, v in answers.items()}
    values = {item_id: checked.get(item_id) for item_id in inst.item_ids}
    goal_weights = check_weights(inst, weights)

    scores: dict[str, float | None] = {}
    bands: dict[str, str | None] = {}
    for scale in inst.scales:
        value = score_scale(inst, scale, values, goal_weights)
        scores[scale.id] = value
        if scale.bands:
            bands[scale.id] = band_of(scale, value)
    flags = tuple(f.id for f in inst.flags if flag_raised(f, values, scores))
    return ScoreResult(
        instrument=inst.id,
        scores=MappingProxyType(scores),
        bands=MappingProxyType(bands),
        flags=flags,
        missing=missing_items(inst, values),
        answers=MappingProxyType(values),
    )


def missing_items(inst: Instrument, values: Mapping[str, float | None]) -> tuple[str, ...]:
    """Unanswered items.  Where the number of items varies (``min_items``, e.g. the goals
    of goal attainment scaling), items after the last answered one are unused, not missing."""
    ids = inst.item_ids
    if inst.min_items is not None:
        answered = [n for n, i in enumerate(ids) if values[i] is not None]
        ids = ids[: max(answered[-1] + 1 if answered else 0, inst.min_items)]
    return tuple(i for i in ids if values[i] is None)


def check_weights(inst: Instrument, weights: Mapping[str, float] | None) -> dict[str, float]:
    if weights is None:
        return {}
    if not isinstance(weights, Mapping):
        raise ScoringError(f"{inst.id}: weights must be a mapping of item id to weight")
    if not weights:
        return {}
    if not any(s.aggregation == "kiresuk_sherman" for s in inst.scales):
        raise ScoringError(f"{inst.id}: weights apply only to goal attainment scaling")
    checked: dict[str, float] = {}
    for item_id, w in weights.items():
        if item_id not in inst.item_index:
            raise ScoringError(
                f"{inst.id}: weight for unknown item {item_id!r}; items are "
                + ", ".join(inst.item_ids)
            )
        number = as_real(w)
        low, high = WEIGHT_RANGE
        if number is None or not low <= number <= high:
            raise ScoringError(
                f"{inst.id}: weight of {item_id} must be a number from {low:g} to {high:g}, "
                f"got {w!r}"
            )
        checked[item_id] = number
    return checked


def score_scale(
    inst: Instrument,
    scale: Scale,
    values: Mapping[str, float | None],
    weights: Mapping[str, float],
) -> float | None:
    keyed: dict[str, float] = {}
    for item_id in scale.items:
        v = values[item_id]
        if v is None:
            continue
        if item_id in scale.reverse:
            rs = inst.response_set_of(item_id)
            v = rs.low + rs.high - v
        keyed[item_id] = v
    n_missing = len(scale.items) - len(keyed)
    if n_missing > scale.missing.max_missing or not keyed:
        return None

    if scale.aggregation == "kiresuk_sherman":
        assert scale.inter_goal_correlation is not None
        raw = kiresuk_sherman_t(
            [keyed[i] for i in keyed],
            [weights.get(i, 1.0) for i in keyed],
            scale.inter_goal_correlation,
        )
    elif scale.aggregation == "mean":
        raw = sum(keyed.values()) / len(keyed)
    else:
        raw = sum(keyed.values())
        if n_missing:
            raw = raw * len(scale.items) / len(keyed)
            if scale.missing.round_prorated:
                raw = math.floor(raw + 0.5)
    return round_score(apply_transform(scale, raw))


def kiresuk_sherman_t(levels: list[float], weights: list[float], rho: float) -> float:
    """Kiresuk & Sherman (1968) goal attainment T-score.

    T = 50 + 10 * sum(w_i x_i) / sqrt((1 - rho) * sum(w_i^2) + rho * (sum w_i)^2)
    """
    numerator = 10.0 * sum(w * x for w, x in zip(weights, levels, strict=True))
    denominator = math.sqrt((1 - rho) * sum(w * w for w in weights) + rho * sum(weights) ** 2)
    return 50.0 + numerator / denominator


def apply_transform(scale: Scale, raw: float) -> float:
    t = scale.transform
    if t is None:
        return raw
    if t.multiply is not None:
        return raw * t.multiply
    assert t.lookup is not None
    return t.lookup[round(raw)]


def round_score(value: float) -> float:
    return float(np.round(value, SCORE_DECIMALS))


def band_of(scale: Scale, value: float | None) -> str | None:
    if value is None:
        return None
    label = None
    for band in scale.bands:
        if value >= band.lower:
            label = band.label
    return label


def compare(op: str, left: float, right: float) -> bool:
    return {
        "gt": left > right,
        "ge": left >= right,
        "lt": left < right,
        "le": left <= right,
        "eq": left == right,
    }[op]


def flag_raised(
    flag: Flag, values: Mapping[str, float | None], scores: Mapping[str, float | None]
) -> bool:
    observed = values[flag.item] if flag.item is not None else scores[flag.target]
    return observed is not None and compare(flag.op, observed, flag.value)
