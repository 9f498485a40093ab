"""``render_html``: the report as one self-contained HTML file (inline CSS and SVG, no
scripts, no external resources), and ``render_pdf`` through WeasyPrint.

Element ids start with ``report-`` (``report-<section>``, ``report-<section>-<table>``).
Every table cell carries the full-precision number in ``data-value`` and the printed one as
text (``output.format_cell``), so tools can read the numbers back.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from alliance import __version__

from .model import Report, Section, Table
from .output import format_cell, plain

PAGE_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #6b7280; } }
body { margin: 0 auto; max-width: 60rem; padding: 1rem; }
@media print { body { padding: 0; } }
"""
# Every rule is scoped to .alliance-report, so a fragment can sit inside another page.
CSS = """
.alliance-report { font-family: Helvetica, Arial, sans-serif; color: #1f2937; line-height: 1.4;
  font-size: 11pt; }
.alliance-report h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
.alliance-report h2 { font-size: 1.25rem; margin: 1.6rem 0 .4rem; padding-bottom: .2rem;
  border-bottom: 1px solid #d1d5db; break-after: avoid; }
.alliance-report p { margin: .3rem 0; }
.alliance-report .meta, .alliance-report figcaption, .alliance-report .notes {
  color: #4b5563; font-size: .9em; }
.alliance-report .reason { background: #fef3c7; border-left: 4px solid #d97706;
  padding: .4rem .6rem; }
.alliance-report table { border-collapse: collapse; margin: .4rem 0 .8rem; font-size: .85em; }
.alliance-report caption { text-align: left; font-weight: bold; padding: .2rem 0; }
.alliance-report th, .alliance-report td { border-bottom: 1px solid #e5e7eb;
  padding: .15rem .45rem; text-align: right; }
.alliance-report th { border-bottom: 2px solid #9ca3af; vertical-align: bottom; }
.alliance-report td { white-space: nowrap; }
.alliance-report td.text, .alliance-report th.text { text-align: left; white-space: normal; }
.alliance-report dl.values { display: grid; grid-template-columns: max-content auto;
  gap: .1rem 1rem; font-size: .9em; }
.alliance-report dl.values dt { color: #4b5563; }
.alliance-report dl.values dd { margin: 0; }
.alliance-report figure { margin: .6rem 0; break-inside: avoid; }
.alliance-report figure svg { max-width: 100%; height: auto; }
.alliance-report section { margin-bottom: 1rem; }
@media screen { .alliance-report .scroll { overflow-x: auto; } }
@media print { .alliance-report { font-size: 9.5pt; }
  .alliance-report table { font-size: 7.5pt; } }
"""


def _table(table: Table, section: Section) -> str:
    frame = table.frame
    columns = [str(c) for c in frame.columns]
    text = {c for c in columns if not _numeric(frame[c])}
    head = "".join(
        f'<th scope="col" data-column="{escape(c)}"{_class(c in text)}>'
        f"{escape(c).replace('_', '_<wbr>')}</th>"
        for c in columns
    )
    body = []
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(columns, row, strict=True):
            shown = format_cell(value, column, table.digits)
            raw = plain(value)
            data = "" if raw is None else f' data-value="{escape(str(raw))}"'
            cells.append(f"<td{_class(column in text)}{data}>{escape(shown)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    ident = f"report-{section.key}-{table.name}"
    return (
        f'<div class="scroll"><table id="{escape(ident)}" data-section="{escape(section.key)}" '
        f'data-table="{escape(table.name)}"><caption>{escape(table.caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _class(is_text: bool) -> str:
    return ' class="text"' if is_text else ""


def _numeric(series: Any) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(series)) and not pd.api.types.is_bool_dtype(series)


def _values(section: Section) -> str:
    items = []
    for key, value in section.values.items():
        raw = plain(value)
        if isinstance(raw, dict):
            shown = ", ".join(f"{k} {format_cell(v, k, 3)}" for k, v in raw.items())
        elif isinstance(raw, list):
            shown = ", ".join(str(v) for v in raw)
        else:
            shown = format_cell(raw, key, 3)
        data = f' data-value="{escape(str(raw))}"' if isinstance(raw, int | float) else ""
        items.append(
            f'<dt>{escape(key)}</dt><dd data-key="{escape(key)}"{data}>{escape(shown)}</dd>'
        )
    return f'<dl class="values">{"".join(items)}</dl>' if items else ""


def _section(number: int, section: Section) -> str:
    parts = [
        f'<section id="report-{escape(section.key)}"><h2>{number}. {escape(section.title)}</h2>'
    ]
    parts.extend(f"<p>{escape(text)}</p>" for text in section.method)
    if section.reason is not None:
        parts.append(f'<p class="reason">Not available. {escape(section.reason)}</p>')
    parts.append(_values(section))
    for figure in section.figures:
        parts.append(
            f'<figure id="report-{escape(section.key)}-{escape(figure.name)}">{figure.svg}'
            f"<figcaption>{escape(figure.caption)}</figcaption></figure>"
        )
    parts.extend(_table(t, section) for t in section.tables)
    if section.notes:
        notes = "".join(f"<li>{escape(n)}</li>" for n in section.notes)
        parts.append(f'<ul class="notes">{notes}</ul>')
    parts.append("</section>")
    return "".join(parts)


def render_html(report: Report, *, fragment: bool = False) -> str:
    """The whole report as a self-contained HTML document; with ``fragment=True`` only its
    ``<div class="alliance-report">`` (with its own ``<style>``, every rule scoped to that
    class), to place inside another page."""
    options = ", ".join(
        f"{k} = {plain(v)}" for k, v in report.options.items() if plain(v) is not None
    )
    contents = "".join(
        f'<li><a href="#report-{escape(s.key)}">{escape(s.title)}</a>'
        f"{'' if s.available else ' (not available)'}</li>"
        for s in report.sections
    )
    body = "".join(_section(k, s) for k, s in enumerate(report.sections, start=1))
    style = f"<style>{CSS}</style>" if fragment else ""
    content = (
        f'<div class="alliance-report">{style}'
        f"<header><h1>{escape(report.title)}</h1>"
        f'<p class="meta">Data: {escape(report.source)}. Alliance {escape(__version__)}. '
        f"Options: {escape(options)}.</p></header>"
        f'<nav aria-label="Sections"><ol>{contents}</ol></nav>'
        f'<div class="report-sections">{body}</div></div>'
    )
    if fragment:
        return content
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(report.title)}</title><style>{PAGE_CSS}{CSS}</style></head>"
        f"<body>{content}</body></html>"
    )


def render_pdf(report: Report, path: Path | str) -> Path:
    """Render ``render_html(report)`` to a PDF file with WeasyPrint; returns the path."""
    import weasyprint  # type: ignore[import-untyped]

    target = Path(path)
    weasyprint.HTML(string=render_html(report)).write_pdf(str(target))
    return target
