"""Feedback in the practice app: histories read from the database, alerts stored, ETR refits.

The science lives in the pure engine (``alliance.feedback``); this module loads rows, calls it
and stores what comes back.

History.  ``client_history(client)`` (and ``load_history`` for many clients) builds the long
table ``alliance.feedback.alerts`` reads, one row per stored scale score, from ONE values()
query on the scale scores (joined to their responses) and one on the sessions:

- ``client_id`` is the *episode* id: each episode of care is its own course (the intake score,
  change since the first score, the first five sessions and the expected trajectory all
  restart when a client comes back), and session numbers restart at 1 in each episode.  The
  client's and episode's primary keys are also in the columns ``client`` and ``episode``.
- ``session`` is the number of the response's session.  A response without a session (a link
  issued before any session was booked, or whose session was deleted) counts at the latest
  session of its episode dated on or before the day it was answered, or at session 0 (before
  the first session) when there is none.
- ``attended`` comes from the session's status: attended -> true, did not attend or
  cancelled -> false, planned -> unknown.  A missed or cancelled session without any answer
  gets one row without a score, so the drop-out rule sees the missed session.
- ``flags`` are the response's flag ids joined with ``;`` (``risk_self_harm`` raises the risk
  alert).
- When one respondent answered the same instrument twice at one session (a paper form
  entered as well as a link answered, or a retake), the latest stored response counts; the
  flags of the earlier one are kept with it, so a risk answer is never dropped.

Only open episodes (no end date) are evaluated: alerts are for care that can still act on
them.  Alerts raised while an episode was open stay after it ends.

Alerts.  ``refresh_client_alerts(client)`` evaluates the client's history with the fitted ETR
models of their organisation and upserts one ``Alert`` row per (client, episode, kind,
instrument, scale, session): rows already there keep their ``created`` time and their
acknowledgement; only severity, explanation, suggestions and session date are updated, and
only rows that are new or changed are written.  Recomputation never deletes an alert: what
was raised stays on the client's timeline.  It runs in the request that stores a submission,
after the answer's transaction has committed (``schedule_refresh``); a failure is logged
without clinical data and never touches the stored answer.

ETR models.  ``fit_organisation_models(org)`` refits the organisation's expected-treatment-
response models, one per outcome instrument (client-rated ``total``), on its own finished
episodes (those with an end date, whatever the reason: leaving out drop-outs would make the
expected course look better than the practice's real one).  A model needs at least
``MIN_REFERENCE_EPISODES`` finished episodes with two or more scored sessions (session 1 or
later), and ``etr.fit``'s own checks (at least 10 scores at each covered session); below that
no model is fitted and an existing one is kept.  ``refresh_all`` (the command ``alliance
feedback refresh``) refits every organisation's models, then recomputes every client's
alerts, vectorised over the organisation's whole history with ``alerts_for_frame``.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from django.db import connections, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Concat, NullIf
from django.utils import timezone

from alliance.feedback.alerts import Alert as EngineAlert
from alliance.feedback.alerts import alerts_for_frame
from alliance.measures import all_instruments
from alliance.practice.accounts.models import Organisation
from alliance.practice.care.models import Client, Session
from alliance.practice.collect.models import ScaleScore
from alliance.practice.dashboard.models import Alert, ExpectedResponseModel

if TYPE_CHECKING:  # the statistics stack loads only where a model is fitted or used
    from alliance.feedback.etr import EtrModel

logger = logging.getLogger(__name__)

#: Finished episodes (with two or more scored sessions) an organisation needs before its
#: expected trajectory for an instrument is fitted.  With fewer, the 90th-percentile warning
#: boundary rests on a handful of clients per session and would flag at random.
MIN_REFERENCE_EPISODES = 40
ETR_SCALE = "total"
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
Episodes = Literal["open", "finished", "all"]


def outcome_instruments() -> list[str]:
    """Instruments with an expected-trajectory model: outcome measures whose total has
    change parameters (direction and reliable change)."""
    out = []
    for inst in all_instruments():
        scale = inst.scale_index.get(ETR_SCALE)
        if inst.kind == "outcome" and scale is not None and scale.change is not None:
            out.append(inst.id)
    return out


# -- history -------------------------------------------------------------------------------


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


def _scopes(client_id: int | None, organisation_id: int | None, episodes: Episodes) -> tuple[Q, Q]:
    scores, sessions = Q(), Q()
    if client_id is not None:
        scores &= Q(response__client_id=client_id)
        sessions &= Q(episode__client_id=client_id)
    if organisation_id is not None:
        scores &= Q(response__client__organisation_id=organisation_id)
        sessions &= Q(episode__client__organisation_id=organisation_id)
    if episodes != "all":
        scores &= Q(response__episode__ended__isnull=episodes == "open")
        sessions &= Q(episode__ended__isnull=episodes == "open")
    return scores, sessions


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


def score_rows(score_scope: Q) -> QuerySet[Any]:
    """The values() query of the history: one row per scale score.  Every column is a
    number or text that needs no conversion, most of them small or NULL, because reading
    a million rows costs about a microsecond per cell: session number and attendance come
    through the join to the session, instrument, respondent and scale as one text."""
    return (
        ScaleScore.objects.filter(score_scope)
        .annotate(
            session_number=F("response__session__number"),
            attended_code=Case(
                When(response__session__status=Session.Status.ATTENDED, then=Value(1)),
                When(response__session__status__in=MISSED, then=Value(0)),
                default=None,
                output_field=IntegerField(),
            ),
            series=Concat(
                "response__instrument_id",
                Value(SEPARATOR),
                "response__respondent",
                Value(SEPARATOR),
                "scale_id",
                output_field=TextField(),
            ),
            # NULL (read as the shared None) for the many responses without flags
            flags_text=NullIf(Cast("response__flags", TextField()), Value("[]", TextField())),
            # the answer's time, only to place a response without a session; as text, so no
            # converter runs on every row (parsed for those few rows in build_history)
            answered_at=Case(
                When(
                    response__session_id__isnull=True,
                    then=Cast("response__submitted_at", TextField()),
                ),
                default=None,
                output_field=TextField(),
            ),
        )
        .order_by()
        .values_list(*SCORE_FIELDS)
    )


def load_history(
    *,
    client_id: int | None = None,
    organisation_id: int | None = None,
    episodes: Episodes = "open",
    instruments: Sequence[str] | None = None,
    respondent: str | None = None,
    scale: str | None = None,
) -> History:
    """The history of the clients in scope (one client, one organisation, or everyone)."""
    score_scope, session_scope = _scopes(client_id, organisation_id, episodes)
    if instruments is not None:
        score_scope &= Q(response__instrument_id__in=list(instruments))
    if respondent is not None:
        score_scope &= Q(response__respondent=respondent)
    if scale is not None:
        score_scope &= Q(scale_id=scale)
    rows = fetch_rows(score_rows(score_scope))
    sessions = fetch_rows(
        Session.objects.filter(session_scope)
        .annotate(day=Cast("date", TextField()))
        .order_by()
        .values_list("episode_id", "number", "day", "status")
    )
    return build_history(rows, sessions)


def fetch_rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a values_list() queryset whose columns need no conversion (numbers and
    text), fetched at once with a DB-API cursor: the ORM builds the SQL, and its per-row
    iteration (a tenth of a second per 100,000 rows) is skipped."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def client_history(client: Client | int, *, episodes: Episodes = "open") -> pd.DataFrame:
    """One client's history in the shape ``alliance.feedback.alerts.validate_history``
    expects (see the module docstring for what each column holds)."""
    client_id = client if isinstance(client, int) else client.pk
    return load_history(client_id=client_id, episodes=episodes).frame


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
    missed = np.isin(s_status, [Session.Status.DID_NOT_ATTEND, Session.Status.CANCELLED])
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


# -- ETR models ----------------------------------------------------------------------------


def _parse_model(data: Any, origin: str) -> EtrModel:
    from alliance.feedback.etr import EtrModel

    return EtrModel.from_json_dict(data, origin=origin)


def etr_models(
    *, organisation_id: int | None = None, client_id: int | None = None
) -> dict[str, EtrModel]:
    """The organisation's fitted models by instrument id (one query; none -> {} without
    loading the statistics stack)."""
    records = ExpectedResponseModel.objects.filter(scale=ETR_SCALE)
    if organisation_id is not None:
        records = records.filter(organisation_id=organisation_id)
    if client_id is not None:
        records = records.filter(organisation__clients=client_id)
    out = {}
    for instrument_id, data in records.values_list("instrument_id", "model"):
        out[instrument_id] = _parse_model(data, f"ETR model {instrument_id}")
    return out


@dataclass(frozen=True)
class FitReport:
    organisation: str
    instrument: str
    n_episodes: int
    fitted: bool
    message: str


def fit_organisation_models(org: Organisation) -> list[FitReport]:
    """Refit the organisation's models on its finished episodes (module docstring)."""
    from alliance.feedback.errors import FeedbackError
    from alliance.feedback.etr import fit

    instruments = outcome_instruments()
    history = load_history(
        organisation_id=org.pk,
        episodes="finished",
        instruments=instruments,
        respondent="client",
        scale=ETR_SCALE,
    ).frame
    scored = history[history["score"].notna() & (history["session"] >= 1)]
    reports = []
    for instrument_id in instruments:
        sub = scored[scored["instrument"] == instrument_id]
        per_episode = sub.groupby("episode")["session"].nunique()
        n_episodes = int((per_episode >= 2).sum())
        if n_episodes < MIN_REFERENCE_EPISODES:
            if n_episodes:
                reports.append(
                    FitReport(
                        org.name,
                        instrument_id,
                        n_episodes,
                        False,
                        f"{n_episodes} finished episodes with two or more scores; "
                        f"{MIN_REFERENCE_EPISODES} needed: no new model",
                    )
                )
            continue
        try:
            model = fit(
                sub[["client_id", "session", "score"]],
                instrument_id,
                scale=ETR_SCALE,
                source=f"{org.slug} {instrument_id}",
            )
        except FeedbackError as exc:
            reports.append(FitReport(org.name, instrument_id, n_episodes, False, str(exc)))
            continue
        ExpectedResponseModel.objects.update_or_create(
            organisation=org,
            instrument_id=instrument_id,
            scale=ETR_SCALE,
            defaults={
                "model": model.to_json_dict(),
                "fitted_at": timezone.now(),
                "n_episodes": model.fitted_on.n_episodes,
            },
        )
        reports.append(
            FitReport(
                org.name,
                instrument_id,
                model.fitted_on.n_episodes,
                True,
                f"fitted on {model.fitted_on.n_episodes} finished episodes, sessions "
                f"{model.first_session}-{model.last_session}",
            )
        )
    return reports


# -- alerts --------------------------------------------------------------------------------


def compute_alerts(history: History, models: Mapping[str, EtrModel]) -> list[EngineAlert]:
    if history.empty:
        return []
    present = set(pd.unique(history.frame["instrument"]))
    used = [m for i, m in models.items() if i in present]
    return alerts_for_frame(history.frame, etr_models=used, validate=False)


@dataclass
class StoreResult:
    alerts: int = 0
    new: int = 0
    updated: int = 0
    clients: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def store_alerts(history: History, alerts: Sequence[EngineAlert], scope: Q) -> StoreResult:
    """Upsert ``alerts`` (computed on ``history``); ``scope`` selects the stored alerts they
    may match (the same clients).  Writes only new and changed rows."""
    result = StoreResult()
    if not alerts:
        return result
    episodes = np.fromiter((int(a.client_id) for a in alerts), dtype=np.int64, count=len(alerts))
    sessions = np.fromiter((int(a.session) for a in alerts), dtype=np.int64, count=len(alerts))
    clients = history.clients_of(episodes)
    days = history.session_days(episodes, sessions)
    wanted: dict[tuple[int, int, str, str, str, int], tuple[Any, ...]] = {}
    for a, client, episode, session, day in zip(
        alerts, clients.tolist(), episodes.tolist(), sessions.tolist(), days, strict=True
    ):
        key = (client, episode, a.kind, a.instrument or "", a.scale or "", session)
        wanted[key] = (
            a.severity,
            a.explanation,
            list(a.suggestions),
            date.fromisoformat(day) if day else None,
        )
        result.kinds[a.kind] = result.kinds.get(a.kind, 0) + 1
    result.alerts = len(wanted)
    result.clients = len({k[0] for k in wanted})
    stored = {
        row[:6]: row[6:]
        for row in Alert.objects.filter(scope)
        .order_by()
        .values_list(
            "client_id",
            "episode_id",
            "kind",
            "instrument_id",
            "scale",
            "session",
            "severity",
            "explanation",
            "suggestions",
            "session_date",
        )
    }
    writes = []
    for key, values in wanted.items():
        old = stored.get(key)
        if old is None:
            result.new += 1
        elif tuple(old) == values:
            continue
        else:
            result.updated += 1
        client, episode, kind, instrument_id, scale, session = key
        severity, explanation, suggestions, day = values
        writes.append(
            Alert(
                client_id=client,
                episode_id=episode,
                kind=kind,
                instrument_id=instrument_id,
                scale=scale,
                session=session,
                session_date=day,
                severity=severity,
                explanation=explanation,
                suggestions=suggestions,
            )
        )
    if writes:
        with transaction.atomic():
            Alert.objects.bulk_create(
                writes,
                update_conflicts=True,
                unique_fields=list(Alert.UNIQUE_FIELDS),
                update_fields=list(Alert.RECOMPUTED_FIELDS),
                batch_size=500,
            )
    return result


def refresh_client_alerts(client: Client | int) -> StoreResult:
    """Recompute and store one client's alerts (a handful of queries, a few milliseconds)."""
    client_id = client if isinstance(client, int) else client.pk
    history = load_history(client_id=client_id)
    if history.empty:
        return StoreResult()
    models = etr_models(client_id=client_id)
    alerts = compute_alerts(history, models)
    return store_alerts(history, alerts, Q(client_id=client_id))


def refresh_after_submission(client_id: int) -> None:
    """``refresh_client_alerts`` for the request that stored an answer: a failure is logged
    (the client's key, the error's type and where it happened; no scores, no answers, no
    message text, which may quote a score) and never reaches the respondent."""
    try:
        refresh_client_alerts(client_id)
    except Exception as exc:  # feedback must never cost a stored answer
        logger.warning(
            "feedback: alerts not refreshed for client pk=%s (%s)\n%s",
            client_id,
            type(exc).__name__,
            "".join(traceback.format_tb(exc.__traceback__)),
        )


def schedule_refresh(client_id: int) -> None:
    """Refresh the client's alerts once the current transaction commits (immediately when
    there is none), in the same request."""
    transaction.on_commit(partial(refresh_after_submission, client_id))


# -- practice-wide -------------------------------------------------------------------------


@dataclass
class RefreshReport:
    fits: list[FitReport] = field(default_factory=list)
    alerts: StoreResult = field(default_factory=StoreResult)


def refresh_organisation_alerts(org: Organisation | int) -> StoreResult:
    """Recompute every client's alerts in one organisation, over its whole history at once."""
    org_id = org if isinstance(org, int) else org.pk
    history = load_history(organisation_id=org_id)
    alerts = compute_alerts(history, etr_models(organisation_id=org_id))
    return store_alerts(history, alerts, Q(client__organisation_id=org_id))


def refresh_all(
    *, fit: bool = True, progress: Callable[[str], None] | None = None
) -> RefreshReport:
    """Refit every organisation's ETR models (``fit``), then recompute all alerts."""
    report = RefreshReport()
    say = progress or (lambda message: None)
    for org in Organisation.objects.order_by("pk"):
        if fit:
            for fitted in fit_organisation_models(org):
                report.fits.append(fitted)
                say(f"{org.name}: {fitted.instrument}: {fitted.message}")
        result = refresh_organisation_alerts(org)
        total = report.alerts
        total.alerts += result.alerts
        total.new += result.new
        total.updated += result.updated
        total.clients += result.clients
        for kind, n in result.kinds.items():
            total.kinds[kind] = total.kinds.get(kind, 0) + n
        say(
            f"{org.name}: {result.alerts} alerts for {result.clients} clients "
            f"({result.new} new, {result.updated} updated)"
        )
    return report
