"""Alliance and progress by session modality, for one client (client page) and for the
clients a user may see (the practice overview).  The figures come from
``alliance.research.modality.modality_summary``; this module only reads the rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.feedback.alliance_signals import low_alliance_cut
from alliance.measures import get_instrument, instrument_ids
from alliance.practice.care.models import Client, Modality
from alliance.practice.care.scoping import visible_clients
from alliance.practice.collect.models import ScaleScore
from alliance.research.modality import modality_summary

KINDS = ("alliance", "outcome")


def _instrument_facts() -> pd.DataFrame:
    """kind, range, direction and concern cut of every alliance and outcome total."""
    rows = []
    for instrument_id in instrument_ids():
        inst = get_instrument(instrument_id)
        total = inst.scale_index.get("total")
        if inst.kind not in KINDS or total is None:
            continue
        if inst.kind == "outcome" and total.change is None:
            continue
        low, high = inst.raw_range(total)
        higher = True if total.change is None else total.change.direction == "higher-is-better"
        cut = low_alliance_cut(inst, total) if inst.kind == "alliance" else None
        rows.append((instrument_id, inst.kind, low, high, higher, cut))
    return pd.DataFrame(
        rows, columns=["instrument", "kind", "low", "high", "higher_is_better", "cut"]
    )


def modality_frame(clients: QuerySet[Client]) -> pd.DataFrame:
    """One row per client-rated alliance or outcome total at a session (one query)."""
    facts = _instrument_facts()
    rows = list(
        ScaleScore.objects.filter(
            scale_id="total",
            response__respondent="client",
            response__session__isnull=False,
            response__instrument_id__in=list(facts["instrument"]),
            response__client__in=clients,
        )
        .order_by()
        .values_list(
            "response__episode_id",
            "response__session__number",
            "response__session__modality",
            "response__instrument_id",
            "value",
        )
    )
    frame = pd.DataFrame(rows, columns=["episode", "session", "modality", "instrument", "score"])
    frame["score"] = frame["score"].astype(float)
    cuts = dict(zip(facts["instrument"], facts["cut"], strict=True))
    frame = frame.merge(facts.drop(columns=["cut"]), on="instrument", how="left")
    scores = frame["score"].to_numpy(dtype=float)
    concern = np.zeros(len(frame), dtype=bool)
    for instrument_id, at in frame.groupby("instrument").indices.items():
        cut = cuts[instrument_id]
        if cut is not None:
            concern[at] = cut.is_low(scores[at])
    return frame.assign(concern=concern)


def summary_rows(clients: QuerySet[Client]) -> list[dict[str, Any]]:
    """The summary as rows for a template (modality label added; empty modalities left out)."""
    table = modality_summary(modality_frame(clients))
    labels = dict(Modality.choices)
    out = []
    for row in table.to_dict("records"):
        if row["sessions"] == 0:
            continue
        row["label"] = labels[row["modality"]]
        for key in ("alliance_mean", "alliance_low", "change_mean"):
            if row[key] != row[key]:  # NaN: nothing to average
                row[key] = None
        if row["alliance_low"] is not None:
            row["alliance_low"] *= 100
        out.append(row)
    return out


@login_required
def modality_overview(request: HttpRequest) -> HttpResponse:
    """Alliance and progress by modality over every client the user may see."""
    clients = visible_clients(request.user)
    return render(
        request,
        "dashboard/modality.html",
        {"rows": summary_rows(clients), "n_clients": clients.count()},
    )
