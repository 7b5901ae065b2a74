import csv
import datetime
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators import monthly, services
from indicators.models import Measurement
from indicators.tests.factories import BenchmarkFactory, MeasurementFactory, team_indicator

JAN = datetime.date(2025, 1, 1)


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def _make(world, count, with_values=True, prefix="Q"):
    made = []
    for number in range(count):
        indicator = team_indicator(world, code=f"{prefix}{number:03d}")
        if with_values:
            services.measurement_update(
                indicator=indicator, period=datetime.date(2024, 12, 1), value=D("91"), user=world.updater
            )
        made.append(indicator)
    return made


@pytest.mark.parametrize("actor", ["manager", "updater"])
def test_pi_list_query_count_does_not_grow_with_rows(world, client_for, actor):
    client = client_for(getattr(world, actor))
    _make(world, 1)
    one, response = _count_queries(client, reverse("indicator-list"))
    assert [ind.code for ind in response.context["page"].object_list] == ["Q000"]
    _make_more = [team_indicator(world, code=f"R{n:03d}") for n in range(49)]
    many, response = _count_queries(client, reverse("indicator-list"))
    assert len(response.context["page"].object_list) == 50 == len(_make_more) + 1
    assert one == many


def test_monthly_update_query_count_does_not_grow_with_rows(world, client_for):
    client = client_for(world.updater)
    url = reverse("indicator-monthly-update") + "?month=2025-01"
    _make(world, 1)
    one, response = _count_queries(client, url)
    assert len(response.context["rows"]) == 1
    _make(world, 49, prefix="M")
    many, response = _count_queries(client, url)
    assert len(response.context["rows"]) == 50
    assert one == many


def test_monthly_update_with_values_entered_keeps_its_query_count(world, client_for):
    """Rows whose value is entered also ask whether their month is issued: once for the page."""
    client = client_for(world.updater)
    url = reverse("indicator-monthly-update") + "?month=2025-01"

    def make(count, prefix):
        for indicator in _make(world, count, with_values=False, prefix=prefix):
            services.measurement_update(indicator=indicator, period=JAN, value=D("91"), user=world.updater)

    make(1, "Q")
    one, response = _count_queries(client, url)
    assert [row.measurement is not None for row in response.context["rows"]] == [True]
    make(29, "M")
    many, response = _count_queries(client, url)
    assert len(response.context["rows"]) == 30
    assert all(row.measurement is not None for row in response.context["rows"])
    assert one == many


def test_pi_list_columns_filters_and_sort(world, client_for):
    green = team_indicator(world, code="AAA", title="Rent collected")
    red = team_indicator(world, code="BBB", title="Repairs on time")
    services.measurement_update(indicator=green, period=JAN, value=D("95"), user=world.updater)
    services.measurement_update(
        indicator=red, period=JAN, value=D("50"), user=world.updater, cause="c", action_taken="a", recovery_date=JAN
    )
    client = client_for(world.manager)
    response = client.get(reverse("indicator-list"), {"status": "red"})
    assert [ind.code for ind in response.context["page"].object_list] == ["BBB"]
    content = response.content.decode()
    assert '<span class="status status--red">Off target</span>' in content
    assert "50.0%" in content and "90.0%" in content
    response = client.get(reverse("indicator-list"), {"q": "rent"})
    assert [ind.code for ind in response.context["page"].object_list] == ["AAA"]
    response = client.get(reverse("indicator-list"), {"sort": "-status"})
    assert [ind.code for ind in response.context["page"].object_list] == ["BBB", "AAA"]
    response = client.get(reverse("indicator-list"), {"sort": "drop table"})
    assert [ind.code for ind in response.context["page"].object_list] == ["AAA", "BBB"]


def test_pi_list_exports_csv_with_the_filtered_rows(world, client_for):
    indicator = team_indicator(world, code="AAA", title="Rent collected")
    services.measurement_update(indicator=indicator, period=JAN, value=D("95"), user=world.updater)
    response = client_for(world.manager).get(reverse("indicator-list"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[0][:4] == ["Status", "Code", "Title", "Unit"]
    assert rows[1][:2] == ["On target", "AAA"] and rows[1][6:8] == ["95", "90"]
    assert len(rows) == 2


def test_pi_list_exports_xlsx(world, client_for):
    team_indicator(world, code="AAA")
    response = client_for(world.manager).get(reverse("indicator-list"), {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.getvalue()[:2] == b"PK"


def test_pi_page_shows_chart_table_benchmark_quartile_and_escaped_commentary(world, client_for):
    indicator = team_indicator(world, code="AAA")
    services.measurement_update(
        indicator=indicator, period=JAN, value=D("93"), user=world.updater, commentary="<script>alert(1)</script> fine"
    )
    BenchmarkFactory(indicator=indicator)
    response = client_for(world.manager).get(reverse("indicator-detail", kwargs={"pk": indicator.pk}))
    content = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; fine" in content
    assert "<script>alert(1)</script>" not in content
    assert "/static/indicators/plotly.min.js" in content
    assert 'id="pi-chart-data"' in content
    assert response.context["chart"]["data"][-2]["y"] == [93.0]
    assert response.context["benchmarks"][0][1] == 2
    assert "Second quartile" in content


def test_updater_does_the_monthly_update_in_one_form(world, client_for):
    first, second = _make(world, 2, with_values=False)
    client = client_for(world.updater)
    url = reverse("indicator-monthly-update") + "?month=2025-01"
    page = client.get(url)
    assert page.context["deadline"] == datetime.date(2025, 2, 14)
    assert len(page.context["missing"]) == 2
    response = client.post(
        url,
        {
            f"pi{first.pk}-value": "95%",
            f"pi{first.pk}-version": "0",
            f"pi{first.pk}-commentary": "Good month",
            f"pi{second.pk}-value": "1,0",
            f"pi{second.pk}-version": "0",
        },
    )
    assert response.status_code == 400
    assert "&#x27;1,0&#x27; is ambiguous" in response.content.decode()
    assert Measurement.objects.count() == 0
    response = client.post(
        url,
        {
            f"pi{first.pk}-value": "95%",
            f"pi{first.pk}-version": "0",
            f"pi{first.pk}-commentary": "Good month",
            f"pi{second.pk}-value": "91",
            f"pi{second.pk}-version": "0",
        },
    )
    assert response.status_code == 302
    assert sorted(Measurement.objects.values_list("indicator__code", "value", "status")) == [
        ("Q000", D("95"), "green"),
        ("Q001", D("91"), "green"),
    ]


def test_monthly_update_requires_structured_commentary_when_red(world, client_for):
    (indicator,) = _make(world, 1, with_values=False)
    client = client_for(world.updater)
    url = reverse("indicator-monthly-update") + "?month=2025-01"
    response = client.post(
        url, {f"pi{indicator.pk}-value": "50", f"pi{indicator.pk}-version": "0", f"pi{indicator.pk}-commentary": "Poor"}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Say why the value is off target (it is red)." in content
    assert 'value="50"' in content  # what was typed is kept
    assert Measurement.objects.count() == 0
    response = client.post(
        url,
        {
            f"pi{indicator.pk}-value": "50",
            f"pi{indicator.pk}-version": "0",
            f"pi{indicator.pk}-commentary": "Poor",
            f"pi{indicator.pk}-cause": "Sickness",
            f"pi{indicator.pk}-action_taken": "Cover",
            f"pi{indicator.pk}-recovery_date": "2025-04-01",
        },
    )
    assert response.status_code == 302
    saved = Measurement.objects.get()
    assert (saved.status, saved.cause, saved.recovery_date) == ("red", "Sickness", datetime.date(2025, 4, 1))


def test_monthly_update_refuses_text_that_is_not_a_number(world, client_for):
    (indicator,) = _make(world, 1, with_values=False)
    response = client_for(world.updater).post(
        reverse("indicator-monthly-update") + "?month=2025-01",
        {f"pi{indicator.pk}-value": "abc", f"pi{indicator.pk}-version": "0"},
    )
    assert response.status_code == 400
    assert response.context["rows"][0].errors == {"value": "'abc' is not a number."}
    assert Measurement.objects.count() == 0


def test_second_updater_sees_a_conflict_and_keeps_what_they_typed(world, client_for):
    (indicator,) = _make(world, 1, with_values=False)
    services.measurement_update(indicator=indicator, period=JAN, value=D("92"), user=world.manager, version=0)
    response = client_for(world.updater).post(
        reverse("indicator-monthly-update") + "?month=2025-01",
        {f"pi{indicator.pk}-value": "97", f"pi{indicator.pk}-version": "0"},
    )
    assert response.status_code == 409
    assert "was changed by Bob Manager" in response.context["conflict"]
    assert response.context["rows"][0].initial("value") == "97"
    assert Measurement.objects.get().value == D("92")


def test_manager_approves_and_admin_reopens_from_the_pi_page(world, client_for):
    indicator = team_indicator(world)
    measurement = services.measurement_update(indicator=indicator, period=JAN, value=D("92"), user=world.updater)
    response = client_for(world.manager).post(reverse("measurement-approve", kwargs={"pk": measurement.pk}))
    assert response.status_code == 302
    measurement.refresh_from_db()
    assert measurement.approved_by == world.manager
    client_for(world.admin).post(reverse("measurement-reopen", kwargs={"pk": measurement.pk}))
    measurement.refresh_from_db()
    assert measurement.approved_at is None


def test_approvals_page_lists_unapproved_values_for_the_manager(world, client_for):
    indicator = team_indicator(world, code="AAA")
    services.measurement_update(indicator=indicator, period=JAN, value=D("92"), user=world.updater)
    response = client_for(world.manager).get(reverse("indicator-approvals"))
    assert [m.indicator.code for m in response.context["page"].object_list] == ["AAA"]


def test_target_review_flags_beaten_and_missed_runs(world, client_for):
    beaten = team_indicator(world, code="BEAT")
    missed = team_indicator(world, code="MISS")
    mixed = team_indicator(world, code="MIX")
    for month in range(1, 7):
        period = datetime.date(2025, month, 1)
        MeasurementFactory(indicator=beaten, period=period, value=D("95"), status="green")
        MeasurementFactory(indicator=missed, period=period, value=D("50"), status="red")
        MeasurementFactory(indicator=mixed, period=period, value=D("50"), status="red" if month != 3 else "green")
    services.refresh_latest(indicator_ids=[beaten.pk, missed.pk, mixed.pk])
    response = client_for(world.admin).get(reverse("indicator-target-flags"))
    assert [item[0].code for item in response.context["beaten"]] == ["BEAT"]
    assert [item[0].code for item in response.context["missed"]] == ["MISS"]
    assert "Consider a more ambitious target" in response.content.decode()
    response = client_for(world.admin).get(reverse("indicator-target-flags"), {"run": "3"})
    assert [item[0].code for item in response.context["missed"]] == ["MISS", "MIX"]


def test_editing_a_definition_with_an_unknown_formula_code_is_refused(world, client_for):
    indicator = team_indicator(world, code="CALC")
    response = client_for(world.manager).post(
        reverse("indicator-edit", kwargs={"pk": indicator.pk}),
        {
            "code": "CALC",
            "title": "Calculated",
            "unit": "percent",
            "decimals": 1,
            "polarity": "up",
            "frequency": "monthly",
            "ytd_rule": "mean",
            "tolerance_kind": "absolute",
            "tolerance": "2",
            "org_unit": world.team.pk,
            "source": "local",
            "active": "on",
            "formula": "NOPE / 2",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"formula": ["Unknown PI code: NOPE."]}
    indicator.refresh_from_db()
    assert indicator.formula == ""


def test_setting_a_target_from_a_period_shows_on_the_pi_page(world, client_for):
    indicator = team_indicator(world)
    response = client_for(world.manager).post(
        reverse("indicator-target-add", kwargs={"pk": indicator.pk}),
        {"effective_from": "2025-04-01", "target": "95%", "tolerance_kind": "absolute", "tolerance": "1"},
    )
    assert response.status_code == 302
    assert list(indicator.targets.values_list("effective_from", "target")) == [
        (datetime.date(2020, 4, 1), D("90")),
        (datetime.date(2025, 4, 1), D("95")),
    ]


def test_my_work_lists_pis_to_update_this_month(world, client_for):
    team_indicator(world, code="MINE")
    response = client_for(world.updater).get(reverse("home"))
    assert "PIs to update this month" in response.content.decode()
    assert "MINE" in response.content.decode()


def test_approvals_query_count_does_not_grow_with_rows(world, client_for):
    client = client_for(world.manager)
    _make(world, 1)
    one, response = _count_queries(client, reverse("indicator-approvals"))
    assert "Q000" in response.content.decode()
    _make(world, 49, prefix="A")
    many, response = _count_queries(client, reverse("indicator-approvals"))
    assert "A048" in response.content.decode()
    assert one == many


def test_target_review_query_count_does_not_grow_with_rows(world, client_for):
    client = client_for(world.manager)
    url = reverse("indicator-target-flags") + "?run=2"

    def beaten(count, prefix):
        for indicator in _make(world, count, prefix=prefix):
            services.measurement_update(
                indicator=indicator, period=datetime.date(2025, 1, 1), value=D("92"), user=world.updater
            )

    beaten(1, "T")
    one, response = _count_queries(client, url)
    assert [ind.code for ind, _, _ in response.context["beaten"]] == ["T000"]
    beaten(49, "U")
    many, response = _count_queries(client, url)
    assert len(response.context["beaten"]) == 50
    assert one == many


@pytest.mark.parametrize("typed", ["0001-01", "0001-01-01", "9999-12", "9999-12-31", "1899-12", "2200-01"])
def test_months_outside_the_shown_range_are_refused_with_a_message_not_a_server_error(world, client_for, typed):
    indicator = team_indicator(world, code="RNG")
    client = client_for(world.updater)
    response = client.get(reverse("indicator-monthly-update"), {"month": typed})
    assert response.status_code == 200
    assert response.context["month"] == monthly.reporting_month(timezone.localdate())
    response = client.get(reverse("measurement-edit", kwargs={"pk": indicator.pk, "period": typed}), follow=True)
    assert response.status_code == 200
    assert f"{typed} is not a monthly period of RNG." in [str(m) for m in response.context["messages"]]
