import datetime as dt

import pytest

from pmf import periods


@pytest.mark.parametrize(
    ("day", "fy_start", "quarter", "fy", "q_label"),
    [
        (dt.date(2026, 4, 1), dt.date(2026, 4, 1), dt.date(2026, 4, 1), "2026/27", "Q1 2026/27"),
        (dt.date(2026, 3, 31), dt.date(2025, 4, 1), dt.date(2026, 1, 1), "2025/26", "Q4 2025/26"),
        (dt.date(2025, 11, 14), dt.date(2025, 4, 1), dt.date(2025, 10, 1), "2025/26", "Q3 2025/26"),
        (dt.date(2026, 1, 1), dt.date(2025, 4, 1), dt.date(2026, 1, 1), "2025/26", "Q4 2025/26"),
        (dt.date(2099, 12, 31), dt.date(2099, 4, 1), dt.date(2099, 10, 1), "2099/00", "Q3 2099/00"),
    ],
)
def test_financial_year_and_quarter_from_april(day, fy_start, quarter, fy, q_label):
    assert periods.financial_year_start(day, 4) == fy_start
    assert periods.quarter_start(day, 4) == quarter
    assert periods.fy_label(day, 4) == fy
    assert periods.quarter_label(day, 4) == q_label


def test_calendar_year_when_the_year_starts_in_january():
    assert periods.fy_label(dt.date(2026, 5, 1), 1) == "2026"
    assert periods.quarter_label(dt.date(2026, 5, 1), 1) == "Q2 2026"


def test_month_arithmetic_and_labels():
    assert periods.add_months(dt.date(2025, 11, 1), 3) == dt.date(2026, 2, 1)
    assert periods.add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert periods.month_start(dt.date(2026, 1, 31)) == dt.date(2026, 1, 1)
    assert periods.month_label(dt.date(2026, 1, 1)) == "Jan 2026"


def test_financial_year_start_follows_the_setting(settings):
    settings.FINANCIAL_YEAR_START_MONTH = 7
    assert periods.fy_label(dt.date(2026, 6, 30)) == "2025/26"
    assert periods.fy_label(dt.date(2026, 7, 1)) == "2026/27"


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 1, 9), dt.date(2025, 12, 1)),
        (dt.date(2025, 10, 1), dt.date(2025, 9, 1)),
        (dt.date(2025, 10, 31), dt.date(2025, 9, 1)),
    ],
)
def test_last_complete_month_is_the_month_before_today(today, expected):
    assert periods.last_complete_month(today) == expected
