"""Explained alerts over clients' score histories.

A history is a long table, one row per scale score: ``client_id, session, instrument,
respondent, scale, score`` plus optional ``attended`` (true/false) and ``flags`` (flag ids
of the instrument raised by that response, separated by ``;``, ``,`` or spaces).
``alerts_for_frame(history)`` evaluates every client at once (vectorised over rows; Python
loops run over the alerts found and over a handful of instrument/scale series, never over
rows); ``client_alerts(history)`` is the same for one client, for the feedback computed
within the request that stores a submission (about 3 ms for 20 sessions of three
measures).

Alerts are raised *as of* each session: an alert at session *t* uses only the ratings up
to *t* (a repaired or unrepaired rupture is reported at the session where that became
known), so the alerts of a history cut at *t* are the alerts of the full history up to *t*
and an application can store them keyed by (client, session, kind, instrument, scale)
without duplicates when it recomputes after each submission.  The exception is sudden
gains and losses, whose third criterion needs up to three later sessions: they are
reported at the post-gain session once those sessions are in.

Rules (the registry ``ALERT_KINDS`` lists each kind with its severity and rule):

- alliance (instruments of kind ``alliance``; see :mod:`.alliance_signals`): ``low_alliance``
  (client), ``low_caregiver_alliance`` (caregiver, e.g. TASC-P for a child client),
  ``alliance_rupture`` with ``alliance_rupture_resolved`` / ``alliance_rupture_unresolved``
  (client or caregiver), ``alliance_discrepancy`` (WAI-SR-T vs WAI-SR, same session).
  Low ratings and discrepancies are raised at every session where they occur, since each
  is a new rating the practitioner should respond to.  A WAI-SR(-T) total that is absent
  but whose goal, task and bond scores are all present is derived as their sum (the
  total is the sum of the 12 items, and the parts partition them).
- ``reliable_deterioration``: outcome and wellbeing scales with change parameters in their
  definition; the score at a session is worse than the client's first score on that scale
  by at least ``change.threshold`` (Jacobson & Truax 1991, or the published figure, e.g.
  PHQ-9 6 and GAD-7 4 as in NHS Talking Therapies), in the scale's ``direction``.  Raised
  at the session where it starts to hold (again), not repeated while it lasts.
- ``risk_item``: item-level risk flags of the definitions (flags whose id starts with
  ``risk_``, e.g. PHQ-9 item 9 and CORE-10 item 6).  The history has scale scores, not
  answers, so a risk item is given either as a row whose ``scale`` is the flagged item id
  (``phq9, scale phq9_9, score 1``: the answer is then checked against the flag's rule),
  or through the ``flags`` column of any row of that response (``risk_self_harm``, the
  ``flags`` output of ``alliance score``).
- through the other feedback modules: ``sudden_gain`` / ``sudden_loss``
  (:mod:`.sudden_gains`, on outcome scales with change parameters, cutoff = reliable
  change), ``not_on_track`` (:mod:`.etr`, only with fitted models passed as
  ``etr_models``; raised when it starts to hold, like reliable deterioration) and
  ``dropout_risk`` (:mod:`.dropout`, as of each of the first five sessions; see
  ``_dropout_alerts``).

Every explanation and suggestion comes from :mod:`.texts`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from string import Formatter
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance.measures import Instrument, Scale, get_instrument, instrument_ids

from . import dropout, texts
from .alliance_signals import (
    SESSION_LIMIT,
    TOLERANCE,
    AllianceSettings,
    BoolArray,
    FloatArray,
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
from .errors import FeedbackError
from .io import ColumnKind, convert_column, read_table

if TYPE_CHECKING:  # the statistics stack (statsmodels, scipy) loads only when used
    from .etr import EtrModel

Severity = Literal["info", "warning", "urgent"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "urgent")
RESPONDENTS = ("client", "caregiver", "practitioner")
HISTORY_COLUMNS = ("client_id", "session", "instrument", "respondent", "scale", "score")
FactValue = float | int | str | None


@dataclass(frozen=True)
class AlertKind:
    """A registered kind of alert: default severity and the rule that raises it."""

    id: str
    severity: Severity
    rule: str


ALERT_KINDS: dict[str, AlertKind] = {
    kind.id: kind
    for kind in (
        AlertKind(
            "not_on_track",
            "warning",
            "score worse than the warning boundary of the expected treatment response "
            "(alliance.feedback.etr)",
        ),
        AlertKind(
            "reliable_deterioration",
            "warning",
            "worse than the first score by at least the scale's reliable change "
            "(Jacobson & Truax 1991; definition change parameters)",
        ),
        AlertKind(
            "low_alliance",
            "warning",
            "client alliance total below the concern level (SRS < 36; WAI-SR item mean "
            "below the answer-scale midpoint, a convention)",
        ),
        AlertKind(
            "low_caregiver_alliance",
            "warning",
            "caregiver alliance total below the concern level (TASC-P item mean below the "
            "answer-scale midpoint, a convention)",
        ),
        AlertKind(
            "alliance_rupture",
            "warning",
            "drop from the rater's running baseline by at least the rupture threshold "
            "(SRS: 1 point from the previous session)",
        ),
        AlertKind(
            "alliance_rupture_resolved",
            "info",
            "a rupture's rating came back to its baseline within the repair window",
        ),
        AlertKind(
            "alliance_rupture_unresolved",
            "warning",
            "a rupture's rating did not come back to its baseline within the repair window",
        ),
        AlertKind(
            "alliance_discrepancy",
            "warning",
            "practitioner WAI-SR-T item mean at least one answer step above the client's "
            "WAI-SR in the same session",
        ),
        AlertKind(
            "dropout_risk",
            "warning",
            "early drop-out risk score in the first sessions (alliance.feedback.dropout)",
        ),
        AlertKind(
            "risk_item",
            "urgent",
            "an answer on a risk item meets the instrument's risk flag (e.g. PHQ-9 item 9 > 0)",
        ),
        AlertKind(
            "sudden_gain",
            "info",
            "sudden gain, Tang & DeRubeis 1999 criteria (alliance.feedback.sudden_gains)",
        ),
        AlertKind(
            "sudden_loss",
            "warning",
            "sudden loss, Tang & DeRubeis 1999 criteria mirrored (alliance.feedback.sudden_gains)",
        ),
    )
}
KIND_ORDER = {kind: n for n, kind in enumerate(ALERT_KINDS)}


@dataclass(frozen=True)
class Alert:
    """One explained alert; ``facts`` holds the numbers behind the explanation."""

    client_id: str
    session: int
    kind: str
    scale: str | None
    severity: Severity
    explanation: str
    suggestions: tuple[str, ...]
    instrument: str | None = None
    facts: Mapping[str, FactValue] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, object]:
        return {
            "client_id": self.client_id,
            "session": self.session,
            "kind": self.kind,
            "instrument": self.instrument,
            "scale": self.scale,
            "severity": self.severity,
            "explanation": self.explanation,
            "suggestions": list(self.suggestions),
        }


# -- reading and validating a history -----------------------------------------------------

HISTORY_KINDS: dict[str, ColumnKind] = {
    "client_id": "text",
    "session": "integer",
    "instrument": "text",
    "respondent": "text",
    "scale": "text",
    "score": "number",
}


def read_history(path: Path | str) -> pd.DataFrame:
    """Read and validate a history CSV/Parquet file (errors name the row and column)."""
    path = Path(path)
    return validate_history(read_table(path, HISTORY_KINDS), origin=path.name)


def validate_history(frame: pd.DataFrame, origin: str = "history") -> pd.DataFrame:
    """Check a history table and return it normalised: ``client_id``, ``instrument``,
    ``respondent`` and ``scale`` as text, ``session`` int64, ``score`` float64 (NaN for
    missing), and ``attended`` (True/False/None) and ``flags`` (text) when present.
    Raises FeedbackError naming the (1-based) row, the column and what was allowed."""
    return _History.from_frame(frame, origin).to_frame()


def risk_flags(instrument: Instrument) -> dict[str, str]:
    """Item id -> flag id of the instrument's item-level risk flags (ids ``risk_*``)."""
    return {
        flag.item: flag.id
        for flag in instrument.flags
        if flag.item is not None and flag.id.startswith("risk_")
    }


def score_bounds(instrument: Instrument, scale: Scale) -> tuple[float, float] | None:
    """The lowest and highest score a scale can take (after its transform), or None when
    it is not bounded by its items (goal attainment T-scores)."""
    if scale.aggregation == "kiresuk_sherman":
        return None
    low, high = instrument.raw_range(scale)
    if scale.transform is not None:
        if scale.transform.multiply is not None:
            ends = sorted((low * scale.transform.multiply, high * scale.transform.multiply))
            low, high = ends[0], ends[1]
        elif scale.transform.lookup is not None:
            values = list(scale.transform.lookup.values())
            low, high = min(values), max(values)
    return low, high


FLAG_SEPARATORS = re.compile(r"[;,\s]+")


def _split_flags(text: str) -> list[str]:
    return [t for t in FLAG_SEPARATORS.split(text) if t]


def _fail(origin: str, row: int, column: str, detail: str) -> FeedbackError:
    return FeedbackError(f"{origin}: row {row + 1}, column {column}: {detail}")


def _first(mask: BoolArray) -> int:
    return int(np.flatnonzero(mask)[0])


@dataclass(frozen=True)
class _Text:
    """A factorised text column: ``codes`` index ``values``."""

    codes: IntArray
    values: list[str]

    @classmethod
    def of(cls, origin: str, name: str, cells: pd.Series, check: bool) -> _Text:
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        codes = np.asarray(codes, dtype=np.int64)
        values = [str(u) for u in uniques]
        if check:
            if np.any(codes < 0):
                raise _fail(origin, _first(codes < 0), name, "empty; expected a value")
            for k, value in enumerate(values):
                if value.strip() == "":
                    raise _fail(origin, _first(codes == k), name, "empty; expected a value")
        return cls(codes, values)

    def check_member(self, origin: str, name: str, allowed: set[str]) -> None:
        for k, value in enumerate(self.values):
            if value not in allowed:
                raise _fail(
                    origin,
                    _first(self.codes == k),
                    name,
                    f"{value!r}; expected one of {', '.join(sorted(allowed))}",
                )


def _session_column(origin: str, cells: pd.Series) -> IntArray:
    if pd.api.types.is_integer_dtype(cells.dtype) and not cells.isna().any():
        values = cells.to_numpy(dtype=np.int64)
    elif pd.api.types.is_float_dtype(cells.dtype):
        floats = cells.to_numpy(dtype=np.float64)
        bad = ~np.isfinite(floats) | (floats != np.floor(floats))
        if bad.any():
            row = _first(bad)
            raise _fail(origin, row, "session", f"{floats[row]!r}; expected a whole number")
        values = floats.astype(np.int64)
    else:
        text = cells.astype(object).where(cells.notna(), "").astype(str)
        values = convert_column(origin, "session", text, "integer").to_numpy(dtype=np.int64)
    bad = (values < 0) | (values >= SESSION_LIMIT)
    if bad.any():
        row = _first(bad)
        raise _fail(
            origin, row, "session", f"{values[row]}; expected a whole number from 0 upwards"
        )
    return values


def _score_column(origin: str, cells: pd.Series) -> FloatArray:
    if pd.api.types.is_numeric_dtype(cells.dtype) and not pd.api.types.is_bool_dtype(cells):
        values = cells.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.isinf(values)
        if bad.any():
            raise _fail(origin, _first(bad), "score", "not a finite number")
        return values
    text = cells.astype(object).where(cells.notna(), "").astype(str)
    return convert_column(origin, "score", text, "number").to_numpy(dtype=np.float64)


@dataclass(frozen=True)
class _History:
    """A checked history held as arrays (text columns factorised)."""

    client: _Text
    instrument: _Text
    respondent: _Text
    scale: _Text
    sessions: IntArray
    scores: FloatArray
    attended: npt.NDArray[np.object_] | None
    flags: pd.Series | None
    series_key: IntArray
    order: IntArray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, origin: str, check: bool = True) -> _History:
        if not isinstance(frame, pd.DataFrame):
            raise FeedbackError(f"{origin}: expected a pandas DataFrame")
        lacking = [c for c in HISTORY_COLUMNS if c not in frame.columns]
        if lacking:
            raise FeedbackError(f"{origin}: lacks columns {lacking}; it has {list(frame.columns)}")
        client = _Text.of(origin, "client_id", frame["client_id"], check)
        instrument = _Text.of(origin, "instrument", frame["instrument"], check)
        respondent = _Text.of(origin, "respondent", frame["respondent"], check)
        scale = _Text.of(origin, "scale", frame["scale"], check)
        sessions = _session_column(origin, frame["session"])
        scores = _score_column(origin, frame["score"])
        if check:
            instrument.check_member(origin, "instrument", set(instrument_ids()))
            respondent.check_member(origin, "respondent", set(RESPONDENTS))
            _check_scales(origin, instrument, scale, scores)
        attended = None
        if "attended" in frame.columns:
            cells = frame["attended"]
            if pd.api.types.is_bool_dtype(cells.dtype) and not cells.isna().any():
                attended = cells.to_numpy(dtype=object)
            else:
                text = cells.astype(object).where(cells.notna(), "").astype(str)
                attended = convert_column(origin, "attended", text, "boolean").to_numpy(
                    dtype=object
                )
        flags = None
        if "flags" in frame.columns:
            cells = frame["flags"]
            flags = cells.astype(object).where(cells.notna(), "").astype(str).str.strip()
            flags = flags.reset_index(drop=True)
            if check:
                _check_flags(origin, instrument, flags)
        n_resp, n_scale = len(respondent.values), len(scale.values)
        series_key = (instrument.codes * n_resp + respondent.codes) * n_scale + scale.codes
        order = np.lexsort((sessions, client.codes, series_key)).astype(np.int64)
        history = cls(
            client,
            instrument,
            respondent,
            scale,
            sessions,
            scores,
            attended,
            flags,
            series_key,
            order,
        )
        history._check_duplicates(origin)
        return history

    def _check_duplicates(self, origin: str) -> None:
        o = self.order
        same = (
            (self.series_key[o][1:] == self.series_key[o][:-1])
            & (self.client.codes[o][1:] == self.client.codes[o][:-1])
            & (self.sessions[o][1:] == self.sessions[o][:-1])
        )
        if same.any():
            at = _first(same)
            first, again = sorted((int(o[at]), int(o[at + 1])))
            raise _fail(
                origin,
                again,
                "scale",
                f"{self.scale.values[self.scale.codes[again]]!r} of "
                f"{self.instrument.values[self.instrument.codes[again]]} "
                f"({self.respondent.values[self.respondent.codes[again]]}) for client "
                f"{self.client.values[self.client.codes[again]]!r} at session "
                f"{self.sessions[again]} repeats row {first + 1}; expected one score per scale",
            )

    def to_frame(self) -> pd.DataFrame:
        columns: dict[str, object] = {
            "client_id": np.asarray(self.client.values, dtype=object)[self.client.codes],
            "session": self.sessions,
            "instrument": np.asarray(self.instrument.values, dtype=object)[self.instrument.codes],
            "respondent": np.asarray(self.respondent.values, dtype=object)[self.respondent.codes],
            "scale": np.asarray(self.scale.values, dtype=object)[self.scale.codes],
            "score": self.scores,
        }
        if self.attended is not None:
            columns["attended"] = self.attended
        if self.flags is not None:
            columns["flags"] = self.flags.to_numpy(dtype=object)
        return pd.DataFrame(columns)


def _check_scales(origin: str, instrument: _Text, scale: _Text, scores: FloatArray) -> None:
    pair = instrument.codes * len(scale.values) + scale.codes
    pairs, inverse = np.unique(pair, return_inverse=True)
    low = np.full(pairs.size, -np.inf)
    high = np.full(pairs.size, np.inf)
    for k, p in enumerate(pairs.tolist()):
        inst = get_instrument(instrument.values[p // len(scale.values)])
        scale_id = scale.values[p % len(scale.values)]
        risky = risk_flags(inst)
        if scale_id in inst.scale_index:
            bounds = score_bounds(inst, inst.scale_index[scale_id])
        elif scale_id in risky:
            response = inst.response_set_of(scale_id)
            bounds = (response.low, response.high)
        else:
            allowed = [s.id for s in inst.scales] + list(risky)
            raise _fail(
                origin,
                _first(pair == p),
                "scale",
                f"{scale_id!r} is not a scale of {inst.id}; expected one of {', '.join(allowed)}",
            )
        if bounds is not None:
            low[k], high[k] = bounds
    with np.errstate(invalid="ignore"):
        bad = (scores < low[inverse] - TOLERANCE) | (scores > high[inverse] + TOLERANCE)
    if bad.any():
        row = _first(bad)
        k = int(inverse[row])
        raise _fail(
            origin,
            row,
            "score",
            f"{scores[row]:g} is outside the range of "
            f"{instrument.values[instrument.codes[row]]} {scale.values[scale.codes[row]]} "
            f"({low[k]:g} to {high[k]:g})",
        )


def _check_flags(origin: str, instrument: _Text, flags: pd.Series) -> None:
    has = (flags != "").to_numpy()
    if not has.any():
        return
    combos = pd.DataFrame({"i": instrument.codes[has], "f": flags.to_numpy()[has]})
    for i, text in combos.drop_duplicates().itertuples(index=False):
        inst = get_instrument(instrument.values[int(i)])
        known = {f.id for f in inst.flags}
        for token in _split_flags(str(text)):
            if token not in known:
                row = _first(has & (instrument.codes == i) & (flags == text).to_numpy())
                allowed = ", ".join(sorted(known)) or "none (it has no flags)"
                raise _fail(
                    origin,
                    row,
                    "flags",
                    f"{token!r} is not a flag of {inst.id}; expected {allowed}",
                )


# -- evaluating histories -----------------------------------------------------------------


def client_alerts(
    history: pd.DataFrame,
    *,
    client_id: str | None = None,
    settings: AllianceSettings | None = None,
    etr_models: Sequence[EtrModel] = (),
    validate: bool = True,
) -> list[Alert]:
    """All alerts of one client's history (module docstring).  ``client_id`` names the
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
    found.sort(key=lambda ga: (ga[0], ga[1].session, KIND_ORDER[ga[1].kind], ga[1].scale or ""))
    return [a for _, a in found]


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


# -- alerts: alliance ---------------------------------------------------------------------


def _alert(
    kind: str,
    client_id: str,
    session: int,
    instrument: str | None,
    scale: str | None,
    explanation_keys: tuple[str, ...],
    advice_key: str,
    values: dict[str, str],
    facts: dict[str, FactValue],
) -> Alert:
    explanation = "".join(texts.TEXTS[k].explanation.format(**values) for k in explanation_keys)
    return Alert(
        client_id=client_id,
        session=session,
        kind=kind,
        scale=scale,
        severity=ALERT_KINDS[kind].severity,
        explanation=explanation,
        suggestions=_suggestions(advice_key, values),
        instrument=instrument,
        facts=facts,
    )


_FIXED_SUGGESTIONS: dict[str, tuple[str, ...]] = {}


def _suggestions(key: str, values: dict[str, str]) -> tuple[str, ...]:
    fixed = _FIXED_SUGGESTIONS.get(key)
    if fixed is not None:
        return fixed
    text = texts.TEXTS[key]
    rendered = tuple(s.format(**values) for s in text.suggestions)
    if not any(name for s in text.suggestions for _, name, _, _ in Formatter().parse(s)):
        _FIXED_SUGGESTIONS[key] = rendered
    return rendered


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
            (
                int(series.groups[row]),
                _alert(
                    kind,
                    table.clients[int(series.groups[row])],
                    int(series.sessions[row]),
                    inst.id,
                    "total",
                    keys_used,
                    advice,
                    values,
                    facts,
                ),
            )
        )
    return out


def _rupture_alerts(
    table: _Table, inst: Instrument, respondent: str, event: RuptureEvent, rule: RuptureRule
) -> list[tuple[int, Alert]]:
    who, whose = texts.RATERS[respondent]
    client_id = table.clients[event.group]
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
        (
            event.group,
            _alert(
                "alliance_rupture",
                client_id,
                event.session,
                inst.id,
                "total",
                keys,
                advice,
                values,
                facts,
            ),
        )
    ]
    if event.repair_session is not None and event.repair_score is not None:
        done = values | {
            "session": str(event.repair_session),
            "score": texts.number(event.repair_score),
        }
        out.append(
            (
                event.group,
                _alert(
                    "alliance_rupture_resolved",
                    client_id,
                    event.repair_session,
                    inst.id,
                    "total",
                    ("alliance_rupture_resolved",),
                    "alliance_rupture_resolved",
                    done,
                    facts | {"rupture_session": event.session, "score": event.repair_score},
                ),
            )
        )
    if event.closed_session is not None and event.closed_score is not None:
        done = values | {
            "session": str(event.closed_session),
            "score": texts.number(event.closed_score),
            "n_after": str(event.n_after),
        }
        out.append(
            (
                event.group,
                _alert(
                    "alliance_rupture_unresolved",
                    client_id,
                    event.closed_session,
                    inst.id,
                    "total",
                    ("alliance_rupture_unresolved",),
                    "alliance_rupture_unresolved",
                    done,
                    facts | {"rupture_session": event.session, "score": event.closed_score},
                ),
            )
        )
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
            (
                group,
                _alert(
                    "alliance_discrepancy",
                    table.clients[group],
                    int(sessions[i]),
                    client_id,
                    scale_id,
                    ("alliance_discrepancy",),
                    "alliance_discrepancy",
                    values,
                    facts,
                ),
            )
        )
    return out


# -- alerts: outcome ----------------------------------------------------------------------


def _deterioration_alerts(table: _Table, inst: Instrument) -> list[tuple[int, Alert]]:
    out: list[tuple[int, Alert]] = []
    for scale in inst.scales:
        if scale.change is None:
            continue
        threshold = scale.change.threshold
        for respondent in table.respondents(inst.id):
            series = table.series(inst.id, respondent, scale.id)
            if series is None:
                continue
            starts, _ = series.bounds()
            first = series.scores[starts]
            worse = series.scores - first
            if scale.change.direction == "higher-is-better":
                worse = -worse
            bad = worse >= threshold - TOLERANCE
            before = np.zeros_like(bad)
            before[1:] = bad[:-1]
            before[starts == np.arange(len(series))] = False
            for row in np.flatnonzero(bad & ~before).tolist():
                group = int(series.groups[row])
                start = int(starts[row])
                values = {
                    "session": str(int(series.sessions[row])),
                    "instrument": texts.instrument_name(inst.id),
                    "score": texts.number(float(series.scores[row])),
                    "first_score": texts.number(float(first[row])),
                    "first_session": str(int(series.sessions[start])),
                    "change": texts.number(float(worse[row])),
                    "threshold": texts.number(threshold),
                }
                facts: dict[str, FactValue] = {
                    "score": float(series.scores[row]),
                    "first_score": float(first[row]),
                    "first_session": int(series.sessions[start]),
                    "change": float(worse[row]),
                    "threshold": threshold,
                    "respondent": respondent,
                }
                out.append(
                    (
                        group,
                        _alert(
                            "reliable_deterioration",
                            table.clients[group],
                            int(series.sessions[row]),
                            inst.id,
                            scale.id,
                            ("reliable_deterioration",),
                            "reliable_deterioration",
                            values,
                            facts,
                        ),
                    )
                )
    return out


# -- alerts: risk -------------------------------------------------------------------------


def _meets(op: str, observed: FloatArray, value: float) -> BoolArray:
    ops = {
        "gt": np.greater,
        "ge": np.greater_equal,
        "lt": np.less,
        "le": np.less_equal,
        "eq": np.equal,
    }
    return np.asarray(ops[op](observed, value))


def _risk_values(inst: Instrument, item: str, session: int) -> dict[str, str]:
    flag = next(f for f in inst.flags if f.item == item)
    response = inst.response_set_of(item)
    return {
        "session": str(session),
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
            for row in np.flatnonzero(_meets(flag.op, series.scores, flag.value)).tolist():
                group, session = int(series.groups[row]), int(series.sessions[row])
                answer = float(series.scores[row])
                values = _risk_values(inst, item, session) | {"answer": texts.number(answer)}
                out.append(
                    (
                        group,
                        _alert(
                            "risk_item",
                            table.clients[group],
                            session,
                            inst.id,
                            item,
                            ("risk_item",),
                            "risk_item",
                            values,
                            {"answer": answer, "flag": flag.id},
                        ),
                    )
                )
    return out


def _risk_flag_alerts(
    table: _Table, seen: set[tuple[int, int, str | None, str | None]]
) -> list[tuple[int, Alert]]:
    history = table.history
    if history.flags is None:
        return []
    rows = np.flatnonzero(history.flags.str.contains("risk_", regex=False).to_numpy())
    out: list[tuple[int, Alert]] = []
    for row in rows.tolist():
        inst = get_instrument(history.instrument.values[history.instrument.codes[row]])
        by_id = {f.id: f for f in inst.flags}
        group, session = int(history.client.codes[row]), int(history.sessions[row])
        for token in _split_flags(str(history.flags.iat[row])):
            flag = by_id.get(token)
            if flag is None or not flag.id.startswith("risk_") or flag.item is None:
                continue
            key = (group, session, inst.id, flag.item)
            if key in seen:
                continue
            seen.add(key)
            values = _risk_values(inst, flag.item, session)
            out.append(
                (
                    group,
                    _alert(
                        "risk_item",
                        table.clients[group],
                        session,
                        inst.id,
                        flag.item,
                        ("risk_item.flag",),
                        "risk_item",
                        values,
                        {"flag": flag.id},
                    ),
                )
            )
    return out


# -- adapters to the other feedback modules -----------------------------------------------


@dataclass(frozen=True)
class _SuddenEvents:
    groups: IntArray
    pre_sessions: IntArray
    post_sessions: IntArray
    pre_scores: FloatArray
    post_scores: FloatArray
    magnitudes: FloatArray
    reversals: BoolArray


def _sudden_events(
    series: Series, single: bool, instrument: str, scale: str, losses: bool
) -> _SuddenEvents:
    """Events of every group on a grid of every whole session number from the first to the
    last of ``series``: the one-client function for one client, else the table function
    (a padding row with id -1 makes the table's grid the full range)."""
    from . import sudden_gains  # imports scipy

    grid = np.arange(int(series.sessions.min()), int(series.sessions.max()) + 1)
    if single:
        scores = np.full(grid.size, np.nan)
        scores[series.sessions - grid[0]] = series.scores
        found = sudden_gains.client_sudden_gains(
            grid, scores, instrument=instrument, scale=scale, losses=losses
        )
        return _SuddenEvents(
            groups=np.full(len(found), int(series.groups[0]), dtype=np.int64),
            pre_sessions=np.asarray([e.pregain_session for e in found], dtype=np.int64),
            post_sessions=np.asarray([e.postgain_session for e in found], dtype=np.int64),
            pre_scores=np.asarray([e.pregain_score for e in found], dtype=np.float64),
            post_scores=np.asarray([e.postgain_score for e in found], dtype=np.float64),
            magnitudes=np.asarray([e.magnitude for e in found], dtype=np.float64),
            reversals=np.asarray([e.reversal for e in found], dtype=bool),
        )
    frame = pd.DataFrame(
        {
            "id": np.concatenate((series.groups, np.full(grid.size, -1))),
            "session": np.concatenate((series.sessions, grid)),
            "score": np.concatenate((series.scores, np.full(grid.size, np.nan))),
        }
    )
    events = sudden_gains.sudden_gains(
        frame, "id", "session", "score", instrument=instrument, scale=scale, losses=losses
    )
    return _SuddenEvents(
        groups=events["id"].to_numpy(dtype=np.int64),
        pre_sessions=events["pregain_session"].to_numpy(dtype=np.int64),
        post_sessions=events["postgain_session"].to_numpy(dtype=np.int64),
        pre_scores=events["pregain_score"].to_numpy(dtype=np.float64),
        post_scores=events["postgain_score"].to_numpy(dtype=np.float64),
        magnitudes=events["magnitude"].to_numpy(dtype=np.float64),
        reversals=events["reversal"].to_numpy(dtype=bool),
    )


def _sudden_change_alerts(table: _Table, inst: Instrument) -> list[tuple[int, Alert]]:
    """Sudden gains and losses (:mod:`.sudden_gains`, Tang & DeRubeis 1999 with the
    missing-data rule of Lutz et al. 2013) on every outcome scale with change parameters,
    with the instrument's reliable change as cutoff.  Occasions are every whole session
    number from the first to the last (a missing number is a missed occasion, so no gain is
    bridged across it).  Reported at the post-gain session; unlike the other kinds these
    use up to three later sessions (criterion 3)."""
    out: list[tuple[int, Alert]] = []
    single = len(table.clients) == 1
    for scale in inst.scales:
        if scale.change is None:
            continue
        for respondent in table.respondents(inst.id):
            series = table.series(inst.id, respondent, scale.id)
            if series is None or len(series) < 4:
                continue
            for losses, kind in ((False, "sudden_gain"), (True, "sudden_loss")):
                ev = _sudden_events(series, single, inst.id, scale.id, losses)
                for i in range(ev.groups.size):
                    group, session = int(ev.groups[i]), int(ev.post_sessions[i])
                    values = {
                        "session": str(session),
                        "pregain_session": str(int(ev.pre_sessions[i])),
                        "instrument": texts.instrument_name(inst.id),
                        "magnitude": texts.number(float(ev.magnitudes[i])),
                        "pregain_score": texts.number(float(ev.pre_scores[i])),
                        "postgain_score": texts.number(float(ev.post_scores[i])),
                    }
                    facts: dict[str, FactValue] = {
                        "pregain_session": int(ev.pre_sessions[i]),
                        "pregain_score": float(ev.pre_scores[i]),
                        "postgain_score": float(ev.post_scores[i]),
                        "magnitude": float(ev.magnitudes[i]),
                        "reversal": bool(ev.reversals[i]),
                        "respondent": respondent,
                    }
                    out.append(
                        (
                            group,
                            _alert(
                                kind,
                                table.clients[group],
                                session,
                                inst.id,
                                scale.id,
                                (kind,),
                                kind,
                                values,
                                facts,
                            ),
                        )
                    )
    return out


def _not_on_track_alerts(table: _Table, model: EtrModel) -> list[tuple[int, Alert]]:
    """Not on track (:mod:`.etr`): from the second score on, the score is worse than the
    model's warning boundary for the client's intake (first) score at that session.  Raised
    when it starts to hold (again), like reliable deterioration."""
    series = table.series(model.instrument, "client", model.scale)
    if series is None:
        return []
    starts, _ = series.bounds()
    intake = series.scores[starts]
    enough = np.arange(len(series)) > starts
    expected, boundary = model.predict(intake, series.sessions.astype(np.float64))
    if model.lower_is_better:
        worse = series.scores > boundary + TOLERANCE
    else:
        worse = series.scores < boundary - TOLERANCE
    off = enough & worse
    before = np.zeros_like(off)
    before[1:] = off[:-1]
    before[~np.r_[False, series.groups[1:] == series.groups[:-1]]] = False
    out: list[tuple[int, Alert]] = []
    tail = texts.number(100.0 - model.percentile) + "%"
    for row in np.flatnonzero(off & ~before).tolist():
        group, session = int(series.groups[row]), int(series.sessions[row])
        wanted = float(expected[row] - intake[row])
        percent = (
            100.0 * float(series.scores[row] - intake[row]) / wanted
            if abs(wanted) > TOLERANCE
            else None
        )
        values = {
            "session": str(session),
            "instrument": texts.instrument_name(model.instrument),
            "score": texts.number(float(series.scores[row])),
            "expected": texts.number(float(expected[row])),
            "boundary": texts.number(float(boundary[row])),
            "tail_percent": tail,
        }
        facts: dict[str, FactValue] = {
            "score": float(series.scores[row]),
            "intake": float(intake[row]),
            "expected": float(expected[row]),
            "boundary": float(boundary[row]),
            "percent_expected_change": percent,
        }
        out.append(
            (
                group,
                _alert(
                    "not_on_track",
                    table.clients[group],
                    session,
                    model.instrument,
                    model.scale,
                    ("not_on_track",),
                    "not_on_track",
                    values,
                    facts,
                ),
            )
        )
    return out


DROPOUT_OUTCOMES = ("phq9", "core10", "ors", "k10", "gad7")
DROPOUT_ALLIANCES = ("srs", "wai-sr")
DROPOUT_WINDOW = 5
LEVEL_RANK = {"low": 0, "medium": 1, "high": 2}
ALLIANCE_FACTORS = {"low_alliance", "falling_alliance"}


@dataclass(frozen=True)
class _EarlySessions:
    """Each client's sessions 1..DROPOUT_WINDOW as (client x session) matrices."""

    present: BoolArray
    missed: BoolArray
    answered: BoolArray
    outcome: FloatArray
    alliance: FloatArray


def _early_sessions(
    table: _Table, outcome_of: npt.NDArray[np.object_], alliance_of: npt.NDArray[np.object_]
) -> _EarlySessions:
    history = table.history
    n, w = len(table.clients), DROPOUT_WINDOW
    rows = np.flatnonzero((history.sessions >= 1) & (history.sessions <= w))
    g, col = history.client.codes[rows], history.sessions[rows] - 1
    present = np.zeros((n, w), dtype=bool)
    present[g, col] = True
    missed = np.zeros((n, w), dtype=bool)
    if history.attended is not None:
        off = np.asarray([a is False for a in history.attended[rows]], dtype=bool)
        missed[g[off], col[off]] = True
    answered = np.zeros((n, w), dtype=bool)
    scored = ~np.isnan(history.scores[rows])
    answered[g[scored], col[scored]] = True
    matrices = []
    for choice, options in ((outcome_of, DROPOUT_OUTCOMES), (alliance_of, DROPOUT_ALLIANCES)):
        values = np.full((n, w), np.nan)
        for instrument_id in options:
            series = table.series(instrument_id, "client", "total")
            if series is None:
                continue
            use = (series.sessions >= 1) & (series.sessions <= w)
            use &= choice[series.groups] == instrument_id
            values[series.groups[use], series.sessions[use] - 1] = series.scores[use]
        matrices.append(values)
    return _EarlySessions(present, missed, answered, matrices[0], matrices[1])


def _dropout_alerts(table: _Table) -> list[tuple[int, Alert]]:
    """Early drop-out risk (:mod:`.dropout`) as of each of the first five sessions: raised at
    a session where the level rises above the highest level already raised (medium, then
    high).  A level reached on alliance signs alone (low or falling alliance) is left to the
    alliance alerts, which locate the problem.  Each client's outcome measure is the first
    of DROPOUT_OUTCOMES they have, the alliance measure the first of DROPOUT_ALLIANCES
    (client-rated; WAI-SR totals derived from the parts count).  ``attended`` false counts
    as a missed session (the history does not tell cancellations apart); a session with
    rows but no score is an unanswered questionnaire."""
    n = len(table.clients)
    outcome_of = _first_choice(table, DROPOUT_OUTCOMES, n)
    alliance_of = _first_choice(table, DROPOUT_ALLIANCES, n)
    early = _early_sessions(table, outcome_of, alliance_of)
    if not early.present.any():
        return []
    out: list[tuple[int, Alert]] = []
    raised = np.zeros(n, dtype=np.int64)
    for t in range(1, DROPOUT_WINDOW + 1):
        at = np.flatnonzero(early.present[:, t - 1])
        if at.size == 0:
            continue
        for group, level, score, factors in _dropout_levels(early, at, t, outcome_of, alliance_of):
            rank = LEVEL_RANK[level]
            if rank <= raised[group] or set(factors) <= ALLIANCE_FACTORS:
                continue
            raised[group] = rank
            out.append((group, _dropout_alert(table, group, t, level, score, factors)))
    return out


def _dropout_levels(
    early: _EarlySessions,
    groups: IntArray,
    t: int,
    outcome_of: npt.NDArray[np.object_],
    alliance_of: npt.NDArray[np.object_],
) -> list[tuple[int, str, float, list[str]]]:
    """(group, level, score, factor ids) of ``groups`` as of session ``t``: the one-client
    function for a single client, else the table function once per instrument pair."""
    found: list[tuple[int, str, float, list[str]]] = []
    if groups.size == 1:
        g = int(groups[0])
        sessions = np.flatnonzero(early.present[g, :t])
        attendance = np.where(early.missed[g, sessions], "did_not_attend", "attended")
        risk = dropout.dropout_risk(
            [int(s) + 1 for s in sessions],
            outcome=early.outcome[g, sessions].tolist(),
            alliance=early.alliance[g, sessions].tolist(),
            attendance=attendance.tolist(),
            answered=early.answered[g, sessions].tolist(),
            outcome_instrument=str(outcome_of[g]),
            alliance_instrument=str(alliance_of[g]),
            window=DROPOUT_WINDOW,
        )
        found.append((g, risk.level, risk.score, [f.id for f in risk.factors]))
        return found
    pairs = pd.DataFrame({"o": outcome_of[groups], "a": alliance_of[groups]}).drop_duplicates()
    for o_choice, a_choice in pairs.itertuples(index=False, name=None):
        members = groups[(outcome_of[groups] == o_choice) & (alliance_of[groups] == a_choice)]
        which, col = np.nonzero(early.present[members, :t])
        rows = members[which]
        frame = pd.DataFrame(
            {
                "client_id": np.concatenate((rows, rows)),
                "session": np.concatenate((col, col)) + 1,
                "instrument": np.repeat([str(o_choice), str(a_choice)], rows.size),
                "scale": "total",
                "score": np.concatenate((early.outcome[rows, col], early.alliance[rows, col])),
                "attendance": np.tile(
                    np.where(early.missed[rows, col], "did_not_attend", "attended"), 2
                ),
                "answered": np.tile(early.answered[rows, col], 2),
            }
        )
        table_risk = dropout.dropout_risk_frame(
            frame,
            outcome_instrument=str(o_choice),
            alliance_instrument=str(a_choice),
            window=DROPOUT_WINDOW,
        )
        ids = table_risk["client_id"].astype(np.int64).to_numpy()
        levels = table_risk["level"].astype(str).to_numpy()
        scores = table_risk["risk_score"].to_numpy(dtype=np.float64)
        factors = table_risk["factors"].astype(str).to_numpy()
        for i in range(ids.size):
            ids_i = [f for f in str(factors[i]).split(";") if f]
            found.append((int(ids[i]), str(levels[i]), float(scores[i]), ids_i))
    return found


def _first_choice(table: _Table, preference: tuple[str, ...], n: int) -> npt.NDArray[np.object_]:
    choice = np.full(n, preference[0], dtype=object)
    decided = np.zeros(n, dtype=bool)
    for instrument_id in preference:
        series = table.series(instrument_id, "client", "total")
        if series is None:
            continue
        has = np.zeros(n, dtype=bool)
        has[series.groups] = True
        choice[has & ~decided] = instrument_id
        decided |= has
    return choice


def _dropout_alert(
    table: _Table, group: int, session: int, level: str, score: float, factors: list[str]
) -> Alert:
    names = [texts.DROPOUT_FACTORS.get(f, f.replace("_", " ")) for f in factors]
    values = {
        "session": str(session),
        "factors": ", ".join(names),
        "score": texts.number(score),
        "level": level,
    }
    facts: dict[str, FactValue] = {
        "risk_score": score,
        "level": level,
        "factors": ";".join(factors),
    }
    alert = _alert(
        "dropout_risk",
        table.clients[group],
        session,
        None,
        None,
        ("dropout_risk",),
        "dropout_risk",
        values,
        facts,
    )
    return replace(alert, severity="info") if level == "medium" else alert
