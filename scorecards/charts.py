"""Chart figures (plain dicts for Plotly; SVG for pages that must work without script)."""

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from indicators import rules
from scorecards.status import STATUS_ORDER

COLOURS = {
    rules.GREEN: "#1a7f37",
    rules.AMBER: "#b35900",
    rules.RED: "#c62828",
    rules.DATA_ONLY: "#5f6b7a",
    rules.UNKNOWN: "#9aa5b1",
}


def status_bars_figure(sections: list) -> dict:
    """Plotly stacked bars: how many PIs of each status in each section (blocks with .title and .counts)."""
    titles = [block.title for block in sections]
    data = []
    for index, status in enumerate(STATUS_ORDER):
        data.append(
            {
                "type": "bar",
                "name": rules.STATUS_LABELS[status],
                "x": titles,
                "y": [block.counts[index][2] for block in sections],
                "marker": {"color": COLOURS[status]},
            }
        )
    return {
        "data": data,
        "layout": {
            "barmode": "stack",
            "height": 320,
            "margin": {"t": 20, "b": 60},
            "yaxis": {"title": {"text": "PIs"}, "dtick": 1},
        },
        "config": {"displaylogo": False, "displayModeBar": False, "responsive": True},
    }


def status_bars_svg(sections: list, *, width: int = 560, bar: int = 18, gap: int = 12) -> str:
    """The same stacked bars as SVG drawn on the server (no script needed), each under its section's
    name. The data table beside it carries the same figures for screen readers."""
    label = 18
    step = label + bar + gap
    height = len(sections) * step + 4
    longest = max((sum(count for _, _, count in block.counts) for block in sections), default=0) or 1
    scale = (width - 4) / longest
    parts = []
    for index, block in enumerate(sections):
        top = 4 + index * step
        parts.append(format_html('<text x="0" y="{}" font-size="14" fill="#1b1b1b">{}</text>', top + 13, block.title))
        x = 0.0
        for status, _, count in block.counts:
            if count:
                parts.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
                        f"{x:.1f}",
                        top + label,
                        f"{count * scale:.1f}",
                        bar,
                        COLOURS[status],
                    )
                )
                x += count * scale
    return format_html(
        '<svg class="overview-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="overview-caption" '
        'focusable="false">{}</svg>',
        width,
        height,
        mark_safe("".join(parts)),  # each part built by format_html above
    )
