"""Number formatting shared by the renderers, and ``report_json``: the report's numbers as
plain JSON values (full precision; NaN as null)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from alliance import __version__

from .model import Report, Table

P_COLUMNS = frozenset({"p", "p_adj"})


def plain(value: Any) -> Any:
    """numpy and pandas scalars to Python, NaN and NA to None, containers recursively."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [plain(row) for row in frame.to_dict(orient="records")]


def format_cell(value: Any, column: str, digits: int) -> str:
    """How a table cell is printed: p values to 3 decimals (``< 0.001`` below), ``pct_*`` to
    1 decimal, whole numbers as such, other floats to ``digits`` decimals, missing as NA."""
    value = plain(value)
    if value is None:
        return "NA"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if column in P_COLUMNS:
            return "< 0.001" if value < 0.001 else f"{value:.3f}"
        if column.startswith("pct_"):
            return f"{value:.1f}"
        return f"{value:.{digits}f}"
    return str(value)


def table_json(table: Table) -> list[dict[str, Any]]:
    return records(table.frame)


def report_json(report: Report) -> dict[str, Any]:
    """``{"format": "alliance-report", "version": 1, "title", "source", "alliance_version",
    "options", "sections": {key: {"title", "available", "reason", "values", "tables": {name:
    [rows]}, "notes"}}}``.  The correlation rows (``sections.correlations.tables.results``)
    have the keys of ``alliance correlate --format json``."""
    sections = {
        s.key: {
            "title": s.title,
            "available": s.available,
            "reason": s.reason,
            "values": plain(dict(s.values)),
            "tables": {t.name: table_json(t) for t in s.tables},
            "notes": list(s.notes),
        }
        for s in report.sections
    }
    return {
        "format": "alliance-report",
        "version": 1,
        "title": report.title,
        "source": report.source,
        "alliance_version": __version__,
        "options": plain(dict(report.options)),
        "sections": sections,
    }
