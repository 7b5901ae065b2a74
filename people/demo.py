"""Demo 1-2-1s and appraisals for the demo group (pmf.demo).

Each partner's updater has met their line manager monthly for the last six months; every meeting
is completed and frozen with the updater's real actions, PIs and risks as they stood that day
(action statuses by the plan status rule from the progress updates made by then, PI rows for the
month being reported then, risk scores from the reviews recorded by then), with comments on the
items that needed discussing. Each partner's updater has a signed appraisal for last financial year
whose objectives serve their partner's strategic plan; the Marsh Lane office manager's appraisal
for this year is in progress. Idempotent: an existing demo meeting or appraisal is left alone.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from indicators import rules as pi_rules
from indicators.figures import ROW_FIELDS, live_rows
from indicators.models import Indicator
from people.models import Appraisal, DevelopmentNeed, Meeting, MeetingItem, PersonalObjective
from people.sources import RECENTLY_FINISHED_DAYS, action_item, pi_item, risk_item
from plans import services as plan_services
from plans import status as plan_rules
from plans.models import PlanItem, PlanSettings, ProgressUpdate
from pmf import periods
from pmf.registry import PersonItem
from risks import status as risk_rules
from risks.matrix import load_matrix
from risks.models import Risk, RiskReview

MEETINGS = 6
UPDATERS = ("mh.updater", "kl.updater", "lps.updater")

# What a line manager and the person say about an item needing discussion, by kind and status.
COMMENTS = {
    ("action", plan_rules.OVERDUE): (
        "Past its due date. What is blocking it, and what date can we give the Board?",
        "Waiting on the contractor's programme; I have asked for a revised date by the end of the week.",
    ),
    ("action", plan_rules.CHECK_PROGRESS): (
        "Behind where it should be on the plan. Do you need anything from me to catch up?",
        "Two of the team were on leave. I have re-planned the next milestone and expect to recover next month.",
    ),
    ("pi", pi_rules.RED): (
        "Off target this month. Let's agree the recovery actions and when we expect it back on target.",
        "I have been through the cases behind the figure; the recovery steps are in this month's commentary "
        "and I expect it back within tolerance in two months.",
    ),
    ("pi", "missing"): (
        "The commentary for the latest value is missing; please add it before the scorecard goes out.",
        "Will add it today.",
    ),
    ("risk", "high"): (
        "Still in the highest band. Are the controls working, and is the review date right?",
        "Controls are in place; the new monitoring report goes to the next DMT, so I will re-score after that.",
    ),
}
NOTES = [
    (
        "Good month overall. Keep the focus on the items marked to discuss.",
        "Workload is manageable. I would like to shadow the performance team at the next scorecard meeting.",
    ),
    (
        "Discussed priorities for the quarter and the team's training plan.",
        "I flagged that the team is one officer short until the vacancy is filled.",
    ),
    (
        "Reviewed the Board's questions on this month's scorecard and who answers which.",
        "Happy with support; I will pick up the tenant panel's question on repairs communication.",
    ),
]

# username: (organisation code, appraiser,
#            [(objective title, index of the partner plan objective, rating)], [(need, support)])
SIGNED_APPRAISALS = {
    "mh.updater": (
        "mh",
        "mh.manager",
        [
            ("Bring current tenant arrears down to the year's target", 2, 3),
            ("Roll out the pre-tenancy affordability check to every new let", 2, 4),
            ("Coach two income officers to handle Universal Credit cases without escalation", 2, 2),
        ],
        [("Welfare benefits refresher (Universal Credit changes)", "Two-day external course")],
    ),
    "kl.updater": (
        "kl",
        "kl.manager",
        [
            ("Complete every sheltered resident's support plan review on time", 0, 3),
            ("Set up residents' meetings in all sheltered schemes", 0, 3),
            ("Keep scheme running costs within budget", 2, 2),
        ],
        [("Safeguarding adults, level 3", "Council training programme")],
    ),
    "lps.updater": (
        "lps",
        "lps.manager",
        [
            ("Keep gas safety certificates at 100% with no overdue appliances", 0, 4),
            ("Cut no-access cases with the income team's forced entry protocol", 0, 3),
            ("First-time fix on gas repairs above 90%", 1, 2),
        ],
        [("Gas Safe auditor refresher", "Manufacturer's course, booked through the training budget")],
    ),
}
IN_PROGRESS = ("mh.office", "mh.manager")


def _meeting_days(today: datetime.date) -> list[datetime.date]:
    """The 20th of each of the last six months before the current one (weekends moved to Friday)."""
    days = []
    for back in range(MEETINGS, 0, -1):
        day = periods.add_months(periods.month_start(today), -back).replace(day=20)
        while day.weekday() >= 5:
            day -= datetime.timedelta(days=1)
        days.append(day)
    return days


def _actions_on(person, day: datetime.date, tolerance: int) -> list[PersonItem]:
    """PERSON's actions as they stood on DAY: those started by then, and not finished more than two
    months before; status by the plan status rule from the progress updates made by then."""
    actions = list(
        PlanItem.objects.filter(kind=PlanItem.Kind.ACTION, active=True)
        .for_person(person)
        .filter(Q(planned_start__lte=day) | Q(planned_start__isnull=True))
        .order_by("due_date", "code")
    )
    progress_on: dict[int, int] = {}
    for action_id, progress in (
        ProgressUpdate.objects.filter(action__in=actions, date__lte=day)
        .order_by("action_id", "date", "pk")
        .values_list("action_id", "progress")
    ):
        progress_on[action_id] = progress
    since = day - datetime.timedelta(days=RECENTLY_FINISHED_DAYS)
    items = []
    for action in actions:
        completed = action.completed_date if action.completed_date and action.completed_date <= day else None
        cancelled = action.cancelled_date if action.cancelled_date and action.cancelled_date <= day else None
        if (completed and completed < since) or (cancelled and cancelled < since):
            continue
        progress = 100 if completed else progress_on.get(action.pk, 0)
        status = plan_rules.action_status(
            progress=progress,
            start=action.start_date,
            due=action.due_date,
            completed=completed,
            cancelled=cancelled,
            started=action.actual_start is not None and action.actual_start <= day,
            today=day,
            tolerance=tolerance,
        )
        items.append(action_item(action, status=status, progress=progress, completed=completed))
    items.sort(key=lambda row: -plan_rules.SEVERITY.get(row.status, 0))
    return items


def _pis_on(person, day: datetime.date) -> list[PersonItem]:
    """PERSON's PIs with their row for the month being reported on DAY."""
    indicators = list(
        Indicator.objects.filter(Q(owner=person) | Q(updater=person), active=True).only(*ROW_FIELDS).order_by("code")
    )
    rows = live_rows(indicators, periods.last_complete_month(day), benchmarks=False) if indicators else {}
    return [pi_item(indicator, rows[indicator.pk]) for indicator in indicators]


def _risks_on(person, day: datetime.date, matrix) -> list[PersonItem]:
    """PERSON's open risks scored as their latest review by DAY left them."""
    risks = list(Risk.objects.active().open().filter(owner=person).order_by("-current_score", "code"))
    latest: dict[int, RiskReview] = {}
    for review in RiskReview.objects.filter(risk__in=risks, reviewed_on__lte=day).order_by("reviewed_on", "pk"):
        latest[review.risk_id] = review
    items = []
    for risk in risks:
        review = latest.get(risk.pk)
        if review is None:
            score, next_review = (risk.current_likelihood, risk.current_impact), risk.next_review_date
        else:
            score = (review.likelihood, review.impact)
            next_review = risk_rules.next_review_date(
                reviewed_on=review.reviewed_on, frequency_months=risk.review_frequency
            )
        items.append(risk_item(risk, matrix, score=score, next_review=next_review, today=day))
    return items


def _comment_key(item: PersonItem):
    if item.kind == "pi":
        if item.status == pi_rules.RED:
            return ("pi", pi_rules.RED)
        if ("Commentary", "Missing") in item.facts:
            return ("pi", "missing")
        return None
    if item.kind == "risk":
        return ("risk", "high") if item.tone == "red" else None
    return (item.kind, item.status)


def _seed_meeting(person, manager, day: datetime.date, next_day: datetime.date, number: int, matrix, tolerance):
    items = _actions_on(person, day, tolerance) + _pis_on(person, day) + _risks_on(person, day, matrix)
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(15, 30)))
    manager_notes, person_notes = NOTES[number % len(NOTES)]
    meeting = Meeting.objects.create(
        person=person,
        manager=manager,
        held_on=day,
        status=Meeting.Status.COMPLETED,
        manager_notes=manager_notes,
        person_notes=person_notes,
        next_meeting=next_day,
        completed_at=at,
        completed_by=manager,
    )
    rows = []
    commented = 0
    for position, item in enumerate(items):
        comment = COMMENTS.get(_comment_key(item)) if item.attention and commented < 4 else None
        commented += comment is not None
        rows.append(
            MeetingItem(
                meeting=meeting,
                kind=item.kind,
                object_id=item.object_id,
                code=item.code,
                title=item.title,
                status=item.status,
                status_label=item.status_label,
                tone=item.tone,
                facts=[list(pair) for pair in item.facts],
                attention=item.attention,
                position=position,
                manager_comment=comment[0] if comment else "",
                person_comment=comment[1] if comment else "",
            )
        )
    bulk_create_with_history(rows, MeetingItem)
    behind = next((item for item in items if item.kind == "action" and item.attention), None)
    if number == MEETINGS - 1 and behind is not None:
        _agree_action(meeting, behind, day)


def _agree_action(meeting: Meeting, behind: PersonItem, day: datetime.date) -> None:
    """The action agreed at MEETING about BEHIND (an action needing attention): a plan action
    under the same objective, assigned to the person, through the plans service."""
    objective = PlanItem.objects.get(pk=behind.object_id).parent
    while objective is not None and objective.kind != PlanItem.Kind.OBJECTIVE:
        objective = objective.parent
    if objective is None:
        return
    action = PlanItem(
        kind=PlanItem.Kind.ACTION,
        parent=objective,
        code=plan_services.next_child_code(objective),
        title=f"Agree a recovery plan for {behind.code} and report it at the next 1-2-1",
        description=f"Agreed at the 1-2-1 of {day:%d %b %Y}.",
        org_unit=meeting.person.org_unit,
        managed_by=meeting.manager,
        assigned_to=meeting.person,
        planned_start=day,
        due_date=day + datetime.timedelta(days=35),
    )
    plan_services.save_item(item=action)
    meeting.agreed_actions.add(action)


def _seed_appraisal(person, manager, *, year, objectives, needs, signed_on: datetime.date | None, plan_items):
    appraisal = Appraisal.objects.create(
        person=person,
        manager=manager,
        year=year,
        manager_comments="A strong year: the objectives below were agreed at the start of the year and "
        "reviewed at each quarter's 1-2-1."
        if signed_on
        else "",
        person_comments="I agree with the ratings and would like to build on the coaching next year."
        if signed_on
        else "",
    )
    for title, objective_index, rating in objectives:
        PersonalObjective.objects.create(
            appraisal=appraisal,
            title=title,
            plan_item=plan_items[objective_index % len(plan_items)],
            rating=rating if signed_on else None,
        )
    for need, support in needs:
        DevelopmentNeed.objects.create(
            appraisal=appraisal, need=need, support=support, by_date=datetime.date(year + 1, 3, 31)
        )
    if signed_on:
        at = timezone.make_aware(datetime.datetime.combine(signed_on, datetime.time(11, 0)))
        Appraisal.objects.filter(pk=appraisal.pk).update(
            person_signed_at=at, manager_signed_at=at + datetime.timedelta(hours=2), manager_signed_by=manager
        )


@transaction.atomic
def seed_people(world: dict) -> None:
    """Create the demo 1-2-1 histories and appraisals (after plans, PIs, risks and assessments)."""
    people, units = world["people"], world["units"]
    today = timezone.localdate()
    matrix = load_matrix()
    tolerance = PlanSettings.load().check_progress_tolerance
    days = _meeting_days(today)
    for username in UPDATERS:
        person = people[username]
        manager = person.line_manager
        if manager is None or Meeting.objects.filter(person=person).exists():
            continue
        for number, day in enumerate(days):
            next_day = days[number + 1] if number + 1 < len(days) else day + datetime.timedelta(days=28)
            _seed_meeting(person, manager, day, next_day, number, matrix, tolerance)
    year_start = periods.financial_year_start(today)
    by_org = defaultdict(list)
    for objective in PlanItem.objects.filter(kind=PlanItem.Kind.OBJECTIVE, parent__kind=PlanItem.Kind.PLAN).order_by(
        "code"
    ):
        by_org[objective.org_unit_id].append(objective)
    for username, (org_code, appraiser, objectives, needs) in SIGNED_APPRAISALS.items():
        person = people[username]
        plan_items = by_org.get(units[org_code].pk)
        if not plan_items or Appraisal.objects.filter(person=person).exists():
            continue
        signed_on = min(today, datetime.date(year_start.year, 5, 14))
        _seed_appraisal(
            person,
            people[appraiser],
            year=year_start.year - 1,
            objectives=objectives,
            needs=needs,
            signed_on=signed_on,
            plan_items=plan_items,
        )
    username, appraiser = IN_PROGRESS
    person = people[username]
    current_actions = list(
        PlanItem.objects.filter(kind=PlanItem.Kind.OBJECTIVE, org_unit__in=[units["mh-hs"], units["mh-ps"]]).order_by(
            "code"
        )[:2]
    )
    if current_actions and not Appraisal.objects.filter(person=person).exists():
        _seed_appraisal(
            person,
            people[appraiser],
            year=year_start.year,
            objectives=[
                ("Every Marsh Lane tenancy visited within the year's cycle", 0, None),
                ("Repairs reported at the office completed right first time", 1, None),
            ],
            needs=[("Leading teams through change", "In-house management programme")],
            signed_on=None,
            plan_items=current_actions,
        )
