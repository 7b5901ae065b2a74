"""Writes of the scorecards module: issuing editions and arranging scorecards."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, Q, Value, When
from django.utils import timezone

from indicators.figures import ROW_FIELDS, live_rows
from indicators.models import Indicator
from plans import status as plan_rules
from plans.models import PlanItem
from pmf import periods
from scorecards.models import (
    EditionRow,
    EditionSection,
    Scorecard,
    ScorecardEdition,
    ScorecardEntry,
    ScorecardSection,
    ScorecardSettings,
    Snapshot,
)


class EditionRefused(ValueError):
    """The edition cannot be issued; the message says why."""


# Scorecards ------------------------------------------------------------------------------------


@dataclass
class ScorecardLayout:
    scorecard: Scorecard
    sections: list  # of (ScorecardSection, [ScorecardEntry with .indicator loaded])

    @property
    def indicators(self) -> list[Indicator]:
        return [entry.indicator for _, entries in self.sections for entry in entries]


def load_layout(scorecard: Scorecard) -> ScorecardLayout:
    """Sections and entries (with their PIs) in order. Two queries."""
    sections = list(scorecard.sections.order_by("order", "pk"))
    entries: dict[int, list] = {section.pk: [] for section in sections}
    entry_fields = ("scorecard_id", "section_id", "indicator_id", "order", "signpost", "public", "plain_title")
    for entry in (
        ScorecardEntry.objects.filter(scorecard=scorecard)
        .select_related("indicator")
        .only(*entry_fields, *(f"indicator__{name}" for name in ROW_FIELDS))
        .order_by("order", "pk")
    ):
        entries[entry.section_id].append(entry)
    return ScorecardLayout(scorecard, [(section, entries[section.pk]) for section in sections])


@transaction.atomic
def issue_edition(
    *, scorecard: Scorecard, period: datetime.date, user=None, today: datetime.date | None = None
) -> ScorecardEdition:
    """Freeze SCORECARD for PERIOD (a month) as issued: values, targets, statuses, trends, year to
    date, quartiles and commentary (with the cause, action and expected recovery of red values), per
    section, in order.

    Idempotent: an edition that exists for the scorecard and period is returned unchanged.
    Refused (EditionRefused) for a month that has not ended, and for unapproved values when the
    settings say so; otherwise unapproved values are listed in the edition's warnings.
    Side effects: one ScorecardEdition (with its history row), its EditionSections and
    EditionRows (bulk inserts); later changes to measurements never alter them."""
    period = periods.month_start(period)
    existing = ScorecardEdition.objects.filter(scorecard=scorecard, period=period).first()
    if existing is not None:
        return existing
    today = today or timezone.localdate()
    if period >= periods.month_start(today):
        raise EditionRefused(f"{periods.month_label(period)} has not ended yet, so it cannot be issued.")
    layout = load_layout(scorecard)
    rows = live_rows(layout.indicators, period)
    unapproved = sorted({row.code for row in rows.values() if row.value is not None and not row.approved})
    warnings = ""
    if unapproved:
        if ScorecardSettings.load().unapproved_values == ScorecardSettings.Unapproved.REFUSE:
            raise EditionRefused(f"Values not yet approved: {', '.join(unapproved)}.")
        warnings = f"Issued with values not yet approved: {', '.join(unapproved)}."
    try:
        with transaction.atomic():
            edition = ScorecardEdition(
                scorecard=scorecard,
                period=period,
                title=scorecard.title,
                public_title=scorecard.public_title,
                director_commentary=scorecard.director_commentary,
                director_commentary_internal=scorecard.director_commentary_internal,
                issued_by=user if user is not None and user.is_authenticated else None,
                issued_at=timezone.now(),
                warnings=warnings,
            )
            edition.save()
    except IntegrityError:
        # Issued at the same moment by another worker: theirs stands.
        return ScorecardEdition.objects.get(scorecard=scorecard, period=period)
    frozen_sections = EditionSection.objects.bulk_create(
        [
            EditionSection(
                edition=edition,
                title=section.title,
                order=index,
                commentary=section.commentary,
                commentary_internal=section.commentary_internal,
            )
            for index, (section, _) in enumerate(layout.sections)
        ]
    )
    frozen_rows = []
    for frozen_section, (_, entries) in zip(frozen_sections, layout.sections, strict=True):
        for index, entry in enumerate(entries):
            row = rows[entry.indicator_id]
            frozen_rows.append(
                EditionRow(
                    edition=edition,
                    section=frozen_section,
                    order=index,
                    indicator_id=entry.indicator_id,
                    code=row.code,
                    title=row.title,
                    plain_title=entry.plain_title,
                    period=row.period,
                    period_label=row.period_label if row.period else "",
                    value=row.value,
                    target=row.target,
                    value_text=row.value_text,
                    target_text=row.target_text,
                    ytd_text=row.ytd_text,
                    status=row.status,
                    short_trend=row.short_trend,
                    long_trend=row.long_trend,
                    quartile=row.quartile,
                    commentary=row.commentary,
                    approved=row.approved,
                    cause=row.cause,
                    action_taken=row.action_taken,
                    recovery_date=row.recovery_date,
                    signpost=entry.signpost,
                    public=entry.public,
                    spark=",".join("" if value is None else f"{value.normalize():f}" for value in row.spark),
                )
            )
    EditionRow.objects.bulk_create(frozen_rows, batch_size=1000)
    return edition


def issued_pairs(pairs) -> set[tuple[int, datetime.date]]:
    """The (indicator_id, period) PAIRS that an issued edition reports. One query."""
    pairs = set(pairs)
    found = (
        EditionRow.objects.filter(
            indicator_id__in={indicator_id for indicator_id, _ in pairs}, period__in={period for _, period in pairs}
        )
        .values_list("indicator_id", "period")
        .distinct()
    )
    return set(found) & pairs


def _renumber(items) -> None:
    for index, item in enumerate(items):
        if item.order != index:
            item.order = index
            item.save(update_fields=["order"])


@transaction.atomic
def add_section(
    *, scorecard: Scorecard, title: str, commentary: str = "", commentary_internal: bool = False
) -> ScorecardSection:
    """Append a section; an internal commentary is never published. Side effects: one section row
    and its history row."""
    last = scorecard.sections.aggregate(last=Max("order"))["last"]
    return ScorecardSection.objects.create(
        scorecard=scorecard,
        title=title,
        commentary=commentary,
        commentary_internal=commentary_internal,
        order=0 if last is None else last + 1,
    )


@transaction.atomic
def move_section(*, section: ScorecardSection, step: int) -> None:
    """Swap SECTION with its neighbour (step -1 up, +1 down). Side effects: history rows of the moved sections."""
    items = list(section.scorecard.sections.select_for_update().order_by("order", "pk"))
    _move(items, section.pk, step)


@transaction.atomic
def move_entry(*, entry: ScorecardEntry, step: int) -> None:
    """Swap ENTRY with its neighbour in its section. Side effects: history rows of the moved entries."""
    items = list(entry.section.entries.select_for_update().order_by("order", "pk"))
    _move(items, entry.pk, step)


def _move(items: list, pk: int, step: int) -> None:
    index = next(position for position, item in enumerate(items) if item.pk == pk)
    target = index + step
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    _renumber(items)


@transaction.atomic
def add_entries(*, section: ScorecardSection, indicators: list[Indicator], signpost: bool = False) -> int:
    """Append INDICATORS not already in SECTION. Side effects: entry rows and their history rows.
    Returns how many were added. Two people adding to the same section at once take turns (the
    section row is locked), so the second sees the first's entries and never adds one twice."""
    ScorecardSection.objects.select_for_update().filter(pk=section.pk).first()
    present = set(section.entries.values_list("indicator_id", flat=True))
    last = section.entries.aggregate(last=Max("order"))["last"]
    order = -1 if last is None else last
    added = 0
    for indicator in indicators:
        if indicator.pk in present:
            continue
        order += 1
        ScorecardEntry.objects.create(
            scorecard=section.scorecard, section=section, indicator=indicator, order=order, signpost=signpost
        )
        present.add(indicator.pk)
        added += 1
    return added


@transaction.atomic
def remove_section(*, section: ScorecardSection) -> None:
    """Delete SECTION and its entries. Side effects: deletion history rows for each; the others renumbered."""
    scorecard = section.scorecard
    for entry in section.entries.all():
        entry.delete()
    section.delete()
    _renumber(list(scorecard.sections.order_by("order", "pk")))


@transaction.atomic
def remove_entry(*, entry: ScorecardEntry) -> None:
    """Delete ENTRY. Side effects: its deletion history row; the rest of its section renumbered."""
    section = entry.section
    entry.delete()
    _renumber(list(section.entries.order_by("order", "pk")))


# Snapshots -------------------------------------------------------------------------------------


def snapshot_chosen(snapshot: Snapshot):
    """The active PIs SNAPSHOT selects, whoever looks (a queryset; one query for tags on a saved
    snapshot)."""
    selection = Q(pk__in=[])
    filters = Q()
    has_filter = False
    if snapshot.unit_filter_id:
        unit = snapshot.unit_filter
        filters &= Q(org_unit__tree_id=unit.tree_id, org_unit__lft__gte=unit.lft, org_unit__rght__lte=unit.rght)
        has_filter = True
    if snapshot.person_filter_id:
        filters &= Q(owner_id=snapshot.person_filter_id) | Q(updater_id=snapshot.person_filter_id)
        has_filter = True
    if snapshot.pk:
        tag_ids = list(snapshot.tags.values_list("pk", flat=True))
        if tag_ids:
            filters &= Q(tags__in=tag_ids)
            has_filter = True
        selection |= Q(pk__in=snapshot.indicators.values("pk"))
    if has_filter:
        selection |= filters
    return Indicator.objects.filter(selection, active=True)


def snapshot_indicators(snapshot: Snapshot, user) -> tuple[list[Indicator], int]:
    """The active PIs SNAPSHOT selects that USER may see, in code order, and how many more it
    selects that USER may not see. Two queries (three with tags or a list on a saved snapshot)."""
    chosen = snapshot_chosen(snapshot)
    seen = list(
        Indicator.objects.visible_to(user)
        .filter(pk__in=chosen.values("pk"))
        .select_related("org_unit")
        .only(*ROW_FIELDS, "org_unit__name")
        .order_by("code")
    )
    total = chosen.values("pk").distinct().count()
    return seen, total - len(seen)


SNAPSHOT_ACTIONS_SHOWN = 200


def snapshot_actions(snapshot: Snapshot, user) -> tuple[list[PlanItem], int]:
    """The open and recent plan actions of the snapshot's unit subtree and/or person that USER may
    see, overdue and check-progress first, then by due date; at most SNAPSHOT_ACTIONS_SHOWN of them,
    with how many there are in all. Tags and explicit PI lists select PIs only. Two queries."""
    if not snapshot.include_actions or not (snapshot.unit_filter_id or snapshot.person_filter_id):
        return [], 0
    actions = PlanItem.objects.visible_to(user).actions().active()
    if snapshot.unit_filter_id:
        actions = actions.in_unit(snapshot.unit_filter)
    if snapshot.person_filter_id:
        actions = actions.for_person(snapshot.person_filter)
    severity = Case(
        *(When(status=status, then=Value(rank)) for status, rank in plan_rules.SEVERITY.items()),
        default=Value(0),
    )
    shown = list(
        actions.select_related("assigned_to")
        .annotate(severity=severity)
        .order_by("-severity", F("due_date").asc(nulls_last=True), "code")[:SNAPSHOT_ACTIONS_SHOWN]
    )
    total = len(shown) if len(shown) < SNAPSHOT_ACTIONS_SHOWN else actions.count()
    return shown, total


def my_snapshot(user) -> Snapshot:
    """Every person's default snapshot: the PIs they manage or update (not saved)."""
    return Snapshot(name="My snapshot", owner=user, org_unit_id=user.org_unit_id, person_filter=user)
