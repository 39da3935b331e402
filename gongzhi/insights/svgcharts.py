"""Bar and line charts as inline SVG, for the printed and PDF report.

The dashboard draws with ECharts in the browser; a PDF is made on the server, where no browser
runs, so the report's charts are drawn here from the same numbers. Plain SVG elements only
(rect, line, polyline, text), which WeasyPrint and every browser render alike.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#c0392b", "#2f6f9f", "#2e8b57", "#d68910", "#7d3c98", "#5d6d7e")
FONT = 'font-family="Noto Sans CJK SC, sans-serif"'


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _scale_max(values: list[float]) -> float:
    top = max([v for v in values if v is not None] or [0])
    return top if top > 0 else 1


def hbar(labels: list[str], values: list[float | None], *, width: int = 640, unit: str = "") -> SafeString:
    """Horizontal bars, one per label, the value written at the bar's end."""
    row, left, right = 22, 170, 60
    height = row * len(labels) + 10
    top = _scale_max(values)
    span = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" {FONT} font-size="12">'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + i * row
        length = 0 if value is None else span * value / top
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(str(label)[:14])}</text>')
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" fill="{COLOURS[0]}"/>'
        )
        shown = "—" if value is None else _fmt(value) + unit
        parts.append(f'<text x="{left + length + 4:.1f}" y="{y + 14}">{escape(shown)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped


def lines(
    labels: list[str], series: list[tuple[str, list[float | None]]], *, width: int = 640, height: int = 220
) -> SafeString:
    """One polyline per series over the labels (months), with a 0–100 axis for rates."""
    left, right, top_pad, bottom = 40, 10, 24, 26
    plot_h = height - top_pad - bottom
    step = (width - left - right) / max(len(labels) - 1, 1)
    maximum = max(100.0, _scale_max([v for _, vs in series for v in vs if v is not None]))

    def y_of(v: float) -> float:
        return top_pad + plot_h * (1 - v / maximum)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" {FONT} font-size="11">'
    ]
    for tick in (0, 25, 50, 75, 100):
        y = y_of(tick)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick}%</text>')
    for i, label in enumerate(labels):
        if i % 2 == len(labels) % 2 or len(labels) <= 6:
            x = left + i * step
            parts.append(
                f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{escape(label[2:])}</text>'
            )
    for n, (name, values) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(
            f"{left + i * step:.1f},{y_of(v):.1f}" for i, v in enumerate(values) if v is not None
        )
        if points:
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.append(f'<rect x="{left + n * 130}" y="4" width="12" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{left + n * 130 + 16}" y="13">{escape(name)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped
