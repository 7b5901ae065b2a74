"""Writes of the monthly cycle: the daily job, notifications, escalations and chases.

`run_daily` is what beat runs every morning: under a lease (one runner at a time), it raises the
notifications of every day since the last finished run, in order and each once, then sends the
day's digests (`cycle.digests`). Every notification has a unique key, so a day done twice, or a
retry, raises nothing new.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from cycle import chase, digests, rules
from cycle.calendar import Calendars
from cycle.locks import lease
from cycle.models import Chase, DailyRun, Digest, DigestPreference, Kind, Notification
from pmf import periods
from pmf.models import OrgUnit, User
from pmf.registry import CHASE_SOURCES

log = logging.getLogger(__name__)

DAILY_LEASE = "cycle-daily"
# A job that has not run for longer than this catches up only this many days (the reminders of
# older days would be stale).
MAX_CATCH_UP_DAYS = 31
BATCH = 5000


@dataclass
class DailyOutcome:
    days: list[datetime.date] = field(default_factory=list)
    notifications: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def run_daily(*, today: datetime.date | None = None) -> DailyOutcome | None:
    """Do the cycle's work for every day from the one after the last finished run up to TODAY
    (at most MAX_CATCH_UP_DAYS), in order, then send the digests. Returns None, doing nothing,
    when another runner holds the lease.

    Side effects: a DailyRun row per day done; Notification rows (each at most once, by key);
    Digest rows and e-mails (see cycle.digests.send_due)."""
    today = today or timezone.localdate()
    with lease(DAILY_LEASE) as held:
        if not held.acquired:
            log.info("The daily cycle job is already running elsewhere; this run stops.")
            return None
        outcome = DailyOutcome()
        last = DailyRun.objects.filter(finished_at__isnull=False).aggregate(last=Max("day"))["last"]
        first = today if last is None else last + datetime.timedelta(days=1)
        first = max(first, today - datetime.timedelta(days=MAX_CATCH_UP_DAYS - 1))
        day = first
        while day <= today:
            outcome.notifications += raise_day(day)
            outcome.days.append(day)
            held.renew()
            day += datetime.timedelta(days=1)
        sent = digests.send_due(today=today, renew=held.renew)
        outcome.sent, outcome.failed, outcome.skipped = sent.sent, sent.failed, sent.skipped
        return outcome


@transaction.atomic
def raise_day(day: datetime.date) -> int:
    """Raise the notifications due on DAY (once: a day with a finished run is skipped) and return
    how many were new. Side effects: Notification rows, the day's DailyRun row."""
    run, created = DailyRun.objects.get_or_create(day=day, defaults={"started_at": timezone.now()})
    if not created and run.finished_at is not None:
        return 0
    before = Notification.objects.count()
    notifications = _due_notifications(day)
    for start in range(0, len(notifications), BATCH):
        Notification.objects.bulk_create(notifications[start : start + BATCH], ignore_conflicts=True)
    run.notifications = Notification.objects.count() - before
    run.finished_at = timezone.now()
    run.save(update_fields=["notifications", "finished_at"])
    return run.notifications


def _due_notifications(day: datetime.date) -> list[Notification]:
    month = chase.reporting_month(day)
    calendars = Calendars.load()
    missing = chase.missing_values(month)
    reds = chase.reds_without_commentary(month)
    approvals = chase.awaiting_approval(month)
    longest_lead = max(max(d.action_due_soon_days, d.reminder_lead_days) for d in calendars.every())
    actions = chase.actions_due(day, longest_lead)
    stale = chase.stale_actions(day, min(d.action_stale_days for d in calendars.every()))
    sources = chase.source_items(day, longest_lead)
    every = [*missing, *reds, *approvals, *actions, *stale, *(item for items in sources.values() for item in items)]
    calendars.know({item.unit_id for item in every})
    holding = _weekly_holders(day)
    optional_kinds = {Kind.ACTION_DUE, Kind.ACTION_STALE} | {s.kind for s in CHASE_SOURCES if s.optional}
    made: list[Notification] = []

    def add(kind: str, recipient: int, key: str, title: str, item=None, **extra) -> None:
        made.append(
            Notification(
                recipient_id=recipient,
                kind=kind,
                key=key[:255],
                title=title[:300],
                url=item.url if item else extra.pop("url", ""),
                model=item.model if item else "",
                object_id=item.object_id if item else None,
                period=item.period if item else extra.pop("period", None),
                due=extra.pop("due", None),
                day=day,
                weekly=kind in optional_kinds and recipient in holding,
                **extra,
            )
        )

    for item in missing:
        days = calendars.for_unit_id(item.unit_id)
        due = days.deadline(month)
        stage = rules.reminder_stage(today=day, due=due, lead_days=days.reminder_lead_days)
        if stage == rules.DUE_SOON:
            title = f"Enter {item.code} {item.title} for {item.period_label}: due {due:%a %-d %b}"
            add(
                Kind.VALUES_DUE,
                item.person_id,
                f"values_due:{item.person_id}:{item.object_id}:{item.period}",
                title,
                item,
                due=due,
            )
        elif stage == rules.OVERDUE:
            title = f"{item.code} {item.title} for {item.period_label} was due on {due:%a %-d %b}"
            add(
                Kind.VALUES_OVERDUE,
                item.person_id,
                f"values_overdue:{item.person_id}:{item.object_id}:{item.period}",
                title,
                item,
                due=due,
            )
    for item in reds:
        days = calendars.for_unit_id(item.unit_id)
        due = days.date(month, rules.APPROVALS_DUE)
        if rules.reminder_stage(today=day, due=due, lead_days=days.reminder_lead_days) is not None:
            title = f"{item.code} {item.title} is red for {item.period_label}: add the cause, action and recovery date"
            add(
                Kind.RED_COMMENTARY,
                item.person_id,
                f"red:{item.person_id}:{item.object_id}:{item.period}",
                title,
                item,
                due=due,
            )
    for item in approvals:
        days = calendars.for_unit_id(item.unit_id)
        due = days.date(month, rules.APPROVALS_DUE)
        stage = rules.reminder_stage(today=day, due=due, lead_days=days.reminder_lead_days)
        if stage is not None:
            late = "was due" if stage == rules.OVERDUE else "due"
            title = f"Approve {item.code} {item.title} for {item.period_label}: {late} {due:%a %-d %b}"
            add(
                Kind.APPROVAL_DUE,
                item.person_id,
                f"approval_{stage}:{item.person_id}:{item.object_id}:{item.period}",
                title,
                item,
                due=due,
            )
    for item in actions:
        days = calendars.for_unit_id(item.unit_id)
        if item.overdue:
            title = f"Action {item.code} {item.title} is overdue (due {item.due:%-d %b %Y})"
            add(
                Kind.ACTION_DUE,
                item.person_id,
                f"action_overdue:{item.person_id}:{item.object_id}:{item.due}",
                title,
                item,
                due=item.due,
            )
        elif item.due is not None and (item.due - day).days <= days.action_due_soon_days:
            title = f"Action {item.code} {item.title} is due on {item.due:%a %-d %b %Y}"
            add(
                Kind.ACTION_DUE,
                item.person_id,
                f"action_due:{item.person_id}:{item.object_id}:{item.due}",
                title,
                item,
                due=item.due,
            )
    for item in stale:
        days = calendars.for_unit_id(item.unit_id)
        if (day - item.due).days > days.action_stale_days:
            title = f"Action {item.code} {item.title} has had no progress update since {item.due:%-d %b %Y}"
            add(
                Kind.ACTION_STALE,
                item.person_id,
                f"action_stale:{item.person_id}:{item.object_id}:{item.due}",
                title,
                item,
            )
    labels = {source.kind: source.label for source in CHASE_SOURCES}
    for kind, items in sources.items():
        for item in items:
            days = calendars.for_unit_id(item.unit_id)
            stage = rules.reminder_stage(today=day, due=item.due, lead_days=days.reminder_lead_days)
            if stage is None:
                continue
            late = "overdue since" if stage == rules.OVERDUE else "due"
            title = f"{labels[kind]}: {item.title}, {late} {item.due:%-d %b %Y}"
            key = f"{kind}_{stage}:{item.person_id}:{item.model}:{item.object_id}:{item.due}"
            add(kind, item.person_id, key, title, item, due=item.due)
    made.extend(_escalations(day, month, calendars, missing, reds))
    return made


def _weekly_holders(day: datetime.date) -> set[int]:
    """People whose optional reminders of DAY wait for their weekly digest."""
    return set(
        DigestPreference.objects.filter(frequency=DigestPreference.Frequency.WEEKLY)
        .exclude(weekday=day.weekday())
        .values_list("user_id", flat=True)
    )


@dataclass
class _Behind:
    missing: int = 0
    red: int = 0
    manager_due: bool = False
    director_due: bool = False

    def describe(self) -> str:
        parts = []
        if self.missing:
            parts.append(f"{self.missing} value{'s' if self.missing != 1 else ''} missing")
        if self.red:
            parts.append(f"{self.red} red{'s' if self.red != 1 else ''} without commentary")
        return ", ".join(parts)


def _escalations(day, month, calendars: Calendars, missing, reds) -> list[Notification]:
    """Line managers hear N days after the values deadline who in their team is still behind on
    MONTH, and the director and the performance team M days after it. A person with no line
    manager is reported to the performance team instead (never skipped)."""
    behind: dict[int, _Behind] = defaultdict(_Behind)
    for items, attr in ((missing, "missing"), (reds, "red")):
        for item in items:
            days = calendars.for_unit_id(item.unit_id)
            to_manager, to_director = rules.escalations(
                today=day,
                due=days.deadline(month),
                manager_after=days.escalate_manager_after,
                director_after=days.escalate_director_after,
            )
            entry = behind[item.person_id]
            setattr(entry, attr, getattr(entry, attr) + 1)
            entry.manager_due |= to_manager
            entry.director_due |= to_director
    due = {person: entry for person, entry in behind.items() if entry.manager_due}
    if not due:
        return []
    people = {
        person.pk: person for person in User.objects.filter(pk__in=due).select_related("org_unit", "line_manager")
    }
    team = PerformanceTeam()
    made = []
    label = periods.month_label(month)
    for person_id, entry in due.items():
        person = people.get(person_id)
        if person is None:
            continue
        url = reverse("cycle-behind-person", kwargs={"pk": person.pk})
        what = f"{person.name} is behind on {label}: {entry.describe()}"
        manager = person.line_manager if person.line_manager and person.line_manager.is_active else None
        if manager is not None:
            recipients = [(manager.pk, what)]
        else:
            note = f"{what} ({person.name} has no line manager, so this comes to the performance team)"
            recipients = [(pk, note) for pk in team.for_person(person)]
        for recipient, title in recipients:
            made.append(
                Notification(
                    recipient_id=recipient,
                    kind=Kind.ESCALATION_MANAGER,
                    key=f"escalation_manager:{recipient}:{person.pk}:{month}",
                    title=title[:300],
                    url=url,
                    subject_id=person.pk,
                    period=month,
                    day=day,
                )
            )
        if entry.director_due:
            for recipient in team.directors_of(person) | set(team.for_person(person)):
                made.append(
                    Notification(
                        recipient_id=recipient,
                        kind=Kind.ESCALATION_DIRECTOR,
                        key=f"escalation_director:{recipient}:{person.pk}:{month}",
                        title=f"Still behind: {what}"[:300],
                        url=url,
                        subject_id=person.pk,
                        period=month,
                        day=day,
                    )
                )
    return made


class PerformanceTeam:
    """The admins (the performance team) and directors who hear about people behind. Loaded in
    two queries whatever the number of people."""

    def __init__(self):
        admins = User.objects.filter(is_active=True).filter(Q(role=User.Role.ADMIN) | Q(is_superuser=True))
        self._admins = list(admins.values_list("pk", "org_unit__tree_id"))
        directorates = OrgUnit.objects.filter(kind=OrgUnit.Kind.DIRECTORATE).values_list("pk", "tree_id", "lft", "rght")
        self._directorates = list(directorates)
        directors = User.objects.filter(
            is_active=True, role=User.Role.MANAGER, org_unit__kind=OrgUnit.Kind.DIRECTORATE
        ).values_list("pk", "org_unit_id")
        self._directors = defaultdict(set)
        for pk, unit_id in directors:
            self._directors[unit_id].add(pk)

    def for_person(self, person) -> list[int]:
        """The admins of PERSON's organisation tree, else every admin."""
        tree = person.org_unit.tree_id if person.org_unit_id else None
        same_tree = [pk for pk, admin_tree in self._admins if admin_tree == tree and tree is not None]
        return same_tree or [pk for pk, _ in self._admins]

    def directors_of(self, person) -> set[int]:
        """The managers of the directorate PERSON's unit sits in (none outside a directorate)."""
        if not person.org_unit_id:
            return set()
        unit = person.org_unit
        for pk, tree, lft, rght in self._directorates:
            if tree == unit.tree_id and lft <= unit.lft and unit.rght <= rght:
                return set(self._directors[pk])
        return set()


class AlreadyChased(ValueError):
    """The person was chased today already; the message says when and by whom."""


class NothingToChase(ValueError):
    """The person is not behind on anything."""


def chase_now(*, person: User, by: User, unit=None, today: datetime.date | None = None) -> Chase:
    """Send PERSON one reminder now listing everything they are behind on (in UNIT's subtree when
    given): at most once a day per person, whoever asks.

    Raises AlreadyChased or NothingToChase. Side effects: a Chase row (the log), a Notification of
    kind chase, a Digest of kind chase whose e-mail is sent by a task once this commits."""
    from cycle.tasks import send_digest

    today = today or timezone.localdate()
    earlier = Chase.objects.filter(person=person, day=today).select_related("chased_by").first()
    if earlier is not None:
        raise AlreadyChased(_already(person, earlier))
    items = chase.person_items(person, chase.reporting_month(today), today, unit=unit)
    count = sum(len(found) for found in items.values())
    if not count:
        raise NothingToChase(f"{person.name} is not behind on anything.")
    try:
        with transaction.atomic():
            record = Chase.objects.create(person=person, chased_by=by, day=today, items=count)
            digest = Digest.objects.create(recipient=person, day=today, kind=Digest.Kind.CHASE)
            Notification.objects.create(
                recipient=person,
                kind=Kind.CHASE,
                key=f"chase:{person.pk}:{today}",
                title=f"{by.name} asks you to catch up on {count} item{'s' if count != 1 else ''}",
                url=reverse("home"),
                subject=by,
                day=today,
                digest=digest,
            )
    except IntegrityError:
        earlier = Chase.objects.filter(person=person, day=today).select_related("chased_by").first()
        raise AlreadyChased(_already(person, earlier)) from None
    transaction.on_commit(lambda: send_digest.delay(digest_id=digest.pk))
    return record


def _already(person, earlier: Chase | None) -> str:
    if earlier is None:
        return f"{person.name} was already chased today."
    who = earlier.chased_by.name if earlier.chased_by else "someone"
    return f"{person.name} was already chased today, at {timezone.localtime(earlier.at):%H:%M} by {who}."


def mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark USER's notifications IDS (all unread ones when None) as read; returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
