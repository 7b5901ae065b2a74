"""The daily cycle job and Who is behind on the scale dataset.

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE pmf_cycle_bench'
    export SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmf_cycle_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_scale --pis 30000 --units 300 --months 36 --people 3000
    .venv/bin/python benchmarks/cycle_daily.py [--runs 3]

Every run happens in a transaction that is rolled back, so the runs repeat on the same data.
- The daily job on the deadline day of the month after the last one seeded: every monthly and
  quarterly PI still lacks its value, the worst day of the month. E-mail goes to Django's
  in-memory backend. Reported: time, queries, notifications raised, digests sent (one a person).
- The same on the day line managers hear who is behind (the deadline plus N days).
- Who is behind for the director (all 30,000 PIs) and for an area manager, with 30% of last
  month's values taken out and a tenth of the rest red without the structured commentary:
  time and queries (the same number for both).
Targets: the job under 60 s with queries bounded by people, not PIs; the page under 200 ms.
Times are wall-clock, so they grow with whatever else the machine runs; the job's line also gives
the CPU time of this process (rendering and building the e-mails, making the notifications).
"""

import argparse
import datetime
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

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models.functions import Mod  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from cycle import chase, services  # noqa: E402
from cycle.calendar import DEFAULT  # noqa: E402
from cycle.models import Digest  # noqa: E402
from indicators.models import Indicator, Measurement  # noqa: E402
from pmf import periods  # noqa: E402
from pmf.models import User  # noqa: E402


class Rollback(Exception):
    pass


def daily_run(today: datetime.date) -> dict:
    """One run of the daily job for TODAY, rolled back afterwards."""
    found = {}
    try:
        with transaction.atomic():
            mail.outbox = []
            with CaptureQueriesContext(connection) as captured:
                started, cpu = time.perf_counter(), time.process_time()
                outcome = services.run_daily(today=today)
                found["seconds"] = time.perf_counter() - started
                found["cpu"] = time.process_time() - cpu
            found["queries"] = len(captured)
            found["notifications"] = outcome.notifications
            found["sent"] = outcome.sent
            found["mails"] = len(mail.outbox)
            found["recipients"] = len({tuple(message.to) for message in mail.outbox})
            found["digests"] = Digest.objects.filter(day=today).count()
            raise Rollback
    except Rollback:
        pass
    return found


def report_daily(label: str, runs: list[dict]) -> None:
    seconds = statistics.median(run["seconds"] for run in runs)
    last = runs[-1]
    cpu = statistics.median(run["cpu"] for run in runs)
    verdict = "ok" if seconds < 60 else "SLOW"
    print(
        f"{label:<44} median {seconds:6.1f} s  fastest {min(r['seconds'] for r in runs):6.1f} s  "
        f"(this process's CPU: median {cpu:5.1f} s; the rest is the database and waiting for a core)  "
        f"{last['queries']:5d} queries  {last['notifications']:6,d} notifications  {last['sent']:5,d} digests sent "
        f"to {last['recipients']:,} people ({last['mails']:,} e-mails)  (target < 60 s: {verdict})"
    )


def timed_page(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return statistics.median(times), min(times), queries


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    if not User.objects.filter(username="scale.manager").exists():
        sys.exit("No scale dataset: run `manage.py seed_scale --pis 30000 --units 300 --months 36 --people 3000`.")
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    people = User.objects.filter(username__startswith="scale.").count()
    print(
        f"{Indicator.objects.count():,} PIs, {Measurement.objects.count():,} measurements, {people:,} people "
        f"on {connection.vendor}; {runs} runs each"
    )
    seeded = Measurement.objects.order_by("-period").values_list("period", flat=True).first()
    month = periods.add_months(seeded, 1)
    deadline = DEFAULT.deadline(month)
    report_daily(f"Daily job on the deadline day ({deadline:%-d %b %Y})", [daily_run(deadline) for _ in range(runs)])
    escalation = deadline + datetime.timedelta(days=DEFAULT.escalate_manager_after)
    report_daily(
        f"Daily job on the escalation day ({escalation:%-d %b %Y})", [daily_run(escalation) for _ in range(runs)]
    )

    director = User.objects.get(username="scale.manager")
    area_manager = User.objects.filter(username__startswith="scale.manager", org_unit__kind="area").first()
    reporting = chase.reporting_month(timezone.localdate())
    url = reverse("cycle-behind")
    try:
        with transaction.atomic():
            due = Measurement.objects.filter(period=reporting).annotate(slot=Mod("indicator_id", 10))
            removed = Measurement.objects.filter(pk__in=due.filter(slot__lt=3).values("pk")).delete()[0]
            reds = Measurement.objects.filter(pk__in=due.filter(slot=3).values("pk")).update(status="red", cause="")
            print(f"Who is behind for {periods.month_label(reporting)}: {removed:,} values taken out, {reds:,} reds")
            client = Client()
            for label, person in (("director", director), ("area manager", area_manager)):
                client.force_login(person)
                median, fastest, queries = timed_page(client, url, max(runs, 7))
                verdict = "ok" if median < 200 else "SLOW"
                print(
                    f"{'Who is behind (' + label + ')':<44} median {median:6.1f} ms fastest {fastest:6.1f} ms  "
                    f"{queries:3d} queries  (target < 200 ms: {verdict})"
                )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
