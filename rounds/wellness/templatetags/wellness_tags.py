"""A tiny server-drawn trend line: inline SVG, gaps where a period is suppressed."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

WIDTH, HEIGHT, PAD = 160, 40, 4


@register.simple_tag
def trend_svg(points: list[float | None], labels: list[str], name: str) -> str:
    n = len(points)
    if n == 0:
        return ""
    step = (WIDTH - 2 * PAD) / max(1, n - 1)

    def xy(i: int, value: float) -> tuple[float, float]:
        return PAD + i * step, HEIGHT - PAD - (HEIGHT - 2 * PAD) * value / 100

    segments: list[list[tuple[float, float]]] = [[]]
    for i, value in enumerate(points):
        if value is None:
            segments.append([])
        else:
            segments[-1].append(xy(i, value))
    lines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="currentColor" stroke-width="2"/>',
        ((" ".join(f"{x:.1f},{y:.1f}" for x, y in seg),) for seg in segments if len(seg) > 1),
    )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3" fill="currentColor"/>',
        (
            (f"{x:.1f}", f"{y:.1f}")
            for x, y in (xy(i, v) for i, v in enumerate(points) if v is not None)
        ),
    )
    described = "; ".join(
        f"{label}: {'suppressed' if v is None else f'{v:.0f}%'}"
        for label, v in zip(labels, points, strict=False)
    )
    return format_html(
        '<svg class="trend" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}"><line x1="0" y1="{}" x2="{}" y2="{}" class="trend-base"/>{}{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        f"{name} — {described}",
        HEIGHT - PAD,
        WIDTH,
        HEIGHT - PAD,
        lines,
        dots,
    )


@register.filter
def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


@register.filter
def zip_with(a: list[object], b: list[object]) -> list[tuple[object, object]]:
    return list(zip(a, b, strict=False))


@register.filter
def with_skip(options: list[str]) -> list[str]:
    return [*options, "Prefer not to say"]
