"""What a person owns or updates, gathered for their 1-2-1s from the other modules.

Each provider reads one module through its own querysets and rules (plan statuses, the PI row of
indicators.figures.live_rows, risk bands from the matrix in force, assessment responses) and
returns pmf.registry.PersonItem rows in a fixed number of queries whatever the number of records.
They are registered in pmf.registry.PERSON_ITEMS from PeopleConfig.ready().
"""

import datetime
import functools

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from assessments import status as assessment_rules
from assessments.models import Response
from indicators import rules as pi_rules
from indicators.figures import ROW_FIELDS, live_rows
from indicators.models import Indicator
from plans import status as plan_rules
from plans.models import PlanItem, Status
from pmf.registry import PERSON_ITEMS, PersonItem, PersonItemSource
from risks.matrix import load_matrix
from risks.models import Risk

# A finished action stays on the list this long, so the meeting after it was finished sees it.
RECENTLY_FINISHED_DAYS = 62
PLAN_TONE = {key: css.removeprefix("status--") for key, css in plan_rules.CSS_CLASS.items()}


@functools.cache
def _url_maker(name: str):
    """pk -> the address of URL NAME for that pk, reversed once rather than once per item (a
    person may own hundreds); every URL used here ends with its pk."""
    head, tail = reverse(name, kwargs={"pk": 0}).rsplit("/0/", 1)
    return lambda pk: f"{head}/{pk}/{tail}"


def _date(day: datetime.date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else "–"


def action_item(action: PlanItem, *, status: str, progress: int, completed: datetime.date | None) -> PersonItem:
    """ACTION as a 1-2-1 lists it, with STATUS and PROGRESS (today's, or as they were on a day)."""
    facts = [("Progress", f"{progress}%"), ("Due", _date(action.due_date))]
    if completed:
        facts.append(("Completed", _date(completed)))
    return PersonItem(
        kind="action",
        object_id=action.pk,
        code=action.code,
        title=action.title,
        url=_url_maker("planitem-detail")(action.pk),
        status=status,
        status_label=Status(status).label,
        tone=PLAN_TONE.get(status, "grey"),
        facts=tuple(facts),
        attention=status in plan_rules.NEEDS_ATTENTION,
    )


def person_actions(person) -> list[PersonItem]:
    """Actions PERSON is assigned or manages: the open ones and those finished in the last two
    months, overdue first. One query."""
    since = timezone.localdate() - datetime.timedelta(days=RECENTLY_FINISHED_DAYS)
    actions = (
        PlanItem.objects.filter(kind=PlanItem.Kind.ACTION, active=True)
        .for_person(person)
        .filter(
            ~Q(status__in=(plan_rules.COMPLETED, plan_rules.CANCELLED))
            | Q(completed_date__gte=since)
            | Q(cancelled_date__gte=since)
        )
        .only("id", "code", "title", "status", "progress", "due_date", "completed_date")
        .order_by("due_date", "code")
    )
    rows = [
        action_item(action, status=action.status, progress=action.progress, completed=action.completed_date)
        for action in actions
    ]
    rows.sort(key=lambda row: -plan_rules.SEVERITY.get(row.status, 0))
    return rows


def pi_item(indicator: Indicator, row) -> PersonItem:
    """INDICATOR as a 1-2-1 lists it, from its ROW (indicators.figures.Row) for the period shown."""
    missing = row.value is not None and not row.commentary.strip()
    facts = [
        ("Latest", f"{row.value_text} ({row.period_label})" if row.value is not None else "No value yet"),
        ("Target", row.target_text),
        ("Trend", row.short_label),
    ]
    if missing:
        facts.append(("Commentary", "Missing"))
    return PersonItem(
        kind="pi",
        object_id=indicator.pk,
        code=indicator.code,
        title=indicator.title,
        url=_url_maker("indicator-detail")(indicator.pk),
        status=row.status,
        status_label=row.status_label,
        tone=pi_rules.STATUS_CSS.get(row.status, "grey"),
        facts=tuple(facts),
        attention=row.status == pi_rules.RED or missing or row.short_trend == pi_rules.WORSE,
    )


def person_indicators(person) -> list[PersonItem]:
    """Active PIs PERSON owns or updates, with their latest value, target, status, short trend and
    whether the latest value lacks its commentary (the row every page shows: live_rows). Three
    queries (four when a calculated PI needs its inputs)."""
    indicators = list(
        Indicator.objects.filter(Q(owner=person) | Q(updater=person), active=True).only(*ROW_FIELDS).order_by("code")
    )
    if not indicators:
        return []
    rows = live_rows(indicators, None, benchmarks=False)
    return [pi_item(indicator, rows[indicator.pk]) for indicator in indicators]


def _band_tone(rank: int, highest: int) -> str:
    if rank >= highest:
        return "red"
    return "green" if rank <= 1 else "amber"


def risk_item(
    risk: Risk, matrix, *, score: tuple[int, int], next_review: datetime.date, today: datetime.date
) -> PersonItem:
    """RISK as a 1-2-1 lists it, at SCORE (likelihood, impact) with its NEXT_REVIEW date, on TODAY."""
    likelihood, impact = score
    band = matrix.band(likelihood, impact)
    highest = max((each.rank for each in matrix.bands), default=1)
    overdue = next_review < today
    return PersonItem(
        kind="risk",
        object_id=risk.pk,
        code=risk.code,
        title=risk.title,
        url=_url_maker("risk-detail")(risk.pk),
        status=f"score-{likelihood * impact}",
        status_label=f"{likelihood * impact} {band.name}" if band else str(likelihood * impact),
        tone=_band_tone(band.rank, highest) if band else "grey",
        facts=(("Review due", _date(next_review) + (" (overdue)" if overdue else "")),),
        attention=overdue or (band is not None and band.rank >= highest),
    )


def person_risks(person) -> list[PersonItem]:
    """Open risks PERSON owns, highest current score first, with their band and next review date.
    Four queries (the matrix in force, then the risks)."""
    matrix = load_matrix()
    today = timezone.localdate()
    return [
        risk_item(
            risk,
            matrix,
            score=(risk.current_likelihood, risk.current_impact),
            next_review=risk.next_review_date,
            today=today,
        )
        for risk in Risk.objects.active()
        .open()
        .filter(owner=person)
        .only("id", "code", "title", "current_likelihood", "current_impact", "current_score", "next_review_date")
        .order_by("-current_score", "code")
    ]


CLOSED_ASSESSMENTS = (assessment_rules.SIGNED_OFF, assessment_rules.ARCHIVED)


def person_responses(person) -> list[PersonItem]:
    """Questions of live self-assessments assigned to PERSON: answered or awaiting, with the score
    and due date. One query."""
    today = timezone.localdate()
    items = []
    for response in (
        Response.objects.filter(assigned_to=person)
        .exclude(assessment__status__in=CLOSED_ASSESSMENTS)
        .select_related("assessment", "node")
        .only(
            "id",
            "level",
            "moderated_level",
            "not_applicable",
            "due_date",
            "assessment__title",
            "node__code",
            "node__title",
        )
        .order_by("due_date", "assessment_id", "node__code")
    ):
        answered = response.is_answered
        overdue = not answered and response.due_date is not None and response.due_date < today
        if answered:
            status, label, tone = "answered", "Answered", "green"
        elif overdue:
            status, label, tone = "overdue", "Overdue", "red"
        else:
            status, label, tone = "awaiting", "Awaiting answer", "grey"
        score = "Not applicable" if response.not_applicable else str(response.score) if answered else "–"
        items.append(
            PersonItem(
                kind="response",
                object_id=response.pk,
                code=response.node.code,
                title=f"{response.node.title} ({response.assessment.title})",
                url=_url_maker("response-detail")(response.pk),
                status=status,
                status_label=label,
                tone=tone,
                facts=(("Score", score), ("Due", _date(response.due_date))),
                attention=overdue,
            )
        )
    return items


def register() -> None:
    PERSON_ITEMS.register(PersonItemSource("action", "Actions", items=person_actions, order=10))
    PERSON_ITEMS.register(PersonItemSource("pi", "Performance indicators", items=person_indicators, order=20))
    PERSON_ITEMS.register(PersonItemSource("risk", "Risks", items=person_risks, order=30))
    PERSON_ITEMS.register(PersonItemSource("response", "Self-assessment questions", items=person_responses, order=40))
