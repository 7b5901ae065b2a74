"""Builders for the report content tests: PIs with a chosen run of traffic lights, a scorecard of
them, plan actions in each status, and parameters for a run."""

import datetime
from decimal import Decimal

from django.utils import timezone

from indicators import rules
from indicators.models import Indicator, Measurement
from plans.models import PlanItem, ProgressUpdate
from pmf import periods
from reports.params import RunParameters
from scorecards.models import Scorecard, ScorecardEntry, ScorecardSection

PERIOD = datetime.date(2026, 10, 1)
TODAY = datetime.date(2026, 11, 20)
TARGET = Decimal(95)
VALUES = {rules.GREEN: Decimal(97), rules.AMBER: Decimal(94), rules.RED: Decimal(80)}


def make_pi(
    code: str,
    unit,
    statuses: list[str],
    *,
    owner=None,
    end: datetime.date = PERIOD,
    commentary: str = "",
    cause: str = "",
    action: str = "",
    recovery: datetime.date | None = None,
    title: str = "",
) -> Indicator:
    """A monthly percentage PI (up is good, target 95, amber within 2) whose last periods, oldest
    first, have STATUSES; the newest, at END, carries the commentary given."""
    indicator = Indicator.objects.create(
        code=code,
        title=title or f"Indicator {code}",
        org_unit=unit,
        owner=owner,
        unit="percent",
        polarity="up",
        tolerance_kind=rules.ABSOLUTE,
        tolerance=Decimal(2),
        definition=f"How {code} is counted.",
    )
    rows = []
    now = timezone.now()
    for index, status in enumerate(statuses):
        period = periods.add_months(end, index - len(statuses) + 1)
        newest = index == len(statuses) - 1
        rows.append(
            Measurement(
                indicator=indicator,
                period=period,
                value=VALUES[status],
                target=TARGET,
                status=status,
                commentary=commentary if newest else "",
                cause=cause if newest else "",
                action_taken=action if newest else "",
                recovery_date=recovery if newest else None,
                approved_at=now,
            )
        )
    Measurement.objects.bulk_create(rows)
    last = rows[-1]
    Indicator.objects.filter(pk=indicator.pk).update(
        latest_period=last.period, latest_value=last.value, latest_target=last.target, latest_status=last.status
    )
    indicator.refresh_from_db()
    return indicator


def make_scorecard(unit, sections: dict[str, list[Indicator]], *, owner=None, signposts=(), shared_with=()):
    scorecard = Scorecard.objects.create(title="Housing scorecard", org_unit=unit, owner=owner)
    scorecard.shared_with.set(shared_with)
    order = 0
    for index, (title, indicators) in enumerate(sections.items()):
        section = ScorecardSection.objects.create(scorecard=scorecard, title=title, order=index)
        for indicator in indicators:
            ScorecardEntry.objects.create(
                scorecard=scorecard,
                section=section,
                indicator=indicator,
                order=order,
                signpost=indicator in signposts,
            )
            order += 1
    return scorecard


def make_action(code: str, parent, unit, status: str, *, assigned_to=None, due=None, progress=0, note="", author=None):
    action = PlanItem(
        code=code,
        kind=PlanItem.Kind.ACTION,
        parent=parent,
        org_unit=unit,
        title=f"Action {code}",
        assigned_to=assigned_to,
        due_date=due,
        progress=progress,
    )
    action.save()
    PlanItem.objects.filter(pk=action.pk).update(status=status)
    if note:
        ProgressUpdate.objects.create(
            action=action, author=author or assigned_to, progress=progress, status=status, note=note, date=TODAY
        )
    action.refresh_from_db()
    return action


def make_plan(world, code: str = "HDP", title: str = "Housing delivery plan"):
    strategy = PlanItem(code=f"{code}-S", kind=PlanItem.Kind.STRATEGY, org_unit=world.org, title="Corporate strategy")
    strategy.save()
    plan = PlanItem(code=code, kind=PlanItem.Kind.PLAN, parent=strategy, org_unit=world.directorate, title=title)
    plan.save()
    objective = PlanItem(
        code=f"{code} 1", kind=PlanItem.Kind.OBJECTIVE, parent=plan, org_unit=world.directorate, title="Reduce arrears"
    )
    objective.save()
    return plan, objective


def params(kind: str = "board", *, sections=None, scope: str = "unit", scope_id=None, **extra) -> RunParameters:
    from reports.assemble import default_sections

    return RunParameters(
        kind=kind,
        title=extra.pop("title", "Board performance report"),
        period=extra.pop("period", PERIOD),
        scope=scope,
        scope_id=scope_id,
        sections=tuple(sections) if sections is not None else default_sections(kind),
        **extra,
    )


LONG = "<script>alert('x')</script><img src=\"http://example.com/track.png\"> " + "Arrears rose. " * 720


def dossier(world):
    """A scorecard of the Housing directorate (owned by bob) with a red PI with full commentary, an
    amber PI three months running with 10,000 characters of HTML commentary, a red PI without
    commentary and a green one; a plan with an overdue action (with a note), one to check
    progress and one in progress."""
    from types import SimpleNamespace

    red = make_pi(
        "RENT01",
        world.team,
        ["green", "green", "red"],
        owner=world.manager,
        title="Rent collected as % of rent due",
        commentary="Collection fell after the Universal Credit migration.",
        cause="Two income officers off sick.",
        action="Agency cover from 1 November.",
        recovery=datetime.date(2027, 1, 1),
    )
    amber = make_pi(
        "VOID02",
        world.team,
        ["amber", "amber", "amber"],
        owner=world.updater,
        title="Average days to relet",
        commentary=LONG,
    )
    silent = make_pi("REP03", world.team, ["amber", "red", "red"], owner=None, title="Repairs right first time")
    green = make_pi("SAT04", world.team, ["red", "green", "green"], owner=world.manager, title="Tenant satisfaction")
    scorecard = make_scorecard(
        world.directorate,
        {"Income": [red, amber], "Repairs and customers": [silent, green]},
        owner=world.manager,
        signposts=[red, green],
    )
    plan, objective = make_plan(world)
    overdue = make_action(
        "HDP 1.1",
        objective,
        world.team,
        "overdue",
        assigned_to=world.updater,
        due=datetime.date(2026, 9, 30),
        progress=40,
        note="Waiting on the contractor's quote.",
    )
    check = make_action(
        "HDP 1.2", objective, world.team, "check_progress", assigned_to=world.updater, due=datetime.date(2027, 3, 31)
    )
    fine = make_action(
        "HDP 1.3", objective, world.team, "in_progress", assigned_to=world.updater, due=datetime.date(2027, 3, 31)
    )
    return SimpleNamespace(
        red=red,
        amber=amber,
        silent=silent,
        green=green,
        scorecard=scorecard,
        plan=plan,
        overdue=overdue,
        check=check,
        fine=fine,
    )
