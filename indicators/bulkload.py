"""Set-based import of values and targets on PostgreSQL.

The file is COPYed as text into a temporary table; one statement checks every row, resolves the
code to a PI the user may update, parses period, value and target, holds them to the entry rules
of `indicators.entry` (stated in SQL by `entry_ok_sql`), finds the target and tolerance in force
for the period and colours the value; one INSERT ... SELECT writes the rows.

The checks here are strict: plain numbers, ISO periods, no surrounding spaces. A file with any row
that does not pass them (a typed "95%" or "1,234", or a real error) is left to the row-by-row
import in `indicators.imports`, which accepts what people type and names every error. This path
is never the only judge of a row: it either accepts the whole file on the same rules or steps
aside, so both paths write the same measurements.
"""

import re

import psycopg
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DataError, connection, transaction
from django.utils import timezone

from cycle.calendar import PeriodLocks
from indicators.models import Indicator

ROWS_TABLE = "pmf_import_rows"
# A line holding only \. ends COPY's input even in CSV format: the rows after it would be lost.
END_OF_DATA = re.compile(rb"(?:^|\n)\\\.\r?(?:\n|$)")
# A quoted field as RFC 4180 writes it. A quote anywhere else is read one way by COPY (it opens
# a quoted section mid-field) and another by Python's csv module (a plain character).
QUOTED_FIELD = re.compile(rb'(?:(?<=,)|^)"(?:[^"]|"")*"(?=,|\r?\n|\Z)', re.MULTILINE)
CHECKED_TABLE = "pmf_import_checked"
# The row-by-row path's plain-number pattern, with at most 14 digits before the point so that
# every accepted number fits the value columns (20 digits, 6 after the point); with all 14, at most
# 6 after it, so a number that rounds past the column (99999999999999.9999999) goes row by row,
# where entry.fits_column names it.
NUMBER = r"^[-+]?([0-9]{1,13}(\.[0-9]*)?|[0-9]{14}(\.[0-9]{0,6})?|\.[0-9]+)$"
PERIOD = r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])(-01)?$"
# Python's str.strip() removes these; a commentary starting or ending with one goes row by row.
STRIPPED = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


INSERT = (
    "INSERT INTO indicators_measurement (indicator_id, period, value, target, status, commentary, cause, "
    "action_taken, data_quality_note, calculation_error, entered_by_id, entered_at, version) "
)
# Value and commentary in the checked table already keep what a blank cell must not erase.
UPSERT = (
    " ON CONFLICT (indicator_id, period) DO UPDATE SET value = EXCLUDED.value, target = EXCLUDED.target, "
    "status = EXCLUDED.status, commentary = EXCLUDED.commentary, entered_by_id = EXCLUDED.entered_by_id, "
    "entered_at = EXCLUDED.entered_at, version = indicators_measurement.version + 1, calculation_error = '' "
    # Only a row as the check saw it is written: the inserted version is the one seen plus one (1 for a
    # value not there when checked). A value saved, changed or approved since is left as it is, and
    # the statement's row count falls short (`saved_meanwhile` names those rows).
    "WHERE indicators_measurement.approved_at IS NULL AND indicators_measurement.version = EXCLUDED.version - 1"
)


class SavedMeanwhile(Exception):
    """Rows whose value someone saved, changed or approved after the import checked them; the import
    writes nothing and names each row. ROWS: (row number, PI code, period)."""

    def __init__(self, rows):
        super().__init__(f"{len(rows)} rows saved by someone else while the import ran")
        self.rows = rows

    def report_to(self, report) -> None:
        for row, code, period in self.rows:
            report.add(
                row,
                "value",
                f"A value for {code} {period:%Y-%m} was saved by someone else while this import ran, so nothing "
                "was imported; check the row and import the file again.",
            )


class _StepAside(Exception):
    """Some row needs the row-by-row import; undo everything done here."""


def applies(file_name: str) -> bool:
    return connection.vendor == "postgresql" and not file_name.lower().endswith(".xlsx")


def status_sql(value: str, target: str, polarity: str, tolerance_kind: str, tolerance: str) -> str:
    """SQL for `indicators.rules.traffic_light` over the given column expressions (tested to
    agree with it case by case)."""
    shortfall = f"(CASE WHEN {polarity} = 'up' THEN {target} - {value} ELSE {value} - {target} END)"
    band = (
        f"(CASE WHEN coalesce({tolerance}, 0) = 0 THEN 0 WHEN {tolerance_kind} = 'percent' "
        f"THEN abs({target}) * {tolerance} / 100 ELSE abs({tolerance}) END)"
    )
    return (
        f"(CASE WHEN {value} IS NULL THEN 'unknown' WHEN {polarity} = 'data' THEN 'data' "
        f"WHEN {target} IS NULL THEN 'unknown' WHEN {shortfall} <= 0 THEN 'green' "
        f"WHEN {shortfall} <= {band} THEN 'amber' ELSE 'red' END)"
    )


def entry_ok_sql(
    *, frequency: str, period: str, value: str, target: str, formula: str, min_value: str, max_value: str
) -> str:
    """SQL for "`indicators.entry.entry_errors` finds nothing" over the given column expressions
    (a typed VALUE, NULL when the cell is blank; tested to agree with it case by case): the period
    is one of the PI's frequency, a calculated PI takes no value, value and target lie in range."""
    start = settings.FINANCIAL_YEAR_START_MONTH
    month = f"extract(month FROM {period})::int"

    def in_range(number: str) -> str:
        return (
            f"({number} IS NULL OR (({min_value} IS NULL OR {number} >= {min_value}) "
            f"AND ({max_value} IS NULL OR {number} <= {max_value})))"
        )

    return (
        f"(extract(day FROM {period}) = 1 AND ({frequency} = 'monthly' "
        f"OR ({frequency} = 'quarterly' AND mod({month} - {start} + 12, 3) = 0) "
        f"OR ({frequency} = 'annual' AND {month} = {start})) "
        f"AND ({value} IS NULL OR {formula} = '') AND {in_range(value)} AND {in_range(target)})"
    )


def import_values(*, upload, header: list[str], user, commit: bool, report, after_write):
    """Try the whole file (a CSV whose HEADER has been checked) in SQL. Returns REPORT filled in
    (and with COMMIT, the rows written and AFTER_WRITE(indicator_ids, periods) called inside the
    same transaction), or None, having written nothing, when some row needs the row-by-row import."""
    upload.seek(0)
    raw = upload.read()
    if END_OF_DATA.search(raw) or (b'"' in raw and b'"' in QUOTED_FIELD.sub(b"", raw)):
        return None
    try:
        with transaction.atomic():
            found = _load_and_check(raw, header, user)
            if found is None:
                raise _StepAside
            rows, existing = found
            report.rows, report.method = rows, "copy"
            if not commit:
                transaction.set_rollback(True)
            else:
                # An upsert that writes only rows as they were checked: a value saved by someone
                # after the check stops the import, naming its row (never a duplicate-key error).
                ids, periods = _write(user=user, upsert=True) if rows else (set(), set())
                report.created, report.updated = rows - existing, existing
                after_write(ids, periods)
                report.committed = True
    except _StepAside:
        return None
    except SavedMeanwhile as exc:
        exc.report_to(report)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {ROWS_TABLE}, {CHECKED_TABLE}")
    return report


def _load_and_check(raw: bytes, header: list[str], user) -> tuple[int, int] | None:
    """(rows, rows already measured) when every row passes, else None."""
    present = set(header)
    try:
        updatable, params = (
            Indicator.objects.updatable_by(user)
            .order_by()
            .values(
                "id",
                "code",
                "polarity",
                "frequency",
                "min_value",
                "max_value",
                "formula",
                "tolerance_kind",
                "tolerance",
            )
            .query.sql_with_params()
        )
    except EmptyResultSet:  # the user updates no PI: every row is an error to name
        return None
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(
            f"CREATE TEMP TABLE {ROWS_TABLE} (n bigint GENERATED ALWAYS AS IDENTITY, code text, period text, "
            "value text, target text, commentary text) ON COMMIT DROP"
        )
        try:
            with cursor.copy(
                f"COPY {ROWS_TABLE} ({', '.join(header)}) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')"
            ) as copy:
                view = memoryview(raw)
                for start in range(0, len(view), 1 << 20):
                    copy.write(view[start : start + (1 << 20)])
        except (DataError, psycopg.DataError):  # the copy cursor is psycopg's own, errors unwrapped
            # A file COPY cannot read (a short row, a blank line, bad bytes): row by row explains it.
            raise _StepAside from None
        value = "r.value" if "value" in present else "NULL::text"
        target = "r.target" if "target" in present else "NULL::text"
        commentary = "r.commentary" if "commentary" in present else "NULL::text"
        cells = ("r.code", "r.period", value, target, commentary)
        blank = " AND ".join(f"coalesce({cell}, '') = ''" for cell in cells)
        entry_ok = entry_ok_sql(
            frequency="p.frequency",
            period="p.period",
            value="p.v",
            target="p.t",
            formula="p.formula",
            min_value="p.min_value",
            max_value="p.max_value",
        )
        status = status_sql(
            "coalesce(p.v, m.value)",
            "coalesce(p.t, tp.target)",
            "p.polarity",
            "coalesce(tp.tolerance_kind, p.kind)",
            "CASE WHEN tp.indicator_id IS NULL THEN p.tol ELSE tp.tolerance END",
        )
        cursor.execute(
            f"CREATE TEMP TABLE {CHECKED_TABLE} ON COMMIT DROP AS "
            f"WITH ind AS ({updatable}), "
            # Periods are few: each distinct text is parsed once.
            f"periods AS (SELECT text, CASE WHEN text ~ '{PERIOD}' "
            "  THEN make_date(left(text, 4)::int, substr(text, 6, 2)::int, 1) END AS period "
            f"  FROM (SELECT DISTINCT period AS text FROM {ROWS_TABLE}) d), "
            "parsed AS MATERIALIZED ("
            "  SELECT r.n, i.id AS indicator_id, i.polarity, i.frequency, i.min_value, i.max_value, i.formula, "
            "    i.tolerance_kind AS kind, i.tolerance AS tol, pp.period, "
            f"    {value} AS value_text, {target} AS target_text, "
            f"    CASE WHEN {value} ~ '{NUMBER}' THEN ({value})::numeric END AS v, "
            f"    CASE WHEN {target} ~ '{NUMBER}' THEN ({target})::numeric END AS t, "
            f"    coalesce({commentary}, '') AS commentary "
            f"  FROM {ROWS_TABLE} r LEFT JOIN ind i ON i.code = r.code LEFT JOIN periods pp ON pp.text = r.period "
            f"  WHERE NOT ({blank})"
            "), "
            "targets AS ("
            "  SELECT indicator_id, effective_from, target, tolerance_kind, tolerance, "
            "    lead(effective_from) OVER (PARTITION BY indicator_id ORDER BY effective_from) AS until "
            "  FROM indicators_targetperiod"
            ") "
            "SELECT p.indicator_id, p.period, "
            "  coalesce(p.v, m.value) AS value, coalesce(p.t, tp.target) AS target, "
            f"  {status} AS status, "
            "  CASE WHEN p.commentary <> '' THEN p.commentary ELSE coalesce(m.commentary, '') END AS commentary, "
            "  m.id IS NOT NULL AS existing, p.n + 1 AS row_number, coalesce(m.version, 0) + 1 AS version, "
            "  (p.indicator_id IS NOT NULL AND p.period IS NOT NULL "
            "   AND (coalesce(p.value_text, '') = '' OR p.v IS NOT NULL) "
            "   AND (coalesce(p.target_text, '') = '' OR p.t IS NOT NULL) "
            "   AND (p.v IS NOT NULL OR p.t IS NOT NULL) "
            f"   AND {entry_ok} "
            f"   AND (p.commentary = '' OR p.commentary !~ '^[{STRIPPED}]|[{STRIPPED}]$') "
            "   AND m.approved_at IS NULL) AS ok "
            "FROM parsed p "
            "LEFT JOIN indicators_measurement m ON m.indicator_id = p.indicator_id AND m.period = p.period "
            "LEFT JOIN targets tp ON tp.indicator_id = p.indicator_id AND tp.effective_from <= p.period "
            "  AND (tp.until IS NULL OR p.period < tp.until)",
            params,
        )
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE existing), count(*) FILTER (WHERE ok IS NOT TRUE) "
            f"FROM {CHECKED_TABLE}"
        )
        rows, existing, refused = cursor.fetchone()
        if refused or _touches_locked_periods(cursor, user):
            return None
        cursor.execute(f"SELECT EXISTS (SELECT FROM {CHECKED_TABLE} GROUP BY indicator_id, period HAVING count(*) > 1)")
        if cursor.fetchone()[0]:
            return None
    return rows, existing


def _touches_locked_periods(cursor, user) -> bool:
    """Whether a checked row falls in a locked period of a PI that USER may not correct
    (`indicators.entry.locked_errors`); the row-by-row import then names each such row."""
    locks = PeriodLocks.load()
    if not locks.any:
        return False
    try:
        editable, params = Indicator.objects.editable_by(user).order_by().values("id").query.sql_with_params()
    except EmptyResultSet:  # the user manages no PI
        editable, params = "SELECT NULL::bigint WHERE false", ()
    cursor.execute(
        f"SELECT DISTINCT i.org_unit_id, i.frequency, c.period FROM {CHECKED_TABLE} c "
        f"JOIN indicators_indicator i ON i.id = c.indicator_id WHERE c.indicator_id NOT IN ({editable})",
        params,
    )
    found = cursor.fetchall()
    locks.calendars.know({unit for unit, _, _ in found})
    return any(locks.locked_on(unit, frequency, period) for unit, frequency, period in found)


def _write(*, user, upsert: bool) -> tuple[set[int], set]:
    """Insert the checked rows in key order (updating those already measured when UPSERT);
    returns the PIs and periods touched."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT + "SELECT indicator_id, period, value, target, status, commentary, '', '', '', '', %s, %s, version "
            f"FROM {CHECKED_TABLE} ORDER BY indicator_id, period" + (UPSERT if upsert else ""),
            [user.pk if user else None, now],
        )
        written = cursor.rowcount
        cursor.execute(f"SELECT count(*) FROM {CHECKED_TABLE}")
        if written < cursor.fetchone()[0]:
            cursor.execute(
                f"SELECT c.row_number, i.code, c.period FROM {CHECKED_TABLE} c "
                "JOIN indicators_indicator i ON i.id = c.indicator_id "
                "JOIN indicators_measurement m ON m.indicator_id = c.indicator_id AND m.period = c.period "
                "WHERE m.entered_at IS DISTINCT FROM %s ORDER BY c.row_number",
                [now],
            )
            raise SavedMeanwhile(cursor.fetchall())
        cursor.execute(f"SELECT DISTINCT indicator_id FROM {CHECKED_TABLE}")
        ids = {row[0] for row in cursor.fetchall()}
        cursor.execute(f"SELECT DISTINCT period FROM {CHECKED_TABLE}")
        periods = {row[0] for row in cursor.fetchall()}
    return ids, periods
