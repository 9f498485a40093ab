"""Alliance alerts (see :mod:`alliance.feedback.alliance_signals`): low alliance (client
or caregiver), ruptures with their repair or not, and client/practitioner discrepancy."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Scales:
    """What the alliance rules read of an instrument's total and parts (goal, task, bond),
    worked out once per run rather than once per alert: each scale's raw range, its
    highest score as written, and the instrument's name."""

    inst: Instrument
    low: dict[str, float]
    high: dict[str, float]
    high_text: dict[str, str]
    name: str

    @classmethod
    def of(cls, inst: Instrument, total: Scale) -> _Scales:
        ranges = {s.id: inst.raw_range(s) for s in (total, *part_scales(inst))}
        return cls(
            inst,
            low={k: r[0] for k, r in ranges.items()},
            high={k: r[1] for k, r in ranges.items()},
            high_text={k: texts.number(r[1]) for k, r in ranges.items()},
            name=texts.instrument_name(inst.id),
        )

    def span(self, scale_id: str) -> float:
        return self.high[scale_id] - self.low[scale_id]


def _alliance_alerts(
    table: _Table, inst: Instrument, settings: AllianceSettings
) -> list[tuple[int, Alert]]:
    total = total_scale(inst)
    if total is None:
        return []
    scales: _Scales | None = None
    out: list[tuple[int, Alert]] = []
    for respondent in table.respondents(inst.id):
        if respondent == "practitioner":
            continue
        series = table.series(inst.id, respondent, "total")
        if series is None:
            continue
        scales = scales or _Scales.of(inst, total)
        parts = tuple(
            PartSeries(p.id, s, scales.span(p.id))
            for p in part_scales(inst)
            if (s := table.series(inst.id, respondent, p.id)) is not None
        )
        out += _low_alliance_alerts(table, scales, total, respondent, series, parts, settings)
        rule = rupture_rule(inst, total, settings)
        events = detect_ruptures(series, rule, parts)
        if events:
            out += _rupture_alerts(table, scales, respondent, events, rule)
    return out


def _low_alliance_alerts(
    table: _Table,
    scales: _Scales,
    total: Scale,
    respondent: str,
    series: Series,
    parts: tuple[PartSeries, ...],
    settings: AllianceSettings,
) -> list[tuple[int, Alert]]:
    inst = scales.inst
    cut = low_alliance_cut(inst, total, settings)
    low_rows = np.flatnonzero(cut.is_low(series.scores))
    if low_rows.size == 0:
        return []
    kind = "low_caregiver_alliance" if respondent == "caregiver" else "low_alliance"
    keys = series.keys[low_rows]
    answer_low, answer_high = answer_range(inst, total)
    common = {
        "max": scales.high_text["total"],
        "answer_low": texts.number(answer_low),
        "answer_high": texts.number(answer_high),
        "threshold": texts.number(cut.value),
        "basis": texts.LOW_ALLIANCE_BASIS[cut.basis],
        "instrument": scales.name,
    }
    divisor = item_divisor(total)
    keys_used: tuple[str, ...] = ("low_alliance.srs",) if inst.id == "srs" else (kind,)
    advice = keys_used[0]
    located = (*keys_used, "low_alliance.suffix")
    # The lowest part relative to its range (the first of the parts when tied), where the
    # total's session has part ratings; SRS totals are not located.
    lowest_part = np.full(low_rows.size, -1, dtype=np.int64)
    lowest_score = np.zeros(low_rows.size)
    if inst.id != "srs" and parts:
        best = np.full(low_rows.size, np.inf)
        for k, part in enumerate(parts):
            r = _lookup(part.series, keys)
            rated = r >= 0
            rated_scores = part.series.scores[np.maximum(r, 0)]
            relative = (rated_scores - scales.low[part.scale]) / part.span
            better = rated & ((lowest_part < 0) | (relative < best))
            best = np.where(better, relative, best)
            lowest_part = np.where(better, k, lowest_part)
            lowest_score = np.where(better, rated_scores, lowest_score)
    part_values = [
        {
            "part": texts.PART_NAMES.get(p.scale, p.scale),
            "part_max": scales.high_text[p.scale],
        }
        for p in parts
    ]
    out = []
    for row, part_k, part_score in zip(
        low_rows.tolist(), lowest_part.tolist(), lowest_score.tolist(), strict=True
    ):
        score = float(series.scores[row])
        values = common | {
            "session": str(int(series.sessions[row])),
            "score": texts.number(score),
            "item_mean": texts.number(score / divisor, 2),
        }
        facts: dict[str, FactValue] = {"score": score, "threshold": cut.value}
        used = keys_used
        if part_k >= 0:
            part = parts[part_k]
            values |= part_values[part_k]
            values["part_score"] = texts.number(part_score)
            used = located
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
                explanation_keys=used,
                advice_key=advice,
            )
        )
    return out


def _rupture_advice(located: tuple[str, ...]) -> str:
    if not located:
        return "alliance_rupture.unlocated"
    if located == ("bond",):
        return "alliance_rupture.bond"
    if "bond" in located:
        return "alliance_rupture.mixed"
    return "alliance_rupture.work"


def _rupture_alerts(
    table: _Table,
    scales: _Scales,
    respondent: str,
    events: tuple[RuptureEvent, ...],
    rule: RuptureRule,
) -> list[tuple[int, Alert]]:
    inst = scales.inst
    who, whose = texts.RATERS[respondent]
    common = {
        "who": who,
        "whose": whose,
        "instrument": scales.name,
        "threshold_basis": texts.RUPTURE_BASIS[rule.basis],
    }
    part_template = texts.TEXTS["alliance_rupture.part"].explanation
    baseline_bases: dict[int, str] = {}
    out: list[tuple[int, Alert]] = []
    for event in events:
        n_baseline = event.n_baseline
        baseline_basis = baseline_bases.get(n_baseline)
        if baseline_basis is None:
            basis_key = "last" if n_baseline == 1 else "mean"
            baseline_basis = texts.BASELINE_BASIS[basis_key].format(n=n_baseline)
            baseline_bases[n_baseline] = baseline_basis
        session, score = str(event.session), texts.number(event.score)
        values = common | {
            "session": session,
            "score": score,
            "drop": texts.number(event.drop),
            "baseline": texts.number(event.baseline),
            "baseline_basis": baseline_basis,
            "threshold": texts.number(event.threshold),
            "rupture_session": session,
            "rupture_score": score,
        }
        located = event.located
        keys: tuple[str, ...] = ("alliance_rupture",)
        if located:
            phrases = [
                part_template.format(
                    part=texts.PART_NAMES.get(p.scale, p.scale),
                    part_baseline=texts.number(p.baseline),
                    part_score=texts.number(p.score),
                    part_max=scales.high_text[p.scale],
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
        out.append(
            table.alert(
                event.group,
                "alliance_rupture",
                event.session,
                inst.id,
                "total",
                values,
                facts,
                explanation_keys=keys,
                advice_key=_rupture_advice(located),
            )
        )
        # What became of it: back to baseline within the repair window, or not.
        if event.repair_session is not None and event.repair_score is not None:
            ended, ended_score = "alliance_rupture_resolved", event.repair_score
            done = values | {
                "session": str(event.repair_session),
                "score": texts.number(ended_score),
            }
            at = event.repair_session
        elif event.closed_session is not None and event.closed_score is not None:
            ended, ended_score = "alliance_rupture_unresolved", event.closed_score
            done = values | {
                "session": str(event.closed_session),
                "score": texts.number(ended_score),
                "n_after": str(event.n_after),
            }
            at = event.closed_session
        else:
            continue
        more = facts | {"rupture_session": event.session, "score": ended_score}
        out.append(table.alert(event.group, ended, at, inst.id, "total", done, more))
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
    constant = [
        {
            "part": texts.PART_NAMES.get(scale_id, scale_id),
            "topic": texts.PART_TOPICS.get(scale_id, scale_id),
            "practitioner_instrument": texts.instrument_name(practitioner_id),
            "client_instrument": texts.instrument_name(client_id),
            "max": texts.number(client_inst.raw_range(client_inst.scale_index[scale_id])[1]),
            "threshold": texts.number(settings.discrepancy_threshold),
        }
        for scale_id in order
    ]
    out = []
    for i in pick[first].tolist():
        rank = int(ranks[i])
        values = constant[rank] | {
            "session": str(int(sessions[i])),
            "practitioner_score": texts.number(float(p_scores[i])),
            "client_score": texts.number(float(c_scores[i])),
            "gap": texts.number(float(gap[i]), 2),
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
                group,
                "alliance_discrepancy",
                int(sessions[i]),
                client_id,
                order[rank],
                values,
                facts,
            )
        )
    return out
