"""The year to date of a PI reads the same on the PI page and on a scorecard, whatever its rule."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from indicators import services as indicator_services
from indicators.models import Indicator
from indicators.tests.factories import IndicatorFactory, team_indicator
from scorecards.tests.factories import make_scorecard

APR, MAY = datetime.date(2025, 4, 1), datetime.date(2025, 5, 1)


def _pi_with_values(world, rule: str) -> Indicator:
    """A PI of 2 decimals whose values (or, for a ratio of sums, whose inputs) are given for April
    and May 2025: values 1 then 3; numerator 1 then 3 over denominator 4 and 4."""
    if rule != "ratio":
        indicator = team_indicator(world, code="YTD", unit="number", decimals=2, ytd_rule=rule, polarity="data")
        for period, value in [(APR, 1), (MAY, 3)]:
            indicator_services.measurement_update(
                indicator=indicator, period=period, value=D(value), user=world.updater
            )
        indicator.refresh_from_db()
        return indicator
    numerator = team_indicator(world, code="NUM", unit="number", polarity="data")
    denominator = team_indicator(world, code="DEN", unit="number", polarity="data")
    ratio = IndicatorFactory(
        code="YTD",
        org_unit=world.team,
        owner=world.manager,
        unit="ratio",
        decimals=2,
        ytd_rule="ratio",
        formula="NUM / DEN",
    )
    for period, top, bottom in [(APR, 1, 4), (MAY, 3, 4)]:
        indicator_services.measurement_update(indicator=numerator, period=period, value=D(top), user=world.updater)
        indicator_services.measurement_update(indicator=denominator, period=period, value=D(bottom), user=world.updater)
    ratio.refresh_from_db()
    return ratio


@pytest.mark.parametrize(
    ("rule", "rule_words", "expected"),
    [
        ("sum", "sum", "4.00"),
        ("mean", "mean", "2.00"),
        ("latest", "latest", "3.00"),
        # The formula applied to the year's sums: (1 + 3) / (4 + 4), in the PI's own unit.
        ("ratio", "ratio of sums", "0.50"),
    ],
)
def test_year_to_date_is_the_same_on_the_pi_page_and_the_scorecard(world, client_for, rule, rule_words, expected):
    indicator = _pi_with_values(world, rule)
    assert indicator.latest_period == MAY
    client = client_for(world.manager)

    pi_page = client.get(reverse("indicator-detail", kwargs={"pk": indicator.pk}))
    assert [(figure.label, figure.text, figure.periods) for figure in pi_page.context["to_date"]] == [
        ("Quarter to date Q1 2025/26", expected, 2),
        ("Year to date 2025/26", expected, 2),
    ]
    assert f"<dt>Year to date 2025/26</dt><dd>{expected} (2 periods, {rule_words})</dd>" in pi_page.content.decode()

    card = make_scorecard(world.directorate, [indicator], owner=world.manager)
    scorecard = client.get(reverse("scorecard-detail", kwargs={"pk": card.pk}), {"period": "2025-05"})
    assert [row.ytd_text for row in scorecard.context["sections"][0].rows] == [expected]
    assert f'<td class="num">{expected}</td><td><span class="trend' in scorecard.content.decode()
