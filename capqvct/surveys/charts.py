"""Horizontal bar charts of scale scores (0–100), drawn on the server as SVG, like the action plan's
timeline: no script, no style attribute (the Content-Security-Policy forbids both), DSFR colours as
presentation attributes, one `<title>` and `<desc>` for screen readers, and always a data table next
to it on the page. Several series (the establishment, its references, the two waves) give several
bars per scale, told apart by their colour, their pattern and a legend."""

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from capqvct.core.formatting import format_number

WIDTH = 640
LABEL_WIDTH = 250
BAR_HEIGHT = 14
GAP = 10
TOP = 34
# DSFR's blue France, its « info » blue and a neutral grey; each at 3:1 or more against white.
COLOURS = ("#000091", "#0063cb", "#666666", "#8d533e")


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float | None, ...]


def bar_chart(
    labels: Sequence[str], series: Sequence[Series], *, title: str, description: str, chart_id: str
) -> str:
    """The SVG markup (every text escaped, so it may be marked safe)."""
    group_height = len(series) * BAR_HEIGHT + GAP
    height = TOP + len(labels) * group_height + 24
    plot = WIDTH - LABEL_WIDTH - 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="capqvct-chart" width="100%">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    parts += _legend(series)
    for tick in (0, 25, 50, 75, 100):
        x = LABEL_WIDTH + plot * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{height - 20}" stroke="#dddddd"/>'
            f'<text x="{x:.1f}" y="{height - 6}" font-size="11" text-anchor="middle" '
            f'fill="#3a3a3a">{tick}</text>'
        )
    for row, label in enumerate(labels):
        top = TOP + row * group_height
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{top + len(series) * BAR_HEIGHT / 2 + 4:.1f}" font-size="12" '
            f'text-anchor="end" fill="#161616">{escape(_short(label))}</text>'
        )
        for index, one in enumerate(series):
            value = one.values[row]
            y = top + index * BAR_HEIGHT
            if value is None:
                parts.append(
                    f'<text x="{LABEL_WIDTH + 4}" y="{y + BAR_HEIGHT - 3}" font-size="10" fill="#3a3a3a">'
                    "non affiché</text>"
                )
                continue
            width = plot * max(0.0, min(100.0, value)) / 100
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 1}" width="{width:.1f}" height="{BAR_HEIGHT - 2}" '
                f'fill="{COLOURS[index % len(COLOURS)]}"/>'
                f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + BAR_HEIGHT - 3}" font-size="10" '
                f'fill="#161616">{format_number(value, decimals=0)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _legend(series: Sequence[Series]) -> list[str]:
    if len(series) < 2:
        return []
    parts, x = [], LABEL_WIDTH
    for index, one in enumerate(series):
        parts.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{COLOURS[index % len(COLOURS)]}"/>'
            f'<text x="{x + 16}" y="16" font-size="11" fill="#161616">{escape(one.label)}</text>'
        )
        x += 24 + 7 * len(one.label)
    return parts


def _short(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
