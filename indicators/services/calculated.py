"""Calculated PIs: checking a formula and recomputing the PIs whose inputs changed."""

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators import formula as formulas
from indicators.models import Indicator, Measurement, target_in_force
from indicators.services.targets import colour, targets_by_indicator


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


def recalculate_dependants(*, codes: set[str], periods: set[datetime.date], user) -> set[int]:
    """Recompute calculated PIs that use any of CODES for PERIODS, and the PIs that use those in
    turn; returns the ids changed.

    Every period follows its inputs, issued ones included: an issued edition keeps its frozen rows
    and shows the change as a restatement. A failure (missing input, division by zero, a formula
    saved before a rule refused it) clears the value and records the message in
    calculation_error.
    Consistent under concurrent saves: before reading any input it takes a lock per (calculated
    PI, period) it may write (`_lock_for_recalculation`), so of two saves of different inputs
    the later one waits for the earlier to commit and then reads both inputs.
    Side effects: measurements created or updated with history rows."""
    if not codes or not periods:
        return set()
    formulas_by_pi = {
        ind: formulas.codes_mentioned(ind.formula) for ind in Indicator.objects.exclude(formula="").filter(active=True)
    }
    reached = _reached(codes, formulas_by_pi)
    if not reached:
        return set()
    _lock_for_recalculation({ind.pk for ind in reached}, periods)
    changed: set[int] = set()
    changed_codes = set(codes)
    # Each round recomputes the PIs that use a code changed in the previous one; cycles are
    # refused when formulas are saved, and a chain is at most as long as there are PIs.
    for _ in range(len(reached)):
        calculated = [ind for ind in reached if formulas_by_pi[ind] & changed_codes]
        if not calculated:
            break
        ids, changed_codes = _recalculate(calculated, formulas_by_pi, periods, user)
        changed |= ids
    return changed


def _reached(codes: set[str], formulas_by_pi: dict[Indicator, set[str]]) -> list[Indicator]:
    """The calculated PIs whose values depend, directly or through other calculated PIs, on CODES."""
    reached: list[Indicator] = []
    frontier = set(codes)
    while frontier:
        found = [ind for ind, used in formulas_by_pi.items() if used & frontier and ind not in reached]
        reached.extend(found)
        frontier = {ind.code for ind in found}
    return reached


def _lock_for_recalculation(indicator_ids: set[int], periods: set[datetime.date]) -> None:
    """Wait for, then hold until this transaction ends, PostgreSQL advisory locks on each
    (calculated PI, period), taken in one fixed order so two saves cannot wait on each other.
    Another save's recalculation of the same PI and period waits here until this one commits,
    and its later reads see what this one wrote. SQLite lets one transaction write at a time,
    so there nothing is needed."""
    if connection.vendor != "postgresql":
        return
    keys = sorted({_lock_key(pk, period) for pk in indicator_ids for period in periods})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(key)) FROM "
            "(SELECT key FROM unnest(%s::bigint[]) AS key ORDER BY key OFFSET 0) AS ordered",
            [keys],
        )


def _lock_key(indicator_id: int, period: datetime.date) -> int:
    digest = hashlib.blake2b(f"calculated-pi:{indicator_id}:{period:%Y-%m}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _value_limit() -> Decimal:
    field = Measurement._meta.get_field("value")
    return Decimal(10) ** (field.max_digits - field.decimal_places)


def _evaluate(indicator: Indicator, values: dict[str, Decimal | None]) -> tuple[Decimal | None, str]:
    """The value of INDICATOR's formula, or None and the message saying why there is none."""
    try:
        value = formulas.evaluate(indicator.formula, values)
    except formulas.FormulaError as exc:
        return None, str(exc)
    if abs(value) >= _value_limit():
        return None, f"The formula gives {value:.6g}, too large to record."
    return value, ""


def _recalculate(
    calculated: list[Indicator], formulas_by_pi: dict[Indicator, set[str]], periods: set[datetime.date], user
) -> tuple[set[int], set[str]]:
    """Recompute CALCULATED for PERIODS from the inputs as they stand now; the ids and codes changed."""
    needed = set().union(*(formulas_by_pi[ind] for ind in calculated))
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
            if not indicator.is_valid_period(period):
                continue
            values = {code: inputs[period].get(code) for code in needed}
            value, error = _evaluate(indicator, values)
            measurement = existing.get((indicator.pk, period))
            if measurement is None:
                if value is None and not any(values[c] is not None for c in formulas_by_pi[indicator]):
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
    return {m.indicator_id for m in to_create + to_update}, changed_codes
