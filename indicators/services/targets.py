"""Effective-dated targets: the target in force for a period, the colour it gives a value, and
setting a new target from a period on."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_update_with_history

from indicators import entry as entry_rules
from indicators import rules
from indicators.models import Indicator, Measurement, TargetPeriod, target_in_force
from indicators.services.latest import refresh_latest
from pmf.registry import issued_periods


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
    their targets and colours.

    Raises ValidationError (fields "effective_from", "target") when EFFECTIVE_FROM is not a period
    of the PI or TARGET is outside its allowed range, before anything is written."""
    definition = entry_rules.Definition.of(indicator)
    errors = entry_rules.period_errors(definition, effective_from, field="effective_from")
    errors |= entry_rules.target_errors(definition, target)
    if errors:
        raise ValidationError(errors)
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
    affected = list(affected)
    issued = issued_periods({(indicator.pk, measurement.period) for measurement in affected})
    changed = []
    for measurement in affected:
        if (indicator.pk, measurement.period) in issued:
            continue
        measurement.target = target
        measurement.status = colour(indicator, measurement.value, target, measurement.period, targets)
        changed.append(measurement)
    if changed:
        bulk_update_with_history(changed, Measurement, ["target", "status"], default_user=user)
    refresh_latest(indicator_ids={indicator.pk})
    return row
