"""The figures of a PI for a period, as every page and report shows them.

`to_date` is the one year-to-date (and quarter-to-date) rule: the PI page, the rows of snapshots,
scorecards and editions, and reports all take their figure from it.

`live_rows` turns a list of PIs into rows for a period (value, target, status, short and long
trend, year to date, the same period last year, benchmark quartile, recent values for a sparkline,
commentary, and for a red value its cause, the action being taken and the expected recovery date)
in a fixed number of queries whatever the number of PIs: one fetches the values of the last 13
periods of every PI, one the commentary (and red commentary) of the newest, one benchmarks, and one
the inputs of calculated PIs whose year to date is a ratio of sums.
"""

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from indicators import formula, rules
from indicators.models import Benchmark, Indicator, Measurement
from pmf import periods

SPAN = 13
# What a row needs of a PI; pages of hundreds of PIs load only these (not the long texts).
ROW_FIELDS = (
    "code",
    "title",
    "unit",
    "decimals",
    "polarity",
    "frequency",
    "ytd_rule",
    "formula",
    "latest_period",
    "org_unit_id",
)

# {input code: {period: value}}: the values of the inputs of calculated PIs.
Inputs = Mapping[str, Mapping[datetime.date, Decimal | None]]


# Year to date and quarter to date ------------------------------------------------------------


def to_date(
    indicator: Indicator,
    values: Mapping[datetime.date, Decimal | None],
    inputs: Inputs,
    *,
    start: datetime.date,
    end: datetime.date,
) -> tuple[Decimal | None, int]:
    """INDICATOR's value over the periods from START to END (both included) by its year-to-date
    rule, and how many periods it counts.

    sum, mean, latest: over the PI's own VALUES ({period: value}). Ratio of sums (calculated PIs):
    the PI's formula applied to the sums of its inputs (INPUTS) over the periods in which every
    input has a value, so each sum covers the same periods. The value is None when no period
    counts, when a ratio-of-sums PI has no usable formula, or when its formula gives no number
    (a zero denominator)."""
    if indicator.ytd_rule == rules.RATIO:
        return _ratio_of_sums(indicator.formula, inputs, start=start, end=end)
    chosen = [values[period] for period in sorted(values) if start <= period <= end and values[period] is not None]
    return rules.aggregate(chosen, indicator.ytd_rule), len(chosen)


def _input_codes(text: str) -> list[str]:
    """The PI codes a formula uses, sorted; none when it has no formula or one that cannot be parsed."""
    if not text:
        return []
    try:
        return sorted(formula.codes_in(text))
    except formula.FormulaError:
        return []


def _ratio_of_sums(
    text: str, inputs: Inputs, *, start: datetime.date, end: datetime.date
) -> tuple[Decimal | None, int]:
    codes = _input_codes(text)
    if not codes:
        return None, 0
    spans = [
        {
            period: value
            for period, value in inputs.get(code, {}).items()
            if start <= period <= end and value is not None
        }
        for code in codes
    ]
    complete = set(spans[0]).intersection(*spans[1:])
    if not complete:
        return None, 0
    sums = {
        code: sum((span[period] for period in complete), Decimal(0)) for code, span in zip(codes, spans, strict=True)
    }
    try:
        return formula.evaluate(text, sums), len(complete)
    except formula.FormulaError:
        return None, len(complete)


def ratio_inputs(spans: Sequence[tuple[Indicator, datetime.date, datetime.date]]) -> dict[str, dict]:
    """The input values that the ratio-of-sums PIs among SPANS ((PI, start, end), ...) need, as
    {code: {period: value}}. One query for all of them; none when no PI needs it."""
    wanted = [
        (codes, start, end)
        for indicator, start, end in spans
        if indicator.ytd_rule == rules.RATIO and (codes := _input_codes(indicator.formula))
    ]
    if not wanted:
        return {}
    found: dict[str, dict] = defaultdict(dict)
    for code, period, value in Measurement.objects.filter(
        indicator__code__in=set().union(*(codes for codes, _, _ in wanted)),
        value__isnull=False,
        period__gte=min(start for _, start, _ in wanted),
        period__lte=max(end for _, _, end in wanted),
    ).values_list("indicator__code", "period", "value"):
        found[code][period] = value
    return found


@dataclass(frozen=True)
class ToDate:
    """A PI's value aggregated over part of a year by its year-to-date rule."""

    label: str
    value: Decimal | None
    text: str
    periods: int


def to_date_figures(indicator: Indicator, *, as_of: datetime.date) -> list[ToDate]:
    """Quarter to date (monthly PIs) and year to date of INDICATOR up to AS_OF; none for annual PIs.
    One query."""
    if indicator.frequency == Indicator.Frequency.ANNUAL:
        return []
    year_start = periods.financial_year_start(as_of)
    spans = [(f"Year to date {periods.fy_label(as_of)}", year_start)]
    if indicator.frequency == Indicator.Frequency.MONTHLY:
        spans.insert(0, (f"Quarter to date {periods.quarter_label(as_of)}", periods.quarter_start(as_of)))
    values: dict = {}
    inputs: dict = {}
    if indicator.ytd_rule == rules.RATIO:
        inputs = ratio_inputs([(indicator, year_start, as_of)])
    else:
        values = dict(
            indicator.measurements.filter(period__gte=year_start, period__lte=as_of).values_list("period", "value")
        )
    found = []
    for label, start in spans:
        value, count = to_date(indicator, values, inputs, start=start, end=as_of)
        found.append(ToDate(label=label, value=value, text=indicator.format_value(value), periods=count))
    return found


# The row of a PI for a period ----------------------------------------------------------------


@dataclass
class Restatement:
    """A value changed after it was reported: what was reported, what it is now, and who changed
    it, when and why."""

    old_text: str
    new_text: str
    who: str
    when: datetime.datetime | None
    why: str


@dataclass
class Row:
    """The row of a PI for a period, as snapshots, scorecards, editions and public pages show it:
    the figures and their texts in the PI's unit (a dash where there is none)."""

    code: str
    title: str
    indicator_id: int | None = None
    plain_title: str = ""
    period: datetime.date | None = None
    period_label: str = "–"
    value: Decimal | None = None
    target: Decimal | None = None
    value_text: str = "–"
    target_text: str = "–"
    status: str = rules.UNKNOWN
    short_trend: str = ""
    long_trend: str = ""
    ytd_text: str = "–"
    quartile: int | None = None
    commentary: str = ""
    approved: bool = True
    spark: list = field(default_factory=list)
    last_year_text: str = "–"
    last_year_status: str = rules.UNKNOWN
    measurement_id: int | None = None
    signpost: bool = False
    public: bool = True
    restatement: Restatement | None = None
    # Why a red value is off target, what is being done and when it should be back on target
    # (written for the public; empty unless the value is red).
    cause: str = ""
    action_taken: str = ""
    recovery_date: datetime.date | None = None

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS.get(self.status, rules.STATUS_LABELS[rules.UNKNOWN])

    @property
    def short_label(self) -> str:
        return rules.TREND_LABELS.get(self.short_trend, rules.TREND_LABELS[rules.NO_TREND])

    @property
    def long_label(self) -> str:
        return rules.TREND_LABELS.get(self.long_trend, rules.TREND_LABELS[rules.NO_TREND])

    @property
    def quartile_label(self) -> str:
        return rules.QUARTILE_LABELS.get(self.quartile, "–") if self.quartile else "–"

    @property
    def public_title(self) -> str:
        return self.plain_title or self.title

    @property
    def recovery_text(self) -> str:
        """The expected recovery month ("Mar 2027"), or "" when none is given."""
        return periods.month_label(self.recovery_date) if self.recovery_date else ""

    @property
    def red_commentary(self) -> bool:
        """Whether the row is red and says why, what is being done or when it should recover."""
        return self.status == rules.RED and bool(self.cause or self.action_taken or self.recovery_date)


def previous_year_values(rows: Sequence[tuple[datetime.date, Decimal]], latest: datetime.date) -> list[Decimal]:
    """Values of ROWS (period, value; newest first, latest excluded) in the 12 months before LATEST."""
    year_ago = periods.add_months(latest, -12)
    return [value for period, value in rows if year_ago <= period < latest]


def recent_measurements(indicators: list[Indicator], period: datetime.date | None) -> dict[int, list[tuple]]:
    """{indicator id: [(period, value, target, status, id), ...] newest first}:
    the values of each PI's last 13 periods up to PERIOD (None: up to its latest value). One query.

    Each PI's window ends at the earlier of PERIOD and its latest period with a value (denormalised
    on the PI), so a PI that stopped reporting still shows its last figures. The windows are
    ranges of the (indicator, period) index: no per-row query and no scan of older history."""
    groups: dict[tuple[int, datetime.date], list[int]] = defaultdict(list)
    for indicator in indicators:
        end = indicator.latest_period
        if end is None:
            continue
        if period is not None and period < end:
            end = indicator.period_for(period)
        groups[(indicator.step(), end)].append(indicator.pk)
    if not groups:
        return {}
    window = Q(pk__in=[])
    for (step, end), ids in groups.items():
        window |= Q(indicator_id__in=ids, period__gte=periods.add_months(end, -step * (SPAN - 1)), period__lte=end)
    found: dict[int, list[tuple]] = defaultdict(list)
    for indicator_id, *rest in (
        Measurement.objects.filter(window, value__isnull=False)
        .order_by("indicator_id", "-period")
        .values_list("indicator_id", "period", "value", "target", "status", "id")
    ):
        found[indicator_id].append(tuple(rest))
    return found


@dataclass(frozen=True)
class Details:
    """The texts of a PI's newest measurement: its commentary, whether it is approved and, for a
    red value, its cause, the action being taken and the expected recovery date."""

    commentary: str = ""
    approved: bool = False
    cause: str = ""
    action_taken: str = ""
    recovery_date: datetime.date | None = None


def latest_details(history: dict[int, list[tuple]]) -> dict[int, Details]:
    """{measurement id: Details} of the newest measurement of each PI. One query (kept out of the
    window query so the long texts of older periods are never read)."""
    ids = [items[0][4] for items in history.values() if items]
    if not ids:
        return {}
    return {
        pk: Details(commentary, approved_at is not None, cause, action_taken, recovery_date)
        for pk, commentary, approved_at, cause, action_taken, recovery_date in Measurement.objects.filter(
            pk__in=ids
        ).values_list("pk", "commentary", "approved_at", "cause", "action_taken", "recovery_date")
    }


def latest_benchmarks(indicator_ids: list[int]) -> dict[int, Benchmark]:
    """The most recent benchmark of each PI. One query."""
    found: dict[int, Benchmark] = {}
    for benchmark in Benchmark.objects.filter(indicator_id__in=indicator_ids).order_by("indicator_id", "-year"):
        found.setdefault(benchmark.indicator_id, benchmark)
    return found


def row_for(
    indicator: Indicator,
    history: list[tuple],
    benchmark: Benchmark | None,
    details: dict[int, Details],
    inputs: Inputs | None = None,
) -> Row:
    """The row of INDICATOR from HISTORY (newest first, as recent_measurements gives), DETAILS
    (commentary, approval and red commentary of the newest, as latest_details gives) and, for a
    ratio-of-sums year to date, INPUTS (as ratio_inputs gives). The cause, action and recovery date
    are carried only when the value is red."""
    row = Row(code=indicator.code, title=indicator.title, indicator_id=indicator.pk)
    row.spark = [item[1] for item in reversed(history)]
    if not history:
        return row
    period, value, target, status, measurement_id = history[0]
    detail = details.get(measurement_id, Details())
    polarity = indicator.polarity
    by_period = {item[0]: item for item in history}
    previous = by_period.get(periods.add_months(period, -indicator.step()))
    row.period, row.period_label = period, indicator.period_label(period)
    row.value, row.target, row.status = value, target, status
    row.value_text, row.target_text = indicator.format_value(value), indicator.format_value(target)
    row.commentary, row.approved, row.measurement_id = detail.commentary, detail.approved, measurement_id
    if status == rules.RED:
        row.cause, row.action_taken, row.recovery_date = detail.cause, detail.action_taken, detail.recovery_date
    row.short_trend = rules.short_trend(latest=value, previous=previous[1] if previous else None, polarity=polarity)
    row.long_trend = rules.long_trend(
        latest=value,
        previous_year=previous_year_values([(p, v) for p, v, *_ in history[1:]], period),
        polarity=polarity,
    )
    year_to_date, _ = to_date(
        indicator,
        {item[0]: item[1] for item in history},
        inputs or {},
        start=periods.financial_year_start(period),
        end=period,
    )
    row.ytd_text = indicator.format_value(year_to_date)
    last_year = by_period.get(periods.add_months(period, -12))
    if last_year:
        row.last_year_text, row.last_year_status = indicator.format_value(last_year[1]), last_year[3]
    if benchmark is not None:
        row.quartile = rules.quartile(
            value=value,
            top=benchmark.top_quartile,
            median=benchmark.median,
            bottom=benchmark.bottom_quartile,
            polarity=polarity,
        )
    return row


def live_rows(indicators: list[Indicator], period: datetime.date | None, *, benchmarks: bool = True) -> dict[int, Row]:
    """Rows of INDICATORS for PERIOD (None: each PI's latest), keyed by indicator id. Three queries
    (two without benchmarks; one more when calculated PIs need a ratio-of-sums year to date)."""
    ids = [indicator.pk for indicator in indicators]
    history = recent_measurements(indicators, period)
    marks = latest_benchmarks(ids) if benchmarks else {}
    details = latest_details(history)
    inputs = ratio_inputs(
        [
            (indicator, periods.financial_year_start(history[indicator.pk][0][0]), history[indicator.pk][0][0])
            for indicator in indicators
            if history.get(indicator.pk)
        ]
    )
    return {
        indicator.pk: row_for(indicator, history.get(indicator.pk, []), marks.get(indicator.pk), details, inputs)
        for indicator in indicators
    }
