"""Server time of the risk register pages on the scale dataset (manage.py seed_risks_scale first).

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE pmf_risks_bench'
    export SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmf_risks_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_risks_scale --risks 5000 --reviews 20000 --controls 15000
    .venv/bin/python benchmarks/risks_pages.py [--runs 9]

Times, through Django's test Client (the full request/response cycle in-process, no network):
the register (page 1 of 5,000, a late page sorted by code, filtered above appetite), the heat map
(current and inherent), and a strategic risk's page (with its reviews, controls, actions, KRIs and
the risks beneath it), for the director who sees the whole register and for a team owner. Prints
the median and the fastest of several runs, the median CPU time of this process (the Python
side alone: on a shared machine the wall-clock figures include waiting for the CPU), the query
count of each, and the load average when the runs ended.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from pmf.models import User  # noqa: E402
from risks.models import Control, Risk, RiskReview  # noqa: E402

LIMIT_MS = 150


def timed(runs, call):
    """Median and fastest wall-clock time of CALL, the median CPU time this process spent on it
    (Python's share, unaffected by other work on a busy machine), and its query count."""
    times, cpu, queries = [], [], 0
    call()  # warm up caches and connections
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = call()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return statistics.median(times), min(times), statistics.median(cpu), queries


def report(label, result, limit=LIMIT_MS):
    median, fastest, cpu, queries = result
    verdict = "ok" if median < limit else "SLOW"
    print(
        f"{label:<52} median {median:6.1f} ms  fastest {fastest:6.1f} ms  cpu {cpu:6.1f} ms  {queries:3d} queries  "
        f"(target < {limit} ms: {verdict})"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    if not User.objects.filter(username="riskscale.director").exists():
        sys.exit("No scale dataset: run `manage.py seed_risks_scale --risks 5000 --reviews 20000 --controls 15000`.")
    print(
        f"{Risk.objects.count():,} risks, {RiskReview.objects.count():,} reviews, {Control.objects.count():,} controls "
        f"on {connection.vendor}; {runs} runs each"
    )
    director = User.objects.get(username="riskscale.director")
    owner = User.objects.get(username="riskscale.owner1")
    strategic = Risk.objects.filter(code__startswith="RS-", level=0).order_by("code").first()
    operational = Risk.objects.filter(owner=owner).order_by("code").first()
    client = Client()
    register = reverse("risk-register")
    heatmap = reverse("risk-heatmap")

    client.force_login(director)
    report("Register, page 1 of 5,000 (director)", timed(runs, lambda: client.get(register)))
    report(
        "Register, page 50, sorted by code",
        timed(runs, lambda: client.get(register, {"page": 50, "sort": "code"})),
    )
    report(
        "Register filtered: above appetite, review overdue",
        timed(runs, lambda: client.get(register, {"above_appetite": "on", "overdue": "on"})),
    )
    report("Heat map, current positions (director)", timed(runs, lambda: client.get(heatmap)))
    report(
        "Heat map, inherent positions, one category",
        timed(runs, lambda: client.get(heatmap, {"position": "inherent", "category": strategic.category_id})),
    )
    detail = reverse("risk-detail", kwargs={"pk": strategic.pk})
    children = strategic.get_children().count()
    report(f"Risk page, strategic risk with {children} risks beneath", timed(runs, lambda: client.get(detail)))

    client.force_login(owner)
    report("Register, page 1 (team owner)", timed(runs, lambda: client.get(register)))
    report("Heat map (team owner)", timed(runs, lambda: client.get(heatmap)))
    report(
        "Risk page (team owner)",
        timed(runs, lambda: client.get(reverse("risk-detail", kwargs={"pk": operational.pk}))),
    )
    print("Load average (1, 5, 15 min): " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
