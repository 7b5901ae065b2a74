"""Correcting a value of a month already issued in a scorecard edition: the monthly update and the
value form say so, ask for the reason, and the edition shows the change as a restatement."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Measurement
from scorecards.tests.factories import PERIOD, issue, make_indicator, make_scorecard

ISSUED_NOTICE = "Sep 2025 has been issued</strong> in a scorecard edition"
REASON_ERROR = "PIX Sep 2025 has been issued; give the reason for the correction (it shows as a restatement)."


@pytest.fixture
def issued_pi(world):
    indicator = make_indicator("PIX", world.team, owner=world.manager, updater=world.updater, approved=False)
    card = make_scorecard(world.directorate, [indicator], owner=world.manager, shared_with=[world.viewer])
    issue(card, user=world.manager)
    return indicator, card


def _value_form(indicator, period=PERIOD):
    return reverse("measurement-edit", kwargs={"pk": indicator.pk, "period": period.isoformat()})


def _post(indicator, value, **extra):
    measurement = Measurement.objects.get(indicator=indicator, period=PERIOD)
    data = {
        f"pi{indicator.pk}-value": value,
        f"pi{indicator.pk}-version": str(measurement.version),
        f"pi{indicator.pk}-commentary": measurement.commentary,
    }
    data.update({f"pi{indicator.pk}-{name}": text for name, text in extra.items()})
    return data


def test_value_form_of_an_issued_month_warns_and_asks_for_the_reason(world, issued_pi, client_for):
    indicator, _ = issued_pi
    html = client_for(world.updater).get(_value_form(indicator)).content.decode()
    assert ISSUED_NOTICE in html
    assert "A change to the value will show on it as a restatement" in html
    assert f'<label for="pi{indicator.pk}-reason">Reason for the correction</label>' in html


def test_month_not_yet_issued_has_no_warning(world, issued_pi, client_for):
    indicator, _ = issued_pi
    html = client_for(world.updater).get(_value_form(indicator, PERIOD.replace(month=8))).content.decode()
    assert "has been issued" not in html
    assert f'id="pi{indicator.pk}-reason"' not in html


def test_monthly_update_of_an_issued_month_warns(world, issued_pi, client_for):
    html = client_for(world.updater).get(reverse("indicator-monthly-update") + "?month=2025-09").content.decode()
    assert ISSUED_NOTICE in html


def test_correction_of_an_issued_month_without_a_reason_is_refused_and_nothing_saved(world, issued_pi, client_for):
    indicator, _ = issued_pi
    response = client_for(world.updater).post(_value_form(indicator), _post(indicator, "101"))
    assert response.status_code == 400
    assert REASON_ERROR in response.content.decode()
    assert Measurement.objects.get(indicator=indicator, period=PERIOD).value == Decimal("104")


def test_correction_with_a_reason_shows_as_a_restatement_with_that_reason(world, issued_pi, client_for):
    indicator, card = issued_pi
    client = client_for(world.updater)
    response = client.post(_value_form(indicator), _post(indicator, "101", reason="Contractor resubmitted"))
    assert response.status_code == 302
    assert Measurement.objects.get(indicator=indicator, period=PERIOD).value == Decimal("101")
    page = client_for(world.viewer).get(reverse("scorecard-detail", kwargs={"pk": card.pk}) + "?period=2025-09")
    ((item, change),) = page.context["restated"]
    assert (item.code, change.old_text, change.new_text, change.why) == (
        "PIX",
        "104.0%",
        "101.0%",
        "Contractor resubmitted",
    )
