"""Small server-rendered SVG line charts: readable without JavaScript and printable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from alliance.measures import Scale

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
COLOURS = ["#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#0f766e"]
BAND_SHADES = ["#f0fdf4", "#fefce8", "#fff7ed", "#fef2f2", "#fde8e8", "#fcdada"]


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[int, float | None]]  # (session or response number, value)


def line_chart(
    title: str,
    series: Sequence[Series],
    *,
    low: float,
    high: float,
    scale: Scale | None = None,
    cutoff: float | None = None,
) -> str:
    """An SVG chart of one or more series over sessions, with bands shaded and a cut-off line."""
    xs = [x for s in series for x, v in s.points if v is not None]
    if not xs:
        return f'<p class="muted">No {escape(title)} scores yet.</p>'
    x_min, x_max = min(xs), max(max(xs), min(xs) + 1)

    def px(x: float) -> float:
        return LEFT + (x - x_min) / (x_max - x_min) * (WIDTH - LEFT - RIGHT)

    def py(y: float) -> float:
        return TOP + (high - y) / (high - low) * (HEIGHT - TOP - BOTTOM)

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    if scale is not None and scale.bands:
        bounds = [b.lower for b in scale.bands[1:]] + [high]
        for i, (band, upper) in enumerate(zip(scale.bands, bounds, strict=True)):
            y0, y1 = py(min(upper, high)), py(max(band.lower, low))
            shade = BAND_SHADES[i % len(BAND_SHADES)]
            parts.append(
                f'<rect x="{LEFT}" y="{y0:.1f}" width="{WIDTH - LEFT - RIGHT}" '
                f'height="{max(y1 - y0, 0):.1f}" fill="{shade}"><title>{escape(band.label)}'
                "</title></rect>"
            )
    for tick in _ticks(low, high):
        parts.append(
            f'<text x="{LEFT - 6}" y="{py(tick) + 4:.1f}" text-anchor="end" '
            f'class="tick">{tick:g}</text>'
        )
    if cutoff is not None:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{py(cutoff):.1f}" y2="{py(cutoff):.1f}" '
            'stroke="#991b1b" stroke-dasharray="6 4"><title>clinical cut-off '
            f"{cutoff:g}</title></line>"
        )
    for i, s in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        pts = [(px(x), py(v)) for x, v in s.points if v is not None]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{path}"/>'
        )
        for (x, y), (n, v) in zip(pts, [(n, v) for n, v in s.points if v is not None], strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                f"<title>{escape(s.label)} #{n}: {v:g}</title></circle>"
            )
    for x in sorted(set(xs)):
        parts.append(
            f'<text x="{px(x):.1f}" y="{HEIGHT - 8}" text-anchor="middle" class="tick">{x}</text>'
        )
    parts.append("</svg>")
    legend = " ".join(
        f'<span class="key" style="--c:{COLOURS[i % len(COLOURS)]}">{escape(s.label)}</span>'
        for i, s in enumerate(series)
    )
    return "".join(parts) + f'<p class="legend">{legend}</p>'


def _ticks(low: float, high: float) -> list[float]:
    step = (high - low) / 4
    return [low + step * i for i in range(5)]
