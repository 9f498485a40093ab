"""A seeded simulator of therapy episodes: outcome scores, alliance, attendance and drop-out.

``simulate(n_clients, instrument="phq9", seed=0)`` returns a tidy long DataFrame with one row
per client, scheduled session and scale.  It serves two purposes: validating the feedback
engine (expected treatment response, not-on-track signals, drop-out risk) on data whose truth
is known, and seeding demonstration practices.  Nothing here is clinical data.

Model (all in "severity" units: 0 = the best score of the scale, ``R`` = the worst, so one
model serves lower-is-better and higher-is-better instruments alike)

1. Intake.  True intake severity ~ Normal(mu0, 0.18 R), clipped to [0.1 R, R], where
   mu0 = (severity at the clinical cut-off) + 0.2 R, or 0.6 R for scales without a cut-off.
   For the PHQ-9 this gives a mean intake near 15 (the moderate to moderately severe range
   typical of referrals).
2. Course type, drawn from ``course_mix`` (default ``DEFAULT_COURSE_MIX``):

   - ``responder``: log-linear improvement, severity(s) = sev0 * (1 - g log(s) / log(12)),
     g ~ N(0.7, 0.12) clipped to [0.3, 0.95].  Log-linear (negatively accelerated) change
     is the dose-effect shape of Howard, Kopta, Krause & Orlinsky 1986 (Am Psychol
     41:159-164: about half of patients improved by session 8, three quarters by 26, with
     the logarithm of sessions as the dose) and the shape of the expected recovery curves of
     Finch, Lambert & Schaalje 2001 (Clin Psychol Psychother 8:231-242, a mixed model on
     log(session)).
   - ``slow_responder``: linear improvement, severity(s) = sev0 * (1 - g (s - 1) / 11),
     g ~ N(0.55, 0.12) clipped to [0.2, 0.9]; little change in the first sessions, real change
     later (the "continuous" rather than "early" change pattern of Stulz, Lutz, Leach, Lucock
     & Barkham 2007, J Consult Clin Psychol 75:864-874).
   - ``non_responder``: severity(s) = sev0 * (1 - g log(s) / log(12)), g ~ N(0.05, 0.08).
   - ``deteriorator``: severity rises log-linearly by d reliable-change units by session 12,
     d ~ N(1.4, 0.3) clipped to [0.8, 2.5] (capped at the worst score).

   The default mixture (50% / 22% / 20% / 8%) is an illustrative choice, not an estimate: it
   gives about 60-65% reliable improvement and 5-10% reliable deterioration among clients who
   complete 12 sessions, in line with 57.6-67.2% of patients improving within about 13
   sessions in trials (Hansen, Lambert & Forman 2002, Clin Psychol Sci Pract 9:329-343) and
   the 5-10% of adults who get worse in therapy (Lambert, Bergin & Collins 1977; Mohr 1995;
   as summarised by Bybee, Lambert & Eggett 2007).
3. Measurement.  Observed score = true score + Normal(0, SEM), where SEM is taken from the
   instrument's reliable-change threshold RC: RC = 1.96 * sqrt(2) * SEM (Jacobson & Truax
   1991), so SEM = RC / (1.96 sqrt 2) (2.16 points for the PHQ-9's RC of 6).  Observed scores
   are clipped to the scale's range and rounded to the values the scale can take.
4. Alliance.  A latent alliance z (standard units) per client and session: a client level
   ~ N(m_course, 0.8) (m = 0.2, 0.0, -0.3, -0.4 for the four course types), a trend of
   +0.3 log(s)/log(12) for (slow) responders, 0 for non-responders and -0.4 for
   deteriorators, and session noise N(0, 0.35); the correlation of a client's mean alliance
   with their improvement comes out near .35, a little above the meta-analytic r = .28
   (Flueckiger, Del Re, Wampold & Horvath 2018, Psychotherapy 55:316-340).

   Ruptures: with probability 0.25 / 0.3 / 0.4 / 0.5 (by course) one rupture at a session
   between 2 and 8 lowers z by 1.0-1.5; it is resolved (decays by a factor exp(-1.2) per
   session) with probability 0.8 / 0.6 / 0.4 / 0.25, or unresolved (80% of the drop
   persists).  On instruments with goal, task and bond scales the rupture falls mainly on
   one of them (drawn at random), 30% of it on the others.

   Scores are ``centre + spread * z`` with centre and spread as fractions of the range (SRS:
   0.92 and 0.08, i.e. 36.8 +- 3.2, clustering near the top as the SRS does; others 0.73 and
   0.14), clipped and rounded to the scale's grid; a total made of subscales is their sum.
5. Attendance and drop-out (one pass over sessions, vectorised over clients).  An engagement
   propensity e_i ~ N(0, 1) sets each client's chance to miss a scheduled session,
   p = logistic(-2.7 + 0.6 e_i) (about 8%): 40% of misses are cancelled with notice, 25%
   late-cancelled and 35% not attended without notice.  An attended session's questionnaire
   goes unanswered with probability logistic(-3.2 + 0.5 e_i).  After each attended session
   s < n_sessions a client drops out with probability
   logistic(a_s + 0.5 e_i + 0.9 low + 0.8 falling + 0.9 no_change + 0.7 missed_last), where
   a_s = -4.3 for s <= 5 and -5.3 later, ``low`` is the latent alliance at the latest answered
   session below the 25th percentile of all clients' first-session alliance, ``falling`` a
   fall of at least 0.5 (latent units) since the previous answered session, ``no_change``
   (from session 3) an observed improvement of less than half a reliable change, and
   ``missed_last`` the previous session missed.  Alliance
   problems predict drop-out (d = .55, Sharf, Primavera & Diener 2010, Psychotherapy
   47:637-645); the overall rate comes out near the 19.7% of Swift & Greenberg 2012 (J
   Consult Clin Psychol 80:547-559), most of it in the first five sessions.  A drop-out's
   next scheduled session is recorded as not attended (``did_not_attend``) and then the
   episode ends.

Output columns: ``client_id`` (text), ``session`` (1-based scheduled session),
``instrument``, ``scale``, ``respondent`` (who answers the instrument: ``client`` for the
outcome measures and the SRS/WAI-SR, ``practitioner`` for the WAI-SR-T), ``score`` (NaN when
the session was missed or the questionnaire unanswered), ``attended`` (bool), ``attendance``
(``attended``, ``cancelled``, ``late_cancelled``, ``did_not_attend``), ``answered`` (bool: an
attended session's questionnaire was answered), ``course``, ``dropped_out`` (bool, per
client), ``last_attended_session`` (per client), ``true_score`` (the noise-free outcome score
on outcome rows, NaN on alliance rows), ``rupture_session`` (nullable integer) and
``rupture_resolved`` (nullable boolean).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance.measures import Instrument, Scale
from alliance.measures.errors import MeasureError
from alliance.measures.registry import get_instrument

from .errors import FeedbackError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

COURSES: tuple[str, ...] = ("responder", "slow_responder", "non_responder", "deteriorator")
DEFAULT_COURSE_MIX: Mapping[str, float] = {
    "responder": 0.50,
    "slow_responder": 0.22,
    "non_responder": 0.20,
    "deteriorator": 0.08,
}
ATTENDANCE: tuple[str, ...] = ("attended", "cancelled", "late_cancelled", "did_not_attend")
#: Session at which the course parameters (g, d) are reached: curves do not depend on the
#: planned number of sessions.
REFERENCE_SESSION = 12

# Per-course parameters, in the order of COURSES.
_ALLIANCE_LEVEL = np.array([0.2, 0.0, -0.3, -0.4])
_ALLIANCE_TREND = np.array([0.3, 0.3, 0.0, -0.4])
_RUPTURE_PROBABILITY = np.array([0.25, 0.3, 0.4, 0.5])
_RUPTURE_RESOLVED = np.array([0.8, 0.6, 0.4, 0.25])
_ALLIANCE_PLACEMENT: Mapping[str, tuple[float, float]] = {"srs": (0.92, 0.08)}
_DEFAULT_PLACEMENT = (0.73, 0.14)
_SUBSCALES = ("goal", "task", "bond")


@dataclass(frozen=True)
class ScoreGrid:
    """The values a scale's score can take: ``low`` to ``high`` in steps of ``step``, or one
    of ``values`` (conversion tables)."""

    low: float
    high: float
    step: float | None
    values: tuple[float, ...] | None = None

    def snap(self, scores: FloatArray) -> FloatArray:
        """Clip to the range and round to the nearest value the scale can take."""
        clipped = np.clip(scores, self.low, self.high)
        if self.values is not None:
            table = np.asarray(self.values, dtype=np.float64)
            right = np.clip(np.searchsorted(table, clipped), 1, len(table) - 1)
            left = right - 1
            nearer_left = np.abs(clipped - table[left]) <= np.abs(table[right] - clipped)
            snapped: FloatArray = np.where(nearer_left, table[left], table[right])
            return np.where(np.isnan(scores), np.nan, snapped)
        assert self.step is not None
        steps = np.round((clipped - self.low) / self.step)
        return np.round(self.low + steps * self.step, 6)


def score_grid(instrument: Instrument, scale: Scale) -> ScoreGrid:
    """Range and granularity of ``scale`` after its transform (multiplier or lookup table)."""
    low, high = instrument.raw_range(scale)
    steps = []
    for item in scale.items:
        rs = instrument.response_set_of(item)
        steps.append(rs.vas.step if rs.vas is not None else 1.0)
    step = min(steps)
    if scale.aggregation == "mean":
        step = step / len(scale.items)
    transform = scale.transform
    if transform is not None and transform.lookup is not None:
        values = tuple(sorted(set(transform.lookup.values())))
        return ScoreGrid(values[0], values[-1], None, values)
    if transform is not None and transform.multiply is not None:
        ends = sorted((low * transform.multiply, high * transform.multiply))
        return ScoreGrid(ends[0], ends[1], step * abs(transform.multiply))
    return ScoreGrid(low, high, step)


def _article(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _lookup(instrument_id: str, what: str) -> Instrument:
    try:
        return get_instrument(instrument_id)
    except MeasureError as exc:
        raise FeedbackError(f"{what}: {exc}") from None


def _outcome_scale(instrument: Instrument, scale_id: str | None) -> Scale:
    usable = [s for s in instrument.scales if s.change is not None]
    if not usable:
        raise FeedbackError(
            f"instrument: {instrument.id} has no scale with change parameters (direction and "
            "reliable change), so outcome scores cannot be simulated for it"
        )
    if scale_id is None:
        by_id = {s.id: s for s in usable}
        return by_id.get("total", usable[0])
    for s in usable:
        if s.id == scale_id:
            return s
    raise FeedbackError(
        f"scale: {scale_id!r} is not a scale of {instrument.id} with change parameters; "
        f"allowed: {[s.id for s in usable]}"
    )


def _check_mix(course_mix: Mapping[str, float] | None) -> FloatArray:
    mix = DEFAULT_COURSE_MIX if course_mix is None else course_mix
    unknown = [k for k in mix if k not in COURSES]
    if unknown:
        raise FeedbackError(f"course_mix: unknown course types {unknown}; allowed: {COURSES}")
    weights = np.array([float(mix.get(c, 0.0)) for c in COURSES])
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise FeedbackError("course_mix: proportions must be finite and non-negative")
    if abs(weights.sum() - 1.0) > 1e-6:
        raise FeedbackError(f"course_mix: proportions must sum to 1; they sum to {weights.sum()}")
    return weights


def _logistic(x: FloatArray) -> FloatArray:
    return 1.0 / (1.0 + np.exp(-x))


def simulate(
    n_clients: int,
    instrument: str = "phq9",
    *,
    seed: int = 0,
    n_sessions: int = 12,
    scale: str | None = None,
    alliance: str | None = "srs",
    course_mix: Mapping[str, float] | None = None,
    dropout: bool = True,
    id_prefix: str = "c",
) -> pd.DataFrame:
    """Simulate ``n_clients`` episodes of ``n_sessions`` scheduled sessions (see the module
    docstring for the model and its sources).

    ``instrument`` is the outcome measure (any instrument whose scale has change parameters;
    ``scale`` defaults to ``total``); ``alliance`` the alliance instrument (``srs``,
    ``wai-sr``, ... or None for none).  ``dropout=False`` keeps everyone to the planned end
    (missed sessions still happen).  The same arguments and ``seed`` give the same frame.
    """
    if isinstance(n_clients, bool) or not isinstance(n_clients, int) or n_clients < 1:
        raise FeedbackError(f"n_clients: {n_clients!r}; expected a whole number >= 1")
    if isinstance(n_sessions, bool) or not isinstance(n_sessions, int) or n_sessions < 2:
        raise FeedbackError(f"n_sessions: {n_sessions!r}; expected a whole number >= 2")
    outcome_inst = _lookup(instrument, "instrument")
    outcome = _outcome_scale(outcome_inst, scale)
    alliance_inst = None if alliance is None else _lookup(alliance, "alliance")
    if alliance_inst is not None and alliance_inst.kind != "alliance":
        raise FeedbackError(
            f"alliance: {alliance_inst.id} is {_article(alliance_inst.kind)} measure; expected an "
            "alliance instrument such as srs or wai-sr"
        )
    weights = _check_mix(course_mix)
    rng = np.random.default_rng(seed)
    n, n_s = n_clients, n_sessions
    sessions = np.arange(1, n_s + 1, dtype=np.float64)

    course = rng.choice(len(COURSES), size=n, p=weights)
    true_sev, grid, lower_better = _outcome_course(outcome_inst, outcome, course, sessions, rng)
    change = outcome.change
    assert change is not None
    sem = change.threshold / (1.96 * math.sqrt(2.0))
    observed_sev = true_sev + rng.normal(0.0, sem, size=true_sev.shape)

    latent, rupture_at, resolved, rupture_scale = _alliance_course(course, sessions, rng)
    engagement = rng.normal(0.0, 1.0, size=n)

    best = grid.low if lower_better else grid.high
    sign = 1.0 if lower_better else -1.0
    observed = grid.snap(best + sign * observed_sev)
    true_score = best + sign * true_sev
    alliance_scores = (
        None
        if alliance_inst is None
        else _alliance_scores(alliance_inst, latent, rupture_scale, rng)
    )

    attendance, answered, last_row, dropped, last_attended = _attendance(
        n_s,
        engagement,
        latent,
        observed_sev,
        change.threshold,
        dropout,
        rng,
    )
    status = attendance
    scored = (status == 0) & answered
    ids = np.array([f"{id_prefix}{i + 1:0{max(4, len(str(n)))}d}" for i in range(n)], dtype=object)
    frames = [
        _rows(
            ids,
            n_s,
            last_row,
            outcome_inst.id,
            outcome.id,
            np.where(scored, observed, np.nan),
            true_score,
            status,
            answered,
            outcome_inst.respondent,
        )
    ]
    if alliance_inst is not None and alliance_scores is not None:
        for scale_id, values in alliance_scores.items():
            frames.append(
                _rows(
                    ids,
                    n_s,
                    last_row,
                    alliance_inst.id,
                    scale_id,
                    np.where(scored, values, np.nan),
                    np.full((n, n_s), np.nan),
                    status,
                    answered,
                    alliance_inst.respondent,
                )
            )
    long = pd.concat(frames, ignore_index=True)
    rupture_session = pd.Series(rupture_at, dtype="float64").where(rupture_at > 0)
    per_client = pd.DataFrame(
        {
            "client_id": ids,
            "course": np.asarray(COURSES, dtype=object)[course],
            "dropped_out": dropped,
            "last_attended_session": last_attended,
            "rupture_session": rupture_session.astype("Int64"),
            "rupture_resolved": pd.Series(resolved).astype("boolean").where(rupture_at > 0),
        }
    )
    out = long.merge(per_client, on="client_id", how="left", validate="many_to_one")
    # Within a client and session: the outcome row first, then the alliance scales in order.
    out = out.sort_values(["client_id", "session"], kind="stable")
    columns = [
        "client_id",
        "session",
        "instrument",
        "scale",
        "respondent",
        "score",
        "attended",
        "attendance",
        "answered",
        "course",
        "dropped_out",
        "last_attended_session",
        "true_score",
        "rupture_session",
        "rupture_resolved",
    ]
    return out[columns].reset_index(drop=True)


def _outcome_course(
    inst: Instrument,
    scale: Scale,
    course: IntArray,
    sessions: FloatArray,
    rng: np.random.Generator,
) -> tuple[FloatArray, ScoreGrid, bool]:
    """True severity (0 = best) per client and session."""
    change = scale.change
    assert change is not None
    grid = score_grid(inst, scale)
    lower_better = change.direction == "lower-is-better"
    span = grid.high - grid.low
    best = grid.low if lower_better else grid.high
    cutoff = scale.clinical_cutoff
    centre = abs(cutoff.value - best) + 0.2 * span if cutoff is not None else 0.6 * span
    n = len(course)
    sev0 = np.clip(rng.normal(centre, 0.18 * span, size=n), 0.1 * span, span)
    log_dose = np.log(sessions) / math.log(REFERENCE_SESSION)
    linear_dose = (sessions - 1.0) / (REFERENCE_SESSION - 1.0)
    gain = np.select(
        [course == 0, course == 1, course == 2],
        [
            np.clip(rng.normal(0.7, 0.12, n), 0.3, 0.95),
            np.clip(rng.normal(0.55, 0.12, n), 0.2, 0.9),
            rng.normal(0.05, 0.08, n),
        ],
        default=0.0,
    )
    loss = np.clip(rng.normal(1.4, 0.3, n), 0.8, 2.5) * change.threshold
    dose = np.where((course == 1)[:, None], linear_dose[None, :], log_dose[None, :])
    improving = sev0[:, None] * (1.0 - np.clip(gain[:, None] * dose, None, 1.0))
    worsening = np.minimum(sev0[:, None] + loss[:, None] * log_dose[None, :], span)
    severity: FloatArray = np.where((course == 3)[:, None], worsening, improving)
    return np.clip(severity, 0.0, span), grid, lower_better


def _alliance_course(
    course: IntArray, sessions: FloatArray, rng: np.random.Generator
) -> tuple[FloatArray, IntArray, BoolArray, IntArray]:
    """Latent alliance z per client and session, and each client's rupture."""
    n, n_s = len(course), len(sessions)
    level = rng.normal(_ALLIANCE_LEVEL[course], 0.8)
    log_dose = np.log(sessions) / math.log(REFERENCE_SESSION)
    latent = level[:, None] + _ALLIANCE_TREND[course][:, None] * log_dose[None, :]
    latent = latent + rng.normal(0.0, 0.35, size=(n, n_s))
    has_rupture = rng.random(n) < _RUPTURE_PROBABILITY[course]
    last_possible = min(8, n_s)
    at = rng.integers(2, last_possible + 1, size=n) if last_possible >= 2 else np.zeros(n, int)
    at = np.where(has_rupture & (n_s >= 2), at, 0).astype(np.int64)
    resolved = (rng.random(n) < _RUPTURE_RESOLVED[course]) & (at > 0)
    depth = rng.uniform(1.0, 1.5, size=n)
    since = sessions[None, :] - at[:, None]
    decay = np.where(resolved[:, None], np.exp(-1.2 * np.maximum(since, 0.0)), 0.8)
    decay = np.where(since == 0, 1.0, decay)
    drop = np.where((at[:, None] > 0) & (since >= 0), depth[:, None] * decay, 0.0)
    where = rng.integers(0, len(_SUBSCALES), size=n).astype(np.int64)
    # Store the drop in a 3-D array (client, session, subscale) via the latent's last axis.
    latent3 = np.repeat(latent[:, :, None], len(_SUBSCALES), axis=2)
    share = np.where(np.arange(len(_SUBSCALES))[None, :] == where[:, None], 1.0, 0.3)
    latent3 = latent3 - drop[:, :, None] * share[:, None, :]
    return latent3, at, resolved.astype(np.bool_), where


def _alliance_scores(
    inst: Instrument,
    latent3: FloatArray,
    rupture_scale: IntArray,
    rng: np.random.Generator,
) -> dict[str, FloatArray]:
    """Scores per alliance scale; subscales goal/task/bond where the instrument has them."""
    centre, spread = _ALLIANCE_PLACEMENT.get(inst.id, _DEFAULT_PLACEMENT)
    subs = [s for s in inst.scales if s.id in _SUBSCALES]
    out: dict[str, FloatArray] = {}
    if len(subs) == len(_SUBSCALES):
        for k, name in enumerate(_SUBSCALES):
            sub = inst.scale_index[name]
            grid = score_grid(inst, sub)
            span = grid.high - grid.low
            own = rng.normal(0.0, 0.5, size=latent3.shape[:2])
            z = 0.85 * latent3[:, :, k] + own
            out[name] = grid.snap(grid.low + span * (centre + spread * z))
        parts = sum(out[name] for name in _SUBSCALES)
        for s in inst.scales:
            if s.id not in _SUBSCALES:
                out[s.id] = score_grid(inst, s).snap(np.asarray(parts, dtype=np.float64))
        return out
    # One global score: the rupture counts in full (mean over the subscale columns would
    # dilute it, so take the column of the subscale it fell on).
    z = np.take_along_axis(latent3, rupture_scale[:, None, None], axis=2)[:, :, 0]
    for s in inst.scales:
        grid = score_grid(inst, s)
        span = grid.high - grid.low
        out[s.id] = grid.snap(grid.low + span * (centre + spread * z))
    return out


def _attendance(
    n_s: int,
    engagement: FloatArray,
    latent3: FloatArray,
    observed_sev: FloatArray,
    reliable_change: float,
    dropout: bool,
    rng: np.random.Generator,
) -> tuple[IntArray, BoolArray, IntArray, BoolArray, IntArray]:
    """Attendance code per session (index into ATTENDANCE), answered flags, the last row
    (session) each client has, drop-out flags and the last attended session."""
    n = len(engagement)
    alliance = latent3.mean(axis=2)
    p_miss = _logistic(-2.7 + 0.6 * engagement)
    miss = rng.random((n, n_s)) < p_miss[:, None]
    miss[:, 0] = False  # the intake session is where the episode starts
    kind = rng.choice([1, 2, 3], size=(n, n_s), p=[0.40, 0.25, 0.35])
    status = np.where(miss, kind, 0).astype(np.int64)
    p_unanswered = _logistic(-3.2 + 0.5 * engagement)
    answered = rng.random((n, n_s)) >= p_unanswered[:, None]
    answered[:, 0] = True
    answered &= status == 0
    low_cut = float(np.quantile(alliance[:, 0], 0.25))
    draws = rng.random((n, n_s))
    active = np.ones(n, dtype=np.bool_)
    last_row = np.full(n, n_s, dtype=np.int64)
    dropped = np.zeros(n, dtype=np.bool_)
    last_seen_alliance = alliance[:, 0].copy()
    previous_alliance = alliance[:, 0].copy()
    intake = observed_sev[:, 0]
    for s in range(n_s - 1):  # decide after session s+1 (index s) whether they come back
        here = status[:, s] == 0
        seen = here & answered[:, s]
        previous_alliance = np.where(seen, last_seen_alliance, previous_alliance)
        last_seen_alliance = np.where(seen, alliance[:, s], last_seen_alliance)
        if not dropout:
            continue
        session = s + 1
        low = last_seen_alliance < low_cut
        falling = (last_seen_alliance - previous_alliance) <= -0.5
        improvement = intake - observed_sev[:, s]
        no_change = (session >= 3) & (improvement < 0.5 * reliable_change)
        missed_last = (status[:, s - 1] != 0) if s >= 1 else np.zeros(n, dtype=np.bool_)
        base = -4.3 if session <= 5 else -5.3
        eta = (
            base
            + 0.5 * engagement
            + 0.9 * low
            + 0.8 * falling
            + 0.9 * no_change
            + 0.7 * missed_last
        )
        leaves = active & here & (draws[:, s] < _logistic(eta))
        # They do not come to the next scheduled session and the episode ends there.
        last_row = np.where(leaves, s + 2, last_row)
        dropped |= leaves
        active &= ~leaves
    rows = np.arange(1, n_s + 1)[None, :]
    final = rows == last_row[:, None]
    status = np.where(final & dropped[:, None], 3, status)
    answered &= ~(final & dropped[:, None])
    attended_rows = np.where((status == 0) & (rows <= last_row[:, None]), rows, 0)
    last_attended = attended_rows.max(axis=1).astype(np.int64)
    return status, answered, last_row, dropped, last_attended


def _rows(
    ids: npt.NDArray[np.object_],
    n_s: int,
    last_row: IntArray,
    instrument: str,
    scale: str,
    scores: FloatArray,
    true_scores: FloatArray,
    status: IntArray,
    answered: BoolArray,
    respondent: str,
) -> pd.DataFrame:
    keep = np.arange(1, n_s + 1)[None, :] <= last_row[:, None]
    client_index, session_index = np.nonzero(keep)
    codes = status[client_index, session_index]
    return pd.DataFrame(
        {
            "client_id": ids[client_index],
            "session": (session_index + 1).astype(np.int64),
            "instrument": instrument,
            "scale": scale,
            "respondent": respondent,
            "score": scores[client_index, session_index],
            "true_score": true_scores[client_index, session_index],
            "attended": codes == 0,
            "attendance": np.asarray(ATTENDANCE, dtype=object)[codes],
            "answered": answered[client_index, session_index],
        }
    )
