from collections import Counter

from indicators.demo import seed_indicators
from indicators.models import Benchmark, Indicator, Measurement
from pmf.demo import seed_organisation


def test_demo_pis_show_every_status_and_trend_and_a_second_run_adds_nothing(db):
    organisation = seed_organisation()
    seed_indicators(organisation)
    statuses = Counter(Indicator.objects.values_list("latest_status", flat=True))
    assert set(statuses) == {"green", "amber", "red", "data", "unknown"}
    assert {"improving", "same", "worse", ""} <= set(Indicator.objects.values_list("short_trend", flat=True))
    assert {"improving", "worse"} <= set(Indicator.objects.values_list("long_trend", flat=True))
    assert Indicator.objects.filter(source="tsm", frequency="annual").count() == 22
    assert Indicator.objects.filter(frequency__in=["monthly", "quarterly"]).count() >= 40
    red = Measurement.objects.filter(status="red")
    assert red.exists() and not red.filter(cause="").exists()
    assert Indicator.objects.get(code="INC07").latest_value is not None
    counts = (
        Indicator.objects.count(),
        Measurement.objects.count(),
        Measurement.history.count(),
        Indicator.history.count(),
        Benchmark.objects.count(),
    )
    seed_indicators(seed_organisation())
    assert (
        Indicator.objects.count(),
        Measurement.objects.count(),
        Measurement.history.count(),
        Indicator.history.count(),
        Benchmark.objects.count(),
    ) == counts
