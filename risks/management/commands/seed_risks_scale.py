"""Build a risk register the size of a large landlord's, for the benchmarks.

    python manage.py seed_risks_scale --risks 5000 --reviews 20000 --controls 15000

Creates its own organisation ("Risk Scale Group": directorates, services and teams with a manager
each and one owner per team), a plan with actions and a set of PIs with two years of monthly
values, then the risks (a tenth of them strategic, the rest escalated beneath one), their
controls and reviews, links to actions and PIs, all with bulk writes. Refuses to run twice on the
same database; it is for benchmark databases, not for the demo.
"""

import datetime
import random
import time
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from indicators import services as indicator_services
from indicators.models import Indicator, Measurement
from plans.models import PlanItem
from pmf import periods
from pmf.models import OrgUnit, User
from risks import services
from risks import status as rules
from risks.matrix import load_matrix
from risks.models import Control, Risk, RiskReview

DIRECTORATES = 6
SERVICES_PER_DIRECTORATE = 5
TEAMS_PER_SERVICE = 4
MONTHS = 24
RISKS_PER_PI = 8  # and per action: each risk links two of each


class Command(BaseCommand):
    help = "Build a large benchmark risk register (risks, reviews, controls) with bulk writes."

    def add_arguments(self, parser):
        parser.add_argument("--risks", type=int, default=5000)
        parser.add_argument("--reviews", type=int, default=20000)
        parser.add_argument("--controls", type=int, default=15000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, risks, reviews, controls, seed, **options):
        if OrgUnit.objects.filter(code="riskscale").exists():
            raise CommandError("The risk scale dataset already exists in this database (unit code 'riskscale').")
        if risks < 100 or reviews < risks or controls < 0:
            raise CommandError("Use at least --risks 100 and at least one review per risk.")
        rng = random.Random(seed)
        started = time.monotonic()
        today = timezone.localdate()
        with transaction.atomic():
            teams, owners, admin = self._organisation()
            self._step(started, "organisation", f"{len(teams)} teams, {len(owners) + 1} people")
            indicators = self._indicators(max(10, risks // RISKS_PER_PI), teams, owners, rng, today)
            self._step(started, "indicators", f"{len(indicators)} PIs, {MONTHS} months each")
            actions, objectives = self._plan(max(10, risks // RISKS_PER_PI), teams, owners)
            self._step(started, "plan", f"{len(actions)} actions")
            created = self._risks(risks, teams, owners, rng, today)
            self._step(started, "risks", f"{len(created)} risks")
            self._links(created, indicators, actions, objectives, rng)
            self._step(started, "links", "actions, objectives and PIs")
            count = self._controls(created, controls, owners, rng, today)
            self._step(started, "controls", f"{count} controls")
            count = self._reviews(created, reviews, rng, today, admin)
            self._step(started, "reviews", f"{count} reviews")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))

    def _step(self, started, name, detail):
        self.stdout.write(f"{time.monotonic() - started:7.1f} s  {name}: {detail}")

    def _person(self, username, name, role, unit, line_manager=None) -> User:
        return User.objects.create(
            username=username,
            name=name,
            email=f"{username}@riskscale.example",
            role=role,
            org_unit=unit,
            line_manager=line_manager,
            password=make_password(None),
        )

    def _organisation(self):
        K = OrgUnit.Kind
        group = OrgUnit.objects.create(name="Risk Scale Group", code="riskscale", kind=K.GROUP)
        org = OrgUnit.objects.create(name="Risk Scale Homes", code="riskscale-homes", kind=K.ORGANISATION, parent=group)
        admin = self._person("riskscale.admin", "Scale Admin", "admin", group)
        director = self._person("riskscale.director", "Scale Director", "manager", org)
        teams, owners = [], []
        for d in range(DIRECTORATES):
            directorate = OrgUnit.objects.create(
                name=f"Directorate {d + 1}", code=f"riskscale-d{d + 1}", kind=K.DIRECTORATE, parent=org
            )
            head = self._person(f"riskscale.head{d + 1}", f"Head {d + 1}", "manager", directorate, director)
            for s in range(SERVICES_PER_DIRECTORATE):
                service = OrgUnit.objects.create(
                    name=f"Service {d + 1}.{s + 1}",
                    code=f"riskscale-s{d + 1}-{s + 1}",
                    kind=K.SERVICE,
                    parent=directorate,
                )
                for t in range(TEAMS_PER_SERVICE):
                    team = OrgUnit.objects.create(
                        name=f"Team {d + 1}.{s + 1}.{t + 1}",
                        code=f"riskscale-t{d + 1}-{s + 1}-{t + 1}",
                        kind=K.TEAM,
                        parent=service,
                    )
                    teams.append(team)
                    owners.append(
                        self._person(
                            f"riskscale.owner{len(owners) + 1}", f"Owner {len(owners) + 1}", "updater", team, head
                        )
                    )
        return teams, owners, admin

    def _indicators(self, count, teams, owners, rng, today):
        created = Indicator.objects.bulk_create(
            [
                Indicator(
                    code=f"RSK{n:04d}",
                    title=f"Key risk indicator {n}",
                    unit=Indicator.Unit.PERCENT,
                    polarity=Indicator.Polarity.UP if n % 3 else Indicator.Polarity.DOWN,
                    org_unit=teams[n % len(teams)],
                    owner=owners[n % len(owners)],
                    updater=owners[n % len(owners)],
                )
                for n in range(count)
            ]
        )
        last = periods.add_months(periods.month_start(today), -1)
        values = []
        for indicator in created:
            level = rng.uniform(80, 95)
            for back in range(MONTHS):
                level += rng.uniform(-2, 2)
                period = periods.add_months(last, -back)
                values.append(
                    Measurement(
                        indicator=indicator,
                        period=period,
                        value=Decimal(f"{level:.1f}"),
                        target=Decimal("90"),
                        status="green" if level >= 90 else "amber" if level >= 88 else "red",
                        entered_at=timezone.now(),
                    )
                )
        Measurement.objects.bulk_create(values, batch_size=5000)
        indicator_services.refresh_latest(indicator_ids=[i.pk for i in created])
        return created

    def _plan(self, count, teams, owners):
        strategy = PlanItem.objects.create(
            kind=PlanItem.Kind.STRATEGY, code="RS CS", title="Scale corporate strategy", org_unit=teams[0].parent
        )
        objectives = [
            PlanItem.objects.create(
                kind=PlanItem.Kind.OBJECTIVE,
                code=f"RS {n + 1}",
                title=f"Objective {n + 1}",
                parent=strategy,
                org_unit=strategy.org_unit,
            )
            for n in range(20)
        ]
        PlanItem.objects.bulk_create(
            [
                PlanItem(
                    kind=PlanItem.Kind.ACTION,
                    code=f"RS {n % 20 + 1}.{n // 20 + 1}",
                    title=f"Mitigating action {n + 1}",
                    parent=objectives[n % 20],
                    org_unit=teams[n % len(teams)],
                    assigned_to=owners[n % len(owners)],
                    progress=n % 100,
                    lft=0,
                    rght=0,
                    tree_id=0,
                    level=0,
                )
                for n in range(count)
            ]
        )
        PlanItem.objects.partial_rebuild(strategy.tree_id)
        return list(PlanItem.objects.filter(code__startswith="RS ", kind=PlanItem.Kind.ACTION)), objectives

    def _risks(self, count, teams, owners, rng, today):
        categories = list(services.ensure_default_categories().values())
        strategic_count = max(1, count // 10)

        def build(number, *, tree_id, lft, rght, level, parent_id=None):
            team_index = rng.randrange(len(teams))
            current = (rng.randint(1, 5), rng.randint(1, 5))
            target = (max(1, current[0] - rng.randint(0, 2)), max(1, current[1] - rng.randint(0, 1)))
            inherent = (min(5, current[0] + rng.randint(0, 2)), min(5, current[1] + rng.randint(0, 1)))
            return Risk(
                code=f"RS-{number:05d}",
                title=f"Scale risk {number}",
                cause="A cause",
                event="An event",
                effect="An effect",
                category=categories[number % len(categories)],
                org_unit=teams[team_index],
                owner=owners[team_index],
                inherent_likelihood=inherent[0],
                inherent_impact=inherent[1],
                current_likelihood=current[0],
                current_impact=current[1],
                target_likelihood=target[0],
                target_impact=target[1],
                next_review_date=today + datetime.timedelta(days=rng.randint(-60, 90)),
                parent_id=parent_id,
                tree_id=tree_id,
                lft=lft,
                rght=rght,
                level=level,
            )

        # Each strategic risk is the root of its own tree with the operational risks beneath it;
        # the tree numbers are written directly rather than rebuilt node by node.
        children_of = [list(range(strategic_count + s, count, strategic_count)) for s in range(strategic_count)]
        first_tree = (Risk.objects.aggregate(top=Max("tree_id"))["top"] or 0) + 1
        roots = bulk_create_with_history(
            [
                build(s, tree_id=first_tree + s, lft=1, rght=2 * len(children_of[s]) + 2, level=0)
                for s in range(strategic_count)
            ],
            Risk,
            batch_size=2000,
        )
        root_ids = dict(Risk.objects.filter(code__in=[r.code for r in roots]).values_list("code", "pk"))
        children = [
            build(
                number,
                tree_id=first_tree + s,
                lft=2 + 2 * position,
                rght=3 + 2 * position,
                level=1,
                parent_id=root_ids[f"RS-{s:05d}"],
            )
            for s in range(strategic_count)
            for position, number in enumerate(children_of[s])
        ]
        bulk_create_with_history(children, Risk, batch_size=2000)
        return list(Risk.objects.filter(code__startswith="RS-").order_by("pk"))

    def _links(self, risks, indicators, actions, objectives, rng):
        Risk.indicators.through.objects.bulk_create(
            [
                Risk.indicators.through(risk_id=risk.pk, indicator_id=indicator.pk)
                for risk in risks
                for indicator in rng.sample(indicators, 2)
            ],
            batch_size=5000,
        )
        Risk.actions.through.objects.bulk_create(
            [
                Risk.actions.through(risk_id=risk.pk, planitem_id=action.pk)
                for risk in risks
                for action in rng.sample(actions, 2)
            ],
            batch_size=5000,
        )
        Risk.objectives.through.objects.bulk_create(
            [Risk.objectives.through(risk_id=risk.pk, planitem_id=rng.choice(objectives).pk) for risk in risks],
            batch_size=5000,
        )

    def _controls(self, risks, count, owners, rng, today):
        types = [choice for choice, _ in Control.Type.choices]
        effectiveness = [choice for choice, _ in Control.Effectiveness.choices]
        controls = [
            Control(
                risk=risks[n % len(risks)],
                description=f"Control {n + 1}",
                owner=owners[n % len(owners)],
                type=types[n % len(types)],
                effectiveness=effectiveness[n % len(effectiveness)],
                last_tested_on=today - datetime.timedelta(days=rng.randint(1, 400)),
            )
            for n in range(count)
        ]
        Control.objects.bulk_create(controls, batch_size=5000)
        return len(controls)

    def _reviews(self, risks, count, rng, today, reviewer):
        """COUNT reviews spread over the risks, quarterly, the latest one giving the risk its
        current position (previous score, last and next review dates follow it)."""
        matrix = load_matrix()
        per_risk = [count // len(risks) + (1 if n < count % len(risks) else 0) for n in range(len(risks))]
        reviews = []
        for risk, number in zip(risks, per_risk, strict=True):
            last = today - datetime.timedelta(days=rng.randint(1, 120))
            previous = None
            for back in reversed(range(number)):
                if back == 0:
                    likelihood, impact = risk.current_likelihood, risk.current_impact
                else:
                    likelihood = min(5, max(risk.target_likelihood, risk.current_likelihood + rng.randint(-1, 1)))
                    impact = risk.current_impact
                score = rules.score(likelihood, impact)
                band = matrix.band(likelihood, impact)
                reviews.append(
                    RiskReview(
                        risk=risk,
                        reviewed_on=rules.add_months(last, -3 * back),
                        reviewer=reviewer,
                        likelihood=likelihood,
                        impact=impact,
                        score=score,
                        previous_score=previous,
                        band_name=band.name,
                        band_colour=band.colour,
                        band_shape=band.shape,
                        note="Reviewed at the quarterly risk meeting.",
                    )
                )
                previous = score
            risk.last_reviewed_on = last
            risk.previous_score = reviews[-2].score if number > 1 else None
            risk.next_review_date = rules.next_review_date(reviewed_on=last, frequency_months=risk.review_frequency)
        RiskReview.objects.bulk_create(reviews, batch_size=5000)
        Risk.objects.bulk_update(risks, ["last_reviewed_on", "previous_score", "next_review_date"], batch_size=2000)
        return len(reviews)
