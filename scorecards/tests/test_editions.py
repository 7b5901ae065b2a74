import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators import services as indicator_services
from indicators.models import Measurement
from pmf import periods
from pmf.registry import is_issued_period
from scorecards import services, tasks
from scorecards.models import EditionRow, ImmutableError, ScorecardEdition, ScorecardSettings
from scorecards.tests.factories import PERIOD, TODAY, issue, make_scorecard


@pytest.fixture
def card(world, pis):
    return make_scorecard(
        world.directorate,
        [pis["A"], pis["B"]],
        owner=world.manager,
        shared_with=[world.viewer],
        sections=("Customer", "Finance"),
    )


def test_issue_freezes_values_targets_statuses_trends_and_commentary_per_section(world, card):
    edition = issue(card, user=world.manager)
    rows = list(
        edition.rows.order_by("section__order", "order").values_list(
            "section__title",
            "code",
            "period",
            "value",
            "target",
            "status",
            "short_trend",
            "long_trend",
            "ytd_text",
            "commentary",
        )
    )
    assert rows == [
        (
            "Customer",
            "PIA",
            PERIOD,
            Decimal("104"),
            Decimal("95"),
            "green",
            "improving",
            "improving",
            "101.5%",
            "PIA commentary for Sep 2025",
        ),
        (
            "Finance",
            "PIB",
            PERIOD,
            Decimal("104"),
            Decimal("95"),
            "green",
            "improving",
            "improving",
            "101.5%",
            "PIB commentary for Sep 2025",
        ),
    ]
    assert (edition.issued_by, edition.title, edition.warnings) == (world.manager, "Housing scorecard", "")


def test_issuing_twice_for_a_period_returns_the_same_edition(world, card):
    first = issue(card, user=world.manager)
    second = issue(card, user=world.admin)
    assert second.pk == first.pk and second.issued_by == world.manager
    assert ScorecardEdition.objects.count() == 1 and EditionRow.objects.count() == 2


@pytest.mark.parametrize("period", [datetime.date(2025, 10, 1), datetime.date(2026, 1, 1)])
def test_a_month_that_has_not_ended_is_refused(card, period):
    with pytest.raises(services.EditionRefused, match="has not ended yet"):
        issue(card, period=period)
    assert ScorecardEdition.objects.count() == 0


def test_unapproved_values_are_refused_when_the_setting_says_so(card):
    Measurement.objects.filter(indicator__code="PIB", period=PERIOD).update(approved_at=None)
    ScorecardSettings(unapproved_values=ScorecardSettings.Unapproved.REFUSE).save()
    with pytest.raises(services.EditionRefused, match="Values not yet approved: PIB."):
        issue(card)
    assert ScorecardEdition.objects.count() == 0


def test_unapproved_values_are_issued_with_a_warning_when_the_setting_says_so(card):
    Measurement.objects.filter(indicator__code="PIB", period=PERIOD).update(approved_at=None)
    edition = issue(card)
    assert edition.warnings == "Issued with values not yet approved: PIB."
    assert list(edition.rows.order_by("code").values_list("code", "approved")) == [("PIA", True), ("PIB", False)]


def test_editions_and_their_rows_cannot_be_changed_or_deleted(card):
    edition = issue(card)
    row = edition.rows.first()
    edition.title = "Rewritten"
    with pytest.raises(ImmutableError):
        edition.save()
    with pytest.raises(ImmutableError):
        edition.delete()
    row.value = Decimal(1)
    with pytest.raises(ImmutableError):
        row.save()
    with pytest.raises(ImmutableError):
        row.delete()
    with pytest.raises(ImmutableError):
        ScorecardEdition.objects.filter(pk=edition.pk).update(title="Rewritten")
    with pytest.raises(ImmutableError):
        ScorecardEdition.objects.all().delete()
    fresh = ScorecardEdition.objects.get(pk=edition.pk)
    assert fresh.title == "Housing scorecard" and fresh.rows.get(code=row.code).value == Decimal("104")


def test_a_correction_after_issue_shows_as_a_restatement_and_never_changes_the_edition(world, card, pis, client_for):
    edition = issue(card, user=world.manager)
    indicator_services.reopen(measurement=Measurement.objects.get(indicator=pis["A"], period=PERIOD), user=world.admin)
    indicator_services.measurement_update(
        indicator=pis["A"],
        period=PERIOD,
        value=Decimal("101"),
        user=world.updater,
        commentary="Late figures from the contractor",
    )
    assert edition.rows.get(code="PIA").value == Decimal("104")
    response = client_for(world.viewer).get(reverse("scorecard-detail", kwargs={"pk": card.pk}) + "?period=2025-09")
    restated = response.context["restated"]
    assert len(restated) == 1
    item, change = restated[0]
    assert (item.code, change.old_text, change.new_text, change.who, change.why) == (
        "PIA",
        "104.0%",
        "101.0%",
        "Charlie Updater",
        "Late figures from the contractor",
    )
    assert change.when is not None and change.when > edition.issued_at
    detail = client_for(world.viewer).get(reverse("edition-detail", kwargs={"pk": edition.pk}))
    html = detail.content.decode()
    assert "Corrected since issue" in html and "104.0%" in html
    assert [r.value_text for b in detail.context["sections"] for r in b.rows] == ["104.0%", "104.0%"]


def test_an_issued_period_is_reported_to_the_indicators_hook(card, pis):
    assert not is_issued_period(pis["A"].pk, PERIOD)
    issue(card)
    assert is_issued_period(pis["A"].pk, PERIOD)
    assert not is_issued_period(pis["A"].pk, datetime.date(2025, 8, 1))
    assert not is_issued_period(pis["C"].pk, PERIOD)


def test_issue_view_reports_a_refusal_naming_the_period(world, card, client_for):
    response = client_for(world.manager).post(
        reverse("edition-issue", kwargs={"pk": card.pk}), {"period": "2099-01"}, follow=True
    )
    assert "Period Jan 2099: Jan 2099 has not ended yet" in response.content.decode()
    assert ScorecardEdition.objects.count() == 0


def test_issue_view_issues_and_lists_the_edition(world, card, client_for):
    client = client_for(world.manager)
    response = client.post(reverse("edition-issue", kwargs={"pk": card.pk}), {"period": "2025-09"})
    edition = ScorecardEdition.objects.get()
    assert response["Location"] == reverse("edition-detail", kwargs={"pk": edition.pk})
    listing = client.get(reverse("edition-list", kwargs={"pk": card.pk}))
    assert [e.period_label for e in listing.context["editions"]] == ["Sep 2025"]


def test_monthly_job_issues_last_month_once_from_scorecard_day(card):
    ScorecardSettings(issue_day=1).save()
    assert tasks.issue_due_editions.delay().get() == 1
    assert tasks.issue_due_editions.delay().get() == 1
    assert list(ScorecardEdition.objects.values_list("period", flat=True)) == [
        periods.last_complete_month(timezone.localdate())
    ]


def test_monthly_job_waits_for_scorecard_day(card, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2025, 10, 15))
    assert tasks.issue_due_editions() == 0
    monkeypatch.setattr(timezone, "localdate", lambda: TODAY)
    assert tasks.issue_due_editions() == 1
    assert list(ScorecardEdition.objects.values_list("period", flat=True)) == [PERIOD]


def _edition_queries(world, client, count, slug):
    from scorecards.models import Scorecard
    from scorecards.tests.factories import make_indicator

    indicators = [make_indicator(f"{slug}{index:03d}", world.team, months=14) for index in range(count)]
    card = make_scorecard(
        world.directorate,
        indicators,
        owner=world.manager,
        sections=("A", "B"),
        publication=Scorecard.Publication.FULL,
        public_slug=slug,
        title=slug,
    )
    edition = issue(card)
    Measurement.objects.filter(indicator=indicators[0], period=PERIOD).update(
        value=Decimal(1), entered_at=timezone.now()
    )  # a restatement
    client.force_login(world.manager)
    counts = []
    for url in (
        reverse("edition-detail", kwargs={"pk": edition.pk}),
        reverse("public-scorecard", kwargs={"slug": slug}),
        reverse("public-data", kwargs={"slug": slug, "fmt": "json"}),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return counts


@pytest.mark.django_db
def test_edition_and_public_pages_queries_do_not_grow_with_rows(world, client):
    assert _edition_queries(world, client, 50, "many") == _edition_queries(world, client, 1, "one")


@pytest.mark.parametrize(
    ("person", "sees"),
    [
        ("admin", True),
        ("manager", True),  # owner, and manager of the scorecard's unit
        ("viewer", True),  # the scorecard is shared with them
        ("updater", False),
        ("outsider", False),
        ("anon", False),
    ],
)
def test_editions_are_visible_to_whoever_may_see_their_scorecard(world, card, person, sees):
    edition = issue(card)
    user = world.actor(person) or AnonymousUser()
    assert list(ScorecardEdition.objects.visible_to(user)) == ([edition] if sees else [])
