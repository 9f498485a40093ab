"""Research datasets: tidy long and wide formats, a codebook, and CSV / Parquet / SPSS writers.

Input of ``long_format``: one row per scored scale of one response, with the columns
``client`` (the practice's client reference: code or primary key), ``episode`` (any id of the
episode of care), ``session`` (session number within the episode, a whole number >= 0),
``date`` (the session's date), ``modality`` (``in_person``, ``video``, ``phone``, ``text`` or
missing), ``respondent`` (``client``, ``caregiver``, ``practitioner``), ``instrument`` and
``scale`` (ids from ``alliance.measures``) and ``score`` (number, missing when unanswered); an
optional ``intake`` column (the episode's start date) anchors ``days_since_intake``, which
otherwise counts from the episode's earliest date in the frame.  Other columns (names, notes)
may be present: they are dropped by the allow-list.  ``columns`` maps these names to other
spellings, e.g. ``{"client": "client_id"}``.

Output (``LONG_COLUMNS``): ``pid`` (keyed pseudonym, see ``deidentify``), ``episode`` (1 =
the client's first episode in the dataset, ordered by intake), ``session``,
``days_since_intake``, ``modality``, ``respondent``, ``instrument``, ``scale``, ``score``.
The wide format has one row per pid x episode x session and one column per scale:
``<instrument>_<scale>`` with ``-`` in instrument ids written ``_`` (SPSS variable names allow
no ``-``), plus ``_<respondent>`` when the respondent is not the client (``wai_sr_t_goal_
practitioner``).  In ``.sav`` files respondent and modality are labelled integer codes
(``RESPONDENT_CODES``, ``MODALITY_CODES``); CSV and Parquet keep the text values.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from alliance.measures import Instrument, Scale, get_wording
from alliance.measures.errors import MeasureError
from alliance.measures.registry import all_instruments, get_instrument

from .deidentify import as_dates, days_since_intake, keep_allowed_columns, pseudonyms
from .errors import ResearchError

Format = Literal["csv", "parquet", "sav"]
FORMATS: tuple[Format, ...] = ("csv", "parquet", "sav")
INPUT_COLUMNS = (
    *("client", "episode", "session", "date", "modality"),
    *("respondent", "instrument", "scale", "score"),
)
LONG_COLUMNS = (
    *("pid", "episode", "session", "days_since_intake", "modality"),
    *("respondent", "instrument", "scale", "score"),
)
WIDE_KEYS = ("pid", "episode", "session", "days_since_intake", "modality")
RESPONDENT_LABELS = {"client": "Client", "caregiver": "Caregiver", "practitioner": "Practitioner"}
MODALITY_LABELS = {"in_person": "In person", "video": "Video", "phone": "Phone", "text": "Text"}
RESPONDENT_CODES = {value: code for code, value in enumerate(RESPONDENT_LABELS, start=1)}
MODALITY_CODES = {value: code for code, value in enumerate(MODALITY_LABELS, start=1)}
_CODED = {"respondent": (RESPONDENT_CODES, RESPONDENT_LABELS)}
_CODED["modality"] = (MODALITY_CODES, MODALITY_LABELS)
CODEBOOK_COLUMNS = (
    *("variable", "label", "in_long", "in_wide", "type", "sav_codes", "instrument"),
    *("instrument_title", "instrument_version", "kind", "respondent", "scale", "scale_title"),
    *("aggregation", "n_items", "minimum", "maximum", "direction", "clinical_cutoff"),
    *("response_options", "recall_period", "citation", "licence", "licence_note"),
    "wording_source",
)
_SPSS_NAME = re.compile(r"^[A-Za-z@][A-Za-z0-9_.@#$]*(?<!\.)$")
_SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO"}
_SPSS_RESERVED.add("WITH")


def _first_bad(frame: pd.DataFrame, bad: pd.Series | np.ndarray, column: str, allowed: str) -> None:
    mask = np.asarray(bad, dtype=bool)
    if mask.any():
        row = frame.index[np.flatnonzero(mask)[0]]
        value = frame[column].loc[row]
        value = value.item() if isinstance(value, np.generic) else value
        raise ResearchError(f"column {column}: row {row!r}: {value!r}; expected {allowed}")


def _require_long(long: pd.DataFrame) -> None:
    lacking = [c for c in LONG_COLUMNS if c not in long.columns]
    if lacking:
        raise ResearchError(f"long: no column {lacking}; expected {list(LONG_COLUMNS)}")


def _check_input(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in ("client", "episode"):
        _first_bad(out, out[column].isna(), column, "a value in every row")
    for column in ("session", "score"):
        numbers = pd.to_numeric(out[column], errors="coerce")
        _first_bad(out, numbers.isna() & out[column].notna(), column, "a number")
        out[column] = numbers.astype(np.float64)
    session = out["session"]
    whole = session.notna() & (session >= 0) & (session == np.floor(session))
    _first_bad(out, ~whole, "session", "a whole number >= 0")
    out["session"] = session.astype(np.int64)
    _first_bad(
        out,
        ~out["respondent"].isin(list(RESPONDENT_CODES)),
        "respondent",
        f"one of {list(RESPONDENT_CODES)}",
    )
    odd = out["modality"].notna() & ~out["modality"].isin(list(MODALITY_CODES))
    _first_bad(out, odd, "modality", f"one of {list(MODALITY_CODES)} or empty")
    known = {i.id: [s.id for s in i.scales] for i in all_instruments()}
    _first_bad(out, ~out["instrument"].isin(list(known)), "instrument", f"one of {list(known)}")
    for instrument, rows in out.groupby("instrument", sort=False):
        allowed = known[str(instrument)]
        wrong = out.index.isin(rows.index[~rows["scale"].isin(allowed)])
        _first_bad(out, wrong, "scale", f"a scale of {instrument}: one of {allowed}")
    return out


def long_format(
    scores: pd.DataFrame,
    *,
    key: bytes,
    project: str,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The de-identified tidy long dataset (``LONG_COLUMNS``) from scored responses (see the
    module docstring for the input).  Client references become ``pseudonym(key, project,
    client)``; episode ids become 1, 2, ... per client in order of intake (ties by id); dates
    become ``days_since_intake`` (date - intake, per client and episode); every other column
    is dropped.  Rows are sorted by pid, episode, session, instrument, scale and respondent.
    """
    renames = dict(columns or {})
    unknown = sorted(set(renames) - {*INPUT_COLUMNS, "intake"})
    if unknown:
        raise ResearchError(f"columns: unknown keys {unknown}; allowed: {[*INPUT_COLUMNS]}")
    frame = scores.rename(columns={actual: wanted for wanted, actual in renames.items()})
    lacking = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if lacking:
        raise ResearchError(f"scores: no column {lacking}; the frame has {list(scores.columns)}")
    if not frame.index.is_unique:  # rows in messages are then positions
        frame = frame.reset_index(drop=True)
    frame = _check_input(frame)
    intake = "intake" if "intake" in frame.columns else None
    starts = as_dates(frame[intake or "date"], intake or "date")
    episodes = (
        frame[["client", "episode"]]
        .assign(start=starts)
        .groupby(["client", "episode"], sort=False)["start"]
        .min()
        .reset_index()
        .sort_values(["client", "start", "episode"], kind="stable")
    )
    episodes["number"] = episodes.groupby("client", sort=False).cumcount() + 1
    numbers = episodes.set_index(["client", "episode"])["number"]
    frame = days_since_intake(frame, date="date", by=["client", "episode"], intake=intake)
    pairs = pd.MultiIndex.from_frame(frame[["client", "episode"]])
    frame["episode"] = numbers.reindex(pairs).to_numpy(dtype=np.int64)
    frame["pid"] = pseudonyms(key, project, frame["client"])
    out = keep_allowed_columns(frame, LONG_COLUMNS)
    for column in ("modality", "respondent", "instrument", "scale"):
        out[column] = out[column].astype("str").where(out[column].notna())
    order = ["pid", "episode", "session", "instrument", "scale", "respondent"]
    return out.sort_values(order, kind="stable").reset_index(drop=True)


# -- wide -----------------------------------------------------------------------------------


def variable_name(instrument: str, scale: str, respondent: str = "client") -> str:
    """The wide-format column of a scale: ``<instrument>_<scale>[_<respondent>]``, with ``-``
    written ``_``; the respondent suffix only when it is not the client."""
    suffix = "" if respondent == "client" else f"_{respondent}"
    return f"{instrument.replace('-', '_')}_{scale}{suffix}"


def score_variables(long: pd.DataFrame) -> pd.DataFrame:
    """The distinct (instrument, scale, respondent) of a long frame with their ``variable``
    names, ordered by instrument id, scale (in the definition's order) and respondent."""
    triples = long[["instrument", "scale", "respondent"]].drop_duplicates()
    rank = {(i.id, s.id): (i.id, k) for i in all_instruments() for k, s in enumerate(i.scales)}
    who = list(RESPONDENT_CODES)
    rows = sorted(
        (str(i), str(s), str(r)) for i, s, r in triples.itertuples(index=False, name=None)
    )
    rows.sort(key=lambda t: (*rank.get((t[0], t[1]), (t[0], 0)), who.index(t[2])))
    out = pd.DataFrame(rows, columns=["instrument", "scale", "respondent"], dtype="str")
    out["variable"] = [variable_name(*t) for t in rows]
    clash = out["variable"][out["variable"].duplicated()]
    if not clash.empty:
        raise ResearchError(f"variable {clash.iloc[0]!r} names two different scales")
    return out


def wide_format(long: pd.DataFrame) -> pd.DataFrame:
    """One row per pid x episode x session: ``WIDE_KEYS`` then one score column per
    (instrument, scale, respondent) (``variable_name``).  ``days_since_intake`` is the
    session's smallest value and ``modality`` its first non-missing one.  Two scores for the
    same session and variable are an error."""
    _require_long(long)
    variables = score_variables(long)
    names = variables.set_index(["instrument", "scale", "respondent"])["variable"]
    triples = pd.MultiIndex.from_frame(long[["instrument", "scale", "respondent"]].astype("str"))
    frame = long.assign(variable=names.reindex(triples).to_numpy())
    keys = ["pid", "episode", "session"]
    repeated = frame.duplicated([*keys, "variable"])
    if repeated.any():
        row = frame[repeated].iloc[0]
        raise ResearchError(
            f"long: two scores for pid {row['pid']}, episode {row['episode']}, session "
            f"{row['session']}, variable {row['variable']}; expected one"
        )
    grouped = frame.groupby(keys, sort=True)
    sessions = grouped.agg(days_since_intake=("days_since_intake", "min"))
    sessions["modality"] = grouped["modality"].first()
    scores = frame.pivot(index=keys, columns="variable", values="score")
    scores = scores.reindex(columns=list(variables["variable"]))
    wide = sessions.join(scores).reset_index()
    wide.columns.name = None
    return wide


# -- codebook -------------------------------------------------------------------------------


def score_range(instrument: Instrument, scale: Scale) -> tuple[float, float]:
    """Lowest and highest score after the transform (NaN, NaN for goal attainment T-scores,
    whose range depends on the number and weights of the goals)."""
    if scale.aggregation == "kiresuk_sherman":
        return math.nan, math.nan
    low, high = instrument.raw_range(scale)
    transform = scale.transform
    if transform is not None and transform.lookup is not None:
        return min(transform.lookup.values()), max(transform.lookup.values())
    if transform is not None and transform.multiply is not None:
        ends = sorted((low * transform.multiply, high * transform.multiply))
        return ends[0], ends[1]
    return low, high


def _labels(mapping: Mapping[int, str] | Mapping[str, str]) -> str:
    return "; ".join(f"{value} = {label}" for value, label in mapping.items())


def _wording(instrument: Instrument, scale: Scale, language: str) -> tuple[str, str]:
    """(response options with their labels, source of the wording)."""
    try:
        pack = get_wording(instrument, language)
    except MeasureError:
        pack = None
    parts = []
    for set_id in dict.fromkeys(instrument.item_index[i].response_set for i in scale.items):
        rs = instrument.response_sets[set_id]
        if rs.options is None:
            parts.append(f"{set_id}: {rs.describe_allowed()} (visual analogue line)")
            continue
        names = pack.options.get(set_id, {}) if pack is not None else {}
        parts.append(f"{set_id}: " + _labels({v: names.get(v, str(v)) for v in sorted(rs.options)}))
    if pack is None:
        return " | ".join(parts), ""
    note = " (placeholder paraphrase, not the official wording)" if pack.placeholder else ""
    return " | ".join(parts), pack.source + note


def _fixed_rows(long: pd.DataFrame) -> list[dict[str, object]]:
    titles = {i: get_instrument(i).title for i in sorted(long["instrument"].dropna().unique())}
    respondent = f"Who answered: {_labels(RESPONDENT_LABELS)}"
    modality = f"How the session was held: {_labels(MODALITY_LABELS)}"
    spec = [
        ("pid", "Client pseudonym for this project (keyed hash; not reversible)", "string"),
        ("episode", "Episode of care: 1 = the client's first in this dataset", "integer"),
        ("session", "Session number within the episode", "integer"),
        ("days_since_intake", "Days from intake (episode start) to the session", "integer"),
        ("modality", modality, "string"),
        ("respondent", respondent, "string"),
        ("instrument", "Instrument id: " + _labels(titles), "string"),
        ("scale", "Scale id within the instrument (see the score variables)", "string"),
        ("score", "Scale score (range and direction: see the score variables)", "number"),
    ]
    codes = {n: _labels({c: labels[v] for v, c in m.items()}) for n, (m, labels) in _CODED.items()}
    return [
        {"variable": name, "label": label, "in_long": True, "in_wide": name in WIDE_KEYS}
        | {"type": kind, "sav_codes": codes.get(name)}
        for name, label, kind in spec
    ]


def build_codebook(long: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """One row per variable of the long and wide datasets built from ``long``.

    Columns: ``variable``, ``label``, ``in_long``, ``in_wide``, ``type``, ``sav_codes``
    (integer codes of labelled variables in ``.sav`` files) and, for score variables, the
    instrument's id, title, version, kind, respondent, the scale's id, title, aggregation,
    number of items, ``minimum``/``maximum`` (``score_range``), ``direction`` and clinical
    cut-off (when the definition has them), ``response_options`` (item option values with
    their labels from the wording pack), ``recall_period``, ``citation``, ``licence``,
    ``licence_note`` and ``wording_source``.
    """
    _require_long(long)
    rows = _fixed_rows(long)
    for instrument_id, scale_id, respondent, variable in score_variables(long).itertuples(
        index=False, name=None
    ):
        inst = get_instrument(str(instrument_id))
        scale = inst.scale_index[str(scale_id)]
        low, high = score_range(inst, scale)
        options, source = _wording(inst, scale, language)
        who = "" if respondent == "client" else f" ({respondent})"
        rows.append(
            {
                "variable": variable,
                "label": f"{inst.title}: {scale.title}{who}",
                "in_long": False,
                "in_wide": True,
                "type": "number",
                "instrument": inst.id,
                "instrument_title": inst.title,
                "instrument_version": inst.version,
                "kind": inst.kind,
                "respondent": respondent,
                "scale": scale.id,
                "scale_title": scale.title,
                "aggregation": scale.aggregation,
                "n_items": len(scale.items),
                "minimum": low,
                "maximum": high,
                "direction": scale.change.direction if scale.change else None,
                "clinical_cutoff": scale.clinical_cutoff.value if scale.clinical_cutoff else None,
                "response_options": options,
                "recall_period": inst.recall_period,
                "citation": inst.citation,
                "licence": inst.licence,
                "licence_note": inst.licence_note,
                "wording_source": source,
            }
        )
    book = pd.DataFrame(rows).reindex(columns=list(CODEBOOK_COLUMNS))
    for column in ("minimum", "maximum", "clinical_cutoff"):
        book[column] = pd.to_numeric(book[column], errors="coerce").astype(np.float64)
    book["n_items"] = book["n_items"].astype("Int64")
    return book


def codebook_json(codebook: pd.DataFrame) -> str:
    """The codebook as JSON: ``{"format": "alliance-codebook", "version": 1, "variables":
    [one object per row, without its missing values], "sav_codes": {variable: {code: label}}}``."""
    records = json.loads(codebook.to_json(orient="records", force_ascii=False))
    variables = [{k: v for k, v in record.items() if v is not None} for record in records]
    codes = {n: {str(c): labels[v] for v, c in m.items()} for n, (m, labels) in _CODED.items()}
    document = {"format": "alliance-codebook", "version": 1, "variables": variables}
    return json.dumps(document | {"sav_codes": codes}, ensure_ascii=False, indent=2)


# -- writers --------------------------------------------------------------------------------


def _check_format(format: str) -> Format:
    for known in FORMATS:
        if format == known:
            return known
    raise ResearchError(f"format: {format!r}; expected one of {list(FORMATS)}")


def _sav_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict[int | float, str]]]:
    out = frame.copy()
    value_labels: dict[str, dict[int | float, str]] = {}
    for column in frame.columns:
        name = str(column)
        if not _SPSS_NAME.match(name) or len(name.encode()) > 64 or name in _SPSS_RESERVED:
            raise ResearchError(f"column {name!r}: not a valid SPSS variable name")
        if name in _CODED:
            codes, labels = _CODED[name]
            bad = frame[name].notna() & ~frame[name].isin(list(codes))
            _first_bad(frame, bad, name, f"one of {list(codes)} or empty")
            out[name] = frame[name].map(codes).astype(np.float64)
            value_labels[name] = {float(c): labels[v] for v, c in codes.items()}
        elif not pd.api.types.is_numeric_dtype(frame[name]):
            out[name] = frame[name].astype(object).where(frame[name].notna(), "").astype(str)
    return out, value_labels


def write_sav(frame: pd.DataFrame, path: Path, codebook: pd.DataFrame | None = None) -> None:
    """Write ``frame`` as an SPSS ``.sav`` file: respondent and modality as labelled integer
    codes, variable labels from ``codebook`` (cut to SPSS's 256 bytes), measurement levels."""
    import pyreadstat

    data, value_labels = _sav_frame(frame)
    labels: dict[str, str | None] = {}
    if codebook is not None:
        for name, label in zip(codebook["variable"], codebook["label"], strict=True):
            labels[str(name)] = str(label).encode()[:256].decode(errors="ignore")
    nominal = {"pid", "instrument", "scale", *value_labels}
    ordinal = {"episode", "session"}
    measure = {
        str(c): "nominal" if c in nominal else "ordinal" if c in ordinal else "scale"
        for c in data.columns
    }
    pyreadstat.write_sav(
        data,
        path,
        column_labels={c: labels.get(str(c)) for c in data.columns},
        variable_value_labels=value_labels,
        variable_measure=measure,
    )


def write_table(
    frame: pd.DataFrame, path: Path, format: str, codebook: pd.DataFrame | None = None
) -> Path:
    """Write one table as ``format`` (csv, parquet or sav; ``codebook`` gives .sav labels)."""
    chosen = _check_format(format)
    if chosen == "csv":
        frame.to_csv(path, index=False)
    elif chosen == "parquet":
        frame.to_parquet(path, index=False)
    else:
        write_sav(frame, path, codebook)
    return path


def write_dataset(
    long: pd.DataFrame,
    wide: pd.DataFrame,
    codebook: pd.DataFrame,
    directory: Path | str,
    format: str,
) -> dict[str, Path]:
    """Write ``long.<ext>``, ``wide.<ext>``, ``codebook.csv`` and ``codebook.json`` into
    ``directory`` (created if needed; files of the same names are replaced).  Returns the paths
    by role: ``long``, ``wide``, ``codebook``, ``codebook_json``."""
    chosen = _check_format(format)
    if list(long.columns) != list(LONG_COLUMNS):
        raise ResearchError(f"long: columns {list(long.columns)}; expected {list(LONG_COLUMNS)}")
    if list(wide.columns[: len(WIDE_KEYS)]) != list(WIDE_KEYS):
        raise ResearchError(f"wide: columns should start with {list(WIDE_KEYS)}")
    known = set(codebook["variable"])
    undocumented = [c for c in wide.columns if c not in known]
    if undocumented:
        raise ResearchError(f"codebook: no entry for the wide variables {undocumented}")
    folder = Path(directory)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResearchError(f"directory {folder}: cannot be created ({exc.strerror})") from None
    paths = {
        "long": write_table(long, folder / f"long.{chosen}", chosen, codebook),
        "wide": write_table(wide, folder / f"wide.{chosen}", chosen, codebook),
        "codebook": folder / "codebook.csv",
        "codebook_json": folder / "codebook.json",
    }
    codebook.to_csv(paths["codebook"], index=False)
    paths["codebook_json"].write_text(codebook_json(codebook) + "\n", encoding="utf-8")
    return paths
