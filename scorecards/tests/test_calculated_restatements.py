"""A calculated PI whose input is corrected in an issued month: the live value follows its inputs,
the edition keeps what was issued and shows the change as a restatement."""

from decimal import Decimal

from django.urls import reverse

from indicators import services as indicator_services
from indicators.models import Indicator, Measurement
from scorecards.tests.factories import PERIOD, issue, make_indicator, make_scorecard


def test_input_corrected_in_an_issued_month_moves_the_live_calculated_value_and_shows_a_restatement(world, client_for):
    arrears = make_indicator(
        "ARR", world.team, owner=world.manager, updater=world.updater, months=1, polarity="data", approved=False
    )
    debit = make_indicator(
        "DEB", world.team, owner=world.manager, updater=world.updater, months=1, polarity="data", approved=False
    )
    Measurement.objects.filter(indicator=arrears).update(value=Decimal(30))
    Measurement.objects.filter(indicator=debit).update(value=Decimal(1200))
    share = Indicator.objects.create(
        code="ARR_PCT",
        title="Arrears as % of debit",
        org_unit=world.team,
        owner=world.manager,
        unit="percent",
        polarity="down",
        formula="ARR / DEB * 100",
    )
    indicator_services.recalculate_dependants(codes={"ARR", "DEB"}, periods={PERIOD}, user=world.admin)
    indicator_services.refresh_latest(indicator_ids={share.pk})
    card = make_scorecard(world.directorate, [share], owner=world.manager, shared_with=[world.viewer])
    edition = issue(card, user=world.manager)

    indicator_services.measurement_update(
        indicator=arrears, period=PERIOD, value=Decimal(60), user=world.updater, commentary="Arrears re-run"
    )

    assert Measurement.objects.get(indicator=share, period=PERIOD).value == Decimal(5)
    assert edition.rows.get(code="ARR_PCT").value == Decimal("2.5")
    detail = client_for(world.viewer).get(reverse("edition-detail", kwargs={"pk": edition.pk}))
    assert [row.value_text for section in detail.context["sections"] for row in section.rows] == ["2.5%"]
    live = client_for(world.viewer).get(reverse("scorecard-detail", kwargs={"pk": card.pk}) + "?period=2025-09")
    [(item, change)] = live.context["restated"]
    assert (item.code, change.old_text, change.new_text, change.why) == ("ARR_PCT", "2.5%", "5.0%", "Recalculated")
    assert "Corrected since issue" in detail.content.decode()
