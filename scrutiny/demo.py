"""Demo scrutiny: the partners' quarterly Board timetable, referrals from Merebrook Homes' Board
member in every state of the workflow on the PIs of the scorecards shared with her, one from the
group's tenant scrutiny panel on a plan action, and the performance clinic one of them led to.

Each referral goes through the services (so the workflow's rules, history and notifications are
the real ones) and its dates are then set back to when each step happened. Idempotent: a referral
already there (same person, subject and question) is left as it is."""

import datetime

from django.db import transaction
from django.utils import timezone

from indicators.models import Indicator
from plans import services as plan_services
from plans.models import PlanItem
from pmf.models import User
from scorecards.models import ScorecardSection
from scrutiny import rules, services, subjects
from scrutiny.models import BoardMeeting, PerformanceClinic, Referral

BOARDS = {"mh": "Merebrook Homes Board", "kl": "Kestrel Living Board", "lps": "Larchfield Property Services Board"}
PAPERS_DAYS = 10  # papers go out ten days before the meeting

# (key, referrer, kind, subject: PI code / (scorecard unit, section title) / action code, question, steps)
# steps: the days ago each step happened and what it recorded.
REFERRALS = [
    (
        "stage2",
        "mh.viewer",
        "indicator",
        "CPL02",
        "Stage 2 complaint responses within 20 working days are off target again this month. What is stopping "
        "the service meeting the Complaint Handling Code timescale, and when will it recover?",
        {"raised": 3},
    ),
    (
        "voids",
        "mh.viewer",
        "section",
        ("mh", "Voids and lettings"),
        "Three of the five voids and lettings measures are amber. Is the contractor for void works delivering to "
        "the agreed turnaround, and what is the rent loss this year compared with budget?",
        {"raised": 1},
    ),
    (
        "evictions",
        "mh.viewer",
        "indicator",
        "INC06",
        "Evictions for rent arrears are above target. How many of these households were offered money advice "
        "and a payment arrangement before the notice was served?",
        {"raised": 20, "accepted": 17, "assigned": "mh.manager", "due_in": 12},
    ),
    (
        "asb",
        "mh.viewer",
        "indicator",
        "ASB02",
        "Fewer ASB cases are closing with a successful outcome. Are victims being kept informed, and how are "
        "cases handed over between the police and our officers?",
        {"raised": 40, "accepted": 36, "assigned": "mh.manager", "due_in": -5},
    ),
    (
        "arrears",
        "mh.viewer",
        "indicator",
        "INC02",
        "Current tenant arrears remain amber after the Universal Credit migration. What does the service expect "
        "the position to be at year end, and is the tenancy support budget enough?",
        {
            "raised": 35,
            "accepted": 32,
            "assigned": "mh.manager",
            "due_in": 6,
            "answered": 10,
            "answer": "Arrears rose in the months after managed migration to Universal Credit, when the five-week "
            "wait hits. We now contact every household in the month their migration notice arrives and apply for "
            "direct payment where it is justified. The year-end forecast is 3.4% against a 3.0% target; the "
            "tenancy support budget is sufficient, and the Income Team is recruiting one more financial "
            "inclusion officer from January.",
        },
    ),
    (
        "collection",
        "kl.viewer",
        "indicator",
        "INC01",
        "The group scorecard shows rent collection below target at Merebrook. Is this the same Universal Credit "
        "effect the other partners saw, and what is being done?",
        {"raised": 30, "merged": 28, "into": "arrears"},
    ),
    (
        "contact",
        "mh.viewer",
        "section",
        ("mh", "Customer contact"),
        "Why is there still no figure for the new customer contact measure on the scorecard?",
        {
            "raised": 26,
            "declined": 24,
            "reason": "The measure started this quarter and its first figure is due with next month's values; the "
            "Board approved the definition in September. We will include it in the next scorecard.",
        },
    ),
    (
        "relets",
        "mh.viewer",
        "indicator",
        "VOI01",
        "Standard void re-let times are amber. How many days are spent waiting for utility checks and "
        "how does that compare with our peers?",
        {
            "raised": 75,
            "accepted": 72,
            "assigned": "mh.office",
            "due_in": 18,
            "answered": 60,
            "answer": "Of the 31 days average re-let time, 6 are spent waiting for gas and electrical checks. "
            "Housemark peers average 27 days overall. From November utility checks are booked on the day the "
            "keys come back, and the office expects to save four days a void.",
            "concluded": 55,
            "outcome": rules.OUTCOME_ANSWERED,
            "note": "Answer reported to the Board; the Board asked to see the next quarter's trend.",
        },
    ),
    (
        "former",
        "mh.viewer",
        "indicator",
        "INC03",
        "Former tenant arrears are higher than last year. Is the service pursuing these debts, and should some "
        "be written off?",
        {
            "raised": 80,
            "accepted": 77,
            "assigned": "mh.manager",
            "due_in": 20,
            "answered": 62,
            "answer": "Former tenant arrears recovery has been handled alongside current arrears since the "
            "restructure, and current cases take priority. A tracing agency is now used after 60 days.",
            "concluded": 56,
            "outcome": rules.OUTCOME_SERVICE_REVIEW,
            "note": "The Board asked for a service review of former tenant arrears recovery in Q4.",
        },
    ),
    (
        "sustain",
        "mh.viewer",
        "indicator",
        "TEN01",
        "Too many new tenancies fail in the first year. What support do new tenants get in the first weeks, "
        "and what do the tenants who left tell us?",
        {
            "raised": 85,
            "accepted": 82,
            "assigned": "mh.manager",
            "due_in": 21,
            "answered": 64,
            "answer": "Of last year's failed tenancies, most ended in the first six months; exit interviews point "
            "to furniture poverty and arrears from the start. Support is offered at sign-up but not followed up.",
            "concluded": 58,
            "outcome": rules.OUTCOME_CLINIC,
            "note": "The answer did not show how the service will turn this round; a performance clinic was held.",
        },
    ),
    (
        "standards",
        "group.admin",
        "action",
        "HS 2.3",
        "Raised for the group tenant scrutiny panel: the panel was told service standards would be agreed "
        "with it this year. The action is overdue; when will the panel see a draft?",
        {"raised": 12, "accepted": 9, "assigned": "mh.manager", "due_in": 16},
    ),
]

CLINIC = {
    "topic": "First-year tenancy sustainment",
    "held_days_ago": 50,
    "unit": "mh-hs",
    "lead": "mh.manager",
    "attendees": ["mh.manager", "mh.updater", "mh.admin", "mh.viewer"],
    "other_attendees": "Janet Morris, Chair of the Tenant Scrutiny Panel\n"
    "Paul Reeves, Citizens Advice Merebrook (tenancy support partner)",
    "indicators": ["TEN01", "INC02"],
    "actions": ["HS 2.1", "HS 2.2"],
    "notes": "Exit interviews from the last twelve months were reviewed. Two in three failed tenancies had rent "
    "arrears within eight weeks of sign-up; a third of new tenants moved in without basic furniture. "
    "Citizens Advice sees most of these households only once the notice has been served.",
    "outcomes": "A settling-in visit at six weeks for every new tenancy; referral to Citizens Advice at sign-up "
    "for anyone on Universal Credit; furniture packs piloted at the South Tenancy Team.",
    "agreed": [
        ("HS 2", "Introduce a six-week settling-in visit for every new tenancy", "mh.updater", 90),
        ("HS 2", "Pilot furniture packs for new tenants in the South patch", "mh.manager", 120),
    ],
}


def _meetings(units, people, today: datetime.date) -> dict[str, list[BoardMeeting]]:
    """Quarterly Board meetings of each partner from nine months ago to nine months ahead: in the
    third month of each financial quarter (June, September, December, March), on the third
    Thursday."""
    found = {}
    first = datetime.date(today.year - 1, today.month, 1)
    for code, title in BOARDS.items():
        meetings = []
        for step in range(25):
            month_start = datetime.date(
                first.year + (first.month - 1 + step) // 12, (first.month - 1 + step) % 12 + 1, 1
            )
            if (month_start.month - 4) % 3 != 2:
                continue
            day = month_start + datetime.timedelta(days=(3 - month_start.weekday()) % 7 + 14)
            if abs((day - today).days) > 275:
                continue
            meeting = BoardMeeting.objects.filter(org_unit=units[code], date=day).first()
            if meeting is None:
                meeting = services.save_meeting(
                    meeting=BoardMeeting(
                        title=title,
                        org_unit=units[code],
                        date=day,
                        papers_deadline=day - datetime.timedelta(days=PAPERS_DAYS),
                        notes="Quarterly performance report, referral outcomes and the scrutiny work programme.",
                    ),
                    user=people["group.admin"],
                )
            meetings.append(meeting)
        found[code] = meetings
    return found


def _subject(kind, spec, units):
    if kind == "indicator":
        return Indicator.objects.filter(code=spec).first()
    if kind == "section":
        unit_code, title = spec
        return ScorecardSection.objects.filter(scorecard__org_unit=units[unit_code], title=title).first()
    return PlanItem.objects.filter(code=spec, kind=PlanItem.Kind.ACTION).first()


def _feeds(meetings: list[BoardMeeting], raised_on: datetime.date):
    """The first meeting whose papers deadline leaves the service two weeks to answer."""
    return next((m for m in meetings if m.papers_deadline > raised_on + datetime.timedelta(days=14)), None)


def _seed_referral(entry, units, people, meetings, today, made) -> Referral | None:
    key, referrer, kind, spec, question, steps = entry
    user = people[referrer]
    subject = _subject(kind, spec, units)
    if subject is None or not subjects.referable(kind, user).filter(pk=subject.pk).exists():
        return None
    existing = Referral.objects.filter(**{kind: subject}, raised_by=user, question=question).first()
    if existing is not None:
        return existing
    raised_on = today - datetime.timedelta(days=steps["raised"])
    # every demo subject is Merebrook Homes': its referrals feed the Merebrook Homes Board
    meeting = _feeds(meetings["mh"], raised_on)
    if "concluded" in steps:
        concluded_on = today - datetime.timedelta(days=steps["concluded"])
        meeting = next((m for m in meetings["mh"] if m.papers_deadline >= concluded_on), meeting)
    referral = Referral(
        **{kind: subject},
        org_unit=subjects.subject_unit(subject),
        question=question,
        raised_by=user,
        raised_on=raised_on,
        meeting=meeting,
    )
    referral._change_reason = "Raised"
    referral._history_user = user
    referral.save()
    triage = people["mh.admin"]
    dates = {}
    if "accepted" in steps:
        services.accept_referral(
            referral=referral,
            assigned_to=people[steps["assigned"]],
            due_on=today + datetime.timedelta(days=max(steps["due_in"], 0)),
            user=triage,
        )
        dates = {
            "triaged_on": today - datetime.timedelta(days=steps["accepted"]),
            "due_on": today + datetime.timedelta(days=steps["due_in"]),
        }
        if "answered" in steps:
            services.answer_referral(
                referral=referral, answer=steps["answer"], files=[], user=people[steps["assigned"]]
            )
            dates["answered_on"] = today - datetime.timedelta(days=steps["answered"])
            # answered a few days inside the time the performance team gave
            dates["due_on"] = dates["answered_on"] + datetime.timedelta(days=4)
        if "concluded" in steps:
            services.conclude_referral(
                referral=referral,
                outcome=steps["outcome"],
                note=steps["note"],
                clinic=made.get("clinic") if steps["outcome"] == rules.OUTCOME_CLINIC else None,
                user=triage,
            )
            dates["outcome_on"] = today - datetime.timedelta(days=steps["concluded"])
    elif "merged" in steps:
        services.merge_referral(referral=referral, into=made[steps["into"]], user=triage)
        dates = {"triaged_on": today - datetime.timedelta(days=steps["merged"])}
    elif "declined" in steps:
        services.decline_referral(referral=referral, reason=steps["reason"], user=triage)
        dates = {"triaged_on": today - datetime.timedelta(days=steps["declined"])}
    if dates:
        Referral.objects.filter(pk=referral.pk).update(**dates)
    _date_history(referral.pk, {"raised_on": raised_on, **dates})
    return referral


STEP_DATES = {
    "Raised": "raised_on",
    rules.ACTION_LABELS[rules.ACCEPT]: "triaged_on",
    rules.ACTION_LABELS[rules.MERGE]: "triaged_on",
    rules.ACTION_LABELS[rules.DECLINE]: "triaged_on",
    rules.ACTION_LABELS[rules.ANSWER]: "answered_on",
    rules.ACTION_LABELS[rules.CONCLUDE]: "outcome_on",
}


def _date_history(pk: int, dates: dict) -> None:
    """Each history row of the referral dated on the day its step happened (mid-morning), holding
    the step dates as they were set back."""
    records = Referral.history.filter(id=pk)
    for field, value in dates.items():
        records.filter(**{f"{field}__isnull": False}).update(**{field: value})
    for reason, field in STEP_DATES.items():
        if dates.get(field):
            moment = timezone.make_aware(datetime.datetime.combine(dates[field], datetime.time(10, 30)))
            Referral.history.filter(id=pk, history_change_reason=reason).update(history_date=moment)


def _clinic(units, people, today) -> PerformanceClinic:
    held_on = today - datetime.timedelta(days=CLINIC["held_days_ago"])
    clinic = PerformanceClinic.objects.filter(topic=CLINIC["topic"]).first()
    if clinic is not None:
        return clinic
    lead = people[CLINIC["lead"]]
    clinic = services.save_clinic(
        clinic=PerformanceClinic(
            topic=CLINIC["topic"],
            held_on=held_on,
            org_unit=units[CLINIC["unit"]],
            lead=lead,
            other_attendees=CLINIC["other_attendees"],
            notes=CLINIC["notes"],
            outcomes=CLINIC["outcomes"],
        ),
        attendees=[people[name] for name in CLINIC["attendees"]],
        indicators=list(Indicator.objects.filter(code__in=CLINIC["indicators"])),
        actions=list(PlanItem.objects.filter(code__in=CLINIC["actions"], kind=PlanItem.Kind.ACTION)),
        referrals=[],
        user=lead,
    )
    for objective_code, title, assignee, due_days in CLINIC["agreed"]:
        objective = PlanItem.objects.filter(code=objective_code, kind=PlanItem.Kind.OBJECTIVE).first()
        if objective is None:
            continue
        services.create_clinic_action(
            clinic=clinic,
            objective=objective,
            code=plan_services.next_child_code(objective),
            title=title,
            due_date=today + datetime.timedelta(days=due_days),
            assigned_to=people[assignee],
            user=lead,
        )
    return clinic


@transaction.atomic
def seed_scrutiny(organisation: dict) -> None:
    """Create the demo Board timetable, referrals and performance clinic (see the module's docstring)."""
    units = organisation["units"]
    # read afresh: the access rules use each person's unit's tree numbers, which the organisation's
    # own seeding moved after it loaded them
    people = {
        user.username: user
        for user in User.objects.filter(username__in=organisation["people"]).select_related("org_unit")
    }
    today = timezone.localdate()
    meetings = _meetings(units, people, today)
    made = {"clinic": _clinic(units, people, today)}
    for entry in REFERRALS:
        referral = _seed_referral(entry, units, people, meetings, today, made)
        if referral is not None:
            made[entry[0]] = referral
