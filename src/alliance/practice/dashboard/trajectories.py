"""Turning a client's stored responses into charts and tables for the client page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from alliance.measures import Instrument, get_instrument
from alliance.practice.collect.models import Response, ScaleScore
from alliance.practice.dashboard import queries
from alliance.practice.dashboard.charts import Band, Series, line_chart

if TYPE_CHECKING:
    from alliance.feedback.etr import EtrModel

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


def client_charts(
    responses: Sequence[Response],
    etr_models: Mapping[str, EtrModel] | None = None,
    caregiver_names: Mapping[int, str] | None = None,
) -> list[Chart]:
    """Charts from responses with their ``scale_scores`` (and ``session``) prefetched; with
    ``etr_models`` (instrument id -> fitted model), outcome charts get the expected course.
    When a child has more than one caregiver (``caregiver_names``), each caregiver's answers
    get their own chart ("caregiver: Mum")."""
    several = caregiver_names is not None and len(caregiver_names) > 1

    def rater(r: Response) -> str:
        if several and r.respondent == "caregiver" and caregiver_names is not None:
            return f"caregiver: {caregiver_names.get(r.caregiver_id or 0, 'unnamed')}"
        return r.respondent

    points: list[Point] = [
        (r.instrument_id, rater(r), {s.scale_id: s.value for s in r.scale_scores.all()})
        for r in responses
    ]
    bands = expected_bands(responses, points, etr_models) if etr_models else {}
    return charts_from_points(points, bands)


def expected_bands(
    responses: Sequence[Response], points: Sequence[Point], etr_models: Mapping[str, EtrModel]
) -> dict[tuple[str, str], Band]:
    """The expected trajectory and warning boundary (``alliance.feedback.etr.trajectory``)
    for the client's own ratings of each instrument with a fitted model, over the points of
    the latest episode (the intake is its first score, as for the not-on-track alert), at
    each response's session number, and one session ahead."""
    from alliance.feedback.etr import trajectory

    # (position in the chart, episode, session number, headline score), as charts_from_points
    # numbers the points of each (instrument, respondent)
    grouped: dict[str, list[tuple[int, int, int | None, float | None]]] = defaultdict(list)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for r, (instrument_id, respondent, scores) in zip(responses, points, strict=True):
        counts[(instrument_id, respondent)] += 1
        if respondent != "client" or instrument_id not in etr_models:
            continue
        model = etr_models[instrument_id]
        number = r.session.number if r.session_id is not None and r.session else None
        grouped[instrument_id].append(
            (counts[(instrument_id, respondent)], r.episode_id, number, scores.get(model.scale))
        )
    bands = {}
    for instrument_id, rows in grouped.items():
        model = etr_models[instrument_id]
        latest = rows[-1][1]
        usable = [
            (x, s, v)
            for x, e, s, v in rows
            if e == latest and s is not None and s >= 1 and v is not None
        ]
        if not usable:
            continue
        intake_session, intake = usable[0][1], float(usable[0][2])
        xs = [x for x, _, _ in usable] + [usable[-1][0] + 1]
        sessions = [s for _, s, _ in usable] + [usable[-1][1] + 1]
        table = trajectory(model, intake, sessions=sessions)
        expected = table["expected"].to_numpy(dtype=float)
        boundary = table["boundary"].to_numpy(dtype=float)
        band_points = [
            (x, intake, intake) if s == intake_session else (x, float(e), float(b))
            for x, s, e, b in zip(xs, sessions, expected, boundary, strict=True)
        ]
        percentile = f"{model.percentile:g}"
        bands[(instrument_id, "client")] = Band(
            f"Expected course for an intake score of {intake:g} (median of comparable "
            f"clients) and warning boundary ({percentile}th percentile of worse-than-expected "
            f"progress), fitted on {model.fitted_on.n_episodes} finished episodes",
            band_points,
        )
    return bands


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


def charts_from_points(
    points: Sequence[Point], bands: Mapping[tuple[str, str], Band] | None = None
) -> list[Chart]:
    """One chart per (instrument, respondent), bands shaded and the clinical cut-off dashed;
    ``bands`` adds the expected course to the charts of those (instrument, respondent)."""
    grouped: dict[tuple[str, str], list[dict[str, float | None]]] = defaultdict(list)
    for instrument_id, respondent, scores in points:
        grouped[(instrument_id, respondent)].append(scores)
    charts = []
    for (instrument_id, respondent), history in grouped.items():
        inst = get_instrument(instrument_id)
        wanted = charted_scales(inst)
        headline = inst.scale_index[wanted[0]]
        low, high = scale_range(inst, headline.id)
        per_item = len(wanted) > 1 and all(
            inst.scale_index[s].aggregation == "sum" and inst.scale_index[s].transform is None
            for s in wanted
        )
        if per_item:
            # Total and subscales of different lengths share one axis as item means.
            low, high = low / len(headline.items), high / len(headline.items)
        series = [
            Series(
                inst.scale_index[scale_id].title,
                [
                    (
                        n,
                        as_item_mean(inst, scale_id, scores.get(scale_id))
                        if per_item
                        else scores.get(scale_id),
                    )
                    for n, scores in enumerate(history, start=1)
                ],
            )
            for scale_id in wanted
        ]
        svg = line_chart(
            f"{inst.title} ({respondent}{', item means' if per_item else ''})",
            series,
            low=low,
            high=high,
            scale=headline if len(series) == 1 else None,
            cutoff=headline.clinical_cutoff.value if headline.clinical_cutoff else None,
            band=(bands or {}).get((instrument_id, respondent)),
        )
        charts.append(Chart(inst, respondent, svg))
    charts.sort(key=lambda c: (c.instrument.kind != "outcome", c.instrument.id, c.respondent))
    return charts


def as_item_mean(inst: Instrument, scale_id: str, value: float | None) -> float | None:
    return None if value is None else round(value / len(inst.scale_index[scale_id].items), 2)


def response_rows(responses: Sequence[Response]) -> list[ResponseRow]:
    rows = []
    for r in reversed(responses):
        scores = {s.scale_id: s.value for s in r.scale_scores.all()}
        bands = {s.scale_id: s.band for s in r.scale_scores.all() if s.band}
        rows.append(ResponseRow(r, get_instrument(r.instrument_id), scores, bands))
    return rows
