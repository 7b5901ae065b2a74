"""The open-data downloads of a published edition: its public figures as CSV or JSON."""

import json

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from pmf.spreadsheets import CONTENT_TYPES, to_csv
from scorecards.pages import Section

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


def open_data_rows(sections: list[Section]) -> list[dict]:
    return [
        {
            "section": block.title,
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
        for row in block.rows
    ]


def open_data(scorecard, edition, sections: list[Section], fmt: str) -> HttpResponse:
    """CSV or JSON of the published figures of EDITION (no commentary, no names). The CSV is
    written by `pmf.spreadsheets.to_csv` (formula guard on every cell) without a byte-order mark,
    as machine readers of open data expect."""
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
        table = [OPEN_DATA_FIELDS, *([row[key] for key in OPEN_DATA_FIELDS] for row in rows)]
        response = HttpResponse(to_csv(table, bom=False), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{name}.{fmt}")
    return response
