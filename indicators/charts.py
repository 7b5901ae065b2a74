"""Chart series for a PI, as plain dicts: a Plotly figure for pages (rendered with json_script)."""

from indicators.models import Benchmark, Indicator, Measurement


def series(indicator: Indicator, measurements: list[Measurement]) -> dict:
    """The chart-series structure: labels, values and targets in period order (floats or None)."""
    return {
        "labels": [indicator.period_label(m.period) for m in measurements],
        "values": [None if m.value is None else float(m.value) for m in measurements],
        "targets": [None if m.target is None else float(m.target) for m in measurements],
    }


def value_target_figure(indicator: Indicator, measurements: list[Measurement], benchmark: Benchmark | None) -> dict:
    """Plotly figure of value against target, with the benchmark's top-to-bottom quartile band."""
    data = series(indicator, measurements)
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
        "config": {"displaylogo": False, "responsive": True},
    }
