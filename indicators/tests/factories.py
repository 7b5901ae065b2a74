import datetime
from decimal import Decimal

import factory

from indicators.models import Benchmark, Indicator, Measurement, TargetPeriod


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"PI{n:04d}")
    title = factory.Sequence(lambda n: f"Indicator {n}")
    unit = Indicator.Unit.PERCENT
    polarity = Indicator.Polarity.UP
    frequency = Indicator.Frequency.MONTHLY
    tolerance_kind = Indicator.ToleranceKind.ABSOLUTE
    tolerance = Decimal("2")


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetPeriod

    indicator = factory.SubFactory(IndicatorFactory)
    effective_from = datetime.date(2024, 4, 1)
    target = Decimal("90")
    tolerance_kind = Indicator.ToleranceKind.ABSOLUTE
    tolerance = Decimal("2")


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    period = datetime.date(2025, 1, 1)
    value = Decimal("91")
    target = Decimal("90")
    status = "green"


class BenchmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Benchmark

    indicator = factory.SubFactory(IndicatorFactory)
    source = "Peer group"
    year = "2024/25"
    top_quartile = Decimal("95")
    median = Decimal("90")
    bottom_quartile = Decimal("85")


def team_indicator(world, **extra) -> Indicator:
    """A PI of the world's Rents Team, managed by bob, updated by charlie, with a target of 90."""
    values = {"org_unit": world.team, "owner": world.manager, "updater": world.updater}
    values.update(extra)
    indicator = IndicatorFactory(**values)
    TargetFactory(indicator=indicator, effective_from=datetime.date(2020, 4, 1))
    return indicator
