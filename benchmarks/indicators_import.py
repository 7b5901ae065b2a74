"""Importing 1,000,000 measurements from CSV, against PostgreSQL's own COPY of the same data.

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmf_indicators_bench \
        .venv/bin/python benchmarks/indicators_import.py [--rows 1000000] [--runs 3] [--rows-path]

Needs the scale dataset (manage.py seed_scale). Writes the scale PIs' values (plus earlier
months of the monthly PIs, to reach --rows) to a CSV in the import format. Each run, on an emptied
measurement table, times:
  A. PostgreSQL's COPY of the CSV into a staging table with the file's columns and no index or
     key: reading and parsing alone, the floor;
  B. PostgreSQL's COPY of the same measurements into indicators_measurement itself (the same rows
     as our import writes, with PI ids in place of codes), with its primary key, unique
     (PI, period) index, user indexes and foreign keys, up to the commit that checks the keys;
  C. our import (indicators.imports.import_values, commit): checks every row (code the user may
     update, period against the frequency, number, range, duplicates, approved values), takes the
     effective-dated target and tolerance, colours each value, writes, refreshes the PIs' latest
     values and trends, records the import, commits.
With --rows-path it also times the row-by-row import (the path a file takes when some row needs a
person's number format or an error message) once. Prints each run and the medians; ratios are
taken within a run. Leaves the measurement table holding the imported rows; use it only on a
benchmark database.
"""

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from indicators import imports  # noqa: E402
from indicators.models import Indicator, Measurement  # noqa: E402
from pmf import periods  # noqa: E402
from pmf.models import OrgUnit, User  # noqa: E402


def write_csv(path: Path, rows: int) -> int:
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(imports.VALUE_COLUMNS)
        query = (
            Measurement.objects.filter(indicator__code__startswith="S")
            .order_by("indicator_id", "period")
            .values_list("indicator__code", "period", "value", "target", "commentary")
        )
        first = (
            Measurement.objects.filter(indicator__code__startswith="S")
            .order_by("period")
            .values_list("period", flat=True)
            .first()
        )
        for code, period, value, target, commentary in query.iterator(chunk_size=20000):
            if written >= rows:
                return written
            out.writerow([code, period.isoformat(), f"{value.normalize():f}", f"{target.normalize():f}", commentary])
            written += 1
        monthly = Indicator.objects.filter(code__startswith="S", frequency="monthly").values_list("code", "pk")
        back = 1
        while written < rows:
            period = periods.add_months(first, -back).isoformat()
            for code, pk in monthly.iterator(chunk_size=20000):
                if written >= rows:
                    break
                out.writerow([code, period, f"{80 + pk % 17}.5", f"{80 + pk % 15}", ""])
                written += 1
            back += 1
    return written


COLUMNS = (
    "indicator_id, period, value, target, status, commentary, cause, action_taken, recovery_date, "
    "data_quality_note, calculation_error, entered_by_id, entered_at, approved_by_id, approved_at, version"
)


def empty_measurements():
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE indicators_measurement")
        cursor.execute("CHECKPOINT")


def copy_into_staging(path: Path) -> float:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_staging")
        cursor.execute("CREATE TABLE bench_staging (code text, period text, value text, target text, commentary text)")
        started = time.perf_counter()
        with transaction.atomic():
            _copy(cursor, "COPY bench_staging FROM STDIN WITH (FORMAT csv, HEADER true)", path)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_staging")
    return seconds


def copy_into_measurements(path: Path) -> float:
    empty_measurements()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        with transaction.atomic():  # the foreign keys are checked at the commit
            _copy(cursor, f"COPY indicators_measurement ({COLUMNS}) FROM STDIN WITH (FORMAT csv)", path)
        return time.perf_counter() - started


def _copy(cursor, sql: str, path: Path) -> None:
    with path.open("rb") as handle, cursor.copy(sql) as copy:
        while chunk := handle.read(1 << 20):
            copy.write(chunk)


def our_import(path: Path, user, *, allow_copy: bool) -> tuple[float, imports.ImportReport]:
    empty_measurements()
    started = time.perf_counter()
    with path.open("rb") as handle:
        report = imports.import_values(
            upload=handle, file_name=path.name, user=user, commit=True, allow_copy=allow_copy
        )
    seconds = time.perf_counter() - started
    assert report.ok and report.committed, report.errors[:5]
    return seconds, report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows-path", action="store_true", help="also time the row-by-row import once")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark compares with PostgreSQL's COPY; set DATABASE_URL to a PostgreSQL database.")
    if not OrgUnit.objects.filter(code="scale").exists():
        sys.exit("No scale dataset: run `manage.py seed_scale --pis 30000 --units 300 --months 36` first.")
    admin, _ = User.objects.get_or_create(
        username="scale.admin",
        defaults={"name": "Benchmark Admin", "email": "scale.admin@scale.example", "role": "admin"},
    )
    path = Path(tempfile.gettempdir()) / "pmf_indicators_import_bench.csv"
    table_path = Path(tempfile.gettempdir()) / "pmf_indicators_import_bench_table.csv"
    written = write_csv(path, options.rows)
    print(
        f"CSV: {written:,} rows, {path.stat().st_size / 1e6:.1f} MB, {Indicator.objects.count():,} PIs, "
        f"PostgreSQL {connection.pg_version // 10000}"
    )
    # The rows our import writes, in the table's own columns, for PostgreSQL's COPY to load.
    seconds, report = our_import(path, admin, allow_copy=True)
    with connection.cursor() as cursor, table_path.open("wb") as handle:
        with cursor.copy(f"COPY (SELECT {COLUMNS} FROM indicators_measurement) TO STDOUT WITH (FORMAT csv)") as copy:
            for chunk in copy:
                handle.write(chunk)
    print(f"warm-up import: {seconds:.2f} s ({report.method}); table-form CSV {table_path.stat().st_size / 1e6:.1f} MB")

    results = []
    for run in range(1, options.runs + 1):
        a = copy_into_staging(path)
        b = copy_into_measurements(table_path)
        c, report = our_import(path, admin, allow_copy=True)
        results.append((a, b, c))
        print(
            f"run {run}: A COPY to staging {a:6.2f} s | B COPY into measurements {b:6.2f} s | "
            f"C our import {c:6.2f} s ({report.method}, {report.created:,} added) | "
            f"C/B {c / b:4.2f}x | C/A {c / a:5.1f}x"
        )
    a, b, c = (statistics.median(column) for column in zip(*results, strict=True))
    ratio_b = statistics.median(run[2] / run[1] for run in results)
    ratio_a = statistics.median(run[2] / run[0] for run in results)
    print(f"median of {len(results)}: A {a:.2f} s, B {b:.2f} s, C {c:.2f} s")
    print(f"our import / PostgreSQL COPY into the measurement table = {ratio_b:.2f}x (target within 3x)")
    print(f"our import / PostgreSQL COPY into an unindexed staging table = {ratio_a:.1f}x")
    if options.rows_path:
        seconds, report = our_import(path, admin, allow_copy=False)
        print(f"row-by-row import (allow_copy=False): {seconds:.2f} s ({report.method})")
    print(f"Measurements now: {Measurement.objects.count():,}")


if __name__ == "__main__":
    main()
