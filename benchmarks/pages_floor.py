"""Each main page's server time against its SQL floor, on the scale dataset, in one run.

    createdb -h 127.0.0.1 -U postgres pmf_bench
    export SECRET_KEY=x DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmf_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_scale --pis 30000 --units 300 --months 36
    .venv/bin/python manage.py seed_demo
    .venv/bin/python benchmarks/pages_floor.py [--runs 9] [--only plan-tree my-work ...]

On first use it adds, with bulk inserts, what the scale and demo data lack: a plan of 10,800
actions under ten plans and a hundred objectives over the scale units, assigned to the scale
people (so the plan tree holds about 11,000 items), and a scorecard of 515 scale PIs with an
edition issued for the last complete month and two of its values corrected afterwards.

For each page, through Django's test Client (the whole request in-process: middleware, view,
templates, SQL), it prints:
- the median server time of --runs requests (a streamed export is read to its last byte);
- the SQL floor: the SELECT statements the page ran, captured from one request and run again as
  raw SQL with every row fetched, timed in the same run (median of as many runs); for the exports,
  the same SELECTs wrapped in PostgreSQL's `COPY (...) TO STDOUT (FORMAT csv)` with every byte
  read, so the floor of a CSV export is PostgreSQL writing the same rows as CSV itself;
- the ratio of the two, the query count and the size of the response.
The median CPU time of this process per request is printed too: on a shared machine the wall
clock includes waiting for a core. The load average when the runs ended closes the table.
"""

import argparse
import datetime
import os
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from indicators.models import Indicator, Measurement  # noqa: E402
from pmf import periods  # noqa: E402
from pmf.models import OrgUnit, User  # noqa: E402

PLANS, OBJECTIVES, ACTIONS = 10, 10, 108
SCORECARD_PIS = 515
SCORECARD_TITLE = "Scale Homes performance (benchmark)"


# Data the scale dataset lacks ------------------------------------------------------------------


def build_plan() -> None:
    """Strategy > 10 plans > 10 objectives each > 108 actions each, in the scale units, assigned
    to the scale people; MPTT numbers computed here and the tree inserted in bulk."""
    from plans.models import PlanItem
    from plans.services import refresh_statuses

    if PlanItem.objects.filter(code="SCALE").exists():
        return
    started = time.perf_counter()
    K = PlanItem.Kind
    org = OrgUnit.objects.get(code="scale-homes")
    areas = list(OrgUnit.objects.filter(code__startswith="scale-a").order_by("pk"))
    managers = {person.org_unit_id: person for person in User.objects.filter(username__startswith="scale.manager")}
    officers = list(User.objects.filter(username__startswith="scale.updater").order_by("pk"))
    director = User.objects.get(username="scale.manager")
    today = timezone.localdate()
    tree_id = (PlanItem.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0) + 1
    items: list[PlanItem] = []
    parents: dict[int, int] = {}
    counter = 0

    def node(code, kind, parent, level, unit, **extra):
        nonlocal counter
        counter += 1
        items.append(
            PlanItem(
                code=code,
                kind=kind,
                title=f"{kind.label} {code}",
                org_unit=unit,
                level=level,
                tree_id=tree_id,
                lft=counter,
                rght=0,
                **extra,
            )
        )
        if parent is not None:
            parents[len(items) - 1] = parent
        return len(items) - 1

    def close(index):
        nonlocal counter
        counter += 1
        items[index].rght = counter

    strategy = node("SCALE", K.STRATEGY, None, 0, org, managed_by=director)
    for p in range(1, PLANS + 1):
        area = areas[p % len(areas)]
        plan = node(f"SP{p:02d}", K.PLAN, strategy, 1, area, managed_by=managers.get(area.pk, director))
        for o in range(1, OBJECTIVES + 1):
            objective = node(f"SP{p:02d} {o:02d}", K.OBJECTIVE, plan, 2, area, managed_by=managers.get(area.pk))
            for a in range(1, ACTIONS + 1):
                n = p * 10000 + o * 1000 + a
                close(
                    node(
                        f"SP{p:02d} {o:02d}.{a:03d}",
                        K.ACTION,
                        objective,
                        3,
                        area,
                        assigned_to=officers[n % len(officers)],
                        managed_by=managers.get(area.pk, director),
                        planned_start=today - datetime.timedelta(days=n % 200),
                        due_date=today + datetime.timedelta(days=30 + n % 240 - n % 200),
                        progress=n % 101,
                    )
                )
            close(objective)
        close(plan)
    close(strategy)
    with transaction.atomic():
        PlanItem.objects.bulk_create(items, batch_size=2000)
        for index, parent in parents.items():
            items[index].parent_id = items[parent].pk
        PlanItem.objects.bulk_update(items, ["parent"], batch_size=2000)
    refresh_statuses()
    print(f"Built a plan of {len(items):,} items in {time.perf_counter() - started:.1f} s")


def build_scorecard() -> None:
    """A scorecard of SCORECARD_PIS scale PIs in five sections, issued for the last complete month,
    then two of its values corrected (the restatements)."""
    from indicators import services as indicator_services
    from scorecards import services
    from scorecards.models import Scorecard

    if Scorecard.objects.filter(title=SCORECARD_TITLE).exists():
        return
    director = User.objects.get(username="scale.manager")
    month = periods.last_complete_month(timezone.localdate())
    chosen = list(Indicator.objects.filter(code__startswith="S", frequency="monthly").order_by("code")[:SCORECARD_PIS])
    scorecard = Scorecard.objects.create(title=SCORECARD_TITLE, org_unit=director.org_unit, owner=director)
    size = -(-len(chosen) // 5)
    for number in range(5):
        section = services.add_section(scorecard=scorecard, title=f"Perspective {number + 1}")
        services.add_entries(section=section, indicators=chosen[number * size : (number + 1) * size])
    services.issue_edition(scorecard=scorecard, period=month, user=director)
    for indicator in chosen[:2]:
        measurement = Measurement.objects.get(indicator=indicator, period=month)
        indicator_services.save_values(
            entries=[
                indicator_services.ValueInput(
                    indicator=indicator,
                    period=month,
                    value=measurement.value + Decimal("1.5"),
                    commentary="Corrected after the scorecard was issued: late repairs data.",
                    version=measurement.version,
                    reason="Late repairs data received after the scorecard was issued.",
                )
            ],
            user=director,
            require_red_commentary=False,
        )
    print(f"Built and issued the scorecard of {len(chosen)} PIs for {periods.month_label(month)}")


# Timing -----------------------------------------------------------------------------------------


def _read(response) -> int:
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


# A server-side cursor (QuerySet.iterator) is logged as the DECLARE that opens it.
_DECLARE = re.compile(r"^\s*DECLARE\s+\S+\s+.*?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+(.*)$", re.S | re.I)


def _selects(captured) -> list[str]:
    """The SELECT statements of CAPTURED queries (those behind server-side cursors included)."""
    found = []
    for query in captured:
        sql = query["sql"]
        declared = _DECLARE.match(sql)
        if declared:
            found.append(declared.group(1))
        elif sql.lstrip().upper().startswith(("SELECT", "WITH")):
            found.append(sql)
    return found


def _floor(statements: list[str], copy: bool) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in statements:
            if copy:
                with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as out:
                    for _ in out:
                        pass
            else:
                cursor.execute(sql)
                cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def measure(client: Client, url: str, runs: int, *, copy: bool = False):
    response = client.get(url)  # warm up: templates compiled, caches filled
    assert response.status_code == 200, (url, response.status_code)
    _read(response)
    # Each request empties the query log as it starts; start the capture from an empty log too.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        size = _read(response)
    statements, queries = _selects(captured), len(captured)  # read now: the next request empties the log
    times, cpu, floors = [], [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        _read(response)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        floors.append(_floor(statements, copy))
    return statistics.median(times), statistics.median(cpu), statistics.median(floors), queries, size


def pages() -> list[tuple[str, str, str, dict]]:
    """(name, username, url, options) of every page timed."""
    from plans.models import PlanItem
    from scorecards.models import Scorecard

    month = periods.last_complete_month(timezone.localdate())
    pi = Indicator.objects.get(code="S000001")
    objective = PlanItem.objects.get(code="SP01 01")
    action = PlanItem.objects.get(code="SP01 01.001")
    scorecard = Scorecard.objects.get(title=SCORECARD_TITLE)
    area_manager = User.objects.filter(username__startswith="scale.manager", org_unit__kind="area").order_by("pk")[0]
    return [
        ("pi-list", "scale.manager", reverse("indicator-list"), {}),
        ("pi-list-csv", "scale.manager", reverse("indicator-list") + "?export=csv", {"copy": True, "runs": 5}),
        ("pi-list-xlsx", "scale.manager", reverse("indicator-list") + "?export=xlsx", {"copy": True, "runs": 3}),
        (
            "values-csv",
            area_manager.username,
            reverse("indicator-export", args=["values", "csv"]),
            {"copy": True, "runs": 3},
        ),
        ("plan-items-csv", "scale.manager", reverse("plan-export"), {"copy": True, "runs": 5}),
        ("pi-page", "scale.manager", reverse("indicator-detail", args=[pi.pk]), {}),
        ("monthly-update", "scale.updater", reverse("indicator-monthly-update"), {}),
        ("plan-tree", "scale.manager", reverse("plan-tree"), {}),
        ("plan-expand", "scale.manager", reverse("plan-tree-children", args=[objective.pk]), {}),
        ("action-page", "scale.manager", reverse("planitem-detail", args=[action.pk]), {}),
        ("my-work", "scale.updater", reverse("home"), {}),
        ("approvals", "scale.manager", reverse("indicator-approvals"), {}),
        ("target-review", "scale.manager", reverse("indicator-target-flags"), {}),
        ("my-snapshot", area_manager.username, reverse("snapshot-mine"), {}),
        (
            "scorecard-issued",
            "scale.manager",
            reverse("scorecard-detail", args=[scorecard.pk]) + f"?period={month:%Y-%m}",
            {},
        ),
        (
            "scorecard-unissued",
            "scale.manager",
            reverse("scorecard-detail", args=[scorecard.pk]) + f"?period={periods.add_months(month, -1):%Y-%m}",
            {},
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", nargs="*", help="names of the pages to time (default: all)")
    args = parser.parse_args()
    if not User.objects.filter(username="scale.updater").exists():
        sys.exit("No scale dataset: run `manage.py seed_scale --pis 30000 --units 300 --months 36` first.")
    if not User.objects.filter(username="group.admin").exists():
        sys.exit("No demo data: run `manage.py seed_demo` first.")
    build_plan()
    build_scorecard()
    from plans.models import PlanItem

    print(
        f"{Indicator.objects.count():,} PIs, {Measurement.objects.count():,} values, "
        f"{PlanItem.objects.count():,} plan items, {OrgUnit.objects.count()} units, {User.objects.count()} people; "
        f"median of --runs {args.runs} (fewer for exports)"
    )
    print(
        f"{'page':<20} {'user':<16} {'median':>9} {'cpu':>9} {'SQL floor':>10} {'ratio':>7} {'queries':>8} {'size':>10}"
    )
    clients: dict[str, Client] = {}
    for name, username, url, options in pages():
        if args.only and name not in args.only:
            continue
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client()
            client.force_login(User.objects.get(username=username))
        runs = min(args.runs, options.get("runs", args.runs))
        median, cpu, floor, queries, size = measure(client, url, runs, copy=options.get("copy", False))
        print(
            f"{name:<20} {username:<16} {median:7.1f} ms {cpu:6.1f} ms {floor:7.1f} ms {median / floor:6.1f}x "
            f"{queries:8d} {size / 1024:7.0f} KB",
            flush=True,
        )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
