"""Import of values, targets and commentary per (code, period) from CSV and Excel.

Every row is checked by the entry rules (`indicators.entry`) and errors are reported as (row
number, column, reason); the rows are written only when asked to and only when no row has an
error, in one transaction, with bulk writes. On PostgreSQL a CSV goes first through
`indicators.bulkload`, the fast path: COPY and set-based SQL on the same rules, which steps aside
to the row-by-row check here for any file it does not accept whole.
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from cycle.calendar import PeriodLocks
from indicators import bulkload, rules, services
from indicators import entry as entry_rules
from indicators.imports.report import ImportReport
from indicators.models import ImportRun, Indicator, Measurement, target_in_force
from pmf.spreadsheets import cell_text as _text
from pmf.spreadsheets import check_header, read_table

VALUE_COLUMNS = ["code", "period", "value", "target", "commentary"]
VALUE_REQUIRED = {"code", "period"}

BATCH = 50000

_period_cache: dict = {}


def parse_period(cell) -> datetime.date:
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    text = _text(cell)
    found = _period_cache.get(text)
    if found is None:
        try:
            found = datetime.date.fromisoformat(text if len(text) != 7 else f"{text}-01")
        except ValueError:
            raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD or YYYY-MM).") from None
        if len(_period_cache) < 10000:
            _period_cache[text] = found
    return found


def _number(cell, column: str, unit: str) -> Decimal | None:
    if cell is None or cell == "":
        return None
    if isinstance(cell, bool | datetime.date | datetime.time | datetime.timedelta):
        raise ValidationError({column: f"{_text(cell)!r} is not a number."})
    if isinstance(cell, int | float):
        number = Decimal(str(cell))
        if not number.is_finite():
            raise ValidationError({column: f"{_text(cell)!r} is not a number."})
    else:
        try:
            number = Decimal(cell) if cell[-1].isdigit() and "," not in cell else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            return entry_rules.parse_number(cell, field=column, unit=unit)
    if not entry_rules.fits_column(number):
        raise ValidationError({column: entry_rules.too_large_message(_text(cell))})
    return number


def import_values(
    *, upload, file_name: str, user, commit: bool, allow_copy: bool = True, progress=None
) -> ImportReport:
    """Check (and with COMMIT, save) values, targets and commentary per (code, period).

    Rows may only touch PIs the user updates; approved values are refused, and so are values of
    locked periods unless the user manages the PI. PROGRESS, when given, is called with the
    number of rows checked so far (a background job's progress bar). A blank target takes
    the target in force for the period; the tolerance is always the one in force for the period.
    A blank value or commentary never erases what is recorded. Side effects when committed:
    measurements created or updated in bulk with their status, an ImportRun row, calculated PIs
    recalculated and every touched PI's latest fields refreshed.

    On PostgreSQL a CSV goes first through `indicators.bulkload` (COPY and set-based SQL; with
    ALLOW_COPY false it does not); a file it does not accept whole is checked here row by row."""

    def after_write(report: ImportReport, indicator_ids: set[int], touched_periods: set) -> None:
        if indicator_ids and Indicator.objects.exclude(formula="").exists():
            codes = set(Indicator.objects.filter(pk__in=indicator_ids).values_list("code", flat=True))
            indicator_ids |= services.recalculate_dependants(codes=codes, periods=touched_periods, user=user)
        services.refresh_latest(indicator_ids=indicator_ids)
        report.record_run(file_name=file_name, user=user)

    header, rows = read_table(upload, file_name)
    check_header(header, VALUE_COLUMNS, VALUE_REQUIRED)
    if allow_copy and bulkload.applies(file_name):
        report = ImportReport(kind=ImportRun.Kind.VALUES)
        done = bulkload.import_values(
            upload=upload,
            header=header,
            user=user,
            commit=commit,
            report=report,
            after_write=lambda *a: after_write(report, *a),
        )
        if done is not None:
            return report
    report = ImportReport(kind=ImportRun.Kind.VALUES, method="rows")
    parsed = _check_values(header, rows, user, report, progress)
    if not commit or not report.ok:
        return report
    try:
        with transaction.atomic():
            report.created, report.updated = _write_values(parsed, user=user, row_of=report.row_of)
            after_write(report, {row[0] for row in parsed}, {row[1] for row in parsed})
    except bulkload.SavedMeanwhile as exc:
        exc.report_to(report)
        return report
    report.committed = True
    return report


def _check_values(header: list[str], rows: Iterator[list], user, report: ImportReport, progress=None) -> list[tuple]:
    """Every row checked by the entry rules (`indicators.entry`), errors added to REPORT in row
    order, approved periods included; the rows as
    (pk, period, value, target, commentary, polarity, tolerance_kind, tolerance)."""
    position = {name: header.index(name) for name in header}
    has_commentary = "commentary" in position
    has_target = "target" in position
    has_value = "value" in position
    found = Indicator.objects.updatable_by(user).values_list(
        *entry_rules.DEFINITION_FIELDS, "pk", "unit", "polarity", "tolerance_kind", "tolerance", "org_unit_id"
    )
    width = len(entry_rules.DEFINITION_FIELDS)
    indicators = {row[0]: (entry_rules.Definition(*row[:width]), *row[width:]) for row in found}
    locks = PeriodLocks.load()
    correctable = set()
    if locks.any:
        locks.calendars.know({info[-1] for info in indicators.values()})
        correctable = set(Indicator.objects.editable_by(user).values_list("pk", flat=True))
    definitions = {}
    seen: dict = {}
    parsed = []
    columns = len(header)
    i_code, i_period = position["code"], position["period"]
    i_value, i_target, i_comment = position.get("value"), position.get("target"), position.get("commentary")
    for number, cells in enumerate(rows, start=2):
        if progress is not None:
            progress(number - 1)
        if len(cells) < columns:
            cells = list(cells) + [None] * (columns - len(cells))
        code = _text(cells[i_code])
        if not code and all(cell in (None, "") for cell in cells):
            continue
        report.rows += 1
        info = indicators.get(code)
        if info is None:
            report.add(number, "code", f"{code!r} is not a PI you can update." if code else "The code is blank.")
            continue
        definition, pk, unit, polarity, tolerance_kind, tolerance, org_unit_id = info
        try:
            period = parse_period(cells[i_period])
        except ValueError as exc:
            report.add(number, "period", str(exc))
            continue
        errors = entry_rules.period_errors(definition, period)
        if errors:
            report.add(number, "period", errors["period"])
            continue
        locked_on = locks.locked_on(org_unit_id, definition.frequency, period)
        if locked_on is not None and pk not in correctable:
            errors = entry_rules.locked_errors(
                definition, period, locked_on=locked_on, may_correct=False, field="period"
            )
            report.add(number, "period", errors["period"])
            continue
        if (pk, period) in seen:
            report.add(number, "period", f"{code} {period:%Y-%m} already appears in row {seen[(pk, period)]}.")
            continue
        seen[(pk, period)] = number
        try:
            value = _number(cells[i_value], "value", unit) if has_value else None
            target = _number(cells[i_target], "target", unit) if has_target else None
        except ValidationError as exc:
            for column, messages in exc.message_dict.items():
                report.add(number, column, " ".join(messages))
            continue
        errors = entry_rules.value_errors(definition, value) | entry_rules.target_errors(definition, target)
        if errors:
            for column, message in errors.items():
                report.add(number, column, message)
            continue
        if value is None and target is None:
            report.add(number, "value", "Give a value, a target or both.")
            continue
        commentary = _text(cells[i_comment]) if has_commentary else ""
        definitions[pk] = definition
        parsed.append((pk, period, value, target, commentary, polarity, tolerance_kind, tolerance))
    if parsed:
        # Checked whatever else is wrong, so that one dry run names every bad row.
        _check_not_approved(parsed, report, seen, definitions)
        report.errors.sort(key=lambda error: error.row)
    report.row_of = seen
    return parsed


def _check_not_approved(parsed, report: ImportReport, seen: dict, definitions: dict) -> None:
    """Add an error for each PARSED row whose period has an approved value (DEFINITIONS by pk,
    SEEN: the row number of each (pk, period))."""
    ids = {row[0] for row in parsed}
    wanted = {(row[0], row[1]) for row in parsed}
    low, high = min(row[1] for row in parsed), max(row[1] for row in parsed)
    locked = Measurement.objects.filter(approved_at__isnull=False, period__gte=low, period__lte=high)
    if len(ids) <= 5000:
        locked = locked.filter(indicator_id__in=ids)
    for pk, period in locked.values_list("indicator_id", "period").iterator(chunk_size=5000):
        if (pk, period) in wanted:
            for column, message in entry_rules.approved_errors(definitions[pk], period).items():
                report.add(seen[(pk, period)], column, message)


def _existing(parsed) -> dict[tuple, tuple]:
    """(value, commentary, version) of the measurements PARSED would overwrite, by (pk, period)."""
    wanted = {(row[0], row[1]) for row in parsed}
    ids = sorted({row[0] for row in parsed})
    low, high = min(row[1] for row in parsed), max(row[1] for row in parsed)
    found = {}
    for start in range(0, len(ids), 5000):
        for pk, period, *row in Measurement.objects.filter(
            indicator_id__in=ids[start : start + 5000], period__gte=low, period__lte=high
        ).values_list("indicator_id", "period", "value", "commentary", "version"):
            if (pk, period) in wanted:
                found[(pk, period)] = tuple(row)
    return found


def _write_values(parsed, *, user, row_of: dict) -> tuple[int, int]:
    """Upsert PARSED rows; returns (created, updated). On PostgreSQL, raises
    `bulkload.SavedMeanwhile` naming the rows (by ROW_OF) whose value someone saved after it was read
    here, having written nothing that the caller's transaction keeps."""
    if not parsed:
        return 0, 0
    ids = sorted({row[0] for row in parsed})
    targets = {}
    for start in range(0, len(ids), 5000):
        targets.update(services.targets_by_indicator(ids[start : start + 5000]))
    existing = _existing(parsed)
    now = timezone.now()
    resolved = []
    for pk, period, value, target, commentary, polarity, tolerance_kind, tolerance in parsed:
        old_value, old_commentary, old_version = existing.get((pk, period), (None, "", 0))
        if value is None:
            value = old_value
        if not commentary:
            commentary = old_commentary
        in_force = target_in_force(targets[pk], period) if pk in targets else None
        if in_force is not None:
            if target is None:
                target = in_force.target
            tolerance_kind, tolerance = in_force.tolerance_kind, in_force.tolerance
        status = rules.traffic_light(
            value=value, target=target, polarity=polarity, tolerance=tolerance, tolerance_kind=tolerance_kind
        )
        resolved.append((pk, period, value, target, status, commentary, old_version + 1))
    if connection.vendor == "postgresql":
        # Always an upsert that writes rows only as they were read above: a value someone saved
        # since stops the import, naming its row (never a duplicate-key error for the whole import).
        _upsert_postgresql(resolved, user=user, now=now, upsert=True, row_of=row_of)
    else:
        _upsert_generic(resolved, user=user, now=now)
    return len(resolved) - len(existing), len(existing)


def _upsert_postgresql(resolved, *, user, now, upsert: bool, row_of: dict) -> None:
    """Batched INSERT ... SELECT FROM unnest(arrays) (ON CONFLICT DO UPDATE when some rows exist):
    one statement per batch. A batch that writes fewer rows than it holds met values saved since they
    were read (`bulkload.UPSERT`): raises `bulkload.SavedMeanwhile` naming them."""
    sql = bulkload.INSERT + (
        "SELECT i, p::date, v::numeric, t::numeric, s, c, '', '', '', '', %s, %s, n "
        "FROM unnest(%s::int[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::int[]) "
        "AS u(i, p, v, t, s, c, n)"
    )
    if upsert:
        sql += bulkload.UPSERT
    user_id = user.pk if user else None
    with connection.cursor() as cursor:
        for start in range(0, len(resolved), BATCH):
            chunk = resolved[start : start + BATCH]
            cursor.execute(
                sql,
                [
                    user_id,
                    now,
                    [row[0] for row in chunk],
                    [row[1].isoformat() for row in chunk],
                    [None if row[2] is None else str(row[2]) for row in chunk],
                    [None if row[3] is None else str(row[3]) for row in chunk],
                    [row[4] for row in chunk],
                    [row[5] for row in chunk],
                    [row[6] for row in chunk],
                ],
            )
            if upsert and cursor.rowcount < len(chunk):
                cursor.execute(
                    "SELECT i.id, i.code, m.period FROM unnest(%s::int[], %s::date[]) AS u(i, p) "
                    "JOIN indicators_measurement m ON m.indicator_id = u.i AND m.period = u.p "
                    "JOIN indicators_indicator i ON i.id = u.i WHERE m.entered_at IS DISTINCT FROM %s",
                    [[row[0] for row in chunk], [row[1] for row in chunk], now],
                )
                found = [(row_of.get((pk, period), 0), code, period) for pk, code, period in cursor.fetchall()]
                raise bulkload.SavedMeanwhile(sorted(found))


def _upsert_generic(resolved, *, user, now) -> None:
    objs = [
        Measurement(
            indicator_id=pk,
            period=period,
            value=value,
            target=target,
            status=status,
            commentary=commentary,
            entered_by=user,
            entered_at=now,
            version=version,
        )
        for pk, period, value, target, status, commentary, version in resolved
    ]
    Measurement.objects.bulk_create(
        objs,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["indicator", "period"],
        update_fields=[
            "value",
            "target",
            "status",
            "commentary",
            "entered_by",
            "entered_at",
            "version",
            "calculation_error",
        ],
    )
