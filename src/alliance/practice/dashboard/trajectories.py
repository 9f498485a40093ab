"""Turning a client's stored responses into charts and tables for the client page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from alliance.measures import Instrument, get_instrument
from alliance.practice.collect.models import Response
from alliance.practice.dashboard import queries
from alliance.practice.dashboard.charts import Series, line_chart

ALLIANCE_SCALES = ("total", "goal", "task", "bond")


@dataclass(frozen=True)
class Chart:
    instrument: Instrument
    respondent: str
    svg: str


@dataclass(frozen=True)
class ResponseRow:
    response: Response
    instrument: Instrument
    scores: dict[str, float | None]
    bands: dict[str, str]


def scale_range(inst: Instrument, scale_id: str) -> tuple[float, float]:
    scale = inst.scale_index[scale_id]
    low, high = inst.raw_range(scale)
    t = scale.transform
    if scale.aggregation == "kiresuk_sherman":
        return 20.0, 80.0
    if t is not None and t.multiply is not None:
        return low * t.multiply, high * t.multiply
    if t is not None and t.lookup is not None:
        return min(t.lookup.values()), max(t.lookup.values())
    return low, high


def client_charts(responses: Sequence[Response], *, for_client: bool = False) -> list[Chart]:
    """One chart per (instrument, respondent): outcome totals with bands and cut-off; alliance
    total with goal/task/bond where the instrument has them.  ``for_client`` leaves out alliance
    instruments when the episode hides alliance scores from the client."""
    grouped: dict[tuple[str, str], list[Response]] = defaultdict(list)
    for r in responses:
        grouped[(r.instrument_id, r.respondent)].append(r)
    charts = []
    for (instrument_id, respondent), rows in grouped.items():
        inst = get_instrument(instrument_id)
        if for_client and inst.kind == "alliance" and not rows[-1].episode.show_alliance_to_client:
            continue
        if inst.kind == "alliance":
            wanted = [s for s in ALLIANCE_SCALES if s in inst.scale_index]
        else:
            wanted = [queries.HEADLINE_SCALE if "total" in inst.scale_index else inst.scales[0].id]
        series = []
        for scale_id in wanted:
            points = []
            for n, r in enumerate(rows, start=1):
                by_scale = {s.scale_id: s.value for s in r.scale_scores.all()}
                points.append((n, by_scale.get(scale_id)))
            series.append(Series(inst.scale_index[scale_id].title, points))
        headline = inst.scale_index[wanted[0]]
        low, high = scale_range(inst, headline.id)
        svg = line_chart(
            f"{inst.title} ({respondent})",
            series,
            low=low,
            high=high,
            scale=headline if len(series) == 1 else None,
            cutoff=headline.clinical_cutoff.value if headline.clinical_cutoff else None,
        )
        charts.append(Chart(inst, respondent, svg))
    charts.sort(key=lambda c: (c.instrument.kind != "outcome", c.instrument.id, c.respondent))
    return charts


def response_rows(responses: Sequence[Response]) -> list[ResponseRow]:
    rows = []
    for r in reversed(responses):
        scores = {s.scale_id: s.value for s in r.scale_scores.all()}
        bands = {s.scale_id: s.band for s in r.scale_scores.all() if s.band}
        rows.append(ResponseRow(r, get_instrument(r.instrument_id), scores, bands))
    return rows
