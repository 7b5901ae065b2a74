"""Server time of the indicators pages on the scale dataset (python manage.py seed_scale first).

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmf_indicators_bench \
        .venv/bin/python benchmarks/indicators_pages.py [--runs 7]

Times, through Django's test Client (the full request/response cycle in-process, no network):
the PI list (page of 100 of 30,000) for the director and for an area manager, the list filtered
by status, the monthly update page with 100 PIs, and saving the monthly update for 100 PIs in one
request. Prints the median and the fastest of several runs, and the query count of each.
"""

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from indicators import monthly  # noqa: E402
from indicators.models import Indicator, Measurement  # noqa: E402
from pmf.models import User  # noqa: E402


def timed(runs, call):
    times, queries = [], 0
    call()  # warm up caches and connections
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call()
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), response.status_code
        queries = len(captured)
    return statistics.median(times), min(times), queries


def report(label, result, limit):
    median, fastest, queries = result
    verdict = "ok" if median < limit else "SLOW"
    print(
        f"{label:<58} median {median:7.1f} ms  fastest {fastest:7.1f} ms  {queries:3d} queries  "
        f"(target < {limit} ms: {verdict})"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    if not User.objects.filter(username="scale.updater").exists():
        sys.exit("No scale dataset: run `manage.py seed_scale --pis 30000 --units 300 --months 36` first.")
    print(
        f"{Indicator.objects.count():,} PIs, {Measurement.objects.count():,} measurements on "
        f"{connection.vendor}; {runs} runs each"
    )
    director = User.objects.get(username="scale.manager")
    area_manager = User.objects.filter(username__startswith="scale.manager", org_unit__kind="area").first()
    updater = User.objects.get(username="scale.updater")
    client = Client()
    list_url = reverse("indicator-list")

    client.force_login(director)
    report("PI list, page 1 of 30,000 (director)", timed(runs, lambda: client.get(list_url)), 200)
    report(
        "PI list, page 50, sorted by status",
        timed(runs, lambda: client.get(list_url, {"page": 50, "sort": "-status"})),
        200,
    )
    report(
        "PI list filtered: red, monthly",
        timed(runs, lambda: client.get(list_url, {"status": "red", "frequency": "monthly"})),
        200,
    )
    client.force_login(area_manager)
    report("PI list, page 1 (area manager)", timed(runs, lambda: client.get(list_url)), 200)

    client.force_login(updater)
    update_url = reverse("indicator-monthly-update")
    month = monthly.reporting_month(timezone.localdate())
    print(
        f"monthly update for {updater.username}: {len(monthly.due_rows(user=updater, month=month))} PIs due "
        f"for {month:%b %Y}"
    )
    report("Monthly update page, 100 PIs", timed(runs, lambda: client.get(update_url)), 200)

    counter = {"n": 0}

    def save_all():
        counter["n"] += 1
        fresh = monthly.due_rows(user=updater, month=month)
        data = {}
        for row in fresh:
            value = Decimal(85) + Decimal(counter["n"] % 7) + Decimal(row.indicator.pk % 5)
            data[f"{row.prefix}-value"] = str(value)
            data[f"{row.prefix}-version"] = str(row.version)
            data[f"{row.prefix}-commentary"] = f"Benchmark save {counter['n']}"
            data[f"{row.prefix}-cause"] = "Staff absence"
            data[f"{row.prefix}-action_taken"] = "Cover arranged"
            data[f"{row.prefix}-recovery_date"] = "2027-03-01"
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            # The page's form posts urlencoded, as browsers do for forms without file inputs.
            response = client.post(update_url, urlencode(data), content_type="application/x-www-form-urlencoded")
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 302, response.status_code
        return elapsed, len(captured)

    save_all()
    results = [save_all() for _ in range(runs)]
    times = [elapsed for elapsed, _ in results]
    report("Save the monthly update, 100 PIs, one request", (statistics.median(times), min(times), results[-1][1]), 500)


if __name__ == "__main__":
    main()
