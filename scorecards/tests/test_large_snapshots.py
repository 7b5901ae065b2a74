"""Snapshots of thousands of PIs come a page at a time with counts of all of them; the restatement
check of an edition reads only the values entered after it was issued."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import services as indicator_services
from indicators.models import Measurement
from indicators.tests.test_exports import instances_built
from pmf import periods
from scorecards.figures import restatements
from scorecards.pages import SNAPSHOT_PAGE_SIZE
from scorecards.tests.factories import PERIOD, issue, make_indicator, make_scorecard, make_snapshot


def _counts(response) -> dict[str, int]:
    return {status: n for status, _, n in response.context["counts"] if n}


def _pis(world, count, **options):
    return [
        make_indicator(f"Q{index:03d}", world.team, owner=world.manager, months=2, **options) for index in range(count)
    ]


def test_a_large_snapshot_shows_a_page_of_pis_and_counts_them_all(world, client_for):
    _pis(world, SNAPSHOT_PAGE_SIZE + 1, start_value=94)  # 94 then 95 against 95: amber, then green
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.directorate)
    client = client_for(world.manager)
    url = reverse("snapshot-detail", kwargs={"pk": snapshot.pk})
    first = client.get(url)
    codes = [row.code for _, row in first.context["rows"]]
    assert codes == [f"Q{index:03d}" for index in range(SNAPSHOT_PAGE_SIZE)]
    assert _counts(first) == {"green": SNAPSHOT_PAGE_SIZE + 1}
    assert "101 PIs, 1 to 100 shown, in code order." in first.content.decode()
    second = client.get(url, {"page": "2"})
    assert [row.code for _, row in second.context["rows"]] == [f"Q{SNAPSHOT_PAGE_SIZE:03d}"]
    assert _counts(second) == {"green": SNAPSHOT_PAGE_SIZE + 1}
    assert client.get(url, {"page": "x"}).context["rows"][0][1].code == "Q000"


def test_a_snapshot_of_a_month_counts_the_status_of_that_month(world, client_for):
    _pis(world, 3, start_value=94)
    snapshot = make_snapshot(
        world.manager, world.directorate, unit_filter=world.directorate, period=periods.add_months(PERIOD, -1)
    )
    response = client_for(world.manager).get(reverse("snapshot-detail", kwargs={"pk": snapshot.pk}))
    assert [row.status for _, row in response.context["rows"]] == ["amber", "amber", "amber"]
    assert _counts(response) == {"amber": 3}


def test_my_snapshot_pages_too(world, client_for):
    _pis(world, SNAPSHOT_PAGE_SIZE + 2)
    response = client_for(world.manager).get(reverse("snapshot-mine"), {"page": "2"})
    assert [row.code for _, row in response.context["rows"]] == ["Q100", "Q101"]
    assert _counts(response) == {"red": SNAPSHOT_PAGE_SIZE + 2}
    assert response.context["hidden"] == 0


def _snapshot_queries(world, client, count, prefix):
    for index in range(count):
        make_indicator(f"{prefix}{index:03d}", world.team, owner=world.manager, months=2)
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.directorate, name=prefix)
    client.force_login(world.manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("snapshot-detail", kwargs={"pk": snapshot.pk}), {"page": "2"})
    return len(queries), response


def test_a_snapshot_costs_the_same_queries_for_one_pi_and_for_pages_of_them(world, client):
    one, response = _snapshot_queries(world, client, 1, "A")
    assert len(response.context["rows"]) == 1  # page 2 of 1 is the last page
    many, response = _snapshot_queries(world, client, 2 * SNAPSHOT_PAGE_SIZE + 5, "B")
    assert [row.code for _, row in response.context["rows"]][:2] == ["B099", "B100"]  # A000 comes first
    assert len(response.context["rows"]) == SNAPSHOT_PAGE_SIZE
    assert many == one


def test_the_restatement_check_reads_only_values_entered_after_the_issue(world):
    pis = [make_indicator(f"R{index}", world.team, owner=world.manager, updater=world.updater) for index in range(3)]
    card = make_scorecard(world.directorate, pis, owner=world.manager)
    edition = issue(card, user=world.manager)
    corrected = Measurement.objects.get(indicator=pis[1], period=PERIOD)
    indicator_services.reopen(measurement=corrected, user=world.admin)
    indicator_services.measurement_update(
        indicator=pis[1], period=PERIOD, value=Decimal("99"), user=world.updater, commentary="Late repairs data"
    )
    rows = list(edition.rows.all())
    with instances_built(Measurement) as built:
        found = restatements(edition, rows)
    assert built == {"Measurement": 1}
    [(row_id, change)] = found.items()
    assert (edition.rows.get(pk=row_id).code, change.old_text, change.new_text, change.why) == (
        "R1",
        "104.0%",
        "99.0%",
        "Late repairs data",
    )
