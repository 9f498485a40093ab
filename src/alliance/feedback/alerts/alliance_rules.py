"""Alliance alerts (see :mod:`alliance.feedback.alliance_signals`): low alliance (client
or caregiver), ruptures with their repair or not, and client/practitioner discrepancy."""

from __future__ import annotations

import numpy as np

from alliance.measures import Instrument, Scale, get_instrument, instrument_ids

from .. import texts
from ..alliance_signals import (
    AllianceSettings,
    BoolArray,
    IntArray,
    PartSeries,
    RuptureEvent,
    RuptureRule,
    Series,
    answer_range,
    detect_ruptures,
    discrepancies,
    item_divisor,
    low_alliance_cut,
    part_scales,
    rupture_rule,
    total_scale,
)
from .kinds import Alert, FactValue
from .table import _Table


def _lookup(series: Series, keys: IntArray) -> IntArray:
    """Row of ``series`` for each (group, session) key, or -1 where it has none."""
    at = np.searchsorted(series.keys, keys)
    at_clipped = np.minimum(at, max(len(series) - 1, 0))
    hit = (at < len(series)) & (series.keys[at_clipped] == keys) if len(series) else at < 0
    return np.where(hit, at_clipped, -1).astype(np.int64)


def _alliance_alerts(
    table: _Table, inst: Instrument, settings: AllianceSettings
) -> list[tuple[int, Alert]]:
    total = total_scale(inst)
    if total is None:
        return []
    out: list[tuple[int, Alert]] = []
    for respondent in table.respondents(inst.id):
        if respondent == "practitioner":
            continue
        series = table.series(inst.id, respondent, "total")
        if series is None:
            continue
        parts = tuple(
            PartSeries(p.id, s, _span(inst, p))
            for p in part_scales(inst)
            if (s := table.series(inst.id, respondent, p.id)) is not None
        )
        out += _low_alliance_alerts(table, inst, total, respondent, series, parts, settings)
        rule = rupture_rule(inst, total, settings)
        for event in detect_ruptures(series, rule, parts):
            out += _rupture_alerts(table, inst, respondent, event, rule)
    return out


def _span(inst: Instrument, scale: Scale) -> float:
    low, high = inst.raw_range(scale)
    return high - low


def _low_alliance_alerts(
    table: _Table,
    inst: Instrument,
    total: Scale,
    respondent: str,
    series: Series,
    parts: tuple[PartSeries, ...],
    settings: AllianceSettings,
) -> list[tuple[int, Alert]]:
    cut = low_alliance_cut(inst, total, settings)
    low_rows = np.flatnonzero(cut.is_low(series.scores))
    if low_rows.size == 0:
        return []
    kind = "low_caregiver_alliance" if respondent == "caregiver" else "low_alliance"
    keys = series.keys[low_rows]
    part_rows = [(p, _lookup(p.series, keys)) for p in parts]
    answer_low, answer_high = answer_range(inst, total)
    common = {
        "max": texts.number(inst.raw_range(total)[1]),
        "answer_low": texts.number(answer_low),
        "answer_high": texts.number(answer_high),
        "threshold": texts.number(cut.value),
        "basis": texts.LOW_ALLIANCE_BASIS[cut.basis],
        "instrument": texts.instrument_name(inst.id),
    }
    divisor = item_divisor(total)
    out = []
    for n, row in enumerate(low_rows.tolist()):
        score = float(series.scores[row])
        values = common | {
            "session": str(int(series.sessions[row])),
            "score": texts.number(score),
            "item_mean": texts.number(score / divisor, 2),
        }
        keys_used: tuple[str, ...] = ("low_alliance.srs",) if inst.id == "srs" else (kind,)
        advice = keys_used[0]
        facts: dict[str, FactValue] = {"score": score, "threshold": cut.value}
        lowest = [(p, float(p.series.scores[r[n]])) for p, r in part_rows if r[n] >= 0]
        if lowest and inst.id != "srs":
            part, part_score = min(
                lowest,
                key=lambda ps: (
                    (ps[1] - inst.raw_range(inst.scale_index[ps[0].scale])[0]) / ps[0].span
                ),
            )
            values |= {
                "part": texts.PART_NAMES.get(part.scale, part.scale),
                "part_score": texts.number(part_score),
                "part_max": texts.number(inst.raw_range(inst.scale_index[part.scale])[1]),
            }
            keys_used = (*keys_used, "low_alliance.suffix")
            facts["lowest_part"] = part.scale
        out.append(
            table.alert(
                int(series.groups[row]),
                kind,
                int(series.sessions[row]),
                inst.id,
                "total",
                values,
                facts,
                explanation_keys=keys_used,
                advice_key=advice,
            )
        )
    return out


def _rupture_alerts(
    table: _Table, inst: Instrument, respondent: str, event: RuptureEvent, rule: RuptureRule
) -> list[tuple[int, Alert]]:
    who, whose = texts.RATERS[respondent]
    basis_key = "last" if event.n_baseline == 1 else "mean"
    values = {
        "session": str(event.session),
        "who": who,
        "whose": whose,
        "instrument": texts.instrument_name(inst.id),
        "score": texts.number(event.score),
        "drop": texts.number(event.drop),
        "baseline": texts.number(event.baseline),
        "baseline_basis": texts.BASELINE_BASIS[basis_key].format(n=event.n_baseline),
        "threshold": texts.number(event.threshold),
        "threshold_basis": texts.RUPTURE_BASIS[rule.basis],
        "rupture_session": str(event.session),
        "rupture_score": texts.number(event.score),
    }
    located = event.located
    if not located:
        advice = "alliance_rupture.unlocated"
    elif located == ("bond",):
        advice = "alliance_rupture.bond"
    elif "bond" in located:
        advice = "alliance_rupture.mixed"
    else:
        advice = "alliance_rupture.work"
    keys: tuple[str, ...] = ("alliance_rupture",)
    if located:
        phrases = [
            texts.TEXTS["alliance_rupture.part"].explanation.format(
                part=texts.PART_NAMES.get(p.scale, p.scale),
                part_baseline=texts.number(p.baseline),
                part_score=texts.number(p.score),
                part_max=texts.number(inst.raw_range(inst.scale_index[p.scale])[1]),
            )
            for p in event.parts
            if p.scale in located
        ]
        values["parts"] = " and ".join(phrases)
        keys = (*keys, "alliance_rupture.suffix")
    facts: dict[str, FactValue] = {
        "score": event.score,
        "baseline": event.baseline,
        "drop": event.drop,
        "threshold": event.threshold,
        "located": ",".join(located) or None,
        "respondent": respondent,
    }
    out = [
        table.alert(
            event.group,
            "alliance_rupture",
            event.session,
            inst.id,
            "total",
            values,
            facts,
            explanation_keys=keys,
            advice_key=advice,
        )
    ]
    # What became of it: back to baseline within the repair window, or not.
    endings: tuple[tuple[str, int | None, float | None, dict[str, str]], ...] = (
        ("alliance_rupture_resolved", event.repair_session, event.repair_score, {}),
        (
            "alliance_rupture_unresolved",
            event.closed_session,
            event.closed_score,
            {"n_after": str(event.n_after)},
        ),
    )
    for kind, session, score, more in endings:
        if session is None or score is None:
            continue
        done = values | {"session": str(session), "score": texts.number(score)} | more
        ended = facts | {"rupture_session": event.session, "score": score}
        out.append(table.alert(event.group, kind, session, inst.id, "total", done, ended))
    return out


def _discrepancy_alerts(
    table: _Table, pair: tuple[str, str], settings: AllianceSettings
) -> list[tuple[int, Alert]]:
    client_id, practitioner_id = pair
    if client_id not in instrument_ids() or practitioner_id not in instrument_ids():
        return []
    client_inst, practitioner_inst = get_instrument(client_id), get_instrument(practitioner_id)
    order = [s.id for s in (*part_scales(client_inst), total_scale(client_inst)) if s is not None]
    chunks = []
    for rank, scale_id in enumerate(order):
        if scale_id not in practitioner_inst.scale_index:
            continue
        c = table.series(client_id, "client", scale_id)
        p = table.series(practitioner_id, "practitioner", scale_id)
        if c is None or p is None:
            continue
        scale = client_inst.scale_index[scale_id]
        found = discrepancies(c, p, item_divisor(scale), settings.discrepancy_threshold)
        keep = found.flagged
        if keep.any():
            chunks.append(
                (
                    found.groups[keep],
                    found.sessions[keep],
                    found.gap[keep],
                    found.client_scores[keep],
                    found.practitioner_scores[keep],
                    np.full(int(keep.sum()), rank),
                )
            )
    if not chunks:
        return []
    groups, sessions, gap, c_scores, p_scores, ranks = (
        np.concatenate(x) for x in zip(*chunks, strict=True)
    )
    # One alert per session: the largest gap (ties: goal, task, bond, then total).
    pick = np.lexsort((ranks, -gap, sessions, groups))
    first: BoolArray = np.ones(pick.size, dtype=bool)
    first[1:] = (groups[pick][1:] != groups[pick][:-1]) | (
        sessions[pick][1:] != sessions[pick][:-1]
    )
    out = []
    for i in pick[first].tolist():
        scale_id = order[int(ranks[i])]
        scale = client_inst.scale_index[scale_id]
        values = {
            "session": str(int(sessions[i])),
            "part": texts.PART_NAMES.get(scale_id, scale_id),
            "topic": texts.PART_TOPICS.get(scale_id, scale_id),
            "practitioner_instrument": texts.instrument_name(practitioner_id),
            "client_instrument": texts.instrument_name(client_id),
            "practitioner_score": texts.number(float(p_scores[i])),
            "client_score": texts.number(float(c_scores[i])),
            "max": texts.number(client_inst.raw_range(scale)[1]),
            "gap": texts.number(float(gap[i]), 2),
            "threshold": texts.number(settings.discrepancy_threshold),
        }
        facts: dict[str, FactValue] = {
            "client_score": float(c_scores[i]),
            "practitioner_score": float(p_scores[i]),
            "gap": float(gap[i]),
            "threshold": settings.discrepancy_threshold,
        }
        group = int(groups[i])
        out.append(
            table.alert(
                group, "alliance_discrepancy", int(sessions[i]), client_id, scale_id, values, facts
            )
        )
    return out
