import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from indicators import entry as entry_rules
from indicators import services
from indicators.forms import TargetForm
from indicators.models import Indicator, Measurement
from indicators.tests.factories import IndicatorFactory, MeasurementFactory, TargetFactory, team_indicator
from pmf import registry
from pmf.locking import EditConflict

JAN = datetime.date(2025, 1, 1)
FEB = datetime.date(2025, 2, 1)


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("1,234", "number", D("1234")),
        ("1,234,567.25", "number", D("1234567.25")),
        ("95%", "percent", D("95")),
        (" 95.5 % ", "percent", D("95.5")),
        ("£1,200", "gbp", D("1200")),
        ("-3.5", "number", D("-3.5")),
        (".5", "number", D("0.5")),
        ("", "number", None),
        (None, "number", None),
    ],
)
def test_parse_number_accepts_what_people_type(text, unit, expected):
    assert entry_rules.parse_number(text, field="value", unit=unit) == expected


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("abc", "number", "'abc' is not a number."),
        ("1,23", "number", "'1,23' is ambiguous: use a full stop for decimals, e.g. 1234.5."),
        ("12,34.5", "number", "'12,34.5' is ambiguous: use a full stop for decimals, e.g. 1234.5."),
        ("95%", "days", "'95%' has a % sign but this PI is not measured in %."),
        ("£5", "percent", "'£5' has a £ sign but this PI is not measured in pounds."),
        ("1e5", "number", "'1e5' is not a number."),
        ("NaN", "number", "'NaN' is not a number."),
    ],
)
def test_parse_number_refuses_with_a_message_naming_the_field(text, unit, message):
    with pytest.raises(ValidationError) as caught:
        entry_rules.parse_number(text, field="value", unit=unit)
    assert caught.value.message_dict == {"value": [message]}


def test_measurement_update_takes_the_target_in_force_and_colours_the_value(world):
    indicator = team_indicator(world)
    measurement = services.measurement_update(
        indicator=indicator, period=JAN, value=D("89"), user=world.updater, commentary="Close."
    )
    assert (measurement.target, measurement.status, measurement.version) == (D("90"), "amber", 1)
    assert measurement.entered_by == world.updater
    assert measurement.history.count() == 1
    indicator.refresh_from_db()
    assert (indicator.latest_period, indicator.latest_value, indicator.latest_status) == (JAN, D("89"), "amber")


def test_later_target_change_never_recolours_past_periods(world):
    indicator = team_indicator(world)
    services.measurement_update(indicator=indicator, period=JAN, value=D("91"), user=world.updater)
    services.set_target(
        indicator=indicator,
        effective_from=FEB,
        target=D("95"),
        tolerance_kind="absolute",
        tolerance=D("1"),
        user=world.manager,
    )
    feb = services.measurement_update(
        indicator=indicator,
        period=FEB,
        value=D("91"),
        user=world.updater,
        cause="Staff",
        action_taken="Recruit",
        recovery_date=datetime.date(2025, 6, 1),
    )
    jan = Measurement.objects.get(indicator=indicator, period=JAN)
    assert (jan.target, jan.status) == (D("90"), "green")
    assert (feb.target, feb.status) == (D("95"), "red")


def test_red_value_requires_cause_action_and_recovery_date_and_saves_nothing(world):
    indicator = team_indicator(world)
    with pytest.raises(services.EntriesInvalid) as caught:
        services.measurement_update(
            indicator=indicator, period=JAN, value=D("50"), user=world.updater, commentary="Bad month"
        )
    assert caught.value.errors == {
        f"{indicator.code} Jan 2025": {
            "cause": "Say why the value is off target (it is red).",
            "action_taken": "Say what action is being taken (the value is red).",
            "recovery_date": "Give the date performance is expected to recover (the value is red).",
        }
    }
    assert Measurement.objects.count() == 0


def test_period_must_match_the_frequency(world):
    indicator = team_indicator(world, frequency=Indicator.Frequency.QUARTERLY)
    with pytest.raises(services.EntriesInvalid) as caught:
        services.measurement_update(
            indicator=indicator, period=datetime.date(2025, 5, 1), value=D("95"), user=world.updater
        )
    assert caught.value.errors[f"{indicator.code} Q1 2025/26"]["period"] == (
        f"01 May 2025 is not a quarterly period of {indicator.code}; use 01 Apr 2025 (Q1 2025/26)."
    )


def test_value_outside_the_allowed_range_is_refused(world):
    indicator = team_indicator(world, min_value=D("0"), max_value=D("100"))
    with pytest.raises(services.EntriesInvalid) as caught:
        services.measurement_update(indicator=indicator, period=JAN, value=D("101"), user=world.updater)
    assert caught.value.errors[f"{indicator.code} Jan 2025"] == {
        "value": f"101 is above the highest allowed value of {indicator.code} (100)."
    }
    assert Measurement.objects.count() == 0


def test_second_updater_saving_the_same_measurement_gets_a_conflict_and_nothing_is_lost(world):
    indicator = team_indicator(world)
    services.measurement_update(indicator=indicator, period=JAN, value=D("92"), user=world.updater, version=0)
    with pytest.raises(EditConflict) as caught:
        services.measurement_update(indicator=indicator, period=JAN, value=D("93"), user=world.manager, version=0)
    assert "was changed by Charlie Updater" in str(caught.value)
    assert "your entry was not saved" in str(caught.value)
    assert Measurement.objects.get(indicator=indicator, period=JAN).value == D("92")


def test_saving_with_the_current_version_succeeds_and_raises_it(world):
    indicator = team_indicator(world)
    first = services.measurement_update(indicator=indicator, period=JAN, value=D("92"), user=world.updater, version=0)
    second = services.measurement_update(
        indicator=indicator, period=JAN, value=D("93"), user=world.updater, version=first.version
    )
    assert (second.value, second.version) == (D("93"), 2)


def test_approved_value_is_locked_until_an_admin_reopens_it(world):
    indicator = team_indicator(world)
    measurement = services.measurement_update(indicator=indicator, period=JAN, value=D("92"), user=world.updater)
    services.approve(measurement=measurement, user=world.manager)
    with pytest.raises(services.EntriesInvalid) as caught:
        services.measurement_update(indicator=indicator, period=JAN, value=D("99"), user=world.updater)
    assert "has been approved and is locked" in caught.value.errors[f"{indicator.code} Jan 2025"]["value"]
    with pytest.raises(PermissionDenied):
        services.reopen(measurement=measurement, user=world.manager)
    services.reopen(measurement=measurement, user=world.admin)
    assert services.measurement_update(indicator=indicator, period=JAN, value=D("99"), user=world.updater).value == D(
        "99"
    )


def test_updater_cannot_approve_their_own_value(world):
    indicator = team_indicator(world)
    measurement = services.measurement_update(indicator=indicator, period=JAN, value=D("92"), user=world.updater)
    with pytest.raises(PermissionDenied):
        services.approve(measurement=measurement, user=world.updater)
    measurement.refresh_from_db()
    assert measurement.approved_at is None


def _calculated(world):
    num = team_indicator(world, code="ARR_NUM", unit="number", polarity="data")
    den = team_indicator(world, code="ARR_DEN", unit="number", polarity="data")
    pct = IndicatorFactory(
        code="ARR_PCT", org_unit=world.team, owner=world.manager, polarity="down", formula="ARR_NUM / ARR_DEN * 100"
    )
    TargetFactory(indicator=pct, effective_from=datetime.date(2020, 4, 1), target=D("3"))
    return num, den, pct


def test_calculated_pi_is_recalculated_when_an_input_changes(world):
    num, den, pct = _calculated(world)
    services.measurement_update(indicator=num, period=JAN, value=D("30"), user=world.updater)
    services.measurement_update(indicator=den, period=JAN, value=D("1200"), user=world.updater)
    calculated = Measurement.objects.get(indicator=pct, period=JAN)
    assert (calculated.value, calculated.status, calculated.calculation_error) == (D("2.5"), "green", "")
    services.measurement_update(indicator=num, period=JAN, value=D("72"), user=world.updater)
    calculated.refresh_from_db()
    assert (calculated.value, calculated.status) == (D("6"), "red")
    pct.refresh_from_db()
    assert (pct.latest_value, pct.latest_status) == (D("6"), "red")


def test_calculated_pi_records_division_by_zero_and_missing_inputs(world):
    num, den, pct = _calculated(world)
    services.measurement_update(indicator=num, period=JAN, value=D("30"), user=world.updater)
    calculated = Measurement.objects.get(indicator=pct, period=JAN)
    assert (calculated.value, calculated.calculation_error) == (None, "No value for ARR_DEN in this period.")
    services.measurement_update(indicator=den, period=JAN, value=D("0"), user=world.updater)
    calculated.refresh_from_db()
    assert (calculated.value, calculated.status) == (None, "unknown")
    assert calculated.calculation_error == "Division by zero: ARR_DEN is 0 in this period."


def test_recalculation_follows_inputs_in_issued_periods(world):
    num, den, pct = _calculated(world)
    services.measurement_update(indicator=num, period=JAN, value=D("30"), user=world.updater)
    services.measurement_update(indicator=den, period=JAN, value=D("1200"), user=world.updater)

    def january_issued(pairs):
        return {(indicator_id, period) for indicator_id, period in pairs if period == JAN}

    registry.ISSUED_PERIOD_CHECKS.register(january_issued)
    try:
        services.measurement_update(
            indicator=num, period=JAN, value=D("60"), user=world.updater, cause="c", action_taken="a", recovery_date=FEB
        )
    finally:
        registry.ISSUED_PERIOD_CHECKS.remove(january_issued)
    calculated = Measurement.objects.get(indicator=pct, period=JAN)
    # 5 misses the target of 3 by exactly the absolute tolerance of 2: amber, not red.
    assert (calculated.value, calculated.status) == (D("5"), "amber")
    pct.refresh_from_db()
    assert (pct.latest_value, pct.latest_status) == (D("5"), "amber")


def test_formula_with_unknown_code_or_cycle_is_refused(world):
    _calculated(world)
    with pytest.raises(ValidationError) as caught:
        services.validate_formula(code="NEW", formula="ARR_NUM / NOPE")
    assert caught.value.message_dict == {"formula": ["Unknown PI code: NOPE."]}
    with pytest.raises(ValidationError) as caught:
        services.validate_formula(code="ARR_NUM", formula="ARR_PCT * 2")
    assert caught.value.message_dict == {"formula": ["The formula makes a cycle: ARR_NUM -> ARR_PCT -> ARR_NUM."]}
    with pytest.raises(ValidationError) as caught:
        services.validate_formula(code="ARR_NUM", formula="ARR_NUM + 1")
    assert caught.value.message_dict == {"formula": ["The formula of ARR_NUM cannot use ARR_NUM itself."]}


def test_latest_fields_carry_short_and_long_trends(world):
    indicator = team_indicator(world)
    for month, value in enumerate([80, 82, 84, 86, 88, 90, 92, 94, 96, 98, 99, 99, 97], start=0):
        period = datetime.date(2024, 1, 1).replace(year=2024 + month // 12, month=month % 12 + 1)
        MeasurementFactory(indicator=indicator, period=period, value=D(value), target=D("90"))
    services.refresh_latest(indicator_ids=[indicator.pk])
    indicator.refresh_from_db()
    assert indicator.latest_period == datetime.date(2025, 1, 1)
    assert (indicator.short_trend, indicator.long_trend) == ("worse", "improving")


def test_short_trend_needs_the_immediately_previous_period(world):
    indicator = team_indicator(world)
    MeasurementFactory(indicator=indicator, period=datetime.date(2024, 10, 1), value=D("80"))
    MeasurementFactory(indicator=indicator, period=JAN, value=D("90"))
    services.refresh_latest(indicator_ids=[indicator.pk])
    indicator.refresh_from_db()
    assert (indicator.short_trend, indicator.long_trend) == ("", "improving")


def test_values_of_calculated_pis_cannot_be_typed_in(world):
    _, _, pct = _calculated(world)
    with pytest.raises(services.EntriesInvalid) as caught:
        services.measurement_update(indicator=pct, period=JAN, value=D("2"), user=world.manager)
    assert caught.value.errors == {
        "ARR_PCT Jan 2025": {"value": "ARR_PCT is calculated from its formula; enter its inputs instead."}
    }


def test_period_message_names_the_frequency_with_its_article(world):
    indicator = team_indicator(world, code="ANNUAL", frequency=Indicator.Frequency.ANNUAL)
    with pytest.raises(services.EntriesInvalid) as caught:
        services.measurement_update(indicator=indicator, period=JAN, value=D("95"), user=world.updater)
    assert caught.value.errors == {
        "ANNUAL 2024/25": {"period": "01 Jan 2025 is not an annual period of ANNUAL; use 01 Apr 2024 (2024/25)."}
    }


def test_set_target_refuses_a_target_outside_the_allowed_range_and_changes_nothing(world):
    indicator = team_indicator(world, code="PCT", min_value=D("0"), max_value=D("100"))
    services.measurement_update(indicator=indicator, period=JAN, value=D("91"), user=world.updater)
    with pytest.raises(ValidationError) as caught:
        services.set_target(
            indicator=indicator,
            effective_from=JAN,
            target=D("1234"),
            tolerance_kind="absolute",
            tolerance=D("2"),
            user=world.manager,
        )
    assert caught.value.message_dict == {"target": ["1234 is above the highest allowed value of PCT (100)."]}
    assert list(indicator.targets.values_list("effective_from", "target")) == [(datetime.date(2020, 4, 1), D("90"))]
    assert Measurement.objects.filter(indicator=indicator).values_list("target", "status").get() == (D("90"), "green")
    indicator.refresh_from_db()
    assert (indicator.latest_target, indicator.latest_status) == (D("90"), "green")


def test_set_target_names_a_bad_period_and_a_bad_target_together(world):
    indicator = team_indicator(world, code="PCT", frequency=Indicator.Frequency.QUARTERLY, max_value=D("100"))
    with pytest.raises(ValidationError) as caught:
        services.set_target(
            indicator=indicator,
            effective_from=FEB,
            target=D("101"),
            tolerance_kind="absolute",
            tolerance=D("2"),
            user=world.manager,
        )
    assert caught.value.message_dict == {
        "effective_from": ["01 Feb 2025 is not a quarterly period of PCT; use 01 Jan 2025 (Q4 2024/25)."],
        "target": ["101 is above the highest allowed value of PCT (100)."],
    }
    assert indicator.targets.count() == 1


def test_target_form_refuses_a_target_outside_the_allowed_range(world):
    indicator = team_indicator(world, code="PCT", min_value=D("0"), max_value=D("100"))
    data = {"effective_from": "2025-01-01", "tolerance_kind": "absolute", "tolerance": "2"}
    form = TargetForm(data={**data, "target": "1,234"}, indicator=indicator)
    assert form.errors == {"target": ["1234 is above the highest allowed value of PCT (100)."]}
    form = TargetForm(data={**data, "target": "-0.5%"}, indicator=indicator)
    assert form.errors == {"target": ["-0.5 is below the lowest allowed value of PCT (0)."]}
    form = TargetForm(data={**data, "target": "95%"}, indicator=indicator)
    assert form.is_valid() and form.cleaned_data["target"] == D("95")


def test_a_target_entered_with_a_value_is_held_to_the_range(world):
    indicator = team_indicator(world, code="PCT", min_value=D("0"), max_value=D("100"))
    entry = services.ValueInput(indicator=indicator, period=JAN, value=D("95"), target=D("1234"), set_target=True)
    with pytest.raises(services.EntriesInvalid) as caught:
        services.save_values(entries=[entry], user=world.updater, require_red_commentary=False)
    assert caught.value.errors == {"PCT Jan 2025": {"target": "1234 is above the highest allowed value of PCT (100)."}}
    assert Measurement.objects.count() == 0


def test_inactive_pi_takes_values_like_an_active_one(world):
    indicator = team_indicator(world, code="OLD", active=False)
    saved = services.measurement_update(indicator=indicator, period=JAN, value=D("91"), user=world.updater)
    assert (saved.value, saved.target, saved.status) == (D("91"), D("90"), "green")
