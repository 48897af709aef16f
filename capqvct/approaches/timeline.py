"""An establishment's action plan drawn as a timeline (a Gantt chart on a month scale), rendered on the
server as SVG markup, with the same rows as plain text for the accessible table shown next to it.

What the drawing must survive:
- the Content-Security-Policy: no script, no `<style>` element, no `style` attribute; colours and
  fonts are SVG presentation attributes (fill, stroke, font-size…);
- a black and white print: each row writes its status (« en cours, en retard ») under the title, a
  planned action is an outline, a dropped one hatched, an experiment has a dashed frame and says
  « (expérimentation) »; colours are the DSFR's, text colours at 4.5:1 or more on white;
- screen readers: the SVG is one image (role="img") named by its `<title>` and `<desc>` (how many
  actions, from when to when, how many done, running, late); the table gives the details;
- user text: every title is escaped, characters XML forbids are dropped.

Layout: one row per bar, in the order given (the caller sorts); the title on the left, truncated
with « … » (the full title in the row's `<title>`, shown on hover); a bar from the start date to the
due date included; a diamond (milestone) when only one date is known or both are the same day;
« dates à fixer » when neither is. The month scale runs from the first month of the earliest date to
the last month of the latest; a line marks today when it falls in that span.
"""

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from capqvct.core.formatting import NBSP, format_date

PLANNED, RUNNING, DONE, DROPPED = "planned", "running", "done", "dropped"
STATUS_LABELS = {PLANNED: "prévue", RUNNING: "en cours", DONE: "réalisée", DROPPED: "abandonnée"}
LATE_LABEL = "en retard"
EXPERIMENT_LABEL = "(expérimentation)"
UNDATED_LABEL = "dates à fixer"
TODAY_LABEL = "aujourd’hui"
MONTH_ABBREVIATIONS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)

# DSFR colours. Those used for text have a contrast of 4.5:1 or more on white.
BLUE_FRANCE = "#000091"
SUCCESS = "#18753c"
WARNING = "#b34000"
ERROR = "#ce0500"
GREY = "#666666"
TEXT = "#161616"
GRIDLINE = "#dddddd"
YEAR_LINE = "#929292"
WHITE = "#ffffff"
STATUS_COLOURS = {PLANNED: GREY, RUNNING: BLUE_FRANCE, DONE: SUCCESS, DROPPED: GREY}

# Geometry, in viewBox units (the SVG scales to its container's width).
WIDTH = 960
LABEL_X = 8
CHART_LEFT = 320
CHART_RIGHT = 944
HEADER_HEIGHT = 44
ROW_HEIGHT = 36
BAR_HEIGHT = 14
MILESTONE_RADIUS = 7
FOOTER_HEIGHT = 24
MIN_BAR_WIDTH = 3
FONT_SIZE = 12
SMALL_FONT_SIZE = 11
TITLE_MAX_CHARS = 44  # about 290 units of Marianne at 12
MIN_LABEL_WIDTH = 36  # room for « sept. » or « 2027 » between two gridlines
# Years between gridlines when months are too narrow; 10 000 years fit whatever the dates.
YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
FONT_FAMILY = "Marianne, arial, sans-serif"

# What XML 1.0 allows in text: a title pasted with a control character must not break the page.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Bar:
    """An action of the plan as the timeline draws it. `late` is the caller's: not done, due date past."""

    title: str
    theme: str
    starts_on: date | None
    due_on: date | None
    status: str
    experiment: bool
    late: bool

    def __post_init__(self):
        if self.status not in STATUS_LABELS:
            raise ValueError(f"Unknown action status: {self.status!r}")

    @property
    def dates(self) -> tuple[date, ...]:
        return tuple(sorted(day for day in (self.starts_on, self.due_on) if day is not None))


@dataclass(frozen=True)
class TimelineRow:
    """A bar in words, for the table next to the drawing; dates are « 5 janvier 2027 » or ""."""

    title: str
    theme: str
    status: str
    status_label: str
    starts_on: str
    due_on: str
    dates: str  # « du 5 janvier 2027 au 30 mars 2027 », « échéance le 30 mars 2027 », « dates à fixer »
    late: bool
    late_label: str  # « en retard » or ""
    experiment: bool


def timeline_rows(bars: Iterable[Bar]) -> list[TimelineRow]:
    """The rows of the accessible table, in the order of the bars."""
    return [
        TimelineRow(
            title=bar.title,
            theme=bar.theme,
            status=bar.status,
            status_label=STATUS_LABELS[bar.status],
            starts_on=format_date(bar.starts_on) if bar.starts_on else "",
            due_on=format_date(bar.due_on) if bar.due_on else "",
            dates=dates_text(bar),
            late=bar.late,
            late_label=LATE_LABEL if bar.late else "",
            experiment=bar.experiment,
        )
        for bar in bars
    ]


def dates_text(bar: Bar) -> str:
    """« du 5 janvier 2027 au 30 mars 2027 », « à partir du 5 janvier 2027 », « échéance le 30 mars
    2027 », « le 5 janvier 2027 » (same start and due), « dates à fixer »."""
    if bar.starts_on and bar.due_on:
        if bar.starts_on == bar.due_on:
            return f"le {format_date(bar.starts_on)}"
        return f"du {format_date(bar.starts_on)} au {format_date(bar.due_on)}"
    if bar.starts_on:
        return f"à partir du {format_date(bar.starts_on)}"
    if bar.due_on:
        return f"échéance le {format_date(bar.due_on)}"
    return UNDATED_LABEL


def status_text(bar: Bar) -> str:
    """« en cours », « prévue, en retard (expérimentation) »."""
    text = STATUS_LABELS[bar.status]
    if bar.late:
        text += f", {LATE_LABEL}"
    if bar.experiment:
        text += f" {EXPERIMENT_LABEL}"
    return text


def summary(bars: Sequence[Bar]) -> str:
    """The drawing's `<desc>`: « 7 actions du 5 janvier 2027 au 30 novembre 2027 ; 2 réalisées, 3 en
    cours, 1 en retard »."""
    days = [day for bar in bars for day in bar.dates]
    undated = sum(1 for bar in bars if not bar.dates)
    actions = _count(len(bars), "action", "actions")
    if not days:
        span = f"{actions} aux dates à fixer"
    else:
        first, last = min(days), max(days)
        when = (
            f"le {format_date(first)}" if first == last else f"du {format_date(first)} au {format_date(last)}"
        )
        span = f"{actions} {when}" + (f", dont {undated} aux dates à fixer" if undated else "")
    done = _count(sum(1 for bar in bars if bar.status == DONE), "réalisée", "réalisées")
    running = sum(1 for bar in bars if bar.status == RUNNING)
    late = sum(1 for bar in bars if bar.late)
    return f"{span}{NBSP}; {done}, {running} en cours, {late} {LATE_LABEL}"


def _count(number: int, singular: str, plural: str) -> str:
    # French: « 0 réalisée », « 1 réalisée », « 2 réalisées ».
    return f"{number} {singular if number < 2 else plural}"


# The drawing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthScale:
    """Whole months from `first_month` on, sharing the chart's width equally."""

    first_month: date  # the 1st of the earliest date's month
    months: int

    @classmethod
    def spanning(cls, days: Sequence[date]) -> "MonthScale":
        first, last = min(days), max(days)
        return cls(first.replace(day=1), _month_index(first.replace(day=1), last) + 1)

    @property
    def month_width(self) -> float:
        return (CHART_RIGHT - CHART_LEFT) / self.months

    @property
    def last_day(self) -> date:
        last_month = _add_months(self.first_month, self.months - 1)
        return last_month.replace(day=calendar.monthrange(last_month.year, last_month.month)[1])

    def __contains__(self, day: date) -> bool:
        return self.first_month <= day <= self.last_day

    def x(self, day: date, *, end_of_day: bool = False) -> float:
        """Where the day starts on the chart (or ends, with end_of_day)."""
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        elapsed = day.day if end_of_day else day.day - 1
        return CHART_LEFT + (_month_index(self.first_month, day) + elapsed / days_in_month) * self.month_width

    def middle(self, day: date) -> float:
        return (self.x(day) + self.x(day, end_of_day=True)) / 2


def render_timeline(bars: Sequence[Bar], *, today: date, title: str, id_prefix: str = "timeline") -> str:
    """The action plan as an SVG element, "" when there is no action: the page then says « Aucune
    action pour l’instant. » instead. `id_prefix` keeps the ids unique when a page shows two.

    Every user text is escaped here, so the caller may pass the markup through mark_safe()."""
    if not _ID.fullmatch(id_prefix):
        raise ValueError(f"Not a usable id prefix: {id_prefix!r}")
    if not bars:
        return ""
    days = [day for bar in bars for day in bar.dates]
    scale = MonthScale.spanning(days) if days else None
    rows_bottom = HEADER_HEIGHT + len(bars) * ROW_HEIGHT
    height = rows_bottom + FOOTER_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{id_prefix}-title {id_prefix}-desc" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}" fill="{TEXT}">',
        f'<title id="{id_prefix}-title">{_text(title)}</title>',
        f'<desc id="{id_prefix}-desc">{_text(summary(bars))}</desc>',
        f'<defs><pattern id="{id_prefix}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{WHITE}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{GREY}" stroke-width="3"/></pattern></defs>',
    ]
    if scale:
        parts += _month_grid(scale, rows_bottom)
    for position, bar in enumerate(bars):
        parts += _row(position, bar, scale, hatch=f"url(#{id_prefix}-hatch)")
    if scale and today in scale:
        parts += _today_line(scale.middle(today), rows_bottom)
    parts.append("</svg>")
    return "".join(parts)


def _month_grid(scale: MonthScale, rows_bottom: int) -> list[str]:
    """Gridlines with the month abbreviations, the year at each January and at the first month.

    When months are too narrow for their names, one gridline every 2, 3 or 6 months, then every
    1, 2, 5, 10… years with the year alone."""
    month_step = next((step for step in (1, 2, 3, 6) if scale.month_width * step >= MIN_LABEL_WIDTH), None)
    year_step = 1
    if month_step is None:
        year_step = next(step for step in YEAR_STEPS if scale.month_width * 12 * step >= MIN_LABEL_WIDTH)
    parts = []
    for index in range(scale.months):
        month = _add_months(scale.first_month, index)
        labelled_january = month.month == 1 and month.year % year_step == 0
        aligned = (month.month - 1) % month_step == 0 if month_step else labelled_january
        year_label = labelled_january
        if index == 0 and not labelled_january:
            # The first month's year, unless the next one written would overlap it.
            year_label = _months_to_next_year(month, year_step) * scale.month_width >= MIN_LABEL_WIDTH
        if not (aligned or index == 0):
            continue
        x = scale.x(month)
        colour = YEAR_LINE if month.month == 1 else GRIDLINE
        parts.append(
            f'<line class="gridline" x1="{_number(x)}" y1="{HEADER_HEIGHT - 20}" x2="{_number(x)}" '
            f'y2="{rows_bottom}" stroke="{colour}" stroke-width="1"/>'
        )
        if x + MIN_LABEL_WIDTH > WIDTH:
            continue  # a label would be cut by the drawing's edge
        if year_label:
            parts.append(
                f'<text class="year" x="{_number(x + 3)}" y="{HEADER_HEIGHT - 28}" font-weight="bold">'
                f"{month.year}</text>"
            )
        if month_step and aligned:
            parts.append(
                f'<text class="month" x="{_number(x + 3)}" y="{HEADER_HEIGHT - 8}" '
                f'font-size="{SMALL_FONT_SIZE}" fill="{GREY}">{MONTH_ABBREVIATIONS[month.month - 1]}</text>'
            )
    parts.append(
        f'<line class="gridline" x1="{CHART_RIGHT}" y1="{HEADER_HEIGHT - 20}" x2="{CHART_RIGHT}" '
        f'y2="{rows_bottom}" stroke="{GRIDLINE}" stroke-width="1"/>'
    )
    return parts


def _months_to_next_year(month: date, year_step: int) -> int:
    """Months from `month` to the next January whose year the scale writes."""
    year = month.year + 1
    while year % year_step:
        year += 1
    return (year - month.year) * 12 - (month.month - 1)


def _row(position: int, bar: Bar, scale: MonthScale | None, *, hatch: str) -> list[str]:
    top = HEADER_HEIGHT + position * ROW_HEIGHT
    middle = top + ROW_HEIGHT / 2
    colour = ERROR if bar.late else STATUS_COLOURS[bar.status]
    full_title = _single_line(bar.title) or "Action sans titre"
    theme = _single_line(bar.theme)
    hover = f"{full_title} ({theme})" if theme else full_title
    parts = [
        f'<g class="row" data-row="{position}">',
        f"<title>{_text(f'{hover}{NBSP}: {status_text(bar)}, {dates_text(bar)}')}</title>",
        f'<line class="separator" x1="{LABEL_X}" y1="{top + ROW_HEIGHT}" x2="{CHART_RIGHT}" '
        f'y2="{top + ROW_HEIGHT}" stroke="{GRIDLINE}" stroke-width="1"/>',
        f'<text class="label" x="{LABEL_X}" y="{top + 15}">{_text(_truncate(full_title))}</text>',
        f'<text class="status" x="{LABEL_X}" y="{top + 29}" font-size="{SMALL_FONT_SIZE}" fill="{colour}">'
        f"{_text(status_text(bar))}</text>",
    ]
    # Planned: an outline; running and done: filled; dropped: hatched grey.
    fill = WHITE if bar.status == PLANNED else hatch if bar.status == DROPPED else colour
    paint = f'fill="{fill}" stroke="{colour}" stroke-width="1.5"'
    frame = f'fill="none" stroke="{TEXT}" stroke-width="1" stroke-dasharray="4 3"'
    dates = bar.dates
    if scale is None or not dates:
        parts.append(
            f'<text class="undated" x="{CHART_LEFT + 4}" y="{_number(middle + 4)}" font-style="italic" '
            f'fill="{GREY}">{UNDATED_LABEL}</text>'
        )
    elif dates[0] == dates[-1]:
        cx = min(max(scale.middle(dates[0]), CHART_LEFT), CHART_RIGHT)
        parts.append(
            f'<polygon class="milestone" points="{_diamond(cx, middle, MILESTONE_RADIUS)}" {paint}/>'
        )
        if bar.experiment:
            parts.append(
                f'<polygon class="experiment" points="{_diamond(cx, middle, MILESTONE_RADIUS + 4)}" {frame}/>'
            )
    else:
        x = scale.x(dates[0])
        width = max(scale.x(dates[-1], end_of_day=True) - x, MIN_BAR_WIDTH)
        x = min(x, CHART_RIGHT - width)
        y = middle - BAR_HEIGHT / 2
        parts.append(
            f'<rect class="bar" x="{_number(x)}" y="{_number(y)}" width="{_number(width)}" '
            f'height="{BAR_HEIGHT}" {paint}/>'
        )
        if bar.experiment:
            parts.append(
                f'<rect class="experiment" x="{_number(x - 3)}" y="{_number(y - 3)}" '
                f'width="{_number(width + 6)}" height="{BAR_HEIGHT + 6}" {frame}/>'
            )
    parts.append("</g>")
    return parts


def _today_line(x: float, rows_bottom: int) -> list[str]:
    anchor = "start" if x < CHART_LEFT + 40 else "end" if x > CHART_RIGHT - 40 else "middle"
    return [
        f'<g class="today"><line x1="{_number(x)}" y1="{HEADER_HEIGHT - 4}" x2="{_number(x)}" '
        f'y2="{rows_bottom + 4}" stroke="{WARNING}" stroke-width="2"/>',
        f'<text x="{_number(x)}" y="{rows_bottom + 18}" text-anchor="{anchor}" font-size="{SMALL_FONT_SIZE}" '
        f'fill="{WARNING}">{TODAY_LABEL}</text></g>',
    ]


def _diamond(cx: float, cy: float, radius: float) -> str:
    return " ".join(
        f"{_number(x)},{_number(y)}"
        for x, y in ((cx, cy - radius), (cx + radius, cy), (cx, cy + radius), (cx - radius, cy))
    )


def _single_line(text: str) -> str:
    return " ".join(_NOT_XML.sub("", text).split())


def _truncate(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _text(text: str) -> str:
    """Escaped for an SVG text node, without the characters XML forbids."""
    return escape(_NOT_XML.sub("", text))


def _number(value: float) -> str:
    """12, 12.5, 12.35: short coordinates for a lighter page."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _month_index(first_month: date, day: date) -> int:
    return (day.year - first_month.year) * 12 + day.month - first_month.month


def _add_months(first_of_month: date, months: int) -> date:
    year, month = divmod(first_of_month.month - 1 + months, 12)
    return date(first_of_month.year + year, month + 1, 1)
