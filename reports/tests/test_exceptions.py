"""The exception rules, case by case (pure functions: no database)."""

import pytest

from reports import exceptions
from reports.params import DEFAULT_EXCEPTION_SETTINGS

G, A, R, D, U = "green", "amber", "red", "data", "unknown"
ON = dict(DEFAULT_EXCEPTION_SETTINGS)  # red, amber 2 running, long trend worse, missed 3 running


@pytest.mark.parametrize(
    ("statuses", "wanted", "expected"),
    [
        ([], {A}, 0),
        ([A, A, G], {A}, 2),
        ([G, A, A], {A}, 0),
        ([A, None, A], {A}, 1),  # a period without a value breaks the run
        ([R, A, R, G], {A, R}, 3),
    ],
)
def test_running_counts_from_the_newest(statuses, wanted, expected):
    assert exceptions.running(statuses, wanted) == expected


@pytest.mark.parametrize(
    ("statuses", "trend", "settings", "expected"),
    [
        ([G, G, G], "improving", ON, []),
        ([R, G, G], "same", ON, ["Off target"]),
        ([R, G, G], "same", {**ON, "red": False}, []),
        ([A, G], "same", ON, []),
        ([A, A], "same", ON, ["Amber 2 periods running"]),
        ([A, A, A], "same", ON, ["Amber 2 periods running", "Target missed 3 periods running"]),
        ([A, A], "same", {**ON, "amber_periods": 0}, []),
        ([A], "same", {**ON, "amber_periods": 1}, ["Within tolerance (amber) 1 period"]),
        ([A, None, A], "same", ON, []),
        ([R, A, R], "same", ON, ["Off target", "Target missed 3 periods running"]),
        ([R, A, G], "same", {**ON, "missed_periods": 2}, ["Off target", "Target missed 2 periods running"]),
        ([R, A, R], "same", {**ON, "missed_periods": 0}, ["Off target"]),
        ([R, A], "same", {**ON, "red": False}, []),  # 2 missed, 3 wanted
        ([A, G], "worse", ON, ["Long trend getting worse"]),
        ([A, G], "worse", {**ON, "long_trend_worse": False}, []),
        ([G, G], "worse", ON, []),  # on target: a dipping trend is not an exception
        ([None, G], "worse", ON, []),  # no value this period: nothing to say about it
        ([D, D], "", ON, []),
        ([U], "", ON, []),
        ([R], "worse", {}, ["Off target", "Long trend getting worse"]),  # defaults apply
    ],
)
def test_pi_exceptions(statuses, trend, settings, expected):
    assert exceptions.pi_exceptions(statuses, trend, settings) == expected


@pytest.mark.parametrize(
    ("status", "settings", "expected"),
    [
        ("overdue", ON, "Overdue"),
        ("check_progress", ON, "Check progress"),
        ("in_progress", ON, None),
        ("completed", ON, None),
        ("overdue", {**ON, "overdue_actions": False}, None),
        ("check_progress", {**ON, "check_progress_actions": False}, None),
    ],
)
def test_action_exception(status, settings, expected):
    assert exceptions.action_exception(status, settings) == expected


@pytest.mark.parametrize(
    ("appetite", "movement", "settings", "expected"),
    [
        ("above", "up", ON, ["Above appetite", "Rising"]),
        ("above", "same", ON, ["Above appetite"]),
        ("accepted", "same", ON, []),
        ("within", "up", ON, ["Rising"]),
        ("within", "down", ON, []),
        ("within", "", ON, []),
        ("above", "up", {**ON, "risks_above_appetite": False}, ["Rising"]),
        ("above", "up", {**ON, "risks_rising": False}, ["Above appetite"]),
    ],
)
def test_risk_exceptions(appetite, movement, settings, expected):
    assert exceptions.risk_exceptions(appetite=appetite, movement=movement, settings=settings) == expected


@pytest.mark.parametrize(
    ("level", "target", "settings", "expected"),
    [
        (2, 3, ON, 1),
        (3, 3, ON, None),
        (4, 3, ON, None),
        (1, 4, {**ON, "assessment_gap_levels": 2}, 3),
        (3, 4, {**ON, "assessment_gap_levels": 2}, None),
        (1, 4, {**ON, "assessment_gap_levels": 0}, None),
        (None, 4, ON, None),
        (2, None, ON, None),
    ],
)
def test_gap_exception(level, target, settings, expected):
    assert exceptions.gap_exception(level=level, target=target, settings=settings) == expected
