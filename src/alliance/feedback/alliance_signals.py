"""Alliance signals: low alliance, ruptures and their repair, client/practitioner discrepancy.

Pure functions over scale scores held in numpy arrays.  A :class:`Series` holds the scores of
one scale (for example the WAI-SR total answered by the client) for one client or for many
clients at once: ``groups`` (an integer per client), ``sessions`` and ``scores``, sorted by
group and then session.  ``Series.of(sessions, scores)`` builds the one-client case; the
batch engine in :mod:`alliance.feedback.alerts` passes factorised client codes as
``groups``, so the same vectorised code serves one submission and a whole practice.

Every rule looks only at the ratings up to the session it reports on (the repair of a
rupture is reported at the session where the score came back), so the signals of a history
cut at session *t* are exactly the signals of the full history up to *t*.

Rules and their sources
-----------------------
Low alliance
    A total below the instrument's concern level.  SRS: below 36, the instrument
    definition's ``alliance_concern`` flag (Miller & Duncan, ORS/SRS administration and
    scoring manual; Duncan 2012, Canadian Psychology 53(2):93-104).  Instruments without a
    published cut-off (WAI-SR, TASC-P): an average item answer below the midpoint of the
    response scale, i.e. WAI-SR total < 36 (items 1-5, midpoint 3, "fairly often") and
    TASC-P total < 30 (items 1-4, midpoint 2.5).  This is a configurable *convention*, not
    a validated cut-off: no published WAI-SR or TASC-P cut-off was found.  The WAI-SR
    figure equals the upper end of the "weak alliance" band (12-35) of the Rivet WAI-SR
    scoring guide (docs.getrivet.ca, clinical templates: WAI-SR), itself a vendor
    convention.  Clients usually rate the alliance high (Tryon, Blackwell & Hammel 2007,
    Psychotherapy Research 17(6):629-642), so an average answer on the lower half of the
    scale is unusual.  Override per instrument with ``AllianceSettings.low_alliance``.

Rupture
    A drop from the rater's own running baseline: ``baseline_t - score_t >= threshold``,
    where ``baseline_t`` is the mean of up to ``window`` (default 3) previous ratings of
    the same scale.  Rupture criteria in research compare a session with the client's own
    course: Stiles et al. 2004 (J Couns Psychol 51(1):81-92) with a margin of 2 SD,
    Strauss et al. 2006 (J Consult Clin Psychol 74(2):337-345) with 1 SD (the two are
    compared by Gumz, Brähler, Geyer & Erices 2012, BMC Med Res Methodol 12:10).  An SD
    margin needs many sessions per client, so the margin here is the instrument's
    reliable change (``change.threshold`` of the definition) where it has one.  SRS: a
    drop of 1 point or more from the previous session (window 1, threshold 1), the PCOMS
    rule quoted in issue 4 (Duncan 2012).  WAI-SR, WAI-SR-T and TASC-P have no change
    parameters in their definitions yet; the default is then *half an answer step per
    item on average* (WAI-SR total 6 points, a subscale 2, TASC-P total 6), a documented
    configurable convention (``AllianceSettings.rupture_threshold``), not a published
    reliable-change index.

    The rupture is located in the part (goal, task, bond) whose score dropped most
    relative to its range (same baseline rule per part), because repair differs: goal and
    task disagreements call for renegotiating the work, bond strains for attending to the
    relationship itself (Safran & Muran 2000, Negotiating the Therapeutic Alliance;
    Safran, Muran & Eubanks-Carter 2011, Psychotherapy 48(1):80-87).

Repair
    The rupture is repaired at the first of the next ``repair_within`` (default 3) ratings
    that comes back to within ``repair_margin`` (default half the rupture threshold) of the
    pre-rupture baseline; if none of them does, it is ``unresolved`` (closed at the last
    of those ratings); with fewer later ratings it is still ``open``.  Repaired ruptures
    go with better outcomes (Eubanks, Muran & Safran 2018, Psychotherapy 55(4):508-519),
    unrepaired ones with worse (McLaughlin et al. 2014, J Consult Clin Psychol
    82(1):112-121; Larsson et al. 2018, Psychotherapy Research 28(1):123-136), so the
    history keeps both.  Ratings inside an episode do not start a new rupture.

Discrepancy
    Practitioner rating above the client's on the same scale in the same session, compared
    as item means (score / number of items), flagged when the practitioner's item mean is
    at least ``discrepancy_threshold`` (default 1.0, one whole answer step) higher.
    Clients on average rate the alliance *higher* than their therapists (d = .63;
    client-therapist r = .36; Tryon, Blackwell & Hammel 2007), so the reverse gap is the
    unusual and informative one.  The one-step default is a configurable convention.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt

from alliance.measures import Instrument, Scale

from .errors import FeedbackError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

TOLERANCE = 1e-9
"""Slack for comparisons of computed differences with thresholds (floating-point noise)."""

SESSION_LIMIT = 2**31
"""Sessions are whole numbers in [0, 2**31) so that (group, session) packs into one int64."""

DISCREPANCY_PAIRS: tuple[tuple[str, str], ...] = (("wai-sr", "wai-sr-t"),)
"""(client instrument, practitioner instrument) pairs that share scales item by item
(the WAI-SR-T mirrors the WAI-SR; Hatcher, Lindqvist & Falkenström 2020)."""

CutOp = Literal["lt", "le"]
RuptureStatus = Literal["open", "resolved", "unresolved"]
ThresholdBasis = Literal["flag", "midpoint", "setting", "change", "pcoms", "half_step"]


# -- series -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """Scores of one scale, sorted by ``groups`` (clients) then ``sessions``; no missing."""

    groups: IntArray
    sessions: IntArray
    scores: FloatArray

    @classmethod
    def of(
        cls,
        sessions: npt.ArrayLike,
        scores: npt.ArrayLike,
        groups: npt.ArrayLike | None = None,
    ) -> Series:
        """Validate, drop missing scores (NaN) and sort.  ``groups`` defaults to one client."""
        session_values = np.asarray(sessions)
        score_values = np.asarray(scores, dtype=np.float64)
        if session_values.ndim != 1 or score_values.shape != session_values.shape:
            raise FeedbackError(
                "sessions and scores must be one-dimensional arrays of the same length; "
                f"got shapes {session_values.shape} and {score_values.shape}"
            )
        group_values = (
            np.zeros(session_values.shape, dtype=np.int64) if groups is None else np.asarray(groups)
        )
        if group_values.shape != session_values.shape:
            raise FeedbackError(
                f"groups must have the shape of sessions {session_values.shape}; "
                f"got {group_values.shape}"
            )
        if session_values.size and (
            session_values.dtype.kind not in "iuf"
            or not np.all(np.isfinite(session_values.astype(np.float64)))
            or np.any(session_values != np.floor(session_values))
            or session_values.min() < 0
            or session_values.max() >= SESSION_LIMIT
        ):
            raise FeedbackError("sessions must be whole numbers from 0 upwards")
        if np.any(np.isinf(score_values)):
            raise FeedbackError("scores must be finite numbers or NaN (missing)")
        keep = ~np.isnan(score_values)
        g = group_values[keep].astype(np.int64)
        s = session_values[keep].astype(np.int64)
        y = score_values[keep]
        order = np.lexsort((s, g))
        g, s, y = g[order], s[order], y[order]
        same = (g[1:] == g[:-1]) & (s[1:] == s[:-1])
        if np.any(same):
            at = int(np.flatnonzero(same)[0]) + 1
            raise FeedbackError(f"session {int(s[at])} has two scores for the same client")
        return cls(groups=g, sessions=s, scores=y)

    def __len__(self) -> int:
        return int(self.scores.size)

    @cached_property
    def keys(self) -> IntArray:
        """One sortable int64 per (group, session)."""
        return self.groups * SESSION_LIMIT + self.sessions

    def bounds(self) -> tuple[IntArray, IntArray]:
        """For every row, the index of its group's first row and one past its last row."""
        n = len(self)
        if n == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        new = np.ones(n, dtype=bool)
        new[1:] = self.groups[1:] != self.groups[:-1]
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:], n)
        which = np.cumsum(new) - 1
        return starts[which].astype(np.int64), ends[which].astype(np.int64)


def running_baseline(series: Series, window: int | None = 3) -> tuple[FloatArray, IntArray]:
    """Mean of up to ``window`` previous scores of the same group (all previous when None).

    Returns ``(baseline, n_prior)``; the baseline is NaN where there is no previous score.
    Computed with ``window`` shifted arrays (exact sums, no long cumulative sums)."""
    n = len(series)
    starts, _ = series.bounds()
    index = np.arange(n, dtype=np.int64)
    if window is None:
        prior = index - starts
        sums = np.zeros(n)
        if n:
            cumulative = np.concatenate(([0.0], np.cumsum(series.scores)))
            sums = cumulative[index] - cumulative[starts]
    else:
        if window < 1:
            raise FeedbackError(f"window must be 1 or more (or None for all); got {window}")
        lower = np.maximum(starts, index - window)
        prior = index - lower
        sums = np.zeros(n)
        for lag in range(1, window + 1):
            valid = prior >= lag
            sums[valid] += series.scores[index[valid] - lag]
    with np.errstate(invalid="ignore", divide="ignore"):
        baseline = np.where(prior > 0, sums / np.maximum(prior, 1), np.nan)
    return baseline, prior.astype(np.int64)


# -- thresholds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AllianceSettings:
    """Configurable conventions of the alliance rules (see the module docstring).

    ``low_alliance`` and ``rupture_threshold`` map an instrument id to a value for its
    total (``score < value`` is low; a drop of at least ``value`` is a rupture); a part
    (goal/task/bond) gets the total's threshold scaled by its share of the items."""

    low_alliance: Mapping[str, float] = field(default_factory=dict)
    rupture_threshold: Mapping[str, float] = field(default_factory=dict)
    rupture_window: int | None = 3
    repair_within: int = 3
    repair_margin_fraction: float = 0.5
    discrepancy_threshold: float = 1.0
    discrepancy_pairs: tuple[tuple[str, str], ...] = DISCREPANCY_PAIRS

    def __post_init__(self) -> None:
        if self.rupture_window is not None and self.rupture_window < 1:
            raise FeedbackError(f"rupture_window must be 1 or more; got {self.rupture_window}")
        if self.repair_within < 1:
            raise FeedbackError(f"repair_within must be 1 or more; got {self.repair_within}")
        if not 0 <= self.repair_margin_fraction < 1:
            raise FeedbackError(
                f"repair_margin_fraction must be in [0, 1); got {self.repair_margin_fraction}"
            )
        if self.discrepancy_threshold <= 0:
            raise FeedbackError(
                f"discrepancy_threshold must be positive; got {self.discrepancy_threshold}"
            )
        for name, values in (
            ("low_alliance", self.low_alliance),
            ("rupture_threshold", self.rupture_threshold),
        ):
            for key, value in values.items():
                if not np.isfinite(value) or (name == "rupture_threshold" and value <= 0):
                    raise FeedbackError(f"{name}[{key!r}] must be a positive number; got {value}")


@dataclass(frozen=True)
class Cut:
    """Scores ``op value`` (``lt``: below, ``le``: at or below) count as low."""

    value: float
    op: CutOp
    basis: ThresholdBasis

    def is_low(self, scores: FloatArray) -> BoolArray:
        if self.op == "lt":
            return np.asarray(scores < self.value)
        return np.asarray(scores <= self.value)


@dataclass(frozen=True)
class RuptureRule:
    """A drop of at least ``threshold`` below the mean of up to ``window`` previous ratings
    is a rupture; it is repaired when one of the next ``repair_within`` ratings is back
    within ``repair_margin`` of that baseline."""

    threshold: float
    window: int | None = 3
    min_prior: int = 1
    repair_within: int = 3
    repair_margin: float | None = None
    basis: ThresholdBasis = "half_step"

    @property
    def margin(self) -> float:
        return self.threshold / 2 if self.repair_margin is None else self.repair_margin


def item_count(scale: Scale) -> int:
    return len(scale.items)


def item_divisor(scale: Scale) -> float:
    """Divide a score by this to get the average item answer (1 for mean-aggregated)."""
    return float(len(scale.items)) if scale.aggregation == "sum" else 1.0


def answer_range(instrument: Instrument, scale: Scale) -> tuple[float, float]:
    """The lowest and highest answer of one item of the scale (its first item's set)."""
    response = instrument.response_set_of(scale.items[0])
    return response.low, response.high


def answer_step(instrument: Instrument, scale: Scale) -> float:
    """One answer step of the scale's items: the gap between adjacent options (for a
    visual-analogue line, a tenth of its length)."""
    response = instrument.response_set_of(scale.items[0])
    if response.options is not None:
        options = sorted(response.options)
        return float(min(b - a for a, b in itertools.pairwise(options)))
    return (response.high - response.low) / 10.0


def total_scale(instrument: Instrument) -> Scale | None:
    return instrument.scale_index.get("total")


def part_scales(instrument: Instrument) -> tuple[Scale, ...]:
    """The parts of an alliance total (e.g. goal, task, bond): other scales whose items
    all belong to the total."""
    total = total_scale(instrument)
    if total is None:
        return ()
    items = set(total.items)
    return tuple(s for s in instrument.scales if s.id != "total" and set(s.items) <= items)


def low_alliance_cut(
    instrument: Instrument, scale: Scale, settings: AllianceSettings | None = None
) -> Cut:
    """The concern level of an alliance scale (see the module docstring)."""
    settings = settings or AllianceSettings()
    total = total_scale(instrument)
    if instrument.id in settings.low_alliance and total is not None:
        share = item_count(scale) / item_count(total) if scale.aggregation == "sum" else 1.0
        return Cut(settings.low_alliance[instrument.id] * share, "lt", "setting")
    for flag in instrument.flags:
        if flag.scale == scale.id and flag.op in ("lt", "le"):
            op: CutOp = "lt" if flag.op == "lt" else "le"
            return Cut(flag.value, op, "flag")
    low, high = answer_range(instrument, scale)
    return Cut((low + high) / 2 * item_divisor(scale), "lt", "midpoint")


def rupture_rule(
    instrument: Instrument, scale: Scale, settings: AllianceSettings | None = None
) -> RuptureRule:
    """The rupture rule of an alliance scale (see the module docstring)."""
    settings = settings or AllianceSettings()
    total = total_scale(instrument)
    share = 1.0
    if total is not None and scale.aggregation == "sum":
        share = item_count(scale) / item_count(total)
    basis: ThresholdBasis
    window = settings.rupture_window
    if instrument.id in settings.rupture_threshold:
        threshold, basis = settings.rupture_threshold[instrument.id] * share, "setting"
    elif instrument.id == "srs":
        # PCOMS: a drop of 1 point or more from the previous session (Duncan 2012).
        threshold, basis, window = 1.0, "pcoms", 1
    elif scale.change is not None:
        threshold, basis = scale.change.threshold, "change"
    else:
        threshold = 0.5 * answer_step(instrument, scale) * item_divisor(scale)
        basis = "half_step"
    return RuptureRule(
        threshold=threshold,
        window=window,
        repair_within=settings.repair_within,
        repair_margin=threshold * settings.repair_margin_fraction,
        basis=basis,
    )


# -- low alliance -------------------------------------------------------------------------


def low_alliance(series: Series, cut: Cut) -> BoolArray:
    """True where a rating is below the concern level."""
    return cut.is_low(series.scores)


# -- ruptures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PartDrop:
    """How one part (goal, task, bond) moved at a rupture session."""

    scale: str
    baseline: float
    score: float
    span: float

    @property
    def drop(self) -> float:
        return self.baseline - self.score

    @property
    def relative_drop(self) -> float:
        """The drop as a fraction of the part's range (comparable across parts)."""
        return self.drop / self.span


@dataclass(frozen=True)
class RuptureEvent:
    """One rupture of one rater (``group``) and what became of it."""

    group: int
    session: int
    score: float
    baseline: float
    n_baseline: int
    threshold: float
    status: RuptureStatus
    repair_session: int | None = None
    repair_score: float | None = None
    closed_session: int | None = None
    closed_score: float | None = None
    n_after: int = 0
    parts: tuple[PartDrop, ...] = ()

    @property
    def drop(self) -> float:
        return self.baseline - self.score

    @property
    def located(self) -> tuple[str, ...]:
        """The part(s) with the largest relative drop (several when tied); empty when no
        part dropped or no part was rated."""
        dropped = [p for p in self.parts if p.relative_drop > TOLERANCE]
        if not dropped:
            return ()
        top = max(p.relative_drop for p in dropped)
        return tuple(p.scale for p in dropped if p.relative_drop >= top - TOLERANCE)


@dataclass(frozen=True)
class PartSeries:
    """The ratings of one part (goal, task, bond) and the width of its range."""

    scale: str
    series: Series
    span: float


def detect_ruptures(
    series: Series,
    rule: RuptureRule,
    parts: tuple[PartSeries, ...] = (),
) -> tuple[RuptureEvent, ...]:
    """Ruptures of every group in ``series`` with their repair status (module docstring).

    Vectorised over ratings: the candidate drops, and for every candidate the repair
    window that follows it.  A short loop over plain integers then keeps the candidates
    that do not fall inside an earlier rupture's episode (a rupture that is repaired ends
    at its repair, an unresolved one after its window, an open one at the group's end)."""
    if len(series) == 0:
        return ()
    baseline, prior = running_baseline(series, rule.window)
    drop = baseline - series.scores
    candidate = (prior >= rule.min_prior) & (drop >= rule.threshold - TOLERANCE)
    if not np.any(candidate):
        return ()
    _, ends = series.bounds()
    cand = np.flatnonzero(candidate)
    end = ends[cand]
    n_after = np.minimum(rule.repair_within, end - cand - 1)
    floor = (baseline[cand] - rule.margin) - TOLERANCE
    back = np.zeros(cand.size, dtype=np.int64)  # 1 + offset of the first rating back, or 0
    last = len(series) - 1
    for k in range(min(rule.repair_within, int(n_after.max(initial=0))), 0, -1):
        hit = (n_after >= k) & (series.scores[np.minimum(cand + k, last)] >= floor)
        back[hit] = k  # from the far end inwards, so the nearest rating back stays
    resolved = back > 0
    unresolved = ~resolved & (n_after == rule.repair_within)
    closes = np.where(resolved, cand + back, cand + rule.repair_within)
    blocks = np.where(resolved, closes, np.where(unresolved, closes + 1, end))
    kept: list[int] = []
    blocked_until = -1
    for k, (i, block) in enumerate(zip(cand.tolist(), blocks.tolist(), strict=True)):
        if i < blocked_until:
            continue
        kept.append(k)
        blocked_until = block
    at = np.asarray(kept, dtype=np.int64)
    rows = cand[at]
    part_drops = _part_drops(series, rows, parts, rule)
    close_rows = np.minimum(closes[at], last)
    events = []
    for k, (g, s, y, b, n_b, ok, bad, j_s, j_y, n) in enumerate(
        zip(
            series.groups[rows].tolist(),
            series.sessions[rows].tolist(),
            series.scores[rows].tolist(),
            baseline[rows].tolist(),
            prior[rows].tolist(),
            resolved[at].tolist(),
            unresolved[at].tolist(),
            series.sessions[close_rows].tolist(),
            series.scores[close_rows].tolist(),
            n_after[at].tolist(),
            strict=True,
        )
    ):
        status: RuptureStatus = "resolved" if ok else "unresolved" if bad else "open"
        events.append(
            RuptureEvent(
                group=g,
                session=s,
                score=y,
                baseline=b,
                n_baseline=n_b,
                threshold=rule.threshold,
                status=status,
                repair_session=j_s if ok else None,
                repair_score=j_y if ok else None,
                closed_session=j_s if bad else None,
                closed_score=j_y if bad else None,
                n_after=n,
                parts=part_drops[k],
            )
        )
    return tuple(events)


def _part_drops(
    series: Series, rows: IntArray, parts: tuple[PartSeries, ...], rule: RuptureRule
) -> list[tuple[PartDrop, ...]]:
    """For each of ``rows`` of ``series``, how each part rated at the same session (with a
    baseline) moved."""
    found: list[list[PartDrop]] = [[] for _ in range(rows.size)]
    keys = series.keys[rows]
    for part in parts:
        part_keys = part.series.keys
        if part_keys.size == 0:
            continue
        part_baseline = running_baseline(part.series, rule.window)[0]
        at = np.searchsorted(part_keys, keys)
        inside = at < part_keys.size
        at = np.minimum(at, part_keys.size - 1)
        hit = inside & (part_keys[at] == keys) & np.isfinite(part_baseline[at])
        for k, b, y in zip(
            np.flatnonzero(hit).tolist(),
            part_baseline[at[hit]].tolist(),
            part.series.scores[at[hit]].tolist(),
            strict=True,
        ):
            found[k].append(PartDrop(scale=part.scale, baseline=b, score=y, span=part.span))
    return [tuple(f) for f in found]


# -- discrepancy --------------------------------------------------------------------------


@dataclass(frozen=True)
class Discrepancies:
    """Sessions rated by both client and practitioner, with the gap in item-mean units
    (practitioner minus client; positive when the practitioner rates higher)."""

    groups: IntArray
    sessions: IntArray
    client_scores: FloatArray
    practitioner_scores: FloatArray
    gap: FloatArray
    flagged: BoolArray


def discrepancies(
    client: Series,
    practitioner: Series,
    items_per_score: float,
    threshold: float = 1.0,
) -> Discrepancies:
    """Match the two raters session by session; flag ``gap >= threshold`` (module docstring).

    ``items_per_score`` turns scores into item means (4 for a WAI-SR subscale sum, 12 for
    its total; 1 for a mean-aggregated scale)."""
    if items_per_score <= 0:
        raise FeedbackError(f"items_per_score must be positive; got {items_per_score}")
    _, ci, pi = np.intersect1d(client.keys, practitioner.keys, return_indices=True)
    c = client.scores[ci]
    p = practitioner.scores[pi]
    gap = (p - c) / items_per_score
    return Discrepancies(
        groups=client.groups[ci],
        sessions=client.sessions[ci],
        client_scores=c,
        practitioner_scores=p,
        gap=gap,
        flagged=gap >= threshold - TOLERANCE,
    )
