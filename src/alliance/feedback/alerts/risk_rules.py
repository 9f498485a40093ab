"""Risk item alerts: item-level risk flags, given as item rows or in the ``flags`` column."""

from __future__ import annotations

import numpy as np

from alliance.measures import Instrument, get_instrument

from .. import texts
from ..alliance_signals import BoolArray, FloatArray
from .history import _split_flags, risk_flags
from .kinds import Alert, FactValue
from .table import _Table


def _meets(op: str, observed: FloatArray, value: float) -> BoolArray:
    ops = {
        "gt": np.greater,
        "ge": np.greater_equal,
        "lt": np.less,
        "le": np.less_equal,
        "eq": np.equal,
    }
    return np.asarray(ops[op](observed, value))


def _risk_values(inst: Instrument, item: str) -> dict[str, str]:
    """The texts of a risk item's alerts but the session and the answer."""
    flag = next(f for f in inst.flags if f.item == item)
    response = inst.response_set_of(item)
    return {
        "instrument": texts.instrument_name(inst.id),
        "item": texts.RISK_ITEMS.get(item, f"item {item}"),
        "flag_value": texts.number(flag.value),
        "answer_low": texts.number(response.low),
        "answer_high": texts.number(response.high),
    }


def _risk_item_alerts(table: _Table, inst: Instrument) -> list[tuple[int, Alert]]:
    out: list[tuple[int, Alert]] = []
    for item, flag_id in risk_flags(inst).items():
        flag = next(f for f in inst.flags if f.id == flag_id)
        for respondent in table.respondents(inst.id):
            series = table.series(inst.id, respondent, item)
            if series is None:
                continue
            common = _risk_values(inst, item)
            for row in np.flatnonzero(_meets(flag.op, series.scores, flag.value)).tolist():
                group, session = int(series.groups[row]), int(series.sessions[row])
                answer = float(series.scores[row])
                values = {"session": str(session), **common, "answer": texts.number(answer)}
                facts: dict[str, FactValue] = {"answer": answer, "flag": flag.id}
                out.append(table.alert(group, "risk_item", session, inst.id, item, values, facts))
    return out


def _risk_flag_alerts(
    table: _Table, seen: set[tuple[int, int, str | None, str | None]]
) -> list[tuple[int, Alert]]:
    history = table.history
    if history.flags is None:
        return []
    flags = history.flags
    risky = [k for k, text in enumerate(flags.values) if "risk_" in text]
    rows = np.flatnonzero(np.isin(flags.codes, risky))
    out: list[tuple[int, Alert]] = []
    common: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows.tolist():
        inst = get_instrument(history.instrument.values[history.instrument.codes[row]])
        by_id = {f.id: f for f in inst.flags}
        group, session = int(history.client.codes[row]), int(history.sessions[row])
        for token in _split_flags(flags.values[flags.codes[row]]):
            flag = by_id.get(token)
            if flag is None or not flag.id.startswith("risk_") or flag.item is None:
                continue
            key = (group, session, inst.id, flag.item)
            if key in seen:
                continue
            seen.add(key)
            known = common.get((inst.id, flag.item))
            if known is None:
                known = common[(inst.id, flag.item)] = _risk_values(inst, flag.item)
            values = {"session": str(session), **known}
            out.append(
                table.alert(
                    group,
                    "risk_item",
                    session,
                    inst.id,
                    flag.item,
                    values,
                    {"flag": flag.id},
                    explanation_keys=("risk_item.flag",),
                )
            )
    return out
