"""What a report reads: the long-format dataset and, optionally, the episodes and codebook.

``load_report_input(path)`` accepts a folder written by the research export (``long.<ext>``
with ``ext`` one of csv, parquet, sav; optionally ``episodes.<ext>`` and ``codebook.csv``; the
wide file is not read, because the report derives it from the long one with
``datasets.wide_format``, as the export does) or a single long-format ``.csv``, ``.parquet``
or ``.sav`` file.  ``ReportInput.from_frames`` takes frames already in memory.

Long columns: ``LONG_COLUMNS`` (``pid, episode, session, days_since_intake, modality,
respondent, instrument, scale, score``); other columns are ignored.  Episode columns:
``EPISODE_COLUMNS`` (``pid, episode, practitioner, kind, ending_reason, sessions_attended``),
``ending_reason`` empty for an ongoing episode, else one of ``ENDING_REASONS``.  In ``.sav``
files respondent and modality may be the export's labelled integer codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..codebook import LONG_COLUMNS, MODALITY_CODES, RESPONDENT_CODES
from ..errors import ResearchError

EPISODE_COLUMNS = ("pid", "episode", "practitioner", "kind", "ending_reason", "sessions_attended")
ENDING_REASONS = ("planned", "dropped_out", "referred_on")
EXTENSIONS = (".csv", ".parquet", ".sav")
TEXT_COLUMNS = ("pid", "modality", "respondent", "instrument", "scale")


@dataclass(frozen=True, eq=False)
class ReportInput:
    """Checked input of ``build_report``: ``long`` (``LONG_COLUMNS``, text columns as str,
    ``episode`` and ``session`` int64, ``days_since_intake`` and ``score`` float64),
    ``episodes`` (``EPISODE_COLUMNS`` or None), ``codebook`` (at least ``variable`` and
    ``label``, or None) and ``source``, the name shown in the report."""

    long: pd.DataFrame
    episodes: pd.DataFrame | None
    codebook: pd.DataFrame | None
    source: str

    @classmethod
    def from_frames(
        cls,
        long: pd.DataFrame,
        episodes: pd.DataFrame | None = None,
        codebook: pd.DataFrame | None = None,
        source: str = "data",
    ) -> ReportInput:
        """Check and normalise frames (see the module docstring); raises ResearchError naming
        the table, row (1-based) and column at fault."""
        checked_episodes = None if episodes is None else check_episodes(episodes, "episodes")
        if codebook is not None and not {"variable", "label"} <= set(codebook.columns):
            raise ResearchError("codebook: expected the columns variable and label")
        return cls(check_long(long, "long"), checked_episodes, codebook, source)


def load_report_input(path: Path | str) -> ReportInput:
    """Read an export folder or a single long-format file (see the module docstring)."""
    where = Path(path)
    if where.is_dir():
        long_path = _one_file(where, "long")
        if long_path is None:
            raise ResearchError(
                f"input {where}: no long.csv, long.parquet or long.sav; expected a folder "
                "written by `alliance export` or a long-format file"
            )
        episodes_path = _one_file(where, "episodes")
        codebook_path = where / "codebook.csv"
        return ReportInput(
            check_long(read_any(long_path), long_path.name),
            None
            if episodes_path is None
            else check_episodes(read_any(episodes_path), episodes_path.name),
            pd.read_csv(codebook_path, dtype=str, keep_default_na=False)
            if codebook_path.is_file()
            else None,
            where.name or str(where),
        )
    if not where.exists():
        raise ResearchError(
            f"input {where}: no such file or folder; expected a folder written by "
            "`alliance export` (long.csv, long.parquet or long.sav, optionally episodes.<ext> "
            "and codebook.csv) or a long-format .csv, .parquet or .sav file"
        )
    if where.suffix.lower() not in EXTENSIONS:
        raise ResearchError(
            f"input {where.name}: unknown extension {where.suffix or '(none)'}; expected a "
            f"folder or a file ending in {', '.join(EXTENSIONS)}"
        )
    return ReportInput(check_long(read_any(where), where.name), None, None, where.name)


def _one_file(folder: Path, stem: str) -> Path | None:
    """``<stem>.csv``, ``.parquet`` or ``.sav`` in ``folder`` (None if absent; two is an error)."""
    found = [folder / f"{stem}{ext}" for ext in EXTENSIONS if (folder / f"{stem}{ext}").is_file()]
    if len(found) > 1:
        raise ResearchError(
            f"input {folder}: {', '.join(p.name for p in found)} all present; expected one "
            f"{stem} file"
        )
    return found[0] if found else None


def read_any(path: Path) -> pd.DataFrame:
    """A CSV (every cell as text), Parquet or SPSS file as a DataFrame."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        if suffix == ".parquet":
            return pd.read_parquet(path)
        import pyreadstat

        frame, _ = pyreadstat.read_sav(str(path))
        return frame
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ResearchError(f"{path.name}: not a readable table ({exc})") from None
    except Exception as exc:  # pyarrow and pyreadstat raise their own error types
        if isinstance(exc, ResearchError | MemoryError):
            raise
        raise ResearchError(f"{path.name}: not a readable {suffix[1:]} file ({exc})") from None


# -- checks ------------------------------------------------------------------------------------


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """Text cells, missing as ''."""
    cells = frame[column]
    out = cells.astype(object).where(cells.notna(), "").astype(str).str.strip()
    if pd.api.types.is_float_dtype(cells):  # numbers read from Parquet or .sav: 2.0 -> "2"
        out = out.str.replace(r"\.0$", "", regex=True)
    return out


def _numbers(frame: pd.DataFrame, column: str, table: str, *, whole: bool) -> pd.Series:
    text = _text(frame, column)
    values = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
    bad = (values.isna() & (text != "")) | np.isinf(values)
    if whole:
        bad |= values.notna() & ((values < 0) | (values != np.floor(values)))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        allowed = "a whole number >= 0" if whole else "a number or empty"
        raise ResearchError(
            f"{table}: row {row + 1}, column {column}: {frame[column].iloc[row]!r}; "
            f"expected {allowed}"
        )
    return values


def _required(values: pd.Series, column: str, table: str) -> None:
    empty = (values.isna() | (values.astype(str) == "")).to_numpy()
    if empty.any():
        row = int(np.flatnonzero(empty)[0])
        raise ResearchError(f"{table}: row {row + 1}, column {column}: empty; expected a value")


def _decode(frame: pd.DataFrame, column: str, codes: dict[str, int]) -> pd.Series:
    """Undo the .sav integer codes of respondent and modality (text passes through)."""
    if not pd.api.types.is_numeric_dtype(frame[column]):
        return _text(frame, column)
    names = {float(code): value for value, code in codes.items()}
    return frame[column].astype("float64").map(names).fillna("").astype(str)


def check_long(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The long-format columns, normalised (see ``ReportInput``)."""
    lacking = [c for c in LONG_COLUMNS if c not in frame.columns]
    if lacking:
        raise ResearchError(
            f"{table}: lacks the long-format columns {lacking}; expected "
            f"{', '.join(LONG_COLUMNS)} (one row per score); it has "
            f"{[str(c) for c in frame.columns]}"
        )
    if frame.empty:
        raise ResearchError(f"{table}: no rows; expected one row per score")
    frame = frame.reset_index(drop=True)
    out = pd.DataFrame(index=frame.index)
    out["pid"] = _text(frame, "pid")
    for column in ("episode", "session"):
        values = _numbers(frame, column, table, whole=True)
        _required(values, column, table)
        out[column] = values.astype("int64")
    out["days_since_intake"] = _numbers(frame, "days_since_intake", table, whole=False)
    out["modality"] = _decode(frame, "modality", MODALITY_CODES)
    out["respondent"] = _decode(frame, "respondent", RESPONDENT_CODES)
    for column in ("instrument", "scale"):
        out[column] = _text(frame, column)
    for column in ("pid", "respondent", "instrument", "scale"):
        _required(out[column], column, table)
    wrong = ~out["respondent"].isin(list(RESPONDENT_CODES))
    if wrong.any():
        row = int(np.flatnonzero(wrong.to_numpy())[0])
        raise ResearchError(
            f"{table}: row {row + 1}, column respondent: {out['respondent'].iloc[row]!r}; "
            f"expected one of {list(RESPONDENT_CODES)}"
        )
    out["modality"] = out["modality"].where(out["modality"] != "")
    out["score"] = _numbers(frame, "score", table, whole=False)
    return out[list(LONG_COLUMNS)]


def check_episodes(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The episode columns, normalised: text columns as str ('' when empty), ``episode``
    int64, ``sessions_attended`` float64 (NaN when empty)."""
    lacking = [c for c in EPISODE_COLUMNS if c not in frame.columns]
    if lacking:
        raise ResearchError(
            f"{table}: lacks the episode columns {lacking}; expected "
            f"{', '.join(EPISODE_COLUMNS)}; it has {[str(c) for c in frame.columns]}"
        )
    frame = frame.reset_index(drop=True)
    out = pd.DataFrame(index=frame.index)
    out["pid"] = _text(frame, "pid")
    _required(out["pid"], "pid", table)
    episode = _numbers(frame, "episode", table, whole=True)
    _required(episode, "episode", table)
    out["episode"] = episode.astype("int64")
    for column in ("practitioner", "kind", "ending_reason"):
        out[column] = _text(frame, column)
    wrong = ~out["ending_reason"].isin(["", *ENDING_REASONS])
    if wrong.any():
        row = int(np.flatnonzero(wrong.to_numpy())[0])
        raise ResearchError(
            f"{table}: row {row + 1}, column ending_reason: {frame['ending_reason'].iloc[row]!r}"
            f"; expected empty (ongoing) or one of {list(ENDING_REASONS)}"
        )
    out["sessions_attended"] = _numbers(frame, "sessions_attended", table, whole=True)
    repeated = out.duplicated(["pid", "episode"]).to_numpy()
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        raise ResearchError(
            f"{table}: row {row + 1}: pid {out['pid'].iloc[row]!r}, episode "
            f"{out['episode'].iloc[row]} appears twice; expected one row per episode"
        )
    return out[list(EPISODE_COLUMNS)]
