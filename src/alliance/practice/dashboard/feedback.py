"""Feedback in the practice app: histories read from the database, alerts stored, ETR refits.

The science lives in the pure engine (``alliance.feedback``); the practice side loads rows,
calls it and stores what comes back, in four modules whose names are all importable from here:

- ``history`` (``client_history``, ``load_history``): the long table
  ``alliance.feedback.alerts`` reads, one row per stored scale score, with the rules for
  episodes, session numbers, attendance, flags and repeated answers; ``history_frame`` builds
  it from the fetched rows.
- ``alert_store`` (``compute_alerts``, ``store_alerts``): alerts computed on a history and
  upserted, never deleted.
- ``expected`` (``fit_organisation_models``, ``etr_models``): the organisation's expected-
  treatment-response models, fitted on its finished episodes, stored and loaded.

Alerts.  ``refresh_client_alerts(client)`` evaluates the client's history with the fitted ETR
models of their organisation and upserts one ``Alert`` row per (client, episode, kind,
instrument, scale, session).  It runs in the request that stores a submission, after the
answer's transaction has committed (``schedule_refresh``); a failure is logged without
clinical data and never touches the stored answer.  ``refresh_all`` (the command ``alliance
feedback refresh``) refits every organisation's models, then recomputes every client's
alerts, vectorised over the organisation's whole history with ``alerts_for_frame``; new
alerts it finds about sessions before an episode's latest are stored closed (see
``alert_store``), so a first refresh does not fill the inbox with the past.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.db.models import Q

from alliance.practice.accounts.models import Organisation
from alliance.practice.care.models import Client
from alliance.practice.dashboard.alert_store import StoreResult, compute_alerts, store_alerts
from alliance.practice.dashboard.expected import (
    ETR_SCALE,
    MIN_REFERENCE_EPISODES,
    FitReport,
    etr_models,
    fit_organisation_models,
    outcome_instruments,
)
from alliance.practice.dashboard.history import (
    RESPONSE_FIELDS,
    SCORE_FIELDS,
    Episodes,
    client_history,
    fetch_rows,
    load_history,
    response_rows,
    score_values,
)
from alliance.practice.dashboard.history_frame import (
    ATTENDED,
    HISTORY_COLUMNS,
    KEY_BASE,
    MISSED,
    SEPARATOR,
    History,
    build_history,
    empty_frame,
)

logger = logging.getLogger(__name__)


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
    return store_alerts(history, alerts, Q(client__organisation_id=org_id), close_superseded=True)


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
        total.closed_automatically += result.closed_automatically
        total.clients += result.clients
        for kind, n in result.kinds.items():
            total.kinds[kind] = total.kinds.get(kind, 0) + n
        say(
            f"{org.name}: {result.alerts} alerts for {result.clients} clients "
            f"({result.new} new, of which {result.closed_automatically} about earlier "
            f"sessions closed automatically; {result.updated} updated)"
        )
    return report


__all__ = [
    "ATTENDED",
    "ETR_SCALE",
    "HISTORY_COLUMNS",
    "KEY_BASE",
    "MIN_REFERENCE_EPISODES",
    "MISSED",
    "RESPONSE_FIELDS",
    "SCORE_FIELDS",
    "SEPARATOR",
    "Episodes",
    "FitReport",
    "History",
    "RefreshReport",
    "StoreResult",
    "build_history",
    "client_history",
    "compute_alerts",
    "empty_frame",
    "etr_models",
    "fetch_rows",
    "fit_organisation_models",
    "load_history",
    "logger",
    "outcome_instruments",
    "refresh_after_submission",
    "refresh_all",
    "refresh_client_alerts",
    "refresh_organisation_alerts",
    "response_rows",
    "schedule_refresh",
    "score_values",
    "store_alerts",
]
