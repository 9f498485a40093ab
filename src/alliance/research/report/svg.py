"""Small SVG plots for the report, written by hand: no JavaScript, no external resources.

Styling is done with presentation attributes (not CSS classes) so that browsers and
WeasyPrint draw the same picture.  Every plot is a complete ``<svg>`` element with a
``<title>`` and ``role="img"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

COLOURS = ("#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#0f766e")
TEXT = 'font-family="Helvetica, Arial, sans-serif" fill="#1f2937"'
POSITIVE, NEGATIVE = (185, 28, 28), (29, 78, 216)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values from at or below ``low`` to at or above ``high`` (about ``count`` of
    them; steps of 1, 2, 2.5 or 5 times a power of 10)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high <= low:
        low, high = low - 1, low + 1
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * (1 - 1e-9))
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(k * step, 10) for k in range(first, last + 1)]


def _svg_open(width: float, height: float, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )


def _label(x: float, y: float, text: str, anchor: str = "middle", size: int = 11) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" {TEXT}>'
        f"{escape(text)}</text>"
    )


def _fill(r: float) -> str:
    """White at 0, red toward +1, blue toward -1."""
    if not math.isfinite(r):
        return "#e5e7eb"
    target = POSITIVE if r >= 0 else NEGATIVE
    share = min(abs(r), 1.0)
    rgb = (round(255 + (c - 255) * share) for c in target)
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def heat_map(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float]],
    marks: Sequence[Sequence[bool]],
    title: str,
) -> str:
    """A grid of coefficients (``values[i][j]`` for row ``i``, column ``j``), each printed in
    its cell with two decimals and ``*`` where ``marks[i][j]``."""
    cell_w, cell_h = 78, 34
    left = 12 + 7 * max(len(r) for r in rows)
    top = 24 + 6.2 * max(len(c) for c in columns) * 0.75
    width = left + cell_w * len(columns) + 12
    height = top + cell_h * len(rows) + 34
    parts = [_svg_open(width, height, title)]
    for j, name in enumerate(columns):
        x = left + cell_w * (j + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{top - 8:.1f}" text-anchor="start" font-size="11" {TEXT} '
            f'transform="rotate(-35 {x:.1f} {top - 8:.1f})">{escape(name)}</text>'
        )
    for i, name in enumerate(rows):
        y = top + cell_h * i
        parts.append(_label(left - 6, y + cell_h / 2 + 4, name, "end"))
        for j in range(len(columns)):
            r = values[i][j]
            x = left + cell_w * j
            colour = "#ffffff" if math.isfinite(r) and abs(r) > 0.55 else "#111827"
            text = "NA" if not math.isfinite(r) else f"{r:.2f}" + ("*" if marks[i][j] else "")
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell_w}" height="{cell_h}" '
                f'fill="{_fill(r)}" stroke="#ffffff" stroke-width="2">'
                f"<title>{escape(name)} x {escape(columns[j])}: {text}</title></rect>"
                f'<text x="{x + cell_w / 2:.1f}" y="{y + cell_h / 2 + 4:.1f}" '
                f'text-anchor="middle" font-size="12" font-family="Helvetica, Arial, sans-serif" '
                f'fill="{colour}">{escape(text)}</text>'
            )
    legend_y = top + cell_h * len(rows) + 14
    for k, r in enumerate((-1.0, -0.5, 0.0, 0.5, 1.0)):
        x = left + 46 * k
        parts.append(
            f'<rect x="{x}" y="{legend_y:.1f}" width="14" height="12" fill="{_fill(r)}" '
            'stroke="#9ca3af" stroke-width="0.5"/>'
        )
        parts.append(_label(x + 18, legend_y + 10, f"{r:g}", "start", 10))
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Line:
    label: str
    points: Sequence[tuple[float, float]]


def line_plot(lines: Sequence[Line], title: str, x_label: str, y_label: str) -> str:
    """Lines of (x, y) points with markers, axes with round ticks and a legend."""
    width, height = 640, 300
    left, right, top, bottom = 56, 16, 16, 64
    xs = [x for line in lines for x, _ in line.points]
    ys = [y for line in lines for _, y in line.points]
    if not xs:
        return ""
    x_ticks = nice_ticks(min(xs), max(xs), 8)
    y_ticks = nice_ticks(min(ys), max(ys), 6)
    x0, x1 = x_ticks[0], x_ticks[-1]
    y0, y1 = y_ticks[0], y_ticks[-1]

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * (width - left - right)

    def py(y: float) -> float:
        return top + (y1 - y) / (y1 - y0) * (height - top - bottom)

    parts = [_svg_open(width, height, title)]
    for tick in y_ticks:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{py(tick):.1f}" y2="{py(tick):.1f}" '
            'stroke="#e5e7eb"/>'
        )
        parts.append(_label(left - 6, py(tick) + 4, f"{tick:g}", "end", 10))
    for tick in x_ticks:
        parts.append(_label(px(tick), height - bottom + 16, f"{tick:g}", "middle", 10))
    parts.append(_label((left + width - right) / 2, height - bottom + 32, x_label))
    parts.append(
        f'<text x="14" y="{(top + height - bottom) / 2:.1f}" text-anchor="middle" '
        f'font-size="11" {TEXT} transform="rotate(-90 14 {(top + height - bottom) / 2:.1f})">'
        f"{escape(y_label)}</text>"
    )
    for k, line in enumerate(lines):
        colour = COLOURS[k % len(COLOURS)]
        points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in line.points)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        for x, y in line.points:
            parts.append(
                f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(line.label)}, {x:g}: {y:.2f}</title></circle>"
            )
        lx = left + 150 * k
        parts.append(
            f'<rect x="{lx}" y="{height - 16}" width="14" height="4" fill="{colour}"/>'
            + _label(lx + 20, height - 11, line.label, "start", 10)
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Interval:
    label: str
    estimate: float
    low: float
    high: float
    raw: float | None = None


def caterpillar(
    intervals: Sequence[Interval],
    reference: float | None,
    title: str,
    x_label: str,
    interval_label: str = "95% CI",
) -> str:
    """One row per interval in the given order: the estimate (dot) with its interval (line),
    the raw value as an open circle, and a dashed vertical line at ``reference``."""
    row_h, left, right, top = 22, 12 + 7 * max(len(i.label) for i in intervals), 16, 12
    width = max(left + 360, 640)
    height = top + row_h * len(intervals) + 56
    values = [v for i in intervals for v in (i.low, i.high, i.raw) if v is not None]
    if reference is not None:
        values.append(reference)
    ticks = nice_ticks(min(values), max(values), 6)
    x0, x1 = ticks[0], ticks[-1]

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * (width - left - right)

    bottom_y = top + row_h * len(intervals)
    parts = [_svg_open(width, height, title)]
    for tick in ticks:
        parts.append(
            f'<line x1="{px(tick):.1f}" x2="{px(tick):.1f}" y1="{top}" y2="{bottom_y}" '
            'stroke="#e5e7eb"/>' + _label(px(tick), bottom_y + 16, f"{tick:g}", "middle", 10)
        )
    parts.append(_label((left + width - right) / 2, bottom_y + 34, x_label))
    if reference is not None:
        parts.append(
            f'<line x1="{px(reference):.1f}" x2="{px(reference):.1f}" y1="{top - 4}" '
            f'y2="{bottom_y}" stroke="#6b7280" stroke-dasharray="4 3"/>'
        )
    for k, item in enumerate(intervals):
        y = top + row_h * (k + 0.5)
        parts.append(_label(left - 6, y + 4, item.label, "end", 10))
        parts.append(
            f'<line x1="{px(item.low):.1f}" x2="{px(item.high):.1f}" y1="{y:.1f}" '
            f'y2="{y:.1f}" stroke="{COLOURS[0]}" stroke-width="2"/>'
        )
        if item.raw is not None and math.isfinite(item.raw):
            parts.append(
                f'<circle cx="{px(item.raw):.1f}" cy="{y:.1f}" r="3.5" fill="none" '
                'stroke="#9ca3af" stroke-width="1.2"/>'
            )
        parts.append(
            f'<circle cx="{px(item.estimate):.1f}" cy="{y:.1f}" r="4" fill="{COLOURS[0]}">'
            f"<title>{escape(item.label)}: {item.estimate:.2f} [{item.low:.2f}, "
            f"{item.high:.2f}]</title></circle>"
        )
    legend_y = height - 8
    parts.append(
        f'<circle cx="{left + 6}" cy="{legend_y - 4}" r="4" fill="{COLOURS[0]}"/>'
        + _label(left + 14, legend_y, f"shrunken estimate with {interval_label}", "start", 10)
        + f'<circle cx="{left + 220}" cy="{legend_y - 4}" r="3.5" fill="none" '
        'stroke="#9ca3af" stroke-width="1.2"/>'
        + _label(left + 228, legend_y, "raw mean", "start", 10)
    )
    parts.append("</svg>")
    return "".join(parts)
