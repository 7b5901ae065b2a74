"""Saving values: the monthly update and single-period form, approval and reopening."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cycle.calendar import PeriodLocks
from indicators import entry as entry_rules
from indicators import rules
from indicators.models import Indicator, Measurement, target_in_force
from indicators.services.calculated import recalculate_dependants
from indicators.services.latest import refresh_latest
from indicators.services.targets import colour, targets_by_indicator
from pmf.access import admin_covers
from pmf.locking import EditConflict


def measurement_conflict(measurement: Measurement) -> EditConflict:
    """The EditConflict for MEASUREMENT, saved by someone else after the form was opened."""
    who = measurement.entered_by.name if measurement.entered_by else "someone else"
    when = timezone.localtime(measurement.entered_at).strftime("%d %b %Y %H:%M") if measurement.entered_at else ""
    return EditConflict(
        f"{measurement.indicator.code} {measurement.indicator.period_label(measurement.period)} was changed by "
        f"{who} {when} while you were editing; your entry was not saved. Check their value "
        f"({measurement.indicator.format_value(measurement.value)}) and save again.",
        instance=measurement,
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
    reason: str = ""  # why a value of a locked or issued period is corrected


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
    if indicator.owner_id == user.pk:
        return True
    return Indicator.objects.editable_by(user).filter(pk=indicator.pk).exists()


@transaction.atomic
def save_values(*, entries: Sequence[ValueInput], user, require_red_commentary: bool = True) -> list[Measurement]:
    """Save ENTRIES all at once or not at all.

    Checks each entry by `indicators.entry` (period of the PI's frequency, no typed value for a
    calculated PI, value and any target within range, not approved, not in a locked period unless
    USER manages the PI and gives a reason), then structured commentary when red and no
    conflicting edit; raises EntriesInvalid listing every entry's errors (keyed "CODE PERIOD") or
    EditConflict before anything is written.
    Side effects: creates or updates Measurement rows (version raised, entered by/at set, target
    taken from the effective-dated targets, status cached) with one history row each (carrying the
    reason when one is given, as it must be for a locked period; an issued edition shows it as its
    restatement's why); recalculates calculated PIs that use these codes; refreshes the latest-value
    fields of every PI touched."""
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
    locked = _locked_periods(entries)
    correctable = (
        set(Indicator.objects.editable_by(user).filter(pk__in={pk for pk, _ in locked}).values_list("pk", flat=True))
        if locked
        else set()
    )
    now = timezone.now()
    errors: dict[str, dict] = {}
    to_create, to_update = [], []
    for entry in entries:
        indicator = entry.indicator
        definition = entry_rules.Definition.of(indicator)
        key = f"{indicator.code} {indicator.period_label(entry.period)}"
        # The entry rules' verdict replaces a reading error on the same field ("enter a value"
        # says less than "this PI is calculated").
        row_errors = entry.errors | entry_rules.entry_errors(
            definition,
            period=entry.period,
            value=entry.value,
            target=entry.target if entry.set_target else None,
            value_given=True,
        )
        measurement = existing.get((indicator.pk, entry.period))
        if measurement is not None and entry.version is not None and measurement.version != entry.version:
            raise measurement_conflict(measurement)
        if measurement is None and entry.version not in (None, 0):
            raise measurement_conflict(Measurement(indicator=indicator, period=entry.period, version=0))
        if measurement is not None and measurement.is_approved:
            row_errors |= entry_rules.approved_errors(definition, entry.period)
        locked_on = locked.get((indicator.pk, entry.period))
        row_errors |= entry_rules.locked_errors(
            definition, entry.period, locked_on=locked_on, may_correct=indicator.pk in correctable, reason=entry.reason
        )
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
        if locked_on is not None or entry.reason.strip():
            measurement._change_reason = entry.reason.strip()
    if errors:
        raise EntriesInvalid(errors)
    if to_create:
        _create_first_values(to_create, user=user, now=now)
    if to_update:
        _update_entered(to_update)
        Measurement.history.bulk_history_create(to_update, update=True, default_user=user, default_date=now)
    touched = {entry.indicator.pk for entry in entries}
    touched |= recalculate_dependants(
        codes={entry.indicator.code for entry in entries}, periods=wanted_periods, user=user
    )
    refresh_latest(indicator_ids=touched)
    return to_create + to_update


def _create_first_values(measurements: list[Measurement], *, user, now) -> None:
    """Insert the first values of MEASUREMENTS. When someone else saved a first value of the same
    PI and period after this save read the table (two people, or an import and a person, at the
    same moment), the unique key refuses the insert: that is an ordinary edit conflict, reported
    with the value they saved, never a database error."""
    try:
        with transaction.atomic():
            bulk_create_with_history(measurements, Measurement, default_user=user, default_date=now)
    except IntegrityError:
        keys = Q()
        for measurement in measurements:
            keys |= Q(indicator_id=measurement.indicator_id, period=measurement.period)
        saved = Measurement.objects.filter(keys).select_related("entered_by", "indicator").order_by("pk").first()
        if saved is None:
            raise
        raise measurement_conflict(saved) from None


def _locked_periods(entries: Sequence[ValueInput]) -> dict[tuple[int, datetime.date], datetime.date]:
    """{(PI id, period): day it locked} for the ENTRIES whose period has locked."""
    locks = PeriodLocks.load()
    if not locks.any:
        return {}
    locks.calendars.know({entry.indicator.org_unit_id for entry in entries})
    found = {}
    for entry in entries:
        locked_on = locks.locked_on(entry.indicator.org_unit_id, entry.indicator.frequency, entry.period)
        if locked_on is not None:
            found[(entry.indicator.pk, entry.period)] = locked_on
    return found


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
    if not admin_covers(user, measurement.indicator.org_unit):
        raise PermissionDenied("Only the performance team over this PI's unit can reopen an approved value.")
    measurement.approved_by = None
    measurement.approved_at = None
    measurement.version += 1
    measurement.save(update_fields=["approved_by", "approved_at", "version"])
    return measurement
