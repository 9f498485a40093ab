"""NHS Talking Therapies outcome metrics for PHQ-9 + GAD-7 episodes.

Definitions follow the NHS Talking Therapies for anxiety and depression manual (NHS England,
version 7, 2024; the outcome definitions are those used in the NHS Digital statistics on
recovery, reliable improvement and reliable deterioration):

- A session *counts* when both the PHQ-9 and the GAD-7 were scored there and, where attendance
  is recorded, it was attended.
- An episode is *paired* (a finished course of treatment) when it has at least two counted
  sessions; its first and last counted sessions (by session number) are compared.
- *Caseness*: PHQ-9 >= 10 or GAD-7 >= 8 (the instruments' clinical cut-offs).
- *Recovery*: a case at the first counted session and a case on neither measure at the last.
- *Reliable improvement*: a decrease of at least the reliable change (PHQ-9 6, GAD-7 4) on at
  least one measure and no reliable increase on the other.  *Reliable deterioration*: a
  reliable increase on at least one measure and no reliable decrease on the other (a reliable
  decrease on one and a reliable increase on the other is neither).
- *Reliable recovery*: recovery and reliable improvement.

Per-client flags are missing (``<NA>``, JSON ``null``) where they are not defined: every flag
but ``paired`` for unpaired clients, and recovery and reliable recovery for clients who were
not a case at the start.  Practice-level rates: recovery and reliable recovery over paired
clients who were a case at the start; reliable improvement and reliable deterioration over all
paired clients.

The thresholds are read from the instrument definitions (``clinical_cutoff`` and
``change.reliable_change`` of the ``total`` scale of ``phq9`` and ``gad7``), not written here.
The manual's replacement of the GAD-7 by an anxiety-disorder-specific measure for some
diagnoses is out of scope: both measures here are always the PHQ-9 and the GAD-7.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import FeedbackError
from .io import convert_column

INSTRUMENTS = ("phq9", "gad7")
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class TalkingTherapiesThresholds:
    """Caseness (a score at or above the cut-off is a case) and reliable change (a change of
    at least this many points is reliable), plus the valid score ranges."""

    phq9_case: float
    gad7_case: float
    phq9_reliable: float
    gad7_reliable: float
    phq9_range: tuple[float, float] = (0.0, 27.0)
    gad7_range: tuple[float, float] = (0.0, 21.0)

    @classmethod
    def from_definitions(cls) -> TalkingTherapiesThresholds:
        """Read the thresholds from the PHQ-9 and GAD-7 instrument definitions."""
        from alliance.measures import get_instrument

        values: dict[str, Any] = {}
        for instrument_id in INSTRUMENTS:
            instrument = get_instrument(instrument_id)
            scale = instrument.scale_index["total"]
            if scale.clinical_cutoff is None or scale.change is None:
                raise FeedbackError(
                    f"instrument {instrument_id}: the definition lacks clinical_cutoff or change"
                )
            if scale.change.direction != "lower-is-better":
                raise FeedbackError(f"instrument {instrument_id}: expected lower-is-better")
            values[f"{instrument_id}_case"] = scale.clinical_cutoff.value
            values[f"{instrument_id}_reliable"] = scale.change.threshold
            values[f"{instrument_id}_range"] = instrument.raw_range(scale)
        return cls(**values)


@dataclass(frozen=True)
class OutcomeSummary:
    """Practice-level counts and rates (rates are fractions, ``None`` without a denominator)."""

    clients: int
    finished: int
    cases: int
    recovered: int
    reliable_improvement: int
    reliable_deterioration: int
    reliable_recovery: int
    recovery_rate: float | None
    reliable_improvement_rate: float | None
    reliable_recovery_rate: float | None
    reliable_deterioration_rate: float | None


@dataclass(frozen=True, eq=False)
class TalkingTherapiesResult:
    """``clients``: one row per client (in order of first appearance) with columns
    ``client_id``, ``counted_sessions``, ``first_session``, ``last_session``, ``phq9_first``,
    ``gad7_first``, ``phq9_last``, ``gad7_last``, ``paired``, ``case_at_start``,
    ``recovered``, ``reliable_improvement``, ``reliable_deterioration``, ``reliable_recovery``
    (flags are nullable booleans)."""

    clients: pd.DataFrame
    summary: OutcomeSummary

    def to_json_dict(self) -> dict[str, Any]:
        """The ``alliance outcomes --format json`` contract."""
        flags = (
            "paired",
            "case_at_start",
            "recovered",
            "reliable_improvement",
            "reliable_deterioration",
            "reliable_recovery",
        )
        clients = [
            {"client_id": _plain(row["client_id"])}
            | {flag: None if pd.isna(row[flag]) else bool(row[flag]) for flag in flags}
            for row in self.clients.to_dict("records")
        ]
        s = self.summary
        return {
            "clients": clients,
            "summary": {
                "finished": s.finished,
                "cases": s.cases,
                "recovery_rate": s.recovery_rate,
                "reliable_improvement_rate": s.reliable_improvement_rate,
                "reliable_recovery_rate": s.reliable_recovery_rate,
                "reliable_deterioration_rate": s.reliable_deterioration_rate,
            },
        }


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def talking_therapies_outcomes(
    data: pd.DataFrame,
    *,
    client_col: str = "client_id",
    session_col: str = "session",
    instrument_col: str = "instrument",
    score_col: str = "score",
    attended_col: str | None = None,
    thresholds: TalkingTherapiesThresholds | None = None,
    source: str = "data",
) -> TalkingTherapiesResult:
    """Per-client NHS Talking Therapies flags and practice rates (see the module docstring).

    ``data`` is long: one row per client, session and instrument (``phq9`` or ``gad7``) with
    the total score (missing = not scored).  ``attended_col`` optionally names a boolean
    column (missing = unknown, which counts as attended).  Raises FeedbackError naming the row
    (1-based data row) and column of the first bad cell, prefixed with ``source``: an unknown
    instrument, a score outside the instrument's range, a missing session number, a repeated
    client/session/instrument row, or contradictory attendance within one session.
    """
    limits = thresholds if thresholds is not None else TalkingTherapiesThresholds.from_definitions()
    wanted = [client_col, session_col, instrument_col, score_col]
    if attended_col is not None:
        wanted.append(attended_col)
    lacking = [c for c in dict.fromkeys(wanted) if c not in data.columns]
    if lacking:
        raise FeedbackError(f"{source}: lacks columns {lacking}; it has {list(data.columns)}")

    clients = data[client_col]
    _refuse_first(source, clients.isna().to_numpy(), client_col, "empty; expected a client id")
    session = _numeric(data, session_col, source)
    _refuse_first(source, np.isnan(session), session_col, "empty; expected a session number")
    instrument = (
        data[instrument_col]
        .astype(object)
        .map(lambda v: v.strip().lower() if isinstance(v, str) else v)
    )
    unknown = ~instrument.isin(INSTRUMENTS).to_numpy()
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise FeedbackError(
            f"{source}: row {row + 1}, column {instrument_col}: "
            f"{data[instrument_col].iloc[row]!r}; expected phq9 or gad7"
        )
    score = _numeric(data, score_col, source)
    is_phq9 = (instrument == "phq9").to_numpy()
    low = np.where(is_phq9, limits.phq9_range[0], limits.gad7_range[0])
    high = np.where(is_phq9, limits.phq9_range[1], limits.gad7_range[1])
    _refuse_first(
        source,
        (score < low) | (score > high),
        score_col,
        lambda r: f"{score[r]:g} is outside the {instrument.iloc[r]} range {low[r]:g}-{high[r]:g}",
    )
    attended = _attendance(data, attended_col, source)

    frame = pd.DataFrame(
        {
            "client": clients.to_numpy(dtype=object),
            "session": session,
            "instrument": instrument.to_numpy(dtype=object),
        }
    )
    repeated = frame.duplicated(["client", "session", "instrument"]).to_numpy()
    _refuse_first(
        source,
        repeated,
        instrument_col,
        lambda r: (
            f"a second {instrument.iloc[r]} score for client {_plain(clients.iloc[r])!r} "
            f"at session {session[r]:g}; expected one row per client, session and instrument"
        ),
    )
    frame["score"] = score
    frame["attended"] = attended.array

    sessions = _sessions(frame, source, attended_col)
    order = list(pd.unique(frame["client"]))
    per_client = _first_and_last(sessions, order)
    flags = _flags(per_client, limits)
    return TalkingTherapiesResult(clients=flags, summary=_summary(flags))


def _refuse_first(
    source: str, bad: BoolArray, column: str, message: str | Callable[[int], str]
) -> None:
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        text = message(row) if callable(message) else message
        raise FeedbackError(f"{source}: row {row + 1}, column {column}: {text}")


def _numeric(data: pd.DataFrame, column: str, source: str) -> FloatArray:
    cells = data[column]
    if not pd.api.types.is_numeric_dtype(cells) or pd.api.types.is_bool_dtype(cells):
        cells = convert_column(source, column, cells.astype(object).fillna(""), "number")
    values = cells.to_numpy(dtype=float, na_value=np.nan)
    _refuse_first(source, np.isinf(values), column, "infinite; expected a finite number")
    return values


def _attendance(data: pd.DataFrame, column: str | None, source: str) -> pd.Series[Any]:
    if column is None:
        return pd.Series(pd.NA, index=range(len(data)), dtype="boolean")
    cells = data[column]
    if pd.api.types.is_bool_dtype(cells):
        return pd.Series(cells.to_numpy(), dtype="boolean")
    plain = cells.astype(object)
    if plain.map(lambda v: isinstance(v, bool | np.bool_) or pd.isna(v)).all():
        return pd.Series(plain.to_numpy(), dtype="boolean")
    converted = convert_column(source, column, plain.fillna(""), "boolean")
    return pd.Series(converted.to_numpy(), dtype="boolean")


def _sessions(frame: pd.DataFrame, source: str, attended_col: str | None) -> pd.DataFrame:
    """One row per client and session: both scores, attendance, and whether it counts."""
    keys = ["client", "session"]
    said_yes = frame["attended"].fillna(False).to_numpy(dtype=bool)
    said_no = (~frame["attended"].fillna(True)).to_numpy(dtype=bool)
    frame = frame.assign(said_yes=said_yes, said_no=said_no)
    grouped = frame.groupby(keys, sort=False)
    conflict = grouped["said_yes"].transform("any").to_numpy(dtype=bool) & grouped[
        "said_no"
    ].transform("any").to_numpy(dtype=bool)
    if conflict.any():
        row = int(np.flatnonzero(conflict)[-1])
        raise FeedbackError(
            f"{source}: row {row + 1}, column {attended_col}: session "
            f"{frame['session'].iloc[row]:g} of client {_plain(frame['client'].iloc[row])!r} "
            "is marked both attended and not attended"
        )
    scores = frame.pivot(index=keys, columns="instrument", values="score")
    scores = scores.reindex(columns=list(INSTRUMENTS))
    missed = grouped["said_no"].any()
    out = scores.join(missed.rename("missed")).reset_index()
    out["counts"] = out["phq9"].notna() & out["gad7"].notna() & ~out["missed"]
    return out


def _first_and_last(sessions: pd.DataFrame, order: list[Any]) -> pd.DataFrame:
    # Stable sort on the session number only: client ids need not be comparable.
    counted = sessions[sessions["counts"]].sort_values("session", kind="stable")
    grouped = counted.groupby("client", sort=False)
    agg = pd.DataFrame(
        {
            "counted_sessions": grouped.size(),
            "first_session": grouped["session"].first(),
            "last_session": grouped["session"].last(),
            "phq9_first": grouped["phq9"].first(),
            "gad7_first": grouped["gad7"].first(),
            "phq9_last": grouped["phq9"].last(),
            "gad7_last": grouped["gad7"].last(),
        }
    )
    index = pd.Index(order, dtype=object, name="client")
    agg.index = agg.index.astype(object)
    agg = agg.reindex(index)
    agg["counted_sessions"] = agg["counted_sessions"].fillna(0).astype("int64")
    return agg.reset_index().rename(columns={"client": "client_id"})


def _flags(clients: pd.DataFrame, t: TalkingTherapiesThresholds) -> pd.DataFrame:
    paired = (clients["counted_sessions"] >= 2).to_numpy()
    p0, p1 = clients["phq9_first"].to_numpy(float), clients["phq9_last"].to_numpy(float)
    g0, g1 = clients["gad7_first"].to_numpy(float), clients["gad7_last"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        case_start = (p0 >= t.phq9_case) | (g0 >= t.gad7_case)
        case_end = (p1 >= t.phq9_case) | (g1 >= t.gad7_case)
        phq_down, phq_up = p0 - p1 >= t.phq9_reliable, p1 - p0 >= t.phq9_reliable
        gad_down, gad_up = g0 - g1 >= t.gad7_reliable, g1 - g0 >= t.gad7_reliable
    improvement = (phq_down | gad_down) & ~phq_up & ~gad_up
    deterioration = (phq_up | gad_up) & ~phq_down & ~gad_down
    recovered = case_start & ~case_end

    def flag(values: BoolArray, defined: BoolArray) -> pd.Series[Any]:
        series = pd.Series(values, dtype="boolean")
        series[~defined] = pd.NA
        return series

    out = clients.copy()
    out["paired"] = pd.Series(paired, dtype="boolean")
    out["case_at_start"] = flag(case_start, paired)
    out["recovered"] = flag(recovered, paired & case_start)
    out["reliable_improvement"] = flag(improvement, paired)
    out["reliable_deterioration"] = flag(deterioration, paired)
    out["reliable_recovery"] = flag(recovered & improvement, paired & case_start)
    return out


def _summary(clients: pd.DataFrame) -> OutcomeSummary:
    def count(column: str) -> int:
        return int(clients[column].fillna(False).astype(bool).sum())

    finished, cases = count("paired"), count("case_at_start")
    recovered, reliable_recovery = count("recovered"), count("reliable_recovery")
    improvement, deterioration = count("reliable_improvement"), count("reliable_deterioration")

    def rate(numerator: int, denominator: int) -> float | None:
        return numerator / denominator if denominator else None

    return OutcomeSummary(
        clients=len(clients),
        finished=finished,
        cases=cases,
        recovered=recovered,
        reliable_improvement=improvement,
        reliable_deterioration=deterioration,
        reliable_recovery=reliable_recovery,
        recovery_rate=rate(recovered, cases),
        reliable_improvement_rate=rate(improvement, finished),
        reliable_recovery_rate=rate(reliable_recovery, cases),
        reliable_deterioration_rate=rate(deterioration, finished),
    )


__all__ = [
    "OutcomeSummary",
    "TalkingTherapiesResult",
    "TalkingTherapiesThresholds",
    "talking_therapies_outcomes",
]
