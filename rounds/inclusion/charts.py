"""Small server-rendered SVG line charts: no script, readable by screen readers (a title and a
description), and every point is also in the table beside the chart."""

from __future__ import annotations

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 38, 22, 12, 28
SCALES = (10, 20, 25, 50, 100)
COLOURS = ["#7c2d8c", "#1f6f8b", "#8a5a00"]
DASHES = ["", "6 4", "2 3"]


def line_chart(xs: list[int], series: dict[str, list[float | None]], *, title: str) -> SafeString:
    """Percent over years, on a scale up to the next of 10/20/25/50/100%; a missing point
    (suppressed) breaks the line."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max((v for values in series.values() for v in values if v is not None), default=0)
    scale = next(s for s in SCALES if top <= s)

    def x_at(i: int) -> float:
        return LEFT + (plot_w * i / max(1, len(xs) - 1))

    def y_at(value: float) -> float:
        return TOP + plot_h * (1 - value / scale)

    parts = [
        f'<line x1="{LEFT}" y1="{y_at(v):.1f}" x2="{WIDTH - RIGHT}" y2="{y_at(v):.1f}" '
        f'class="grid-line"/><text x="{LEFT - 4}" y="{y_at(v) + 4:.1f}" '
        f'text-anchor="end">{v}%</text>'
        for v in (0, scale // 2 if scale % 2 == 0 else scale / 2, scale)
    ]
    parts += [
        f'<text x="{x_at(i):.1f}" y="{HEIGHT - 8}" text-anchor="middle">{str(x)[-2:]}–'
        f"{str(x + 1)[-2:]}</text>"
        for i, x in enumerate(xs)
    ]
    described = []
    for n, (name, values) in enumerate(series.items()):
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, value in enumerate(values):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x_at(i):.1f},{y_at(value):.1f}")
            parts.append(
                f'<circle cx="{x_at(i):.1f}" cy="{y_at(value):.1f}" r="3" fill="{colour}"/>'
            )
        if segment:
            segments.append(segment)
        for points in segments:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="{dash}"/>'
            )
        shown = [f"{x}: {v}%" for x, v in zip(xs, values, strict=True) if v is not None]
        described.append(f"{name}: " + (", ".join(shown) if shown else "all suppressed"))
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f"<desc>{escape('; '.join(described))}</desc>{''.join(parts)}</svg>"
    )
    return mark_safe(svg)


def legend(names: list[str]) -> SafeString:
    items = [
        format_html(
            '<li><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" '
            'y2="5" stroke="{}" stroke-width="2" stroke-dasharray="{}"/></svg> {}</li>',
            COLOURS[n % len(COLOURS)],
            DASHES[n % len(DASHES)],
            name,
        )
        for n, name in enumerate(names)
    ]
    return mark_safe('<ul class="chart-legend">' + "".join(items) + "</ul>")
