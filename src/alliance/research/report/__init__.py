"""Research reports: the workbench's analyses of one dataset as HTML, PDF and JSON.

    report_input = load_report_input("export/")     # or ReportInput.from_frames(long, ...)
    report = build_report(report_input, method="spearman", pairing="client_means")
    html = render_html(report)                       # one self-contained page
    render_pdf(report, "report.pdf")                 # WeasyPrint
    numbers = report_json(report)                    # what the page shows, full precision

Sections (``Report.sections``, keys in order): ``summary`` (clients, episodes, sessions,
instruments), ``correlations`` (alliance x outcome; the pairing is explained in the module
``correlation``), ``multilevel``
(``alliance.research.multilevel``), ``early_alliance`` (``alliance.research.early``, with
trajectories by tertile), ``effectiveness`` (``alliance.research.effectiveness``) and
``practitioners`` (``alliance.research.practitioners``, with a caterpillar plot).  A section
the data cannot support has ``reason`` set instead of tables.  See the modules for the
choices made: ``variables`` (which variables, which frames), ``correlation`` (pairing).
"""

from __future__ import annotations

from .build import DEFAULT_TITLE, build_report
from .correlation import PAIRINGS
from .html import render_html, render_pdf
from .inputs import ENDING_REASONS, EPISODE_COLUMNS, ReportInput, load_report_input
from .model import Figure, Report, Section, Table
from .output import format_cell, report_json

__all__ = [
    "DEFAULT_TITLE",
    "ENDING_REASONS",
    "EPISODE_COLUMNS",
    "PAIRINGS",
    "Figure",
    "Report",
    "ReportInput",
    "Section",
    "Table",
    "build_report",
    "format_cell",
    "load_report_input",
    "render_html",
    "render_pdf",
    "report_json",
]
