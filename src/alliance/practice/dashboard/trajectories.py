"""Turning a client's stored responses into charts and tables for the client page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from alliance.measures import Instrument, get_instrument
from alliance.practice.collect.models import Response, ScaleScore
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


#: One scored response as the charts need it: instrument, respondent, {scale id: score}.
Point = tuple[str, str, dict[str, float | None]]


def charted_scales(inst: Instrument) -> list[str]:
    """Alliance: total with goal/task/bond where the instrument has them; else the headline."""
    if inst.kind == "alliance":
        return [s for s in ALLIANCE_SCALES if s in inst.scale_index]
    return [queries.HEADLINE_SCALE if "total" in inst.scale_index else inst.scales[0].id]


def client_charts(responses: Sequence[Response]) -> list[Chart]:
    """Charts from responses with their ``scale_scores`` prefetched."""
    return charts_from_points(
        [
            (r.instrument_id, r.respondent, {s.scale_id: s.value for s in r.scale_scores.all()})
            for r in responses
        ]
    )


def client_points(client_id: int, instrument_ids: Sequence[str]) -> list[Point]:
    """The client's own scores on these instruments in time order, in one light query."""
    rows = (
        ScaleScore.objects.filter(
            response__client_id=client_id,
            response__respondent="client",
            response__instrument_id__in=instrument_ids,
            scale_id__in=[*ALLIANCE_SCALES, queries.HEADLINE_SCALE],
        )
        .order_by("response__submitted_at", "response__pk")
        .values_list("response_id", "response__instrument_id", "scale_id", "value")
    )
    points: dict[int, Point] = {}
    for response_id, instrument_id, scale_id, value in rows:
        points.setdefault(response_id, (instrument_id, "client", {}))[2][scale_id] = value
    return list(points.values())


def charts_from_points(points: Sequence[Point]) -> list[Chart]:
    """One chart per (instrument, respondent), bands shaded and the clinical cut-off dashed."""
    grouped: dict[tuple[str, str], list[dict[str, float | None]]] = defaultdict(list)
    for instrument_id, respondent, scores in points:
        grouped[(instrument_id, respondent)].append(scores)
    charts = []
    for (instrument_id, respondent), history in grouped.items():
        inst = get_instrument(instrument_id)
        wanted = charted_scales(inst)
        series = [
            Series(
                inst.scale_index[scale_id].title,
                [(n, scores.get(scale_id)) for n, scores in enumerate(history, start=1)],
            )
            for scale_id in wanted
        ]
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
