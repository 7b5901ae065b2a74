"""The latest-value fields denormalised on each PI (latest period, value, target, status and
trends), refreshed after every write so list pages need no per-row queries."""

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Max

from indicators import rules
from indicators.models import LATEST_FIELDS, Indicator, Measurement
from pmf import periods


def latest_fields(indicator: Indicator, latest: tuple | None, previous, previous_year: Sequence) -> dict:
    """The denormalised fields given LATEST = (period, value, target, status, entered_at) of the
    newest measurement with a value, the PREVIOUS period's value and the values of the year of
    periods before the latest (for the long trend)."""
    if latest is None:
        return {
            "latest_period": None,
            "latest_value": None,
            "latest_target": None,
            "latest_status": rules.UNKNOWN,
            "latest_updated_at": None,
            "short_trend": "",
            "long_trend": "",
        }
    period, value, target, status, entered_at = latest
    return {
        "latest_period": period,
        "latest_value": value,
        "latest_target": target,
        "latest_status": status,
        "latest_updated_at": entered_at,
        "short_trend": rules.short_trend(latest=value, previous=previous, polarity=indicator.polarity),
        "long_trend": rules.long_trend(latest=value, previous_year=previous_year, polarity=indicator.polarity),
    }


def refresh_latest(*, indicator_ids: Iterable[int], chunk: int = 5000) -> int:
    """Recompute the latest-value fields of the given PIs from their measurements.

    Side effects: Indicator rows updated in bulk (these fields are derived, so no history row)."""
    ids = sorted(set(indicator_ids))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        indicators = Indicator.objects.only("pk", "polarity", "frequency").in_bulk(part)
        reader = _latest_postgresql if connection.vendor == "postgresql" else _latest_generic
        _write_latest(reader(indicators))
    return len(ids)


def _latest_generic(indicators: dict[int, Indicator]) -> dict[int, dict]:
    latest = dict(
        Measurement.objects.filter(indicator_id__in=list(indicators), value__isnull=False)
        .values("indicator_id")
        .annotate(last=Max("period"))
        .values_list("indicator_id", "last")
    )
    rows = defaultdict(list)
    if latest:
        since = periods.add_months(min(latest.values()), -12)
        for indicator_id, *row in (
            Measurement.objects.filter(indicator_id__in=list(latest), value__isnull=False, period__gte=since)
            .order_by("indicator_id", "-period")
            .values_list("indicator_id", "period", "value", "target", "status", "entered_at")
        ):
            if row[0] >= periods.add_months(latest[indicator_id], -12):
                rows[indicator_id].append(tuple(row))
    fresh = {}
    for pk, indicator in indicators.items():
        found = rows.get(pk, [])
        if not found:
            fresh[pk] = latest_fields(indicator, None, None, [])
            continue
        newest = found[0]
        previous_period = periods.add_months(newest[0], -indicator.step())
        previous = next((row[1] for row in found[1:] if row[0] == previous_period), None)
        fresh[pk] = latest_fields(indicator, newest, previous, [row[1] for row in found[1:]])
    return fresh


def _latest_postgresql(indicators: dict[int, Indicator]) -> dict[int, dict]:
    """Two indexed queries for any number of PIs: the newest row of each (DISTINCT ON), then the
    previous period's value and the mean of the year before it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT ON (indicator_id) indicator_id, period, value, target, status, entered_at "
            "FROM indicators_measurement WHERE indicator_id = ANY(%s) AND value IS NOT NULL "
            "ORDER BY indicator_id, period DESC",
            [list(indicators)],
        )
        newest = {row[0]: row[1:] for row in cursor.fetchall()}
        context = {}
        if newest:
            pks = list(newest)
            cursor.execute(
                "SELECT u.id, (SELECT m.value FROM indicators_measurement m WHERE m.indicator_id = u.id "
                "AND m.period = u.prev), "
                "(SELECT avg(m.value) FROM indicators_measurement m WHERE m.indicator_id = u.id "
                "AND m.period >= u.year_ago AND m.period < u.latest AND m.value IS NOT NULL) "
                "FROM unnest(%s::int[], %s::date[], %s::date[], %s::date[]) AS u(id, prev, year_ago, latest)",
                [
                    pks,
                    [periods.add_months(newest[pk][0], -indicators[pk].step()) for pk in pks],
                    [periods.add_months(newest[pk][0], -12) for pk in pks],
                    [newest[pk][0] for pk in pks],
                ],
            )
            context = {row[0]: row[1:] for row in cursor.fetchall()}
    fresh = {}
    for pk, indicator in indicators.items():
        if pk not in newest:
            fresh[pk] = latest_fields(indicator, None, None, [])
            continue
        previous, year_mean = context[pk]
        fresh[pk] = latest_fields(indicator, newest[pk], previous, [] if year_mean is None else [year_mean])
    return fresh


def _write_latest(fresh: dict[int, dict]) -> None:
    """Store the latest-value fields: one UPDATE ... FROM unnest() on PostgreSQL (bulk_update's
    CASE expressions grow quadratically with the batch), bulk_update elsewhere."""
    if not fresh:
        return
    if connection.vendor == "postgresql":
        pks = list(fresh)
        columns = [[fresh[pk][name] for pk in pks] for name in LATEST_FIELDS]
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE indicators_indicator AS ind SET latest_period = u.lp, latest_value = u.lv, "
                "latest_target = u.lt, latest_status = u.ls, latest_updated_at = u.lu, short_trend = u.st, "
                "long_trend = u.lg FROM unnest(%s::int[], %s::date[], %s::numeric[], %s::numeric[], %s::text[], "
                "%s::timestamptz[], %s::text[], %s::text[]) AS u(id, lp, lv, lt, ls, lu, st, lg) WHERE ind.id = u.id",
                [pks, *columns],
            )
        return
    objs = []
    for pk, values in fresh.items():
        obj = Indicator(pk=pk)
        for name, value in values.items():
            setattr(obj, name, value)
        objs.append(obj)
    Indicator.objects.bulk_update(objs, LATEST_FIELDS, batch_size=500)
