"""Early drop-out risk alerts (:mod:`alliance.feedback.dropout`) over the first sessions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .. import dropout, texts
from ..alliance_signals import BoolArray, FloatArray, IntArray
from .kinds import Alert, FactValue, Severity
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
        off = _is_false(history.attended[rows])
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


def _is_false(cells: npt.NDArray[np.object_]) -> BoolArray:
    """True where an ``attended`` cell (True, False or None) is False."""
    return np.asarray(cells == False, dtype=bool)  # noqa: E712 (elementwise, object array)


def _dropout_alerts(table: _Table) -> list[tuple[int, Alert]]:
    """Early drop-out risk (:mod:`.dropout`) as of each of the first five sessions: raised at
    a session where the level rises above the highest level already raised (medium, then
    high).  A level reached on alliance signs alone (low or falling alliance) is left to the
    alliance alerts, which locate the problem.  Each client's outcome measure is the first
    of DROPOUT_OUTCOMES they have, the alliance measure the first of DROPOUT_ALLIANCES
    (client-rated; WAI-SR totals derived from the parts count).  ``attended`` false counts
    as a missed session (the history does not tell cancellations apart); a session with
    rows but no score is an unanswered questionnaire.

    One client (the feedback of a submission): the one-client function of :mod:`.dropout`
    as of each session.  Many clients: every client as of each of their early sessions in
    one matrix per (outcome, alliance) pair of instruments, scored at once."""
    n = len(table.clients)
    outcome_of = _first_choice(table, DROPOUT_OUTCOMES, n)
    alliance_of = _first_choice(table, DROPOUT_ALLIANCES, n)
    early = _early_sessions(table, outcome_of, alliance_of)
    if not early.present.any():
        return []
    if n == 1:
        return _one_client_alerts(table, early, outcome_of, alliance_of)
    groups, sessions, score, level, contributing = _as_of_each_session(
        early, outcome_of, alliance_of
    )
    rank = np.zeros(score.size, dtype=np.int64)
    rank[level == "medium"] = LEVEL_RANK["medium"]
    rank[level == "high"] = LEVEL_RANK["high"]
    beyond_alliance = contributing[:, _OTHER_FACTORS].any(axis=1)
    raised = np.zeros(n, dtype=np.int64)
    emit = np.zeros(score.size, dtype=bool)
    cuts = np.searchsorted(sessions, np.arange(1, DROPOUT_WINDOW + 2))
    for t in range(DROPOUT_WINDOW):  # rows are ordered by session; one row per client each
        rows = slice(int(cuts[t]), int(cuts[t + 1]))
        g, r = groups[rows], rank[rows]
        up = (r > raised[g]) & beyond_alliance[rows]
        raised[g[up]] = r[up]
        emit[rows] = up
    texts_of: dict[int, tuple[str, str]] = {}
    bits = contributing.astype(np.int64) @ (1 << np.arange(len(dropout.FACTORS), dtype=np.int64))
    out: list[tuple[int, Alert]] = []
    for i in np.flatnonzero(emit).tolist():
        pattern = int(bits[i])
        named = texts_of.get(pattern)
        if named is None:
            ids = [f for k, f in enumerate(dropout.FACTORS) if pattern >> k & 1]
            named = texts_of[pattern] = _factor_texts(ids)
        out.append(
            _dropout_alert(
                table, int(groups[i]), int(sessions[i]), str(level[i]), float(score[i]), named
            )
        )
    return out


_OTHER_FACTORS = [k for k, f in enumerate(dropout.FACTORS) if f not in ALLIANCE_FACTORS]


def _as_of_each_session(
    early: _EarlySessions,
    outcome_of: npt.NDArray[np.object_],
    alliance_of: npt.NDArray[np.object_],
) -> tuple[IntArray, IntArray, FloatArray, npt.NDArray[np.object_], BoolArray]:
    """(group, session, risk score, level, contributing factors) of every client as of each
    of their sessions 1..DROPOUT_WINDOW, ordered by session then group: each row sees the
    client's matrices up to that session only."""
    present = early.present
    sessions_of, groups = np.nonzero(present.T)
    groups = groups.astype(np.int64)
    sessions = (sessions_of + 1).astype(np.int64)
    seen = present[groups] & (np.arange(DROPOUT_WINDOW)[None, :] < sessions[:, None])
    outcome = np.where(seen, early.outcome[groups], np.nan)
    alliance = np.where(seen, early.alliance[groups], np.nan)
    attendance = np.where(
        seen,
        np.where(
            early.missed[groups],
            dropout.ATTENDANCE_CODES["did_not_attend"],
            dropout.ATTENDANCE_CODES["attended"],
        ),
        -1,
    ).astype(np.int64)
    answered = np.where(seen, early.answered[groups], True)
    score = np.zeros(groups.size)
    level = np.full(groups.size, "low", dtype=object)
    contributing = np.zeros((groups.size, len(dropout.FACTORS)), dtype=bool)
    o_code = _codes(outcome_of[groups], DROPOUT_OUTCOMES)
    a_code = _codes(alliance_of[groups], DROPOUT_ALLIANCES)
    pair = o_code * len(DROPOUT_ALLIANCES) + a_code
    for p in np.unique(pair).tolist():
        rows = np.flatnonzero(pair == p)
        risk = dropout.dropout_risk_arrays(
            seen[rows],
            outcome[rows],
            alliance[rows],
            attendance[rows],
            answered[rows],
            outcome_instrument=DROPOUT_OUTCOMES[p // len(DROPOUT_ALLIANCES)],
            alliance_instrument=DROPOUT_ALLIANCES[p % len(DROPOUT_ALLIANCES)],
        )
        score[rows] = risk.score
        level[rows] = risk.level
        contributing[rows] = risk.contributing
    return groups, sessions, score, level, contributing


def _codes(choice: npt.NDArray[np.object_], options: tuple[str, ...]) -> IntArray:
    codes = np.zeros(choice.size, dtype=np.int64)
    for k, option in enumerate(options):
        codes[choice == option] = k
    return codes


def _one_client_alerts(
    table: _Table,
    early: _EarlySessions,
    outcome_of: npt.NDArray[np.object_],
    alliance_of: npt.NDArray[np.object_],
) -> list[tuple[int, Alert]]:
    """The one-client path: :func:`.dropout.dropout_risk` as of each early session."""
    out: list[tuple[int, Alert]] = []
    raised = 0
    for t in range(1, DROPOUT_WINDOW + 1):
        if not early.present[0, t - 1]:
            continue
        sessions = np.flatnonzero(early.present[0, :t])
        attendance = np.where(early.missed[0, sessions], "did_not_attend", "attended")
        risk = dropout.dropout_risk(
            [int(s) + 1 for s in sessions],
            outcome=early.outcome[0, sessions].tolist(),
            alliance=early.alliance[0, sessions].tolist(),
            attendance=attendance.tolist(),
            answered=early.answered[0, sessions].tolist(),
            outcome_instrument=str(outcome_of[0]),
            alliance_instrument=str(alliance_of[0]),
            window=DROPOUT_WINDOW,
        )
        factors = [f.id for f in risk.factors]
        rank = LEVEL_RANK[risk.level]
        if rank <= raised or set(factors) <= ALLIANCE_FACTORS:
            continue
        raised = rank
        out.append(_dropout_alert(table, 0, t, risk.level, risk.score, _factor_texts(factors)))
    return out


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


def _factor_texts(factors: list[str]) -> tuple[str, str]:
    """The factors as named in the explanation, and their ids joined for the facts."""
    names = [texts.DROPOUT_FACTORS.get(f, f.replace("_", " ")) for f in factors]
    return ", ".join(names), ";".join(factors)


def _dropout_alert(
    table: _Table, group: int, session: int, level: str, score: float, factors: tuple[str, str]
) -> tuple[int, Alert]:
    named, ids = factors
    values = {
        "session": str(session),
        "factors": named,
        "score": texts.number(score),
        "level": level,
    }
    facts: dict[str, FactValue] = {"risk_score": score, "level": level, "factors": ids}
    severity: Severity | None = "info" if level == "medium" else None
    return table.alert(group, "dropout_risk", session, None, None, values, facts, severity=severity)
