"""Exports of PIs: the PI list as shown, and definitions and values in the shape their imports read.

Every export reads plain tuples from a `values_list` query through a server-side cursor (no model
instances) and yields one row at a time, so `pmf.spreadsheets.stream` sends any number of rows in
constant memory. Per-row work is a few dictionary lookups; labels that depend only on a value
(a period's label, a status word) are worked out once per distinct value.
"""

import contextlib
from collections.abc import Iterator
from itertools import batched

from django.db import connection
from django.utils import timezone

from indicators import rules
from indicators.imports import DEFINITION_COLUMNS, VALUE_COLUMNS
from indicators.models import Indicator
from pmf import periods
from pmf.spreadsheets import plain_number

CHUNK = 10_000
TAG_CHUNK = 2000
# Labels worked out once are kept up to this many, so memory stays bounded on any export.
MEMO_SIZE = 10_000

LIST_COLUMNS = [
    "Status",
    "Code",
    "Title",
    "Unit",
    "Latest period",
    "Last update",
    "Current value",
    "Target",
    "Short trend",
    "Long trend",
    "Managed by",
    "Assigned to",
]


class _PeriodLabels(dict):
    """{(frequency, period): label}, each label worked out once (`Indicator.period_label`'s rule)."""

    def __missing__(self, key):
        frequency, period = key
        if period is None:
            label = ""
        elif frequency == Indicator.Frequency.QUARTERLY:
            label = periods.quarter_label(period)
        elif frequency == Indicator.Frequency.ANNUAL:
            label = periods.fy_label(period)
        else:
            label = periods.month_label(period)
        self[key] = label
        return label


class _LocalMinutes(dict):
    """{moment: "YYYY-MM-DD HH:MM" in ZONE}, each worked out once (values saved together share one)."""

    def __init__(self, zone):
        super().__init__()
        self.zone = zone

    def __missing__(self, moment):
        if len(self) >= MEMO_SIZE:
            self.clear()
        if moment is None:
            text = ""
        else:
            local = moment.astimezone(self.zone)
            text = f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"
        self[moment] = text
        return text


class _Numbers(dict):
    """{number: `plain_number(number)`}, each worked out once (values repeat across thousands of PIs)."""

    def __missing__(self, number):
        if len(self) >= MEMO_SIZE:
            self.clear()
        text = self[number] = plain_number(number)
        return text


@contextlib.contextmanager
def _whole_result_plans():
    """PostgreSQL plans a server-side cursor for its first tenth of rows (cursor_tuple_fraction),
    which suits paging but not an export that reads every row: while the rows are read, it is
    asked to plan for all of them (a third less database time for the PI list). Elsewhere, nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET cursor_tuple_fraction")


def list_rows(indicators) -> Iterator[list]:
    """The PI list as the page shows it (INDICATORS: a queryset, filtered and sorted), one row a PI."""
    yield LIST_COLUMNS
    labels, minutes, numbers = _PeriodLabels(), _LocalMinutes(timezone.get_current_timezone()), _Numbers()
    status_labels, trend_labels = rules.STATUS_LABELS, rules.TREND_LABELS
    fields = (
        "latest_status",
        "code",
        "title",
        "org_unit__name",
        "frequency",
        "latest_period",
        "latest_updated_at",
        "latest_value",
        "latest_target",
        "short_trend",
        "long_trend",
        "owner__name",
        "updater__name",
    )
    with _whole_result_plans():
        for (
            status,
            code,
            title,
            unit,
            frequency,
            period,
            updated,
            value,
            target,
            short,
            long,
            owner,
            updater,
        ) in indicators.values_list(*fields).iterator(chunk_size=CHUNK):
            yield [
                status_labels[status],
                code,
                title,
                unit,
                labels[frequency, period],
                minutes[updated],
                numbers[value],
                numbers[target],
                trend_labels[short],
                trend_labels[long],
                owner or "",
                updater or "",
            ]


def definition_rows(indicators) -> Iterator[list]:
    """PI definitions in the import's shape (INDICATORS: a queryset, sorted). Tags are read with one
    query per TAG_CHUNK PIs."""
    yield DEFINITION_COLUMNS
    fields = (
        "pk",
        "code",
        "title",
        "org_unit__code",
        "unit",
        "polarity",
        "frequency",
        "decimals",
        "ytd_rule",
        "tolerance_kind",
        "tolerance",
        "min_value",
        "max_value",
        "owner__username",
        "updater__username",
        "source",
        "formula",
        "proxy_for__code",
        "active",
        "description",
        "definition",
        "guidance",
    )
    through = Indicator.tags.through
    for chunk in batched(indicators.values_list(*fields).iterator(chunk_size=CHUNK), TAG_CHUNK):
        tags: dict[int, list[str]] = {}
        for indicator_id, name in (
            through.objects.filter(indicator_id__in=[row[0] for row in chunk])
            .order_by("tag__name")
            .values_list("indicator_id", "tag__name")
        ):
            tags.setdefault(indicator_id, []).append(name)
        for (
            pk,
            code,
            title,
            unit_code,
            unit,
            polarity,
            frequency,
            decimals,
            ytd_rule,
            tolerance_kind,
            tolerance,
            min_value,
            max_value,
            owner,
            updater,
            source,
            formula,
            proxy_for,
            active,
            description,
            definition,
            guidance,
        ) in chunk:
            yield [
                code,
                title,
                unit_code,
                unit,
                polarity,
                frequency,
                decimals,
                ytd_rule,
                tolerance_kind,
                plain_number(tolerance),
                plain_number(min_value),
                plain_number(max_value),
                owner or "",
                updater or "",
                source,
                ";".join(tags.get(pk, ())),
                formula,
                proxy_for or "",
                "yes" if active else "no",
                description,
                definition,
                guidance,
            ]


def value_rows(measurements) -> Iterator[list]:
    """Values in the import's shape; MEASUREMENTS yields (code, period, value, target, commentary)."""
    yield VALUE_COLUMNS
    numbers: dict = _Numbers()
    days: dict = {}
    with _whole_result_plans():
        for code, period, value, target, commentary in measurements:
            day = days.get(period)
            if day is None:
                if len(days) >= MEMO_SIZE:
                    days.clear()
                day = days[period] = period.isoformat()
            yield [code, day, numbers[value], numbers[target], commentary]
