"""The rows that snapshots, scorecards, editions and public pages show.

`live_rows` turns a list of PIs into rows for a period in a fixed number of queries whatever the
number of PIs: one query fetches the values of the last 13 periods of every PI (for the value,
trends, year to date, the same period last year and the sparkline), one fetches benchmarks.
`edition_rows` turns frozen edition rows into the same shape, so templates serve both.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from indicators import formula
from indicators import status as rules
from indicators.models import Benchmark, Indicator, Measurement
from pmf import periods
from scorecards import status as sc_rules

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


@dataclass
class Restatement:
    old_text: str
    new_text: str
    who: str
    when: datetime.datetime | None
    why: str


@dataclass
class Row:
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

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS.get(self.status, rules.STATUS_LABELS[rules.UNKNOWN])

    @property
    def status_css(self) -> str:
        return rules.STATUS_CSS.get(self.status, "grey")

    @property
    def short_label(self) -> str:
        return rules.TREND_LABELS.get(self.short_trend, "No trend")

    @property
    def long_label(self) -> str:
        return rules.TREND_LABELS.get(self.long_trend, "No trend")

    @property
    def short_arrow(self) -> str:
        return rules.TREND_ARROWS.get(self.short_trend, "–")

    @property
    def long_arrow(self) -> str:
        return rules.TREND_ARROWS.get(self.long_trend, "–")

    @property
    def quartile_label(self) -> str:
        return rules.QUARTILE_LABELS.get(self.quartile, "–") if self.quartile else "–"

    @property
    def public_title(self) -> str:
        return self.plain_title or self.title

    @property
    def spark_points(self) -> str:
        return sc_rules.sparkline_points(self.spark)

    @property
    def spark_label(self) -> str:
        present = [value for value in self.spark if value is not None]
        if len(present) < 2:
            return "Not enough values for a trend line"
        return f"Last {len(present)} values, from {_plain(present[0])} to {_plain(present[-1])}"


def _plain(value) -> str:
    return f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)


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


def latest_details(history: dict[int, list[tuple]]) -> dict[int, tuple[str, bool]]:
    """{measurement id: (commentary, approved?)} of the newest measurement of each PI. One query
    (kept out of the window query so the long texts of older periods are never read)."""
    ids = [items[0][4] for items in history.values() if items]
    if not ids:
        return {}
    return {
        pk: (commentary, approved_at is not None)
        for pk, commentary, approved_at in Measurement.objects.filter(pk__in=ids).values_list(
            "pk", "commentary", "approved_at"
        )
    }


def latest_benchmarks(indicator_ids: list[int]) -> dict[int, Benchmark]:
    """The most recent benchmark of each PI. One query."""
    found: dict[int, Benchmark] = {}
    for benchmark in Benchmark.objects.filter(indicator_id__in=indicator_ids).order_by("indicator_id", "-year"):
        found.setdefault(benchmark.indicator_id, benchmark)
    return found


def row_for(
    indicator: Indicator, history: list[tuple], benchmark: Benchmark | None, details: dict[int, tuple[str, bool]]
) -> Row:
    """The row of INDICATOR from HISTORY (newest first, as recent_measurements gives) and DETAILS
    (commentary and approval of the newest, as latest_details gives)."""
    row = Row(code=indicator.code, title=indicator.title, indicator_id=indicator.pk)
    row.spark = [item[1] for item in reversed(history)]
    if not history:
        return row
    period, value, target, status, measurement_id = history[0]
    commentary, approved = details.get(measurement_id, ("", False))
    polarity = indicator.polarity
    by_period = {item[0]: item for item in history}
    previous = by_period.get(periods.add_months(period, -indicator.step()))
    row.period, row.period_label = period, indicator.period_label(period)
    row.value, row.target, row.status = value, target, status
    row.value_text, row.target_text = indicator.format_value(value), indicator.format_value(target)
    row.commentary, row.approved, row.measurement_id = commentary, approved, measurement_id
    row.short_trend = rules.short_trend(latest=value, previous=previous[1] if previous else None, polarity=polarity)
    row.long_trend = rules.long_trend(
        latest=value,
        previous_year=sc_rules.previous_year_values([(p, v) for p, v, *_ in history[1:]], period),
        polarity=polarity,
    )
    year_start = periods.financial_year_start(period)
    in_year = [item[1] for item in reversed(history) if year_start <= item[0] <= period]
    if indicator.ytd_rule != rules.RATIO:
        row.ytd_text = indicator.format_value(rules.aggregate(in_year, indicator.ytd_rule))
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
    rows = {
        indicator.pk: row_for(indicator, history.get(indicator.pk, []), marks.get(indicator.pk), details)
        for indicator in indicators
    }
    _ratio_year_to_date([ind for ind in indicators if ind.ytd_rule == rules.RATIO], rows)
    return rows


def _ratio_year_to_date(indicators: list[Indicator], rows: dict[int, Row]) -> None:
    """Year to date of calculated PIs by the ratio of sums: the PI's formula applied to the sums of
    its components' values over the year so far. One query for all of them (none without any)."""
    wanted = {}
    for indicator in indicators:
        row = rows[indicator.pk]
        if indicator.formula and row.period is not None:
            try:
                wanted[indicator.pk] = (indicator, formula.codes_in(indicator.formula))
            except formula.FormulaError:
                continue
    if not wanted:
        return
    codes = set().union(*(found for _, found in wanted.values()))
    starts = [periods.financial_year_start(rows[pk].period) for pk in wanted]
    ends = [rows[pk].period for pk in wanted]
    components: dict[str, list[tuple]] = defaultdict(list)
    for code, period, value in Measurement.objects.filter(
        indicator__code__in=codes, value__isnull=False, period__gte=min(starts), period__lte=max(ends)
    ).values_list("indicator__code", "period", "value"):
        components[code].append((period, value))
    for pk, (indicator, found) in wanted.items():
        row = rows[pk]
        start = periods.financial_year_start(row.period)
        sums = {
            code: sum((value for period, value in components[code] if start <= period <= row.period), Decimal(0))
            for code in found
        }
        try:
            row.ytd_text = indicator.format_value(formula.evaluate(indicator.formula, sums))
        except formula.FormulaError:
            row.ytd_text = "–"


def frozen_row(item) -> Row:
    """A Row from an EditionRow."""
    return Row(
        code=item.code,
        title=item.title,
        indicator_id=item.indicator_id,
        plain_title=item.plain_title,
        period=item.period,
        period_label=item.period_label or "–",
        value=item.value,
        target=item.target,
        value_text=item.value_text or "–",
        target_text=item.target_text or "–",
        status=item.status,
        short_trend=item.short_trend,
        long_trend=item.long_trend,
        ytd_text=item.ytd_text or "–",
        quartile=item.quartile,
        commentary=item.commentary,
        approved=item.approved,
        spark=[Decimal(text) if text else None for text in item.spark.split(",")] if item.spark else [],
        signpost=item.signpost,
        public=item.public,
    )


def restatements(edition, rows: list) -> dict[int, Restatement]:
    """{edition row id: Restatement} for ROWS (EditionRows of EDITION) whose measurement now holds
    another value: old and new value, and who changed it, when and why (from the measurement's
    audit trail). Two queries whatever the number of rows."""
    wanted = {(row.indicator_id, row.period): row for row in rows if row.indicator_id and row.period}
    if not wanted:
        return {}
    current = {}
    ids = {indicator_id for indicator_id, _ in wanted}
    dates = {period for _, period in wanted}
    for measurement in Measurement.objects.filter(indicator_id__in=ids, period__in=dates).select_related("indicator"):
        if (measurement.indicator_id, measurement.period) in wanted:
            current[(measurement.indicator_id, measurement.period)] = measurement
    moved = {
        key: measurement
        for key, measurement in current.items()
        if sc_rules.changed(wanted[key].value, measurement.value)
    }
    if not moved:
        return {}
    last_change = {}
    for record in (
        Measurement.history.filter(id__in=[m.pk for m in moved.values()], history_date__gt=edition.issued_at)
        .select_related("history_user")
        .order_by("id", "-history_date", "-history_id")
    ):
        last_change.setdefault(record.id, record)
    found = {}
    for key, measurement in moved.items():
        row = wanted[key]
        record = last_change.get(measurement.pk)
        who = ""
        if record is not None and record.history_user is not None:
            who = record.history_user.name or record.history_user.username
        why = (record.history_change_reason if record is not None else "") or measurement.commentary
        found[row.pk] = Restatement(
            old_text=row.value_text or "–",
            new_text=measurement.indicator.format_value(measurement.value),
            who=who or "the system",
            when=record.history_date if record else None,
            why=why,
        )
    return found
