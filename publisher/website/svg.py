"""A chart (chart.py's geometry) written as inline SVG markup.

Written here rather than in a template: two charts on each of 15,000 project pages made this
the build's hottest template code, and its values are numbers we formatted, so only the title
(which holds a project's name) needs escaping. The month axis is the same on every chart of a
build: `x_axis` is written once and passed in.
"""

from markupsafe import Markup, escape

from publisher.website.chart import Chart, Frame


def x_axis(frame: Frame) -> Markup:
    """The month labels, the axis title, and a dashed line at each logging change."""
    labels = "".join(
        f'<text x="{t.at}" y="{frame.bottom + 16}">{escape(t.label)}</text>\n'
        for t in frame.x_ticks
    )
    middle = (frame.left + frame.right) / 2
    breaks = "".join(
        f'<path class="break" d="M{x} {frame.top}V{frame.bottom}"/>\n' for x in frame.breaks
    )
    return Markup(
        f'<g class="ticks" text-anchor="middle">\n{labels}</g>\n'
        f'<text class="axis" x="{middle}" y="{frame.height - 6}" text-anchor="middle">'
        f"Month of release</text>\n{breaks}"
    )


def chart_svg(chart: Chart, id: str, axis: Markup | None = None) -> Markup:
    """The chart as an `<svg>` named by its title (`id` is the title's id)."""
    ticks = "".join(
        f'<text x="{chart.left - 6}" y="{t.at}" dy="0.32em">{escape(t.label)}</text>\n'
        for t in chart.y_ticks
    )
    shapes = "".join(
        f'<path class="{kind}" d="{path}"/>\n'
        for kind, path in (
            ("line", chart.line),
            ("history", chart.history),
            ("plain", chart.plain),
            ("marked", chart.marked),
        )
        if path
    )
    shapes += "".join(f'<path class="part {kind}" d="{path}"/>\n' for kind, path in chart.parts)
    gaps = "".join(
        f'<text class="gap" transform="rotate(-90 {x} {y})" x="{x}" y="{y}" dy="0.32em">'
        "no total</text>\n"
        for x, y in chart.gaps
    )
    stars = "".join(
        f'<text class="star" x="{x}" y="{y}" text-anchor="middle">*</text>\n'
        for x, y in chart.stars
    )
    return Markup(
        f'<svg class="chart {chart.kind}" viewBox="0 0 {chart.width} {chart.height}"'
        f' role="img" aria-labelledby="{escape(id)}">\n'
        f'<title id="{escape(id)}">{escape(chart.title)}</title>\n'
        f'<path class="grid" d="{chart.grid}"/>\n'
        f'<g class="ticks" text-anchor="end">\n{ticks}</g>\n'
        f"{axis if axis is not None else x_axis(chart.frame)}\n"
        f'<text class="axis" transform="rotate(-90)" x="{-(chart.top + chart.bottom) / 2}"'
        f' y="14" text-anchor="middle">{escape(chart.y_label)}</text>\n'
        f"{shapes}{gaps}{stars}</svg>\n"
    )
