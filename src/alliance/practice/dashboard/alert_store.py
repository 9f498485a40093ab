"""Alerts computed on a history and stored: one ``Alert`` row per (client, episode, kind,
instrument, scale, session).

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
    closed_automatically: int = 0
    clients: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def store_alerts(
    history: History, alerts: Sequence[EngineAlert], scope: Q, *, close_superseded: bool = False
) -> StoreResult:
    """Upsert ``alerts`` (computed on ``history``); ``scope`` selects the stored alerts they
    may match (the same clients).  Writes only new and changed rows.  ``close_superseded``:
    new alerts about an episode's earlier sessions are stored closed (module docstring)."""
    result = StoreResult()
    if not alerts:
        return result
    latest = history.frame.groupby("client_id")["session"].max() if close_superseded else None
    now = timezone.now()
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
        client, episode, kind, instrument_id, scale, session = key
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
