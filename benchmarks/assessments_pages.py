"""Server time of the self-assessment pages: a framework of 500 questions assessed by 50 units.

    export SECRET_KEY=x
    .venv/bin/python benchmarks/assessments_pages.py [--runs 9] [--rebuild] [--questions 500 --units 50]

Uses its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/pmf_assessments_bench),
creating it with psql, migrating it and running `manage.py seed_assessments_scale` when it is missing
(or with --rebuild). Times, through Django's test Client (the full request/response cycle
in-process: URL resolving, middleware, views, templates, SQL), the assessment page, the gap
analysis and the comparison of two rounds, for the manager over all units and for the unit's
assessor, then the printable page and the CSV export. Prints the median and the fastest of --runs
runs and the query count of each, which must be the same whatever the number of questions.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pmf_assessments_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")

LIMIT_MS = 200


def psql(url: str, sql: str) -> str:
    parsed = urlparse(url)
    command = [
        "psql",
        "-h",
        parsed.hostname or "127.0.0.1",
        "-p",
        str(parsed.port or 5432),
        "-U",
        parsed.username or "postgres",
        "-d",
        "postgres",
        "-tAc",
        sql,
    ]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def prepare(url: str, *, rebuild: bool, questions: int, units: int) -> None:
    name = urlparse(url).path.lstrip("/")
    exists = psql(url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if exists and rebuild:
        psql(url, f'DROP DATABASE "{name}"')
        exists = False
    if not exists:
        psql(url, f'CREATE DATABASE "{name}"')
        print(f"Created database {name}")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from pmf.models import User

    if not User.objects.filter(username="assessscale.manager").exists():
        call_command("seed_assessments_scale", questions=questions, units=units)


def timed(runs, call):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpu, queries = [], [], 0
    call()  # warm up caches and connections
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = call()
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return statistics.median(times), min(times), statistics.median(cpu), queries


def report(label, result, limit=LIMIT_MS):
    """Wall-clock server time (what a person waits for), and the CPU time of this process alone
    (Python: views, templates, ORM; the database server's work is not in it), which shows what
    the page costs when other programs share the machine."""
    median, fastest, cpu, queries = result
    verdict = "ok" if median < limit else "SLOW"
    print(
        f"{label:<48} median {median:6.1f} ms  fastest {fastest:6.1f} ms  cpu {cpu:6.1f} ms  "
        f"{queries:3d} queries  (target < {limit} ms: {verdict})"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--rebuild", action="store_true", help="drop the database and build the dataset again")
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--units", type=int, default=50)
    options = parser.parse_args()
    prepare(os.environ["DATABASE_URL"], rebuild=options.rebuild, questions=options.questions, units=options.units)

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from assessments.models import Assessment, FrameworkNode, Response
    from pmf.models import User

    runs = options.runs
    latest = Assessment.objects.filter(title__startswith="Re-assessment").order_by("pk").first()
    earlier = Assessment.objects.get(org_unit=latest.org_unit, title__startswith="Mock inspection")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"{FrameworkNode.objects.filter(is_question=True).count():,} questions, "
        f"{Assessment.objects.count():,} assessments, {Response.objects.count():,} responses "
        f"on {connection.vendor}; {runs} runs each"
    )
    client = Client()
    pages = [
        ("Assessment page", reverse("assessment-detail", kwargs={"pk": latest.pk}), {}),
        ("Gap analysis", reverse("assessment-gaps", kwargs={"pk": latest.pk}), {}),
        ("Comparison with the mock inspection", reverse("assessment-compare", kwargs={"pk": latest.pk}), {}),
        (
            "Comparison, round chosen",
            reverse("assessment-compare", kwargs={"pk": latest.pk}),
            {"with": earlier.pk},
        ),
    ]
    for who in ("assessscale.manager", latest.responses.first().assigned_to.username):
        client.force_login(User.objects.get(username=who))
        for label, url, query in pages:
            report(f"{label} ({who})", timed(runs, lambda url=url, query=query: client.get(url, query)))
    client.force_login(User.objects.get(username="assessscale.manager"))
    report("Printable page", timed(runs, lambda: client.get(reverse("assessment-print", kwargs={"pk": latest.pk}))))
    report(
        "CSV export",
        timed(runs, lambda: client.get(reverse("assessment-export", kwargs={"pk": latest.pk}), {"format": "csv"})),
    )


if __name__ == "__main__":
    main()
