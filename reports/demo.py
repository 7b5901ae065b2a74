"""Demo Report Central for the Merebrook group: the Group Board dossier built on the corporate
scorecard, Housing Services' monthly exception report for its management team, the tenant
summary of the Tenant Satisfaction Measures for the Tenants' Scrutiny Panel and Merebrook Homes'
Full Suite of PIs for the Board's annual review, each with two finished runs (the two latest
issued months), made in this process by the service the render task runs, each as of its own day.

Idempotent: a definition is found by name and owner unit and left as it is; runs are made only
for a definition that has none.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from cycle import rules
from cycle.calendar import Calendars
from pmf import periods
from reports import params as contract
from reports import services
from reports.assemble import default_sections
from reports.models import Marking, ReportDefinition, ReportRun, Schedule
from scorecards.models import Scorecard


@dataclass(frozen=True)
class DemoReport:
    name: str
    kind: str
    unit: str
    author: str
    audience: str
    marking: str = Marking.NONE
    scorecard: str = ""  # the scorecard it is about (else the owner unit)
    schedule: str = Schedule.NONE
    schedule_day: int | None = None
    recipients: tuple[str, ...] = ()
    last_year: bool = False


REPORTS = [
    DemoReport(
        "Group Board performance dossier",
        "board",
        "mhg",
        "group.admin",
        "Merebrook Housing Group Board",
        marking=Marking.OFFICIAL,
        scorecard="Group corporate scorecard",
        schedule=Schedule.MONTHLY,
        schedule_day=18,
        recipients=("group.admin", "mh.viewer", "kl.viewer", "lps.viewer"),
        last_year=True,
    ),
    DemoReport(
        "Housing Services monthly exceptions",
        "exceptions",
        "mh-hs",
        "mh.manager",
        "Housing Services management team",
        marking=Marking.OFFICIAL,
        schedule=Schedule.MONTHLY,
        schedule_day=20,
        recipients=("mh.manager", "mh.office", "mh.updater"),
    ),
    DemoReport(
        "Tenant summary: how we are doing",
        "tenants",
        "mh",
        "mh.admin",
        "Tenants' Scrutiny Panel",
        scorecard="Tenant Satisfaction Measures",
        schedule=Schedule.QUARTERLY,
        schedule_day=23,
        recipients=("mh.admin",),
    ),
    DemoReport(
        "Merebrook Homes Full Suite of PIs",
        "full-suite",
        "mh",
        "mh.admin",
        "Merebrook Homes Board, annual review of performance",
        marking=Marking.OFFICIAL,
        last_year=True,
    ),
]

RUNS_EACH = 2


def seed_reports(organisation: dict) -> None:
    units, people = organisation["units"], organisation["people"]
    scorecards = dict(Scorecard.objects.values_list("title", "pk"))
    calendars = Calendars.load()
    for demo in REPORTS:
        unit = units[demo.unit]
        scope_id = scorecards.get(demo.scorecard) if demo.scorecard else unit.pk
        if demo.scorecard and scope_id is None:
            continue  # the scorecards' demo did not run
        definition = ReportDefinition.objects.filter(name=demo.name, org_unit=unit).first()
        if definition is None:
            definition = ReportDefinition.objects.create(
                name=demo.name,
                kind=demo.kind,
                scope="scorecard" if demo.scorecard else "unit",
                scope_id=scope_id,
                audience=demo.audience,
                marking=demo.marking,
                sections=list(default_sections(demo.kind)),
                last_year=demo.last_year,
                exceptions=dict(contract.DEFAULT_EXCEPTION_SETTINGS),
                org_unit=unit,
                created_by=people[demo.author],
                schedule=demo.schedule,
                schedule_day=demo.schedule_day,
            )
            definition.recipients.set([people[name] for name in demo.recipients])
            # Defined a year ago, before its first runs.
            defined = timezone.now() - datetime.timedelta(days=365)
            ReportDefinition.objects.filter(pk=definition.pk).update(created_at=defined, updated_at=defined)
            definition.history.all().update(history_date=defined)
        if not definition.runs.exists():
            _runs(definition, calendars.for_unit(unit))


def _runs(definition: ReportDefinition, days) -> None:
    """The two latest months the definition reports on, each run the day after its scorecards
    were issued (or on its scheduled day), as its author."""
    now = timezone.now()
    today = timezone.localdate()
    month = periods.last_complete_month(today)
    made = 0
    while made < RUNS_EACH:
        issued = days.date(month, rules.SCORECARDS)
        quarterly = definition.schedule == Schedule.QUARTERLY
        if issued < today and (not quarterly or periods.quarter_start(month) == periods.add_months(month, -2)):
            day = max(issued + datetime.timedelta(days=1), rules.on_day(issued, definition.schedule_day or 1))
            day = min(day, today)
            when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(7, 30)))
            when = min(when, now - datetime.timedelta(minutes=5))
            scheduled = bool(definition.schedule)
            run = ReportRun.objects.create(
                definition=definition,
                requested_by=definition.created_by,
                period=month,
                parameters=definition.to_parameters(month).as_dict(),
                trigger=ReportRun.Trigger.SCHEDULE if scheduled else ReportRun.Trigger.MANUAL,
                notified_at=when if scheduled else None,  # the recipients were told at the time
            )
            # Made as of its day, so "Produced" and what was overdue read as they did then.
            services.execute(run_id=run.pk, today=day)
            run.refresh_from_db(fields=["status", "error", "duration"])
            if run.status != ReportRun.Status.DONE:
                raise RuntimeError(f"Demo report {definition.name} for {month:%b %Y} failed: {run.error}")
            finished = when + datetime.timedelta(seconds=run.duration or 1)
            ReportRun.objects.filter(pk=run.pk).update(created_at=when, started_at=when, finished_at=finished)
            made += 1
        month = periods.add_months(month, -1)
