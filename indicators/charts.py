"""Charts of one PI, as plain data: the value-against-target Plotly figure (the PI page and the
scorecard's chart of a PI both show it) and the points of its sparkline."""

from collections.abc import Sequence
from decimal import Decimal

from indicators.models import Benchmark, Indicator, Measurement


def value_target_series(indicator: Indicator, measurements: list[Measurement]) -> dict:
    """The chart-series structure: labels, values and targets in period order (floats or None)."""
    return {
        "labels": [indicator.period_label(m.period) for m in measurements],
        "values": [None if m.value is None else float(m.value) for m in measurements],
        "targets": [None if m.target is None else float(m.target) for m in measurements],
    }


def value_target_figure(
    indicator: Indicator, measurements: list[Measurement], benchmark: Benchmark | None = None
) -> dict:
    """Plotly figure of value against target by period (MEASUREMENTS oldest first), with the
    benchmark's top-to-bottom quartile band and median when BENCHMARK is given."""
    data = value_target_series(indicator, measurements)
    traces = []
    shapes = []
    if benchmark is not None and data["labels"]:
        low, high = sorted([float(benchmark.top_quartile), float(benchmark.bottom_quartile)])
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": low,
                "y1": high,
                "fillcolor": "rgba(90, 110, 140, 0.12)",
                "line": {"width": 0},
                "layer": "below",
            }
        )
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"Benchmark median ({benchmark.source} {benchmark.year})",
                "x": data["labels"],
                "y": [float(benchmark.median)] * len(data["labels"]),
                "line": {"color": "#5a6e8c", "dash": "dot", "width": 1.5},
            }
        )
    traces.append(
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Value",
            "x": data["labels"],
            "y": data["values"],
            "line": {"color": "#1d4f91", "width": 3},
            "marker": {"size": 7},
        }
    )
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Target",
            "x": data["labels"],
            "y": data["targets"],
            "line": {"color": "#8a4b00", "dash": "dash", "width": 2},
        }
    )
    unit = indicator.get_unit_display()
    return {
        "data": traces,
        "layout": {
            "margin": {"l": 50, "r": 10, "t": 10, "b": 60},
            "legend": {"orientation": "h", "y": -0.25},
            "yaxis": {"title": {"text": unit}, "rangemode": "tozero" if indicator.unit != "percent" else "normal"},
            "xaxis": {"type": "category"},
            "shapes": shapes,
            "height": 340,
        },
        # No mode bar: its buttons would sit inside the chart's role="img" box (nested controls);
        # the data table beside the chart carries the same figures.
        "config": {"displaylogo": False, "displayModeBar": False, "responsive": True},
    }


def sparkline_points(values: Sequence[Decimal | None], *, width: int = 96, height: int = 24, pad: int = 2) -> str:
    """SVG polyline points for VALUES (oldest first; missing values skipped), scaled to the box.

    A flat series sits in the middle; fewer than two values give no line."""
    present = [(index, float(value)) for index, value in enumerate(values) if value is not None]
    if len(present) < 2:
        return ""
    low = min(value for _, value in present)
    high = max(value for _, value in present)
    span = high - low
    steps = max(len(values) - 1, 1)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    points = []
    for index, value in present:
        x = pad + inner_w * index / steps
        y = pad + inner_h / 2 if span == 0 else pad + inner_h * (high - value) / span
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)
