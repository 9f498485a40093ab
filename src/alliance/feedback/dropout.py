"""Early drop-out risk in the first five sessions.

About one client in five ends therapy early without agreement (19.7% in the meta-analysis of
Swift & Greenberg 2012, J Consult Clin Psychol 80:547-559), mostly in the first sessions.  This
module adds up documented warning signs seen in the first ``window`` (default 5) scheduled
sessions into a points score, names each contributing factor in plain language, and turns
the score into a level.  It is a transparent heuristic, not a fitted prediction model: the
weights rank the signs by the strength of the evidence linking them to drop-out, and were
fixed before the simulator check in the tests.

Factors and points (evaluated on the sessions up to ``window``; "latest" = the latest rating
in that window)

======================== ====== ==========================================================
factor                   points rule
======================== ====== ==========================================================
``low_alliance``         2      latest alliance total below the instrument's concern level
                                (SRS < 36; others: see ``alliance_signals.low_alliance_cut``)
``falling_alliance``     1.5    latest alliance rating below the client's own baseline (mean
                                of up to ``window`` earlier ratings; SRS: the previous one)
                                by at least the rupture threshold of
                                ``alliance_signals.rupture_rule`` (SRS: 1 point)
``getting_worse``        2      from session 3 on: outcome worse than at intake by at least
                                half the instrument's reliable change (PHQ-9: 3 points)
``no_early_change``      1      from session 3 on: outcome within half a reliable change of
                                the intake score (neither better nor worse)
``missed_sessions``      1 each sessions not attended without notice or cancelled late
                                (``did_not_attend``, ``late_cancelled``), at most 2 points
``cancelled_sessions``   0.5    sessions cancelled with notice, at most 1 point
                         each
``unanswered``           0.5    attended sessions whose questionnaire went unanswered, at
                         each   most 1 point
======================== ====== ==========================================================

Level: ``low`` below 2 points, ``medium`` from 2 (one strong sign) to below 4, ``high`` from 4
(two strong signs, or one with missed sessions).

Why these signs: a weaker alliance goes with drop-out (d = .55 across 11 studies, Sharf,
Primavera & Diener 2010, Psychotherapy 47:637-645), so a low or falling alliance weighs most;
early change predicts the course of therapy (Stulz, Lutz, Leach, Lucock & Barkham 2007, J
Consult Clin Psychol 75:864-874; Lambert 2005, J Clin Psychol 61:855-869), and a client who
gets worse or feels no change early has less reason to return; missed, late-cancelled and
unanswered contacts are the behavioural signs of disengagement that often precede it.

Inputs use the simulator's long format: one row per client, session and scale with
``attendance`` among ``attended``, ``cancelled``, ``late_cancelled``, ``did_not_attend``
(absent column: every row attended) and ``answered`` (absent column: an attended session
with no score on any of its rows counts as unanswered; the one-client function, given
neither ``answered`` nor any scores, counts nothing as unanswered).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance.measures import Instrument, Scale
from alliance.measures.errors import MeasureError
from alliance.measures.registry import get_instrument

from .alliance_signals import low_alliance_cut, rupture_rule
from .errors import FeedbackError
from .texts import instrument_name, number

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Level = Literal["low", "medium", "high"]

ATTENDANCE_CODES: dict[str, int] = {
    "attended": 0,
    "cancelled": 1,
    "late_cancelled": 2,
    "did_not_attend": 3,
}
FACTORS: tuple[str, ...] = (
    "low_alliance",
    "falling_alliance",
    "getting_worse",
    "no_early_change",
    "missed_sessions",
    "cancelled_sessions",
    "unanswered",
)
#: Plain-language names, written to follow "early signs that often come before clients stop
#: attending: ...".
FACTOR_NAMES: dict[str, str] = {
    "low_alliance": "a low alliance rating",
    "falling_alliance": "a falling alliance rating",
    "getting_worse": "symptoms getting worse since the start",
    "no_early_change": "no early change since the start",
    "missed_sessions": "missed or late-cancelled sessions",
    "cancelled_sessions": "cancelled sessions",
    "unanswered": "unanswered questionnaires",
}
POINTS: dict[str, float] = {
    "low_alliance": 2.0,
    "falling_alliance": 1.5,
    "getting_worse": 2.0,
    "no_early_change": 1.0,
    "missed_sessions": 1.0,  # per session, at most MAX_POINTS
    "cancelled_sessions": 0.5,
    "unanswered": 0.5,
}
MAX_POINTS: dict[str, float] = {
    "missed_sessions": 2.0,
    "cancelled_sessions": 1.0,
    "unanswered": 1.0,
}
MEDIUM_FROM = 2.0
HIGH_FROM = 4.0
TOLERANCE = 1e-9


@dataclass(frozen=True)
class DropoutFactor:
    """One contributing sign: ``id`` (one of FACTORS), plain-language ``name``, ``points``
    and ``detail`` (what was seen, compared with what)."""

    id: str
    name: str
    points: float
    detail: str


@dataclass(frozen=True)
class DropoutRisk:
    score: float
    level: Level
    as_of_session: int | None
    factors: tuple[DropoutFactor, ...]


@dataclass(frozen=True)
class Rules:
    """The thresholds in force for an outcome and an alliance scale."""

    outcome_label: str
    alliance_label: str
    lower_is_better: bool
    half_reliable_change: float
    low_value: float
    low_inclusive: bool
    drop: float
    baseline_window: int


def _article(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _instrument(instrument_id: str, what: str) -> Instrument:
    try:
        return get_instrument(instrument_id)
    except MeasureError as exc:
        raise FeedbackError(f"{what}: {exc}") from None


def _scale(inst: Instrument, scale_id: str, what: str) -> Scale:
    found = inst.scale_index.get(scale_id)
    if found is None:
        raise FeedbackError(
            f"{what}: {scale_id!r} is not a scale of {inst.id}; allowed: {list(inst.scale_index)}"
        )
    return found


def _label(inst: Instrument, scale: Scale) -> str:
    name = instrument_name(inst.id)
    return name if scale.id == "total" else f"{name} {scale.id}"


def rules_for(
    outcome_instrument: str = "phq9",
    alliance_instrument: str = "srs",
    *,
    outcome_scale: str = "total",
    alliance_scale: str = "total",
    window: int = 5,
) -> Rules:
    """Resolve the thresholds from the instrument definitions (module docstring)."""
    out_inst = _instrument(outcome_instrument, "outcome_instrument")
    out_scale = _scale(out_inst, outcome_scale, "outcome_scale")
    if out_scale.change is None:
        raise FeedbackError(
            f"outcome_instrument: {out_inst.id} scale {out_scale.id} has no change parameters;"
            " expected an outcome scale with a direction and reliable change"
        )
    all_inst = _instrument(alliance_instrument, "alliance_instrument")
    if all_inst.kind != "alliance":
        raise FeedbackError(
            f"alliance_instrument: {all_inst.id} is {_article(all_inst.kind)} measure; expected an "
            "alliance instrument such as srs or wai-sr"
        )
    all_scale = _scale(all_inst, alliance_scale, "alliance_scale")
    cut = low_alliance_cut(all_inst, all_scale)
    rule = rupture_rule(all_inst, all_scale)
    baseline = window if rule.window is None else rule.window
    return Rules(
        outcome_label=_label(out_inst, out_scale),
        alliance_label=_label(all_inst, all_scale),
        lower_is_better=out_scale.change.direction == "lower-is-better",
        half_reliable_change=out_scale.change.threshold / 2.0,
        low_value=cut.value,
        low_inclusive=cut.op == "le",
        drop=rule.threshold,
        baseline_window=max(1, int(baseline)),
    )


# -- the vectorised core -------------------------------------------------------------------


@dataclass(frozen=True)
class _Core:
    points: dict[str, FloatArray]
    counts: dict[str, IntArray]
    score: FloatArray
    as_of: IntArray
    latest_alliance: FloatArray
    baseline_alliance: FloatArray
    intake: FloatArray
    latest_outcome: FloatArray
    latest_outcome_session: IntArray


def _last_valid(values: FloatArray) -> tuple[IntArray, BoolArray]:
    valid = ~np.isnan(values)
    width = values.shape[1]
    index = width - 1 - np.argmax(valid[:, ::-1], axis=1)
    return index.astype(np.int64), valid.any(axis=1)


def _take(values: FloatArray, index: IntArray, has: BoolArray) -> FloatArray:
    picked = values[np.arange(values.shape[0]), index]
    return np.where(has, picked, np.nan)


def _core(
    rules: Rules,
    present: BoolArray,
    outcome: FloatArray,
    alliance: FloatArray,
    attendance: IntArray,
    answered: BoolArray,
) -> _Core:
    n, width = present.shape
    cols = np.arange(width)[None, :]
    sessions_present = np.where(present, cols + 1, 0)
    as_of = sessions_present.max(axis=1).astype(np.int64)

    # Alliance: latest rating, baseline of up to k earlier ratings.
    a_last, a_has = _last_valid(alliance)
    latest_a = _take(alliance, a_last, a_has)
    valid_a = ~np.isnan(alliance)
    before = valid_a & (cols < a_last[:, None]) & a_has[:, None]
    from_end = np.cumsum(before[:, ::-1], axis=1)[:, ::-1]
    keep = before & (from_end <= rules.baseline_window)
    n_keep = keep.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        baseline = np.where(
            n_keep > 0, np.where(keep, alliance, 0.0).sum(axis=1) / np.maximum(n_keep, 1), np.nan
        )
    if rules.low_inclusive:
        low = a_has & (latest_a <= rules.low_value + TOLERANCE)
    else:
        low = a_has & (latest_a < rules.low_value - TOLERANCE)
    falling = (n_keep > 0) & (baseline - latest_a >= rules.drop - TOLERANCE)

    # Outcome: intake (first score) against the latest score, from session 3 on.
    o_valid = ~np.isnan(outcome)
    o_has = o_valid.any(axis=1)
    o_first = np.argmax(o_valid, axis=1).astype(np.int64)
    o_last, _ = _last_valid(outcome)
    intake = _take(outcome, o_first, o_has)
    latest_o = _take(outcome, o_last, o_has)
    eligible = o_has & (o_last > o_first) & (o_last >= 2)
    sign = 1.0 if rules.lower_is_better else -1.0
    improvement = sign * (intake - latest_o)
    worse = eligible & (improvement <= -rules.half_reliable_change + TOLERANCE)
    flat = eligible & ~worse & (improvement < rules.half_reliable_change - TOLERANCE)

    missed = ((attendance == 2) | (attendance == 3)).sum(axis=1).astype(np.int64)
    cancelled = (attendance == 1).sum(axis=1).astype(np.int64)
    unanswered = ((attendance == 0) & ~answered).sum(axis=1).astype(np.int64)

    points = {
        "low_alliance": np.where(low, POINTS["low_alliance"], 0.0),
        "falling_alliance": np.where(falling, POINTS["falling_alliance"], 0.0),
        "getting_worse": np.where(worse, POINTS["getting_worse"], 0.0),
        "no_early_change": np.where(flat, POINTS["no_early_change"], 0.0),
        "missed_sessions": np.minimum(
            missed * POINTS["missed_sessions"], MAX_POINTS["missed_sessions"]
        ),
        "cancelled_sessions": np.minimum(
            cancelled * POINTS["cancelled_sessions"], MAX_POINTS["cancelled_sessions"]
        ),
        "unanswered": np.minimum(unanswered * POINTS["unanswered"], MAX_POINTS["unanswered"]),
    }
    score = np.zeros(n)
    for name in FACTORS:
        score = score + points[name]
    return _Core(
        points={k: v.astype(np.float64) for k, v in points.items()},
        counts={
            "missed_sessions": missed,
            "cancelled_sessions": cancelled,
            "unanswered": unanswered,
        },
        score=score,
        as_of=as_of,
        latest_alliance=latest_a,
        baseline_alliance=baseline,
        intake=intake,
        latest_outcome=latest_o,
        latest_outcome_session=np.where(o_has, o_last + 1, 0).astype(np.int64),
    )


def level_of(score: float) -> Level:
    if score >= HIGH_FROM - TOLERANCE:
        return "high"
    if score >= MEDIUM_FROM - TOLERANCE:
        return "medium"
    return "low"


def _levels(score: FloatArray) -> npt.NDArray[np.object_]:
    out = np.where(
        score >= HIGH_FROM - TOLERANCE,
        "high",
        np.where(score >= MEDIUM_FROM - TOLERANCE, "medium", "low"),
    )
    return out.astype(object)


# -- one client ----------------------------------------------------------------------------


def _as_floats(values: Sequence[float | None] | None, n: int, what: str) -> FloatArray:
    if values is None:
        return np.full(n, np.nan)
    if len(values) != n:
        raise FeedbackError(f"{what}: {len(values)} values; expected one per session ({n})")
    out = np.full(n, np.nan)
    for i, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
            raise FeedbackError(f"{what}[{i}]: {v!r}; expected a number or None")
        if math.isinf(float(v)):
            raise FeedbackError(f"{what}[{i}]: {v!r}; expected a finite number")
        out[i] = float(v)
    return out


def dropout_risk(
    sessions: Sequence[int],
    *,
    outcome: Sequence[float | None] | None = None,
    alliance: Sequence[float | None] | None = None,
    attendance: Sequence[str] | None = None,
    answered: Sequence[bool] | None = None,
    outcome_instrument: str = "phq9",
    alliance_instrument: str = "srs",
    outcome_scale: str = "total",
    alliance_scale: str = "total",
    window: int = 5,
) -> DropoutRisk:
    """Drop-out risk of one client from their scheduled sessions (one entry per session, with
    the outcome and alliance score, NaN/None when absent; attendance codes; whether the
    questionnaire was answered).  Sessions after ``window`` are ignored."""
    if isinstance(window, bool) or not isinstance(window, int) or window < 2:
        raise FeedbackError(f"window: {window!r}; expected a whole number >= 2")
    rules = rules_for(
        outcome_instrument,
        alliance_instrument,
        outcome_scale=outcome_scale,
        alliance_scale=alliance_scale,
        window=window,
    )
    n = len(sessions)
    numbers = []
    for i, s in enumerate(sessions):
        if isinstance(s, bool) or not isinstance(s, int | np.integer) or s < 1:
            raise FeedbackError(f"sessions[{i}]: {s!r}; expected a whole number >= 1")
        numbers.append(int(s))
    if len(set(numbers)) != n:
        raise FeedbackError("sessions: a session number repeats; expected each session once")
    out = _as_floats(outcome, n, "outcome")
    alli = _as_floats(alliance, n, "alliance")
    if attendance is None:
        codes = np.zeros(n, dtype=np.int64)
    else:
        if len(attendance) != n:
            raise FeedbackError(
                f"attendance: {len(attendance)} values; expected one per session ({n})"
            )
        try:
            codes = np.array([ATTENDANCE_CODES[a] for a in attendance], dtype=np.int64)
        except (KeyError, TypeError):
            bad = next(a for a in attendance if a not in ATTENDANCE_CODES)
            raise FeedbackError(
                f"attendance: {bad!r}; allowed: {', '.join(ATTENDANCE_CODES)}"
            ) from None
    if answered is None and outcome is None and alliance is None:
        done = np.ones(n, dtype=np.bool_)
    elif answered is None:
        done = ~(np.isnan(out) & np.isnan(alli))
    else:
        if len(answered) != n:
            raise FeedbackError(f"answered: {len(answered)} values; expected one per session ({n})")
        done = np.array([bool(a) for a in answered], dtype=np.bool_)
    present = np.zeros((1, window), dtype=np.bool_)
    o = np.full((1, window), np.nan)
    a = np.full((1, window), np.nan)
    c = np.full((1, window), -1, dtype=np.int64)
    d = np.ones((1, window), dtype=np.bool_)
    for i, s in enumerate(numbers):
        if s > window:
            continue
        present[0, s - 1] = True
        o[0, s - 1] = out[i]
        a[0, s - 1] = alli[i]
        c[0, s - 1] = codes[i]
        d[0, s - 1] = done[i]
    core = _core(rules, present, o, a, c, d)
    score = float(core.score[0])
    factors = tuple(
        DropoutFactor(
            id=name,
            name=FACTOR_NAMES[name],
            points=float(core.points[name][0]),
            detail=_detail(name, core, rules),
        )
        for name in FACTORS
        if core.points[name][0] > 0
    )
    as_of = int(core.as_of[0])
    return DropoutRisk(
        score=score,
        level=level_of(score),
        as_of_session=as_of if as_of > 0 else None,
        factors=factors,
    )


def _fmt(value: float) -> str:
    return number(float(value))


def _detail(name: str, core: _Core, rules: Rules) -> str:
    if name == "low_alliance":
        relation = "at or below" if rules.low_inclusive else "below"
        return (
            f"latest {rules.alliance_label} rating {_fmt(core.latest_alliance[0])} is "
            f"{relation} {_fmt(rules.low_value)}"
        )
    if name == "falling_alliance":
        return (
            f"latest {rules.alliance_label} rating {_fmt(core.latest_alliance[0])} is "
            f"{_fmt(core.baseline_alliance[0] - core.latest_alliance[0])} below the earlier "
            f"{_fmt(core.baseline_alliance[0])} (a drop of {_fmt(rules.drop)} or more counts)"
        )
    if name in ("getting_worse", "no_early_change"):
        return (
            f"{rules.outcome_label} {_fmt(core.latest_outcome[0])} at session "
            f"{int(core.latest_outcome_session[0])} against {_fmt(core.intake[0])} at the "
            f"start (half a reliable change is {_fmt(rules.half_reliable_change)})"
        )
    count = int(core.counts[name][0])
    noun = "session" if count == 1 else "sessions"
    if name == "missed_sessions":
        return f"{count} {noun} missed or cancelled late"
    if name == "cancelled_sessions":
        return f"{count} {noun} cancelled with notice"
    return f"{count} attended {noun} without an answered questionnaire"


# -- many clients --------------------------------------------------------------------------


def dropout_risk_frame(
    frame: pd.DataFrame,
    *,
    outcome_instrument: str = "phq9",
    alliance_instrument: str = "srs",
    outcome_scale: str = "total",
    alliance_scale: str = "total",
    window: int = 5,
    client_col: str = "client_id",
    session_col: str = "session",
    instrument_col: str = "instrument",
    scale_col: str = "scale",
    score_col: str = "score",
    attendance_col: str = "attendance",
    answered_col: str = "answered",
    respondent_col: str = "respondent",
) -> pd.DataFrame:
    """Drop-out risk of every client in a long frame (the simulator's format).

    Returns one row per client (sorted by id): ``client_id``, ``as_of_session``,
    ``risk_score``, ``level``, ``factors`` (contributing factor ids joined by ``;``) and
    ``points_<factor>`` for each factor.  Alliance rows are those answered by the client when
    the frame has a ``respondent`` column.
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 2:
        raise FeedbackError(f"window: {window!r}; expected a whole number >= 2")
    rules = rules_for(
        outcome_instrument,
        alliance_instrument,
        outcome_scale=outcome_scale,
        alliance_scale=alliance_scale,
        window=window,
    )
    needed = [client_col, session_col, instrument_col, scale_col, score_col]
    lacking = [c for c in needed if c not in frame.columns]
    if lacking:
        raise FeedbackError(f"input: lacks columns {lacking}; it has {list(frame.columns)}")
    sessions = pd.to_numeric(frame[session_col], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(sessions) | (sessions < 1) | (sessions != np.floor(sessions))
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        raise FeedbackError(
            f"input: row {row}, column {session_col}: {frame[session_col].iloc[row - 1]!r}; "
            "expected a whole number >= 1"
        )
    scores = pd.to_numeric(frame[score_col], errors="coerce").to_numpy(dtype=np.float64)
    bad = np.isnan(scores) & frame[score_col].notna().to_numpy()
    bad |= np.isinf(scores)
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        raise FeedbackError(
            f"input: row {row}, column {score_col}: {frame[score_col].iloc[row - 1]!r}; "
            "expected a number or empty"
        )
    if attendance_col in frame.columns:
        mapped = frame[attendance_col].map(ATTENDANCE_CODES)
        bad = mapped.isna().to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 1
            raise FeedbackError(
                f"input: row {row}, column {attendance_col}: "
                f"{frame[attendance_col].iloc[row - 1]!r}; allowed: {', '.join(ATTENDANCE_CODES)}"
            )
        codes = mapped.to_numpy(dtype=np.int64)
    else:
        codes = np.zeros(len(frame), dtype=np.int64)
    codes_clients, labels = pd.factorize(frame[client_col].astype(str), sort=True)
    n = len(labels)
    in_window = sessions <= window
    row_client = codes_clients[in_window]
    row_col = sessions[in_window].astype(np.int64) - 1
    present = np.zeros((n, window), dtype=np.bool_)
    present[row_client, row_col] = True
    attendance = np.full((n, window), -1, dtype=np.int64)
    attendance[row_client, row_col] = codes[in_window]

    instrument = frame[instrument_col].astype(str).to_numpy()
    scale = frame[scale_col].astype(str).to_numpy()
    is_outcome = (instrument == outcome_instrument) & (scale == outcome_scale)
    is_alliance = (instrument == alliance_instrument) & (scale == alliance_scale)
    if respondent_col in frame.columns:
        is_alliance &= frame[respondent_col].astype(str).to_numpy() == "client"
    outcome = np.full((n, window), np.nan)
    alliance = np.full((n, window), np.nan)
    for target, mask in ((outcome, is_outcome), (alliance, is_alliance)):
        use = in_window & mask & ~np.isnan(scores)
        target[codes_clients[use], sessions[use].astype(np.int64) - 1] = scores[use]
    if answered_col in frame.columns:
        answered = np.ones((n, window), dtype=np.bool_)
        flags = frame[answered_col].fillna(False).astype(bool).to_numpy()
        answered[row_client, row_col] = flags[in_window]
    else:
        answered = np.zeros((n, window), dtype=np.bool_)
        use = in_window & ~np.isnan(scores)
        answered[codes_clients[use], sessions[use].astype(np.int64) - 1] = True
    core = _core(rules, present, outcome, alliance, attendance, answered)
    contributing = np.stack([core.points[name] > 0 for name in FACTORS], axis=1)
    names = np.asarray(FACTORS, dtype=object)
    factor_text = [";".join(names[row]) for row in contributing]
    out = pd.DataFrame(
        {
            "client_id": np.asarray(labels, dtype=object),
            "as_of_session": core.as_of,
            "risk_score": core.score,
            "level": _levels(core.score),
            "factors": factor_text,
        }
    )
    for name in FACTORS:
        out[f"points_{name}"] = core.points[name]
    return out


# -- many rows of ready-made matrices -------------------------------------------------------


@dataclass(frozen=True)
class RiskArrays:
    """Drop-out risk of many rows at once: ``score``, ``level`` (``low``/``medium``/``high``)
    and ``contributing`` (one column per factor of FACTORS, in that order: True where the
    factor added points)."""

    score: FloatArray
    level: npt.NDArray[np.object_]
    contributing: BoolArray


def dropout_risk_arrays(
    present: BoolArray,
    outcome: FloatArray,
    alliance: FloatArray,
    attendance: IntArray,
    answered: BoolArray,
    *,
    outcome_instrument: str = "phq9",
    alliance_instrument: str = "srs",
    outcome_scale: str = "total",
    alliance_scale: str = "total",
) -> RiskArrays:
    """Drop-out risk of every row of (row x session) matrices whose column ``k`` is the
    scheduled session ``k + 1`` (the window is their width): ``present`` (the session took
    place or was scheduled), ``outcome`` and ``alliance`` scores (NaN when absent),
    ``attendance`` codes of ATTENDANCE_CODES (-1 where no session) and ``answered``.  The
    same computation as :func:`dropout_risk` and :func:`dropout_risk_frame`, without the
    reading and checking of their inputs, for callers that hold the matrices already (the
    alert engine, which evaluates every client as of each early session at once)."""
    shape = present.shape
    if len(shape) != 2 or any(m.shape != shape for m in (outcome, alliance, attendance, answered)):
        raise FeedbackError(
            "present, outcome, alliance, attendance and answered must be matrices of one shape"
        )
    window = shape[1]
    if window < 2:
        raise FeedbackError(f"window: {window!r}; expected a whole number >= 2")
    rules = rules_for(
        outcome_instrument,
        alliance_instrument,
        outcome_scale=outcome_scale,
        alliance_scale=alliance_scale,
        window=window,
    )
    core = _core(rules, present, outcome, alliance, attendance, answered)
    contributing = np.stack([core.points[name] > 0 for name in FACTORS], axis=1)
    return RiskArrays(score=core.score, level=_levels(core.score), contributing=contributing)
