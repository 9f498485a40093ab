"""Outcome alerts on scales with change parameters: reliable deterioration, sudden gains
and losses (:mod:`alliance.feedback.sudden_gains`) and not on track
(:mod:`alliance.feedback.etr`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from alliance.measures import Instrument

from .. import texts
from ..alliance_signals import TOLERANCE, BoolArray, FloatArray, IntArray, Series
from .kinds import Alert, FactValue
from .table import _Table

if TYPE_CHECKING:  # the statistics stack (statsmodels, scipy) loads only when used
    from ..etr import EtrModel


def _deterioration_alerts(table: _Table, inst: Instrument) -> list[tuple[int, Alert]]:
    out: list[tuple[int, Alert]] = []
    name = texts.instrument_name(inst.id)
    for scale in inst.scales:
        if scale.change is None:
            continue
        threshold = scale.change.threshold
        threshold_text = texts.number(threshold)
        for respondent in table.respondents(inst.id):
            series = table.series(inst.id, respondent, scale.id)
            if series is None:
                continue
            starts, _ = series.bounds()
            first = series.scores[starts]
            worse = series.scores - first
            if scale.change.direction == "higher-is-better":
                worse = -worse
            bad = worse >= threshold - TOLERANCE
            before = np.zeros_like(bad)
            before[1:] = bad[:-1]
            before[starts == np.arange(len(series))] = False
            for row in np.flatnonzero(bad & ~before).tolist():
                group, session = int(series.groups[row]), int(series.sessions[row])
                start = int(starts[row])
                values = {
                    "session": str(session),
                    "instrument": name,
                    "score": texts.number(float(series.scores[row])),
                    "first_score": texts.number(float(first[row])),
                    "first_session": str(int(series.sessions[start])),
                    "change": texts.number(float(worse[row])),
                    "threshold": threshold_text,
                }
                facts: dict[str, FactValue] = {
                    "score": float(series.scores[row]),
                    "first_score": float(first[row]),
                    "first_session": int(series.sessions[start]),
                    "change": float(worse[row]),
                    "threshold": threshold,
                    "respondent": respondent,
                }
                out.append(
                    table.alert(
                        group, "reliable_deterioration", session, inst.id, scale.id, values, facts
                    )
                )
    return out


@dataclass(frozen=True)
class _SuddenEvents:
    groups: IntArray
    pre_sessions: IntArray
    post_sessions: IntArray
    pre_scores: FloatArray
    post_scores: FloatArray
    magnitudes: FloatArray
    reversals: BoolArray


def _sudden_events(
    series: Series, single: bool, instrument: str, scale: str, losses: bool
) -> _SuddenEvents:
    """Events of every group on a grid of every whole session number from the first to the
    last of ``series``: the one-client function for one client, else the table function
    (a padding row with id -1 makes the table's grid the full range)."""
    from .. import sudden_gains  # imports scipy

    grid = np.arange(int(series.sessions.min()), int(series.sessions.max()) + 1)
    if single:
        scores = np.full(grid.size, np.nan)
        scores[series.sessions - grid[0]] = series.scores
        found = sudden_gains.client_sudden_gains(
            grid, scores, instrument=instrument, scale=scale, losses=losses
        )
        return _SuddenEvents(
            groups=np.full(len(found), int(series.groups[0]), dtype=np.int64),
            pre_sessions=np.asarray([e.pregain_session for e in found], dtype=np.int64),
            post_sessions=np.asarray([e.postgain_session for e in found], dtype=np.int64),
            pre_scores=np.asarray([e.pregain_score for e in found], dtype=np.float64),
            post_scores=np.asarray([e.postgain_score for e in found], dtype=np.float64),
            magnitudes=np.asarray([e.magnitude for e in found], dtype=np.float64),
            reversals=np.asarray([e.reversal for e in found], dtype=bool),
        )
    frame = pd.DataFrame(
        {
            "id": np.concatenate((series.groups, np.full(grid.size, -1))),
            "session": np.concatenate((series.sessions, grid)),
            "score": np.concatenate((series.scores, np.full(grid.size, np.nan))),
        }
    )
    events = sudden_gains.sudden_gains(
        frame, "id", "session", "score", instrument=instrument, scale=scale, losses=losses
    )
    return _SuddenEvents(
        groups=events["id"].to_numpy(dtype=np.int64),
        pre_sessions=events["pregain_session"].to_numpy(dtype=np.int64),
        post_sessions=events["postgain_session"].to_numpy(dtype=np.int64),
        pre_scores=events["pregain_score"].to_numpy(dtype=np.float64),
        post_scores=events["postgain_score"].to_numpy(dtype=np.float64),
        magnitudes=events["magnitude"].to_numpy(dtype=np.float64),
        reversals=events["reversal"].to_numpy(dtype=bool),
    )


def _sudden_change_alerts(table: _Table, inst: Instrument) -> list[tuple[int, Alert]]:
    """Sudden gains and losses (:mod:`.sudden_gains`, Tang & DeRubeis 1999 with the
    missing-data rule of Lutz et al. 2013) on every outcome scale with change parameters,
    with the instrument's reliable change as cutoff.  Occasions are every whole session
    number from the first to the last (a missing number is a missed occasion, so no gain is
    bridged across it).  Reported at the post-gain session; unlike the other kinds these
    use up to three later sessions (criterion 3)."""
    out: list[tuple[int, Alert]] = []
    single = len(table.clients) == 1
    name = texts.instrument_name(inst.id)
    for scale in inst.scales:
        if scale.change is None:
            continue
        for respondent in table.respondents(inst.id):
            series = table.series(inst.id, respondent, scale.id)
            if series is None or len(series) < 4:
                continue
            for losses, kind in ((False, "sudden_gain"), (True, "sudden_loss")):
                ev = _sudden_events(series, single, inst.id, scale.id, losses)
                for i in range(ev.groups.size):
                    group, session = int(ev.groups[i]), int(ev.post_sessions[i])
                    values = {
                        "session": str(session),
                        "pregain_session": str(int(ev.pre_sessions[i])),
                        "instrument": name,
                        "magnitude": texts.number(float(ev.magnitudes[i])),
                        "pregain_score": texts.number(float(ev.pre_scores[i])),
                        "postgain_score": texts.number(float(ev.post_scores[i])),
                    }
                    facts: dict[str, FactValue] = {
                        "pregain_session": int(ev.pre_sessions[i]),
                        "pregain_score": float(ev.pre_scores[i]),
                        "postgain_score": float(ev.post_scores[i]),
                        "magnitude": float(ev.magnitudes[i]),
                        "reversal": bool(ev.reversals[i]),
                        "respondent": respondent,
                    }
                    out.append(table.alert(group, kind, session, inst.id, scale.id, values, facts))
    return out


def _not_on_track_alerts(table: _Table, model: EtrModel) -> list[tuple[int, Alert]]:
    """Not on track (:mod:`.etr`): from the second score on, the score is worse than the
    model's warning boundary for the client's intake (first) score at that session.  Raised
    when it starts to hold (again), like reliable deterioration."""
    series = table.series(model.instrument, "client", model.scale)
    if series is None:
        return []
    starts, _ = series.bounds()
    intake = series.scores[starts]
    enough = np.arange(len(series)) > starts
    expected, boundary = model.predict(intake, series.sessions.astype(np.float64))
    if model.lower_is_better:
        worse = series.scores > boundary + TOLERANCE
    else:
        worse = series.scores < boundary - TOLERANCE
    off = enough & worse
    before = np.zeros_like(off)
    before[1:] = off[:-1]
    before[~np.r_[False, series.groups[1:] == series.groups[:-1]]] = False
    out: list[tuple[int, Alert]] = []
    tail = texts.number(100.0 - model.percentile) + "%"
    name = texts.instrument_name(model.instrument)
    for row in np.flatnonzero(off & ~before).tolist():
        group, session = int(series.groups[row]), int(series.sessions[row])
        wanted = float(expected[row] - intake[row])
        percent = (
            100.0 * float(series.scores[row] - intake[row]) / wanted
            if abs(wanted) > TOLERANCE
            else None
        )
        values = {
            "session": str(session),
            "instrument": name,
            "score": texts.number(float(series.scores[row])),
            "expected": texts.number(float(expected[row])),
            "boundary": texts.number(float(boundary[row])),
            "tail_percent": tail,
        }
        facts: dict[str, FactValue] = {
            "score": float(series.scores[row]),
            "intake": float(intake[row]),
            "expected": float(expected[row]),
            "boundary": float(boundary[row]),
            "percent_expected_change": percent,
        }
        out.append(
            table.alert(
                group, "not_on_track", session, model.instrument, model.scale, values, facts
            )
        )
    return out
