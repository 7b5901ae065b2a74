"""The demo tells one believable month: every value allowed by its PI, nothing dated in the future,
periods labelled as their frequency reads, approvals keeping pace, red values explained, and the
calendar's days (values due on the 14th, scorecards issued on the 16th) matching what exists."""

import datetime
import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from cycle.models import ReportingCalendar
from indicators import rules
from indicators.models import Indicator, Measurement
from pmf import periods
from scorecards.models import ScorecardEdition

PROJECT_APPS = ("pmf", "plans", "indicators", "scorecards", "risks", "assessments", "cycle")
MONTH_LABEL = re.compile(r"^[A-Z][a-z]{2} \d{4}$")
# Dates that record something that has happened (as against a due, target or next-review date).
HAPPENED = {
    "PlanItem": ("actual_start", "completed_date", "cancelled_date"),
    "Milestone": ("completed_on",),
    "ProgressUpdate": ("date",),
    "Risk": ("last_reviewed_on",),
    "Control": ("last_tested_on",),
    "RiskReview": ("reviewed_on",),
    "Assessment": ("assessed_on",),
}


def _period_end(indicator: Indicator, period: datetime.date) -> datetime.date:
    return periods.add_months(period, indicator.step() - 1)


def _future_timestamps(now: datetime.datetime) -> list[str]:
    problems = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField):
                count = model._default_manager.filter(**{f"{field.name}__gt": now}).count()
                if count:
                    problems.append(f"{model.__name__}.{field.name}: {count} after now")
    return problems


def _future_dates(today: datetime.date) -> list[str]:
    problems = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for name in HAPPENED.get(model.__name__, ()):
            count = model._default_manager.filter(**{f"{name}__gt": today}).count()
            if count:
                problems.append(f"{model.__name__}.{name}: {count} after {today}")
    return problems


def _late_periods(last_month: datetime.date) -> list[str]:
    problems = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        names = {field.name for field in model._meta.concrete_fields if isinstance(field, models.DateField)}
        for name in names & {"period", "stored_period"}:
            count = model._default_manager.filter(**{f"{name}__gt": last_month}).count()
            if count:
                problems.append(f"{model.__name__}.{name}: {count} after {last_month:%b %Y}")
    return problems


def _label_problems() -> tuple[int, list[str]]:
    """Every stored period label of a quarterly or annual PI reads as its quarter or year: how many
    labels were read, and the wrong ones."""
    problems, checked = [], 0
    indicators = {ind.pk: ind for ind in Indicator.objects.all()}
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        names = {field.name for field in model._meta.concrete_fields}
        if not {"period_label", "period", "indicator"} <= names:
            continue
        for row in model._default_manager.exclude(period=None).exclude(indicator=None):
            indicator = indicators[row.indicator_id]
            if indicator.frequency == Indicator.Frequency.MONTHLY:
                continue
            checked += 1
            expected = indicator.period_label(row.period)
            if row.period_label != expected or MONTH_LABEL.match(row.period_label):
                problems.append(f"{model.__name__} {indicator.code}: {row.period_label!r}, expected {expected!r}")
    return checked, problems


def _twentieth_of_last_month() -> datetime.datetime:
    """A moment after last month's scorecard day (the real today may fall before or after it)."""
    month = periods.add_months(periods.month_start(timezone.localdate()), -1)
    return timezone.make_aware(datetime.datetime.combine(month.replace(day=20), datetime.time(12)))


@pytest.mark.parametrize("moment", [None, "twentieth"], ids=["today", "after-scorecard-day"])
def test_the_demo_data_follows_the_rules_a_housing_professional_expects(db, monkeypatch, moment):
    if moment is not None:
        fixed = _twentieth_of_last_month()
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: fixed)
        for model in apps.get_models():  # defaults such as date_joined hold the function itself
            for field in model._meta.concrete_fields:
                if field.default is real_now:
                    monkeypatch.setattr(field, "default", timezone.now)
                    monkeypatch.setattr(field, "_get_default", timezone.now)
    call_command("seed_demo", stdout=io.StringIO())
    now = timezone.now()
    today = timezone.localdate()
    last_month = periods.last_complete_month(today)
    measurements = list(Measurement.objects.select_related("indicator").exclude(value=None))
    assert len(measurements) > 1000

    # Every value inside its PI's allowed range.
    out_of_range = [
        f"{m.indicator.code} {m.period:%Y-%m} = {m.value}"
        for m in measurements
        if (m.indicator.min_value is not None and m.value < m.indicator.min_value)
        or (m.indicator.max_value is not None and m.value > m.indicator.max_value)
    ]
    assert out_of_range == []

    # No percentage above 100: only rent collected (arrears paid off) may exceed it, and says so.
    uncapped = {ind.code for ind in Indicator.objects.filter(unit=Indicator.Unit.PERCENT, max_value=None)}
    assert uncapped == {"INC01"}
    over_100 = [
        f"{m.indicator.code} {m.period:%Y-%m} = {m.value}"
        for m in measurements
        if m.indicator.unit == Indicator.Unit.PERCENT and m.indicator.code not in uncapped and m.value > 100
    ]
    assert over_100 == []

    # Nothing dated after now (history rows included), no period after the last complete month.
    assert _future_timestamps(now) == []
    assert _future_dates(today) == []
    assert _late_periods(last_month) == []
    assert [m for m in measurements if _period_end(m.indicator, m.period) > last_month] == []

    # Quarterly and annual PIs are labelled by their quarter or year wherever a label is stored.
    checked, wrong = _label_problems()
    assert checked > 0
    assert wrong == []
    tsm = Indicator.objects.get(code="TP01")
    assert tsm.frequency == Indicator.Frequency.ANNUAL
    assert not MONTH_LABEL.match(tsm.period_label(tsm.latest_period))

    # Approvals keep pace with entries.
    waiting = [m for m in measurements if m.approved_at is None]
    last_month_values = [m for m in measurements if m.period == last_month]
    waiting_last_month = [m for m in waiting if m.period == last_month]
    assert len(waiting) <= 20
    assert len(waiting_last_month) <= len(last_month_values) // 10
    assert all(m.approved_at >= m.entered_at for m in measurements if m.approved_at and m.entered_at)

    # Every red value of the last complete month carries the structured commentary.
    reds = [m for m in measurements if m.status == rules.RED and _period_end(m.indicator, m.period) == last_month]
    assert reds
    unexplained = [m.indicator.code for m in reds if not (m.cause and m.action_taken and m.recovery_date)]
    assert unexplained == []

    # One "today": values due on the 14th, scorecards on the 16th of the month after the period.
    calendar = ReportingCalendar.objects.get(org_unit__code="mhg")
    assert (calendar.values_due_day, calendar.scorecards_day) == (14, 16)
    for m in measurements:
        if m.version > 1 or m.entered_at is None:
            continue  # a correction is entered when it is found
        reporting_month = periods.add_months(_period_end(m.indicator, m.period), 1)
        entered = timezone.localtime(m.entered_at).date()
        assert reporting_month <= entered <= reporting_month.replace(day=calendar.values_due_day), (
            f"{m.indicator.code} {m.period:%Y-%m} entered {entered}"
        )
    editions = list(ScorecardEdition.objects.all())
    assert editions
    for edition in editions:
        scorecard_day = periods.add_months(edition.period, 1).replace(day=calendar.scorecards_day)
        assert scorecard_day <= today, f"{edition} issued before its scorecard day {scorecard_day}"
        assert timezone.localtime(edition.issued_at).date() >= scorecard_day
