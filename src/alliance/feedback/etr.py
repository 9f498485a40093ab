"""Expected treatment response (ETR) and the not-on-track signal.

An ETR model says, for a client who started with intake score ``x``, what score is expected
at session ``s`` and where the warning boundary lies: the score that only a stated share of
comparable clients (default 10%) did worse than.  A client whose latest score is worse than the
boundary is ``not_on_track``.  The idea is Lambert's: expected recovery curves conditional on
intake severity, fitted to a large reference set of episodes, with a tolerance boundary that
flags clients at risk of a poor outcome (Finch, Lambert & Schaalje 2001, "Psychotherapy quality
control: the statistical generation of expected recovery curves for integration into an early
warning system", Clin Psychol Psychother 8:231-242: OQ-45 scores of 11,492 patients modelled
with a mixed linear model on log(session) by intake severity, tolerance intervals around the
expected curve).  Here the curves are fitted in the open on the practice's own completed
episodes (or an imported reference set) and saved as auditable JSON.

Method: linear quantile regression (Koenker & Bassett 1978, Econometrica 46:33-50) with
statsmodels' ``QuantReg``.  For every score at a session s >= 2 of a reference episode with
intake score x (the score at the episode's first scored session) the model is

    Q_tau(score | x, s) = b0 + b1 x + b2 L + b3 x L + b4 L^2 + b5 x L^2,   L = log(s),

fitted once at tau = 0.5 (the expected score: the median of comparable clients) and once at
the boundary quantile (tau = percentile / 100 when lower scores are better, 1 - percentile /
100 when higher scores are better; default percentile 90).  Why this method:

- Log(session) terms smooth across sessions with the negatively accelerated shape of the
  dose-effect curve (Howard, Kopta, Krause & Orlinsky 1986; Finch et al. 2001); the quadratic
  term lets the curve flatten, the products with x let clients with more severe intakes
  change more, as they do.
- The boundary is itself a conditional quantile, so "about 10% of ordinary clients are
  flagged at any session" holds by construction at every session and intake, without the
  mixed model's assumption that residuals are normal with the same spread at every session
  (in practice their spread widens as clients diverge).  Pooling all sessions of a client
  leaves the point estimates consistent (each is a quantile of scores at a session given
  intake); only standard errors would need clustering, and none are used.
- Quantile regression is robust to the outliers and floor effects of symptom scales.

Extrapolation rules (stated in the saved model): sessions after the last session the reference
data cover use that session's curve (no extrapolation in time); expected and boundary scores
are clipped to the scale's range; the boundary is never on the better side of the expected
score (quantile crossing is resolved in favour of the expected score).

Validation (tests/feedback/test_etr.py): statsmodels' QuantReg reaches the exact optimum of
the quantile-regression linear programme (scipy HiGHS) on this design; on held-out simulated
clients (``alliance.feedback.simulator``) about 10% of scores lie beyond the 90th percentile
boundary at every session 2-12 and half are worse than expected; the session-4 signal flags
most clients (at PHQ-9 caseness) who end reliably deteriorated (78%) and 1% of those who end
reliably improved.  A percentile boundary flags about 10% of ordinary clients by design, so
when a third or more of clients end without reliable improvement (as in routine care: 37% of
the simulated cases) it can flag at most about a quarter of them (it flags 23%).  The 75th
percentile is the sensitive setting: it flags most clients who end unchanged or deteriorated
(52%; 97% of the deteriorated) and 8% of those who end reliably improved.

Status of one client (``status``) at their latest scored session: ``insufficient_data`` with
fewer than two scores (the intake alone says nothing about progress); otherwise
``not_on_track`` when the latest score is worse than the boundary (above it when lower is
better), else ``on_track``.  The percentage of expected change reached is
100 * (score - intake) / (expected - intake) (None when no change is expected).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import statsmodels  # type: ignore[import-untyped]
from statsmodels.regression.quantile_regression import QuantReg  # type: ignore[import-untyped]
from statsmodels.tools.sm_exceptions import (  # type: ignore[import-untyped]
    ConvergenceWarning,
    IterationLimitWarning,
)

from alliance.measures import Instrument, Scale
from alliance.measures.errors import MeasureError
from alliance.measures.registry import get_instrument

from .errors import FeedbackError
from .simulator import score_grid

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Direction = Literal["lower-is-better", "higher-is-better"]
Status = Literal["on_track", "not_on_track", "insufficient_data"]

FORMAT = "alliance-etr-model"
FORMAT_VERSION = 1
TERMS: tuple[str, ...] = (
    "1",
    "intake",
    "log_session",
    "intake:log_session",
    "log_session^2",
    "intake:log_session^2",
)
METHOD = (
    "linear quantile regression (statsmodels QuantReg) of the score at sessions >= 2 on the "
    "intake score, log(session), log(session)^2 and their products with the intake score; "
    "expected = median (quantile 0.5), boundary = the worse-side quantile at the stated "
    "percentile"
)


@dataclass(frozen=True)
class FitSummary:
    """What the model was fitted on, for audit."""

    n_episodes: int
    n_scores: int
    scores_per_session: tuple[tuple[int, int], ...]
    intake_min: float
    intake_max: float
    intake_mean: float
    intake_sd: float
    fit_date: str
    software: str


@dataclass(frozen=True)
class EtrModel:
    """A fitted expected-treatment-response model (see the module docstring)."""

    instrument: str
    scale: str
    direction: Direction
    percentile: float
    expected_coefficients: tuple[float, ...]
    boundary_coefficients: tuple[float, ...]
    first_session: int
    last_session: int
    score_low: float
    score_high: float
    fitted_on: FitSummary

    @property
    def boundary_quantile(self) -> float:
        p = self.percentile / 100.0
        return p if self.direction == "lower-is-better" else 1.0 - p

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower-is-better"

    def predict(
        self, intake: npt.ArrayLike, session: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """Expected score and warning boundary for intake scores and sessions (broadcast)."""
        x = np.asarray(intake, dtype=np.float64)
        s = np.clip(np.asarray(session, dtype=np.float64), self.first_session, self.last_session)
        x, s = np.broadcast_arrays(x, s)
        design = design_matrix(x.ravel(), s.ravel())
        expected = design @ np.asarray(self.expected_coefficients)
        boundary = design @ np.asarray(self.boundary_coefficients)
        expected = np.clip(expected, self.score_low, self.score_high)
        boundary = np.clip(boundary, self.score_low, self.score_high)
        boundary = (
            np.maximum(boundary, expected)
            if self.lower_is_better
            else np.minimum(boundary, expected)
        )
        return expected.reshape(x.shape), boundary.reshape(x.shape)

    def to_json_dict(self) -> dict[str, Any]:
        f = self.fitted_on
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "instrument": self.instrument,
            "scale": self.scale,
            "direction": self.direction,
            "method": METHOD,
            "terms": list(TERMS),
            "expected": {
                "quantile": 0.5,
                "coefficients": dict(zip(TERMS, self.expected_coefficients, strict=True)),
            },
            "boundary": {
                "percentile": self.percentile,
                "quantile": self.boundary_quantile,
                "coefficients": dict(zip(TERMS, self.boundary_coefficients, strict=True)),
            },
            "sessions": {"first": self.first_session, "last": self.last_session},
            "score_range": [self.score_low, self.score_high],
            "rules": [
                "the intake score is the score at the episode's first scored session",
                "sessions after the last covered session use that session's curve",
                "expected and boundary scores are clipped to the score range",
                "the boundary is never on the better side of the expected score",
            ],
            "fitted_on": {
                "n_episodes": f.n_episodes,
                "n_scores": f.n_scores,
                "scores_per_session": {str(s): n for s, n in f.scores_per_session},
                "intake": {
                    "min": f.intake_min,
                    "max": f.intake_max,
                    "mean": f.intake_mean,
                    "sd": f.intake_sd,
                },
                "fit_date": f.fit_date,
                "software": f.software,
            },
        }

    @classmethod
    def from_json_dict(cls, data: Any, origin: str = "model") -> EtrModel:
        """Rebuild a model from ``to_json_dict`` output; FeedbackError names a bad field."""
        reader = _Fields(data, origin)
        if reader.text("format") != FORMAT:
            raise FeedbackError(f"{origin}: field format is not {FORMAT!r}")
        if reader.integer("version") != FORMAT_VERSION:
            raise FeedbackError(f"{origin}: field version: expected {FORMAT_VERSION}")
        text = reader.text("direction")
        direction: Direction
        if text == "lower-is-better":
            direction = "lower-is-better"
        elif text == "higher-is-better":
            direction = "higher-is-better"
        else:
            raise FeedbackError(
                f"{origin}: field direction: {text!r}; expected lower-is-better or higher-is-better"
            )
        terms = reader.get("terms")
        if terms != list(TERMS):
            raise FeedbackError(f"{origin}: field terms: expected {list(TERMS)}")
        percentile = reader.number("boundary.percentile")
        if not 50.0 < percentile < 100.0:
            raise FeedbackError(f"{origin}: field boundary.percentile: expected 50 < p < 100")
        expected = tuple(reader.number(f"expected.coefficients.{t}") for t in TERMS)
        boundary = tuple(reader.number(f"boundary.coefficients.{t}") for t in TERMS)
        first = reader.integer("sessions.first")
        last = reader.integer("sessions.last")
        if not 2 <= first <= last:
            raise FeedbackError(f"{origin}: field sessions: expected 2 <= first <= last")
        score_range = reader.get("score_range")
        if (
            not isinstance(score_range, list)
            or len(score_range) != 2
            or not all(_is_number(v) for v in score_range)
            or not score_range[0] < score_range[1]
        ):
            raise FeedbackError(f"{origin}: field score_range: expected [low, high]")
        per_session = reader.get("fitted_on.scores_per_session")
        if not isinstance(per_session, dict):
            raise FeedbackError(f"{origin}: field fitted_on.scores_per_session: expected a mapping")
        try:
            counts = tuple(sorted((int(k), int(v)) for k, v in per_session.items()))
        except (TypeError, ValueError):
            raise FeedbackError(
                f"{origin}: field fitted_on.scores_per_session: expected session: count pairs"
            ) from None
        summary = FitSummary(
            n_episodes=reader.integer("fitted_on.n_episodes"),
            n_scores=reader.integer("fitted_on.n_scores"),
            scores_per_session=counts,
            intake_min=reader.number("fitted_on.intake.min"),
            intake_max=reader.number("fitted_on.intake.max"),
            intake_mean=reader.number("fitted_on.intake.mean"),
            intake_sd=reader.number("fitted_on.intake.sd"),
            fit_date=reader.text("fitted_on.fit_date"),
            software=reader.text("fitted_on.software"),
        )
        return cls(
            instrument=reader.text("instrument"),
            scale=reader.text("scale"),
            direction=direction,
            percentile=percentile,
            expected_coefficients=expected,
            boundary_coefficients=boundary,
            first_session=first,
            last_session=last,
            score_low=float(score_range[0]),
            score_high=float(score_range[1]),
            fitted_on=summary,
        )


@dataclass(frozen=True)
class EtrStatus:
    """One client's progress against the expected trajectory at their latest scored session."""

    status: Status
    session: int | None
    score: float | None
    intake: float | None
    expected: float | None
    boundary: float | None
    percent_expected_change: float | None


# -- helpers -------------------------------------------------------------------------------


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


class _Fields:
    """Dotted-path access into parsed JSON with errors naming the field."""

    def __init__(self, data: Any, origin: str) -> None:
        if not isinstance(data, dict):
            raise FeedbackError(f"{origin}: expected a JSON object at the top level")
        self.data = data
        self.origin = origin

    def get(self, path: str) -> Any:
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise FeedbackError(f"{self.origin}: lacks field {path}")
            node = node[part]
        return node

    def number(self, path: str) -> float:
        value = self.get(path)
        if not _is_number(value):
            raise FeedbackError(f"{self.origin}: field {path}: {value!r}; expected a number")
        return float(value)

    def integer(self, path: str) -> int:
        value = self.get(path)
        if not isinstance(value, int) or isinstance(value, bool):
            raise FeedbackError(f"{self.origin}: field {path}: {value!r}; expected an integer")
        return value

    def text(self, path: str) -> str:
        value = self.get(path)
        if not isinstance(value, str) or not value:
            raise FeedbackError(f"{self.origin}: field {path}: {value!r}; expected text")
        return value


def _cell(value: object) -> str:
    """A cell as an error message shows it: numbers plainly, text quoted."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return f"{float(value):g}"
    return repr(value)


def design_matrix(intake: FloatArray, session: FloatArray) -> FloatArray:
    """Columns in the order of ``TERMS``."""
    log_s = np.log(session)
    return np.column_stack(
        [
            np.ones_like(log_s),
            intake,
            log_s,
            intake * log_s,
            log_s**2,
            intake * log_s**2,
        ]
    )


def _scale_of(instrument: str, scale: str) -> tuple[Instrument, Scale]:
    try:
        inst = get_instrument(instrument)
    except MeasureError as exc:
        raise FeedbackError(f"instrument: {exc}") from None
    found = inst.scale_index.get(scale)
    if found is None:
        raise FeedbackError(
            f"scale: {scale!r} is not a scale of {inst.id}; allowed: {list(inst.scale_index)}"
        )
    if found.change is None:
        raise FeedbackError(
            f"instrument: {inst.id} scale {scale} has no change direction in its definition; "
            "expected treatment response needs an outcome scale with change parameters"
        )
    return inst, found


@dataclass(frozen=True)
class Episodes:
    """Validated scores sorted by client and session, missing scores dropped."""

    client: IntArray  # code per row, 0..n_clients-1 in order of first appearance sorted
    labels: npt.NDArray[np.object_]  # client id per code
    session: IntArray
    score: FloatArray


def read_episodes(
    frame: pd.DataFrame,
    *,
    client_col: str,
    session_col: str,
    score_col: str,
    low: float,
    high: float,
    what: str = "input",
) -> Episodes:
    """Check columns and values (errors name the 1-based row and the column); drop rows with
    no score (missed sessions); sort by client and session."""
    if not isinstance(frame, pd.DataFrame):
        raise FeedbackError(f"{what}: expected a pandas DataFrame")
    lacking = [c for c in (client_col, session_col, score_col) if c not in frame.columns]
    if lacking:
        raise FeedbackError(f"{what}: lacks columns {lacking}; it has {list(frame.columns)}")
    clients = frame[client_col]
    bad = clients.isna().to_numpy() | (clients.astype(str).str.strip() == "").to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        raise FeedbackError(f"{what}: row {row}, column {client_col}: empty; expected an id")
    sessions = pd.to_numeric(frame[session_col], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(sessions) | (sessions < 1) | (sessions != np.floor(sessions))
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        raise FeedbackError(
            f"{what}: row {row}, column {session_col}: {_cell(frame[session_col].iloc[row - 1])}; "
            "expected a whole number >= 1"
        )
    raw = frame[score_col]
    scores = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    bad = np.isnan(scores) & raw.notna().to_numpy() & (raw.astype(str).str.strip() != "")
    bad |= np.isinf(scores)
    bad |= ~np.isnan(scores) & ((scores < low - 1e-9) | (scores > high + 1e-9))
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        raise FeedbackError(
            f"{what}: row {row}, column {score_col}: {_cell(raw.iloc[row - 1])}; expected a number "
            f"from {low:g} to {high:g} or empty"
        )
    labels_all = clients.astype(str).str.strip().to_numpy(dtype=object)
    keep = ~np.isnan(scores)
    positions = np.flatnonzero(keep)
    codes, labels = pd.factorize(pd.Series(labels_all[keep]), sort=True)
    session_kept = sessions[keep].astype(np.int64)
    order = np.lexsort((session_kept, codes))
    codes_sorted = codes[order].astype(np.int64)
    session_sorted = session_kept[order]
    repeat = (np.diff(codes_sorted) == 0) & (np.diff(session_sorted) == 0)
    if repeat.any():
        second = int(positions[order][int(np.flatnonzero(repeat)[0]) + 1]) + 1
        raise FeedbackError(
            f"{what}: row {second}, column {session_col}: client "
            f"{labels_all[second - 1]!r} already has a score at session "
            f"{int(sessions[second - 1])}; expected one score per client and session"
        )
    return Episodes(
        client=codes_sorted,
        labels=np.asarray(labels, dtype=object),
        session=session_sorted,
        score=scores[keep][order],
    )


def _first_and_last(episodes: Episodes) -> tuple[IntArray, IntArray, IntArray]:
    """Index of each client's first and last row, and their number of scores."""
    n = len(episodes.labels)
    counts = np.bincount(episodes.client, minlength=n).astype(np.int64)
    ends = np.cumsum(counts)
    starts = ends - counts
    return starts, ends - 1, counts


# -- fitting -------------------------------------------------------------------------------


def fit(
    frame: pd.DataFrame,
    instrument: str = "phq9",
    *,
    scale: str = "total",
    percentile: float = 90.0,
    client_col: str = "client_id",
    session_col: str = "session",
    score_col: str = "score",
    min_scores_per_session: int = 10,
    fit_date: _dt.date | None = None,
    source: str = "reference data",
) -> EtrModel:
    """Fit an ETR model on reference episodes (long: one row per client and session).

    ``percentile`` (50 < p < 100) is the percentile of worse-than-expected progress that
    marks the boundary (90: about 10% of reference clients lie beyond it at any session).
    Sessions are covered from 2 up to the last session before the first one with fewer than
    ``min_scores_per_session`` scores; later scores are left out of the fit.  ``source``
    names the data in error messages (e.g. the file name).
    """
    inst, sc = _scale_of(instrument, scale)
    change = sc.change
    assert change is not None
    direction: Direction = (
        "lower-is-better" if change.direction == "lower-is-better" else "higher-is-better"
    )
    if not (isinstance(percentile, int | float) and 50.0 < float(percentile) < 100.0):
        raise FeedbackError(f"percentile: {percentile!r}; expected a number above 50, below 100")
    if (
        isinstance(min_scores_per_session, bool)
        or not isinstance(min_scores_per_session, int)
        or min_scores_per_session < 1
    ):
        raise FeedbackError(
            f"min_scores_per_session: {min_scores_per_session!r}; expected a whole number >= 1"
        )
    grid = score_grid(inst, sc)
    episodes = read_episodes(
        frame,
        client_col=client_col,
        session_col=session_col,
        score_col=score_col,
        low=grid.low,
        high=grid.high,
        what=source,
    )
    starts, _, _ = _first_and_last(episodes)
    intake_by_client = episodes.score[starts]
    intake_session = episodes.session[starts]
    intake = intake_by_client[episodes.client]
    later = episodes.session > intake_session[episodes.client]
    sessions_later = episodes.session[later]
    if sessions_later.size == 0:
        raise FeedbackError(
            f"{source}: no episode has a score after its intake; expected episodes with "
            "at least two scored sessions"
        )
    per_session = np.bincount(sessions_later)
    last = 1
    for s in range(2, len(per_session)):
        if per_session[s] < min_scores_per_session:
            break
        last = s
    if last < 2:
        raise FeedbackError(
            f"{source}: session 2 has {int(per_session[2]) if len(per_session) > 2 else 0}"
            f" scores after intake; expected at least min_scores_per_session="
            f"{min_scores_per_session} at each covered session"
        )
    use = later & (episodes.session <= last)
    used_clients = np.unique(episodes.client[use])
    n_episodes = int(used_clients.size)
    if n_episodes < 10:
        raise FeedbackError(
            f"{source}: {n_episodes} episodes with scores after intake; expected at least 10"
        )
    x = design_matrix(intake[use], episodes.session[use].astype(np.float64))
    y = episodes.score[use]
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise FeedbackError(
            f"{source}: intake scores or sessions do not vary enough to fit the model "
            "(needs different intake scores and at least three different sessions)"
        )
    tau = float(percentile) / 100.0
    boundary_q = tau if direction == "lower-is-better" else 1.0 - tau
    expected_coef = _quantreg(y, x, 0.5)
    boundary_coef = _quantreg(y, x, boundary_q)
    fitted_intakes = intake_by_client[used_clients]
    summary = FitSummary(
        n_episodes=n_episodes,
        n_scores=int(use.sum()),
        scores_per_session=tuple((s, int(per_session[s])) for s in range(2, last + 1)),
        intake_min=float(fitted_intakes.min()),
        intake_max=float(fitted_intakes.max()),
        intake_mean=float(fitted_intakes.mean()),
        intake_sd=float(fitted_intakes.std(ddof=1)) if n_episodes > 1 else 0.0,
        fit_date=(fit_date or _dt.date.today()).isoformat(),
        software=f"statsmodels {statsmodels.__version__}",
    )
    return EtrModel(
        instrument=inst.id,
        scale=sc.id,
        direction=direction,
        percentile=float(percentile),
        expected_coefficients=expected_coef,
        boundary_coefficients=boundary_coef,
        first_session=2,
        last_session=int(last),
        score_low=grid.low,
        score_high=grid.high,
        fitted_on=summary,
    )


def _quantreg(y: FloatArray, x: FloatArray, q: float) -> tuple[float, ...]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IterationLimitWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        result = QuantReg(y, x).fit(q=q, vcov="iid", max_iter=5000, p_tol=1e-8)
    params = np.asarray(result.params, dtype=np.float64)
    return tuple(float(v) for v in params)


def check_loss(y: FloatArray, fitted: FloatArray, q: float) -> float:
    """Koenker's check (pinball) loss sum(rho_q(y - fitted)), the quantity quantile
    regression minimises: rho_q(u) = u (q - [u < 0])."""
    u = y - fitted
    return float(np.sum(u * (q - (u < 0))))


# -- saving and loading --------------------------------------------------------------------


def save_model(model: EtrModel, path: Path | str) -> None:
    """Write the model as JSON (written to a temporary file first, then renamed)."""
    target = Path(path)
    temp = target.with_name(target.name + ".tmp")
    temp.write_text(json.dumps(model.to_json_dict(), indent=2) + "\n", encoding="utf-8")
    temp.replace(target)


def load_model(path: Path | str) -> EtrModel:
    """Read a model saved with ``save_model``; FeedbackError names the file and field."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FeedbackError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedbackError(f"{source.name}: not a readable JSON model ({exc})") from None
    return EtrModel.from_json_dict(data, origin=source.name)


# -- status --------------------------------------------------------------------------------


def _status_arrays(
    model: EtrModel,
    intake: FloatArray,
    session: FloatArray,
    score: FloatArray,
    n_scores: IntArray,
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.object_]]:
    enough = n_scores >= 2
    expected, boundary = model.predict(intake, session)
    worse = score > boundary if model.lower_is_better else score < boundary
    status = np.where(~enough, "insufficient_data", np.where(worse, "not_on_track", "on_track"))
    expected = np.where(enough, expected, np.nan)
    boundary = np.where(enough, boundary, np.nan)
    wanted = expected - intake
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(
            enough & (np.abs(wanted) > 1e-9), 100.0 * (score - intake) / wanted, np.nan
        )
    return expected, boundary, percent, status.astype(object)


def _optional(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def status(
    model: EtrModel, sessions: Sequence[int] | npt.ArrayLike, scores: npt.ArrayLike
) -> EtrStatus:
    """Status of one client from their history (sessions and scores; NaN/None = no score)."""
    frame = pd.DataFrame(
        {
            "client_id": "client",
            "session": np.asarray(sessions, dtype=object),
            "score": np.asarray(scores, dtype=object),
        }
    )
    if len(frame) == 0:
        return EtrStatus("insufficient_data", None, None, None, None, None, None)
    table = status_frame(model, frame)
    if len(table) == 0:
        return EtrStatus("insufficient_data", None, None, None, None, None, None)
    row = table.iloc[0]
    return EtrStatus(
        status=row["status"],
        session=int(row["session"]),
        score=float(row["score"]),
        intake=float(row["intake"]),
        expected=_optional(float(row["expected"])),
        boundary=_optional(float(row["boundary"])),
        percent_expected_change=_optional(float(row["percent_expected_change"])),
    )


def status_frame(
    model: EtrModel,
    frame: pd.DataFrame,
    *,
    client_col: str = "client_id",
    session_col: str = "session",
    score_col: str = "score",
    source: str = "input",
) -> pd.DataFrame:
    """Status of every client in a long frame at their latest scored session.

    Returns one row per client with a score (sorted by client id): ``client_id``,
    ``session``, ``score``, ``intake``, ``expected``, ``boundary``,
    ``percent_expected_change`` (NaN where undefined) and ``status``.
    """
    episodes = read_episodes(
        frame,
        client_col=client_col,
        session_col=session_col,
        score_col=score_col,
        low=model.score_low,
        high=model.score_high,
        what=source,
    )
    starts, lasts, counts = _first_and_last(episodes)
    intake = episodes.score[starts]
    session = episodes.session[lasts].astype(np.float64)
    score = episodes.score[lasts]
    expected, boundary, percent, labels = _status_arrays(model, intake, session, score, counts)
    return pd.DataFrame(
        {
            "client_id": episodes.labels,
            "session": episodes.session[lasts],
            "score": score,
            "intake": intake,
            "expected": expected,
            "boundary": boundary,
            "percent_expected_change": percent,
            "status": labels,
        }
    )


def trajectory(
    model: EtrModel, intake: float, sessions: Sequence[int] | None = None
) -> pd.DataFrame:
    """Expected score and boundary per session for one intake score (for charts: the
    expected trajectory with the warning boundary as a band).  Session 1 is the intake."""
    if not _is_number(intake):
        raise FeedbackError(f"intake: {intake!r}; expected a number")
    wanted = (
        np.arange(1, model.last_session + 1, dtype=np.int64)
        if sessions is None
        else np.asarray(sessions, dtype=np.int64)
    )
    if wanted.size and wanted.min() < 1:
        raise FeedbackError("sessions: expected whole numbers >= 1")
    expected, boundary = model.predict(float(intake), wanted.astype(np.float64))
    at_intake = wanted == 1
    return pd.DataFrame(
        {
            "session": wanted,
            "expected": np.where(at_intake, float(intake), expected),
            "boundary": np.where(at_intake, float(intake), boundary),
        }
    )
