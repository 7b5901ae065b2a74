"""Time the plan tree with 10,000 plan items in PostgreSQL.

    .venv/bin/python benchmarks/plans_tree.py [--runs 15] [--rebuild]

Uses its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/pmf_plans_bench),
creating it with psql and migrating it when missing. Builds strategy > 10 plans > 10 objectives
each > 99 actions each (10,011 items) with bulk inserts and precomputed MPTT numbers, then times
through Django's test Client (server time: URL resolving, middleware, views, templates, SQL):
opening the plan tree, expanding one objective (99 children, first page of 50), and the same
for a manager who sees only their directorate's subtree. Prints the median of --runs runs.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pmf_plans_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")

PLANS, OBJECTIVES, ACTIONS = 10, 10, 99
TARGET_MS = 150


def ensure_database(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    base = [
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
    ]
    exists = subprocess.run(
        [*base, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if exists != "1":
        subprocess.run([*base, f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
        print(f"Created database {name}")


def build(units, people) -> int:
    """Bulk-insert the tree with MPTT numbers computed here (one tree, depth-first)."""
    from plans.models import PlanItem
    from plans.services import refresh_statuses

    K = PlanItem.Kind
    today = datetime.date.today()
    items: list[PlanItem] = []
    counter = 0

    def node(code, kind, parent_index, level, unit, **extra):
        nonlocal counter
        counter += 1
        items.append(
            PlanItem(
                code=code,
                kind=kind,
                title=f"{kind.title()} {code}",
                org_unit=unit,
                level=level,
                tree_id=1,
                lft=counter,
                rght=0,
                **extra,
            )
        )
        return len(items) - 1

    def close(index):
        nonlocal counter
        counter += 1
        items[index].rght = counter

    parents: dict[int, int] = {}
    strategy = node("BS", K.STRATEGY, None, 0, units["org"])
    for p in range(1, PLANS + 1):
        unit = units["dir_a"] if p % 2 else units["dir_b"]
        plan = node(f"BP{p:02d}", K.PLAN, strategy, 1, unit)
        parents[plan] = strategy
        for o in range(1, OBJECTIVES + 1):
            objective = node(f"BP{p:02d} {o:02d}", K.OBJECTIVE, plan, 2, unit)
            parents[objective] = plan
            for a in range(1, ACTIONS + 1):
                n = p * 1000 + o * 100 + a
                action = node(
                    f"BP{p:02d} {o:02d}.{a:02d}",
                    K.ACTION,
                    objective,
                    3,
                    unit,
                    assigned_to=people["updater"] if n % 3 == 0 else people["manager"],
                    managed_by=people["manager"],
                    planned_start=today - datetime.timedelta(days=n % 200),
                    due_date=today - datetime.timedelta(days=n % 200 - 30 - n % 300),
                    progress=n % 101,
                )
                parents[action] = objective
                close(action)
            close(objective)
        close(plan)
    close(strategy)
    PlanItem.objects.bulk_create(items, batch_size=2000)
    ids = {item.code: item.pk for item in items}
    # bulk_create cannot set parent before the parents have ids; link them in one pass now
    for index, parent_index in parents.items():
        items[index].parent_id = ids[items[parent_index].code]
    PlanItem.objects.bulk_update(items, ["parent"], batch_size=2000)
    refresh_statuses()
    return len(items)


def setup_org():
    from pmf.models import OrgUnit, User

    K = OrgUnit.Kind
    org = OrgUnit.objects.create(name="Bench Homes", code="bench", kind=K.ORGANISATION)
    dir_a = OrgUnit.objects.create(name="Bench Housing", code="bench-a", kind=K.DIRECTORATE, parent=org)
    dir_b = OrgUnit.objects.create(name="Bench Property", code="bench-b", kind=K.DIRECTORATE, parent=org)
    people = {
        "admin": User.objects.create(
            username="bench.admin", name="Bench Admin", email="a@bench.example", role="admin", org_unit=org
        ),
        "manager": User.objects.create(
            username="bench.manager", name="Bench Manager", email="m@bench.example", role="manager", org_unit=dir_a
        ),
        "updater": User.objects.create(
            username="bench.updater", name="Bench Updater", email="u@bench.example", role="updater", org_unit=dir_a
        ),
    }
    return {"org": org, "dir_a": dir_a, "dir_b": dir_b}, people


def timed(client, url, runs: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up: templates compiled, caches filled
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(samples), len(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rebuild", action="store_true", help="delete the benchmark rows and build them again")
    args = parser.parse_args()
    if os.environ["DATABASE_URL"].startswith("postgres"):
        ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from plans.models import Milestone, PlanItem, ProgressUpdate
    from pmf.models import OrgUnit, User

    call_command("migrate", verbosity=0)
    if args.rebuild:
        ProgressUpdate.objects.all().delete()
        Milestone.objects.all().delete()
        PlanItem.supports.through.objects.all().delete()
        PlanItem.history.all().delete()
        # children before parents: PROTECT on parent
        for level in (3, 2, 1, 0):
            PlanItem.objects.filter(level=level).delete()
        User.objects.filter(username__startswith="bench.").delete()
        for level in (1, 0):
            OrgUnit.objects.filter(code__startswith="bench", level=level).delete()
    if not PlanItem.objects.filter(code="BS").exists():
        started = time.perf_counter()
        with transaction.atomic():
            units, people = setup_org()
            count = build(units, people)
        print(f"Built {count} plan items in {time.perf_counter() - started:.1f} s")
    total = PlanItem.objects.count()
    objective = PlanItem.objects.get(code="BP01 01")
    plan = PlanItem.objects.get(code="BP01")
    client = Client()
    results = []
    for username in ("bench.admin", "bench.manager"):
        client.force_login(User.objects.get(username=username))
        for label, url in (
            ("open plan tree", reverse("plan-tree")),
            ("explore from a plan", reverse("plan-tree") + f"?root={plan.pk}"),
            ("expand an objective (99 children)", reverse("plan-tree-children", kwargs={"pk": objective.pk})),
            ("filter: overdue", reverse("plan-tree") + "?due=overdue"),
        ):
            median, queries = timed(client, url, args.runs)
            results.append((username, label, median, queries))
    print(f"{total} plan items in {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]}; median of {args.runs} runs")
    for username, label, median, queries in results:
        flag = "ok" if median < TARGET_MS else f"OVER {TARGET_MS} ms"
        print(f"  {username:<14} {label:<36} {median:7.1f} ms  {queries:2d} queries  {flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
