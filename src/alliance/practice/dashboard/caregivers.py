"""The child's and each caregiver's alliance side by side, session by session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from alliance.feedback.alliance_signals import low_alliance_cut
from alliance.measures import get_instrument
from alliance.practice.care.models import Caregiver, Respondent
from alliance.practice.collect.models import Response


@dataclass(frozen=True)
class Column:
    label: str
    instrument: str
    respondent: str
    caregiver_id: int | None


@dataclass
class SideBySide:
    columns: list[Column] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)


def _total(response: Response) -> float | None:
    for scale in response.scale_scores.all():  # prefetched
        if scale.scale_id == "total":
            return None if scale.value is None else float(scale.value)
    return None


def caregiver_alliance_rows(
    responses: Sequence[Response], caregivers: Sequence[Caregiver]
) -> SideBySide:
    """Alliance totals by session: one column for the child (client-rated alliance forms) and
    one per caregiver and form; empty unless a caregiver has rated the alliance.  The latest
    answer counts when one respondent answered a form twice at a session."""
    names = {c.pk: str(c) for c in caregivers}
    cells: dict[tuple[int, Column], tuple[float | None, bool]] = {}
    columns: dict[Column, None] = {}
    for response in responses:
        inst = get_instrument(response.instrument_id)
        if inst.kind != "alliance" or response.session is None:
            continue
        if response.respondent == Respondent.CLIENT:
            column = Column("Child", inst.id, "client", None)
        elif response.respondent == Respondent.CAREGIVER:
            label = names.get(response.caregiver_id or 0, "Caregiver")
            column = Column(label, inst.id, "caregiver", response.caregiver_id)
        else:
            continue
        score = _total(response)
        low = False
        if score is not None:
            cut = low_alliance_cut(inst, inst.scale_index["total"])
            low = bool(cut.is_low(np.array([score]))[0])
        columns.setdefault(column, None)
        cells[(response.session.number, column)] = (score, low)
    if not any(c.respondent == "caregiver" for c in columns):
        return SideBySide()
    ordered = sorted(columns, key=lambda c: (c.respondent != "client", c.label, c.instrument))
    sessions = sorted({number for number, _ in cells})
    rows = []
    for number in sessions:
        row = []
        for column in ordered:
            score, low = cells.get((number, column), (None, False))
            row.append({"score": score, "low": low})
        rows.append({"session": number, "cells": row})
    return SideBySide(columns=ordered, rows=rows)
