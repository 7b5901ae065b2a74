import datetime
from decimal import Decimal as D

import pytest

from indicators import figures, services
from indicators.models import Indicator
from indicators.tests.factories import IndicatorFactory, MeasurementFactory, team_indicator

APR, MAY, JUN, JUL = (datetime.date(2025, month, 1) for month in (4, 5, 6, 7))
MAR = datetime.date(2025, 3, 1)


def _pi(rule: str, formula: str = "") -> Indicator:
    return Indicator(code="X", ytd_rule=rule, formula=formula, unit="ratio", decimals=2)


@pytest.mark.parametrize(
    ("rule", "values", "expected"),
    [
        ("sum", {APR: D(1), MAY: D(3)}, (D(4), 2)),
        ("mean", {APR: D(1), MAY: D(3)}, (D(2), 2)),
        ("latest", {APR: D(1), MAY: D(3)}, (D(3), 2)),
        ("latest", {MAY: D(3), APR: D(1)}, (D(3), 2)),  # period order, not the order given
        ("sum", {APR: D(1), MAY: None, JUN: D(5)}, (D(6), 2)),  # a period without a value is not counted
        ("mean", {MAR: D(100), APR: D(2), MAY: D(4)}, (D(3), 2)),  # before the start
        ("sum", {APR: D(1), JUL: D(100)}, (D(1), 1)),  # after the end
        ("mean", {}, (None, 0)),
        ("mean", {APR: None}, (None, 0)),
    ],
)
def test_to_date_aggregates_the_pi_own_values_by_its_rule(rule, values, expected):
    assert figures.to_date(_pi(rule), values, {}, start=APR, end=JUN) == expected


@pytest.mark.parametrize(
    ("formula", "inputs", "expected"),
    [
        # The formula applied to the sums: (1 + 3) / (4 + 4), not a percentage added on.
        ("N / D", {"N": {APR: D(1), MAY: D(3)}, "D": {APR: D(4), MAY: D(4)}}, (D("0.5"), 2)),
        ("N / D * 100", {"N": {APR: D(1), MAY: D(3)}, "D": {APR: D(4), MAY: D(4)}}, (D(50), 2)),
        ("D / N", {"N": {APR: D(1), MAY: D(3)}, "D": {APR: D(4), MAY: D(4)}}, (D(2), 2)),
        # Only periods in which every input has a value: May's numerator has no denominator.
        ("N / D", {"N": {APR: D(1), MAY: D(3)}, "D": {APR: D(4), MAY: None}}, (D("0.25"), 1)),
        ("N / D", {"N": {APR: D(1), MAY: D(3)}, "D": {APR: D(4)}}, (D("0.25"), 1)),
        # Outside the span.
        ("N / D", {"N": {MAR: D(9), APR: D(1)}, "D": {MAR: D(1), APR: D(4), JUL: D(1)}}, (D("0.25"), 1)),
        ("(N - M) / D", {"N": {APR: D(5)}, "M": {APR: D(1)}, "D": {APR: D(8)}}, (D("0.5"), 1)),
        ("N / D", {"N": {APR: D(1)}, "D": {APR: D(0)}}, (None, 1)),  # division by zero
        ("N / D", {}, (None, 0)),
        ("", {"N": {APR: D(1)}}, (None, 0)),  # a ratio-of-sums PI without a formula
        ("N /", {"N": {APR: D(1)}}, (None, 0)),  # a formula that does not parse
        ("2 * 3", {}, (None, 0)),  # no inputs
    ],
)
def test_to_date_ratio_of_sums_applies_the_formula_to_the_sums_of_its_inputs(formula, inputs, expected):
    assert figures.to_date(_pi("ratio", formula), {APR: D(999)}, inputs, start=APR, end=JUN) == expected


@pytest.mark.parametrize(
    ("rows", "latest", "expected"),
    [
        (
            [(datetime.date(2025, 8, 1), D(9)), (datetime.date(2024, 9, 1), D(8)), (datetime.date(2024, 8, 1), D(7))],
            datetime.date(2025, 9, 1),
            [D(9), D(8)],
        ),
        ([], datetime.date(2025, 9, 1), []),
        ([(datetime.date(2024, 1, 1), D(1))], datetime.date(2025, 1, 1), [D(1)]),
    ],
)
def test_previous_year_values_take_the_twelve_months_before_the_latest(rows, latest, expected):
    assert figures.previous_year_values(rows, latest) == expected


def test_quarter_and_year_to_date_values_follow_the_pi_rule(world):
    indicator = team_indicator(world, ytd_rule="sum", unit="number")
    for month, value in [(4, 10), (5, 20), (6, 30), (7, 40)]:
        MeasurementFactory(indicator=indicator, period=datetime.date(2025, month, 1), value=D(value))
    MeasurementFactory(indicator=indicator, period=datetime.date(2025, 3, 1), value=D(999))  # last year
    found = figures.to_date_figures(indicator, as_of=datetime.date(2025, 7, 1))
    assert [(s.label, s.value, s.text, s.periods) for s in found] == [
        ("Quarter to date Q2 2025/26", D("40"), "40.0", 1),
        ("Year to date 2025/26", D("100"), "100.0", 4),
    ]


def test_quarterly_pi_has_a_year_to_date_only_and_annual_pi_none(world):
    quarterly = team_indicator(world, ytd_rule="mean", unit="number", frequency="quarterly")
    for period, value in [(APR, 10), (JUL, 20)]:
        MeasurementFactory(indicator=quarterly, period=period, value=D(value))
    annual = team_indicator(world, ytd_rule="mean", unit="number", frequency="annual")
    MeasurementFactory(indicator=annual, period=APR, value=D(5))
    assert [(s.label, s.text, s.periods) for s in figures.to_date_figures(quarterly, as_of=JUL)] == [
        ("Year to date 2025/26", "15.0", 2)
    ]
    assert figures.to_date_figures(annual, as_of=APR) == []


def _calculated(world, formula="ARR_NUM / ARR_DEN * 100"):
    num = team_indicator(world, code="ARR_NUM", unit="number", polarity="data")
    den = team_indicator(world, code="ARR_DEN", unit="number", polarity="data")
    pct = IndicatorFactory(
        code="ARR_PCT", org_unit=world.team, owner=world.manager, polarity="down", formula=formula, ytd_rule="ratio"
    )
    return num, den, pct


def test_ratio_of_sums_year_to_date_adds_up_the_formula_inputs(world):
    num, den, pct = _calculated(world)
    for month, n, d in [(4, 1, 100), (5, 9, 100)]:
        services.measurement_update(indicator=num, period=datetime.date(2025, month, 1), value=D(n), user=world.updater)
        services.measurement_update(indicator=den, period=datetime.date(2025, month, 1), value=D(d), user=world.updater)
    (quarter, year) = figures.to_date_figures(pct, as_of=datetime.date(2025, 5, 1))
    assert (quarter.value, year.value, year.text, year.periods) == (D("5"), D("5"), "5.0%", 2)


def test_year_to_date_of_a_calculated_pi_is_the_same_on_the_pi_page_and_in_rows(world, django_assert_num_queries):
    num, den, ratio = _calculated(world, formula="ARR_NUM / ARR_DEN")
    Indicator.objects.filter(pk=ratio.pk).update(unit="ratio", decimals=2)
    for period, n, d in [(APR, 1, 4), (MAY, 3, 4)]:
        services.measurement_update(indicator=num, period=period, value=D(n), user=world.updater)
        services.measurement_update(indicator=den, period=period, value=D(d), user=world.updater)
    ratio.refresh_from_db()
    with django_assert_num_queries(1):
        page = figures.to_date_figures(ratio, as_of=MAY)
    assert [(s.label, s.text) for s in page] == [
        ("Quarter to date Q1 2025/26", "0.50"),
        ("Year to date 2025/26", "0.50"),
    ]
    with django_assert_num_queries(3):
        rows = figures.live_rows([ratio], MAY, benchmarks=False)
    assert rows[ratio.pk].ytd_text == "0.50"
