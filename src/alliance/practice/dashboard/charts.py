"""Small server-rendered SVG line charts: readable without JavaScript and printable."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from alliance.measures import Scale

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
COLOURS = ["#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#0f766e"]
BAND_SHADES = ["#f0fdf4", "#fefce8", "#fff7ed", "#fef2f2", "#fde8e8", "#fcdada"]


BAND_FILL = "#e0e7ff"
BAND_LINE = "#4f46e5"


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[int, float | None]]  # (session or response number, value)


@dataclass(frozen=True)
class Band:
    """The expected trajectory and its warning boundary: the band between them is shaded
    and the expected course drawn dashed.  ``points`` are (x, expected, boundary)."""

    label: str
    points: Sequence[tuple[int, float, float]]


def line_chart(
    title: str,
    series: Sequence[Series],
    *,
    low: float,
    high: float,
    scale: Scale | None = None,
    cutoff: float | None = None,
    band: Band | None = None,
) -> str:
    """An SVG chart of one or more series over sessions, with bands shaded, a cut-off line
    and, optionally, the expected trajectory with its warning boundary as a band."""
    xs = [x for s in series for x, v in s.points if v is not None]
    if not xs:
        return f'<p class="muted">No {escape(title)} scores yet.</p>'
    if band is not None and band.points:
        xs += [x for x, _, _ in band.points]
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
        for i, (score_band, upper) in enumerate(zip(scale.bands, bounds, strict=True)):
            y0, y1 = py(min(upper, high)), py(max(score_band.lower, low))
            shade = BAND_SHADES[i % len(BAND_SHADES)]
            parts.append(
                f'<rect x="{LEFT}" y="{y0:.1f}" width="{WIDTH - LEFT - RIGHT}" '
                f'height="{max(y1 - y0, 0):.1f}" fill="{shade}"><title>{escape(score_band.label)}'
                "</title></rect>"
            )
    for tick in _ticks(low, high):
        parts.append(
            f'<text x="{LEFT - 6}" y="{py(tick) + 4:.1f}" text-anchor="end" '
            f'class="tick">{tick:g}</text>'
        )
    if band is not None and len(band.points) >= 2:
        parts.append(_band_svg(band, px, py))
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
    if band is not None and len(band.points) >= 2:
        legend += (
            f' <span class="key band-key" style="--c:{BAND_LINE}">expected course</span>'
            f' <span class="key band-key boundary" style="--c:{BAND_FILL}">'
            "to the warning boundary</span>"
        )
    return "".join(parts) + f'<p class="legend">{legend}</p>'


def _band_svg(band: Band, px: Callable[[float], float], py: Callable[[float], float]) -> str:
    expected = [(px(x), py(e)) for x, e, _ in band.points]
    boundary = [(px(x), py(b)) for x, _, b in band.points]
    outline = " ".join(f"{x:.1f},{y:.1f}" for x, y in [*expected, *reversed(boundary)])
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in expected)
    edge = " ".join(f"{x:.1f},{y:.1f}" for x, y in boundary)
    label = escape(band.label)
    return (
        f'<g class="etr-band"><title>{label}</title>'
        f'<polygon points="{outline}" fill="{BAND_FILL}" fill-opacity="0.8"/>'
        f'<polyline points="{edge}" fill="none" stroke="#a5b4fc" stroke-width="1"/>'
        f'<polyline points="{line}" fill="none" stroke="{BAND_LINE}" stroke-width="1.5" '
        'stroke-dasharray="5 4"/></g>'
    )


def _ticks(low: float, high: float) -> list[float]:
    step = (high - low) / 4
    return [low + step * i for i in range(5)]
