"""Chart figures (plain dicts for Plotly; SVG for pages that must work without script) and the
open-data downloads of a published edition."""

import csv
import io
import json

from django.http import HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from indicators import status as rules
from scorecards.status import STATUS_ORDER

COLOURS = {
    rules.GREEN: "#1a7f37",
    rules.AMBER: "#b35900",
    rules.RED: "#c62828",
    rules.DATA_ONLY: "#5f6b7a",
    rules.UNKNOWN: "#9aa5b1",
}


def overview_figure(sections: list[dict]) -> dict:
    """Stacked bars: how many PIs of each status in each section."""
    titles = [block["section"].title for block in sections]
    data = []
    for index, status in enumerate(STATUS_ORDER):
        data.append(
            {
                "type": "bar",
                "name": rules.STATUS_LABELS[status],
                "x": titles,
                "y": [block["counts"][index][2] for block in sections],
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


def pi_figure(indicator, measurements: list) -> dict:
    """Value and target by period for one PI."""
    x = [indicator.period_label(m.period) for m in measurements]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Value",
                "x": x,
                "y": [None if m.value is None else float(m.value) for m in measurements],
                "line": {"color": "#1d4f91"},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Target",
                "x": x,
                "y": [None if m.target is None else float(m.target) for m in measurements],
                "line": {"color": "#444", "dash": "dash"},
            },
        ],
        "layout": {"height": 300, "margin": {"t": 20, "b": 60}, "legend": {"orientation": "h"}},
        "config": {"displaylogo": False, "displayModeBar": False, "responsive": True},
    }


def overview_svg(sections: list[dict], *, width: int = 560, bar: int = 18, gap: int = 12) -> str:
    """Horizontal stacked bars of statuses per section (each under its section's name), drawn on the
    server (no script needed). The data table beside it carries the same figures for screen readers."""
    label = 18
    step = label + bar + gap
    height = len(sections) * step + 4
    longest = max((sum(count for _, _, count in block["counts"]) for block in sections), default=0) or 1
    scale = (width - 4) / longest
    parts = []
    for index, block in enumerate(sections):
        top = 4 + index * step
        parts.append(
            format_html('<text x="0" y="{}" font-size="14" fill="#1b1b1b">{}</text>', top + 13, block["title"])
        )
        x = 0.0
        for status, _, count in block["counts"]:
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


OPEN_DATA_FIELDS = [
    "section",
    "code",
    "indicator",
    "period",
    "value",
    "target",
    "status",
    "short_trend",
    "long_trend",
    "year_to_date",
]


def open_data_rows(sections: list[dict]) -> list[dict]:
    return [
        {
            "section": block["title"],
            "code": row.code,
            "indicator": row.public_title,
            "period": row.period_label,
            "value": row.value_text,
            "target": row.target_text,
            "status": row.status_label,
            "short_trend": row.short_label,
            "long_trend": row.long_label,
            "year_to_date": row.ytd_text,
        }
        for block in sections
        for row in block["rows"]
    ]


def open_data(scorecard, edition, sections: list[dict], fmt: str) -> HttpResponse:
    """CSV or JSON of the published figures of EDITION (no commentary, no names)."""
    rows = open_data_rows(sections)
    name = f"{scorecard.public_slug}-{edition.period:%Y-%m}"
    if fmt == "json":
        body = json.dumps(
            {
                "title": scorecard.public_title or edition.title,
                "period": edition.period_label,
                "issued": edition.issued_at.date().isoformat(),
                "rows": rows,
            },
            indent=1,
        )
        response = HttpResponse(body, content_type="application/json")
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=OPEN_DATA_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def legend_html() -> str:
    return format_html_join(
        "",
        '<li><span class="swatch" style="background:{}"></span>{}</li>',
        ((COLOURS[s], rules.STATUS_LABELS[s]) for s in STATUS_ORDER),
    )
