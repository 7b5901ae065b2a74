"""Pure rules for performance indicators: traffic lights, trends, aggregation, quartiles, target flags.

No ORM here: every function takes plain values so it can be tested with a table of cases.
Values and targets are Decimals (or None when missing).
"""

from collections.abc import Sequence
from decimal import Decimal

GREEN = "green"
AMBER = "amber"
RED = "red"
DATA_ONLY = "data"
UNKNOWN = "unknown"

STATUS_LABELS = {
    GREEN: "On target",
    AMBER: "Within tolerance",
    RED: "Off target",
    DATA_ONLY: "Data only",
    UNKNOWN: "Unknown",
}
# CSS modifier of pmf.css's .status component for each status.
STATUS_CSS = {GREEN: "green", AMBER: "amber", RED: "red", DATA_ONLY: "grey", UNKNOWN: "grey"}

UP = "up"
DOWN = "down"
DATA = "data"

IMPROVING = "improving"
NO_CHANGE = "same"
WORSE = "worse"
NO_TREND = ""

TREND_LABELS = {IMPROVING: "Improving", NO_CHANGE: "No change", WORSE: "Getting worse", NO_TREND: "No trend"}
TREND_ARROWS = {IMPROVING: "▲", NO_CHANGE: "▶", WORSE: "▼", NO_TREND: "–"}

PERCENT = "percent"
ABSOLUTE = "absolute"

SUM = "sum"
MEAN = "mean"
LATEST = "latest"
RATIO = "ratio"


def tolerance_band(target: Decimal, tolerance: Decimal | None, tolerance_kind: str) -> Decimal:
    """The width of the amber band around TARGET."""
    if not tolerance:
        return Decimal(0)
    if tolerance_kind == PERCENT:
        return abs(target) * tolerance / Decimal(100)
    return abs(tolerance)


def traffic_light(
    *,
    value: Decimal | None,
    target: Decimal | None,
    polarity: str,
    tolerance: Decimal | None = None,
    tolerance_kind: str = PERCENT,
) -> str:
    """Green when the value meets the target, amber when it misses by no more than the tolerance,
    red beyond it; data only for data-only PIs with a value; unknown without a value or a target.

    A zero target with a percentage tolerance has a zero band: only meeting the target is green."""
    if value is None:
        return UNKNOWN
    if polarity == DATA:
        return DATA_ONLY
    if target is None:
        return UNKNOWN
    shortfall = target - value if polarity == UP else value - target
    if shortfall <= 0:
        return GREEN
    if shortfall <= tolerance_band(target, tolerance, tolerance_kind):
        return AMBER
    return RED


def direction(*, latest: Decimal | None, reference: Decimal | None, polarity: str) -> str:
    """Improving / No change / Getting worse of LATEST against REFERENCE, given the polarity.

    Data-only PIs and missing values have no trend."""
    if latest is None or reference is None or polarity == DATA:
        return NO_TREND
    if latest == reference:
        return NO_CHANGE
    better = latest > reference if polarity == UP else latest < reference
    return IMPROVING if better else WORSE


def short_trend(*, latest: Decimal | None, previous: Decimal | None, polarity: str) -> str:
    """Latest value against the previous period's."""
    return direction(latest=latest, reference=previous, polarity=polarity)


def long_trend(*, latest: Decimal | None, previous_year: Sequence[Decimal | None], polarity: str) -> str:
    """Latest value against the mean of the previous year's periods (the values that exist)."""
    present = [value for value in previous_year if value is not None]
    if not present:
        return NO_TREND
    return direction(latest=latest, reference=sum(present) / len(present), polarity=polarity)


def aggregate(values: Sequence[Decimal | None], rule: str) -> Decimal | None:
    """Year-to-date or quarter value of VALUES (in period order) by a PI's own-value rule.

    sum: total; mean: average of the values present; latest: the last value present. None when
    nothing is present. Ratio of sums needs the PI's inputs: `indicators.figures.to_date`."""
    present = [value for value in values if value is not None]
    if not present:
        return None
    if rule == SUM:
        return sum(present, Decimal(0))
    if rule == MEAN:
        return sum(present, Decimal(0)) / len(present)
    if rule == LATEST:
        return present[-1]
    raise ValueError(f"Unknown year-to-date rule {rule!r}.")


def quartile(
    *, value: Decimal | None, top: Decimal | None, median: Decimal | None, bottom: Decimal | None, polarity: str
) -> int | None:
    """Which benchmark quartile VALUE falls in: 1 = top quartile ... 4 = bottom quartile.

    TOP is the top-quartile threshold (the better end): for "up is good" PIs a value at or above
    it is in the top quartile; for "down is good" PIs at or below it."""
    if value is None or top is None or median is None or bottom is None or polarity == DATA:
        return None
    if polarity == DOWN:
        value, top, median, bottom = -value, -top, -median, -bottom
    if value >= top:
        return 1
    if value >= median:
        return 2
    if value >= bottom:
        return 3
    return 4


QUARTILE_LABELS = {1: "Top quartile", 2: "Second quartile", 3: "Third quartile", 4: "Bottom quartile"}

BEATEN = "beaten"
MISSED = "missed"
FLAG_LABELS = {
    BEATEN: "Consider a more ambitious target",
    MISSED: "Review target or resources",
}


def target_flag(statuses_newest_first: Sequence[str], run: int = 6) -> str | None:
    """BEATEN when the last RUN periods were all green, MISSED when all red, else None."""
    recent = list(statuses_newest_first[:run])
    if run < 1 or len(recent) < run:
        return None
    if all(status == GREEN for status in recent):
        return BEATEN
    if all(status == RED for status in recent):
        return MISSED
    return None
