"""Formulas that would break later saves (too deep, too long, an infinite number) are refused
when the formula is saved, by the definitions import and the PI form; one stored before the
rules existed gives a message on its PI, never an error in the save of an input."""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse

from indicators import imports, services
from indicators.formula import MAX_DEPTH, MAX_LENGTH, FormulaError, codes_in, evaluate
from indicators.models import Indicator, Measurement
from indicators.tests.factories import IndicatorFactory, team_indicator

JAN = datetime.date(2025, 1, 1)
DEEP = "-" * 990 + "ARR_NUM"
DEPTH_MESSAGE = f"The formula has operators nested more than {MAX_DEPTH} levels deep; write it more simply."


def test_deeply_nested_formula_is_refused_with_a_message():
    with pytest.raises(FormulaError) as caught:
        codes_in(DEEP)
    assert str(caught.value) == DEPTH_MESSAGE


def test_sum_of_a_hundred_and_one_pis_is_within_the_depth_limit():
    codes = [f"P{n}" for n in range(101)]
    assert evaluate(" + ".join(codes), dict.fromkeys(codes, D("1"))) == D("101")
    codes.append("P101")
    with pytest.raises(FormulaError, match="nested more than"):
        codes_in(" + ".join(codes))


def test_formula_longer_than_the_limit_is_refused():
    text = "A" + " + A" * (MAX_LENGTH // 4)
    assert len(text) > MAX_LENGTH
    with pytest.raises(FormulaError) as caught:
        codes_in(text)
    assert str(caught.value) == "The formula is longer than 1,000 characters."


@pytest.mark.parametrize("number", ["1e309", "1E400", "9" * 400 + ".0"])
def test_infinite_numbers_are_refused(number):
    with pytest.raises(FormulaError) as caught:
        codes_in(f"INC01 * {number}")
    assert str(caught.value) == f"The number {number} in the formula is too large; use a finite number."


def test_definitions_import_refuses_deep_and_infinite_formulas_and_saves_nothing(world):
    team_indicator(world, code="ARR_NUM")
    upload = io.BytesIO(
        (
            "code,title,org_unit,unit,polarity,frequency,formula\n"
            "OK1,Fine,alpha-rents,%,up,monthly,ARR_NUM * 2\n"
            f"DEEP1,Deep,alpha-rents,%,up,monthly,{DEEP}\n"
            "INF1,Infinite,alpha-rents,%,up,monthly,ARR_NUM * 1e309\n"
        ).encode()
    )
    report = imports.import_definitions(upload=upload, file_name="d.csv", user=world.manager, commit=True)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (3, "formula", DEPTH_MESSAGE),
        (4, "formula", "The number 1e309 in the formula is too large; use a finite number."),
    ]
    assert not Indicator.objects.filter(code__in=["OK1", "DEEP1", "INF1"]).exists()


def _edit(client, indicator, formula):
    return client.post(
        reverse("indicator-edit", kwargs={"pk": indicator.pk}),
        {
            "code": indicator.code,
            "title": "Calculated",
            "unit": "percent",
            "decimals": 1,
            "polarity": "up",
            "frequency": "monthly",
            "ytd_rule": "mean",
            "tolerance_kind": "absolute",
            "tolerance": "2",
            "org_unit": indicator.org_unit_id,
            "source": "local",
            "active": "on",
            "formula": formula,
        },
    )


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        (DEEP, DEPTH_MESSAGE),
        ("ARR_NUM * 1e309", "The number 1e309 in the formula is too large; use a finite number."),
    ],
)
def test_pi_form_refuses_deep_and_infinite_formulas(world, client_for, formula, message):
    team_indicator(world, code="ARR_NUM")
    indicator = team_indicator(world, code="CALC")
    response = _edit(client_for(world.manager), indicator, formula)
    assert response.status_code == 200
    assert response.context["form"].errors == {"formula": [message]}
    indicator.refresh_from_db()
    assert indicator.formula == ""


def test_formula_stored_before_the_rules_gives_a_message_not_an_error_when_its_input_is_saved(world):
    period = JAN
    arrears = team_indicator(world, code="ARR_NUM", unit="number", polarity="data")
    # Written straight to the table, as a formula saved before the rules existed would be.
    deep = IndicatorFactory(code="DEEP", org_unit=world.team, owner=world.manager, polarity="data", formula="A")
    Indicator.objects.filter(pk=deep.pk).update(formula=DEEP)

    services.measurement_update(indicator=arrears, period=period, value=D("30"), user=world.updater)

    assert Measurement.objects.get(indicator=arrears, period=period).value == D("30")
    calculated = Measurement.objects.get(indicator=deep, period=period)
    assert (calculated.value, calculated.status, calculated.calculation_error) == (None, "unknown", DEPTH_MESSAGE)
