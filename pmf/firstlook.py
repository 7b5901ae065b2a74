"""What each person sees first when they sign in.

- A Board member (viewer): the briefing, the latest issued edition of each scorecard shared with
  them, its signposts, what changed since the edition before (the last meeting) and the values
  corrected since it was issued.
- A manager or updater: what waits for them (values to approve; for a manager also the scorecards
  of their area and who in it has not updated yet).
- The performance team: the month at a glance (values entered, approved and missing by
  organisation, reds without commentary, scorecards not yet issued).

Each function reads a fixed number of queries whatever the number of PIs or people (the briefing
adds at most two per edition shown for the corrections, and shows at most BRIEFING_EDITIONS)."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from cycle import chase
from indicators import approvals as approval_backlog
from indicators import monthly
from indicators import rules as pi_rules
from indicators.figures import Restatement
from indicators.models import Indicator, Measurement
from pmf import periods
from pmf.access import admin_scope_q, can_write, covers_everything, is_manager, unit_subtree_q
from pmf.models import OrgUnit, User
from pmf.registry import BRIEFING_SECTIONS
from scorecards.figures import restatements
from scorecards.models import EditionRow, Scorecard, ScorecardEdition
from scorecards.status import status_counts

BRIEFING_EDITIONS = 12
SCORECARDS_SHOWN = 10


@dataclass
class Brief:
    """The latest issued edition of one scorecard, as a Board member reads it before a meeting."""

    edition: ScorecardEdition
    previous: ScorecardEdition | None
    counts: list[tuple[str, str, int]]
    signposts: list[EditionRow]
    # (row now, its status in the previous edition) for each PI whose status moved since then
    moved: list[tuple[EditionRow, str]] = field(default_factory=list)
    restated: list[tuple[EditionRow, Restatement]] = field(default_factory=list)


def briefing(user) -> list[Brief]:
    """The latest edition of each active scorecard USER may read (newest first, at most
    BRIEFING_EDITIONS), with its signposts (every PI when none is marked as one, the signposts
    page's rule), the PIs whose status changed since the scorecard's edition before, and the
    values corrected since it was issued."""
    issued = ScorecardEdition.objects.visible_to(user).filter(scorecard__active=True)
    by_scorecard: dict[int, list[tuple[datetime.date, int]]] = {}
    for pk, scorecard_id, period in issued.values_list("pk", "scorecard_id", "period"):
        by_scorecard.setdefault(scorecard_id, []).append((period, pk))
    latest, previous_of = [], {}
    for found in by_scorecard.values():
        found.sort(reverse=True)
        latest.append(found[0][1])
        if len(found) > 1:
            previous_of[found[0][1]] = found[1][1]
    if not latest:
        return []
    editions = list(
        ScorecardEdition.objects.filter(pk__in=latest)
        .select_related("scorecard", "issued_by")
        .order_by("-period", "title", "pk")[:BRIEFING_EDITIONS]
    )
    wanted = [edition.pk for edition in editions]
    earlier = {
        edition.pk: edition
        for edition in ScorecardEdition.objects.filter(pk__in=[previous_of[pk] for pk in wanted if pk in previous_of])
    }
    rows: dict[int, list[EditionRow]] = {pk: [] for pk in [*wanted, *earlier]}
    for row in EditionRow.objects.filter(edition_id__in=rows).order_by("edition_id", "section__order", "order"):
        rows[row.edition_id].append(row)
    briefs = []
    for edition in editions:
        mine = rows[edition.pk]
        previous = earlier.get(previous_of.get(edition.pk))
        before = {row.indicator_id: row.status for row in rows[previous.pk]} if previous else {}
        flagged = [row for row in mine if row.signpost]
        found = restatements(edition, mine)
        briefs.append(
            Brief(
                edition=edition,
                previous=previous,
                counts=status_counts(row.status for row in mine),
                signposts=flagged or mine,
                moved=[
                    (row, before[row.indicator_id])
                    for row in mine
                    if row.indicator_id in before and before[row.indicator_id] != row.status
                ],
                restated=[(row, found[row.pk]) for row in mine if row.pk in found],
            )
        )
    return briefs


def briefing_sections(user) -> list[dict]:
    """Each briefing block (pmf.registry.BRIEFING_SECTIONS) with its items for USER, as the home
    page shows My work."""
    return [{"section": section, "items": section.items(user)} for section in BRIEFING_SECTIONS]


@dataclass
class Waiting:
    """What waits for a person who writes: values to approve and, for a manager, their area."""

    approvals: int
    month_label: str
    approvals_more: bool = False  # more values wait than `approvals` counts (indicators.approvals.COUNTED)
    scorecards: list[Scorecard] = field(default_factory=list)
    scorecards_total: int = 0
    # (person, how many of their values for the reporting month are still missing, whether the
    # person belongs to the manager's area, so Who is behind can show them), most missing first
    not_updated: list[tuple[User, int, bool]] = field(default_factory=list)
    is_manager: bool = False


def waiting_for(user, today: datetime.date) -> Waiting | None:
    """What waits for USER (None for a read-only person): the values they approve that nobody has
    approved yet (the approvals page's list); for a manager, the scorecards of their unit's subtree
    and the people with values missing for the reporting month in it."""
    if not can_write(user):
        return None
    month = monthly.reporting_month(today)
    approvals, more = approval_backlog.count_for(user)
    waiting = Waiting(approvals=approvals, approvals_more=more, month_label=periods.month_label(month))
    if is_manager(user) and user.org_unit_id:
        waiting.is_manager = True
        area = Scorecard.objects.visible_to(user).filter(unit_subtree_q(user.org_unit), active=True)
        waiting.scorecards_total = area.count()
        waiting.scorecards = list(area.select_related("org_unit").order_by("title", "pk")[:SCORECARDS_SHOWN])
        missing = Counter(item.person_id for item in chase.missing_values(month, unit=user.org_unit))
        people = User.objects.select_related("org_unit").in_bulk(list(missing))
        area = user.org_unit
        waiting.not_updated = sorted(
            (
                (people[pk], number, _within(people[pk].org_unit, area))
                for pk, number in missing.items()
                if pk in people
            ),
            key=lambda found: (-found[1], found[0].name),
        )
    return waiting


@dataclass
class UnitMonth:
    unit: OrgUnit
    due: int = 0
    entered: int = 0
    approved: int = 0

    @property
    def missing(self) -> int:
        return self.due - self.entered


@dataclass
class Glance:
    month: datetime.date
    month_label: str
    units: list[UnitMonth]
    reds_without_commentary: int
    scorecards_active: int
    scorecards_not_issued: int

    @property
    def totals(self) -> UnitMonth:
        total = UnitMonth(unit=None)
        for row in self.units:
            total.due += row.due
            total.entered += row.entered
            total.approved += row.approved
        return total


def month_at_a_glance(user, today: datetime.date) -> Glance:
    """The reporting month for the performance team, within USER's admin scope (admin_scope_q: a
    partner's team sees its partner, the group's team the group): for each organisation (the units
    directly below a group; PIs of a group itself count on the group), how many values of active PIs entered
    by hand are due, entered and approved; how many red values of the month lack the cause, the
    action or the recovery date (the monthly cycle's rule); how many active scorecards
    have no edition for the month yet."""
    month = monthly.reporting_month(today)
    due = monthly.due_periods(month)
    hand_entered = Indicator.objects.filter(admin_scope_q(user), active=True, formula="", frequency__in=list(due))
    in_due_period = Q(pk__in=[])
    for frequency, period in due.items():
        in_due_period |= Q(indicator__frequency=frequency, period=period)
    counts: dict[int, list[int]] = {}
    for unit_id, number in (
        hand_entered.values_list("org_unit_id").annotate(n=Count("pk")).values_list("org_unit_id", "n")
    ):
        counts[unit_id] = [number, 0, 0]
    for unit_id, entered, approved in (
        Measurement.objects.filter(
            in_due_period,
            admin_scope_q(user, "indicator__org_unit"),
            indicator__active=True,
            indicator__formula="",
            value__isnull=False,
        )
        .values_list("indicator__org_unit_id")
        .annotate(entered=Count("pk"), approved=Count("pk", filter=Q(approved_at__isnull=False)))
        .values_list("indicator__org_unit_id", "entered", "approved")
    ):
        counts.setdefault(unit_id, [0, 0, 0])[1:] = [entered, approved]
    # the organisations (and groups) the rows are counted on; an admin below an organisation
    # sees their own unit as the one row
    deepest = max(1, user.org_unit.level) if user.org_unit_id and not covers_everything(user) else 1
    units = list(OrgUnit.objects.filter(admin_scope_q(user, ""), level__lte=deepest).order_by("tree_id", "lft"))
    # deepest first, so a unit below an organisation counts there and a group's own PIs count on the group
    tops = sorted(units, key=lambda unit: -unit.level)
    where = {pk: (tree_id, lft) for pk, tree_id, lft in OrgUnit.objects.values_list("pk", "tree_id", "lft")}
    rows = {unit.pk: UnitMonth(unit=unit) for unit in units}
    for unit_id, (due_here, entered, approved) in counts.items():
        top = _top_of(where.get(unit_id), tops)
        if top is None:
            continue
        row = rows[top.pk]
        row.due += due_here
        row.entered += entered
        row.approved += approved
    scorecards = Scorecard.objects.filter(admin_scope_q(user), active=True)
    return Glance(
        month=month,
        month_label=periods.month_label(month),
        units=[row for row in rows.values() if row.due],
        reds_without_commentary=Measurement.objects.filter(
            in_due_period,
            chase.RED_WITHOUT_COMMENTARY,
            admin_scope_q(user, "indicator__org_unit"),
            indicator__active=True,
            status=pi_rules.RED,
        ).count(),
        scorecards_active=scorecards.count(),
        scorecards_not_issued=scorecards.exclude(editions__period=month).count(),
    )


def _within(unit: OrgUnit | None, area: OrgUnit) -> bool:
    return unit is not None and unit.tree_id == area.tree_id and area.lft <= unit.lft <= area.rght


def _top_of(position, tops: list[OrgUnit]) -> OrgUnit | None:
    if position is None:
        return None
    tree_id, lft = position
    for unit in tops:
        if unit.tree_id == tree_id and unit.lft <= lft <= unit.rght:
            return unit
    return None
