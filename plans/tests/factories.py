"""Plan trees for tests, hung off the `world` fixture's organisation."""

import datetime
from dataclasses import dataclass

from plans.models import Milestone, PlanItem

K = PlanItem.Kind
TODAY = datetime.date(2026, 1, 15)


@dataclass
class PlanWorld:
    strategy: PlanItem
    plan: PlanItem
    objective: PlanItem
    action: PlanItem
    milestone: Milestone
    other_action: PlanItem
    corporate_objective: PlanItem


def item(code: str, *, kind=K.ACTION, parent=None, unit, **fields) -> PlanItem:
    fields.setdefault("title", f"Item {code}")
    obj = PlanItem(code=code, kind=kind, parent=parent, org_unit=unit, **fields)
    obj.save()
    return obj


def plan_world(world) -> PlanWorld:
    """Strategy > plan > objective > action (Rents Team, assigned to charlie, managed by bob), plus an
    action in the Property directorate that bob does not manage. Built once per world."""
    if getattr(world, "plans", None) is not None:
        return world.plans
    strategy = item("CS", kind=K.STRATEGY, unit=world.org, title="Corporate strategy")
    corporate_objective = item("CS 1", kind=K.OBJECTIVE, parent=strategy, unit=world.org, title="Safe homes")
    plan = item("SDP H", kind=K.PLAN, parent=strategy, unit=world.directorate, title="Housing delivery plan")
    objective = item("H 1", kind=K.OBJECTIVE, parent=plan, unit=world.directorate, title="Reduce arrears")
    action = item(
        "H 1.1",
        parent=objective,
        unit=world.team,
        title="Train the rents team",
        assigned_to=world.updater,
        managed_by=world.manager,
        planned_start=datetime.date(2025, 4, 1),
        due_date=datetime.date(2026, 3, 31),
    )
    action.supports.add(corporate_objective)
    milestone = Milestone.objects.create(action=action, title="Course booked", weight=1)
    other_action = item("P 1.1", parent=objective, unit=world.other_directorate, title="Survey the stock")
    world.plans = PlanWorld(strategy, plan, objective, action, milestone, other_action, corporate_objective)
    return world.plans
