"""Plain builders for scorecard tests: PIs with a run of monthly values, scorecards, snapshots."""

import datetime
from decimal import Decimal

from django.utils import timezone

from indicators import rules
from indicators.models import Indicator, Measurement
from pmf import periods
from scorecards import services
from scorecards.models import Scorecard, ScorecardEntry, ScorecardSection, Snapshot

# Fixed "today" for the tests that issue editions; the last complete month is Sep 2025.
TODAY = datetime.date(2025, 10, 20)
PERIOD = datetime.date(2025, 9, 1)


def make_indicator(
    code: str,
    unit,
    *,
    owner=None,
    updater=None,
    months: int = 15,
    end: datetime.date = PERIOD,
    start_value: int = 90,
    target: int = 95,
    approved: bool = True,
    polarity: str = "up",
    **extra,
) -> Indicator:
    """A monthly PI with MONTHS values ending at END (rising by 1 a month) against TARGET."""
    indicator = Indicator.objects.create(
        code=code,
        title=f"Indicator {code}",
        org_unit=unit,
        owner=owner,
        updater=updater,
        unit="percent",
        polarity=polarity,
        **extra,
    )
    rows = []
    now = timezone.now()
    for index in range(months):
        period = periods.add_months(end, index - months + 1)
        value = Decimal(start_value + index)
        rows.append(
            Measurement(
                indicator=indicator,
                period=period,
                value=value,
                target=Decimal(target),
                status=rules.traffic_light(
                    value=value,
                    target=Decimal(target),
                    polarity=polarity,
                    tolerance=Decimal(2),
                    tolerance_kind=rules.ABSOLUTE,
                ),
                commentary=f"{code} commentary for {period:%b %Y}",
                approved_at=now if approved else None,
            )
        )
    Measurement.objects.bulk_create(rows)
    last = rows[-1]
    Indicator.objects.filter(pk=indicator.pk).update(
        latest_period=last.period, latest_value=last.value, latest_target=last.target, latest_status=last.status
    )
    indicator.refresh_from_db()
    return indicator


def make_scorecard(unit, indicators, *, owner=None, shared_with=(), sections=("Customer",), **extra) -> Scorecard:
    scorecard = Scorecard.objects.create(
        title=extra.pop("title", "Housing scorecard"), org_unit=unit, owner=owner, **extra
    )
    scorecard.shared_with.set(shared_with)
    made = [
        ScorecardSection.objects.create(scorecard=scorecard, title=title, order=index)
        for index, title in enumerate(sections)
    ]
    for index, indicator in enumerate(indicators):
        ScorecardEntry.objects.create(
            scorecard=scorecard, section=made[index % len(made)], indicator=indicator, order=index
        )
    return scorecard


def make_snapshot(owner, unit, *, shared_with=(), indicators=(), **extra) -> Snapshot:
    snapshot = Snapshot.objects.create(name=extra.pop("name", "Team snapshot"), owner=owner, org_unit=unit, **extra)
    snapshot.shared_with.set(shared_with)
    snapshot.indicators.set(indicators)
    return snapshot


def issue(scorecard, period=PERIOD, user=None):
    return services.issue_edition(scorecard=scorecard, period=period, user=user, today=TODAY)
