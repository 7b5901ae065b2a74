"""The rows of issued editions: frozen rows shown in the shape of live ones, and restatements
(values changed after an edition was issued). Live rows come from `indicators.figures`."""

from decimal import Decimal

from indicators.figures import Restatement, Row
from indicators.models import Measurement
from pmf.history import author, last_changes
from scorecards import status as sc_rules


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
        cause=item.cause,
        action_taken=item.action_taken,
        recovery_date=item.recovery_date,
    )


def restatements(edition, rows: list) -> dict[int, Restatement]:
    """{edition row id: Restatement} for ROWS (EditionRows of EDITION) whose measurement now holds
    another value: old and new value, and who changed it, when and why (from the measurement's
    audit trail). Two queries whatever the number of rows.

    Only values entered after the edition was issued are read: every write of a value (form,
    import, COPY load, calculation) stamps `entered_at`, so a value entered before the issue is
    the one the edition froze."""
    wanted = {(row.indicator_id, row.period): row for row in rows if row.indicator_id and row.period}
    if not wanted:
        return {}
    current = {}
    ids = {indicator_id for indicator_id, _ in wanted}
    dates = {period for _, period in wanted}
    for measurement in Measurement.objects.filter(
        indicator_id__in=ids, period__in=dates, entered_at__gt=edition.issued_at
    ).select_related("indicator"):
        if (measurement.indicator_id, measurement.period) in wanted:
            current[(measurement.indicator_id, measurement.period)] = measurement
    moved = {
        key: measurement
        for key, measurement in current.items()
        if sc_rules.changed(wanted[key].value, measurement.value)
    }
    if not moved:
        return {}
    last_change = last_changes(Measurement, [m.pk for m in moved.values()], after=edition.issued_at)
    found = {}
    for key, measurement in moved.items():
        row = wanted[key]
        record = last_change.get(measurement.pk)
        why = (record.history_change_reason if record is not None else "") or measurement.commentary
        found[row.pk] = Restatement(
            old_text=row.value_text or "–",
            new_text=measurement.indicator.format_value(measurement.value),
            who=author(record.history_user if record is not None else None),
            when=record.history_date if record else None,
            why=why,
        )
    return found
