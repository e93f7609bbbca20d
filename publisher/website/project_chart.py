"""A project page's chart: one inline SVG, two panels on one month axis, the downloads above
(a bar a month, stacked by installer group where the month has the breakdown) and the rank
below (a line, and a dot a month). No script, no chart library.

Ten years of months are on each of 15,000 pages, so the chart is written small: each panel
draws its months in coordinates of its own, a month one unit wide and the panel 100 high (a
nested `<svg>` stretched onto the panel), so that every number in a path is a small integer;
a bar is one stroke as wide as 70% of its month, a dot a zero-length segment with a round cap
(the stylesheet keeps the line and the dots round: `vector-effect: non-scaling-stroke`), and
each path after its first point moves relatively. History months (history_files.py) are drawn
paler, months that are not comparable are marked with an asterisk, and a dashed line stands
where PyPI changed how it logs downloads: as on every chart of the site (chart.py).
"""

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup, escape

from publisher.website.chart import HISTORY, MARKED, PLAIN, Frame, Slot, compact, kind_of, nice_step
from publisher.website.markup import attribute

WIDTH, LEFT, RIGHT = 480, 64, 12
PLOT = WIDTH - LEFT - RIGHT
PANELS = {"downloads": (6, 110), "rank": (140, 110)}  # top, height in the SVG's own units
HEIGHT = 274  # the month labels' line is at 266 and the value labels end at LEFT - 4 = 60:
# site.css moves them there, and turns the panels' names upright (an attribute on each label
# would be written on 15,000 pages)
FULL = 100  # a panel's own height: bars and ranks are written as 0 to 100
MAX_LABELS = 6


@dataclass(frozen=True)
class ProjectChart:
    svg: Markup
    stacked: bool  # some month has its downloads by installer group
    plain: bool  # and some other month a plain bar
    stars: bool  # some month is not comparable with the others
    breaks: bool  # the logging change is on the axis
    history: bool  # some month is a history month


def project_chart(
    frame: Frame,
    downloads: Sequence[int | None],
    ranks: Sequence[int | None],
    parts: Sequence[Sequence[int] | None],
    groups: Sequence[str],
    title: str,
) -> ProjectChart:
    slots = frame.slots
    first = slots[0].index
    months = slots[-1].index - first + 1
    xs = [s.index - first for s in slots]
    bars, stacks, stars, top_label = bar_paths(xs, slots, downloads, parts, groups)
    line, dots = rank_paths(xs, slots, ranks)
    unit = PLOT / months
    breaks = [
        LEFT + unit * later.index - unit * first
        for earlier, later in pairwise(slots)
        if later.after_change and not earlier.after_change
    ]
    star_marks = "".join(
        f"<text class=star x={LEFT + unit * (x + 0.5):.0f} y={y:.0f}>*</text>" for x, y in stars
    )
    body = (
        f'<svg class="chart project" viewBox="0 0 {WIDTH} {HEIGHT}" role=img'
        f" aria-labelledby=chart-title>\n<title id=chart-title>{escape(title)}</title>\n"
        f"{axis(top_label, rank_floor(ranks), slots, unit, first)}"
        f"{panel('downloads', months, bars + stacks)}"
        f"{panel('rank', months, [('line', line), *dots])}"
        + "".join(f'<path class=break d="M{x:.0f} 6V250"/>' for x in breaks)
        + f"{star_marks}</svg>\n"
    )
    return ProjectChart(
        Markup(body),
        bool(stacks),
        any(p is None and d is not None for p, d in zip(parts, downloads, strict=True)),
        bool(stars),
        bool(breaks),
        any(s.history for s in slots),
    )


def panel(name: str, months: int, paths: list[tuple[str, str]]) -> str:
    """A panel stretched onto its place; the rank's line and dots keep their width and round
    ends however it is stretched (an attribute: not every CSS checker knows the property)."""
    top, height = PANELS[name]
    keep = " vector-effect=non-scaling-stroke" if name == "rank" else ""
    shapes = "".join(f'<path class={attribute(kind)}{keep} d="{d}"/>' for kind, d in paths if d)
    return (
        f"<svg class={name} x={LEFT} y={top} width={PLOT} height={height}"
        f' viewBox="-.5 0 {months} {FULL}" preserveAspectRatio=none>{shapes}</svg>\n'
    )


def bar_paths(
    xs: list[int],
    slots: Sequence[Slot],
    downloads: Sequence[int | None],
    parts: Sequence[Sequence[int] | None],
    groups: Sequence[str],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[int, float]], int]:
    """The bars by kind of month, the stacked segments by group, the asterisks' places (x in
    months, y in the SVG's units) and the top of the downloads' axis."""
    top = max((v for v in downloads if v is not None), default=0) or 1
    ceiling = nice_step(top) * math.ceil(top / nice_step(top))
    columns: dict[str, list[tuple[int, int, int]]] = {PLAIN: [], MARKED: [], HISTORY: []}
    stacked: list[list[tuple[int, int, int]]] = [[] for _ in groups]
    stars = []
    panel_top, height = PANELS["downloads"]
    for x, slot, value, pieces in zip(xs, slots, downloads, parts, strict=True):
        if value is None:
            continue
        high = FULL - round(value * FULL / ceiling)
        if pieces is None:
            columns[kind_of(slot)].append((x, FULL, high))
        else:
            base = 0
            for column, piece in zip(stacked, pieces, strict=True):
                if piece > 0:
                    low = FULL - round(base * FULL / ceiling)
                    base += piece
                    column.append((x, low, FULL - round(base * FULL / ceiling)))
        if slot.marked:
            stars.append((x, panel_top + high * height / FULL - 3))
    bars = [(kind, strokes(c)) for kind, c in columns.items()]
    stacks = [(f"part {g}", strokes(c)) for g, c in zip(groups, stacked, strict=True) if c]
    return bars, stacks, stars, ceiling


def strokes(columns: list[tuple[int, int, int]]) -> str:
    """Vertical strokes (x, from, to): the first placed, each next moved to relatively."""
    d, at = [], None
    for x, low, high in columns:
        if at is None or low == high:
            d.append(f"M{x} {low}V{high}")
        else:
            d.append(f"m{pair(x - at[0], low - at[1])}V{high}")
        at = (x, high)
    return "".join(d)


def rank_paths(
    xs: list[int], slots: Sequence[Slot], ranks: Sequence[int | None]
) -> tuple[str, list[tuple[str, str]]]:
    """The rank's line (broken where a month has no rank) and the dots by kind of month: a
    history month's only where no line reaches it (the pale line is its mark)."""
    floor = rank_floor(ranks)
    placed = [
        (x, round((rank - 1) * FULL / (floor - 1)), slot)
        for x, slot, rank in zip(xs, slots, ranks, strict=True)
        if rank is not None
    ]
    joined = [a[2].index + 1 == b[2].index for a, b in pairwise(placed)]
    before, after = ([False, *joined], [*joined, False]) if placed else ([], [])
    line = line_path([(x, y) for x, y, _ in placed], before)
    dots: dict[str, list[tuple[int, int]]] = {PLAIN: [], MARKED: [], HISTORY: []}
    for (x, y, slot), left, right in zip(placed, before, after, strict=True):
        if not slot.history or slot.marked or not (left or right):
            dots[MARKED if slot.marked else kind_of(slot)].append((x, y))
    return line, [(kind, points(d)) for kind, d in dots.items()]


def line_path(placed: list[tuple[int, int]], joined: list[bool]) -> str:
    """The rank's line, each point moved or drawn to relatively: after the first, a drawn
    point is two small numbers (an implicit relative line after `l` or `m`), or one where
    the rank stays (`h`)."""
    d, at, after = [], None, ""
    for (x, y), join in zip(placed, joined, strict=True):
        if at is None:
            d.append(f"M{x} {y}")
            after = "M"
        elif join and y == at[1]:
            # Where the rank stays, one `h` runs on as long as it does.
            run = int(d.pop()[1:]) if after == "h" else 0
            d.append(f"h{run + x - at[0]}")
            after = "h"
        elif join:
            d.append(f"{' ' if after in ('l', 'm') else 'l'}{pair(x - at[0], y - at[1])}")
            after = "l"
        else:
            d.append(f"m{pair(x - at[0], y - at[1])}")
            after = "m"
        at = (x, y)
    return "".join(d)


def pair(x: int, y: int) -> str:
    """Two numbers of a path: a minus sign separates them by itself."""
    return f"{x}{'' if y < 0 else ' '}{y}"


def points(dots: list[tuple[int, int]]) -> str:
    d, at = [], None
    for x, y in dots:
        d.append(f"M{x} {y}h0" if at is None else f"m{pair(x - at[0], y - at[1])}h0")
        at = (x, y)
    return "".join(d)


def rank_floor(ranks: Sequence[int | None]) -> int:
    """The rank at the bottom of its panel: past the worst rank, at a round number."""
    worst = max((r for r in ranks if r is not None), default=1)
    step = nice_step(worst)
    return max(step * math.ceil(worst / step), 2)


def axis(top: int, floor: int, slots: Sequence[Slot], unit: float, first: int) -> str:
    """The grid, the value labels of both panels, the panels' names and the month labels."""
    marks = [*download_ticks(top), *rank_ticks(floor)]
    grid = "".join(f"M{LEFT} {y:.0f}H{LEFT + PLOT}" for y, _ in marks)
    labels = "".join(f"<text y={y:.0f}>{escape(t)}</text>" for y, t in marks)
    step = math.ceil(len(slots) / MAX_LABELS)
    months = "".join(
        f"<text x={LEFT + unit * (s.index - first + 0.5):.0f}>{escape(s.label)}</text>"
        for s in slots[::step]
    )
    names = "".join(
        f"<text class=axis x={-(top_ + height / 2):.0f} y=12>{name.capitalize()}</text>"
        for name, (top_, height) in PANELS.items()
    )
    return (
        f'<path class=grid d="{grid}"/>\n<g class=ticks>{labels}</g>\n'
        f"<g class=months>{months}</g>\n{names}\n"
    )


def download_ticks(ceiling: int) -> Iterator[tuple[float, str]]:
    top, height = PANELS["downloads"]
    step = nice_step(ceiling)
    for value in range(0, ceiling + 1, step):
        yield top + height - value * height / ceiling, compact(value)


def rank_ticks(floor: int) -> Iterator[tuple[float, str]]:
    top, height = PANELS["rank"]
    step = nice_step(floor)
    for rank in [1, *range(max(step, 2), floor + 1, step)]:
        yield top + (rank - 1) * height / (floor - 1), f"{rank:,}"
