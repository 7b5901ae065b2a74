"""Import and export of PI definitions, values and targets (CSV and Excel).

An import first checks every row and reports errors as (row number, column, reason); it writes
only when asked to and only when no row has an error, in one transaction, with bulk writes.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators import bulkload, services
from indicators import status as rules
from indicators.models import ImportRun, Indicator, Measurement, Tag, target_in_force
from pmf.models import OrgUnit, User

VALUE_COLUMNS = ["code", "period", "value", "target", "commentary"]
VALUE_REQUIRED = {"code", "period"}

DEFINITION_COLUMNS = [
    "code",
    "title",
    "org_unit",
    "unit",
    "polarity",
    "frequency",
    "decimals",
    "ytd_rule",
    "tolerance_kind",
    "tolerance",
    "min_value",
    "max_value",
    "owner",
    "updater",
    "source",
    "tags",
    "formula",
    "proxy_for",
    "active",
    "description",
    "definition",
    "guidance",
]
DEFINITION_REQUIRED = {"code", "title", "org_unit", "unit", "polarity", "frequency"}

MAX_REPORTED_ERRORS = 500
BATCH = 50000


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    created: int = 0
    updated: int = 0
    committed: bool = False
    method: str = ""  # "copy" (set-based, PostgreSQL) or "rows" (row by row)

    def add(self, row: int, column: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, reason))

    @property
    def ok(self) -> bool:
        return self.error_count == 0


class FileFormatError(ValueError):
    """The file cannot be read as a table with the expected columns."""


def read_table(upload, file_name: str) -> tuple[list[str], Iterator[list]]:
    """(header, rows) of a CSV or XLSX upload; cells are strings or numbers/dates from Excel."""
    if file_name.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(upload, read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise FileFormatError(f"The file is not a readable Excel workbook ({type(exc).__name__}).") from None
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise FileFormatError("The file is empty.")
        return [str(cell or "").strip().lower() for cell in header], (list(row) for row in rows)
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileFormatError("The file is not UTF-8 text; save it as 'CSV UTF-8'.") from None
    reader = _csv_rows(text)
    header = next(reader, None)
    if header is None:
        raise FileFormatError("The file is empty.")
    return [cell.strip().lower() for cell in header], reader


def _csv_rows(text: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text))
    try:
        yield from reader
    except csv.Error as exc:
        raise FileFormatError(f"The file is not readable as CSV at line {reader.line_num} ({exc}).") from None


def check_header(header: list[str], allowed: list[str], required: set[str]) -> None:
    unknown = [name for name in header if name not in allowed]
    missing = sorted(required - set(header))
    problems = []
    if missing:
        problems.append(f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
    if len(set(header)) != len(header):
        problems.append("a column appears twice")
    if problems:
        raise FileFormatError(f"Wrong columns ({'; '.join(problems)}). Expected: {', '.join(allowed)}.")


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


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
    if isinstance(cell, int | float):
        return Decimal(str(cell))
    try:
        return (
            Decimal(cell)
            if cell[-1].isdigit() and "," not in cell
            else services.parse_number(cell, field=column, unit=unit)
        )
    except InvalidOperation:
        return services.parse_number(cell, field=column, unit=unit)


# Values and targets ------------------------------------------------------------------------------


def import_values(*, upload, file_name: str, user, commit: bool, allow_copy: bool = True) -> ImportReport:
    """Check (and with COMMIT, save) values, targets and commentary per (code, period).

    Rows may only touch PIs the user updates; approved values are refused. A blank target takes
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
        ImportRun.objects.create(
            kind=ImportRun.Kind.VALUES,
            file_name=file_name[:255],
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            user=user,
        )

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
    parsed = _check_values(header, rows, user, report)
    if not commit or not report.ok:
        return report
    with transaction.atomic():
        report.created, report.updated = _write_values(parsed, user=user)
        after_write(report, {row[0] for row in parsed}, {row[1] for row in parsed})
    report.committed = True
    return report


def _check_values(header: list[str], rows: Iterator[list], user, report: ImportReport) -> list[tuple]:
    """Every row checked, errors added to REPORT; the rows as
    (pk, period, value, target, commentary, polarity, tolerance_kind, tolerance)."""
    position = {name: header.index(name) for name in header}
    has_commentary = "commentary" in position
    has_target = "target" in position
    has_value = "value" in position
    definitions = Indicator.objects.updatable_by(user).values_list(
        "code", "pk", "unit", "polarity", "frequency", "min_value", "max_value", "tolerance_kind", "tolerance"
    )
    indicators = {code: tuple(rest) for code, *rest in definitions}
    dummy = Indicator()
    valid_period_cache: dict = {}
    seen: dict = {}
    parsed = []
    width = len(header)
    i_code, i_period = position["code"], position["period"]
    i_value, i_target, i_comment = position.get("value"), position.get("target"), position.get("commentary")
    for number, cells in enumerate(rows, start=2):
        if len(cells) < width:
            cells = list(cells) + [None] * (width - len(cells))
        code = _text(cells[i_code])
        if not code and all(cell in (None, "") for cell in cells):
            continue
        report.rows += 1
        info = indicators.get(code)
        if info is None:
            report.add(number, "code", f"{code!r} is not a PI you can update." if code else "The code is blank.")
            continue
        pk, unit, polarity, frequency, min_value, max_value, tolerance_kind, tolerance = info
        try:
            period = parse_period(cells[i_period])
        except ValueError as exc:
            report.add(number, "period", str(exc))
            continue
        key = (frequency, period)
        ok = valid_period_cache.get(key)
        if ok is None:
            dummy.frequency = frequency
            ok = valid_period_cache[key] = dummy.is_valid_period(period)
        if not ok:
            dummy.frequency = frequency
            report.add(
                number,
                "period",
                f"{period:%d %b %Y} is not a {frequency} period; use {dummy.period_for(period):%Y-%m-%d}.",
            )
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
        if value is not None and (
            (min_value is not None and value < min_value) or (max_value is not None and value > max_value)
        ):
            report.add(
                number,
                "value",
                f"{value} is outside the allowed range of {code} "
                f"({_plain(min_value) or '…'} to {_plain(max_value) or '…'}).",
            )
            continue
        if value is None and target is None:
            report.add(number, "value", "Give a value, a target or both.")
            continue
        commentary = _text(cells[i_comment]) if has_commentary else ""
        if "\x00" in commentary:
            report.add(number, "commentary", "The commentary contains a NUL character; remove it.")
            continue
        parsed.append((pk, period, value, target, commentary, polarity, tolerance_kind, tolerance))
    if parsed and report.ok:
        _check_not_approved(parsed, report, seen)
    return parsed


def _check_not_approved(parsed, report: ImportReport, seen: dict) -> None:
    ids = {row[0] for row in parsed}
    wanted = {(row[0], row[1]) for row in parsed}
    low, high = min(row[1] for row in parsed), max(row[1] for row in parsed)
    locked = Measurement.objects.filter(approved_at__isnull=False, period__gte=low, period__lte=high)
    if len(ids) <= 5000:
        locked = locked.filter(indicator_id__in=ids)
    codes = None
    for pk, period in locked.values_list("indicator_id", "period").iterator(chunk_size=5000):
        if (pk, period) in wanted:
            codes = codes or dict(Indicator.objects.filter(pk__in=ids).values_list("pk", "code"))
            report.add(
                seen[(pk, period)],
                "value",
                f"{codes[pk]} {period:%Y-%m} is approved and locked; ask the performance team to reopen it.",
            )


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


def _write_values(parsed, *, user) -> tuple[int, int]:
    """Upsert PARSED rows; returns (created, updated)."""
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
        _upsert_postgresql(resolved, user=user, now=now, upsert=bool(existing))
    else:
        _upsert_generic(resolved, user=user, now=now)
    return len(resolved) - len(existing), len(existing)


def _upsert_postgresql(resolved, *, user, now, upsert: bool) -> None:
    """Batched INSERT ... SELECT FROM unnest(arrays) (ON CONFLICT DO UPDATE when some rows exist):
    one statement per batch."""
    sql = bulkload.INSERT + (
        "SELECT i, p::date, v::numeric, t::numeric, s, c, '', '', '', '', %s, %s, 1 "
        "FROM unnest(%s::int[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) AS u(i, p, v, t, s, c)"
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
                ],
            )


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


# Definitions -------------------------------------------------------------------------------------

_CHOICES = {
    "unit": {
        **{value: value for value in Indicator.Unit.values},
        "%": "percent",
        "£": "gbp",
        "count per 1,000 homes": "per1000",
        "count per 1,000": "per1000",
    },
    "polarity": {**{value: value for value in Indicator.Polarity.values}, "data only": "data"},
    "frequency": {value: value for value in Indicator.Frequency.values},
    "ytd_rule": {value: value for value in Indicator.YtdRule.values},
    "tolerance_kind": {value: value for value in Indicator.ToleranceKind.values},
    "source": {value: value for value in Indicator.Source.values},
}
_TRUE = {"", "1", "yes", "y", "true"}
_FALSE = {"0", "no", "n", "false"}


def import_definitions(*, upload, file_name: str, user, commit: bool) -> ImportReport:
    """Check (and with COMMIT, save) PI definitions keyed by code.

    Each row's org unit must be one the user edits; an existing code must be a PI the user edits.
    Side effects when committed: Indicators created or updated in bulk with history rows, tags
    created as needed, an ImportRun row."""
    report = ImportReport(kind=ImportRun.Kind.DEFINITIONS)
    header, rows = read_table(upload, file_name)
    check_header(header, DEFINITION_COLUMNS, DEFINITION_REQUIRED)
    units = {unit.code: unit for unit in OrgUnit.objects.editable_by(user)}
    people = {person.username: person for person in User.objects.visible_to(user).filter(is_active=True)}
    existing = {ind.code: ind for ind in Indicator.objects.all()}
    editable = set(Indicator.objects.editable_by(user).values_list("code", flat=True))
    seen, pending = {}, []
    for number, cells in enumerate(rows, start=2):
        data = {name: _text(cells[index]) if index < len(cells) else "" for index, name in enumerate(header)}
        if not any(data.values()):
            continue
        report.rows += 1
        code = data["code"]
        errors_before = report.error_count
        if not services.formulas.CODE_PATTERN.match(code):
            report.add(number, "code", f"{code!r} is not a valid code (letters, digits, underscores).")
            continue
        if code in seen:
            report.add(number, "code", f"{code} already appears in row {seen[code]}.")
            continue
        seen[code] = number
        if code in existing and code not in editable:
            report.add(number, "code", f"{code} exists and is not a PI you can edit.")
            continue
        indicator = existing.get(code) or Indicator(code=code)
        values = {}
        if not data["title"]:
            report.add(number, "title", "The title is blank.")
        values["title"] = data["title"][:300]
        if data["org_unit"] not in units:
            report.add(number, "org_unit", f"{data['org_unit']!r} is not an organisation unit you manage.")
        else:
            values["org_unit"] = units[data["org_unit"]]
        for name, choices in _CHOICES.items():
            if name not in data or (not data[name] and name not in DEFINITION_REQUIRED):
                continue
            chosen = choices.get(data[name].lower())
            if chosen is None:
                report.add(number, name, f"{data[name]!r} is not one of: {', '.join(sorted(set(choices.values())))}.")
            else:
                values[name] = chosen
        for name in ("tolerance", "min_value", "max_value"):
            if data.get(name):
                try:
                    values[name] = services.parse_number(data[name], field=name)
                except ValidationError as exc:
                    report.add(number, name, " ".join(exc.message_dict[name]))
        if data.get("decimals"):
            if data["decimals"].isdigit() and int(data["decimals"]) <= 6:
                values["decimals"] = int(data["decimals"])
            else:
                report.add(number, "decimals", f"{data['decimals']!r} is not a whole number from 0 to 6.")
        for name in ("owner", "updater"):
            if data.get(name):
                if data[name] in people:
                    values[name] = people[data[name]]
                else:
                    report.add(number, name, f"{data[name]!r} is not a username of someone you can see.")
        if data.get("active"):
            if data["active"].lower() in _TRUE:
                values["active"] = True
            elif data["active"].lower() in _FALSE:
                values["active"] = False
            else:
                report.add(number, "active", f"{data['active']!r} is not yes or no.")
        for name in ("description", "definition", "guidance", "formula"):
            if name in data:
                values[name] = data[name]
        if report.error_count == errors_before:
            pending.append((number, indicator, values, data))
    known = set(existing) | set(seen)
    formulas = {code: ind.formula for code, ind in existing.items() if ind.formula}
    formulas.update({ind.code: values["formula"] for _, ind, values, _ in pending if "formula" in values})
    for number, indicator, values, data in pending:
        if values.get("formula"):
            try:
                services.validate_formula(
                    code=indicator.code,
                    formula=values["formula"],
                    known_codes=known,
                    other_formulas={k: v for k, v in formulas.items() if k != indicator.code and v},
                )
            except ValidationError as exc:
                report.add(number, "formula", " ".join(exc.message_dict["formula"]))
        if data.get("proxy_for") and data["proxy_for"] not in known:
            report.add(number, "proxy_for", f"{data['proxy_for']!r} is not a PI code.")
        elif data.get("proxy_for") == indicator.code:
            report.add(number, "proxy_for", "A PI cannot be a proxy for itself.")
    if not commit or not report.ok:
        return report
    with transaction.atomic():
        to_create, to_update = [], []
        for _, indicator, values, _ in pending:
            for name, value in values.items():
                setattr(indicator, name, value)
            (to_update if indicator.pk else to_create).append(indicator)
        if to_create:
            bulk_create_with_history(to_create, Indicator, default_user=user, batch_size=1000)
        if to_update:
            bulk_update_with_history(
                to_update,
                Indicator,
                [name for name in DEFINITION_COLUMNS if name not in ("code", "tags", "proxy_for")],
                default_user=user,
                batch_size=1000,
            )
        by_code = {ind.code: ind for ind in Indicator.objects.filter(code__in=list(seen))}
        proxies = []
        all_codes = {
            ind.code: ind
            for ind in Indicator.objects.filter(
                code__in=[data["proxy_for"] for *_, data in pending if data.get("proxy_for")]
            )
        }
        tag_names = {
            name.strip()[:60] for *_, data in pending for name in data.get("tags", "").split(";") if name.strip()
        }
        tags = {tag.name: tag for tag in Tag.objects.filter(name__in=tag_names)}
        for name in tag_names - set(tags):
            tags[name] = Tag.objects.create(name=name)
        through = Indicator.tags.through
        for *_, data in pending:
            indicator = by_code[data["code"]]
            if "proxy_for" in data:
                indicator.proxy_for = all_codes.get(data["proxy_for"]) if data["proxy_for"] else None
                proxies.append(indicator)
            if "tags" in data:
                through.objects.filter(indicator=indicator).delete()
                through.objects.bulk_create(
                    [
                        through(indicator=indicator, tag=tags[name.strip()[:60]])
                        for name in data["tags"].split(";")
                        if name.strip()
                    ],
                    ignore_conflicts=True,
                )
        if proxies:
            Indicator.objects.bulk_update(proxies, ["proxy_for"])
        report.created, report.updated = len(to_create), len(to_update)
        ImportRun.objects.create(
            kind=ImportRun.Kind.DEFINITIONS,
            file_name=file_name[:255],
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            user=user,
        )
    report.committed = True
    return report


# Export ------------------------------------------------------------------------------------------


def definition_rows(indicators: Iterable[Indicator]) -> Iterator[list]:
    yield DEFINITION_COLUMNS
    for ind in indicators:
        yield [
            ind.code,
            ind.title,
            ind.org_unit.code,
            ind.unit,
            ind.polarity,
            ind.frequency,
            ind.decimals,
            ind.ytd_rule,
            ind.tolerance_kind,
            _plain(ind.tolerance),
            _plain(ind.min_value),
            _plain(ind.max_value),
            ind.owner.username if ind.owner else "",
            ind.updater.username if ind.updater else "",
            ind.source,
            ";".join(tag.name for tag in ind.tags.all()),
            ind.formula,
            ind.proxy_for.code if ind.proxy_for else "",
            "yes" if ind.active else "no",
            ind.description,
            ind.definition,
            ind.guidance,
        ]


def value_rows(measurements) -> Iterator[list]:
    yield VALUE_COLUMNS
    for code, period, value, target, commentary in measurements:
        yield [code, period.isoformat(), _plain(value), _plain(target), commentary]


def _plain(number) -> str:
    if number is None:
        return ""
    return f"{number.normalize():f}" if isinstance(number, Decimal) else str(number)


def to_csv(rows: Iterable[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Iterable[list], title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for row in rows:
        sheet.append([_safe_cell(cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _safe_cell(cell):
    """Spreadsheet formula injection: text starting with = + - @ is prefixed with a quote."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") and not _looks_numeric(cell):
        return "'" + cell
    return cell


def _looks_numeric(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True
