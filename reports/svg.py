"""Charts drawn on the server as inline SVG, for the PDF (no browser, no network, no scripts).

`line_chart` draws value against target from the chart-series structure the Plotly charts use
(indicators.charts.value_target_series: labels, values, targets; None where there is no figure).
The value is a solid line with round markers and the target a dashed line, so they differ by more
than colour; the picture carries a title and a text alternative. Every label is escaped.
"""

import math
from html import escape

VALUE_COLOUR = "#1d4f91"
TARGET_COLOUR = "#8a4b00"
AXIS_COLOUR = "#505a64"
GRID_COLOUR = "#d9dde2"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering LOW..HIGH, about COUNT of them (steps of 1, 2, 2.5 or 5 x 10^n)."""
    if high < low:
        low, high = high, low
    if high == low:
        spread = abs(high) or 1.0
        low, high = low - spread / 2, high + spread / 2
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
        if len(ticks) > 12:
            break
    return ticks


def tick_text(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if value == int(value):
        return f"{int(value)}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _runs(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Consecutive present points (a missing figure breaks the line)."""
    runs, current = [], []
    for point in points:
        if point is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(point)
    if current:
        runs.append(current)
    return runs


def _path(run: list[tuple[float, float]]) -> str:
    return "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in run)


def line_chart(
    series: dict, *, title: str, description: str = "", width: int = 640, height: int = 220, chart_id: str = "c"
) -> str:
    """An SVG line chart of SERIES (labels, values, targets; an optional "unit" names the y axis)."""
    labels = [str(label) for label in series.get("labels", [])]
    values = list(series.get("values", []))
    targets = list(series.get("targets", []))
    unit = str(series.get("unit", "") or "")
    present = [v for v in values + targets if v is not None]
    title_id, desc_id = f"{chart_id}-t", f"{chart_id}-d"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{title_id} {desc_id}">'
        f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(description)}</desc>'
    )
    if not labels or not present:
        return (
            head + f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" font-size="12" '
            f'fill="{AXIS_COLOUR}">No values recorded</text></svg>'
        )
    left, right, top, bottom = 58, 12, 26, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    low, high = min(present), max(present)
    if low >= 0 and unit != "%":
        low = 0.0
    ticks = nice_ticks(low, high)
    y_min, y_max = ticks[0], ticks[-1]
    span = (y_max - y_min) or 1.0
    count = len(labels)

    def x_at(index: int) -> float:
        return left + (plot_w * (index + 0.5) / count)

    def y_at(value: float) -> float:
        return top + plot_h * (y_max - value) / span

    parts = [head]
    # grid and y axis labels
    for tick in ticks:
        y = y_at(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID_COLOUR}" '
            f'stroke-width="1"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="{AXIS_COLOUR}">{escape(tick_text(tick))}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{AXIS_COLOUR}"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{AXIS_COLOUR}"/>'
    )
    if unit:
        parts.append(
            f'<text x="12" y="{top + plot_h / 2:.1f}" font-size="10" fill="{AXIS_COLOUR}" text-anchor="middle" '
            f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">{escape(unit)}</text>'
        )
    # x axis labels: at most about 13 shown
    every = max(1, math.ceil(count / 13))
    for index, label in enumerate(labels):
        if index % every and index != count - 1:
            continue
        parts.append(
            f'<text x="{x_at(index):.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="9" '
            f'fill="{AXIS_COLOUR}">{escape(label)}</text>'
        )
    # target (dashed) then value (solid with markers)
    target_points = [None if v is None else (x_at(i), y_at(v)) for i, v in enumerate(targets[:count])]
    for run in _runs(target_points):
        if len(run) == 1:
            x, y = run[0]
            parts.append(
                f'<line x1="{x - 6:.1f}" y1="{y:.1f}" x2="{x + 6:.1f}" y2="{y:.1f}" stroke="{TARGET_COLOUR}" '
                f'stroke-width="2"/>'
            )
        else:
            parts.append(
                f'<path d="{_path(run)}" fill="none" stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
            )
    value_points = [None if v is None else (x_at(i), y_at(v)) for i, v in enumerate(values[:count])]
    for run in _runs(value_points):
        if len(run) > 1:
            parts.append(f'<path d="{_path(run)}" fill="none" stroke="{VALUE_COLOUR}" stroke-width="2.5"/>')
    parts.extend(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{VALUE_COLOUR}"/>' for x, y in filter(None, value_points)
    )
    # legend: the line styles, with words
    parts.append(
        f'<g font-size="10" fill="{AXIS_COLOUR}">'
        f'<line x1="{left}" y1="12" x2="{left + 22}" y2="12" stroke="{VALUE_COLOUR}" stroke-width="2.5"/>'
        f'<circle cx="{left + 11}" cy="12" r="3" fill="{VALUE_COLOUR}"/>'
        f'<text x="{left + 28}" y="15">Value</text>'
        f'<line x1="{left + 70}" y1="12" x2="{left + 92}" y2="12" stroke="{TARGET_COLOUR}" stroke-width="2" '
        f'stroke-dasharray="6 4"/><text x="{left + 98}" y="15">Target</text></g>'
    )
    parts.append("</svg>")
    return "".join(parts)
