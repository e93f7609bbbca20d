"""Charts drawn at build time: the geometry of an inline SVG (bars for downloads, a line for
the rank), computed here and written as SVG markup by `svg.py`. No chart library,
no script.

The x axis is the calendar, one slot a month, so a month that was not published shows as a
gap; a month that is not comparable with the others is marked (an asterisk and another
colour), and a dashed line stands where PyPI changed how it logs downloads. The months'
slots are the same on every chart of a build (a `Frame`, made once), so 15,000 project pages
only place their own values.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 14, 44
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MAX_X_LABELS = 6
TICKS = 4
BAR_SHARE, MAX_BAR = 0.7, 36.0


@dataclass(frozen=True)
class Slot:
    """A published month on the x axis."""

    label: str  # the month's tag
    index: int  # months since year 0: consecutive months differ by 1
    marked: bool = False  # not comparable with the other months
    after_change: bool = False  # counted (partly) after PyPI's logging change
    history: bool = False  # a month from the history files, no publish tag (history_files.py)


@dataclass(frozen=True)
class Tick:
    at: str
    label: str


@dataclass(frozen=True)
class Frame:
    """The x axis shared by every chart of the same months: slot centres and labels."""

    slots: list[Slot]
    centres: list[float]
    bar_width: float
    x_ticks: list[Tick]
    breaks: list[str]  # x of each logging-change line
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    bottom: int = TOP + PLOT_HEIGHT
    right: int = LEFT + PLOT_WIDTH


@dataclass(frozen=True)
class Chart:
    """An SVG's contents: each group of shapes is one path (a few attributes to write on each
    of 15,000 pages, not one element per month)."""

    kind: str  # "bars" or "line"
    title: str
    y_label: str
    frame: Frame
    y_ticks: list[Tick]
    grid: str  # path: a horizontal line at each y tick
    plain: str  # path: the bars (or dots) of comparable months
    marked: str  # path: those of months that are not comparable
    stars: list[tuple[str, str]]  # (x, y) of an asterisk over each marked bar or dot
    line: str  # path: the rank's line, broken where a month is missing
    parts: tuple[tuple[str, str], ...] = ()  # (class, path): a stacked bar's segments by group
    gaps: tuple[tuple[str, str], ...] = ()  # (x, y) of a "no total" label where a bar is missing
    history: str = ""  # path: the bars (or dots) of history months, the comparable and not
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    bottom: int = TOP + PLOT_HEIGHT
    right: int = LEFT + PLOT_WIDTH


PLAIN, MARKED, HISTORY = "plain", "marked", "history"  # the classes of a chart's shapes


def kind_of(slot: Slot) -> str:
    """A history month's shape is drawn apart (its asterisk says when it is not comparable)."""
    return HISTORY if slot.history else MARKED if slot.marked else PLAIN


def frame(slots: Sequence[Slot]) -> Frame:
    first, last = slots[0].index, slots[-1].index
    slot = PLOT_WIDTH / (last - first + 1)
    centres = [LEFT + slot * (s.index - first + 0.5) for s in slots]
    step = math.ceil(len(slots) / MAX_X_LABELS)
    ticks = [Tick(f"{centres[i]:.1f}", slots[i].label) for i in range(0, len(slots), step)]
    # Before the first month counted after the logging change, when earlier months exist.
    breaks = [
        f"{centres[i + 1] - slot / 2:.1f}"
        for i, (earlier, later) in enumerate(pairwise(slots))
        if later.after_change and not earlier.after_change
    ]
    return Frame(list(slots), centres, min(slot * BAR_SHARE, MAX_BAR), ticks, breaks)


def nice_step(span: float, ticks: int = TICKS) -> int:
    """The 1, 2 or 5 times a power of ten that cuts `span` into about `ticks` parts."""
    raw = max(span / ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def compact(number: float) -> str:
    """Axis labels: 1.5B, 250M, 20k, 900."""
    for scale, suffix in ((10**9, "B"), (10**6, "M"), (10**3, "k")):
        if number >= scale:
            return f"{number / scale:.3g}{suffix}"
    return f"{number:.0f}"


def bar_chart(
    axis: Frame,
    values: Sequence[int | None],
    title: str,
    y_label: str = "Downloads",
    parts: Sequence[Sequence[int] | None] | None = None,
    groups: Sequence[str] = (),
    gaps: bool = False,
) -> Chart:
    """Bars of `values`, one per slot of `axis` (None: no bar, and with `gaps` a label saying
    so). Where `parts` has a month's values by group (in `groups`' order, adding up to its
    value), its bar is stacked from them, the first group at the bottom."""
    top = max((v for v in values if v is not None), default=0) or 1
    step = nice_step(top)
    ceiling = step * math.ceil(top / step)
    scale = PLOT_HEIGHT / ceiling
    bottom, width = TOP + PLOT_HEIGHT, axis.bar_width
    shapes: dict[str, list[str]] = {PLAIN: [], MARKED: [], HISTORY: []}
    stacked: list[list[str]] = [[] for _ in groups]
    stars, missing = [], []
    split = parts if parts is not None else [None] * len(values)
    across = f"h{width:.1f}"
    for x, value, slot, pieces in zip(axis.centres, values, axis.slots, split, strict=True):
        if value is None:
            if gaps:
                missing.append((f"{x:.1f}", f"{bottom - 4}"))
            continue
        y = bottom - value * scale
        left = f"M{x - width / 2:.1f} "
        if pieces is None:
            shapes[kind_of(slot)].append(f"{left}{bottom}V{y:.1f}{across}V{bottom}Z")
        else:
            # Each segment's top is the next one's bottom: each height is formatted once.
            low, base = str(bottom), 0
            for path, piece in zip(stacked, pieces, strict=True):
                if piece > 0:
                    base += piece
                    high = f"{bottom - base * scale:.1f}"
                    path.append(f"{left}{low}V{high}{across}V{low}Z")
                    low = high
        if slot.marked:
            stars.append((f"{x:.1f}", f"{y - 4:.1f}"))
    ticks = [Tick(f"{bottom - v * scale:.1f}", compact(v)) for v in range(0, ceiling + 1, step)]
    return Chart(
        "bars", title, y_label, axis, ticks, grid(ticks), "".join(shapes[PLAIN]),
        "".join(shapes[MARKED]), stars, "",
        tuple((g, "".join(p)) for g, p in zip(groups, stacked, strict=True) if p), tuple(missing),
        "".join(shapes[HISTORY]),
    )  # fmt: skip


def rank_chart(axis: Frame, ranks: Sequence[int | None], title: str) -> Chart:
    """Rank 1 at the top, a dot a month, lines joining consecutive months."""
    worst = max((r for r in ranks if r is not None), default=1)
    step = nice_step(worst)
    floor = max(step * math.ceil(worst / step), 2)
    scale = PLOT_HEIGHT / (floor - 1)
    # A dot is a zero-length segment with a round cap (see the stylesheet).
    shapes: dict[str, list[str]] = {PLAIN: [], MARKED: [], HISTORY: []}
    stars, line = [], []
    previous: Slot | None = None
    for x, rank, slot in zip(axis.centres, ranks, axis.slots, strict=True):
        if rank is None:
            previous = None
            continue
        y = TOP + (rank - 1) * scale
        shapes[kind_of(slot)].append(f"M{x:.1f} {y:.1f}h0")
        if slot.marked:
            stars.append((f"{x:.1f}", f"{y - 7:.1f}"))
        joined = previous is not None and slot.index == previous.index + 1
        line.append(f"{'L' if joined else 'M'}{x:.1f} {y:.1f}")
        previous = slot
    ticks = [
        Tick(f"{TOP + (r - 1) * scale:.1f}", f"{r:,}")
        for r in [1, *range(max(step, 2), floor + 1, step)]  # 1 once, where the step is 1
    ]
    return Chart(
        "line", title, "Rank", axis, ticks, grid(ticks), "".join(shapes[PLAIN]),
        "".join(shapes[MARKED]), stars, "".join(line), history="".join(shapes[HISTORY]),
    )  # fmt: skip


def grid(ticks: Sequence[Tick]) -> str:
    return "".join(f"M{LEFT} {tick.at}H{LEFT + PLOT_WIDTH}" for tick in ticks)
