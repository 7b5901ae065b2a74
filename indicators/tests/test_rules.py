from decimal import Decimal as D

import pytest

from indicators import rules as s


@pytest.mark.parametrize(
    ("value", "target", "polarity", "tolerance", "kind", "expected"),
    [
        # up is good, percentage tolerance (5% of 90 = 4.5)
        (D("95"), D("90"), s.UP, D("5"), s.PERCENT, s.GREEN),
        (D("90"), D("90"), s.UP, D("5"), s.PERCENT, s.GREEN),
        (D("85.5"), D("90"), s.UP, D("5"), s.PERCENT, s.AMBER),
        (D("85.4"), D("90"), s.UP, D("5"), s.PERCENT, s.RED),
        # up is good, absolute tolerance
        (D("88"), D("90"), s.UP, D("2"), s.ABSOLUTE, s.AMBER),
        (D("87.9"), D("90"), s.UP, D("2"), s.ABSOLUTE, s.RED),
        # down is good, percentage tolerance (10% of 30 = 3)
        (D("25"), D("30"), s.DOWN, D("10"), s.PERCENT, s.GREEN),
        (D("30"), D("30"), s.DOWN, D("10"), s.PERCENT, s.GREEN),
        (D("33"), D("30"), s.DOWN, D("10"), s.PERCENT, s.AMBER),
        (D("33.1"), D("30"), s.DOWN, D("10"), s.PERCENT, s.RED),
        # down is good, absolute tolerance
        (D("31"), D("30"), s.DOWN, D("1"), s.ABSOLUTE, s.AMBER),
        (D("31.5"), D("30"), s.DOWN, D("1"), s.ABSOLUTE, s.RED),
        # no tolerance: anything off target is red
        (D("89.9"), D("90"), s.UP, D("0"), s.PERCENT, s.RED),
        (D("89.9"), D("90"), s.UP, None, s.ABSOLUTE, s.RED),
        # zero targets: a percentage band of zero; an absolute band still applies
        (D("0"), D("0"), s.DOWN, D("10"), s.PERCENT, s.GREEN),
        (D("1"), D("0"), s.DOWN, D("10"), s.PERCENT, s.RED),
        (D("1"), D("0"), s.DOWN, D("2"), s.ABSOLUTE, s.AMBER),
        (D("-1"), D("0"), s.UP, D("2"), s.ABSOLUTE, s.AMBER),
        # negative target, up is good: band from the absolute target
        (D("-11"), D("-10"), s.UP, D("10"), s.PERCENT, s.AMBER),
        # data only
        (D("12"), None, s.DATA, None, s.PERCENT, s.DATA_ONLY),
        (D("12"), D("10"), s.DATA, D("5"), s.PERCENT, s.DATA_ONLY),
        (None, D("10"), s.DATA, D("5"), s.PERCENT, s.UNKNOWN),
        # missing values or targets
        (None, D("90"), s.UP, D("5"), s.PERCENT, s.UNKNOWN),
        (D("95"), None, s.UP, D("5"), s.PERCENT, s.UNKNOWN),
        (None, None, s.DOWN, D("5"), s.ABSOLUTE, s.UNKNOWN),
    ],
)
def test_traffic_light_table(value, target, polarity, tolerance, kind, expected):
    assert (
        s.traffic_light(value=value, target=target, polarity=polarity, tolerance=tolerance, tolerance_kind=kind)
        == expected
    )


@pytest.mark.parametrize(
    ("latest", "previous", "polarity", "expected"),
    [
        (D("5"), D("4"), s.UP, s.IMPROVING),
        (D("3"), D("4"), s.UP, s.WORSE),
        (D("4"), D("4"), s.UP, s.NO_CHANGE),
        (D("3"), D("4"), s.DOWN, s.IMPROVING),
        (D("5"), D("4"), s.DOWN, s.WORSE),
        (D("4"), D("4"), s.DOWN, s.NO_CHANGE),
        (D("5"), D("4"), s.DATA, s.NO_TREND),
        (None, D("4"), s.UP, s.NO_TREND),
        (D("5"), None, s.DOWN, s.NO_TREND),
    ],
)
def test_short_trend_table(latest, previous, polarity, expected):
    assert s.short_trend(latest=latest, previous=previous, polarity=polarity) == expected


@pytest.mark.parametrize(
    ("latest", "previous_year", "polarity", "expected"),
    [
        (D("10"), [D("8"), D("9"), D("10")], s.UP, s.IMPROVING),  # mean 9
        (D("9"), [D("8"), D("9"), D("10")], s.UP, s.NO_CHANGE),
        (D("8"), [D("8"), D("9"), D("10")], s.UP, s.WORSE),
        (D("8"), [D("8"), D("9"), D("10")], s.DOWN, s.IMPROVING),
        (D("10"), [D("8"), None, D("10")], s.DOWN, s.WORSE),  # mean of present values, 9
        (D("10"), [None, None], s.UP, s.NO_TREND),
        (D("10"), [], s.UP, s.NO_TREND),
        (None, [D("1")], s.UP, s.NO_TREND),
        (D("10"), [D("1")], s.DATA, s.NO_TREND),
    ],
)
def test_long_trend_table(latest, previous_year, polarity, expected):
    assert s.long_trend(latest=latest, previous_year=previous_year, polarity=polarity) == expected


@pytest.mark.parametrize(
    ("values", "rule", "expected"),
    [
        ([D("1"), D("2"), D("3")], s.SUM, D("6")),
        ([D("1"), None, D("3")], s.SUM, D("4")),
        ([D("1"), D("2"), D("6")], s.MEAN, D("3")),
        ([D("1"), None, D("3")], s.MEAN, D("2")),
        ([D("1"), D("7"), None], s.LATEST, D("7")),
        ([None, None], s.SUM, None),
        ([], s.MEAN, None),
        ([None], s.LATEST, None),
    ],
)
def test_year_to_date_and_quarter_values_by_rule(values, rule, expected):
    assert s.aggregate(values, rule) == expected


def test_unknown_year_to_date_rule_is_refused():
    with pytest.raises(ValueError, match="Unknown year-to-date rule 'median'"):
        s.aggregate([D("1")], "median")


@pytest.mark.parametrize(
    ("value", "polarity", "expected"),
    [
        (D("90"), s.UP, 1),
        (D("85"), s.UP, 1),
        (D("82"), s.UP, 2),
        (D("80"), s.UP, 2),
        (D("76"), s.UP, 3),
        (D("70"), s.UP, 4),
        (D("5"), s.DOWN, 1),
        (D("10"), s.DOWN, 1),
        (D("12"), s.DOWN, 2),
        (D("18"), s.DOWN, 3),
        (D("25"), s.DOWN, 4),
        (None, s.UP, None),
        (D("80"), s.DATA, None),
    ],
)
def test_benchmark_quartile(value, polarity, expected):
    if polarity == s.DOWN:
        top, median, bottom = D("10"), D("15"), D("20")
    else:
        top, median, bottom = D("85"), D("80"), D("75")
    assert s.quartile(value=value, top=top, median=median, bottom=bottom, polarity=polarity) == expected


@pytest.mark.parametrize(
    ("statuses", "run", "expected"),
    [
        ([s.GREEN] * 6, 6, s.BEATEN),
        ([s.GREEN] * 5 + [s.RED], 6, None),
        ([s.RED] * 6 + [s.GREEN], 6, s.MISSED),
        ([s.RED] * 5, 6, None),
        ([s.GREEN, s.AMBER, s.GREEN], 3, None),
        ([s.RED] * 3, 3, s.MISSED),
        ([], 6, None),
    ],
)
def test_target_review_flag(statuses, run, expected):
    assert s.target_flag(statuses, run) == expected
