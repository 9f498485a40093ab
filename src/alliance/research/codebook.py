"""The variables of the research datasets and their codebook.

The long format's columns (``LONG_COLUMNS``), the keys of the wide format (``WIDE_KEYS``),
the score variables of the wide format (``variable_name``, ``score_variables``), the labels
and ``.sav`` integer codes of respondent and modality, and the codebook that documents every
variable (``build_codebook``, ``codebook_json``).  ``alliance.research.datasets`` builds and
writes the datasets and re-exports these names.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from alliance.measures import Instrument, Scale, get_wording
from alliance.measures.errors import MeasureError
from alliance.measures.registry import all_instruments, get_instrument

from .errors import ResearchError

# -- variables ------------------------------------------------------------------------------

LONG_COLUMNS = (
    *("pid", "episode", "session", "days_since_intake", "modality"),
    *("respondent", "instrument", "scale", "score"),
)
WIDE_KEYS = ("pid", "episode", "session", "days_since_intake", "modality")
RESPONDENT_LABELS = {"client": "Client", "caregiver": "Caregiver", "practitioner": "Practitioner"}
MODALITY_LABELS = {"in_person": "In person", "video": "Video", "phone": "Phone", "text": "Text"}
RESPONDENT_CODES = {value: code for code, value in enumerate(RESPONDENT_LABELS, start=1)}
MODALITY_CODES = {value: code for code, value in enumerate(MODALITY_LABELS, start=1)}
SAV_CODED = {"respondent": (RESPONDENT_CODES, RESPONDENT_LABELS)}
SAV_CODED["modality"] = (MODALITY_CODES, MODALITY_LABELS)
CODEBOOK_COLUMNS = (
    *("variable", "label", "in_long", "in_wide", "type", "sav_codes", "instrument"),
    *("instrument_title", "instrument_version", "kind", "respondent", "scale", "scale_title"),
    *("aggregation", "n_items", "minimum", "maximum", "direction", "clinical_cutoff"),
    *("response_options", "recall_period", "citation", "licence", "licence_note"),
    "wording_source",
)


def require_long(long: pd.DataFrame) -> None:
    lacking = [c for c in LONG_COLUMNS if c not in long.columns]
    if lacking:
        raise ResearchError(f"long: no column {lacking}; expected {list(LONG_COLUMNS)}")


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
    codes = {
        n: _labels({c: labels[v] for v, c in m.items()}) for n, (m, labels) in SAV_CODED.items()
    }
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
    require_long(long)
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
    codes = {n: {str(c): labels[v] for v, c in m.items()} for n, (m, labels) in SAV_CODED.items()}
    document = {"format": "alliance-codebook", "version": 1, "variables": variables}
    return json.dumps(document | {"sav_codes": codes}, ensure_ascii=False, indent=2)
