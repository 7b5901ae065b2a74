"""Build a self-assessment dataset the size of a large group's, for the benchmarks.

    python manage.py seed_assessments_scale --questions 500 --units 50

Creates its own organisation ("Assessment Scale Group": one organisation with a team per unit, a
manager over all of them and an assessor per team), a framework of QUESTIONS questions (ten themes
of five lines of enquiry each, a tenth of the questions also under a second theme) loaded through
the same library loader as the shipped ones, and two rounds per unit (a mock inspection and a
re-assessment a year later) with every question scored, assigned and with a target, a web link
as evidence on every other question and improvement actions in a plan on a few. Responses are
written in bulk. Refuses to run twice on the same database; it is for benchmark databases, not
for the demo.
"""

import datetime
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import F

from assessments import services
from assessments.library import parse_library
from assessments.models import Assessment, EvidenceLink, Response
from plans import services as plan_services
from plans.models import PlanItem
from pmf.models import OrgUnit, User

THEMES = 10
LINES_PER_THEME = 5
ACTIONS = 100
KEY = "scale-framework"


def library_yaml(questions: int) -> bytes:
    """A framework in the project's own layout: THEMES themes > LINES_PER_THEME lines of enquiry >
    QUESTIONS questions spread over the lines, on a 1-4 scale, every tenth question also under the
    next theme (cross-cutting)."""
    lines = [
        f"framework: {{key: {KEY}, name: Scale framework, publisher: Benchmark}}",
        "scales:",
        "  - key: levels",
        "    name: Judgement",
        "    levels:",
        "      - {value: 1, label: Poor, descriptor: Falls well short of the expectation}",
        "      - {value: 2, label: Requires improvement, descriptor: Meets part of it}",
        "      - {value: 3, label: Good, descriptor: Meets it}",
        "      - {value: 4, label: Outstanding, descriptor: Goes beyond it}",
        "nodes:",
    ]
    for theme in range(1, THEMES + 1):
        lines.append(f"  - {{code: 'T{theme}', title: 'Theme {theme}', kind: Theme}}")
        for line in range(1, LINES_PER_THEME + 1):
            lines.append(
                f"  - {{code: 'T{theme}.{line}', title: 'Line of enquiry {theme}.{line}', parent: 'T{theme}', "
                f"kind: Line of enquiry}}"
            )
    parents = [(t, line) for t in range(1, THEMES + 1) for line in range(1, LINES_PER_THEME + 1)]
    for number in range(questions):
        theme, line = parents[number % len(parents)]
        code = f"T{theme}.{line}.{number // len(parents) + 1}"
        extra = ""
        if number % 10 == 0:
            extra = f", also_under: ['T{theme % THEMES + 1}.{line}']"
        lines.append(
            f"  - {{code: '{code}', title: 'Question {number + 1}: how well do we meet expectation {code}', "
            f"parent: 'T{theme}.{line}', weight: {1 + number % 3}, "
            f"guidance: 'Look at the records for the last twelve months.'{extra}}}"
        )
    return "\n".join(lines).encode()


class Command(BaseCommand):
    help = "Build a benchmark framework of many questions assessed by many units, with bulk writes."

    def add_arguments(self, parser):
        parser.add_argument("--questions", type=int, default=500)
        parser.add_argument("--units", type=int, default=50)

    def handle(self, *args, questions, units, **options):
        if OrgUnit.objects.filter(code="assessscale").exists():
            raise CommandError("The assessment scale dataset is already in this database (unit code 'assessscale').")
        if questions < LINES_PER_THEME * THEMES or units < 1:
            raise CommandError(f"Use at least --questions {LINES_PER_THEME * THEMES} and --units 1.")
        started = time.monotonic()
        with transaction.atomic():
            teams, assessors, manager = self._organisation(units)
            self._step(started, "organisation", f"{len(teams)} units, {len(assessors) + 2} people")
            framework, _ = services.install_library(library=parse_library(library_yaml(questions)))
            self._step(started, "framework", f"{framework.nodes.filter(is_question=True).count()} questions")
            rounds = self._rounds(framework, teams, assessors, manager)
            self._step(started, "assessments", f"{len(rounds)} rounds, {Response.objects.count():,} responses")
            self._evidence(rounds, manager)
            self._step(started, "evidence and actions", f"{EvidenceLink.objects.count():,} links")
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
            email=f"{username}@assessscale.example",
            role=role,
            org_unit=unit,
            line_manager=line_manager,
            password=make_password(None),
        )

    def _organisation(self, units):
        K = OrgUnit.Kind
        group = OrgUnit.objects.create(name="Assessment Scale Group", code="assessscale", kind=K.GROUP)
        org = OrgUnit.objects.create(
            name="Assessment Scale Homes", code="assessscale-homes", kind=K.ORGANISATION, parent=group
        )
        self._person("assessscale.admin", "Scale Admin", "admin", group)
        manager = self._person("assessscale.manager", "Scale Manager", "manager", org)
        teams, assessors = [], []
        for number in range(1, units + 1):
            team = OrgUnit.objects.create(name=f"Unit {number}", code=f"assessscale-u{number}", kind=K.TEAM, parent=org)
            teams.append(team)
            assessors.append(
                self._person(f"assessscale.assessor{number}", f"Assessor {number}", "updater", team, manager)
            )
        return teams, assessors, manager

    def _rounds(self, framework, teams, assessors, manager) -> list[Assessment]:
        targets = {scale.pk: scale.values[-1] for scale in framework.scales.all()}
        rounds = []
        for team, assessor in zip(teams, assessors, strict=True):
            for title, day, kind, shift in (
                ("Mock inspection", datetime.date(2025, 11, 1), Assessment.Kind.MOCK_INSPECTION, 0),
                ("Re-assessment", datetime.date(2026, 11, 1), Assessment.Kind.SELF_ASSESSMENT, 1),
            ):
                assessment = services.create_assessment(
                    framework=framework,
                    org_unit=team,
                    kind=kind,
                    title=f"{title} {team.name}",
                    lead=manager,
                    assessed_on=day,
                    due_date=day + datetime.timedelta(days=30),
                    targets=targets,
                )
                # every question scored (1-4, the second round a level higher on a third of them)
                assessment.responses.update(
                    level=1 + (F("id") + shift * (F("id") % 3)) % 4,
                    assigned_to=assessor,
                    strengths="Regular reviews with the team.",
                    areas_for_improvement="Records are not always complete.",
                )
                Assessment.objects.filter(pk=assessment.pk).update(status="in_progress")
                rounds.append(assessment)
        return rounds

    def _evidence(self, rounds, manager):
        links = []
        for assessment in rounds:
            for number, response_id in enumerate(
                assessment.responses.order_by("node__lft").values_list("pk", flat=True)
            ):
                if number % 2 == 0:
                    links.append(
                        EvidenceLink(
                            response_id=response_id,
                            kind=EvidenceLink.Kind.URL,
                            url=f"https://intranet.example/evidence/{assessment.pk}/{number}",
                            note="Minutes of the review meeting",
                            added_by=manager,
                        )
                    )
        EvidenceLink.objects.bulk_create(links, batch_size=2000)
        org = rounds[0].org_unit.parent
        strategy = plan_services.save_item(
            item=PlanItem(kind=PlanItem.Kind.STRATEGY, code="AS", title="Scale strategy", org_unit=org)
        )
        plan = plan_services.save_item(
            item=PlanItem(kind=PlanItem.Kind.PLAN, code="AS P", title="Improvement plan", org_unit=org, parent=strategy)
        )
        objective = plan_services.save_item(
            item=PlanItem(
                kind=PlanItem.Kind.OBJECTIVE, code="AS 1", title="Meet the standards", org_unit=org, parent=plan
            )
        )
        # improvement actions on the first questions of the latest round of the first units
        latest = [assessment for assessment in rounds if assessment.title.startswith("Re-assessment")]
        responses = list(
            Response.objects.filter(assessment__in=latest[:10]).select_related("node", "assessment").order_by("pk")
        )[:ACTIONS]
        for number, response in enumerate(responses, start=1):
            services.create_improvement_action(
                response=response,
                objective=objective,
                code=f"AS 1.{number}",
                title=f"Close the gap on {response.node.code}",
                user=manager,
                due_date=datetime.date(2027, 3, 31),
            )
