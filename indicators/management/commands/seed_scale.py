"""Build a dataset the size of a large landlord: tens of thousands of PIs over hundreds of patches.

    python manage.py seed_scale --pis 30000 --units 300 --months 36 [--people 3000]

Creates a separate organisation tree ("Scale Housing"), one updater per unit plus area managers
(with --people, more patch officers until about that many people in all, each with a line
manager, the PIs of a patch shared among its officers), PIs spread over the units (80% monthly,
15% quarterly, 5% annual), a target each, and values for every period of the last MONTHS months,
all with bulk writes. One person, scale.updater, is assigned exactly 100 monthly PIs (the
monthly-update benchmark). Refuses to run twice on the same database; it is for benchmark
databases, not for the demo.
"""

import random
import time
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from indicators import rules, services
from indicators.models import Indicator, Measurement, TargetPeriod
from pmf import periods
from pmf.models import OrgUnit, User

BATCH = 20000


class Command(BaseCommand):
    help = "Build a large benchmark dataset of PIs and measurements with bulk writes."

    def add_arguments(self, parser):
        parser.add_argument("--pis", type=int, default=30000)
        parser.add_argument("--units", type=int, default=300)
        parser.add_argument("--months", type=int, default=36)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--people", type=int, default=0, help="About this many people in all (more patch officers); 0: one a patch."
        )

    def handle(self, *args, pis, units, months, seed, people, **options):
        if OrgUnit.objects.filter(code="scale").exists():
            raise CommandError("The scale dataset already exists in this database (unit code 'scale').")
        if pis < 100 or units < 10 or months < 2:
            raise CommandError("Use at least --pis 100 --units 10 --months 2.")
        rng = random.Random(seed)
        started = time.monotonic()
        with transaction.atomic():
            patches, managers, updaters = self._organisation(units, people)
            self._step("organisation", started, f"{units} units, {len(managers) + len(updaters) + 2} people")
            indicators = self._indicators(pis, patches, managers, updaters, rng)
            self._step("indicators", started, f"{len(indicators)} PIs")
            count = self._measurements(indicators, months, rng)
            self._step("measurements", started, f"{count} measurements")
        services.refresh_latest(indicator_ids=[ind.pk for ind in indicators], chunk=5000)
        self._step("latest values", started, "refreshed")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))

    def _step(self, name, started, detail):
        self.stdout.write(f"{time.monotonic() - started:7.1f} s  {name}: {detail}")

    def _organisation(self, units: int, people: int = 0):
        K = OrgUnit.Kind
        group = OrgUnit.objects.create(name="Scale Housing", code="scale", kind=K.GROUP)
        org = OrgUnit.objects.create(name="Scale Homes", code="scale-homes", kind=K.ORGANISATION, parent=group)
        area_count = max(1, units // 60)
        office_count = max(area_count, units // 5)
        patch_count = max(1, units - 2 - area_count - office_count)
        areas = [
            OrgUnit.objects.create(name=f"Area {a + 1:02d}", code=f"scale-a{a + 1}", kind=K.AREA, parent=org)
            for a in range(area_count)
        ]
        offices = [
            OrgUnit.objects.create(
                name=f"Office {o + 1:03d}", code=f"scale-o{o + 1}", kind=K.OFFICE, parent=areas[o % area_count]
            )
            for o in range(office_count)
        ]
        patches = [
            OrgUnit.objects.create(
                name=f"Patch {p + 1:04d}", code=f"scale-p{p + 1}", kind=K.PATCH, parent=offices[p % office_count]
            )
            for p in range(patch_count)
        ]
        password = make_password(None)
        managers = [
            User(
                username=f"scale.manager{a + 1}",
                name=f"Area Manager {a + 1}",
                email=f"scale.manager{a + 1}@scale.example",
                role="manager",
                org_unit=area,
                password=password,
            )
            for a, area in enumerate(areas)
        ]
        updaters = [
            User(
                username=f"scale.updater{p + 1}",
                name=f"Patch Officer {p + 1}",
                email=f"scale.updater{p + 1}@scale.example",
                role="updater",
                org_unit=patch,
                password=password,
            )
            for p, patch in enumerate(patches)
        ]
        User.objects.bulk_create(managers + updaters, batch_size=1000)
        User.objects.create(
            username="scale.manager",
            name="Director of Housing",
            email="scale.manager@scale.example",
            role="manager",
            org_unit=org,
            password=password,
        )
        User.objects.create(
            username="scale.updater",
            name="Benchmark Updater",
            email="scale.updater@scale.example",
            role="updater",
            org_unit=patches[0],
            password=password,
        )
        managers = list(User.objects.filter(username__startswith="scale.manager", org_unit__kind=K.AREA))
        updaters = list(
            User.objects.filter(username__startswith="scale.updater", org_unit__kind=K.PATCH).exclude(
                username="scale.updater"
            )
        )
        updaters += self._more_officers(people - len(managers) - len(updaters) - 2, patches, password)
        self._line_managers(areas, managers, updaters)
        return patches, managers, updaters

    def _more_officers(self, count: int, patches, password) -> list[User]:
        """COUNT more patch officers, spread over the patches."""
        if count <= 0:
            return []
        User.objects.bulk_create(
            [
                User(
                    username=f"scale.officer{n + 1}",
                    name=f"Housing Officer {n + 1}",
                    email=f"scale.officer{n + 1}@scale.example",
                    role="updater",
                    org_unit=patches[n % len(patches)],
                    password=password,
                )
                for n in range(count)
            ],
            batch_size=1000,
        )
        return list(User.objects.filter(username__startswith="scale.officer"))

    def _line_managers(self, areas, managers, updaters) -> None:
        """Each officer's line manager is their area's manager; area managers report to the director."""
        director = User.objects.get(username="scale.manager")
        area_of_patch = dict(OrgUnit.objects.filter(code__startswith="scale-p").values_list("pk", "parent__parent_id"))
        manager_of_area = {manager.org_unit_id: manager.pk for manager in managers}
        for person in updaters:
            person.line_manager_id = manager_of_area.get(area_of_patch.get(person.org_unit_id))
        for manager in managers:
            manager.line_manager_id = director.pk
        User.objects.bulk_update(updaters + managers, ["line_manager"], batch_size=1000)

    def _indicators(self, count, patches, managers, updaters, rng):
        benchmark_updater = User.objects.get(username="scale.updater")
        manager_of_area = {manager.org_unit_id: manager for manager in managers}
        officers_of_patch: dict[int, list] = {}
        for updater in sorted(updaters, key=lambda person: person.pk):
            officers_of_patch.setdefault(updater.org_unit_id, []).append(updater)
        office_area = dict(OrgUnit.objects.filter(code__startswith="scale-o").values_list("pk", "parent_id"))
        new = []
        for number in range(count):
            patch = patches[number % len(patches)]
            roll = rng.random()
            frequency = "monthly" if roll < 0.8 or number < 100 else ("quarterly" if roll < 0.95 else "annual")
            polarity = rng.choice(["up", "up", "down", "down", "data"]) if number >= 100 else "up"
            new.append(
                Indicator(
                    code=f"S{number + 1:06d}",
                    title=f"Patch measure {number + 1}",
                    unit="percent",
                    decimals=1,
                    polarity=polarity,
                    frequency=frequency,
                    tolerance_kind="absolute",
                    tolerance=Decimal("2"),
                    org_unit=patch,
                    owner=manager_of_area.get(office_area[patch.parent_id]),
                    updater=(
                        benchmark_updater
                        if number < 100
                        else officers_of_patch[patch.pk][(number // len(patches)) % len(officers_of_patch[patch.pk])]
                    ),
                    source=rng.choice(["local", "housemark", "statutory"]),
                    min_value=Decimal(0),
                    max_value=Decimal(100),
                )
            )
        Indicator.objects.bulk_create(new, batch_size=5000)
        indicators = list(Indicator.objects.filter(code__startswith="S").order_by("pk"))
        start = periods.financial_year_start(periods.add_months(timezone.localdate(), -48))
        TargetPeriod.objects.bulk_create(
            [
                TargetPeriod(
                    indicator=ind,
                    effective_from=start,
                    target=Decimal(80 + (ind.pk % 15)),
                    tolerance_kind="absolute",
                    tolerance=Decimal("2"),
                )
                for ind in indicators
            ],
            batch_size=5000,
        )
        return indicators

    def _measurements(self, indicators, months, rng) -> int:
        last = periods.last_complete_month(timezone.localdate())
        first = periods.add_months(last, -(months - 1))
        now = timezone.now()
        rows = []
        total = 0
        for ind in indicators:
            step = ind.step()
            period = ind.period_for(first)
            if period < first:
                period = periods.add_months(period, step)
            target = Decimal(80 + (ind.pk % 15))
            level = float(target) + rng.uniform(-8, 8)
            drift = rng.uniform(-0.3, 0.3)
            while periods.add_months(period, step - 1) <= last:
                level = min(100.0, max(0.0, level + drift + rng.gauss(0, 1.5)))
                value = Decimal(f"{level:.1f}")
                status = rules.traffic_light(
                    value=value, target=target, polarity=ind.polarity, tolerance=Decimal(2), tolerance_kind="absolute"
                )
                rows.append((ind.pk, period, value, target, status, ind.updater_id, now))
                period = periods.add_months(period, step)
            if len(rows) >= BATCH:
                total += self._write(rows)
                rows = []
        if rows:
            total += self._write(rows)
        return total

    def _write(self, rows) -> int:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO indicators_measurement (indicator_id, period, value, target, status, commentary, "
                    "cause, action_taken, data_quality_note, calculation_error, entered_by_id, entered_at, version) "
                    "SELECT i, p, v, t, s, '', '', '', '', '', u, e, 1 "
                    "FROM unnest(%s::int[], %s::date[], %s::numeric[], %s::numeric[], %s::text[], %s::int[], "
                    "%s::timestamptz[]) AS x(i, p, v, t, s, u, e)",
                    [list(column) for column in zip(*rows, strict=True)],
                )
        else:
            Measurement.objects.bulk_create(
                [
                    Measurement(indicator_id=i, period=p, value=v, target=t, status=s, entered_by_id=u, entered_at=e)
                    for i, p, v, t, s, u, e in rows
                ],
                batch_size=1000,
            )
        return len(rows)
