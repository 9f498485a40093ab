"""The report as data: sections holding tidy tables, scalar values and SVG figures.

A ``Report`` is built by ``build_report`` and rendered by ``render_html``, ``render_pdf`` and
``report_json``; every number the renderers show comes from the tables and values here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True, eq=False)
class Table:
    """One results table: ``name`` (its key in the JSON), a caption, the tidy frame, and the
    decimals shown in HTML for floats (p values and percentages have their own rules)."""

    name: str
    caption: str
    frame: pd.DataFrame
    digits: int = 3


@dataclass(frozen=True, eq=False)
class Figure:
    """An inline SVG plot (a complete ``<svg>`` element) with its caption."""

    name: str
    caption: str
    svg: str


@dataclass(frozen=True, eq=False)
class Section:
    """One part of the report.  ``reason`` says why the analysis could not be run (the section
    then has no tables); ``method`` describes what was done, in plain sentences."""

    key: str
    title: str
    method: tuple[str, ...] = ()
    reason: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    tables: tuple[Table, ...] = ()
    figures: tuple[Figure, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def available(self) -> bool:
        return self.reason is None

    def table(self, name: str) -> pd.DataFrame:
        for table in self.tables:
            if table.name == name:
                return table.frame
        raise KeyError(f"section {self.key}: no table {name!r}")


@dataclass(frozen=True, eq=False)
class Report:
    """A built report.

    ``sections`` in order: ``summary``, ``correlations``, ``multilevel``, ``early_alliance``,
    ``effectiveness``, ``practitioners``.  ``options`` are the settings used (including the
    bootstrap seed drawn when none was given).  ``data`` holds the analysis frames the numbers
    were computed from (``sessions``: one row per pid x episode x session; ``correlations``:
    the rows correlated; ``episodes``: one row per episode with first and last outcome), so
    that any number can be recomputed with the library or the CLI.
    """

    title: str
    source: str
    options: Mapping[str, Any]
    sections: tuple[Section, ...]
    data: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(f"report: no section {key!r}")
