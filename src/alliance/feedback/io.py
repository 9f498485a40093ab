"""Reading CSV/Parquet tables for the feedback commands, with errors naming row and column."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .errors import FeedbackError

ColumnKind = Literal["number", "integer", "text", "boolean"]


def read_table(path: Path | str, columns: Mapping[str, ColumnKind]) -> pd.DataFrame:
    """Read ``path`` (CSV or Parquet by extension) and check that ``columns`` exist and hold
    their kind.  Numbers may be empty (missing) unless the column is ``integer``.  Raises
    FeedbackError naming the file, the row (1-based data row) and the column."""
    path = Path(path)
    try:
        if path.suffix.lower() in {".parquet", ".pq"}:
            typed = pd.read_parquet(path)
            # Checked as text like CSV cells: a missing value (NaN, None, NA) is an empty cell.
            frame = typed.astype(object).where(typed.notna(), "").astype(str)
        elif path.suffix.lower() == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            raise FeedbackError(f"{path.name}: unknown extension; expected .csv or .parquet")
    except FileNotFoundError:
        raise FeedbackError(f"{path}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        raise FeedbackError(f"{path.name}: not a readable table ({exc})") from None
    lacking = [c for c in columns if c not in frame.columns]
    if lacking:
        raise FeedbackError(f"{path.name}: lacks columns {lacking}; it has {list(frame.columns)}")
    out = frame.copy()
    for name, kind in columns.items():
        out[name] = convert_column(path.name, name, frame[name], kind)
    return out


def convert_column(origin: str, name: str, cells: pd.Series, kind: ColumnKind) -> pd.Series:
    if kind == "text":
        text = cells.astype(str).str.strip()
        empty = text == ""
        if empty.any():
            row = int(np.flatnonzero(empty.to_numpy())[0]) + 1
            raise FeedbackError(f"{origin}: row {row}, column {name}: empty; expected a value")
        return text
    if kind == "boolean":
        lowered = cells.astype(str).str.strip().str.lower()
        mapping = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
        bad = ~lowered.isin([*mapping, ""])
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
            raise FeedbackError(
                f"{origin}: row {row}, column {name}: {cells.iloc[row - 1]!r}; "
                "expected true/false, yes/no, 1/0 or empty"
            )
        return lowered.map(lambda v: mapping.get(v))
    text = cells.astype(str).str.strip()
    numbers = pd.to_numeric(text.where(text != "", None), errors="coerce")
    bad = numbers.isna() & (text != "")
    if kind == "integer":
        bad |= text == ""
        bad |= numbers.notna() & (numbers != np.floor(numbers))
    bad |= np.isinf(numbers.fillna(0).to_numpy(dtype=float))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        expected = "a whole number" if kind == "integer" else "a number or empty"
        raise FeedbackError(
            f"{origin}: row {row}, column {name}: {cells.iloc[row - 1]!r}; expected {expected}"
        )
    return numbers.astype("int64") if kind == "integer" else numbers.astype("float64")
