"""Alerts computed on a history and stored: one ``Alert`` row per (client, episode, kind,
instrument, scale, session, caregiver).

``store_alerts`` upserts: rows already there keep their ``created`` time and their
acknowledgement; only severity, explanation, suggestions and session date are updated, and
only rows that are new or changed are written.  Recomputation never deletes an alert: what
was raised stays on the client's timeline.

Historical alerts.  The practice-wide refresh (``close_superseded=True``) may find signals
nobody was shown at the time: on the first refresh of a practice with past data, after an
import, or after a model refit moves a boundary.  A NEW alert about a session before the
latest session of its episode is then stored already closed (acknowledged now, by nobody,
with ``AUTO_CLOSED_NOTE``), so the inbox shows what is current while the timeline keeps the
whole history.  Alerts raised as answers arrive are never closed this way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alliance.feedback.alerts import Alert as EngineAlert
from alliance.feedback.alerts import alerts_for_frame
from alliance.practice.dashboard.history_frame import History
from alliance.practice.dashboard.models import AUTO_CLOSED_NOTE, Alert

if TYPE_CHECKING:
    from alliance.feedback.etr import EtrModel


#: An alert and the caregiver whose answers raised it (0: not a caregiver's).
LaneAlert = tuple[EngineAlert, int]


def compute_alerts(history: History, models: Mapping[str, EtrModel]) -> list[LaneAlert]:
    """The engine's alerts on the history.  The engine knows one caregiver per course, and a
    child may have two or more: the clients' and practitioners' answers are evaluated
    together, and each caregiver's answers on their own (first, second, ... caregiver of each
    episode in one pass each), keeping from those passes the alerts about the caregiver."""
    if history.empty:
        return []
    frame = history.frame
    present = set(pd.unique(frame["instrument"]))
    used = [m for i, m in models.items() if i in present]
    caregiver = frame["caregiver"].to_numpy()
    if not caregiver.any():
        return [(a, 0) for a in alerts_for_frame(frame, etr_models=used, validate=False)]
    out: list[LaneAlert] = [
        (a, 0) for a in alerts_for_frame(frame[caregiver == 0], etr_models=used, validate=False)
    ]
    theirs = frame[caregiver != 0]
    rank = theirs.groupby("episode")["caregiver"].rank(method="dense").to_numpy()
    for k in np.unique(rank):
        lane = theirs[rank == k]
        ids = dict(zip(lane["client_id"].astype(str), lane["caregiver"], strict=False))
        for a in alerts_for_frame(lane, etr_models=used, validate=False):
            if a.kind == "low_caregiver_alliance" or a.facts.get("respondent") == "caregiver":
                out.append((a, int(ids[str(a.client_id)])))
    return out


@dataclass
class StoreResult:
    alerts: int = 0
    new: int = 0
    updated: int = 0
    closed_automatically: int = 0
    clients: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def store_alerts(
    history: History, alerts: Sequence[LaneAlert], scope: Q, *, close_superseded: bool = False
) -> StoreResult:
    """Upsert ``alerts`` (computed on ``history``); ``scope`` selects the stored alerts they
    may match (the same clients).  Writes only new and changed rows.  ``close_superseded``:
    new alerts about an episode's earlier sessions are stored closed (module docstring)."""
    result = StoreResult()
    if not alerts:
        return result
    latest = history.frame.groupby("client_id")["session"].max() if close_superseded else None
    now = timezone.now()
    n = len(alerts)
    episodes = np.fromiter((int(a.client_id) for a, _ in alerts), dtype=np.int64, count=n)
    sessions = np.fromiter((int(a.session) for a, _ in alerts), dtype=np.int64, count=n)
    clients = history.clients_of(episodes)
    days = history.session_days(episodes, sessions)
    wanted: dict[tuple[int, int, str, str, str, int, int], tuple[Any, ...]] = {}
    for (a, caregiver), client, episode, session, day in zip(
        alerts, clients.tolist(), episodes.tolist(), sessions.tolist(), days, strict=True
    ):
        key = (client, episode, a.kind, a.instrument or "", a.scale or "", session, caregiver)
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
        row[:7]: row[7:]
        for row in Alert.objects.filter(scope)
        .order_by()
        .values_list(
            "client_id",
            "episode_id",
            "kind",
            "instrument_id",
            "scale",
            "session",
            "caregiver_ref",
            "severity",
            "explanation",
            "suggestions",
            "session_date",
        )
    }
    writes = []
    for key, values in wanted.items():
        old = stored.get(key)
        client, episode, kind, instrument_id, scale, session, caregiver = key
        closed = False
        if old is None:
            result.new += 1
            closed = latest is not None and session < latest.get(episode, session)
            result.closed_automatically += closed
        elif tuple(old) == values:
            continue
        else:
            result.updated += 1
        severity, explanation, suggestions, day = values
        writes.append(
            Alert(
                acknowledged_at=now if closed else None,
                action_note=AUTO_CLOSED_NOTE if closed else "",
                client_id=client,
                episode_id=episode,
                kind=kind,
                instrument_id=instrument_id,
                scale=scale,
                session=session,
                caregiver_ref=caregiver,
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
