"""What people are behind on or owe soon: the one reading of "behind" that the daily job, the
digests, Who is behind and "chase now" share.

Each reader returns `Item`s for everyone at once, in a fixed number of queries:
- PI values missing for the reporting month (chasing the PI's updater);
- red values of the month without the structured commentary (the updater);
- values of the month waiting for approval (the PI's owner);
- open actions due soon or overdue, and open actions without a progress update for a while
  (the person assigned, else the manager of the action);
- whatever the modules register in `pmf.registry.CHASE_SOURCES` (risk reviews, responses).
`behind_counts` gives the same, counted per person and unit in SQL, for Who is behind.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, Count, DateField, Exists, FilteredRelation, Max, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse

from indicators import monthly
from indicators import rules as pi_rules
from indicators.models import Indicator, Measurement
from plans import status as plan_rules
from plans.models import PlanItem
from pmf import periods
from pmf.access import unit_subtree_q
from pmf.models import OrgUnit, User
from pmf.registry import CHASE_SOURCES

MISSING = "missing"
RED = "red"
APPROVAL = "approval"
ACTION = "action"
STALE = "action_stale"

CATEGORY_LABELS = {
    MISSING: "Values missing",
    RED: "Reds without commentary",
    APPROVAL: "Awaiting approval",
    ACTION: "Overdue actions",
}


@dataclass(frozen=True)
class Item:
    """One thing one person owes. CATEGORY is one of the constants above or a source's kind."""

    category: str
    person_id: int
    unit_id: int | None
    model: str
    object_id: int
    code: str
    title: str
    url: str
    period: datetime.date | None = None
    due: datetime.date | None = None
    overdue: bool = False
    period_label: str = ""


def _period_label(frequency: str, period: datetime.date) -> str:
    return Indicator(frequency=frequency).period_label(period)


def _due_period_case(month: datetime.date, frequency_field: str = "frequency") -> Case | None:
    """The period of each PI that ends with MONTH, by its frequency (NULL when none ends then)."""
    due = monthly.due_periods(month)
    return Case(
        *[When(**{frequency_field: frequency}, then=Value(period)) for frequency, period in due.items()],
        default=Value(None),
        output_field=DateField(),
    )


def _due_indicators(month: datetime.date):
    """Active PIs with a period ending in MONTH, annotated with that period (`due_period`)."""
    return (
        Indicator.objects.filter(active=True)
        .annotate(due_period=_due_period_case(month))
        .filter(due_period__isnull=False)
    )


def _due_measurements(month: datetime.date):
    """The measurements of the periods ending in MONTH (the literal periods let the database pick
    that month's measurements before matching them to their PIs, instead of reading them all)."""
    return Measurement.objects.filter(period__in=list(monthly.due_periods(month).values()))


def _due_value(month: datetime.date, **conditions) -> Exists:
    """Whether the PI's measurement of its due period (one ending in MONTH) meets CONDITIONS."""
    return Exists(
        _due_measurements(month).filter(indicator=OuterRef("pk"), period=OuterRef("due_period"), **conditions)
    )


RED_WITHOUT_COMMENTARY = Q(cause="") | Q(action_taken="") | Q(recovery_date__isnull=True)


def _missing(month, unit=None):
    pis = _due_indicators(month).filter(formula="", updater__isnull=False, updater__is_active=True)
    return _in_scope(pis, unit, "org_unit").filter(~_due_value(month, value__isnull=False))


def _reds(month, unit=None):
    pis = _due_indicators(month).filter(updater__isnull=False, updater__is_active=True)
    red = Exists(
        _due_measurements(month)
        .filter(RED_WITHOUT_COMMENTARY, indicator=OuterRef("pk"), period=OuterRef("due_period"))
        .filter(status=pi_rules.RED)
    )
    return _in_scope(pis, unit, "org_unit").filter(red)


def _unapproved(month, unit=None):
    pis = _due_indicators(month).filter(owner__isnull=False, owner__is_active=True)
    return _in_scope(pis, unit, "org_unit").filter(_due_value(month, value__isnull=False, approved_at__isnull=True))


def _in_scope(queryset, unit, field: str):
    return queryset.filter(unit_subtree_q(unit, field)) if unit is not None else queryset


def _pi_items(category: str, person_field: str, pis) -> list[Item]:
    return [
        Item(
            category,
            person_id,
            unit_id,
            "indicators.indicator",
            pk,
            code,
            title,
            _value_url(pk, period),
            period,
            period_label=_period_label(frequency, period),
        )
        for pk, code, title, person_id, unit_id, period, frequency in pis.order_by("code").values_list(
            "pk", "code", "title", person_field, "org_unit_id", "due_period", "frequency"
        )
    ]


def missing_values(month: datetime.date, *, unit=None, person=None) -> list[Item]:
    """PIs entered by hand, assigned to an active updater, with no value yet for their period
    ending in MONTH."""
    pis = _missing(month, unit)
    return _pi_items(MISSING, "updater_id", pis.filter(updater=person) if person is not None else pis)


def _value_url(indicator_id: int, period: datetime.date) -> str:
    return reverse("measurement-edit", kwargs={"pk": indicator_id, "period": period.isoformat()})


def reds_without_commentary(month: datetime.date, *, unit=None, person=None) -> list[Item]:
    """Red values of MONTH missing the cause, the action being taken or the recovery date (a value
    that came in through an import), chasing the PI's updater."""
    pis = _reds(month, unit)
    return _pi_items(RED, "updater_id", pis.filter(updater=person) if person is not None else pis)


def count_owed(month: datetime.date, *, person) -> tuple[int, int]:
    """(values PERSON has yet to enter for MONTH, values of MONTH waiting for PERSON's approval): the
    lengths of `missing_values` and `awaiting_approval` for PERSON, counted by the database (My work
    shows the numbers only; an area's owner can have thousands waiting)."""
    return _missing(month, None).filter(updater=person).count(), _unapproved(month, None).filter(owner=person).count()


def awaiting_approval(month: datetime.date, *, unit=None, person=None) -> list[Item]:
    """Values of MONTH nobody has approved yet, chasing the PI's owner (who approves them)."""
    pis = _unapproved(month, unit)
    return _pi_items(APPROVAL, "owner_id", pis.filter(owner=person) if person is not None else pis)


def _open_actions(unit=None, person=None):
    actions = (
        PlanItem.objects.filter(kind=PlanItem.Kind.ACTION, active=True)
        .open()
        .annotate(person=Coalesce("assigned_to_id", "managed_by_id"))
        .filter(Q(assigned_to__is_active=True) | Q(assigned_to__isnull=True, managed_by__is_active=True))
        .filter(person__isnull=False)
    )
    actions = _in_scope(actions, unit, "org_unit")
    if person is not None:
        actions = actions.filter(person=person.pk)
    return actions


def actions_due(today: datetime.date, within_days: int, *, unit=None, person=None) -> list[Item]:
    """Open actions due within WITHIN_DAYS of TODAY, and those overdue (by their status)."""
    actions = _open_actions(unit, person).filter(
        Q(status=plan_rules.OVERDUE)
        | Q(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=within_days))
    )
    return [
        Item(
            ACTION,
            person_id,
            unit_id,
            "plans.planitem",
            pk,
            code,
            title,
            reverse("planitem-detail", kwargs={"pk": pk}),
            due=due,
            overdue=status == plan_rules.OVERDUE,
        )
        for pk, code, title, person_id, unit_id, due, status in actions.order_by("due_date", "code").values_list(
            "pk", "code", "title", "person", "org_unit_id", "due_date", "status"
        )
    ]


def stale_actions(today: datetime.date, after_days: int, *, unit=None, person=None) -> list[Item]:
    """Open actions whose last progress update (or creation, when they have none) is more than
    AFTER_DAYS days before TODAY; DUE is that last update's date."""
    since = today - datetime.timedelta(days=after_days)
    actions = (
        _open_actions(unit, person)
        .annotate(last_update=Coalesce(Max("updates__date"), TruncDate("created_at"), output_field=DateField()))
        .filter(last_update__lt=since)
    )
    return [
        Item(
            STALE,
            person_id,
            unit_id,
            "plans.planitem",
            pk,
            code,
            title,
            reverse("planitem-detail", kwargs={"pk": pk}),
            due=last,
        )
        for pk, code, title, person_id, unit_id, last in actions.order_by("code").values_list(
            "pk", "code", "title", "person", "org_unit_id", "last_update"
        )
    ]


def source_items(today: datetime.date, within_days: int) -> dict[str, list[Item]]:
    """{source kind: items} from every registered chase source."""
    found = {}
    for source in CHASE_SOURCES:
        found[source.kind] = [
            Item(
                source.kind,
                item.person_id,
                item.unit_id,
                item.model,
                item.object_id,
                "",
                item.title,
                item.url,
                due=item.due,
                overdue=item.overdue,
            )
            for item in source.items(today=today, within_days=within_days)
        ]
    return found


def categories() -> list[tuple[str, str]]:
    """(category, column heading) of Who is behind, the sources' after the built-in ones."""
    return [*CATEGORY_LABELS.items(), *((source.kind, source.behind_label) for source in CHASE_SOURCES)]


def behind_counts(month: datetime.date, today: datetime.date, *, unit=None) -> dict[tuple[int, int | None], dict]:
    """{(person id, unit id): {category: count}} of everything behind in UNIT's subtree (everywhere
    without one): values missing for MONTH, its reds without commentary, its values awaiting
    approval, overdue actions and the sources' overdue items. One aggregate query per category."""
    counts: dict = defaultdict(lambda: defaultdict(int))
    # One pass over the PIs, each joined to its due period's measurement (the literal periods let
    # the database pick that month's measurements before joining).
    due = FilteredRelation(
        "measurements",
        condition=Q(
            measurements__period=_due_period_case(month),
            measurements__period__in=list(monthly.due_periods(month).values()),
        ),
    )
    red = Q(due__status=pi_rules.RED) & (
        Q(due__cause="") | Q(due__action_taken="") | Q(due__recovery_date__isnull=True)
    )
    rows = (
        _in_scope(_due_indicators(month), unit, "org_unit")
        .annotate(due=due)
        .order_by()
        .values("updater_id", "owner_id", "org_unit_id")
        .annotate(
            missing=Count("pk", filter=Q(formula="", due__value__isnull=True)),
            red=Count("pk", filter=red),
            unapproved=Count("pk", filter=Q(due__value__isnull=False, due__approved_at__isnull=True)),
        )
    )
    inactive = set(User.objects.filter(is_active=False).order_by().values_list("pk", flat=True))
    for row in rows:
        updater, owner, unit_id = row["updater_id"], row["owner_id"], row["org_unit_id"]
        for person, category, number in (
            (updater, MISSING, row["missing"]),
            (updater, RED, row["red"]),
            (owner, APPROVAL, row["unapproved"]),
        ):
            if number and person is not None and person not in inactive:
                counts[(person, unit_id)][category] += number
    actions = (
        _open_actions(unit)
        .filter(status=plan_rules.OVERDUE)
        .order_by()
        .values("person", "org_unit_id")
        .annotate(n=Count("pk"))
    )
    for row in actions:
        counts[(row["person"], row["org_unit_id"])][ACTION] += row["n"]
    if CHASE_SOURCES:
        scope = (unit.tree_id, unit.lft, unit.rght) if unit is not None else None
        positions = _unit_positions() if scope else {}
        for kind, items in source_items(today, 0).items():
            for item in items:
                if not item.overdue:
                    continue
                if scope and not _within(positions.get(item.unit_id), scope):
                    continue
                counts[(item.person_id, item.unit_id)][kind] += 1
    return {key: dict(value) for key, value in counts.items()}


def _unit_positions() -> dict[int, tuple[int, int, int]]:

    return {
        pk: (tree, lft, rght) for pk, tree, lft, rght in OrgUnit.objects.values_list("pk", "tree_id", "lft", "rght")
    }


def _within(position, scope) -> bool:
    return position is not None and position[0] == scope[0] and scope[1] <= position[1] and position[2] <= scope[2]


def person_items(person, month: datetime.date, today: datetime.date, *, unit=None) -> dict[str, list[Item]]:
    """Everything PERSON is behind on (in UNIT's subtree when given), by category: the drill-down
    of Who is behind and the list a chase sends."""
    found = {
        MISSING: missing_values(month, unit=unit, person=person),
        RED: reds_without_commentary(month, unit=unit, person=person),
        APPROVAL: awaiting_approval(month, unit=unit, person=person),
        ACTION: [item for item in actions_due(today, 0, unit=unit, person=person) if item.overdue],
    }
    if CHASE_SOURCES:
        scope = (unit.tree_id, unit.lft, unit.rght) if unit is not None else None
        positions = _unit_positions() if scope else {}
        for kind, items in source_items(today, 0).items():
            found[kind] = [
                item
                for item in items
                if item.person_id == person.pk
                and item.overdue
                and (scope is None or _within(positions.get(item.unit_id), scope))
            ]
    return found


def reporting_month(today: datetime.date) -> datetime.date:
    """The month whose values are being collected on TODAY."""
    return periods.last_complete_month(today)
