"""The pure rules of the cycle, case by case."""

import datetime

import pytest

from cycle import rules

D = datetime.date
DAYS = rules.CalendarDays()


@pytest.mark.parametrize(
    ("month", "day", "expected"),
    [
        (D(2026, 3, 1), 14, D(2026, 3, 14)),
        (D(2026, 4, 1), 31, D(2026, 4, 30)),  # a 30-day month: the last day
        (D(2026, 2, 1), 30, D(2026, 2, 28)),
        (D(2028, 2, 1), 30, D(2028, 2, 29)),  # leap year
        (D(2026, 1, 1), 31, D(2026, 1, 31)),
    ],
)
def test_a_day_the_month_lacks_falls_on_its_last_day(month, day, expected):
    assert rules.on_day(month, day) == expected


def test_a_reporting_months_steps_fall_in_the_next_month_in_date_order():
    days = rules.CalendarDays(lock=16)
    assert days.steps(D(2026, 1, 1)) == [
        ("values_due", D(2026, 2, 14)),
        ("approvals_due", D(2026, 2, 15)),
        ("scorecards", D(2026, 2, 16)),
        ("lock", D(2026, 2, 16)),
        ("executive_review", D(2026, 2, 20)),
        ("service_review", D(2026, 2, 23)),
    ]


def test_an_override_moves_one_step_of_one_month_only():
    days = rules.CalendarDays(overrides={(D(2026, 3, 1), "values_due"): D(2026, 4, 13)})
    assert days.deadline(D(2026, 3, 1)) == D(2026, 4, 13)
    assert days.deadline(D(2026, 4, 1)) == D(2026, 5, 14)


def test_values_never_lock_without_a_lock_day():
    assert DAYS.lock_date(D(2026, 1, 1)) is None
    assert rules.CalendarDays(lock=16).lock_date(D(2026, 1, 1)) == D(2026, 2, 16)


@pytest.mark.parametrize(
    ("period", "months", "expected"),
    [
        (D(2026, 1, 1), 1, D(2026, 1, 1)),
        (D(2025, 10, 1), 3, D(2025, 12, 1)),  # Q3 of 2025/26 is reported after December
        (D(2025, 4, 1), 12, D(2026, 3, 1)),
    ],
)
def test_a_periods_values_belong_to_its_last_month(period, months, expected):
    assert rules.reporting_month(period, months) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 2, 10), None),
        (D(2026, 2, 11), rules.DUE_SOON),
        (D(2026, 2, 14), rules.DUE_SOON),
        (D(2026, 2, 15), rules.OVERDUE),
        (D(2026, 3, 30), rules.OVERDUE),
    ],
)
def test_reminder_stage(today, expected):
    assert rules.reminder_stage(today=today, due=D(2026, 2, 14), lead_days=3) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 2, 14), (False, False)),
        (D(2026, 2, 16), (False, False)),
        (D(2026, 2, 17), (True, False)),
        (D(2026, 2, 20), (True, False)),
        (D(2026, 2, 21), (True, True)),
    ],
)
def test_escalation_after_n_then_m_days(today, expected):
    assert rules.escalations(today=today, due=D(2026, 2, 14), manager_after=3, director_after=7) == expected


GOOD = {
    "values_due": 14,
    "approvals_due": 15,
    "scorecards": 16,
    "executive_review": 20,
    "service_review": 23,
    "lock": None,
    "escalate_manager_after": 3,
    "escalate_director_after": 7,
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, {}),
        (
            {"scorecards": 10},
            {
                "scorecards": "Scorecards issued on day 10 would come before commentary and approvals due (day 15); "
                "choose day 15 or later."
            },
        ),
        (
            {"lock": 12},
            {"lock": "Values would lock on day 12, before they are due (day 14); choose day 14 or later."},
        ),
        (
            {"escalate_director_after": 3},
            {
                "escalate_director_after": "The director and performance team would hear after 3 days, no later "
                "than the line manager (3 days); give them more days than the line manager."
            },
        ),
        ({"values_due": 31, "approvals_due": 31, "scorecards": 31, "executive_review": 31, "service_review": 31}, {}),
    ],
)
def test_an_impossible_calendar_is_named_field_by_field(change, expected):
    assert rules.calendar_problems({**GOOD, **change}) == expected


def test_an_override_must_fall_after_the_month_and_keep_the_steps_in_order():
    assert rules.override_problem(DAYS, D(2026, 3, 1), "values_due", D(2026, 4, 9)) == ""
    assert rules.override_problem(DAYS, D(2026, 3, 1), "values_due", D(2026, 3, 31)) == (
        "PI values due for Mar 2026 must fall after the month ends (on or after 1 Apr 2026)."
    )
    assert rules.override_problem(DAYS, D(2026, 3, 1), "scorecards", D(2026, 4, 10)) == (
        "With this date, scorecards issued (10 Apr 2026) would come before commentary and approvals due "
        "(15 Apr 2026) for Mar 2026."
    )
    locking = rules.CalendarDays(lock=16)
    assert rules.override_problem(locking, D(2026, 3, 1), "lock", D(2026, 4, 2)) == (
        "With this date, values for Mar 2026 would lock (2 Apr 2026) before they are due (14 Apr 2026)."
    )
