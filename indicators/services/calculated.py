"""Calculated PIs: checking a formula and recomputing the PIs whose inputs changed."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators import formula as formulas
from indicators.models import Indicator, Measurement, target_in_force
from indicators.services.targets import colour, targets_by_indicator
from pmf.registry import is_issued_period


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

    A period issued in a scorecard edition (is_issued_period) is left as it was. A failure (missing
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
            if not indicator.is_valid_period(period) or is_issued_period(indicator.pk, period):
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
