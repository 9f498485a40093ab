"""The history frame the feedback engine reads, built from the rows that
``alliance.practice.dashboard.history`` fetches (see that module's docstring for what each
column holds): vectorised over rows, no queries.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
from django.utils import timezone

from alliance.practice.care.models import Session

HISTORY_COLUMNS = (
    "client_id",
    "session",
    "instrument",
    "respondent",
    "scale",
    "score",
    "attended",
    "flags",
    "client",
    "episode",
)
ATTENDED = {
    Session.Status.ATTENDED: True,
    Session.Status.DID_NOT_ATTEND: False,
    Session.Status.CANCELLED: False,
}
MISSED = [Session.Status.DID_NOT_ATTEND, Session.Status.CANCELLED]
KEY_BASE = 2**31  # (episode, session) and (episode, client) pack into one int64


@dataclass(frozen=True)
class History:
    """A history frame (``HISTORY_COLUMNS``) and, for its episodes, the client of each and
    the date of each session, as sorted packed keys for vectorised lookups."""

    frame: pd.DataFrame
    episode_clients: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    session_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    session_dates: np.ndarray = field(default_factory=lambda: np.zeros(0, object))

    @property
    def empty(self) -> bool:
        return len(self.frame) == 0

    def clients_of(self, episodes: np.ndarray) -> np.ndarray:
        """The client id of each episode id (every episode must be in the history)."""
        known = self.episode_clients // KEY_BASE
        at = np.searchsorted(known, episodes)
        if len(known) == 0 or np.any(known[np.minimum(at, len(known) - 1)] != episodes):
            raise KeyError("an episode that is not in the history")
        return self.episode_clients[at] % KEY_BASE

    def session_days(self, episodes: np.ndarray, sessions: np.ndarray) -> list[str | None]:
        """ISO date of each (episode, session number), None where there is no such session."""
        if len(self.session_keys) == 0:
            return [None] * len(episodes)
        keys = episodes * KEY_BASE + sessions
        at = np.minimum(np.searchsorted(self.session_keys, keys), len(self.session_keys) - 1)
        found = self.session_keys[at] == keys
        return [d if ok else None for d, ok in zip(self.session_dates[at], found, strict=True)]

    def session_date(self, episode: int, number: int) -> date | None:
        day = self.session_days(np.array([episode]), np.array([number]))[0]
        return date.fromisoformat(day) if day else None


SEPARATOR = "\t"  # joins instrument, respondent and scale into one text per row
SCORE_FIELDS = (
    "response__episode_id",
    "response__client_id",
    "response_id",
    "session_number",
    "attended_code",
    "series",
    "value",
    "flags_text",
    "answered_at",
)
RAW_COLUMNS = (  # SCORE_FIELDS as build_history names them
    "episode",
    "client",
    "response",
    "session",
    "attended",
    "series",
    "score",
    "flags_text",
    "answered_at",
)


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in HISTORY_COLUMNS})


def build_history(rows: Sequence[tuple[Any, ...]], sessions: Sequence[tuple[Any, ...]]) -> History:
    """The history from score rows (``SCORE_FIELDS``) and session rows (episode, number,
    ISO date, status); vectorised over rows."""
    if sessions:
        s_episode, s_number, s_date, s_status = (np.asarray(c) for c in zip(*sessions, strict=True))
        s_episode, s_number = s_episode.astype(np.int64), s_number.astype(np.int64)
        keys = s_episode * KEY_BASE + s_number
        order = np.argsort(keys, kind="stable")
        session_keys, session_dates = keys[order], s_date.astype(object)[order]
    else:
        s_episode = s_number = np.zeros(0, np.int64)
        s_date = s_status = np.zeros(0, object)
        session_keys, session_dates = np.zeros(0, np.int64), np.zeros(0, object)
    if not rows:
        return History(empty_frame(), session_keys=session_keys, session_dates=session_dates)
    columns = dict(zip(RAW_COLUMNS, zip(*rows, strict=True), strict=True))
    n = len(rows)
    episode = np.fromiter(columns["episode"], dtype=np.int64, count=n)
    response = np.fromiter(columns["response"], dtype=np.int64, count=n)
    number = np.array(columns["session"], dtype=np.float64)  # NULL (no session) -> NaN
    attended = np.array(columns["attended"], dtype=np.float64)  # 1, 0, NULL (unknown) -> NaN
    sessionless = np.isnan(number)
    if sessionless.any():
        answered = np.array(columns["answered_at"], dtype=object)
        number, attended = _place_sessionless(
            episode, answered, sessionless, number, attended, s_episode, s_number, s_date, s_status
        )
    codes, series = pd.factorize(np.array(columns["series"], dtype=object))
    parts = np.array([str(v).split(SEPARATOR) for v in series], dtype=object).reshape(-1, 3)
    frame = pd.DataFrame(
        {
            "client_id": episode,
            "session": number.astype(np.int64),
            # object columns: pandas would otherwise convert them to (slower) Arrow strings
            "instrument": pd.Series(parts[codes, 0], dtype=object),
            "respondent": pd.Series(parts[codes, 1], dtype=object),
            "scale": pd.Series(parts[codes, 2], dtype=object),
            "score": np.array(columns["score"], dtype=np.float64),  # None -> NaN
            "attended": _attended(attended),
            "flags": pd.Series(_flags(np.array(columns["flags_text"], dtype=object)), dtype=object),
            "client": np.fromiter(columns["client"], dtype=np.int64, count=n),
            "episode": episode,
        },
        copy=False,
    )
    instrument_respondent = pd.factorize(parts[:, 0] + SEPARATOR + parts[:, 1])[0][codes]
    frame = _latest_responses(frame, response, instrument_respondent)
    frame = _add_missed_sessions(frame, s_episode, s_number, s_status)
    pairs = pd.unique(frame["episode"].to_numpy() * KEY_BASE + frame["client"].to_numpy())
    return History(
        frame.reset_index(drop=True),
        episode_clients=np.sort(np.asarray(pairs, dtype=np.int64)),
        session_keys=session_keys,
        session_dates=session_dates,
    )


def _attended(codes: np.ndarray) -> np.ndarray:
    """1/0/NaN -> True/False/None (a plain boolean column when nothing is unknown)."""
    unknown = np.isnan(codes)
    if not unknown.any():
        return codes == 1
    out = np.empty(len(codes), dtype=object)
    out[codes == 1] = True
    out[codes == 0] = False
    out[unknown] = None
    return out


def _flags(texts: np.ndarray) -> np.ndarray:
    """JSON lists of flag ids (as text; None for none) -> 'id;id' ('' for none), parsing each
    distinct text once."""
    out = np.full(len(texts), "", dtype=object)
    flagged = np.flatnonzero(texts != None)  # noqa: E711 (elementwise on an object array)
    if flagged.size == 0:
        return out
    some = texts[flagged]
    for text in pd.unique(some):
        try:
            parsed = json.loads(text) if isinstance(text, str) else text
        except ValueError:
            continue
        joined = ";".join(str(f) for f in parsed) if isinstance(parsed, list) else ""
        if joined:
            out[flagged[some == text]] = joined
    return out


def _place_sessionless(
    episodes: np.ndarray,
    answered: np.ndarray,
    sessionless: np.ndarray,
    number: np.ndarray,
    attended: np.ndarray,
    s_episode: np.ndarray,
    s_number: np.ndarray,
    s_date: np.ndarray,
    s_status: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Session number (and attendance) of each response without a session: the latest
    session of its episode dated on or before the answer's day, else 0 (before the first
    session; attendance unknown).  Rare, so a loop over those responses."""
    by_episode: dict[int, list[tuple[int, str, str]]] = {}
    for e, n, d, st in zip(s_episode.tolist(), s_number.tolist(), s_date, s_status, strict=True):
        by_episode.setdefault(e, []).append((n, str(d), str(st)))
    for sessions in by_episode.values():
        sessions.sort()
    number, attended = number.copy(), attended.copy()
    for row in np.flatnonzero(sessionless).tolist():
        number[row], attended[row] = 0, np.nan
        day = _local_day(answered[row])
        if day is None:
            continue
        for n, when, status in by_episode.get(int(episodes[row]), []):
            if when <= day.isoformat():  # ISO dates order as text
                number[row] = n
                known = ATTENDED.get(status)
                attended[row] = np.nan if known is None else float(known)
    return number, attended


def _local_day(text: object) -> date | None:
    """The local date of a stored time read as text: SQLite keeps UTC without an offset,
    PostgreSQL gives an offset."""
    if not isinstance(text, str) or not text:
        return None
    moment = datetime.fromisoformat(text)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return timezone.localdate(moment)


def _latest_responses(
    frame: pd.DataFrame, response: np.ndarray, instrument_respondent: np.ndarray
) -> pd.DataFrame:
    """Keep the latest stored response (the highest id) of each (episode, session,
    instrument, respondent); an earlier one's flags join the kept one's.  Vectorised: the
    common case (no repeats) costs two hash passes."""
    episode, session = frame["episode"].to_numpy(), frame["session"].to_numpy()
    if episode.max() < 2**31 and session.max() < 2**24 and instrument_respondent.max() < 2**8:
        key = (episode << 32) | (session << 8) | instrument_respondent
    else:  # beyond any real practice; still correct
        key = pd.factorize(pd.MultiIndex.from_arrays([episode, session, instrument_respondent]))[0]
    if len(pd.unique(key)) == len(pd.unique(response)):
        return frame  # every response has its own key: nothing repeated
    order = np.lexsort((response, key))
    last = np.r_[key[order][1:] != key[order][:-1], True]
    keys, winners = key[order][last], response[order][last]
    winner = winners[np.searchsorted(keys, key)]
    kept = response == winner
    flags = frame["flags"].to_numpy(dtype=object)
    lost = np.flatnonzero(~kept & (flags != ""))
    if lost.size:
        flags = flags.copy()
        for row in lost.tolist():
            rows = np.flatnonzero(kept & (key == key[row]))
            merged = [t for t in (str(flags[rows[0]]) + ";" + str(flags[row])).split(";") if t]
            flags[rows] = ";".join(dict.fromkeys(merged))
        frame = frame.assign(flags=flags)
    return frame[kept]


def _add_missed_sessions(
    frame: pd.DataFrame, s_episode: np.ndarray, s_number: np.ndarray, s_status: np.ndarray
) -> pd.DataFrame:
    """One unscored row for each missed or cancelled session without answers, in the
    episode's first series (so that the drop-out rule counts the missed session)."""
    missed = np.isin(s_status, MISSED)
    if not missed.any() or len(frame) == 0:
        return frame
    m_episode = s_episode[missed].astype(np.int64)
    m_number = s_number[missed].astype(np.int64)
    have = pd.MultiIndex.from_arrays([frame["episode"].to_numpy(), frame["session"].to_numpy()])
    wanted = pd.MultiIndex.from_arrays([m_episode, m_number])
    keep = ~wanted.isin(have)
    firsts = frame.drop_duplicates(subset=["episode"]).set_index("episode")
    keep &= np.isin(m_episode, firsts.index.to_numpy())
    if not keep.any():
        return frame
    m_episode, m_number = m_episode[keep], m_number[keep]
    template = firsts.loc[m_episode]
    extra = pd.DataFrame(
        {
            "client_id": m_episode,
            "session": m_number,
            "instrument": template["instrument"].to_numpy(dtype=object),
            "respondent": template["respondent"].to_numpy(dtype=object),
            "scale": template["scale"].to_numpy(dtype=object),
            "score": np.nan,
            "attended": False,
            "flags": "",
            "client": template["client"].to_numpy(dtype=np.int64),
            "episode": m_episode,
        }
    )
    frame = frame.assign(attended=frame["attended"].astype(object))
    return pd.concat([frame, extra], ignore_index=True)
