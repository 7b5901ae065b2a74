"""Server time of a 1-2-1 for a person who owns 200 actions, 300 PIs and 50 risks, and of freezing it.

    export SECRET_KEY=x
    .venv/bin/python benchmarks/people_121.py [--runs 9] [--rebuild]

Uses its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/pmf_people_bench),
creating it with psql, migrating it and building the data when it is missing (or with --rebuild):
a manager and the person reporting to them, 200 actions assigned to the person, 300 monthly PIs they
update with 13 months of values each, 50 risks they own, an open 1-2-1 with comments on 50 items.
Times, through Django's test Client (the full request/response cycle in-process), the open 1-2-1
as the manager and as the person, then completing it (freezing 550 rows, rolled back after each
run), the completed 1-2-1 and the person's history with the comparison of two meetings. Prints the
median and the fastest of --runs runs and the query count of each.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pmf_people_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")

PAGE_LIMIT_MS = 200
FREEZE_LIMIT_MS = 1000
ACTIONS, PIS, RISKS, MONTHS = 200, 300, 50, 13


def psql(url: str, sql: str) -> str:
    parsed = urlparse(url)
    command = ["psql", "-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    command += ["-U", parsed.username or "postgres", "-d", "postgres", "-tAc", sql]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def prepare(url: str, *, rebuild: bool) -> None:
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

    if not User.objects.filter(username="bench.person").exists():
        build()


def build() -> None:
    from django.db import transaction
    from django.utils import timezone

    from indicators.models import Indicator, Measurement
    from indicators.services.latest import refresh_latest
    from people import services
    from plans.models import PlanItem
    from plans.services import refresh_statuses
    from pmf import periods
    from pmf.models import OrgUnit, User
    from risks.models import Risk, RiskCategory

    started = time.perf_counter()
    today = timezone.localdate()
    with transaction.atomic():
        K = OrgUnit.Kind
        group = OrgUnit.objects.create(name="Bench Group", code="bench", kind=K.GROUP)
        org = OrgUnit.objects.create(name="Bench Homes", code="bench-homes", kind=K.ORGANISATION, parent=group)
        directorate = OrgUnit.objects.create(name="Housing", code="bench-housing", kind=K.DIRECTORATE, parent=org)
        service = OrgUnit.objects.create(name="Income", code="bench-income", kind=K.SERVICE, parent=directorate)
        team = OrgUnit.objects.create(name="Rents", code="bench-rents", kind=K.TEAM, parent=service)
        manager = User.objects.create_user(
            "bench.manager",
            "bench.manager@example.org",
            "x",
            name="Bench Manager",
            role="manager",
            org_unit=directorate,
        )
        person = User.objects.create_user(
            "bench.person",
            "bench.person@example.org",
            "x",
            name="Bench Person",
            role="updater",
            org_unit=team,
            line_manager=manager,
        )
        plan = PlanItem.objects.create(code="BP", kind="plan", title="Delivery plan", org_unit=directorate)
        objective = PlanItem.objects.create(
            code="BP 1", kind="objective", parent=plan, title="Reduce arrears", org_unit=directorate
        )
        for number in range(ACTIONS):
            PlanItem.objects.create(
                code=f"BP 1.{number + 1}",
                kind="action",
                parent=objective,
                title=f"Action {number + 1} of the arrears plan",
                org_unit=team,
                assigned_to=person,
                managed_by=manager,
                planned_start=today - datetime.timedelta(days=90),
                due_date=today + datetime.timedelta(days=number - 40),
                progress=number % 100,
                actual_start=today - datetime.timedelta(days=80),
            )
        refresh_statuses(on=today)
        indicators = Indicator.objects.bulk_create(
            Indicator(
                code=f"BPI{number:03d}",
                title=f"Indicator {number}",
                unit=Indicator.Unit.PERCENT,
                polarity=Indicator.Polarity.UP,
                frequency=Indicator.Frequency.MONTHLY,
                tolerance_kind=Indicator.ToleranceKind.ABSOLUTE,
                tolerance=Decimal("2"),
                org_unit=team,
                owner=manager,
                updater=person,
            )
            for number in range(PIS)
        )
        latest = periods.last_complete_month(today)
        statuses = ("green", "amber", "red")
        Measurement.objects.bulk_create(
            Measurement(
                indicator=indicator,
                period=periods.add_months(latest, -back),
                value=Decimal(85 + (index + back) % 10),
                target=Decimal("90"),
                status=statuses[(index + back) % 3],
                commentary="" if (index + back) % 7 == 0 else "Explained in the team meeting.",
            )
            for index, indicator in enumerate(indicators)
            for back in range(MONTHS)
        )
        refresh_latest(indicator_ids=[indicator.pk for indicator in indicators])
        category, _ = RiskCategory.objects.get_or_create(code="operational", defaults={"name": "Operational"})
        for number in range(RISKS):
            Risk.objects.create(
                code=f"BR {number:02d}",
                title=f"Risk {number}",
                category=category,
                org_unit=team,
                owner=person,
                inherent_likelihood=4,
                inherent_impact=4,
                current_likelihood=1 + number % 5,
                current_impact=1 + (number // 5) % 5,
                target_likelihood=1,
                target_impact=1,
                next_review_date=today + datetime.timedelta(days=number - 10),
            )
        earlier = services.start_meeting(manager=manager, person=person, held_on=today - datetime.timedelta(days=28))
        services.complete_meeting(meeting=earlier, user=manager)
        meeting = services.start_meeting(manager=manager, person=person, held_on=today)
        items = [item for section in services.gather(person) for item in section.items]
        services.save_meeting(
            meeting=meeting,
            user=manager,
            notes="Monthly 1-2-1.",
            comments={(item.kind, item.object_id): f"Comment on {item.code}" for item in items[::11]},
            next_meeting=today + datetime.timedelta(days=28),
        )
    print(f"Built the data in {time.perf_counter() - started:.1f} s")


def timed(runs, call):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpu, db, queries = [], [], [], 0
    call()  # warm up caches and connections
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = call()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        db.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
        if response is not None:
            assert response.status_code == 200, response.status_code
        queries = len(captured)
    return statistics.median(times), min(times), statistics.median(cpu), statistics.median(db), queries


def report(label, result, limit=PAGE_LIMIT_MS):
    """Wall-clock server time (what a person waits for); the CPU time of this process alone
    (views, templates, ORM); and the time spent waiting on the database's answers."""
    median, fastest, cpu, db, queries = result
    verdict = "ok" if median < limit else "SLOW"
    print(
        f"{label:<38} median {median:6.1f} ms  fastest {fastest:6.1f} ms  cpu {cpu:6.1f} ms  db {db:6.1f} ms  "
        f"{queries:3d} queries  (target < {limit} ms: {verdict})"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--rebuild", action="store_true", help="drop the database and build the data again")
    options = parser.parse_args()
    prepare(os.environ["DATABASE_URL"], rebuild=options.rebuild)

    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from people import services
    from people.models import Meeting, MeetingItem
    from pmf.models import User

    person = User.objects.get(username="bench.person")
    manager = User.objects.get(username="bench.manager")
    meeting = Meeting.objects.get(person=person, status=Meeting.Status.OPEN)
    done = Meeting.objects.get(person=person, status=Meeting.Status.COMPLETED)
    counts = {section.label: len(section.items) for section in services.gather(person)}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {connection.vendor}")
    print(f"the person's items: {counts}; {options.runs} runs each")
    client = Client()
    url = reverse("meeting-detail", kwargs={"pk": meeting.pk})
    for who in (manager, person):
        client.force_login(who)
        report(f"Open 1-2-1 page ({who.username})", timed(options.runs, lambda: client.get(url)))

    class Rollback(Exception):
        pass

    def freeze():
        try:
            with transaction.atomic():
                services.complete_meeting(meeting=meeting, user=manager)
                raise Rollback
        except Rollback:
            return None

    report("Completing (freezing) the 1-2-1", timed(options.runs, freeze), limit=FREEZE_LIMIT_MS)
    still_open = not Meeting.objects.get(pk=meeting.pk).is_completed
    print(f"  rows frozen per completion: {sum(counts.values())}; still open after the runs: {still_open}")
    client.force_login(manager)
    report("Completed 1-2-1 page", timed(options.runs, lambda: client.get(done.get_absolute_url())))
    with transaction.atomic():
        services.complete_meeting(meeting=meeting, user=manager)
        history = reverse("people-person", kwargs={"pk": person.pk})
        report("History with the comparison of two", timed(options.runs, lambda: client.get(history)))
        print(f"  frozen rows compared: {MeetingItem.objects.filter(meeting__person=person).count()}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
