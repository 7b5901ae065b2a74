"""Importing 1,000,000 measurements from CSV against PostgreSQL's own COPY of the same file.

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmf_indicators_bench \
        .venv/bin/python benchmarks/indicators_import.py [--rows 1000000]

Needs the scale dataset (manage.py seed_scale). Writes the scale PIs' values (plus earlier
months of the monthly PIs, to reach --rows) to a CSV in the import format, then on an emptied
measurement table times:
  1. COPY of the CSV into a staging table with the file's columns (PostgreSQL alone);
  2. the same COPY followed by INSERT ... SELECT joining codes to PIs (a COPY-based load, for reference);
  3. our import (indicators.imports.import_values, commit): reads and checks every row (code,
     period against the frequency, number, range, duplicates, approved values), colours each
     value against its effective-dated target, writes in batches and refreshes the PIs' latest
     values and trends.
Leaves the measurement table holding the imported rows. Destroys nothing outside this database's
indicators_measurement rows; use it only on a benchmark database.
"""

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

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


def empty_measurements():
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE indicators_measurement")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    if connection.vendor != "postgresql":
        sys.exit("This benchmark compares with PostgreSQL's COPY; set DATABASE_URL to a PostgreSQL database.")
    if not OrgUnit.objects.filter(code="scale").exists():
        sys.exit("No scale dataset: run `manage.py seed_scale --pis 30000 --units 300 --months 36` first.")
    admin, _ = User.objects.get_or_create(
        username="scale.admin",
        defaults={"name": "Benchmark Admin", "email": "scale.admin@scale.example", "role": "admin"},
    )
    path = Path(tempfile.gettempdir()) / "pmf_indicators_import_bench.csv"
    written = write_csv(path, rows)
    size_mb = path.stat().st_size / 1e6
    print(f"CSV: {written:,} rows, {size_mb:.1f} MB, {Indicator.objects.count():,} PIs in the database")

    empty_measurements()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_staging")
        cursor.execute(
            "CREATE TABLE bench_staging (code text, period date, value numeric, target numeric, commentary text)"
        )
        started = time.perf_counter()
        with (
            path.open("rb") as handle,
            cursor.copy(
                "COPY bench_staging (code, period, value, target, commentary) FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        copy_seconds = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO indicators_measurement (indicator_id, period, value, target, status, commentary, cause, "
            "action_taken, data_quality_note, calculation_error, entered_at, version) "
            "SELECT i.id, s.period, s.value, s.target, 'unknown', coalesce(s.commentary, ''), '', '', '', '', now(), 1 "
            "FROM bench_staging s JOIN indicators_indicator i ON i.code = s.code"
        )
        insert_seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_staging")
    print(f"1. COPY into a staging table:                         {copy_seconds:7.2f} s")
    print(
        f"2. COPY + INSERT ... SELECT into measurements:        {copy_seconds + insert_seconds:7.2f} s "
        f"(no checks, no status)"
    )

    empty_measurements()
    started = time.perf_counter()
    with path.open("rb") as handle:
        report = imports.import_values(upload=handle, file_name=path.name, user=admin, commit=True)
    import_seconds = time.perf_counter() - started
    assert report.ok and report.committed, report.errors[:5]
    print(
        f"3. Our import (checks, status, batched upsert, latest values): {import_seconds:7.2f} s for "
        f"{report.rows:,} rows ({report.created:,} added)"
    )
    print(
        f"Import / COPY = {import_seconds / copy_seconds:.1f}x (target within 3x); "
        f"import / COPY-based load = {import_seconds / (copy_seconds + insert_seconds):.1f}x"
    )
    print(f"Measurements now: {Measurement.objects.count():,}")


if __name__ == "__main__":
    main()
