"""Writes to indicators: values, approvals, targets, definitions and the refresh of derived fields."""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators import formula as formulas
from indicators import hooks
from indicators import status as rules
from indicators.models import LATEST_FIELDS, Indicator, Measurement, TargetPeriod, target_in_force
from pmf import periods
from pmf.access import is_admin

_GROUPED = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)$")


def parse_number(text, *, field: str, unit: str | None = None) -> Decimal | None:
    """A number typed by a person: blank -> None; accepts "1,234", "1,234.5", "95%" (for % PIs)
    and "£1,200" (for money PIs). Refuses anything else with a message naming FIELD."""
    if text is None:
        return None
    if isinstance(text, int | float | Decimal):
        return Decimal(str(text))
    raw = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if not raw:
        return None
    cleaned = raw
    if cleaned.endswith("%"):
        if unit not in (None, Indicator.Unit.PERCENT):
            raise ValidationError({field: f"{raw!r} has a % sign but this PI is not measured in %."})
        cleaned = cleaned[:-1]
    if cleaned.startswith("£"):
        if unit not in (None, Indicator.Unit.GBP):
            raise ValidationError({field: f"{raw!r} has a £ sign but this PI is not measured in pounds."})
        cleaned = cleaned[1:]
    if _GROUPED.match(cleaned):
        cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        raise ValidationError({field: f"{raw!r} is ambiguous: use a full stop for decimals, e.g. 1234.5."})
    if not _PLAIN.match(cleaned):
        raise ValidationError({field: f"{raw!r} is not a number."})
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError({field: f"{raw!r} is not a number."}) from None


def check_period(indicator: Indicator, period: datetime.date, *, field: str = "period") -> None:
    if not indicator.is_valid_period(period):
        expected = indicator.period_for(period)
        raise ValidationError(
            {
                field: (
                    f"{period:%d %b %Y} is not a {indicator.get_frequency_display().lower()} period "
                    f"of {indicator.code}; use {expected:%d %b %Y} ({indicator.period_label(expected)})."
                )
            }
        )


def check_range(indicator: Indicator, value: Decimal | None, *, field: str = "value") -> None:
    if value is None:
        return
    if indicator.min_value is not None and value < indicator.min_value:
        raise ValidationError(
            {
                field: f"{value} is below the lowest allowed value of {indicator.code} "
                f"({indicator.min_value.normalize():f})."
            }
        )
    if indicator.max_value is not None and value > indicator.max_value:
        raise ValidationError(
            {
                field: f"{value} is above the highest allowed value of {indicator.code} "
                f"({indicator.max_value.normalize():f})."
            }
        )


class ConflictError(Exception):
    """Someone else saved the same measurement after the form was opened."""

    def __init__(self, measurement: Measurement):
        self.measurement = measurement
        who = measurement.entered_by.name if measurement.entered_by else "someone else"
        when = timezone.localtime(measurement.entered_at).strftime("%d %b %Y %H:%M") if measurement.entered_at else ""
        super().__init__(
            f"{measurement.indicator.code} {measurement.indicator.period_label(measurement.period)} was changed by "
            f"{who} {when} while you were editing; your entry was not saved. Check their value "
            f"({measurement.indicator.format_value(measurement.value)}) and save again."
        )


class EntriesInvalid(ValueError):
    """Entries with errors: {"CODE PERIOD": {field: message}}; nothing was saved."""

    def __init__(self, errors: dict[str, dict[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{key}: {' '.join(fields.values())}" for key, fields in errors.items()))


@dataclass
class ValueInput:
    """One value a person enters. `version` is the measurement version the form showed (0: new)."""

    indicator: Indicator
    period: datetime.date
    value: Decimal | None
    commentary: str = ""
    cause: str = ""
    action_taken: str = ""
    recovery_date: datetime.date | None = None
    data_quality_note: str = ""
    version: int | None = None
    target: Decimal | None = None
    set_target: bool = False
    errors: dict = field(default_factory=dict)


def targets_by_indicator(indicator_ids: Iterable[int]) -> dict[int, list[TargetPeriod]]:
    found: dict[int, list[TargetPeriod]] = defaultdict(list)
    for row in TargetPeriod.objects.filter(indicator_id__in=list(indicator_ids)).order_by(
        "indicator_id", "effective_from"
    ):
        found[row.indicator_id].append(row)
    return found


def colour(indicator: Indicator, value, target, period, targets: list[TargetPeriod]) -> str:
    row = target_in_force(targets, period)
    kind, tolerance = (row.tolerance_kind, row.tolerance) if row else (indicator.tolerance_kind, indicator.tolerance)
    return rules.traffic_light(
        value=value, target=target, polarity=indicator.polarity, tolerance=tolerance, tolerance_kind=kind
    )


def red_commentary_errors(entry: ValueInput) -> dict:
    errors = {}
    if not entry.cause.strip():
        errors["cause"] = "Say why the value is off target (it is red)."
    if not entry.action_taken.strip():
        errors["action_taken"] = "Say what action is being taken (the value is red)."
    if entry.recovery_date is None:
        errors["recovery_date"] = "Give the date performance is expected to recover (the value is red)."
    return errors


def can_approve(user, indicator: Indicator) -> bool:
    """The PI's owner, a manager over its unit or an admin approves its values."""
    if is_admin(user) or indicator.owner_id == user.pk:
        return True
    return Indicator.objects.editable_by(user).filter(pk=indicator.pk).exists()


@transaction.atomic
def save_values(*, entries: Sequence[ValueInput], user, require_red_commentary: bool = True) -> list[Measurement]:
    """Save ENTRIES all at once or not at all.

    Checks each entry (period matches the frequency, value within range, structured commentary
    when red, not approved, no conflicting edit) and raises EntriesInvalid listing every entry's
    errors (keyed "CODE PERIOD") or ConflictError before anything is written.
    Side effects: creates or updates Measurement rows (version raised, entered by/at set, target
    taken from the effective-dated targets, status cached) with one history row each; recalculates
    calculated PIs that use these codes; refreshes the latest-value fields of every PI touched."""
    if not entries:
        return []
    indicator_ids = {entry.indicator.pk for entry in entries}
    wanted_periods = {entry.period for entry in entries}
    existing = {
        (m.indicator_id, m.period): m
        for m in Measurement.objects.select_for_update(of=("self",))
        .select_related("entered_by", "indicator")
        .filter(indicator_id__in=indicator_ids, period__in=wanted_periods)
    }
    targets = targets_by_indicator(indicator_ids)
    now = timezone.now()
    errors: dict[str, dict] = {}
    to_create, to_update = [], []
    for entry in entries:
        indicator = entry.indicator
        key = f"{indicator.code} {indicator.period_label(entry.period)}"
        row_errors = dict(entry.errors)
        try:
            check_period(indicator, entry.period)
            check_range(indicator, entry.value)
        except ValidationError as exc:
            row_errors.update({name: " ".join(messages) for name, messages in exc.message_dict.items()})
        if indicator.is_calculated:
            row_errors["value"] = f"{indicator.code} is calculated from its formula; enter its inputs instead."
        measurement = existing.get((indicator.pk, entry.period))
        if measurement is not None and entry.version is not None and measurement.version != entry.version:
            raise ConflictError(measurement)
        if measurement is None and entry.version not in (None, 0):
            raise ConflictError(Measurement(indicator=indicator, period=entry.period, version=0))
        if measurement is not None and measurement.is_approved:
            row_errors["value"] = f"{key} has been approved and is locked; ask the performance team to reopen it."
        if entry.set_target:
            target = entry.target
        elif measurement is not None and measurement.target is not None:
            target = measurement.target
        else:
            row = target_in_force(targets.get(indicator.pk, []), entry.period)
            target = row.target if row else None
        status = colour(indicator, entry.value, target, entry.period, targets.get(indicator.pk, []))
        if require_red_commentary and status == rules.RED:
            row_errors.update(red_commentary_errors(entry))
        if row_errors:
            errors[key] = row_errors
            continue
        if measurement is None:
            measurement = Measurement(indicator=indicator, period=entry.period, version=0)
            to_create.append(measurement)
        else:
            to_update.append(measurement)
        measurement.value = entry.value
        measurement.target = target
        measurement.status = status
        measurement.commentary = entry.commentary.strip()
        measurement.cause = entry.cause.strip() if status == rules.RED else ""
        measurement.action_taken = entry.action_taken.strip() if status == rules.RED else ""
        measurement.recovery_date = entry.recovery_date if status == rules.RED else None
        measurement.data_quality_note = entry.data_quality_note.strip()
        measurement.calculation_error = ""
        measurement.entered_by = user
        measurement.entered_at = now
        measurement.version += 1
    if errors:
        raise EntriesInvalid(errors)
    if to_create:
        bulk_create_with_history(to_create, Measurement, default_user=user, default_date=now)
    if to_update:
        _update_entered(to_update)
        Measurement.history.bulk_history_create(to_update, update=True, default_user=user, default_date=now)
    touched = {entry.indicator.pk for entry in entries}
    touched |= recalculate_dependants(
        codes={entry.indicator.code for entry in entries}, periods=wanted_periods, user=user
    )
    refresh_latest(indicator_ids=touched)
    return to_create + to_update


ENTERED_FIELDS = [
    "value",
    "target",
    "status",
    "commentary",
    "cause",
    "action_taken",
    "recovery_date",
    "data_quality_note",
    "calculation_error",
    "entered_by",
    "entered_at",
    "version",
]


def _update_entered(measurements: list[Measurement]) -> None:
    """Write the entered fields of MEASUREMENTS: one UPDATE ... FROM unnest() on PostgreSQL
    (bulk_update's CASE expressions cost ~2 ms a row to build), bulk_update elsewhere."""
    if connection.vendor != "postgresql":
        Measurement.objects.bulk_update(measurements, ENTERED_FIELDS, batch_size=500)
        return
    columns = [
        [m.pk for m in measurements],
        [m.value for m in measurements],
        [m.target for m in measurements],
        [m.status for m in measurements],
        [m.commentary for m in measurements],
        [m.cause for m in measurements],
        [m.action_taken for m in measurements],
        [m.recovery_date for m in measurements],
        [m.data_quality_note for m in measurements],
        [m.calculation_error for m in measurements],
        [m.entered_by_id for m in measurements],
        [m.entered_at for m in measurements],
        [m.version for m in measurements],
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE indicators_measurement AS m SET value = u.value, target = u.target, status = u.status, "
            "commentary = u.commentary, cause = u.cause, action_taken = u.action_taken, "
            "recovery_date = u.recovery_date, data_quality_note = u.dq, calculation_error = u.ce, "
            "entered_by_id = u.entered_by, entered_at = u.entered_at, version = u.version "
            "FROM unnest(%s::int[], %s::numeric[], %s::numeric[], %s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::date[], %s::text[], %s::text[], %s::int[], %s::timestamptz[], %s::int[]) "
            "AS u(id, value, target, status, commentary, cause, action_taken, recovery_date, dq, ce, entered_by, "
            "entered_at, version) WHERE m.id = u.id",
            columns,
        )


def measurement_update(
    *,
    indicator: Indicator,
    period: datetime.date,
    value: Decimal | None,
    user,
    commentary: str = "",
    cause: str = "",
    action_taken: str = "",
    recovery_date: datetime.date | None = None,
    data_quality_note: str = "",
    version: int | None = None,
) -> Measurement:
    """Save one period's value of INDICATOR; see save_values for the checks and side effects."""
    entry = ValueInput(
        indicator=indicator,
        period=period,
        value=value,
        commentary=commentary,
        cause=cause,
        action_taken=action_taken,
        recovery_date=recovery_date,
        data_quality_note=data_quality_note,
        version=version,
    )
    return save_values(entries=[entry], user=user)[0]


@transaction.atomic
def approve(*, measurement: Measurement, user) -> Measurement:
    """Approve a value (the PI's owner, a manager over it or an admin); the updater can no longer
    change it. Side effects: approved by/at set, one history row."""
    if not can_approve(user, measurement.indicator):
        raise PermissionDenied("Only the PI's owner, a manager over it or the performance team can approve values.")
    if measurement.value is None:
        raise ValidationError({"value": "There is no value to approve."})
    measurement.approved_by = user
    measurement.approved_at = timezone.now()
    measurement.version += 1
    measurement.save(update_fields=["approved_by", "approved_at", "version"])
    return measurement


@transaction.atomic
def reopen(*, measurement: Measurement, user) -> Measurement:
    """Unlock an approved value so it can be corrected (admins only). Side effects: approval
    cleared, one history row."""
    if not is_admin(user):
        raise PermissionDenied("Only the performance team can reopen an approved value.")
    measurement.approved_by = None
    measurement.approved_at = None
    measurement.version += 1
    measurement.save(update_fields=["approved_by", "approved_at", "version"])
    return measurement


@transaction.atomic
def set_target(
    *,
    indicator: Indicator,
    effective_from: datetime.date,
    target: Decimal | None,
    tolerance_kind: str,
    tolerance: Decimal,
    user,
) -> TargetPeriod:
    """Set the target and tolerance in force from EFFECTIVE_FROM until the next target change.

    Side effects: creates or updates a TargetPeriod (history row); measurements of periods from
    EFFECTIVE_FROM up to the next change take the new target and are re-coloured, except those
    approved or issued in a scorecard; the PI's latest fields are refreshed. Earlier periods keep
    their targets and colours."""
    check_period(indicator, effective_from, field="effective_from")
    row, _ = TargetPeriod.objects.update_or_create(
        indicator=indicator,
        effective_from=effective_from,
        defaults={"target": target, "tolerance_kind": tolerance_kind, "tolerance": tolerance},
    )
    following = (
        TargetPeriod.objects.filter(indicator=indicator, effective_from__gt=effective_from)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    affected = Measurement.objects.filter(indicator=indicator, period__gte=effective_from, approved_at__isnull=True)
    if following:
        affected = affected.filter(period__lt=following)
    targets = targets_by_indicator([indicator.pk])[indicator.pk]
    changed = []
    for measurement in affected:
        if hooks.is_issued(indicator.pk, measurement.period):
            continue
        measurement.target = target
        measurement.status = colour(indicator, measurement.value, target, measurement.period, targets)
        changed.append(measurement)
    if changed:
        bulk_update_with_history(changed, Measurement, ["target", "status"], default_user=user)
    refresh_latest(indicator_ids={indicator.pk})
    return row


# Calculated PIs ------------------------------------------------------------------------------


def validate_formula(
    *, code: str, formula: str, known_codes: Iterable[str] | None = None, other_formulas: dict[str, str] | None = None
) -> None:
    """Raise ValidationError (field "formula") for a formula that does not parse, uses an unknown
    code or itself, or closes a cycle through other calculated PIs."""
    if not formula:
        return
    try:
        used = formulas.codes_in(formula)
    except formulas.FormulaError as exc:
        raise ValidationError({"formula": str(exc)}) from None
    known = set(known_codes) if known_codes is not None else set(Indicator.objects.values_list("code", flat=True))
    unknown = sorted(used - known - {code})
    if unknown:
        raise ValidationError({"formula": f"Unknown PI code{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}."})
    if code in used:
        raise ValidationError({"formula": f"The formula of {code} cannot use {code} itself."})
    if other_formulas is None:
        other_formulas = dict(Indicator.objects.exclude(formula="").exclude(code=code).values_list("code", "formula"))
    cycle = formulas.find_cycle(code, formula, other_formulas)
    if cycle:
        raise ValidationError({"formula": f"The formula makes a cycle: {' -> '.join(cycle)}."})


def recalculate_dependants(*, codes: set[str], periods: set[datetime.date], user, _depth: int = 0) -> set[int]:
    """Recompute calculated PIs that use any of CODES for PERIODS; returns the ids changed.

    A period issued in a scorecard edition (hooks.is_issued) is left as it was. A failure (missing
    input, division by zero) clears the value and records the message in calculation_error.
    Side effects: measurements created or updated with history rows; repeats for PIs that use
    the recalculated ones (cycles are refused when formulas are saved; depth is capped anyway)."""
    if not codes or not periods or _depth > 10:
        return set()
    calculated = [
        ind
        for ind in Indicator.objects.exclude(formula="").filter(active=True)
        if formulas.codes_in(ind.formula) & codes
    ]
    if not calculated:
        return set()
    needed = set().union(*(formulas.codes_in(ind.formula) for ind in calculated))
    inputs = defaultdict(dict)
    for code, period, value in Measurement.objects.filter(indicator__code__in=needed, period__in=periods).values_list(
        "indicator__code", "period", "value"
    ):
        inputs[period][code] = value
    existing = {
        (m.indicator_id, m.period): m
        for m in Measurement.objects.select_for_update(of=("self",)).filter(
            indicator__in=calculated, period__in=periods
        )
    }
    targets = targets_by_indicator(ind.pk for ind in calculated)
    now = timezone.now()
    to_create, to_update, changed_codes = [], [], set()
    for indicator in calculated:
        for period in periods:
            if not indicator.is_valid_period(period) or hooks.is_issued(indicator.pk, period):
                continue
            values = {code: inputs[period].get(code) for code in needed}
            try:
                value, error = formulas.evaluate(indicator.formula, values), ""
            except formulas.FormulaError as exc:
                value, error = None, str(exc)
            measurement = existing.get((indicator.pk, period))
            if measurement is None:
                if value is None and not any(values[c] is not None for c in formulas.codes_in(indicator.formula)):
                    continue
                row = target_in_force(targets.get(indicator.pk, []), period)
                measurement = Measurement(
                    indicator=indicator, period=period, version=0, target=row.target if row else None
                )
                to_create.append(measurement)
            elif measurement.value == value and measurement.calculation_error == error:
                continue
            else:
                to_update.append(measurement)
            measurement.value = value
            measurement.calculation_error = error[:300]
            measurement.status = colour(indicator, value, measurement.target, period, targets.get(indicator.pk, []))
            measurement.entered_by = user
            measurement.entered_at = now
            measurement.version += 1
            changed_codes.add(indicator.code)
    if to_create:
        bulk_create_with_history(
            to_create, Measurement, default_user=user, default_date=now, default_change_reason="Calculated"
        )
    if to_update:
        bulk_update_with_history(
            to_update,
            Measurement,
            ["value", "calculation_error", "status", "entered_by", "entered_at", "version"],
            default_user=user,
            default_date=now,
            default_change_reason="Recalculated",
        )
    changed = {m.indicator_id for m in to_create + to_update}
    return changed | recalculate_dependants(codes=changed_codes, periods=periods, user=user, _depth=_depth + 1)


# Latest-value fields -------------------------------------------------------------------------


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


# Year-to-date and quarter values ------------------------------------------------------------


@dataclass
class PeriodSummary:
    label: str
    value: Decimal | None
    periods: int


def summaries(indicator: Indicator, *, as_of: datetime.date) -> list[PeriodSummary]:
    """The quarter-to-date and year-to-date values of a monthly or quarterly PI up to AS_OF,
    aggregated by the PI's year-to-date rule (ratio of sums adds up the formula's inputs)."""
    if indicator.frequency == Indicator.Frequency.ANNUAL:
        return []
    year_start = periods.financial_year_start(as_of)
    rows = dict(indicator.measurements.filter(period__gte=year_start, period__lte=as_of).values_list("period", "value"))
    spans = [(f"Year to date {periods.fy_label(as_of)}", year_start)]
    if indicator.frequency == Indicator.Frequency.MONTHLY:
        spans.insert(0, (f"Quarter to date {periods.quarter_label(as_of)}", periods.quarter_start(as_of)))
    numerators = denominators = {}
    if indicator.ytd_rule == Indicator.YtdRule.RATIO and indicator.formula:
        used = [node for node in formulas.codes_in(indicator.formula)]
        ordered = sorted(used, key=indicator.formula.index)
        if len(ordered) == 2:
            inputs = defaultdict(dict)
            for code, period, value in Measurement.objects.filter(
                indicator__code__in=ordered, period__gte=year_start, period__lte=as_of
            ).values_list("indicator__code", "period", "value"):
                inputs[code][period] = value
            numerators, denominators = inputs[ordered[0]], inputs[ordered[1]]
    found = []
    for label, start in spans:
        chosen = sorted(period for period in rows if period >= start)
        value = (
            rules.aggregate(
                [rows[p] for p in chosen],
                indicator.ytd_rule,
                numerators=[numerators.get(p) for p in chosen],
                denominators=[denominators.get(p) for p in chosen],
            )
            if indicator.ytd_rule != Indicator.YtdRule.RATIO or numerators
            else None
        )
        found.append(PeriodSummary(label=label, value=value, periods=len(chosen)))
    return found
