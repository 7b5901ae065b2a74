"""What the scrutiny pages show, read in a fixed number of queries whatever the number of rows."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from indicators.models import Indicator
from plans.models import PlanItem
from pmf.access import can_edit
from scrutiny import rules
from scrutiny.models import BoardMeeting, PerformanceClinic, Referral

CLINICS_SHOWN = 200
TIMETABLE_SHOWN = 8
PROGRAMME_SHOWN = 250


@dataclass
class ProgrammeRow:
    referral: Referral
    age: int
    band: str
    overdue: bool


@dataclass
class ProgrammeGroup:
    """The open referrals feeding one Board meeting (or none yet), by status."""

    meeting: BoardMeeting | None
    rows: list[ProgrammeRow] = field(default_factory=list)

    @property
    def counts(self) -> list[tuple[str, int]]:
        found = Counter(row.referral.status for row in self.rows)
        return [
            (rules.STATUS_LABELS[status], found[status]) for status in (rules.RAISED, rules.ACCEPTED, rules.ANSWERED)
        ]


@dataclass
class Programme:
    groups: list[ProgrammeGroup]
    total: int
    shown: int
    by_status: list[tuple[str, int]]
    by_age: list[tuple[str, int]]
    truncated: bool


def programme(user, today: datetime.date, *, status: str = "") -> Programme:
    """The open referrals USER may see, grouped by the Board meeting they feed (soonest first, then
    those feeding no meeting), oldest first within a group, at most PROGRAMME_SHOWN of them; with
    counts of all of them by status and by age: three queries."""
    open_referrals = Referral.objects.visible_to(user).open()
    chosen = open_referrals.filter(status=status) if status else open_referrals
    found = list(
        chosen.select_related(
            "indicator", "section__scorecard", "action", "raised_by", "assigned_to", "meeting"
        ).order_by("raised_on", "pk")[: PROGRAMME_SHOWN + 1]
    )
    truncated = len(found) > PROGRAMME_SHOWN
    found = found[:PROGRAMME_SHOWN]
    groups: dict[int | None, ProgrammeGroup] = {}
    for referral in found:
        group = groups.setdefault(referral.meeting_id, ProgrammeGroup(referral.meeting))
        age = rules.age_in_days(referral.raised_on, today)
        overdue = referral.status == rules.ACCEPTED and referral.due_on is not None and referral.due_on < today
        group.rows.append(ProgrammeRow(referral, age, rules.age_band(age), overdue))
    ordered = sorted(
        groups.values(),
        key=lambda g: (
            g.meeting is None,
            g.meeting.date if g.meeting else datetime.date.max,
            g.meeting.pk if g.meeting else 0,
        ),
    )
    # the figures count every open referral, shown or chosen or not: one query grouped by status and day
    statuses, bands = Counter(), Counter()
    for found_status, raised_on, count in (
        open_referrals.order_by().values_list("status", "raised_on").annotate(count=Count("pk"))
    ):
        statuses[found_status] += count
        bands[rules.age_band(rules.age_in_days(raised_on, today))] += count
    band_order = [label for _, label in rules.AGE_BANDS] + [rules.OLDEST_BAND]
    return Programme(
        groups=ordered,
        total=sum(statuses.values()),
        shown=len(found),
        by_status=[(rules.STATUS_LABELS[s], statuses[s]) for s in (rules.RAISED, rules.ACCEPTED, rules.ANSWERED)],
        by_age=[(label, bands[label]) for label in band_order],
        truncated=truncated,
    )


def timetable(user, today: datetime.date) -> list[BoardMeeting]:
    """The next Board meetings USER may see (their papers deadlines drive the review timetable): one query."""
    return list(BoardMeeting.objects.visible_to(user).upcoming(today).select_related("org_unit")[:TIMETABLE_SHOWN])


def meetings_with_counts(user) -> list[BoardMeeting]:
    """Every Board meeting with `open_count` and `concluded_count` of the referrals USER may see
    feeding it: one query."""
    visible = Referral.objects.visible_to(user).values("pk")
    return list(
        BoardMeeting.objects.visible_to(user)
        .select_related("org_unit")
        .annotate(
            open_count=Count("referrals", filter=Q(referrals__in=visible, referrals__status__in=rules.OPEN)),
            concluded_count=Count("referrals", filter=Q(referrals__in=visible, referrals__status=rules.CONCLUDED)),
        )
        .order_by("date", "pk")
    )


def clinic_page(clinic: PerformanceClinic, user) -> dict:
    """The clinic's record with what it links to, only what USER may see: a fixed number of queries."""
    return {
        "clinic": clinic,
        "attendees": list(clinic.attendees.order_by("name")),
        "indicators": list(Indicator.objects.visible_to(user).filter(clinics=clinic).order_by("code")),
        "hidden_indicators": clinic.indicators.exclude(pk__in=Indicator.objects.visible_to(user).values("pk")).count(),
        "actions": list(
            PlanItem.objects.visible_to(user).filter(clinics=clinic).select_related("assigned_to").order_by("code")
        ),
        "created_actions": list(
            PlanItem.objects.visible_to(user)
            .filter(clinics_agreeing=clinic)
            .select_related("assigned_to", "parent")
            .order_by("code")
        ),
        "referrals": list(Referral.objects.visible_to(user).filter(clinic=clinic).for_listing()),
        "can_edit": can_edit(user, clinic),
    }


def referrals_for_report(user, start: datetime.date, end: datetime.date) -> list[Referral]:
    """The referrals USER may see answered or given their outcome between START and END (inclusive):
    one query."""
    return list(
        Referral.objects.visible_to(user)
        .filter(Q(answered_on__range=(start, end)) | Q(outcome_on__range=(start, end)))
        .for_listing()
        .select_related("answered_by")
        .order_by("meeting__date", "answered_on", "pk")
    )


def referrals_of(user, limit: int) -> list[Referral]:
    """The latest referrals USER raised, for their briefing: one query."""
    return list(Referral.objects.filter(raised_by=user).for_listing().order_by("-raised_on", "-pk")[:limit])


def to_answer(user, limit: int) -> list[Referral]:
    return list(
        Referral.objects.filter(assigned_to=user, status=rules.ACCEPTED).for_listing().order_by("due_on", "pk")[:limit]
    )
