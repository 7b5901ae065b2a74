"""Writes on 1-2-1 meetings and appraisals. Every service is atomic and checks, before it writes
anything, that the meeting is still open (or the appraisal unsigned) and which side of the
meeting the writer is on: the person, or someone above them in the line."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from people.models import Appraisal, DevelopmentNeed, Meeting, MeetingItem, PersonalObjective
from plans import services as plan_services
from plans.models import PlanItem
from pmf.access import manages_in_line
from pmf.registry import PERSON_ITEMS, PersonItem

PERSON = "person"
MANAGER = "manager"
GONE_LABEL = "No longer theirs"


def today() -> datetime.date:
    return timezone.localdate()


def side_of(user, person) -> str | None:
    """PERSON when USER is the person, MANAGER when USER is above them in the line, None otherwise
    (an admin outside the line reads but does not write)."""
    if user.pk == person.pk:
        return PERSON
    return MANAGER if manages_in_line(user, person) else None


def _require_side(user, person, wanted: tuple[str, ...] = (PERSON, MANAGER)) -> str:
    side = side_of(user, person)
    if side not in wanted:
        if wanted == (MANAGER,):
            raise PermissionDenied(f"Only someone above {person} in the line can do this.")
        raise PermissionDenied(f"Only {person} and the people above them in the line write here.")
    return side


# Gathering --------------------------------------------------------------------------------------


@dataclass
class Section:
    key: str
    label: str
    items: list = field(default_factory=list)


def gather(person) -> list[Section]:
    """Everything PERSON owns or updates, one section per registered source (PERSON_ITEMS), each
    in a fixed number of queries."""
    return [Section(source.key, source.label, list(source.items(person))) for source in PERSON_ITEMS]


# 1-2-1 meetings --------------------------------------------------------------------------------


def _locked(meeting: Meeting) -> Meeting:
    """MEETING as it is now in the database, locked until the end of the transaction (so a
    completion and a save cannot cross)."""
    return Meeting.objects.select_for_update(of=("self",)).select_related("person").get(pk=meeting.pk)


def _require_open(meeting: Meeting) -> None:
    if meeting.is_completed:
        raise ValidationError(
            f"This 1-2-1 was completed on {meeting.completed_at:%d %b %Y}: what it recorded is frozen "
            "and nothing can be changed. Start a new 1-2-1 instead."
        )


@transaction.atomic
def start_meeting(*, manager, person, held_on: datetime.date) -> Meeting:
    """Open a 1-2-1 between MANAGER and PERSON (below them in the line) on HELD_ON.

    Refused (on the person field) when PERSON is not below MANAGER in the line or already has an
    open 1-2-1. Side effects: a Meeting and its history row."""
    if person is None or not manages_in_line(manager, person):
        raise ValidationError({"person": "Choose someone who reports to you, directly or further down your line."})
    current = Meeting.objects.filter(person=person, status=Meeting.Status.OPEN).first()
    if current is not None:
        raise ValidationError(
            {"person": f"{person} already has an open 1-2-1 (from {current.held_on:%d %b %Y}): complete it first."}
        )
    if held_on > today() + datetime.timedelta(days=366):
        raise ValidationError({"held_on": "The meeting date must be within the next year."})
    return Meeting.objects.create(person=person, manager=manager, held_on=held_on)


@transaction.atomic
def save_meeting(
    *,
    meeting: Meeting,
    user,
    notes: str,
    comments: Mapping[tuple[str, int], str],
    next_meeting: datetime.date | None = None,
) -> int:
    """Save what USER wrote in the open MEETING: their general NOTES and their COMMENTS per item
    ({(kind, object id): text}); someone above the person in the line also sets NEXT_MEETING
    (today or later). Returns how many item comments changed.

    Refused when the meeting is completed or NEXT_MEETING is in the past; PermissionDenied for
    anyone not on either side. Side effects: the meeting saved with a history row; MeetingItem rows
    created or updated for the comments, with their history rows (nothing is written when anything
    is refused)."""
    side = _require_side(user, meeting.person)
    meeting = _locked(meeting)
    _require_open(meeting)
    if side == MANAGER and next_meeting is not None and next_meeting < today():
        raise ValidationError({"next_meeting": f"The next meeting cannot be in the past ({next_meeting:%d %b %Y})."})
    comment_field = "manager_comment" if side == MANAGER else "person_comment"
    existing = {row.key: row for row in meeting.items.all()}
    new_rows, changed_rows = [], []
    for key, text in comments.items():
        text = text.strip()
        row = existing.get(key)
        if row is None:
            if text:
                new_rows.append(MeetingItem(meeting=meeting, kind=key[0], object_id=key[1], **{comment_field: text}))
        elif getattr(row, comment_field) != text:
            setattr(row, comment_field, text)
            changed_rows.append(row)
    if new_rows:
        bulk_create_with_history(new_rows, MeetingItem)
    if changed_rows:
        bulk_update_with_history(changed_rows, MeetingItem, [comment_field])
    if side == MANAGER:
        meeting.manager_notes = notes.strip()
        meeting.next_meeting = next_meeting
    else:
        meeting.person_notes = notes.strip()
    meeting.save()
    return len(new_rows) + len(changed_rows)


@transaction.atomic
def add_agreed_action(*, meeting: Meeting, user, objective: PlanItem, title: str, due_date: datetime.date) -> PlanItem:
    """Create the plan action agreed in MEETING: TITLE under OBJECTIVE, assigned to the person,
    managed by USER (above them in the line), in the person's unit, due on DUE_DATE (today or
    later), checked by the plans service like any other action.

    Side effects: a PlanItem (history row, derived values of its chain refreshed by
    plans.services.save_item) linked to the meeting's agreed actions."""
    _require_side(user, meeting.person, (MANAGER,))
    meeting = _locked(meeting)
    _require_open(meeting)
    errors = {}
    if objective is None or objective.kind != PlanItem.Kind.OBJECTIVE or not objective.active:
        errors["objective"] = "Choose an active objective for the action to serve."
    if due_date is None or due_date < today():
        errors["due_date"] = "The due date must be today or later."
    if not title.strip():
        errors["title"] = "Say what was agreed."
    if meeting.person.org_unit_id is None:
        errors["title"] = f"{meeting.person} belongs to no organisation unit, so an action cannot be assigned to them."
    if errors:
        raise ValidationError(errors)
    action = PlanItem(
        kind=PlanItem.Kind.ACTION,
        parent=objective,
        code=plan_services.next_child_code(objective),
        title=title.strip(),
        description=f"Agreed at the 1-2-1 of {meeting.held_on:%d %b %Y}.",
        org_unit=meeting.person.org_unit,
        managed_by=user,
        assigned_to=meeting.person,
        planned_start=min(today(), due_date),
        due_date=due_date,
    )
    plan_services.save_item(item=action)
    meeting.agreed_actions.add(action)
    return action


FROZEN_FIELDS = ("code", "title", "status", "status_label", "tone", "facts", "attention", "position")


def _freeze(row: MeetingItem, item: PersonItem, position: int) -> MeetingItem:
    """Write ITEM's status and figures of today on ROW."""
    row.code, row.title = item.code[:60], item.title[:300]
    row.status, row.status_label, row.tone = item.status[:30], item.status_label[:60], item.tone
    row.facts, row.attention, row.position = [list(pair) for pair in item.facts], item.attention, position
    return row


@transaction.atomic
def complete_meeting(*, meeting: Meeting, user, sections: list[Section] | None = None) -> int:
    """Complete MEETING: freeze every item of the person (SECTIONS, gathered now when not given)
    with its status and figures as they are today, beside the comments written on it. An item
    commented on that is no longer the person's is kept, marked GONE_LABEL. Returns how many rows
    were frozen. Only someone above the person in the line completes a meeting.

    Side effects: a MeetingItem row inserted for each item nobody commented on and the commented
    rows updated (one bulk insert and one bulk update, each with its history rows, whatever the
    number of items); the meeting marked completed (completed_at, completed_by) with a history row."""
    _require_side(user, meeting.person, (MANAGER,))
    meeting = _locked(meeting)
    _require_open(meeting)
    sections = gather(meeting.person) if sections is None else sections
    commented = {row.key: row for row in meeting.items.all()}
    new_rows, updated, position = [], [], 0
    for section in sections:
        for item in section.items:
            row = commented.pop((item.kind, item.object_id), None)
            if row is None:
                new_rows.append(
                    _freeze(MeetingItem(meeting=meeting, kind=item.kind, object_id=item.object_id), item, position)
                )
            else:
                updated.append(_freeze(row, item, position))
            position += 1
    for row in commented.values():
        row.status, row.status_label, row.tone, row.position = "gone", GONE_LABEL, "grey", position
        updated.append(row)
        position += 1
    if new_rows:
        bulk_create_with_history(new_rows, MeetingItem, batch_size=1000)
    if updated:
        bulk_update_with_history(updated, MeetingItem, FROZEN_FIELDS, batch_size=1000)
    meeting.status = Meeting.Status.COMPLETED
    meeting.completed_at = timezone.now()
    meeting.completed_by = user
    meeting.save()
    return position


@dataclass
class Changes:
    """What changed between two completed meetings of one person."""

    new: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)  # (earlier row, later row)
    unchanged: int = 0

    @property
    def any(self) -> bool:
        return bool(self.new or self.removed or self.changed)


def changes_between(earlier: Meeting, later: Meeting) -> Changes:
    """Items new at LATER, gone since EARLIER, and those whose status changed. Two queries."""
    before = {row.key: row for row in earlier.items.exclude(status="gone")}
    after = {row.key: row for row in later.items.exclude(status="gone")}
    found = Changes()
    for key, row in after.items():
        old = before.get(key)
        if old is None:
            found.new.append(row)
        elif old.status != row.status:
            found.changed.append((old, row))
        else:
            found.unchanged += 1
    found.removed = [row for key, row in before.items() if key not in after]
    return found


# Appraisals ------------------------------------------------------------------------------------


def _require_unsigned(appraisal: Appraisal) -> None:
    if appraisal.any_signature:
        who, when = (
            (appraisal.person, appraisal.person_signed_at)
            if appraisal.person_signed_at
            else (appraisal.manager_signed_by or appraisal.manager, appraisal.manager_signed_at)
        )
        raise ValidationError(
            f"This appraisal was signed by {who} on {when:%d %b %Y}: its content can no longer be changed."
        )


@transaction.atomic
def start_appraisal(*, manager, person, year: int) -> Appraisal:
    """Open PERSON's appraisal for the financial year starting in YEAR, by MANAGER (above them in
    the line). Refused on the person field outside the line, on the year when one exists.
    Side effects: an Appraisal and its history row."""
    if person is None or not manages_in_line(manager, person):
        raise ValidationError({"person": "Choose someone who reports to you, directly or further down your line."})
    if Appraisal.objects.filter(person=person, year=year).exists():
        raise ValidationError({"year": f"{person} already has an appraisal for {year}/{(year + 1) % 100:02d}."})
    return Appraisal.objects.create(person=person, manager=manager, year=year)


@transaction.atomic
def save_appraisal(*, appraisal: Appraisal, user, comments: str, ratings: Mapping[int, int | None]) -> Appraisal:
    """Save USER's COMMENTS and, for someone above the person in the line, the RATINGS
    ({personal objective id: rating or None}). Refused once anyone has signed.
    Side effects: history rows for the appraisal and each objective whose rating changed."""
    side = _require_side(user, appraisal.person)
    appraisal = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
    _require_unsigned(appraisal)
    if side == MANAGER:
        appraisal.manager_comments = comments.strip()
        for objective in appraisal.objectives.filter(pk__in=list(ratings)):
            if objective.rating != ratings[objective.pk]:
                objective.rating = ratings[objective.pk]
                objective.save(update_fields=["rating"])
    else:
        appraisal.person_comments = comments.strip()
    appraisal.save()
    return appraisal


@transaction.atomic
def add_objective(*, appraisal: Appraisal, user, title: str, plan_item: PlanItem | None) -> PersonalObjective:
    """Add a personal objective serving PLAN_ITEM (an action or objective). Refused once anyone has
    signed. Side effects: a PersonalObjective and its history row."""
    _require_side(user, appraisal.person)
    _require_unsigned(Appraisal.objects.select_for_update().get(pk=appraisal.pk))
    errors = {}
    if plan_item is None or plan_item.kind not in (PlanItem.Kind.ACTION, PlanItem.Kind.OBJECTIVE):
        errors["plan_item"] = "Choose the plan action or objective this personal objective serves."
    if not title.strip():
        errors["title"] = "Say what the personal objective is."
    if errors:
        raise ValidationError(errors)
    return PersonalObjective.objects.create(appraisal=appraisal, title=title.strip(), plan_item=plan_item)


@transaction.atomic
def add_need(*, appraisal: Appraisal, user, need: str, support: str, by_date: datetime.date | None) -> DevelopmentNeed:
    """Add a training or development need to the personal development plan. Refused once anyone
    has signed, or with a date before the financial year starts. Side effects: a DevelopmentNeed
    and its history row."""
    _require_side(user, appraisal.person)
    _require_unsigned(Appraisal.objects.select_for_update().get(pk=appraisal.pk))
    if not need.strip():
        raise ValidationError({"need": "Say what the training or development need is."})
    if by_date is not None and by_date < datetime.date(appraisal.year, 4, 1):
        raise ValidationError({"by_date": f"The date must fall in or after {appraisal.year_label}."})
    return DevelopmentNeed.objects.create(
        appraisal=appraisal, need=need.strip(), support=support.strip(), by_date=by_date
    )


@transaction.atomic
def sign_appraisal(*, appraisal: Appraisal, user) -> Appraisal:
    """Sign APPRAISAL as the person or as someone above them in the line; once both have signed it
    is read-only. Refused without a personal objective or when USER's side has already signed.
    Side effects: the signature time saved with a history row."""
    side = _require_side(user, appraisal.person)
    appraisal = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
    if appraisal.is_signed:
        raise ValidationError("Both have signed this appraisal: it is read-only.")
    if not appraisal.objectives.exists():
        raise ValidationError("Add at least one personal objective before signing.")
    now = timezone.now()
    if side == PERSON:
        if appraisal.person_signed_at:
            raise ValidationError("You have already signed this appraisal.")
        appraisal.person_signed_at = now
    else:
        if appraisal.manager_signed_at:
            raise ValidationError("The appraiser's side has already signed this appraisal.")
        appraisal.manager_signed_at = now
        appraisal.manager_signed_by = user
    appraisal.save()
    return appraisal
