"""Small charts as inline SVG, drawn on the server: no JavaScript library, nothing downloaded,
so a page with charts works without scripts and under the CSP (presentation attributes only,
no style). A stacked bar chart and a line chart over categories (e.g. the hours of a day).

Each chart is a `<figure class="chart">` holding its title as a visible `<figcaption>`, then an
`<svg role="img">` with an `aria-label` and a `<title>`, followed by a visually hidden `<table class="sr-only">` with the same figures for
screen readers (the picture itself says nothing to them). Every label is escaped; the output
is well-formed XML. With nothing to draw (no category, or every value 0 or missing) the chart
says "暂无数据" and has no table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from math import ceil, floor, log10

from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LEFT, RIGHT = 48, 8  # room for the value axis's labels on the left
TOP = 36  # room for the legend
PLOT_HEIGHT = 200
BOTTOM = 24  # room for the category labels
BASELINE = TOP + PLOT_HEIGHT
HEIGHT = BASELINE + BOTTOM
NO_DATA_HEIGHT = 48
PLOT_WIDTH = WIDTH - LEFT - RIGHT
BAR_SHARE = 0.7  # of each category's band
TEXT = "#24292f"
GRID = "#d0d7de"
NO_DATA = "暂无数据"
MISSING = "—"


# The backgrounds a chart is drawn on (a page, a card; site.css --bg) and the contrast each
# mark must keep against them. axe-core does not measure colours inside an SVG, so this is the
# charts' contrast check, run for every colour a chart is given (issue 16): WCAG 2.1 SC 1.4.11
# asks 3:1 of graphical objects, SC 1.4.3 4.5:1 of text. Stacked bars are parted by a white
# line, so that two adjacent series need not differ from each other by 3:1.
BACKGROUNDS = ("#ffffff", "#f6f8fa")
MIN_MARK_CONTRAST = 3.0
MIN_TEXT_CONTRAST = 4.5
SEPARATOR = "#ffffff"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _luminance(colour: str) -> float:
    """Relative luminance of an sRGB colour (WCAG 2.1, definition of relative luminance)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(one: str, other: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours, from 1 to 21."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def check_colour(colour: str, minimum: float = MIN_MARK_CONTRAST) -> str:
    """The colour, if it is #rrggbb and keeps `minimum` contrast against every background."""
    if not _HEX.match(colour):
        raise ValueError(f"chart colour {colour!r}: write it as #rrggbb")
    worst = min(contrast_ratio(colour, background) for background in BACKGROUNDS)
    if worst < minimum:
        raise ValueError(f"chart colour {colour}: contrast {worst:.2f}:1 against the page, "
                         f"{minimum}:1 needed (WCAG 2.1 SC 1.4.11)")
    return colour


@dataclass(frozen=True)
class Series:
    """One row of values, one per category; None: no value (a gap). Its colour must keep 3:1
    against the page (check_colour)."""

    name: str
    values: Sequence[float | None]
    colour: str
    # Where each value's bar leads (the rows it counts), one per value; none: bars that are
    # pictures only.
    links: Sequence[str] = ()

    def __post_init__(self) -> None:
        check_colour(self.colour)
        if self.links and len(self.links) != len(self.values):
            raise ValueError(f"series {self.name!r}: one link per value, or none")


def nice_ceiling(value: float) -> float:
    """The top of the value axis: the smallest 1, 2 or 5 × 10ⁿ not below `value` (1 for
    nothing), so that its half is a round tick too."""
    if value <= 0:
        return 1
    power = 10.0 ** floor(log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value * (1 - 1e-12):
            return _tidy(step * power)
    return _tidy(10 * power)  # pragma: no cover — the loop always returns


def axis_top(peak: float, values: Iterable[float | None]) -> float:
    """The top of a value axis with ticks at 0, half and top: `nice_ceiling`, except that
    counts (every value a whole number) get whole ticks — below ten the next even number
    (1 → 2, 3 → 4, 5 → 6), not 1 or 5 with a tick at 0.5 or 2.5 件 (issue 16 walk-through)."""
    if all(v is None or float(v).is_integer() for v in values) and 0 < peak < 10:
        return float(max(2, ceil(peak / 2) * 2))
    return nice_ceiling(peak)


def _tidy(value: float) -> float:
    return float(f"{value:.12g}")


def _num(value: float | None) -> str:
    """A value as people read it: 3, 12.5 (one decimal at most)."""
    if value is None:
        return MISSING
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _at(value: float) -> str:
    """A coordinate, short."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _e(text: str) -> str:
    return escape(str(text), quote=True)


def _empty(series: Sequence[Series]) -> bool:
    return not any(v for s in series for v in s.values if v is not None and v > 0)


def _open(title: str, label: str, height: int = HEIGHT, role: str = "img") -> list[str]:
    """The figure and the svg. `role` "group" for a chart whose bars are links: an image may
    hold nothing focusable (axe nested-interactive); each link is then named by its title."""
    return [f'<figure class="chart"><figcaption>{_e(title)}</figcaption>'
            f'<svg xmlns="http://www.w3.org/2000/svg" role="{role}" '
            f'aria-label="{_e(label)}" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}"><title>{_e(title)}</title>']


def _no_data(title: str) -> SafeString:
    """A short picture saying there is nothing to draw (no room kept for axes)."""
    parts = _open(title, f"{title}：{NO_DATA}", height=NO_DATA_HEIGHT)
    parts.append(f'<text x="{WIDTH // 2}" y="{NO_DATA_HEIGHT // 2 + 5}" text-anchor="middle" '
                 f'font-size="14" fill="{TEXT}">{NO_DATA}</text></svg></figure>')
    return mark_safe("".join(parts))  # noqa: S308 — every label above is escaped


def _frame(parts: list[str], categories: Sequence[str], ticks: Sequence[str], top: float,
           series: Sequence[Series]) -> None:
    """The value axis (0, half, top) with grid lines, the category labels and the legend."""
    for share in (0.0, 0.5, 1.0):
        y = BASELINE - share * PLOT_HEIGHT
        parts.append(f'<line x1="{LEFT}" y1="{_at(y)}" x2="{WIDTH - RIGHT}" y2="{_at(y)}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{_at(y + 4)}" text-anchor="end" font-size="11" '
                     f'fill="{TEXT}">{_num(top * share)}</text>')
    band = PLOT_WIDTH / len(categories)
    for index, tick in enumerate(ticks):
        x = LEFT + band * (index + 0.5)
        parts.append(f'<text x="{_at(x)}" y="{BASELINE + 16}" text-anchor="middle" '
                     f'font-size="11" fill="{TEXT}">{_e(tick)}</text>')
    x = float(LEFT)
    for one in series:
        parts.append(f'<rect x="{_at(x)}" y="10" width="12" height="12" fill="{_e(one.colour)}"/>'
                     f'<text x="{_at(x + 16)}" y="20" font-size="12" fill="{TEXT}">'
                     f'{_e(one.name)}</text>')
        x += 16 + 13 * len(one.name) + 16


def _table(title: str, categories: Sequence[str], series: Sequence[Series], unit: str,
           category_name: str) -> str:
    head = "".join(f'<th scope="col">{_e(s.name)}（{_e(unit)}）</th>' for s in series)
    rows = "".join(
        f'<tr><th scope="row">{_e(category)}</th>'
        + "".join(f"<td>{_num(s.values[index])}</td>" for s in series) + "</tr>"
        for index, category in enumerate(categories))
    return (f'<table class="sr-only"><caption>{_e(title)}</caption><thead><tr>'
            f'<th scope="col">{_e(category_name)}</th>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def _check(categories: Sequence[str], series: Sequence[Series],
           ticks: Sequence[str] | None) -> Sequence[str]:
    for one in series:
        if len(one.values) != len(categories):
            raise ValueError(f"series {one.name!r}: one value per category")
    if ticks is not None and len(ticks) != len(categories):
        raise ValueError("one tick per category")
    return categories if ticks is None else ticks


def bar_chart(title: str, categories: Sequence[str], series: Sequence[Series], *, unit: str,
              ticks: Sequence[str] | None = None, category_name: str = "时段",
              stacked: bool = True) -> SafeString:
    """Bars per category, the series stacked bottom up in their order, or side by side
    (`stacked=False`: measures that do not add up, such as red cards and deemed approvals).
    `ticks`: shorter labels for the axis (default: the categories). A series with `links`
    makes each of its bars a link, named by the bar's title."""
    labels = _check(categories, series, ticks)
    if not categories or _empty(series):
        return _no_data(title)
    if stacked:
        top = axis_top(max(sum(max(0.0, s.values[i] or 0) for s in series)
                           for i in range(len(categories))), (v for s in series for v in s.values))
    else:
        top = axis_top(max(max(0.0, v or 0) for s in series for v in s.values),
                       (v for s in series for v in s.values))
    linked = any(s.links for s in series)
    parts = _open(title, f"{title}（单位：{unit}）", role="group" if linked else "img")
    _frame(parts, categories, labels, top, series)
    band = PLOT_WIDTH / len(categories)
    width = band * BAR_SHARE if stacked else band * BAR_SHARE / len(series)
    below = [0.0] * len(categories)
    for number, one in enumerate(series):
        for index, value in enumerate(one.values):
            if value is None or value <= 0:
                continue
            height = value / top * PLOT_HEIGHT
            x = LEFT + band * index + band * (1 - BAR_SHARE) / 2 + (0 if stacked else
                                                                  number * width)
            y = BASELINE - below[index] - height
            if stacked:
                below[index] += height
            tip = f"<title>{_e(labels[index])} {_e(one.name)} {_num(value)} {_e(unit)}</title>"
            bar = (f'<rect class="bar" x="{_at(x)}" y="{_at(y)}" width="{_at(width)}" '
                   f'height="{_at(height)}" fill="{_e(one.colour)}" stroke="{SEPARATOR}" '
                   f'stroke-width="1">')
            # A link is named by a title of its own (the bar's, moved up to it).
            parts.append(f'<a href="{_e(one.links[index])}">{tip}{bar}</rect></a>'
                         if one.links else f"{bar}{tip}</rect>")
    parts.append("</svg>")
    parts.append(_table(title, categories, series, unit, category_name))
    parts.append("</figure>")
    return mark_safe("".join(parts))  # noqa: S308 — every label above is escaped


def line_chart(title: str, categories: Sequence[str], series: Series, *, unit: str,
               ticks: Sequence[str] | None = None, category_name: str = "时段") -> SafeString:
    """A line through the values, a dot on each; a missing value breaks the line."""
    labels = _check(categories, [series], ticks)
    if not categories or _empty([series]):
        return _no_data(title)
    top = axis_top(max(v for v in series.values if v is not None), series.values)
    parts = _open(title, f"{title}（单位：{unit}）")
    _frame(parts, categories, labels, top, [series])
    band = PLOT_WIDTH / len(categories)
    runs: list[list[str]] = [[]]
    dots = []
    for index, value in enumerate(series.values):
        if value is None:
            runs.append([])
            continue
        x = LEFT + band * (index + 0.5)
        y = BASELINE - max(0.0, value) / top * PLOT_HEIGHT
        runs[-1].append(f"{_at(x)},{_at(y)}")
        dots.append(f'<circle cx="{_at(x)}" cy="{_at(y)}" r="3.5" fill="{_e(series.colour)}">'
                    f"<title>{_e(labels[index])} {_e(series.name)} {_num(value)} {_e(unit)}"
                    f"</title></circle>")
    parts.extend(f'<polyline points="{" ".join(run)}" fill="none" '
                 f'stroke="{_e(series.colour)}" stroke-width="2"/>' for run in runs if len(run) > 1)
    parts.extend(dots)
    parts.append("</svg>")
    parts.append(_table(title, categories, [series], unit, category_name))
    parts.append("</figure>")
    return mark_safe("".join(parts))  # noqa: S308 — every label above is escaped


# --- ranked bars: one row a department or item, each a link to its rows ----------------------

ROW_HEIGHT = 22
LABEL_WIDTH = 200  # room for a department's name on the left
VALUE_WIDTH = 56  # room for the figure on the right
BAR_COLOUR = "#0b5cad"
TARGET_COLOUR = "#b3261e"


@dataclass(frozen=True)
class Bar:
    """One row of a ranked chart: its label, its value (None: nothing to measure) and the
    page that lists the rows behind the figure ("" for none)."""

    label: str
    value: float | None
    href: str = ""


def _clip(text: str, room: int) -> str:
    """A label cut to what fits `room` pixels at 12 px (a CJK character ≈ 12 px)."""
    width, kept = 0, list[str]()
    for ch in text:
        width += 12 if ord(ch) > 0x2E7F else 7
        if width > room - 12:
            return "".join(kept) + "…"
        kept.append(ch)
    return text


def ranked_bars(title: str, bars: Sequence[Bar], *, unit: str, top: float | None = None,
                target: float | None = None, category_name: str = "单位") -> SafeString:
    """Horizontal bars, one row each in the order given (rank them before), the value at the
    end of each bar; each row a link to `href` (every figure links to its rows). `top` fixes
    the scale (100 for a percentage); `target` draws the goal as a vertical line."""
    shown = [b for b in bars if b.value is not None]
    if not shown or (all((b.value or 0) <= 0 for b in shown) and target is None):
        return _no_data(title)
    scale = top if top is not None else nice_ceiling(max(b.value or 0 for b in shown))
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = 8 + ROW_HEIGHT * len(shown) + 8
    linked = any(b.href for b in shown)
    parts = _open(title, f"{title}（单位：{unit}）", height=height,
                  role="group" if linked else "img")
    for index, bar in enumerate(shown):
        y = 8 + ROW_HEIGHT * index
        width = max(0.0, min(bar.value or 0, scale)) / scale * plot
        row = (f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" font-size="12" '
               f'fill="{TEXT}">{_e(_clip(bar.label, LABEL_WIDTH))}</text>'
               f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{_at(width)}" height="{ROW_HEIGHT - 8}" '
               f'fill="{BAR_COLOUR}"/>'
               f'<text x="{_at(LABEL_WIDTH + width + 4)}" y="{y + 15}" font-size="12" '
               f'fill="{TEXT}">{_num(bar.value)}</text>')
        tip = f"<title>{_e(bar.label)} {_num(bar.value)} {_e(unit)}</title>"
        parts.append(f'<a href="{_e(bar.href)}">{tip}{row}</a>' if bar.href else
                     f"<g>{tip}{row}</g>")
    if target is not None:
        x = LABEL_WIDTH + min(target, scale) / scale * plot
        parts.append(f'<line x1="{_at(x)}" y1="4" x2="{_at(x)}" y2="{height - 4}" '
                     f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="4 3">'
                     f"<title>目标 {_num(target)} {_e(unit)}</title></line>")
    parts.append("</svg>")
    parts.append(_table(title, [b.label for b in shown],
                        [Series(title, [b.value for b in shown], BAR_COLOUR)], unit,
                        category_name))
    parts.append("</figure>")
    return mark_safe("".join(parts))  # noqa: S308 — every label above is escaped
