"""Reading and validating a history table; the checked history held as arrays."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance.measures import Instrument, Scale, get_instrument, instrument_ids

from ..alliance_signals import SESSION_LIMIT, TOLERANCE, BoolArray, FloatArray, IntArray
from ..errors import FeedbackError
from ..io import ColumnKind, convert_column, read_table

RESPONDENTS = ("client", "caregiver", "practitioner")
HISTORY_COLUMNS = ("client_id", "session", "instrument", "respondent", "scale", "score")
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

    def cells(self) -> npt.NDArray[np.object_]:
        """The column again, one value per row."""
        return np.asarray(self.values, dtype=object)[self.codes]

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


def _attended_column(origin: str, cells: pd.Series) -> npt.NDArray[np.object_]:
    """True/False/None per row: booleans as they are, else text read as a yes/no answer
    (``convert_column``), each distinct text once."""
    if pd.api.types.is_bool_dtype(cells.dtype) and not cells.isna().any():
        return cells.to_numpy(dtype=object)
    values = cells.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("boolean", "empty"):
        out = np.full(values.size, None, dtype=object)
        known = ~pd.isna(values)
        out[known] = values[known].astype(bool)
        return out
    text = cells.astype(object).where(cells.notna(), "").astype(str)
    codes, uniques = pd.factorize(text)
    try:
        read = convert_column(origin, "attended", pd.Series(uniques), "boolean")
    except FeedbackError:
        convert_column(origin, "attended", text, "boolean")  # names the row
        raise
    return read.to_numpy(dtype=object)[codes]


def _flags_column(cells: pd.Series) -> _Text:
    """The flags column as text with surrounding spaces removed ('' for none), factorised;
    each distinct text is stripped once."""
    if pd.api.types.infer_dtype(cells, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        raw = [*(str(u) for u in uniques), ""]
        codes = np.where(codes < 0, len(raw) - 1, codes)
    else:
        text = cells.astype(object).where(cells.notna(), "").astype(str)
        codes, found = pd.factorize(text)
        raw = [str(u) for u in found]
    stripped = pd.Series(raw, dtype=object).astype(str).str.strip()
    return _Text(np.asarray(codes, dtype=np.int64), [str(v) for v in stripped])


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
    flags: _Text | None
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
            attended = _attended_column(origin, frame["attended"])
        flags = None
        if "flags" in frame.columns:
            flags = _flags_column(frame["flags"])
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
            columns["flags"] = self.flags.cells()
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


def _check_flags(origin: str, instrument: _Text, flags: _Text) -> None:
    # Checked once per (instrument, flag text) in order of first appearance; one text may
    # have several codes (raw texts that differ only in surrounding spaces).
    text_codes, distinct = pd.factorize(pd.Series(flags.values, dtype=object))
    row_text = np.asarray(text_codes, dtype=np.int64)[flags.codes]
    has = ~np.isin(row_text, [k for k, t in enumerate(distinct) if t == ""])
    if not has.any():
        return
    pair = instrument.codes * len(distinct) + row_text
    for p in pd.unique(pair[has]).tolist():
        i, text = p // len(distinct), str(distinct[p % len(distinct)])
        inst = get_instrument(instrument.values[int(i)])
        known = {f.id for f in inst.flags}
        for token in _split_flags(text):
            if token not in known:
                row = _first(pair == p)
                allowed = ", ".join(sorted(known)) or "none (it has no flags)"
                raise _fail(
                    origin,
                    row,
                    "flags",
                    f"{token!r} is not a flag of {inst.id}; expected {allowed}",
                )
