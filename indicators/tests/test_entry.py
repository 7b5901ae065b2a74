"""The entry rules: what may be entered for a PI and period, and their SQL statement for COPY."""

import datetime
import itertools
from decimal import Decimal as D

import pytest
from django.db import connection

from indicators import bulkload
from indicators import entry as entry_rules
from indicators.models import Indicator
from pmf.tests.services import need_postgres

PCT = entry_rules.Definition(code="PCT", frequency="monthly", min_value=D("0"), max_value=D("100"))
QTR = entry_rules.Definition(code="QTR", frequency="quarterly")
ANN = entry_rules.Definition(code="ANN", frequency="annual")
CALC = entry_rules.Definition(code="CALC", frequency="monthly", max_value=D("100"), formula="PCT * 2")
JAN = datetime.date(2025, 1, 1)


@pytest.mark.parametrize(
    ("definition", "period", "expected"),
    [
        (PCT, JAN, {}),
        (
            PCT,
            datetime.date(2025, 3, 15),
            {"period": "15 Mar 2025 is not a monthly period of PCT; use 01 Mar 2025 (Mar 2025)."},
        ),
        (QTR, datetime.date(2025, 4, 1), {}),
        (QTR, datetime.date(2025, 1, 1), {}),
        (
            QTR,
            datetime.date(2025, 5, 1),
            {"period": "01 May 2025 is not a quarterly period of QTR; use 01 Apr 2025 (Q1 2025/26)."},
        ),
        (ANN, datetime.date(2024, 4, 1), {}),
        (
            ANN,
            datetime.date(2025, 1, 1),
            {"period": "01 Jan 2025 is not an annual period of ANN; use 01 Apr 2024 (2024/25)."},
        ),
    ],
)
def test_period_must_be_one_of_the_pi_frequency(definition, period, expected):
    assert entry_rules.period_errors(definition, period) == expected


def test_period_rule_follows_the_financial_year_setting(settings):
    settings.FINANCIAL_YEAR_START_MONTH = 1
    assert entry_rules.period_errors(ANN, datetime.date(2025, 1, 1)) == {}
    assert entry_rules.period_errors(ANN, datetime.date(2024, 4, 1)) == {
        "period": "01 Apr 2024 is not an annual period of ANN; use 01 Jan 2024 (2024)."
    }


@pytest.mark.parametrize(
    ("definition", "value", "given", "expected"),
    [
        (PCT, D("0"), None, {}),
        (PCT, D("100"), None, {}),
        (PCT, None, None, {}),
        (PCT, D("100.5"), None, {"value": "100.5 is above the highest allowed value of PCT (100)."}),
        (PCT, D("-1.50"), None, {"value": "-1.5 is below the lowest allowed value of PCT (0)."}),
        (QTR, D("1E+9"), None, {}),
        (CALC, D("50"), None, {"value": "CALC is calculated from its formula; enter its inputs instead."}),
        # The calculated rule wins over the range: the value cannot be typed at all.
        (CALC, D("500"), None, {"value": "CALC is calculated from its formula; enter its inputs instead."}),
        # A blank import cell keeps the recorded value: nothing is typed.
        (CALC, None, None, {}),
        # The form writes even a blank value.
        (CALC, None, True, {"value": "CALC is calculated from its formula; enter its inputs instead."}),
    ],
)
def test_values_are_refused_for_calculated_pis_and_outside_the_range(definition, value, given, expected):
    assert entry_rules.value_errors(definition, value, given=given) == expected


@pytest.mark.parametrize(
    ("definition", "target", "expected"),
    [
        (PCT, D("95"), {}),
        (PCT, None, {}),
        (PCT, D("1234"), {"target": "1234 is above the highest allowed value of PCT (100)."}),
        (PCT, D("-5"), {"target": "-5 is below the lowest allowed value of PCT (0)."}),
        (CALC, D("90"), {}),
        (CALC, D("101"), {"target": "101 is above the highest allowed value of CALC (100)."}),
    ],
)
def test_targets_are_held_to_the_range_of_the_values(definition, target, expected):
    assert entry_rules.target_errors(definition, target) == expected


def test_entry_errors_name_every_field_at_once():
    assert entry_rules.entry_errors(CALC, period=datetime.date(2025, 1, 2), value=D("1"), target=D("101")) == {
        "period": "02 Jan 2025 is not a monthly period of CALC; use 01 Jan 2025 (Jan 2025).",
        "value": "CALC is calculated from its formula; enter its inputs instead.",
        "target": "101 is above the highest allowed value of CALC (100).",
    }
    assert entry_rules.entry_errors(PCT, period=JAN, value=D("50"), target=D("90")) == {}


def test_approved_message_names_the_pi_and_period():
    assert entry_rules.approved_errors(QTR, datetime.date(2025, 4, 1)) == {
        "value": "QTR Q1 2025/26 has been approved and is locked; ask the performance team to reopen it."
    }


def test_definition_of_a_pi_reads_the_fields_the_rules_use():
    indicator = Indicator(code="X", frequency="quarterly", min_value=D("1"), max_value=D("9"), formula="A + B")
    assert entry_rules.Definition.of(indicator) == entry_rules.Definition(
        code="X", frequency="quarterly", min_value=D("1"), max_value=D("9"), formula="A + B"
    )
    assert [getattr(entry_rules.Definition.of(indicator), name) for name in entry_rules.DEFINITION_FIELDS] == [
        "X",
        "quarterly",
        D("1"),
        D("9"),
        "A + B",
    ]


def test_entry_ok_sql_agrees_with_entry_errors_for_every_case(db):
    need_postgres()
    frequencies = ["monthly", "quarterly", "annual"]
    days = [datetime.date(2025, month, 1) for month in range(1, 13)] + [
        datetime.date(2025, 4, 2),
        datetime.date(2024, 7, 31),
    ]
    numbers = [None, D("-0.5"), D("0"), D("50"), D("100"), D("100.000001")]
    formulas = ["", "A * 2"]
    ranges = [(None, None), (D("0"), D("100")), (None, D("50")), (D("0"), None)]
    cases = list(itertools.product(frequencies, days, numbers, numbers, formulas, ranges))
    rows = ", ".join(
        ["(%s::int, %s::text, %s::date, %s::numeric, %s::numeric, %s::text, %s::numeric, %s::numeric)"] * len(cases)
    )
    params = [
        item
        for n, (frequency, day, value, target, formula, (low, high)) in enumerate(cases)
        for item in (n, frequency, day, value, target, formula, low, high)
    ]
    expression = bulkload.entry_ok_sql(
        frequency="t.f", period="t.d", value="t.v", target="t.tg", formula="t.fm", min_value="t.lo", max_value="t.hi"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.n, {expression} FROM (VALUES {rows}) AS t(n, f, d, v, tg, fm, lo, hi) ORDER BY t.n", params
        )
        found = [ok for _, ok in cursor.fetchall()]
    expected = [
        not entry_rules.entry_errors(
            entry_rules.Definition(code="X", frequency=frequency, min_value=low, max_value=high, formula=formula),
            period=day,
            value=value,
            target=target,
        )
        for frequency, day, value, target, formula, (low, high) in cases
    ]
    assert len(found) == len(cases) == 12096
    mismatches = [
        (case, sql, python) for case, sql, python in zip(cases, found, expected, strict=True) if sql != python
    ]
    assert mismatches == []
    assert set(expected) == {True, False}
