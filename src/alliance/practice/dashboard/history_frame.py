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
    "caregiver",
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
SEPARATOR = "\t"  # joins instrument and respondent into one text per response
RESPONSE_FIELDS = (  # one row per response (history.response_rows)
    "id",
    "episode_id",
    "client_id",
    "session_number",
    "attended_code",
    "instrument_respondent",
    "flags_text",
    "answered_at",
    "caregiver_id",
)
SCORE_FIELDS = ("response_id", "scale_id", "value")  # one row per scale score


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in HISTORY_COLUMNS})


def build_history(
    responses: Sequence[tuple[Any, ...]],
    scores: Sequence[tuple[Any, ...]],
    sessions: Sequence[tuple[Any, ...]],
) -> History:
    """The history from response rows (``RESPONSE_FIELDS``), scale-score rows
    (``SCORE_FIELDS``) and session rows (episode, number, ISO date, status); what belongs to
    a response is worked out once per response, then spread to its scores by index."""
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
    if not responses or not scores:
        return History(empty_frame(), session_keys=session_keys, session_dates=session_dates)
    r = dict(zip(RESPONSE_FIELDS, zip(*responses, strict=True), strict=True))
    n = len(responses)
    response = np.fromiter(r["id"], dtype=np.int64, count=n)
    episode = np.fromiter(r["episode_id"], dtype=np.int64, count=n)
    number = np.array(r["session_number"], dtype=np.float64)  # NULL (no session) -> NaN
    attended = np.array(r["attended_code"], dtype=np.float64)  # 1, 0, NULL (unknown) -> NaN
    sessionless = np.isnan(number)
    if sessionless.any():
        answered = np.array(r["answered_at"], dtype=object)
        number, attended = _place_sessionless(
            episode, answered, sessionless, number, attended, s_episode, s_number, s_date, s_status
        )
    session = number.astype(np.int64)
    pair_codes, pairs = pd.factorize(np.array(r["instrument_respondent"], dtype=object))
    parts = np.array([str(v).split(SEPARATOR) for v in pairs], dtype=object).reshape(-1, 2)
    flags = _flags(np.array(r["flags_text"], dtype=object))
    # each caregiver of a child is a respondent of their own: their answers never replace
    # another caregiver's (0 = not a caregiver's answer)
    caregiver = np.array([c or 0 for c in r["caregiver_id"]], dtype=np.int64)
    lane = pair_codes if not caregiver.any() else pd.factorize(pair_codes * KEY_BASE + caregiver)[0]
    kept, flags = _latest_responses(response, episode, session, lane, flags)

    score_response, scale, value = zip(*scores, strict=True)
    m = len(scores)
    by_id = np.argsort(response)
    at = by_id[np.searchsorted(response[by_id], np.fromiter(score_response, np.int64, m))]
    keep = kept[at]
    at = at[keep]
    scale_codes, scales = pd.factorize(np.array(scale, dtype=object)[keep])
    pair = pair_codes[at]
    client = np.fromiter(r["client_id"], dtype=np.int64, count=n)
    frame = pd.DataFrame(
        {
            "client_id": episode[at],
            "session": session[at],
            # object columns: pandas would otherwise convert them to (slower) Arrow strings
            "instrument": pd.Series(parts[pair, 0], dtype=object),
            "respondent": pd.Series(parts[pair, 1], dtype=object),
            "scale": pd.Series(np.asarray(scales, dtype=object)[scale_codes], dtype=object),
            "score": np.array(value, dtype=np.float64)[keep],  # None -> NaN
            "attended": _attended(attended[at]),
            "flags": pd.Series(flags[at], dtype=object),
            "client": client[at],
            "episode": episode[at],
            "caregiver": caregiver[at],
        },
        copy=False,
    )
    frame = _add_missed_sessions(frame, s_episode, s_number, s_status)
    pairs_ec = pd.unique(frame["episode"].to_numpy() * KEY_BASE + frame["client"].to_numpy())
    return History(
        frame.reset_index(drop=True),
        episode_clients=np.sort(np.asarray(pairs_ec, dtype=np.int64)),
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
    response: np.ndarray,
    episode: np.ndarray,
    session: np.ndarray,
    pair: np.ndarray,
    flags: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Which responses count: the latest stored (the highest id) of each (episode, session,
    instrument + respondent ``pair``); an earlier one's flags join the kept one's.  Returns
    the mask of kept responses and the flags.  Vectorised: the common case (no repeats) costs
    one hash pass."""
    if episode.max() < 2**31 and session.max() < 2**24 and pair.max() < 2**8:
        key = (episode << 32) | (session << 8) | pair
    else:  # beyond any real practice; still correct
        key = pd.factorize(pd.MultiIndex.from_arrays([episode, session, pair]))[0]
    if len(pd.unique(key)) == len(response):
        return np.ones(len(response), dtype=bool), flags  # nothing repeated
    order = np.lexsort((response, key))
    last = np.r_[key[order][1:] != key[order][:-1], True]
    keys, winners = key[order][last], response[order][last]
    winner_at = np.searchsorted(keys, key)
    kept = response == winners[winner_at]
    lost = np.flatnonzero(~kept & (flags != ""))
    if lost.size:
        flags = flags.copy()
        for row in lost.tolist():
            rows = np.flatnonzero(kept & (key == key[row]))
            merged = [t for t in (str(flags[rows[0]]) + ";" + str(flags[row])).split(";") if t]
            flags[rows] = ";".join(dict.fromkeys(merged))
    return kept, flags


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
            "caregiver": 0,
        }
    )
    frame = frame.assign(attended=frame["attended"].astype(object))
    return pd.concat([frame, extra], ignore_index=True)
