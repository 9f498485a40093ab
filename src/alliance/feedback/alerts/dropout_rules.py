"""Early drop-out risk alerts (:mod:`alliance.feedback.dropout`) over the first sessions."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import dropout, texts
from ..alliance_signals import BoolArray, FloatArray, IntArray
from .kinds import Alert, FactValue
from .table import _Table

DROPOUT_OUTCOMES = ("phq9", "core10", "ors", "k10", "gad7")
DROPOUT_ALLIANCES = ("srs", "wai-sr")
DROPOUT_WINDOW = 5
LEVEL_RANK = {"low": 0, "medium": 1, "high": 2}
ALLIANCE_FACTORS = {"low_alliance", "falling_alliance"}


@dataclass(frozen=True)
class _EarlySessions:
    """Each client's sessions 1..DROPOUT_WINDOW as (client x session) matrices."""

    present: BoolArray
    missed: BoolArray
    answered: BoolArray
    outcome: FloatArray
    alliance: FloatArray


def _early_sessions(
    table: _Table, outcome_of: npt.NDArray[np.object_], alliance_of: npt.NDArray[np.object_]
) -> _EarlySessions:
    history = table.history
    n, w = len(table.clients), DROPOUT_WINDOW
    rows = np.flatnonzero((history.sessions >= 1) & (history.sessions <= w))
    g, col = history.client.codes[rows], history.sessions[rows] - 1
    present = np.zeros((n, w), dtype=bool)
    present[g, col] = True
    missed = np.zeros((n, w), dtype=bool)
    if history.attended is not None:
        off = np.asarray([a is False for a in history.attended[rows]], dtype=bool)
        missed[g[off], col[off]] = True
    answered = np.zeros((n, w), dtype=bool)
    scored = ~np.isnan(history.scores[rows])
    answered[g[scored], col[scored]] = True
    matrices = []
    for choice, options in ((outcome_of, DROPOUT_OUTCOMES), (alliance_of, DROPOUT_ALLIANCES)):
        values = np.full((n, w), np.nan)
        for instrument_id in options:
            series = table.series(instrument_id, "client", "total")
            if series is None:
                continue
            use = (series.sessions >= 1) & (series.sessions <= w)
            use &= choice[series.groups] == instrument_id
            values[series.groups[use], series.sessions[use] - 1] = series.scores[use]
        matrices.append(values)
    return _EarlySessions(present, missed, answered, matrices[0], matrices[1])


def _dropout_alerts(table: _Table) -> list[tuple[int, Alert]]:
    """Early drop-out risk (:mod:`.dropout`) as of each of the first five sessions: raised at
    a session where the level rises above the highest level already raised (medium, then
    high).  A level reached on alliance signs alone (low or falling alliance) is left to the
    alliance alerts, which locate the problem.  Each client's outcome measure is the first
    of DROPOUT_OUTCOMES they have, the alliance measure the first of DROPOUT_ALLIANCES
    (client-rated; WAI-SR totals derived from the parts count).  ``attended`` false counts
    as a missed session (the history does not tell cancellations apart); a session with
    rows but no score is an unanswered questionnaire."""
    n = len(table.clients)
    outcome_of = _first_choice(table, DROPOUT_OUTCOMES, n)
    alliance_of = _first_choice(table, DROPOUT_ALLIANCES, n)
    early = _early_sessions(table, outcome_of, alliance_of)
    if not early.present.any():
        return []
    out: list[tuple[int, Alert]] = []
    raised = np.zeros(n, dtype=np.int64)
    for t in range(1, DROPOUT_WINDOW + 1):
        at = np.flatnonzero(early.present[:, t - 1])
        if at.size == 0:
            continue
        for group, level, score, factors in _dropout_levels(early, at, t, outcome_of, alliance_of):
            rank = LEVEL_RANK[level]
            if rank <= raised[group] or set(factors) <= ALLIANCE_FACTORS:
                continue
            raised[group] = rank
            out.append(_dropout_alert(table, group, t, level, score, factors))
    return out


def _dropout_levels(
    early: _EarlySessions,
    groups: IntArray,
    t: int,
    outcome_of: npt.NDArray[np.object_],
    alliance_of: npt.NDArray[np.object_],
) -> list[tuple[int, str, float, list[str]]]:
    """(group, level, score, factor ids) of ``groups`` as of session ``t``: the one-client
    function for a single client, else the table function once per instrument pair."""
    found: list[tuple[int, str, float, list[str]]] = []
    if groups.size == 1:
        g = int(groups[0])
        sessions = np.flatnonzero(early.present[g, :t])
        attendance = np.where(early.missed[g, sessions], "did_not_attend", "attended")
        risk = dropout.dropout_risk(
            [int(s) + 1 for s in sessions],
            outcome=early.outcome[g, sessions].tolist(),
            alliance=early.alliance[g, sessions].tolist(),
            attendance=attendance.tolist(),
            answered=early.answered[g, sessions].tolist(),
            outcome_instrument=str(outcome_of[g]),
            alliance_instrument=str(alliance_of[g]),
            window=DROPOUT_WINDOW,
        )
        found.append((g, risk.level, risk.score, [f.id for f in risk.factors]))
        return found
    pairs = pd.DataFrame({"o": outcome_of[groups], "a": alliance_of[groups]}).drop_duplicates()
    for o_choice, a_choice in pairs.itertuples(index=False, name=None):
        members = groups[(outcome_of[groups] == o_choice) & (alliance_of[groups] == a_choice)]
        which, col = np.nonzero(early.present[members, :t])
        rows = members[which]
        frame = pd.DataFrame(
            {
                "client_id": np.concatenate((rows, rows)),
                "session": np.concatenate((col, col)) + 1,
                "instrument": np.repeat([str(o_choice), str(a_choice)], rows.size),
                "scale": "total",
                "score": np.concatenate((early.outcome[rows, col], early.alliance[rows, col])),
                "attendance": np.tile(
                    np.where(early.missed[rows, col], "did_not_attend", "attended"), 2
                ),
                "answered": np.tile(early.answered[rows, col], 2),
            }
        )
        table_risk = dropout.dropout_risk_frame(
            frame,
            outcome_instrument=str(o_choice),
            alliance_instrument=str(a_choice),
            window=DROPOUT_WINDOW,
        )
        ids = table_risk["client_id"].astype(np.int64).to_numpy()
        levels = table_risk["level"].astype(str).to_numpy()
        scores = table_risk["risk_score"].to_numpy(dtype=np.float64)
        factors = table_risk["factors"].astype(str).to_numpy()
        for i in range(ids.size):
            ids_i = [f for f in str(factors[i]).split(";") if f]
            found.append((int(ids[i]), str(levels[i]), float(scores[i]), ids_i))
    return found


def _first_choice(table: _Table, preference: tuple[str, ...], n: int) -> npt.NDArray[np.object_]:
    choice = np.full(n, preference[0], dtype=object)
    decided = np.zeros(n, dtype=bool)
    for instrument_id in preference:
        series = table.series(instrument_id, "client", "total")
        if series is None:
            continue
        has = np.zeros(n, dtype=bool)
        has[series.groups] = True
        choice[has & ~decided] = instrument_id
        decided |= has
    return choice


def _dropout_alert(
    table: _Table, group: int, session: int, level: str, score: float, factors: list[str]
) -> tuple[int, Alert]:
    names = [texts.DROPOUT_FACTORS.get(f, f.replace("_", " ")) for f in factors]
    values = {
        "session": str(session),
        "factors": ", ".join(names),
        "score": texts.number(score),
        "level": level,
    }
    facts: dict[str, FactValue] = {
        "risk_score": score,
        "level": level,
        "factors": ";".join(factors),
    }
    _, alert = table.alert(group, "dropout_risk", session, None, None, values, facts)
    if level == "medium":
        alert = replace(alert, severity="info")
    return group, alert
