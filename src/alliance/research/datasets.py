"""Research datasets: tidy long and wide formats and CSV / Parquet / SPSS writers.

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

The variable names, labels and codes and the codebook are in ``alliance.research.codebook``
(``build_codebook``, ``codebook_json``, ``score_range``), importable from here too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from alliance.measures.registry import all_instruments

from .codebook import (
    CODEBOOK_COLUMNS,
    LONG_COLUMNS,
    MODALITY_CODES,
    MODALITY_LABELS,
    RESPONDENT_CODES,
    RESPONDENT_LABELS,
    SAV_CODED,
    WIDE_KEYS,
    build_codebook,
    codebook_json,
    require_long,
    score_range,
    score_variables,
    variable_name,
)
from .deidentify import as_dates, days_since_intake, keep_allowed_columns, pseudonyms
from .errors import ResearchError

Format = Literal["csv", "parquet", "sav"]
FORMATS: tuple[Format, ...] = ("csv", "parquet", "sav")
INPUT_COLUMNS = (
    *("client", "episode", "session", "date", "modality"),
    *("respondent", "instrument", "scale", "score"),
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


def wide_format(long: pd.DataFrame) -> pd.DataFrame:
    """One row per pid x episode x session: ``WIDE_KEYS`` then one score column per
    (instrument, scale, respondent) (``variable_name``).  ``days_since_intake`` is the
    session's smallest value and ``modality`` its first non-missing one.  Two scores for the
    same session and variable are an error."""
    require_long(long)
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
        if name in SAV_CODED:
            codes, labels = SAV_CODED[name]
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


__all__ = [
    "CODEBOOK_COLUMNS",
    "FORMATS",
    "INPUT_COLUMNS",
    "LONG_COLUMNS",
    "MODALITY_CODES",
    "MODALITY_LABELS",
    "RESPONDENT_CODES",
    "RESPONDENT_LABELS",
    "WIDE_KEYS",
    "Format",
    "build_codebook",
    "codebook_json",
    "long_format",
    "score_range",
    "score_variables",
    "variable_name",
    "wide_format",
    "write_dataset",
    "write_sav",
    "write_table",
]
