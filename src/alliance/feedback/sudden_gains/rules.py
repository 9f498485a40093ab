"""The options in force: cutoff, proportion, alpha, direction and kind of event, with the
defaults of an instrument's scale (its reliable change and direction)."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal

import numpy as np

from alliance.measures import MeasureError, get_instrument

from ..errors import FeedbackError

Better = Literal["lower", "higher"]
Kind = Literal["gain", "loss"]

DEFAULT_CUTOFF = 7.0
"""Tang & DeRubeis's (1999) first criterion on the BDI, used when no cutoff or instrument is
given."""


@dataclass(frozen=True)
class Rules:
    """The criteria in force (see the package docstring)."""

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


def _finite(value: object) -> bool:
    """A real number (Python or numpy), not a bool, not NaN or infinite."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return False
    return math.isfinite(float(value))
