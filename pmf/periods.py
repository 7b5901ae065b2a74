"""Reporting periods.

A period is the first day of a month; quarterly and annual measures use the first month of their
quarter or financial year. The financial year starts in settings.FINANCIAL_YEAR_START_MONTH.
"""

import datetime

from django.conf import settings


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(period: datetime.date, months: int) -> datetime.date:
    index = period.year * 12 + (period.month - 1) + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def last_complete_month(today: datetime.date) -> datetime.date:
    """The month before the one TODAY falls in: the latest month that has ended, which is the
    month being reported (values for a month are entered, and scorecards issued, in the next)."""
    return add_months(month_start(today), -1)


def financial_year_start(day: datetime.date, start_month: int | None = None) -> datetime.date:
    start_month = start_month or settings.FINANCIAL_YEAR_START_MONTH
    year = day.year if day.month >= start_month else day.year - 1
    return datetime.date(year, start_month, 1)


def quarter_start(day: datetime.date, start_month: int | None = None) -> datetime.date:
    fy = financial_year_start(day, start_month)
    months_in = (day.year - fy.year) * 12 + day.month - fy.month
    return add_months(fy, (months_in // 3) * 3)


def quarter_number(day: datetime.date, start_month: int | None = None) -> int:
    fy = financial_year_start(day, start_month)
    return ((day.year - fy.year) * 12 + day.month - fy.month) // 3 + 1


def fy_label(day: datetime.date, start_month: int | None = None) -> str:
    """'2025/26' for a year starting in April 2025; '2025' when the year starts in January."""
    fy = financial_year_start(day, start_month)
    if fy.month == 1:
        return str(fy.year)
    return f"{fy.year}/{(fy.year + 1) % 100:02d}"


def month_label(day: datetime.date) -> str:
    return day.strftime("%b %Y")


def quarter_label(day: datetime.date, start_month: int | None = None) -> str:
    return f"Q{quarter_number(day, start_month)} {fy_label(day, start_month)}"


# The months a snapshot or an edition may be asked for: wide enough for any real history and
# plan, narrow enough that the thirteen periods before one (sparklines, last year) exist and a
# typing slip such as 0202-10 is caught.
EARLIEST_PERIOD = datetime.date(1900, 1, 1)
LATEST_PERIOD = datetime.date(2199, 12, 1)


def period_error(period: datetime.date | None) -> str:
    """Why PERIOD cannot be shown, or "" when it can (or is blank)."""
    if period is None or EARLIEST_PERIOD <= period <= LATEST_PERIOD:
        return ""
    return f"Enter a month between {EARLIEST_PERIOD:%Y-%m} and {LATEST_PERIOD:%Y-%m}."
