import json
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators import services as indicator_services
from indicators.models import Measurement
from scorecards.models import Scorecard, ScorecardEntry
from scorecards.tests.factories import PERIOD, issue, make_scorecard


@pytest.fixture
def published(world, pis):
    card = make_scorecard(
        world.directorate,
        [pis["A"], pis["B"], pis["C"]],
        owner=world.manager,
        sections=("Repairs", "Rents", "Secret"),
        publication=Scorecard.Publication.FULL,
        public_slug="tenants",
        public_title="How we are doing for tenants",
        director_commentary="DIRECTOR-PRIVATE note",
        director_commentary_internal=True,
    )
    sections = list(card.sections.order_by("order"))
    sections[0].commentary = "Repairs are getting faster."
    sections[0].save()
    sections[1].commentary = "INTERNAL-ONLY rent arrears detail"
    sections[1].commentary_internal = True
    sections[1].save()
    ScorecardEntry.objects.filter(indicator=pis["C"]).update(public=False)
    ScorecardEntry.objects.filter(indicator=pis["A"]).update(plain_title="Repairs done on time", signpost=True)
    issue(card, user=world.admin)
    return card


def pages(client, slug="tenants"):
    return {
        "page": client.get(reverse("public-scorecard", kwargs={"slug": slug})),
        "signposts": client.get(reverse("public-signposts", kwargs={"slug": slug})),
        "csv": client.get(reverse("public-data", kwargs={"slug": slug, "fmt": "csv"})),
        "json": client.get(reverse("public-data", kwargs={"slug": slug, "fmt": "json"})),
    }


def test_anonymous_visitor_sees_the_published_scorecard_in_plain_language(published, client):
    response = client.get(reverse("public-scorecard", kwargs={"slug": "tenants"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "How we are doing for tenants: results for Sep 2025" in html
    assert "Repairs done on time" in html and "Indicator PIB" in html
    assert '<span class="status status--green">On target</span>' in html
    assert "Repairs are getting faster." in html
    assert "Number of results by traffic light in each area" in html  # the chart's data table


@pytest.mark.parametrize(
    "secret",
    [
        "PIC",
        "Indicator PIC",
        "INTERNAL-ONLY",
        "DIRECTOR-PRIVATE",
        "Secret",
        "Alice Admin",
        "Bob Manager",
        "Charlie Updater",
        "alice",
        "bob",
        "charlie",
        "PIA commentary",
    ],
)
def test_public_pages_and_downloads_never_expose_unpublished_pis_internal_commentary_or_names(
    published, client, secret
):
    for name, response in pages(client).items():
        assert response.status_code == 200, name
        assert secret not in response.content.decode(), f"{secret!r} leaked on {name}"


def test_downloads_hold_the_published_figures(published, client):
    data = json.loads(client.get(reverse("public-data", kwargs={"slug": "tenants", "fmt": "json"})).content)
    assert data["period"] == "Sep 2025"
    assert [
        (r["section"], r["indicator"], r["value"], r["target"], r["unit"], r["status"], r["status_word"])
        for r in data["rows"]
    ] == [
        ("Repairs", "Repairs done on time", 104, 95, "percent", "green", "On target"),
        ("Rents", "Indicator PIB", 104, 95, "percent", "green", "On target"),
    ]
    csv = client.get(reverse("public-data", kwargs={"slug": "tenants", "fmt": "csv"}))
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    # The first ten columns are as they always were; the unit, typed figures, the explanation of a
    # red result, the correction and the tenant survey context follow them.
    assert csv.content.decode().splitlines()[0] == (
        "section,code,indicator,period,value,target,status,short_trend,long_trend,year_to_date,"
        "unit,period_start,value_number,target_number,status_code,cause,action_being_taken,expected_recovery,"
        "corrected_on,corrected_value,survey_year,survey_sample_size,survey_collection_method,"
        "survey_fieldwork_start,survey_fieldwork_end,survey_carried_out_by,survey_response_rate"
    )
    assert csv.content.decode().splitlines()[1] == (
        "Repairs,PIA,Repairs done on time,Sep 2025,104.0%,95.0%,On target,Improving,Improving,101.5%,"
        "%,2025-09-01,104,95,green,,,,,,,,,,,,"
    )
    assert len(csv.content.decode().splitlines()) == 3


def test_public_page_shows_the_last_issued_edition_with_a_later_correction_marked(world, published, pis, client):
    measurement = Measurement.objects.get(indicator=pis["A"], period=PERIOD)
    indicator_services.reopen(measurement=measurement, user=world.admin)
    indicator_services.measurement_update(
        indicator=pis["A"], period=PERIOD, value=Decimal("99"), user=world.updater, commentary="Correction"
    )
    html = client.get(reverse("public-scorecard", kwargs={"slug": "tenants"})).content.decode()
    row = html[html.index('<th scope="row">Repairs done on time') :]
    notes = row[row.index("</tr>") :]
    row, notes = row[: row.index("</tr>")], notes[: notes.index("</tr>", 5)]
    assert '<td class="num">104.0%</td>' in row  # the result as published stays
    assert "About Repairs done on time" in notes  # and in the full-width row under it
    assert "we published 104.0%; the correct figure is 99.0%." in notes  # its correction is marked
    assert html.count("99.0%") == 2  # the row's marker and the list of corrections, nowhere else


def test_unpublishing_removes_the_pages_and_downloads_at_once(published, client):
    assert "How we are doing for tenants" in client.get(reverse("public-index")).content.decode()
    Scorecard.objects.filter(pk=published.pk).update(publication="")
    assert {name: r.status_code for name, r in pages(client).items()} == {
        "page": 404,
        "signposts": 404,
        "csv": 404,
        "json": 404,
    }
    assert "How we are doing for tenants" not in client.get(reverse("public-index")).content.decode()


def test_a_published_scorecard_without_an_edition_shows_nothing(world, pis, client):
    make_scorecard(world.directorate, [pis["A"]], publication=Scorecard.Publication.FULL, public_slug="fresh")
    assert client.get(reverse("public-scorecard", kwargs={"slug": "fresh"})).status_code == 404
    assert "fresh" not in client.get(reverse("public-index")).content.decode()


def test_signposts_publication_shows_only_the_key_indicators(published, client):
    Scorecard.objects.filter(pk=published.pk).update(publication=Scorecard.Publication.SIGNPOSTS)
    html = client.get(reverse("public-scorecard", kwargs={"slug": "tenants"})).content.decode()
    assert "Repairs done on time" in html and "Indicator PIB" not in html
    signposts = client.get(reverse("public-signposts", kwargs={"slug": "tenants"}))
    assert [[item.row.code for item in b.rows] for b in signposts.context["public"].sections] == [["PIA"]]


def test_unknown_download_format_is_not_found(published, client):
    assert client.get(reverse("public-data", kwargs={"slug": "tenants", "fmt": "xml"})).status_code == 404
