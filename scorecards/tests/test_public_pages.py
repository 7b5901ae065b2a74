"""Public pages tenants can trust: the organisation's name, logo and introduction; plain-English status
words with their definitions; each red result with its explanation; results corrected after
publication marked with the date; the Tenant Satisfaction Measures survey context; and JSON
downloads with typed fields following the published schema."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from indicators import services as indicator_services
from indicators.models import Indicator, Measurement
from scorecards import downloads
from scorecards.models import Scorecard, ScorecardEdition, ScorecardSettings, TsmSurvey
from scorecards.tests.factories import PERIOD, issue, make_indicator, make_scorecard

CAUSE = "Two surveyors on long-term sick leave"
ACTION = "Agency surveyors booked from October"


def make_red(code, unit, **extra) -> Indicator:
    """Sep 2025: 84% against a target of 95% (red), with a cause, an action and a recovery date, and
    an internal commentary and data-quality note that must never be published."""
    indicator = make_indicator(code, unit, start_value=70, **extra)
    Measurement.objects.filter(indicator=indicator, period=PERIOD).update(
        cause=CAUSE,
        action_taken=ACTION,
        recovery_date=datetime.date(2026, 3, 1),
        commentary="INTERNAL-NOTE about the surveyors' union",
        data_quality_note="DQ-INTERNAL figures from the old system",
    )
    return indicator


def make_survey(**extra) -> TsmSurvey:
    values = {
        "year": 2025,
        "sample_size": 1086,
        "response_rate": Decimal("23.5"),
        "collection_method": "Telephone interviews, with an online option",
        "fieldwork_start": datetime.date(2025, 6, 2),
        "fieldwork_end": datetime.date(2025, 7, 18),
        "carried_out_by": TsmSurvey.CarriedOutBy.CONTRACTOR,
        "contractor": "Northfield Research Ltd",
        "notes": "Results weighted by age and area.",
    }
    values.update(extra)
    return TsmSurvey.objects.create(**values)


@pytest.fixture
def tenant_card(world):
    """A published scorecard: TP01 (a tenant survey measure, green), REP1 (red, explained) and AMB1
    (close to target: 94% against 95%)."""
    tp01 = make_indicator("TP01", world.team, source=Indicator.Source.TSM)
    red = make_red("REP1", world.team)
    amber = make_indicator("AMB1", world.team, start_value=80)
    Indicator.objects.filter(pk=amber.pk).update(tolerance=Decimal("2"), tolerance_kind="absolute")
    card = make_scorecard(
        world.directorate,
        [tp01, red, amber],
        sections=("Satisfaction", "Repairs", "Rents"),
        publication=Scorecard.Publication.FULL,
        public_slug="tenants",
        public_title="How we are doing for tenants",
    )
    card.entries.update(signpost=True)
    issue(card, user=world.admin)
    return card


def _get(client, name, **kwargs):
    return client.get(reverse(name, kwargs={"slug": "tenants", **kwargs}))


def _json(client) -> dict:
    return json.loads(_get(client, "public-data", fmt="json").content)


def _correct(world, code, value):
    measurement = Measurement.objects.get(indicator__code=code, period=PERIOD)
    if measurement.approved_at is not None:
        indicator_services.reopen(measurement=measurement, user=world.admin)
    indicator_services.measurement_update(
        indicator=measurement.indicator,
        period=PERIOD,
        value=Decimal(value),
        user=world.admin,
        commentary="CORRECTION-REASON internal: Bob's spreadsheet",
        cause=CAUSE,
        action_taken=ACTION,
        recovery_date=datetime.date(2026, 3, 1),
    )


# Status words and definitions -----------------------------------------------------------------


def test_public_page_uses_plain_status_words_with_their_definitions_a_click_away(tenant_card, client):
    html = _get(client, "public-scorecard").content.decode()
    assert '<span class="status status--green">On target</span>' in html
    assert '<span class="status status--amber">Close to target</span>' in html
    assert '<span class="status status--red">Off target</span>' in html
    assert "Within tolerance" not in html and "within tolerance" not in html
    definitions = html[html.index('<details class="pub-definitions">') : html.index("</details>")]
    assert "<summary>What the traffic lights mean</summary>" in definitions
    for word in ("On target", "Close to target", "Off target", "No target set", "Not rated"):
        assert f">{word}</span></dt>" in definitions
    assert "missed the target, but only by less than the small margin we allow" in definitions
    signposts = _get(client, "public-signposts").content.decode()
    assert '<span class="status status--amber">Close to target</span>' in signposts
    assert '<details class="pub-definitions">' in signposts


def test_downloads_use_the_same_status_words_and_define_them(tenant_card, client):
    data = _json(client)
    assert [(row["code"], row["status"], row["status_word"]) for row in data["rows"]] == [
        ("TP01", "green", "On target"),
        ("REP1", "red", "Off target"),
        ("AMB1", "amber", "Close to target"),
    ]
    assert [item["word"] for item in data["status_definitions"]] == [
        "On target",
        "Close to target",
        "Off target",
        "No target set",
        "Not rated",
    ]
    rows = list(csv.DictReader(io.StringIO(_get(client, "public-data", fmt="csv").content.decode())))
    assert [(row["code"], row["status"], row["status_code"]) for row in rows] == [
        ("TP01", "On target", "green"),
        ("REP1", "Off target", "red"),
        ("AMB1", "Close to target", "amber"),
    ]


# Red results explained ------------------------------------------------------------------------


def test_each_red_result_carries_its_explanation_and_never_the_internal_notes(tenant_card, client):
    for name in ("public-scorecard", "public-signposts"):
        html = _get(client, name).content.decode()
        assert (
            f'<p class="sc-red-note"><strong>Why:</strong> {CAUSE}<br>'
            f"<strong>What we are doing:</strong> {ACTION}<br>"
            "<strong>Expected back on target:</strong> Mar 2026</p>"
        ) in html, name
        assert html.count("sc-red-note") == 1
    for response in (
        _get(client, "public-scorecard"),
        _get(client, "public-signposts"),
        _get(client, "public-data", fmt="csv"),
        _get(client, "public-data", fmt="json"),
    ):
        body = response.content.decode()
        assert "INTERNAL-NOTE" not in body and "DQ-INTERNAL" not in body
    red = next(row for row in _json(client)["rows"] if row["code"] == "REP1")
    assert red["explanation"] == {
        "cause": CAUSE,
        "action_being_taken": ACTION,
        "expected_recovery": "2026-03-01",
    }
    assert [row["explanation"] for row in _json(client)["rows"] if row["code"] != "REP1"] == [None, None]
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(_get(client, "public-data", fmt="csv").text))}
    assert (rows["REP1"]["cause"], rows["REP1"]["action_being_taken"], rows["REP1"]["expected_recovery"]) == (
        CAUSE,
        ACTION,
        "2026-03-01",
    )
    assert (rows["TP01"]["cause"], rows["TP01"]["expected_recovery"]) == ("", "")


def test_a_red_result_without_an_explanation_says_none_was_recorded(world, tenant_card, client):
    bare = make_indicator("RED2", world.team, start_value=60)
    card = make_scorecard(
        world.directorate, [bare], title="Bare", publication=Scorecard.Publication.FULL, public_slug="bare"
    )
    issue(card, user=world.admin)
    html = client.get(reverse("public-scorecard", kwargs={"slug": "bare"})).content.decode()
    assert (
        html.count('<p class="pub-unexplained">No explanation was recorded for this result when it was published.</p>')
        == 1
    )
    assert "sc-red-note" not in html
    assert "pub-unexplained" not in _get(client, "public-scorecard").content.decode()  # REP1 is explained


# Corrections after publication ------------------------------------------------------------------


def test_a_result_corrected_after_publication_is_marked_with_the_date_and_what_changed(world, tenant_card, client):
    _correct(world, "REP1", "80")
    today = timezone.localdate()
    html = _get(client, "public-scorecard").content.decode()
    marker = (
        f'<p class="pub-corrected"><strong>Corrected on {today:%-d %B %Y}:</strong> '
        "we published 84.0%; the correct figure is 80.0%.</p>"
    )
    assert html.count(marker) == 1
    assert "Corrected since we published" in html
    listed = "<li>Indicator REP1 (Sep 2025): we published 84.0%; the correct figure is 80.0%"
    assert f"{listed}, corrected on {today:%-d %B %Y}.</li>" in html
    assert "CORRECTION-REASON" not in html and "Alice Admin" not in html
    assert marker in _get(client, "public-signposts").content.decode()
    data = _json(client)
    red = next(row for row in data["rows"] if row["code"] == "REP1")
    assert red["value"] == 84 and red["correction"] == {
        "corrected_on": today.isoformat(),
        "published_value_text": "84.0%",
        "corrected_value": 80,
        "corrected_value_text": "80.0%",
    }
    assert [row["correction"] for row in data["rows"] if row["code"] != "REP1"] == [None, None]
    assert "CORRECTION-REASON" not in json.dumps(data)
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(_get(client, "public-data", fmt="csv").text))}
    assert (rows["REP1"]["corrected_on"], rows["REP1"]["corrected_value"]) == (today.isoformat(), "80")
    assert (rows["AMB1"]["corrected_on"], rows["AMB1"]["corrected_value"]) == ("", "")


def test_nothing_is_marked_corrected_while_the_published_figures_stand(tenant_card, client):
    html = _get(client, "public-scorecard").content.decode()
    assert "pub-corrected" not in html and "Corrected since we published" not in html


# Tenant Satisfaction Measures survey context ----------------------------------------------------


def test_tsm_results_show_how_the_survey_was_carried_out(tenant_card, client):
    make_survey()
    make_survey(year=2024, sample_size=999, fieldwork_start=datetime.date(2024, 6, 1))
    html = _get(client, "public-scorecard").content.decode()
    assert html.count('class="pub-survey-note"') == 1
    assert (
        '<p class="pub-survey-note">From our tenant survey 2025/26: 1,086 tenants answered. '
        '<a href="#survey-2025">How the survey was done'
    ) in html
    section = html[html.index('<section class="sc-section pub-survey"') :]
    assert '<h2 id="survey-2025">How we carried out our tenant survey 2025/26</h2>' in section
    for fact in (
        "<dt>Tenants who answered</dt><dd>1,086</dd>",
        "<dt>Response rate</dt><dd>23.5% of tenants asked</dd>",
        "<dt>How answers were collected</dt><dd>Telephone interviews, with an online option</dd>",
        "<dt>When</dt><dd>2 June 2025 to 18 July 2025</dd>",
        "<dt>Carried out by</dt><dd>Independent contractor: Northfield Research Ltd</dd>",
        '<dt>Other things to know</dt><dd class="pub-notes">Results weighted by age and area.</dd>',
    ):
        assert fact in section
    assert "2024/25" not in html  # only the year the published results come from
    data = _json(client)
    assert data["surveys"] == [
        {
            "year": "2025/26",
            "sample_size": 1086,
            "collection_method": "Telephone interviews, with an online option",
            "fieldwork_start": "2025-06-02",
            "fieldwork_end": "2025-07-18",
            "carried_out_by": "contractor",
            "contractor": "Northfield Research Ltd",
            "response_rate": 23.5,
            "notes": "Results weighted by age and area.",
        }
    ]
    assert [(row["code"], row["survey_year"]) for row in data["rows"]] == [
        ("TP01", "2025/26"),
        ("REP1", None),
        ("AMB1", None),
    ]
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(_get(client, "public-data", fmt="csv").text))}
    assert [rows["TP01"][key] for key in downloads.OPEN_DATA_FIELDS if key.startswith("survey_")] == [
        "2025/26",
        "1086",
        "Telephone interviews, with an online option",
        "2025-06-02",
        "2025-07-18",
        "Independent contractor: Northfield Research Ltd",
        "23.5",
    ]
    assert rows["REP1"]["survey_sample_size"] == ""


def test_an_in_house_survey_without_a_response_rate_says_so(tenant_card, client):
    make_survey(carried_out_by=TsmSurvey.CarriedOutBy.IN_HOUSE, contractor="", response_rate=None, notes="")
    html = _get(client, "public-scorecard").content.decode()
    assert "<dt>Carried out by</dt><dd>Our own staff (in-house)</dd>" in html
    assert "<dt>Response rate</dt><dd>Not known</dd>" in html
    assert "Other things to know" not in html
    assert _json(client)["surveys"][0]["response_rate"] is None


def test_without_a_survey_described_for_the_year_no_context_is_claimed(tenant_card, client):
    make_survey(year=2024)
    html = _get(client, "public-scorecard").content.decode()
    assert "pub-survey" not in html
    assert _json(client)["surveys"] == []


# JSON: types and schema -------------------------------------------------------------------------

PY_TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
    "object": dict,
    "array": list,
}


def _check(value, schema: dict, root: dict, where: str) -> None:
    """Check VALUE against the parts of JSON Schema the open-data schema uses (type, enum, const,
    required, properties, additionalProperties false, items, $ref, minimum, maximum, date format)."""
    if "$ref" in schema:
        _check(value, root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root, where)
    types = schema.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        allowed = tuple(
            t for name in types for t in (PY_TYPES[name] if isinstance(PY_TYPES[name], tuple) else (PY_TYPES[name],))
        )
        assert isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed), (where, value)
    if "enum" in schema:
        assert value in schema["enum"], (where, value)
    if "const" in schema:
        assert value == schema["const"], where
    if value is None:
        return
    if schema.get("format") == "date":
        datetime.date.fromisoformat(value)
    if "minimum" in schema:
        assert value >= schema["minimum"], where
    if "maximum" in schema:
        assert value <= schema["maximum"], where
    if isinstance(value, dict):
        assert set(schema.get("required", ())) <= set(value), (where, set(schema["required"]) - set(value))
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(schema["properties"]), (where, set(value) - set(schema["properties"]))
        for key, item in value.items():
            if key in schema.get("properties", {}):
                _check(item, schema["properties"][key], root, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], root, f"{where}[{index}]")


def test_json_download_has_numbers_as_numbers_and_unit_and_period_apart(world, tenant_card, client):
    make_survey()
    _correct(world, "REP1", "80.5")
    data = _json(client)
    tp01, red, amber = data["rows"]
    assert (tp01["value"], tp01["target"], tp01["unit"], tp01["unit_label"]) == (104, 95, "percent", "%")
    assert type(tp01["value"]) is int and type(tp01["target"]) is int
    assert (tp01["period"], tp01["period_start"]) == ("Sep 2025", "2025-09-01")
    assert (tp01["value_text"], tp01["target_text"]) == ("104.0%", "95.0%")
    assert (red["correction"]["corrected_value"], type(red["correction"]["corrected_value"])) == (80.5, float)
    assert (amber["value"], amber["short_trend"], amber["long_trend"]) == (94, "Improving", "Improving")
    assert type(data["surveys"][0]["sample_size"]) is int and type(data["surveys"][0]["response_rate"]) is float
    issued = timezone.localdate(ScorecardEdition.objects.get().issued_at)
    assert (data["period"], data["period_start"], data["issued"]) == ("Sep 2025", "2025-09-01", issued.isoformat())
    assert data["schema"] == "http://testserver/public/open-data.schema.json"
    assert data["schema_version"] == downloads.SCHEMA_VERSION == "1.0"


def test_json_download_follows_the_schema_served_at_its_stable_address(world, tenant_card, client):
    make_survey()
    _correct(world, "REP1", "80")
    ScorecardSettings(public_name="Alpha Homes").save()
    response = client.get("/public/open-data.schema.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    schema = json.loads(response.content)
    assert schema["$defs"]["status_word"]["enum"] == [
        "On target",
        "Close to target",
        "Off target",
        "No target set",
        "Not rated",
    ]
    data = _json(client)
    assert data["organisation"] == "Alpha Homes"
    _check(data, schema, schema, "document")
    for row in data["rows"]:
        assert list(row) == schema["$defs"]["row"]["required"]


def test_schema_check_refuses_a_number_sent_as_text(tenant_card, client):
    schema = json.loads(client.get("/public/open-data.schema.json").content)
    data = _json(client)
    data["rows"][0]["value"] = "104.0"
    with pytest.raises(AssertionError):
        _check(data, schema, schema, "document")


def test_csv_download_header_is_the_published_one(tenant_card, client):
    text = _get(client, "public-data", fmt="csv").content.decode()
    assert text.splitlines()[0] == ",".join(downloads.OPEN_DATA_FIELDS)
    assert downloads.OPEN_DATA_FIELDS[:10] == [
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


# Organisation name, logo and introduction -------------------------------------------------------


def _png(size=(120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (29, 79, 145)).save(out, format="PNG")
    return out.getvalue()


def _post_settings(client, **data):
    return client.post(reverse("public-settings"), {"public_name": "", "public_introduction": "", **data})


def test_admin_sets_the_name_logo_and_introduction_shown_on_the_public_pages(world, tenant_card, client_for):
    admin = client_for(world.admin)
    response = _post_settings(
        admin,
        public_name="Alpha Homes",
        public_introduction="Our results for our 12,000 tenants.\nAsk us about any of them.",
        logo=SimpleUploadedFile("logo.png", _png(), content_type="image/png"),
    )
    assert response.status_code == 302 and response["Location"] == reverse("public-settings")
    anonymous = client_for(None)
    for name in ("public-index", "public-scorecard", "public-signposts"):
        url = reverse(name) if name == "public-index" else reverse(name, kwargs={"slug": "tenants"})
        html = anonymous.get(url).content.decode()
        assert '<p class="pub-name">Alpha Homes</p>' in html, name
        assert '<img class="pub-logo" src="/public/logo?v=' in html, name
    index = anonymous.get(reverse("public-index")).content.decode()
    assert '<p class="pub-introduction">Our results for our 12,000 tenants.\nAsk us about any of them.</p>' in index
    with CaptureQueriesContext(connection) as queries:
        anonymous.get(reverse("public-scorecard", kwargs={"slug": "tenants"}))
    assert not any('."public_logo"' in query["sql"] for query in queries)  # pages never load the image
    logo = anonymous.get(reverse("public-logo"))
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert logo["X-Content-Type-Options"] == "nosniff"
    assert logo.content == _png()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("logo.png", b"<svg onload='alert(1)'></svg>", content_type="image/png"),
            "The logo must be a PNG or JPEG image; this file is not one.",
        ),
        (
            SimpleUploadedFile("logo.gif", b"GIF89a" + b"\x00" * 40, content_type="image/gif"),
            "The logo must be a PNG or JPEG image",
        ),
        (
            SimpleUploadedFile("big.png", b"\x89PNG" + b"\x00" * (600 * 1024), content_type="image/png"),
            "The logo is 600 KB; the largest accepted is 512 KB.",
        ),
        (
            SimpleUploadedFile("wide.png", _png((2400, 10)), content_type="image/png"),
            "The logo is 2400 x 10 pixels; it may be at most 2000 pixels on each side.",
        ),
    ],
    ids=["not-an-image", "gif", "too-large", "too-wide"],
)
def test_a_bad_logo_is_refused_with_a_message_and_nothing_is_saved(world, client_for, upload, message):
    response = _post_settings(client_for(world.admin), public_name="Alpha Homes", logo=upload)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["logo"])
    assert ScorecardSettings.load().public_name == ""
    assert not ScorecardSettings.objects.filter(public_logo__isnull=False).exists()
    assert client_for(None).get(reverse("public-logo")).status_code == 404


def test_a_logo_needs_the_organisation_name(world, client_for):
    upload = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    response = _post_settings(client_for(world.admin), logo=upload)
    assert response.context["form"].errors == {
        "public_name": ["Give the organisation's name: it is shown beside the logo."]
    }


def test_admin_removes_the_logo(world, client_for):
    admin = client_for(world.admin)
    _post_settings(admin, public_name="Alpha Homes", logo=SimpleUploadedFile("l.png", _png(), content_type="image/png"))
    assert admin.get(reverse("public-logo")).status_code == 200
    _post_settings(admin, public_name="Alpha Homes", remove_logo="on")
    assert admin.get(reverse("public-logo")).status_code == 404
    assert ScorecardSettings.load().public_name == "Alpha Homes"


def test_without_settings_the_public_pages_show_no_identity(tenant_card, client):
    html = client.get(reverse("public-index")).content.decode()
    assert "pub-identity" not in html and "pub-introduction" not in html
    assert client.get(reverse("public-logo")).status_code == 404


# The survey form -------------------------------------------------------------------------------


def _survey_payload(**extra):
    payload = {
        "year": "2025",
        "sample_size": "1086",
        "response_rate": "23.5",
        "collection_method": "Telephone interviews",
        "fieldwork_start": "2025-06-02",
        "fieldwork_end": "2025-07-18",
        "carried_out_by": "contractor",
        "contractor": "Northfield Research Ltd",
        "notes": "",
    }
    payload.update(extra)
    return payload


def test_admin_describes_a_years_survey(world, client_for):
    admin = client_for(world.admin)
    response = admin.post(reverse("tsm-survey-create"), _survey_payload())
    assert response.status_code == 302
    survey = TsmSurvey.objects.get()
    assert (survey.year_label, survey.sample_size, survey.response_rate) == ("2025/26", 1086, Decimal("23.5"))
    listing = admin.get(reverse("public-settings")).content.decode()
    assert f'<a href="{reverse("tsm-survey-edit", kwargs={"pk": survey.pk})}">2025/26</a>' in listing
    admin.post(reverse("tsm-survey-edit", kwargs={"pk": survey.pk}), _survey_payload(sample_size="1100"))
    assert TsmSurvey.objects.get().sample_size == 1100


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"contractor": ""}, {"contractor": ["Name the contractor who carried out the survey."]}),
        (
            {"carried_out_by": "in_house"},
            {"contractor": ["Leave the contractor blank for a survey carried out in-house."]},
        ),
        ({"fieldwork_end": "2025-05-01"}, {"fieldwork_end": ["Fieldwork cannot end before it started."]}),
        ({"response_rate": "120"}, {"response_rate": ["Ensure this value is less than or equal to 100."]}),
        ({"sample_size": "0"}, {"sample_size": ["Ensure this value is greater than or equal to 1."]}),
    ],
    ids=["no-contractor", "in-house-with-contractor", "end-before-start", "rate-over-100", "no-sample"],
)
def test_a_survey_with_a_mistake_is_refused_naming_the_field(world, client_for, change, errors):
    response = client_for(world.admin).post(reverse("tsm-survey-create"), _survey_payload(**change))
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert not TsmSurvey.objects.exists()


def test_a_second_description_of_the_same_year_is_refused(world, client_for):
    make_survey()
    response = client_for(world.admin).post(reverse("tsm-survey-create"), _survey_payload())
    assert response.context["form"].errors == {
        "year": ["Tenant Satisfaction Measures survey with this Survey year already exists."]
    }


# Query counts ------------------------------------------------------------------------------------


def _public_queries(world, client, count: int) -> dict[str, int]:
    """Queries of each public page for a published scorecard of COUNT PIs (half of them tenant survey
    measures, one red and corrected after publication), with a survey described."""
    indicators = [
        make_indicator(f"{'RP' if index % 2 else 'TP'}{count:02d}{index:02d}", world.team, source=Indicator.Source.TSM)
        for index in range(count)
    ]
    red = make_red(f"RED{count}", world.team)
    card = make_scorecard(
        world.directorate,
        [*indicators, red],
        title=f"Card {count}",
        sections=("One", "Two"),
        publication=Scorecard.Publication.FULL,
        public_slug=f"card-{count}",
    )
    card.entries.update(signpost=True)
    issue(card, user=world.admin)
    _correct(world, f"RED{count}", "80")
    if not TsmSurvey.objects.exists():
        make_survey()
    found = {}
    for name, kwargs in (
        ("public-index", {}),
        ("public-scorecard", {"slug": card.public_slug}),
        ("public-signposts", {"slug": card.public_slug}),
        ("public-data", {"slug": card.public_slug, "fmt": "json"}),
        ("public-data", {"slug": card.public_slug, "fmt": "csv"}),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name, kwargs=kwargs)).status_code == 200
        found[f"{name} {kwargs.get('fmt', '')}".strip()] = len(queries)
    Scorecard.objects.filter(pk=card.pk).update(publication="")
    return found


def test_public_pages_cost_the_same_queries_for_one_row_and_for_many(world, client):
    one = _public_queries(world, client, 1)
    many = _public_queries(world, client, 30)
    assert (
        one
        == many
        == {
            "public-index": 3,
            "public-scorecard": 11,
            "public-signposts": 11,
            "public-data json": 11,
            "public-data csv": 11,
        }
    )
    assert ScorecardEdition.objects.count() == 2


# Demo ------------------------------------------------------------------------------------------------


def test_demo_publishes_the_tenant_survey_context_of_the_year_reported(db, client):
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    today = timezone.localdate()
    surveys = list(TsmSurvey.objects.all())
    assert surveys
    for survey in surveys:
        next_year = datetime.date(survey.year_start.year + 1, survey.year_start.month, 1)
        assert survey.year_start <= survey.fieldwork_start < survey.fieldwork_end < next_year
        assert survey.fieldwork_end < today
        assert (survey.carried_out_by, survey.contractor) == ("contractor", "Northfield Research Ltd")
    html = client.get(reverse("public-scorecard", kwargs={"slug": "tenant-satisfaction"})).content.decode()
    assert '<p class="pub-name">Merebrook Homes</p>' in html
    latest = max(surveys, key=lambda survey: survey.year)
    reported = {
        item.survey.year_label
        for block in client.get(reverse("public-scorecard", kwargs={"slug": "tenant-satisfaction"}))
        .context["public"]
        .sections
        for item in block.rows
        if item.survey
    }
    assert reported == {latest.year_label}
    assert f"How we carried out our tenant survey {latest.year_label}" in html
    assert html.count('class="pub-survey-note"') == 12  # TP01 to TP12, not the management measures
