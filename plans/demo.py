"""Demo golden thread for the Merebrook group: a corporate strategy, a strategic plan per partner,
a service delivery plan per directorate, and about 150 actions with milestones and updates in
every status. Deterministic (no randomness) and idempotent (items are found by code)."""

import datetime

from django.db import transaction
from django.utils import timezone

from plans import services
from plans import status as rules
from plans.models import Milestone, PlanItem, ProgressUpdate

K = PlanItem.Kind

CORPORATE_OBJECTIVES = [
    ("CS 1", "Safe, warm and well-maintained homes"),
    ("CS 2", "Customer service residents rate highly"),
    ("CS 3", "Thriving, safe neighbourhoods"),
    ("CS 4", "A strong, efficient and well-governed business"),
]

# organisation code: (plan code, title, manager, updater, admin, objectives as (title, corporate objective))
PARTNERS = {
    "mh": (
        "MH SP",
        "Merebrook Homes Strategic Plan 2025-2030",
        "mh.manager",
        "mh.updater",
        "mh.admin",
        [
            ("Every home meets the decent homes standard", "CS 1"),
            ("Resolve complaints first time, within the Code's timescales", "CS 2"),
            ("Sustain tenancies and reduce arrears", "CS 3"),
        ],
    ),
    "kl": (
        "KL SP",
        "Kestrel Living Strategic Plan 2025-2030",
        "kl.manager",
        "kl.updater",
        "kl.admin",
        [
            ("Independent living for older residents", "CS 3"),
            ("Care services rated good or outstanding", "CS 2"),
            ("Value for money in every service", "CS 4"),
        ],
    ),
    "lps": (
        "LPS SP",
        "Larchfield Property Services Strategic Plan 2025-2030",
        "lps.manager",
        "lps.updater",
        "lps.admin",
        [
            ("Full compliance with landlord safety duties", "CS 1"),
            ("Right-first-time repairs", "CS 2"),
            ("Grow commercial income", "CS 4"),
        ],
    ),
}

# directorate code: (short code, organisation, units its actions belong to, objectives)
DIRECTORATES = {
    "mh-hs": (
        "HS",
        "mh",
        ["mh-tm-n", "mh-tm-s", "mh-rents", "mh-asb"],
        [
            "Reduce rent arrears and support residents into work",
            "Prevent tenancy failure in the first year",
            "Tackle anti-social behaviour with partners",
        ],
    ),
    "mh-ps": (
        "PS",
        "mh",
        ["mh-rep-t", "mh-voids", "mh-inv"],
        ["Deliver the planned investment programme", "Cut void turnaround times", "Eliminate damp and mould"],
    ),
    "mh-cx": (
        "CX",
        "mh",
        ["mh-cc", "mh-comp"],
        [
            "Answer calls quickly and resolve them first time",
            "Learn from complaints",
            "Give residents a real say in services",
        ],
    ),
    "kl-cs": (
        "CS",
        "kl",
        ["kl-shel-t", "kl-care"],
        ["Modernise sheltered schemes", "Keep home care visits on time", "Tackle loneliness and isolation"],
    ),
    "kl-fr": (
        "FR",
        "kl",
        ["kl-fin", "kl-people"],
        ["Deliver the efficiency savings plan", "Recruit and keep skilled staff", "Strengthen financial controls"],
    ),
    "lps-ops": (
        "OPS",
        "lps",
        ["lps-gas-t", "lps-bs"],
        [
            "Keep gas safety certificates 100% in date",
            "Complete fire risk assessment actions",
            "Meet building safety case duties",
        ],
    ),
    "lps-com": (
        "COM",
        "lps",
        ["lps-est", "lps-proc"],
        ["Win new maintenance contracts", "Reduce supply chain costs", "Improve estimating accuracy"],
    ),
}

ACTION_TITLES = [
    "Review the policy and publish the revised version",
    "Train frontline staff in the new procedure",
    "Introduce monthly performance reporting to the team",
    "Run a resident focus group and report findings",
    "Procure and implement a replacement system",
    "Map the end-to-end process and remove waste",
    "Carry out a data quality audit and fix gaps",
    "Launch a targeted communications campaign",
    "Pilot the new approach in one patch",
    "Agree service standards with the tenant panel",
    "Benchmark costs against peer landlords",
    "Set up a partnership working group",
    "Complete the self-assessment and action plan",
    "Write and test the business continuity plan",
    "Roll out mobile working to field staff",
    "Evaluate the pilot and decide on roll-out",
    "Develop a case management toolkit",
    "Hold quarterly performance clinics",
    "Refresh the risk register for the service",
    "Introduce a customer satisfaction survey",
    "Report progress to the Board",
    "Agree the annual budget and savings target",
]
MILESTONE_TITLES = ["Scope agreed with stakeholders", "Work delivered", "Review and sign-off"]
MILESTONE_WEIGHTS = [1, 2, 1]

# Scenario per action, cycled: (start offset, due offset, progress, milestones done, ends)
# Offsets are days from the seeding date; "ends" is how the action closed, if it did.
SCENARIOS = [
    ("in_progress", -60, 120, 40, 1, None),
    ("check_progress", -100, 100, 20, 1, None),
    ("overdue", -180, -15, 60, 2, None),
    ("completed", -200, -20, 100, 3, "completed"),
    ("not_started", 20, 200, 0, 0, None),
    ("in_progress", -30, 150, 30, 1, None),
    ("cancelled", -150, 60, 30, 1, "cancelled"),
]


def _get_or_create(code: str, **fields) -> tuple[PlanItem, bool]:
    item = PlanItem.objects.filter(code=code).first()
    if item is not None:
        return item, False
    item = PlanItem(code=code, **fields)
    item.save()
    return item, True


def _action_dates(index: int, scenario, today: datetime.date):
    _, start, due, *_ = scenario
    shift = (index * 7) % 21
    return today + datetime.timedelta(days=start + shift), today + datetime.timedelta(days=due + shift)


@transaction.atomic
def seed_plans(world: dict) -> None:
    """Create the demo plans for the units and people of pmf.demo.seed_organisation()."""
    units, people = world["units"], world["people"]
    today = timezone.localdate()
    year_start = datetime.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    strategy, _ = _get_or_create(
        "MHG CS",
        kind=K.STRATEGY,
        title="Merebrook Group Corporate Strategy 2025-2030",
        org_unit=units["mhg"],
        managed_by=people["group.admin"],
        planned_start=datetime.date(2025, 4, 1),
        due_date=datetime.date(2030, 3, 31),
        description="The group's five-year aims, delivered through each partner's strategic plan.",
    )
    corporate = {}
    for code, title in CORPORATE_OBJECTIVES:
        corporate[code], _ = _get_or_create(
            code,
            kind=K.OBJECTIVE,
            title=title,
            parent=strategy,
            org_unit=units["mhg"],
            managed_by=people["group.admin"],
            planned_start=strategy.planned_start,
            due_date=strategy.due_date,
        )
    plan_objectives = {}
    for org_code, (plan_code, title, manager, _, admin, objectives) in PARTNERS.items():
        plan, _ = _get_or_create(
            plan_code,
            kind=K.PLAN,
            title=title,
            parent=strategy,
            org_unit=units[org_code],
            managed_by=people[admin],
            planned_start=strategy.planned_start,
            due_date=strategy.due_date,
        )
        plan_objectives[org_code] = []
        for number, (objective_title, serves) in enumerate(objectives, start=1):
            objective, created = _get_or_create(
                f"{plan_code} {number}",
                kind=K.OBJECTIVE,
                title=objective_title,
                parent=plan,
                org_unit=units[org_code],
                managed_by=people[manager],
                planned_start=plan.planned_start,
                due_date=plan.due_date,
            )
            if created:
                objective.supports.add(corporate[serves])
            plan_objectives[org_code].append(objective)
    fy = f"{year_start.year % 100:02d}/{(year_start.year + 1) % 100:02d}"
    action_index = 0
    for directorate_code, (short, org_code, unit_codes, objectives) in DIRECTORATES.items():
        _, _, manager, updater, _, _ = PARTNERS[org_code]
        sdp, _ = _get_or_create(
            f"SDP {short}",
            kind=K.PLAN,
            title=f"{units[directorate_code].name} Service Delivery Plan {fy}",
            parent=PlanItem.objects.get(code=PARTNERS[org_code][0]),
            org_unit=units[directorate_code],
            managed_by=people[manager],
            planned_start=year_start,
            due_date=datetime.date(year_start.year + 1, 3, 31),
        )
        for number, objective_title in enumerate(objectives, start=1):
            objective, created = _get_or_create(
                f"{short} {number}",
                kind=K.OBJECTIVE,
                title=objective_title,
                parent=sdp,
                org_unit=units[directorate_code],
                managed_by=people[manager],
                planned_start=sdp.planned_start,
                due_date=sdp.due_date,
            )
            if created:
                objective.supports.add(plan_objectives[org_code][(number - 1) % 3])
            for action_number in range(1, 8):
                _seed_action(
                    code=f"{short} {number}.{action_number}",
                    parent=objective,
                    index=action_index,
                    unit=units[unit_codes[action_index % len(unit_codes)]],
                    manager=people[manager],
                    assignee=people[updater if action_index % 3 else manager],
                    corporate=corporate,
                    today=today,
                )
                action_index += 1
    services.refresh_statuses(on=today)


def _seed_action(*, code, parent, index, unit, manager, assignee, corporate, today) -> None:
    scenario = SCENARIOS[index % len(SCENARIOS)]
    _, _, _, progress, milestones_done, ends = scenario
    start, due = _action_dates(index, scenario, today)
    started = start <= today
    action, created = _get_or_create(
        code,
        kind=K.ACTION,
        parent=parent,
        title=ACTION_TITLES[index % len(ACTION_TITLES)],
        org_unit=unit,
        managed_by=manager,
        assigned_to=assignee,
        planned_start=start,
        actual_start=start if started else None,
        due_date=due,
        progress=progress,
        weight=1 + index % 3,
        priority=[PlanItem.Priority.HIGH, PlanItem.Priority.MEDIUM, PlanItem.Priority.LOW][index % 3],
        budget=(index % 5) * 5000 or None,
        cost_to_date=(index % 5) * 2000 or None,
        expected_cost=(index % 5) * 5000 + (index % 4 - 1) * 750 if index % 5 else None,
        completed_date=due - datetime.timedelta(days=10) if ends == "completed" else None,
        cancelled_date=today - datetime.timedelta(days=10) if ends == "cancelled" else None,
        expected_outcome="Residents see a measurable improvement, reported to the Board quarterly.",
    )
    if not created:
        return
    if index % 5 == 0:
        action.supports.add(list(corporate.values())[index % len(corporate)])
    if index % 2 == 0 and ends != "completed" or index % 4 == 3:
        for position, (title, weight) in enumerate(zip(MILESTONE_TITLES, MILESTONE_WEIGHTS, strict=True)):
            step = (due - start) * (position + 1) / len(MILESTONE_TITLES)
            Milestone.objects.create(
                action=action,
                title=title,
                weight=weight,
                due_date=start + step,
                completed_on=start + step
                if position < milestones_done and start + step <= today
                else (today if position < milestones_done else None),
            )
    if started:
        updates = 1 + index % 3
        for number in range(updates):
            date = min(today, start + datetime.timedelta(days=14 * (number + 1)))
            ProgressUpdate.objects.create(
                action=action,
                author=assignee,
                date=date,
                progress=round(progress * (number + 1) / updates),
                status=ends if ends and number == updates - 1 else rules.IN_PROGRESS,
                note=f"Update {number + 1}: {['on track', 'waiting on a partner', 'resources agreed'][number]}.",
            )
