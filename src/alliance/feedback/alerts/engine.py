"""Evaluating histories: every rule over every client, in one sorted list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ..alliance_signals import AllianceSettings
from ..errors import FeedbackError
from .alliance_rules import _alliance_alerts, _discrepancy_alerts
from .dropout_rules import _dropout_alerts
from .history import _History
from .kinds import KIND_ORDER, Alert
from .outcome_rules import _deterioration_alerts, _not_on_track_alerts, _sudden_change_alerts
from .risk_rules import _risk_flag_alerts, _risk_item_alerts
from .table import _Table

if TYPE_CHECKING:  # the statistics stack (statsmodels, scipy) loads only when used
    from ..etr import EtrModel


def client_alerts(
    history: pd.DataFrame,
    *,
    client_id: str | None = None,
    settings: AllianceSettings | None = None,
    etr_models: Sequence[EtrModel] = (),
    validate: bool = True,
) -> list[Alert]:
    """All alerts of one client's history (package docstring).  ``client_id`` names the
    client when the table has no ``client_id`` column."""
    if "client_id" not in history.columns:
        history = history.assign(client_id=client_id if client_id is not None else "client")
    else:
        n_clients = pd.unique(history["client_id"].to_numpy()).size
        if n_clients > 1:
            raise FeedbackError(
                f"client_alerts takes one client's history; found {n_clients} clients "
                "(use alerts_for_frame)"
            )
    return alerts_for_frame(history, settings=settings, etr_models=etr_models, validate=validate)


def alerts_for_frame(
    history: pd.DataFrame,
    *,
    settings: AllianceSettings | None = None,
    etr_models: Sequence[EtrModel] = (),
    validate: bool = True,
    origin: str = "history",
) -> list[Alert]:
    """All alerts of every client in ``history``, ordered by client (first appearance),
    session, then kind in registry order.  ``etr_models`` are fitted expected-treatment-
    response models (:mod:`.etr`), one per outcome scale, for the not-on-track alerts.
    ``validate=False`` skips the checks of instruments, scales and score ranges (for tables
    that come from validated storage); ``origin`` names the table in error messages."""
    settings = settings or AllianceSettings()
    table = _Table.build(_History.from_frame(history, origin, validate))
    found: list[tuple[int, Alert]] = []
    for inst in table.instruments():
        if inst.kind == "alliance":
            found += _alliance_alerts(table, inst, settings)
        elif inst.kind in ("outcome", "wellbeing"):
            found += _deterioration_alerts(table, inst)
            found += _sudden_change_alerts(table, inst)
        found += _risk_item_alerts(table, inst)
    for pair in settings.discrepancy_pairs:
        found += _discrepancy_alerts(table, pair, settings)
    for model in etr_models:
        found += _not_on_track_alerts(table, model)
    found += _dropout_alerts(table)
    seen = {(g, a.session, a.instrument, a.scale) for g, a in found if a.kind == "risk_item"}
    found += _risk_flag_alerts(table, seen)
    keys = [(g, a.session, KIND_ORDER[a.kind], a.scale or "") for g, a in found]
    order = sorted(range(len(found)), key=keys.__getitem__)
    return [found[k][1] for k in order]
