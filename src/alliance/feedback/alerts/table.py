"""The checked history split into one series per (instrument, respondent, scale), which
every rule reads, and the alert of a client that every rule returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alliance.measures import Instrument, get_instrument

from ..alliance_signals import SESSION_LIMIT, Series, part_scales, total_scale
from .history import RESPONDENTS, _History
from .kinds import ALERT_KINDS, Alert, FactValue, Severity, _texts


@dataclass(frozen=True)
class _Table:
    """The history split into one :class:`Series` per (instrument, respondent, scale)."""

    history: _History
    series_by_key: dict[tuple[str, str, str], Series]

    @property
    def clients(self) -> list[str]:
        return self.history.client.values

    @classmethod
    def build(cls, history: _History) -> _Table:
        o = history.order
        keys = history.series_key[o]
        cuts = np.flatnonzero(keys[1:] != keys[:-1]) + 1
        n_resp, n_scale = len(history.respondent.values), len(history.scale.values)
        found: dict[tuple[str, str, str], Series] = {}
        for rows in np.split(o, cuts) if o.size else []:
            rows = rows[~np.isnan(history.scores[rows])]
            if rows.size == 0:
                continue
            key = int(history.series_key[rows[0]])
            triple = (
                history.instrument.values[key // (n_resp * n_scale)],
                history.respondent.values[(key // n_scale) % n_resp],
                history.scale.values[key % n_scale],
            )
            found[triple] = Series(
                groups=history.client.codes[rows],
                sessions=history.sessions[rows],
                scores=history.scores[rows],
            )
        _add_derived_totals(found)
        return cls(history, found)

    def instruments(self) -> list[Instrument]:
        return [get_instrument(i) for i in dict.fromkeys(k[0] for k in self.series_by_key)]

    def series(self, instrument: str, respondent: str, scale: str) -> Series | None:
        return self.series_by_key.get((instrument, respondent, scale))

    def respondents(self, instrument: str) -> list[str]:
        present = {k[1] for k in self.series_by_key if k[0] == instrument}
        return [r for r in RESPONDENTS if r in present]

    def alert(
        self,
        group: int,
        kind: str,
        session: int,
        instrument: str | None,
        scale: str | None,
        values: dict[str, str],
        facts: dict[str, FactValue],
        *,
        explanation_keys: tuple[str, ...] | None = None,
        advice_key: str | None = None,
        severity: Severity | None = None,
    ) -> tuple[int, Alert]:
        """``(group, alert)``: the alert of ``kind`` for the client of ``group``, with its
        texts filled in from ``values`` (see ``_texts``).  Every rule returns these pairs, so
        that the engine can order the alerts by client.  ``severity`` overrides the kind's."""
        explanation, suggestions = _texts(kind, values, explanation_keys, advice_key)
        alert = Alert(
            client_id=self.clients[group],
            session=session,
            kind=kind,
            scale=scale,
            severity=ALERT_KINDS[kind].severity if severity is None else severity,
            explanation=explanation,
            suggestions=suggestions,
            instrument=instrument,
            facts=facts,
        )
        return group, alert


def _add_derived_totals(found: dict[tuple[str, str, str], Series]) -> None:
    """Add the total of an alliance instrument whose parts partition the total's items,
    for the sessions where every part but not the total was rated (WAI-SR: goal + task +
    bond)."""
    for instrument_id, respondent in dict.fromkeys(k[:2] for k in found):
        inst = get_instrument(instrument_id)
        total, parts = total_scale(inst), part_scales(inst)
        if inst.kind != "alliance" or total is None or not parts or total.transform:
            continue
        items = sorted(i for p in parts for i in p.items)
        if items != sorted(total.items) or any(s.aggregation != "sum" for s in (total, *parts)):
            continue
        rated = [found.get((instrument_id, respondent, p.id)) for p in parts]
        if any(r is None for r in rated):
            continue
        part_series = [r for r in rated if r is not None]
        keys = part_series[0].keys
        for other in part_series[1:]:
            keys = np.intersect1d(keys, other.keys, assume_unique=True)
        existing = found.get((instrument_id, respondent, "total"))
        if existing is not None:
            keys = keys[~np.isin(keys, existing.keys, assume_unique=True)]
        if keys.size == 0:
            continue
        sums = np.zeros(keys.size)
        for other in part_series:
            sums += other.scores[np.searchsorted(other.keys, keys)]
        if existing is not None:
            keys = np.concatenate((existing.keys, keys))
            sums = np.concatenate((existing.scores, sums))
            order = np.argsort(keys, kind="stable")
            keys, sums = keys[order], sums[order]
        found[(instrument_id, respondent, "total")] = Series(
            groups=keys // SESSION_LIMIT, sessions=keys % SESSION_LIMIT, scores=sums
        )
