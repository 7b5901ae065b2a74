"""Server time of a 500-PI snapshot and scorecard, and of issuing a 500-PI edition, on PostgreSQL.

    SECRET_KEY=x .venv/bin/python benchmarks/scorecards_render.py [--runs 7] [--pis 30000] [--months 36]

Uses its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/pmf_scorecards_bench;
create it and migrate it first). On first use it builds, with bulk inserts, an organisation tree
("Bench Housing", 300 patches), 30,000 monthly PIs and 36 months of values each (1.08M
measurements), then a director, a scorecard of 500 PIs in 5 sections and a snapshot of the same
500 PIs. Later runs reuse the data.

Times through Django's test Client (the whole request in-process: middleware, access rules, SQL,
templates; no network): the snapshot and scorecard pages, each as the director (who sees
everything under the organisation). Then issues last month's edition of fresh copies of the
500-PI scorecard (each a real, new edition), and once more to show the idempotent return.
Prints the median and fastest of --runs runs and the query count of each page.
"""

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pmf_scorecards_bench")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from indicators import rules  # noqa: E402
from indicators.models import Indicator, Measurement  # noqa: E402
from pmf import periods  # noqa: E402
from pmf.models import OrgUnit, User  # noqa: E402
from scorecards import services  # noqa: E402
from scorecards.models import Scorecard, ScorecardEntry, ScorecardSection, Snapshot  # noqa: E402

CODE = "scbench"
SCORECARD = "Bench scorecard of 500 PIs"
BATCH = 10000


def _units() -> list[OrgUnit]:
    K = OrgUnit.Kind
    root = OrgUnit.objects.create(name="Bench Housing", code=CODE, kind=K.ORGANISATION)
    patches = []
    for a in range(10):
        area = OrgUnit.objects.create(name=f"Area {a}", code=f"{CODE}-a{a}", kind=K.AREA, parent=root)
        for o in range(3):
            office = OrgUnit.objects.create(name=f"Office {a}.{o}", code=f"{CODE}-o{a}-{o}", kind=K.OFFICE, parent=area)
            for p in range(10):
                patches.append(
                    OrgUnit.objects.create(
                        name=f"Patch {a}.{o}.{p}", code=f"{CODE}-p{a}-{o}-{p}", kind=K.PATCH, parent=office
                    )
                )
    return patches


def build(pis: int, months: int) -> None:
    started = time.monotonic()
    rng = random.Random(2026)
    end = periods.last_complete_month(timezone.localdate())
    span = [periods.add_months(end, index - months + 1) for index in range(months)]
    with transaction.atomic():
        patches = _units()
        director = User.objects.create(
            username=f"{CODE}.director", name="Bench Director", role="manager", org_unit=OrgUnit.objects.get(code=CODE)
        )
        print(f"  organisation: {len(patches)} patches ({time.monotonic() - started:.1f} s)")
        Indicator.objects.bulk_create(
            [
                Indicator(
                    code=f"B{index:05d}",
                    title=f"Bench indicator {index}",
                    org_unit=patches[index % len(patches)],
                    unit="percent",
                    polarity=rng.choice(["up", "down"]),
                    owner=director,
                )
                for index in range(pis)
            ],
            batch_size=BATCH,
        )
        indicators = list(
            Indicator.objects.filter(code__startswith="B", org_unit__tree_id=patches[0].tree_id).only("pk", "polarity")
        )
        print(f"  indicators: {len(indicators)} ({time.monotonic() - started:.1f} s)")
        now = timezone.now()
        batch = []
        latest = []
        for indicator in indicators:
            level = rng.uniform(60, 95)
            target = Decimal(round(rng.uniform(70, 90)))
            for period in span:
                level = min(100.0, max(0.0, level + rng.gauss(0, 2)))
                value = Decimal(f"{level:.1f}")
                status = rules.traffic_light(
                    value=value,
                    target=target,
                    polarity=indicator.polarity,
                    tolerance=Decimal(2),
                    tolerance_kind=rules.ABSOLUTE,
                )
                batch.append(
                    Measurement(
                        indicator_id=indicator.pk,
                        period=period,
                        value=value,
                        target=target,
                        status=status,
                        commentary="Monthly figure from the housing system.",
                        approved_at=now,
                    )
                )
            latest.append((indicator.pk, span[-1], value, target, status))
            if len(batch) >= BATCH:
                Measurement.objects.bulk_create(batch)
                batch = []
        Measurement.objects.bulk_create(batch)
        print(f"  measurements: {len(indicators) * months} ({time.monotonic() - started:.1f} s)")
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE indicators_indicator SET latest_period = %s, latest_value = %s, "
                "latest_target = %s, latest_status = %s WHERE id = %s",
                [(period, value, target, status, pk) for pk, period, value, target, status in latest],
            )
        chosen = rng.sample(indicators, 500)
        scorecard = Scorecard.objects.create(title=SCORECARD, org_unit=OrgUnit.objects.get(code=CODE), owner=director)
        sections = [
            ScorecardSection.objects.create(scorecard=scorecard, title=title, order=index)
            for index, title in enumerate(["Customer", "Finance", "Process", "People", "Compliance"])
        ]
        ScorecardEntry.objects.bulk_create(
            [
                ScorecardEntry(
                    scorecard=scorecard, section=sections[index % 5], indicator_id=indicator.pk, order=index // 5
                )
                for index, indicator in enumerate(chosen)
            ]
        )
        snapshot = Snapshot.objects.create(
            name="Bench snapshot of 500 PIs", owner=director, org_unit=scorecard.org_unit
        )
        snapshot.indicators.set([indicator.pk for indicator in chosen])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  built in {time.monotonic() - started:.1f} s")


def timed(runs: int, call) -> list[float]:
    call()  # warm caches (templates, connections) once
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(label: str, times: list[float], queries: int | None = None) -> None:
    extra = f", {queries} queries" if queries is not None else ""
    print(f"{label:<44} median {statistics.median(times):7.1f} ms   fastest {min(times):7.1f} ms{extra}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pis", type=int, default=30000)
    parser.add_argument("--months", type=int, default=36)
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "Run this on PostgreSQL (DATABASE_URL)."
    if not OrgUnit.objects.filter(code=CODE).exists():
        print(f"Building {args.pis} PIs x {args.months} months ...")
        build(args.pis, args.months)
    print(f"Data: {Indicator.objects.count()} PIs, {Measurement.objects.count()} measurements")
    director = User.objects.get(username=f"{CODE}.director")
    scorecard = Scorecard.objects.get(title=SCORECARD)
    snapshot = Snapshot.objects.get(name="Bench snapshot of 500 PIs")
    client = Client()
    client.force_login(director)
    period = periods.last_complete_month(timezone.localdate())
    pages = [
        ("snapshot of 500 PIs", reverse("snapshot-detail", kwargs={"pk": snapshot.pk})),
        ("scorecard of 500 PIs", reverse("scorecard-detail", kwargs={"pk": scorecard.pk}) + f"?period={period:%Y-%m}"),
    ]
    for label, url in pages:

        def get(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        queries = []

        def count(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            get()
        report(label, timed(args.runs, get), len(queries))

    times = []
    for run in range(args.runs):
        copy = _copy_scorecard(scorecard, f"Bench issue {run} ({time.time():.0f})")
        started = time.perf_counter()
        edition = services.issue_edition(scorecard=copy, period=period, user=director)
        times.append((time.perf_counter() - started) * 1000)
        assert edition.rows.count() == 500
    report("issue an edition of 500 PIs", times)
    started = time.perf_counter()
    services.issue_edition(scorecard=copy, period=period, user=director)
    print(f"{'issue again (idempotent, returns it)':<44} {(time.perf_counter() - started) * 1000:7.1f} ms")


def _copy_scorecard(scorecard: Scorecard, title: str) -> Scorecard:
    """A new scorecard with the same sections and PIs (each issue is then a real, new edition)."""
    copy = Scorecard.objects.create(title=title, org_unit=scorecard.org_unit, owner=scorecard.owner)
    for section in scorecard.sections.order_by("order"):
        new = ScorecardSection.objects.create(scorecard=copy, title=section.title, order=section.order)
        ScorecardEntry.objects.bulk_create(
            [
                ScorecardEntry(scorecard=copy, section=new, indicator_id=entry.indicator_id, order=entry.order)
                for entry in section.entries.all()
            ]
        )
    return copy


if __name__ == "__main__":
    main()
