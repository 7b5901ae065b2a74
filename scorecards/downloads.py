"""The open-data downloads of a published edition: its public figures as CSV or JSON.

Both are built from `scorecards.publishing.public_edition`, so they say what the public page says:
the plain-English status word, the explanation of a red result, the correction of a result
changed after publication and, for the Tenant Satisfaction Measures, how the survey was done.

The JSON follows a stable, documented schema (`open_data.schema.json`, served at
/public/open-data.schema.json): numbers are JSON numbers, never strings; a figure's unit and its
period are fields of their own; dates are ISO 8601 (YYYY-MM-DD). New fields may be added; none
is renamed or removed without a new `schema_version`. The CSV keeps its first ten columns as
they have always been (figures formatted with their unit) and adds the others after them.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from indicators import rules
from pmf.spreadsheets import CONTENT_TYPES, to_csv
from scorecards.publishing import PublicEdition, PublicRow, definitions

SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).with_name("open_data.schema.json")

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
    "unit",
    "period_start",
    "value_number",
    "target_number",
    "status_code",
    "cause",
    "action_being_taken",
    "expected_recovery",
    "corrected_on",
    "corrected_value",
    "survey_year",
    "survey_sample_size",
    "survey_collection_method",
    "survey_fieldwork_start",
    "survey_fieldwork_end",
    "survey_carried_out_by",
    "survey_response_rate",
]


def _number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number (an int when whole), None as null."""
    if value is None:
        return None
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _text(text: str) -> str | None:
    return text if text and text != "–" else None


def _explanation(item: PublicRow) -> dict | None:
    row = item.row
    if not item.explained:
        return None
    return {
        "cause": row.cause or None,
        "action_being_taken": row.action_taken or None,
        "expected_recovery": _iso(row.recovery_date),
    }


def _correction(item: PublicRow) -> dict | None:
    fixed = item.correction
    if fixed is None:
        return None
    return {
        "corrected_on": _iso(fixed.on),
        "published_value_text": fixed.old_text,
        "corrected_value": _number(fixed.new_value),
        "corrected_value_text": fixed.new_text,
    }


def survey_data(survey) -> dict:
    return {
        "year": survey.year_label,
        "sample_size": survey.sample_size,
        "collection_method": survey.collection_method,
        "fieldwork_start": survey.fieldwork_start.isoformat(),
        "fieldwork_end": survey.fieldwork_end.isoformat(),
        "carried_out_by": survey.carried_out_by,
        "contractor": survey.contractor or None,
        "response_rate": _number(survey.response_rate),
        "notes": survey.notes or None,
    }


def json_row(item: PublicRow) -> dict:
    row = item.row
    return {
        "section": item.section,
        "code": row.code,
        "indicator": row.public_title,
        "period": row.period_label if row.period else None,
        "period_start": _iso(row.period),
        "value": _number(row.value),
        "target": _number(row.target),
        "unit": item.unit,
        "unit_label": item.unit_label,
        "value_text": _text(row.value_text),
        "target_text": _text(row.target_text),
        "status": row.status if row.status in rules.STATUS_LABELS else rules.UNKNOWN,
        "status_word": item.status_word,
        "short_trend": rules.TREND_LABELS.get(row.short_trend, rules.TREND_LABELS[rules.NO_TREND]),
        "long_trend": rules.TREND_LABELS.get(row.long_trend, rules.TREND_LABELS[rules.NO_TREND]),
        "year_to_date_text": _text(row.ytd_text),
        "explanation": _explanation(item),
        "correction": _correction(item),
        "survey_year": item.survey.year_label if item.survey else None,
    }


def csv_row(item: PublicRow) -> list:
    row = item.row
    explained = item.explained
    fixed = item.correction
    survey = item.survey
    values = {
        "section": item.section,
        "code": row.code,
        "indicator": row.public_title,
        "period": row.period_label,
        "value": row.value_text,
        "target": row.target_text,
        "status": item.status_word,
        "short_trend": row.short_label,
        "long_trend": row.long_label,
        "year_to_date": row.ytd_text,
        "unit": item.unit_label or "",
        "period_start": _iso(row.period) or "",
        "value_number": _plain(row.value),
        "target_number": _plain(row.target),
        "status_code": row.status,
        "cause": row.cause if explained else "",
        "action_being_taken": row.action_taken if explained else "",
        "expected_recovery": _iso(row.recovery_date) if explained and row.recovery_date else "",
        "corrected_on": _iso(fixed.on) if fixed and fixed.on else "",
        "corrected_value": _plain(fixed.new_value) if fixed else "",
        "survey_year": survey.year_label if survey else "",
        "survey_sample_size": survey.sample_size if survey else "",
        "survey_collection_method": survey.collection_method if survey else "",
        "survey_fieldwork_start": survey.fieldwork_start.isoformat() if survey else "",
        "survey_fieldwork_end": survey.fieldwork_end.isoformat() if survey else "",
        "survey_carried_out_by": survey.contractor_text if survey else "",
        "survey_response_rate": _plain(survey.response_rate) if survey else "",
    }
    return [values[key] for key in OPEN_DATA_FIELDS]


def _plain(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def open_data_document(public: PublicEdition, schema_url: str) -> dict:
    """The JSON document of a published edition (see open_data.schema.json)."""
    edition = public.edition
    identity = public.identity
    return {
        "schema": schema_url,
        "schema_version": SCHEMA_VERSION,
        "organisation": identity.public_name or None,
        "title": public.title,
        "period": edition.period_label,
        "period_start": edition.period.isoformat(),
        "issued": timezone.localdate(edition.issued_at).isoformat(),
        "director_commentary": public.director_commentary or None,
        "status_definitions": [
            {"status": status, "word": word.word, "definition": word.definition} for status, word in definitions()
        ],
        "surveys": [survey_data(survey) for survey in public.surveys],
        "rows": [json_row(item) for item in public.rows],
    }


def open_data(request, public: PublicEdition, fmt: str) -> HttpResponse:
    """CSV or JSON of the published figures of an edition (no internal commentary, no names). The
    CSV is written by `pmf.spreadsheets.to_csv` (formula guard on every cell) without a byte-order
    mark, as machine readers of open data expect."""
    name = f"{public.scorecard.public_slug}-{public.edition.period:%Y-%m}"
    if fmt == "json":
        schema_url = request.build_absolute_uri(reverse("public-data-schema"))
        body = json.dumps(open_data_document(public, schema_url), indent=1, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json")
    else:
        table = [OPEN_DATA_FIELDS, *(csv_row(item) for item in public.rows)]
        response = HttpResponse(to_csv(table, bom=False), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{name}.{fmt}")
    return response


def schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")
