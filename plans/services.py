"""Writes on the plan tree. Every service is atomic; derived values (progress from milestones or
children, status, attention flag) are refreshed here and nowhere else.

Derived values on ancestors are written with QuerySet.update: they are recomputed from their
children, so they carry no audit row of their own and do not bump the optimistic-lock version
(a manager editing an objective is not refused because one of its actions moved on).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from plans import status as rules
from plans.models import Milestone, PlanItem, PlanSettings, ProgressUpdate
from pmf.locking import EditConflict

DERIVED_FIELDS = ("progress", "status", "attention")
# Objectives fed by their supporters may need another pass; support chains are short.
MAX_PASSES = 5


def today() -> datetime.date:
    return timezone.localdate()


@dataclass(frozen=True)
class Derived:
    progress: int
    status: str
    attention: str


def _derive(
    item: PlanItem,
    *,
    milestones: list[tuple[int, bool]],
    children: list[tuple[int, int, str, str]],
    supporters: list[tuple[int, int, str, str]] = (),
    on: datetime.date,
    tolerance: int,
) -> Derived:
    """Progress, status and attention flag of ITEM from its milestones and active children.

    Milestones and children are weighted parts of the same whole (a promoted milestone becomes a
    child with the same weight), so an item with either takes its progress from them. An
    objective, plan or strategy with neither takes it from the items in other plans that support
    it (the golden thread: a corporate objective moves as the plans serving it move). Anything
    else keeps its own progress (an action's latest update)."""
    parts = [(100 if done else 0, weight, "") for weight, done in milestones]
    parts += [(progress, weight, status) for progress, weight, status, _ in children]
    below = list(children)
    if not parts and item.kind != PlanItem.Kind.ACTION and supporters:
        parts = [(progress, weight, status) for progress, weight, status, _ in supporters]
        below = list(supporters)
    rolled = rules.rolled_up_progress(parts)
    progress = item.progress if rolled is None else rolled
    status = rules.action_status(
        progress=progress,
        start=item.start_date,
        due=item.due_date,
        completed=item.completed_date,
        cancelled=item.cancelled_date,
        started=item.actual_start is not None,
        today=on,
        tolerance=tolerance,
    )
    attention = rules.attention_flag([s for _, _, s, _ in below] + [a for *_, a in below])
    return Derived(progress, status, attention)


PART_FIELDS = ("progress", "weight", "status", "attention")


def progress_is_derived(item: PlanItem) -> bool:
    """Whether ITEM's progress comes from its milestones or active sub-items, so a progress update
    records a note and status but not a figure of its own."""
    return item.milestones.exists() or PlanItem.objects.filter(parent_id=item.pk, active=True).exists()


def _parts_of(item: PlanItem) -> tuple[list, list, list]:
    if not item.pk:
        return [], [], []
    milestones = [(m.weight, m.completed_on is not None) for m in item.milestones.all()]
    children = list(PlanItem.objects.filter(parent_id=item.pk, active=True).values_list(*PART_FIELDS))
    supporters = []
    if not milestones and not children and item.kind != PlanItem.Kind.ACTION:
        supporters = list(item.supported_by.filter(active=True).values_list(*PART_FIELDS))
    return milestones, children, supporters


def _apply_derived(item: PlanItem, *, on: datetime.date, tolerance: int) -> bool:
    milestones, children, supporters = _parts_of(item)
    derived = _derive(item, milestones=milestones, children=children, supporters=supporters, on=on, tolerance=tolerance)
    changed = False
    for name in DERIVED_FIELDS:
        if getattr(item, name) != getattr(derived, name):
            setattr(item, name, getattr(derived, name))
            changed = True
    return changed


def refresh_chain(
    *, item: PlanItem | None, on: datetime.date | None = None, tolerance: int | None = None, _seen: set | None = None
) -> None:
    """Recompute the derived values of ITEM and its ancestors, then of the objectives they
    support (and their ancestors), since those take their progress from their supporters.

    Side effects: UPDATE of progress/status/attention on each of those items whose values change
    (no audit rows: the values are derived)."""
    if item is None:
        return
    on = on or today()
    tolerance = PlanSettings.load().check_progress_tolerance if tolerance is None else tolerance
    seen = set() if _seen is None else _seen
    item.refresh_from_db()
    chain = [item, *reversed(list(item.get_ancestors()))]
    for node in chain:
        seen.add(node.pk)
        if _apply_derived(node, on=on, tolerance=tolerance):
            PlanItem.objects.filter(pk=node.pk).update(**{name: getattr(node, name) for name in DERIVED_FIELDS})
    supported = (
        PlanItem.objects.filter(supported_by__in=[node.pk for node in chain], active=True)
        .exclude(kind=PlanItem.Kind.ACTION)
        .exclude(pk__in=seen)
        .distinct()
    )
    for target in supported:
        if target.pk not in seen:
            refresh_chain(item=target, on=on, tolerance=tolerance, _seen=seen)


def _claim_version(item: PlanItem, expected_version: int | None) -> None:
    """Bump ITEM's version if it still is EXPECTED_VERSION; refuse the save otherwise."""
    if expected_version is None:
        expected_version = item.version
    claimed = PlanItem.objects.filter(pk=item.pk, version=expected_version).update(version=F("version") + 1)
    if not claimed:
        current = PlanItem.objects.filter(pk=item.pk).values("version").first()
        raise EditConflict(
            f"{item.code} was changed by someone else after you opened it (version {expected_version}, "
            f"now {current['version'] if current else 'deleted'}). Reload the page to see their changes, "
            "then make yours again.",
            instance=item,
        )
    item.version = expected_version + 1


@transaction.atomic
def save_item(*, item: PlanItem, expected_version: int | None = None, supports=None) -> PlanItem:
    """Create ITEM or save the changes made to it.

    For an existing item, EXPECTED_VERSION is the version the editor loaded: if someone saved in
    between, EditConflict is raised and nothing is written. SUPPORTS (optional) replaces the
    objectives the item supports.
    Side effects: one history row for ITEM; version bumped; derived values of ITEM, its ancestors
    and the objectives it supports (or stopped supporting) refreshed, and of the old parent's
    chain when the parent changed."""
    item.full_clean(exclude=["version"])
    if item.parent_id:
        # MPTT places the node from the parent's tree numbers, which other saves may have shifted.
        item.parent.refresh_from_db(fields=["lft", "rght", "tree_id", "level"])
    old_parent_id = None
    if item.pk:
        old_parent_id = PlanItem.objects.filter(pk=item.pk).values_list("parent_id", flat=True).first()
        _claim_version(item, expected_version)
    item.save()
    dropped = []
    if supports is not None:
        dropped = list(item.supports.exclude(pk__in=[other.pk for other in supports]))
        item.supports.set(supports)
    if old_parent_id and old_parent_id != item.parent_id:
        refresh_chain(item=PlanItem.objects.get(pk=old_parent_id))
    refresh_chain(item=item)
    for objective in dropped:
        refresh_chain(item=objective)
    return item


@transaction.atomic
def move_item(*, item: PlanItem, new_parent: PlanItem | None, expected_version: int | None = None) -> PlanItem:
    """Move ITEM and its whole subtree under NEW_PARENT. Codes and history are kept.

    Refused with a message on the parent field when NEW_PARENT is ITEM itself or below it.
    Side effects: MPTT numbers of the subtree rewritten; one history row for ITEM; derived values
    of the old and the new chain refreshed."""
    if new_parent is not None and (new_parent.pk == item.pk or new_parent.is_descendant_of(item)):
        raise ValidationError(
            {
                "parent": f"{item.code} cannot move under itself or one of its own items "
                f"({new_parent.code}); that would make a loop."
            }
        )
    item.parent = new_parent
    return save_item(item=item, expected_version=expected_version)


@transaction.atomic
def set_archived(*, item: PlanItem, archived: bool, expected_version: int | None = None) -> int:
    """Archive (or restore) ITEM and everything below it. Returns how many items changed.

    Side effects: a history row for every item whose active flag changes; ITEM's version bumped;
    derived values of its chain and of the objectives it supports refreshed (archived items drop
    out of roll-ups; what items deeper in the subtree support is caught by the daily refresh)."""
    _claim_version(item, expected_version)
    subtree = list(PlanItem.objects.under(item).filter(active=archived))
    for node in subtree:
        node.active = not archived
    if subtree:
        bulk_update_with_history(subtree, PlanItem, ["active"])
    refresh_chain(item=item)
    return len(subtree)


@transaction.atomic
def post_progress(
    *, action: PlanItem, author, progress: int, outcome: str, note: str, on: datetime.date | None = None
) -> ProgressUpdate:
    """Record a progress update on ACTION.

    OUTCOME is rules.IN_PROGRESS (still working), rules.COMPLETED or rules.CANCELLED. With
    milestones or sub-actions the action's progress comes from them and PROGRESS is only recorded
    on the update when it has neither.
    Side effects: ProgressUpdate created (with history); the action's progress, actual start,
    completed/cancelled dates saved with one history row and its version bumped; derived values
    of the action and its ancestors refreshed."""
    on = on or today()
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": f"Progress must be between 0 and 100 (you gave {progress})."})
    milestones, children, _ = _parts_of(action)
    derived_elsewhere = bool(milestones or children)
    action.refresh_from_db()
    if not derived_elsewhere:
        action.progress = 100 if outcome == rules.COMPLETED else progress
    action.completed_date = on if outcome == rules.COMPLETED else None
    action.cancelled_date = on if outcome == rules.CANCELLED else None
    if action.actual_start is None and (progress > 0 or outcome == rules.COMPLETED):
        action.actual_start = on
    if action.completed_date and action.actual_start and action.completed_date < action.actual_start:
        action.actual_start = action.completed_date
    _claim_version(action, action.version)
    action.save()
    refresh_chain(item=action, on=on)
    action.refresh_from_db()
    return ProgressUpdate.objects.create(
        action=action, author=author, date=on, progress=action.progress, status=action.status, note=note
    )


@transaction.atomic
def add_milestone(
    *,
    action: PlanItem,
    title: str,
    due_date: datetime.date | None,
    weight: int,
    completed_on: datetime.date | None = None,
) -> Milestone:
    """Add a milestone to ACTION. Side effects: history row; the action's progress now comes
    from its milestones; derived values of the chain refreshed."""
    milestone = Milestone(action=action, title=title, due_date=due_date, weight=weight, completed_on=completed_on)
    milestone.full_clean()
    milestone.save()
    refresh_chain(item=action)
    return milestone


@transaction.atomic
def complete_milestones(*, action: PlanItem, milestones: list[Milestone], on: datetime.date | None = None) -> int:
    """Mark MILESTONES (of ACTION) completed ON. Returns how many changed.
    Side effects: a history row per milestone; derived values of the chain refreshed."""
    on = on or today()
    changed = [m for m in milestones if m.action_id == action.pk and m.completed_on is None]
    for milestone in changed:
        milestone.completed_on = on
    if changed:
        bulk_update_with_history(changed, Milestone, ["completed_on"])
    refresh_chain(item=action, on=on)
    return len(changed)


@transaction.atomic
def delete_milestones(*, action: PlanItem, milestones: list[Milestone]) -> int:
    """Delete MILESTONES of ACTION. Returns how many were deleted.
    Side effects: a deletion history row per milestone; derived values of the chain refreshed."""
    count = 0
    for milestone in milestones:
        if milestone.action_id == action.pk:
            milestone.delete()
            count += 1
    refresh_chain(item=action)
    return count


def next_child_code(parent: PlanItem) -> str:
    taken = set(PlanItem.objects.filter(code__startswith=f"{parent.code}.").values_list("code", flat=True))
    number = parent.get_children().count() + 1
    while f"{parent.code}.{number}" in taken:
        number += 1
    return f"{parent.code}.{number}"


@transaction.atomic
def promote_milestone(*, milestone: Milestone) -> PlanItem:
    """Turn MILESTONE into a sub-action of its action, with the same title, due date and weight.

    Side effects: a new PlanItem (history row) coded "<action code>.<n>", assigned like its
    action and complete if the milestone was; the milestone deleted (history row); derived values
    of the chain refreshed (the weight now counts through the sub-action)."""
    action = milestone.action
    sub_action = PlanItem(
        kind=PlanItem.Kind.ACTION,
        parent=action,
        code=next_child_code(action),
        title=milestone.title,
        org_unit=action.org_unit,
        managed_by=action.managed_by,
        assigned_to=action.assigned_to,
        planned_start=action.planned_start
        if action.planned_start and milestone.due_date and action.planned_start <= milestone.due_date
        else None,
        due_date=milestone.due_date,
        weight=milestone.weight,
        priority=action.priority,
        completed_date=milestone.completed_on,
        progress=100 if milestone.completed_on else 0,
    )
    sub_action.full_clean(exclude=["version"])
    sub_action.save()
    milestone.delete()
    refresh_chain(item=sub_action)
    return sub_action


def refresh_statuses(*, on: datetime.date | None = None) -> int:
    """Recompute progress, status and attention of every active plan item as of ON (daily job).

    Idempotent: running it twice on the same day changes nothing the second time. Works bottom-up
    over the tree in memory (four queries to read), repeating while objectives fed by their
    supporters still change (at most MAX_PASSES), then writes only the rows that changed.
    Side effects: UPDATE of progress/status/attention on changed rows (no audit rows: derived)."""
    on = on or today()
    tolerance = PlanSettings.load().check_progress_tolerance
    milestones_of = defaultdict(list)
    for action_id, weight, completed_on in Milestone.objects.filter(action__active=True).values_list(
        "action_id", "weight", "completed_on"
    ):
        milestones_of[action_id].append((weight, completed_on is not None))
    items = list(
        PlanItem.objects.filter(active=True)
        .only(
            "id",
            "kind",
            "parent_id",
            "level",
            "progress",
            "weight",
            "status",
            "attention",
            "planned_start",
            "actual_start",
            "due_date",
            "completed_date",
            "cancelled_date",
        )
        .order_by("-level")
    )
    by_id = {item.pk: item for item in items}
    supporters_of = defaultdict(list)
    for source_id, target_id in PlanItem.supports.through.objects.values_list("from_planitem_id", "to_planitem_id"):
        if source_id in by_id:
            supporters_of[target_id].append(by_id[source_id])
    changed: dict[int, PlanItem] = {}
    for _ in range(MAX_PASSES):
        children_of = defaultdict(list)
        changed_this_pass = False
        for item in items:  # deepest first, so children are final before their parent
            supporters = [tuple(getattr(s, name) for name in PART_FIELDS) for s in supporters_of.get(item.pk, ())]
            derived = _derive(
                item,
                milestones=milestones_of.get(item.pk, []),
                children=children_of.get(item.pk, []),
                supporters=supporters,
                on=on,
                tolerance=tolerance,
            )
            if any(getattr(item, name) != getattr(derived, name) for name in DERIVED_FIELDS):
                for name in DERIVED_FIELDS:
                    setattr(item, name, getattr(derived, name))
                changed[item.pk] = item
                changed_this_pass = True
            if item.parent_id:
                children_of[item.parent_id].append(tuple(getattr(item, name) for name in PART_FIELDS))
        if not changed_this_pass:
            break
    with transaction.atomic():
        PlanItem.objects.bulk_update(list(changed.values()), DERIVED_FIELDS, batch_size=500)
    return len(changed)
