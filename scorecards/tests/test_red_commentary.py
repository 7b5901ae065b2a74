"""The cause, action being taken and expected recovery of red values, shown where decisions are
made: snapshots, scorecards, signposts, editions (as issued) and the public pages."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import services as indicator_services
from indicators.models import Indicator, Measurement
from pmf.tests.browser import serious_violations
from scorecards.models import EditionRow, Scorecard, ScorecardEntry, ScorecardSection, Snapshot
from scorecards.tests.factories import PERIOD, issue, make_indicator, make_scorecard, make_snapshot

NOTE = (
    '<p class="sc-red-note"><strong>Why:</strong> Two surveyors on long-term sick leave<br>'
    "<strong>What we are doing:</strong> Agency surveyors booked from October<br>"
    "<strong>Expected back on target:</strong> Mar 2026</p>"
)


def make_red(code, unit, **extra) -> Indicator:
    """A PI whose Sep 2025 value (84% against 95%) is red, with its cause, action and recovery date."""
    indicator = make_indicator(code, unit, start_value=70, **extra)
    Measurement.objects.filter(indicator=indicator, period=PERIOD).update(
        cause="Two surveyors on long-term sick leave",
        action_taken="Agency surveyors booked from October",
        recovery_date=datetime.date(2026, 3, 1),
        data_quality_note="DQ-INTERNAL figures from the old system",
    )
    return indicator


def _row_of(body: str, title: str) -> str:
    """The <tr> of BODY that holds TITLE."""
    start = body.rindex("<tr>", 0, body.index(title))
    return body[start : body.index("</tr>", start)]


@pytest.fixture
def red(world):
    return make_red("PIR", world.team, owner=world.manager)


@pytest.fixture
def green(world):
    """A green PI whose measurement still holds a cause (not shown: the value is not red)."""
    indicator = make_indicator("PIG", world.team, owner=world.manager)
    Measurement.objects.filter(indicator=indicator, period=PERIOD).update(cause="STALE-CAUSE of a green value")
    return indicator


def test_snapshot_shows_why_what_and_when_under_a_red_row_only(world, red, green, client_for):
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.directorate)
    body = client_for(world.manager).get(reverse("snapshot-detail", kwargs={"pk": snapshot.pk})).content.decode()
    assert body.count(NOTE) == 1
    assert NOTE in _row_of(body, "Indicator PIR")
    assert "STALE-CAUSE" not in body


def test_scorecard_and_its_signposts_show_the_red_commentary(world, red, green, client_for):
    card = make_scorecard(world.directorate, [red, green], owner=world.manager)
    client = client_for(world.manager)
    for name in ("scorecard-detail", "scorecard-signposts"):
        body = client.get(reverse(name, kwargs={"pk": card.pk}), {"period": "2025-09"}).content.decode()
        assert body.count(NOTE) == 1, name
        assert "STALE-CAUSE" not in body, name
    assert NOTE in _row_of(client.get(reverse("scorecard-detail", kwargs={"pk": card.pk})).content.decode(), "PIR")


def test_a_red_row_with_only_a_cause_says_only_why(world, client_for):
    indicator = make_indicator("PIW", world.team, owner=world.manager, start_value=70)
    Measurement.objects.filter(indicator=indicator, period=PERIOD).update(cause="Storm damage")
    card = make_scorecard(world.directorate, [indicator], owner=world.manager)
    body = client_for(world.manager).get(reverse("scorecard-detail", kwargs={"pk": card.pk})).content.decode()
    assert '<p class="sc-red-note"><strong>Why:</strong> Storm damage</p>' in body


def test_edition_keeps_the_commentary_as_issued_after_a_correction(world, red, client_for):
    card = make_scorecard(world.directorate, [red], owner=world.manager)
    edition = issue(card, user=world.admin)
    assert list(edition.rows.values_list("cause", "action_taken", "recovery_date")) == [
        ("Two surveyors on long-term sick leave", "Agency surveyors booked from October", datetime.date(2026, 3, 1))
    ]
    client = client_for(world.manager)
    edition_url = reverse("edition-detail", kwargs={"pk": edition.pk})
    assert client.get(edition_url).content.decode().count(NOTE) == 1

    measurement = indicator_services.reopen(
        measurement=Measurement.objects.get(indicator=red, period=PERIOD), user=world.admin
    )
    indicator_services.save_values(
        entries=[
            indicator_services.ValueInput(
                indicator=red,
                period=PERIOD,
                value=Decimal(80),
                cause="Corrected: three surveyors off",
                action_taken="Corrected: a second agency",
                recovery_date=datetime.date(2026, 6, 1),
                version=measurement.version,
                reason="Late returns from the contractor",
            )
        ],
        user=world.admin,
    )
    assert Measurement.objects.get(pk=measurement.pk).cause == "Corrected: three surveyors off"
    body = client.get(edition_url).content.decode()
    assert body.count(NOTE) == 1
    assert "Corrected: three surveyors off" not in body
    assert EditionRow.objects.get(edition=edition).cause == "Two surveyors on long-term sick leave"
    live = client.get(reverse("scorecard-detail", kwargs={"pk": card.pk}), {"period": "2025-09"}).content.decode()
    assert (
        '<p class="sc-red-note"><strong>Why:</strong> Corrected: three surveyors off<br>'
        "<strong>What we are doing:</strong> Corrected: a second agency<br>"
        "<strong>Expected back on target:</strong> Jun 2026</p>"
    ) in live


@pytest.fixture
def published(world, red, green):
    hidden = make_red("PIH", world.team)
    Measurement.objects.filter(indicator=hidden, period=PERIOD).update(cause="HIDDEN-PI cause")
    card = make_scorecard(
        world.directorate,
        [red, green, hidden],
        owner=world.manager,
        publication=Scorecard.Publication.FULL,
        public_slug="tenants",
    )
    ScorecardEntry.objects.filter(indicator=hidden).update(public=False)
    ScorecardEntry.objects.filter(indicator__in=[red, green]).update(signpost=True)
    issue(card, user=world.admin)
    return card


def test_public_pages_say_why_and_what_we_are_doing_and_nothing_internal(published, client):
    for name in ("public-scorecard", "public-signposts"):
        response = client.get(reverse(name, kwargs={"slug": "tenants"}))
        body = response.content.decode()
        assert response.status_code == 200, name
        assert body.count(NOTE) == 1, name
        for secret in ("PIR commentary", "DQ-INTERNAL", "STALE-CAUSE", "HIDDEN-PI"):
            assert secret not in body, (name, secret)


def _red_rows(world, count, *, red=True):
    maker = make_red if red else make_indicator
    return [maker(f"R{index:03d}", world.team, owner=world.manager, months=14) for index in range(count)]


def _scorecard_queries(world, client, count, *, red=True):
    card = make_scorecard(world.directorate, _red_rows(world, count, red=red), owner=world.manager)
    client.force_login(world.manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("scorecard-detail", kwargs={"pk": card.pk}), {"period": "2025-09"})
    assert response.content.decode().count('class="sc-red-note"') == (count if red else 0)
    ScorecardEntry.objects.all().delete()
    ScorecardSection.objects.all().delete()
    Scorecard.objects.all().delete()
    Indicator.objects.all().delete()
    return len(queries)


def _snapshot_queries(world, client, count, *, red=True):
    _red_rows(world, count, red=red)
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.directorate)
    client.force_login(world.manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("snapshot-detail", kwargs={"pk": snapshot.pk}))
    assert response.content.decode().count('class="sc-red-note"') == (count if red else 0)
    Snapshot.objects.all().delete()
    Indicator.objects.all().delete()
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("measure", [_scorecard_queries, _snapshot_queries], ids=["scorecard", "snapshot"])
def test_red_commentary_costs_no_query_per_row(world, client, measure):
    plain = measure(world, client, 1, red=False)
    assert measure(world, client, 1) == plain
    assert measure(world, client, 30) == plain


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_red_commentary_reads_in_words_and_passes_axe(browser, live_server, world):
    red = make_red("PIR", world.team)
    card = make_scorecard(
        world.directorate, [red], publication=Scorecard.Publication.FULL, public_slug="tenants", sections=("Repairs",)
    )
    card.entries.update(signpost=True)
    issue(card)
    for width in (1280, 320):
        page = browser.new_page(viewport={"width": width, "height": 800})
        for path in ("/public/tenants/", "/public/tenants/signposts/"):
            page.goto(f"{live_server.url}{path}")
            note = page.locator(".sc-red-note")
            assert note.inner_text() == (
                "Why: Two surveyors on long-term sick leave\n"
                "What we are doing: Agency surveyors booked from October\n"
                "Expected back on target: Mar 2026"
            )
            assert note.is_visible()
            assert serious_violations(page) == []
        page.close()
