import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Benchmark, Indicator
from scorecards.models import Scorecard, ScorecardEntry, ScorecardSection
from scorecards.tests.factories import PERIOD, make_indicator, make_scorecard


def arrange(client, card, **data):
    return client.post(reverse("scorecard-arrange", kwargs={"pk": card.pk}), data)


def layout(card):
    return [
        (section.title, list(section.entries.order_by("order").values_list("indicator__code", flat=True)))
        for section in card.sections.order_by("order")
    ]


def test_manager_builds_and_reorders_a_scorecard_in_the_browser(world, pis, client_for):
    client = client_for(world.manager)
    response = client.post(
        reverse("scorecard-create"),
        {"title": "Directorate scorecard", "org_unit": world.directorate.pk, "issue_monthly": "on", "active": "on"},
    )
    card = Scorecard.objects.get()
    assert response["Location"] == reverse("scorecard-arrange", kwargs={"pk": card.pk})
    arrange(client, card, action="add-section", **{"new-title": "Customer"})
    arrange(client, card, action="add-section", **{"new-title": "Finance"})
    finance = card.sections.get(title="Finance")
    arrange(client, card, action="add-pis", section=finance.pk, codes="PIA, PIB")
    arrange(client, card, action="section-up", section=finance.pk)
    entry_b = ScorecardEntry.objects.get(indicator=pis["B"])
    arrange(client, card, action="entry-up", entry=entry_b.pk)
    assert layout(card) == [("Finance", ["PIB", "PIA"]), ("Customer", [])]
    arrange(client, card, action="entry-remove", entry=entry_b.pk)
    assert layout(card) == [("Finance", ["PIA"]), ("Customer", [])]


def test_adding_an_unknown_code_names_it_and_adds_nothing(world, pis, client_for):
    card = make_scorecard(world.directorate, [], owner=world.manager)
    section = card.sections.get()
    response = client_for(world.manager).post(
        reverse("scorecard-arrange", kwargs={"pk": card.pk}),
        {"action": "add-pis", "section": section.pk, "codes": "PIA XX1"},
        follow=True,
    )
    assert "PI codes for “Customer”: No PI you can see has the code: XX1." in response.content.decode()
    assert ScorecardEntry.objects.count() == 0


def test_htmx_reorder_answers_with_the_sections_fragment(world, pis, client_for):
    card = make_scorecard(world.directorate, [pis["A"], pis["B"]], owner=world.manager)
    entry_b = ScorecardEntry.objects.get(indicator=pis["B"])
    response = client_for(world.manager).post(
        reverse("scorecard-arrange", kwargs={"pk": card.pk}),
        {"action": "entry-up", "entry": entry_b.pk},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.index("PIB Indicator PIB") < html.index("PIA Indicator PIA")


def test_changes_list_says_who_changed_what_and_when(world, pis, client_for):
    client = client_for(world.manager)
    client.post(
        reverse("scorecard-create"), {"title": "Board scorecard", "org_unit": world.directorate.pk, "active": "on"}
    )
    card = Scorecard.objects.get()
    arrange(client, card, action="add-section", **{"new-title": "Customer"})
    section = card.sections.get()
    arrange(client, card, action="add-pis", section=section.pk, codes="PIA")
    client_for(world.admin).post(
        reverse("scorecard-arrange", kwargs={"pk": card.pk}),
        {
            "action": "section-save",
            "section": section.pk,
            f"s{section.pk}-title": "Customers",
            f"s{section.pk}-commentary": "Better than last year",
        },
    )
    card.shared_with.add(world.viewer)
    response = client_for(world.viewer).get(reverse("scorecard-changes", kwargs={"pk": card.pk}))
    changes = [(c.who, c.what, c.details) for c in response.context["changes"]]
    assert changes == [
        (
            "Alice Admin",
            "Changed section “Customers”",
            ["Title: Customer → Customers", "Commentary: (blank) → Better than last year"],
        ),
        ("Bob Manager", "Added PIA to section “Customers”", []),
        ("Bob Manager", "Added section “Customer”", []),
        ("Bob Manager", "Created the scorecard", []),
    ]


def test_scorecard_page_shows_ytd_quartile_and_the_same_period_last_year(world, pis, client_for):
    Benchmark.objects.create(
        indicator=pis["A"],
        source="Housemark",
        year="2024/25",
        top_quartile=Decimal(100),
        median=Decimal(95),
        bottom_quartile=Decimal(90),
    )
    card = make_scorecard(world.directorate, [pis["A"]], owner=world.manager)
    response = client_for(world.manager).get(
        reverse("scorecard-detail", kwargs={"pk": card.pk}), {"period": "2025-09", "compare": "1"}
    )
    row = response.context["sections"][0].rows[0]
    assert (row.value_text, row.ytd_text, row.quartile_label, row.last_year_text) == (
        "104.0%",
        "101.5%",
        "Top quartile",
        "92.0%",
    )
    html = response.content.decode()
    assert "Sep 2024" in html and "Top quartile" in html


def test_scorecard_for_an_earlier_period_uses_values_up_to_it(world, pis, client_for):
    card = make_scorecard(world.directorate, [pis["A"]], owner=world.manager)
    response = client_for(world.manager).get(reverse("scorecard-detail", kwargs={"pk": card.pk}), {"period": "2025-06"})
    row = response.context["sections"][0].rows[0]
    assert (row.period_label, row.value_text, row.short_label) == ("Jun 2025", "101.0%", "Improving")


def test_chart_fragment_has_the_figure_and_a_data_table(world, pis, client_for):
    card = make_scorecard(world.directorate, [pis["A"]], owner=world.manager, shared_with=[world.viewer])
    response = client_for(world.viewer).get(
        reverse("scorecard-chart", kwargs={"pk": card.pk, "indicator_pk": pis["A"].pk}), {"period": "2025-09"}
    )
    html = response.content.decode()
    assert "<html" not in html and f'data-figure="chart-{pis["A"].pk}-data" data-figure-json="{{' in html
    assert html.count("<tr>") == 16  # header + 15 periods
    other = client_for(world.viewer).get(
        reverse("scorecard-chart", kwargs={"pk": card.pk, "indicator_pk": pis["C"].pk})
    )
    assert other.status_code == 404


def test_signposts_show_only_the_flagged_key_indicators(world, pis, client_for):
    card = make_scorecard(world.directorate, [pis["A"], pis["B"]], owner=world.manager)
    ScorecardEntry.objects.filter(indicator=pis["B"]).update(signpost=True)
    response = client_for(world.manager).get(
        reverse("scorecard-signposts", kwargs={"pk": card.pk}), {"period": "2025-09"}
    )
    assert [[r.code for r in block.rows] for block in response.context["sections"]] == [["PIB"]]
    assert 'class="sc-big">104.0%' in response.content.decode()


def test_overview_counts_statuses_per_section(world, client_for):
    low = make_indicator("LOW", world.team, start_value=50)
    high = make_indicator("HIGH", world.team)
    card = make_scorecard(world.directorate, [low, high], owner=world.manager, sections=("Customer", "Finance"))
    response = client_for(world.manager).get(reverse("scorecard-detail", kwargs={"pk": card.pk}), {"period": "2025-09"})
    counts = [[count for _, _, count in block.counts] for block in response.context["sections"]]
    assert counts == [[0, 0, 1, 0, 0], [1, 0, 0, 0, 0]]
    assert response.context["overview"]["data"][0]["y"] == [0, 1]


def _scorecard_queries(world, client, count):
    indicators = [make_indicator(f"S{index:03d}", world.team, months=14) for index in range(count)]
    for indicator in indicators:
        Benchmark.objects.create(
            indicator=indicator, source="Housemark", year="2024/25", top_quartile=100, median=95, bottom_quartile=90
        )
    card = make_scorecard(world.directorate, indicators, owner=world.manager, sections=("A", "B", "C"))
    client.force_login(world.manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("scorecard-detail", kwargs={"pk": card.pk}), {"period": "2025-09"})
    assert sum(len(block.rows) for block in response.context["sections"]) == count
    return len(queries)


@pytest.mark.django_db
def test_scorecard_page_queries_do_not_grow_with_rows(world, client):
    one = _scorecard_queries(world, client, 1)
    ScorecardEntry.objects.all().delete()
    ScorecardSection.objects.all().delete()
    Scorecard.objects.all().delete()
    Indicator.objects.all().delete()
    assert _scorecard_queries(world, client, 50) == one


def test_settings_page_names_a_bad_issue_day(world, client_for):
    response = client_for(world.admin).post(
        reverse("scorecard-settings"), {"unapproved_values": "refuse", "issue_day": 31}
    )
    assert "Choose a day from 1 to 28" in response.content.decode()


def test_my_work_shows_my_snapshot_counts(world, pis, client_for):
    response = client_for(world.manager).get(reverse("home"))
    html = response.content.decode()
    assert "My snapshot" in html and 'href="/scorecards/snapshots/mine/"' in html
    assert '<span class="status status--green">On target</span> <strong>2</strong>' in html


def test_year_to_date_of_a_calculated_pi_is_the_ratio_of_the_sums(world):
    from indicators.figures import live_rows

    numerator = make_indicator("ARRN", world.team, months=6, start_value=10, polarity="data")
    denominator = make_indicator("ARRD", world.team, months=6, start_value=200, polarity="data")
    ratio = make_indicator("ARR", world.team, months=6, start_value=5, ytd_rule="ratio", formula="ARRN / ARRD * 100")
    rows = live_rows([ratio, numerator], PERIOD)
    # Apr-Sep 2025: numerators 10..15 (sum 75) over denominators 200..205 (sum 1215).
    assert rows[ratio.pk].ytd_text == "6.2%"
    assert rows[numerator.pk].ytd_text == "12.5%"  # its own rule: the mean of 10..15
    assert denominator.pk not in rows


def test_publishing_without_a_public_address_is_refused_naming_the_field(world, pis, client_for):
    card = make_scorecard(world.directorate, [pis["A"]], owner=world.manager)
    response = client_for(world.manager).post(
        reverse("scorecard-edit", kwargs={"pk": card.pk}),
        {
            "title": "Housing scorecard",
            "org_unit": world.directorate.pk,
            "publication": "full",
            "public_slug": "",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "A published scorecard needs a public address." in response.content.decode()
    card.refresh_from_db()
    assert card.publication == ""


def test_shared_scorecard_shows_every_figure_but_links_only_to_pis_the_reader_may_open(world, pis, client_for):
    card = make_scorecard(world.directorate, [pis["A"], pis["B"]], owner=world.manager, shared_with=[world.updater])
    response = client_for(world.updater).get(reverse("scorecard-detail", kwargs={"pk": card.pk}), {"period": "2025-09"})
    html = response.content.decode()
    assert [row.code for row in response.context["sections"][0].rows] == ["PIA", "PIB"]
    assert f'<a href="/indicators/{pis["A"].pk}/">Indicator PIA</a>' in html
    assert f'href="/indicators/{pis["B"].pk}/"' not in html and "Indicator PIB" in html


@pytest.mark.parametrize("page", ["scorecard-list", "snapshot-list", "edition-list", "scorecard-changes"])
def test_list_pages_queries_do_not_grow_with_rows(world, client, page):
    from scorecards.models import Snapshot
    from scorecards.tests.factories import issue, make_snapshot

    indicator = make_indicator("LST", world.team)
    card = make_scorecard(world.directorate, [indicator], owner=world.manager)
    client.force_login(world.manager)
    url = reverse(page, kwargs={"pk": card.pk} if page in ("edition-list", "scorecard-changes") else None)

    def add(count):
        for index in range(count):
            if page == "scorecard-list":
                make_scorecard(world.directorate, [indicator], title=f"Card {Scorecard.objects.count()}")
            elif page == "snapshot-list":
                make_snapshot(world.manager, world.team, name=f"Snap {Snapshot.objects.count()}")
            elif page == "edition-list":
                issue(card, period=datetime.date(2025, 9, 1) - datetime.timedelta(days=31 * (index + 1)))
            else:
                section = ScorecardSection.objects.create(scorecard=card, title=f"S{index}", order=index + 1)
                ScorecardEntry.objects.create(scorecard=card, section=section, indicator=indicator)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(1)
    one = measure()
    add(49)
    assert measure() == one
