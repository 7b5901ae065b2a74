"""The demo scrutiny: referrals in every state on the demo's red and amber PIs, one leading to a
performance clinic with its agreed plan actions, the Board timetable, coherent dates, idempotent."""

from collections import Counter

from django.utils import timezone

from indicators.demo import seed_indicators
from plans.demo import seed_plans
from plans.models import PlanItem
from pmf.demo import seed_organisation
from scorecards.demo import seed_scorecards
from scrutiny import rules, subjects
from scrutiny.demo import REFERRALS, STEP_DATES, seed_scrutiny
from scrutiny.models import BoardMeeting, PerformanceClinic, Referral


def test_demo_referrals_cover_every_state_on_real_pis_and_a_second_run_adds_nothing(db):
    organisation = seed_organisation()
    seed_plans(organisation)
    seed_indicators(organisation)
    seed_scorecards(organisation)
    seed_scrutiny(organisation)
    today = timezone.localdate()
    referrals = list(Referral.objects.for_page())
    assert len(referrals) == len(REFERRALS) == 11
    assert Counter(r.status for r in referrals) == {
        rules.RAISED: 2,
        rules.ACCEPTED: 3,
        rules.MERGED: 1,
        rules.DECLINED: 1,
        rules.ANSWERED: 1,
        rules.CONCLUDED: 3,
    }
    assert {r.outcome for r in referrals if r.status == rules.CONCLUDED} == {
        rules.OUTCOME_ANSWERED,
        rules.OUTCOME_SERVICE_REVIEW,
        rules.OUTCOME_CLINIC,
    }
    for referral in referrals:
        # raised on something the referrer can see, a red or amber PI when it is a PI
        kind = "indicator" if referral.indicator_id else "section" if referral.section_id else "action"
        assert subjects.referable(kind, referral.raised_by).filter(pk=referral.subject.pk).exists()
        if referral.indicator_id:
            assert referral.indicator.latest_status in ("red", "amber"), referral.indicator.code
        # each step after the one before, none in the future
        happened = [referral.raised_on, referral.triaged_on, referral.answered_on, referral.outcome_on]
        dates = [day for day in happened if day is not None]
        assert dates == sorted(dates) and dates[-1] <= today, referral
        if referral.due_on:
            assert referral.due_on >= referral.triaged_on
        if referral.meeting:
            assert referral.meeting.papers_deadline > referral.raised_on
    # the history tells each step on the day it happened
    for record in Referral.history.all():
        field = STEP_DATES[record.history_change_reason]
        assert timezone.localtime(record.history_date).date() == getattr(record, field), record
    assert {r.raised_by.username for r in referrals} == {"mh.viewer", "kl.viewer", "group.admin"}
    merged = next(r for r in referrals if r.status == rules.MERGED)
    assert merged.merged_into.status in rules.OPEN | {rules.ANSWERED}
    overdue = [r for r in referrals if r.status == rules.ACCEPTED and r.due_on < today]
    assert len(overdue) == 1

    clinic = PerformanceClinic.objects.get()
    sent = next(r for r in referrals if r.outcome == rules.OUTCOME_CLINIC)
    assert sent.clinic == clinic and clinic.held_on >= sent.outcome_on and clinic.held_on <= today
    assert clinic.attendees.count() == 4 and len(clinic.other_attendee_list) == 2
    agreed = list(clinic.created_actions.select_related("parent"))
    assert [(a.kind, a.parent.code, a.assigned_to.username) for a in agreed] == [
        (PlanItem.Kind.ACTION, "HS 2", "mh.updater"),
        (PlanItem.Kind.ACTION, "HS 2", "mh.manager"),
    ]
    assert all(a.due_date > today for a in agreed)

    meetings = BoardMeeting.objects.filter(org_unit__code="mh")
    assert meetings.filter(date__lt=today).exists() and meetings.filter(date__gt=today).exists()
    assert all(m.date.month in (3, 6, 9, 12) and m.date.weekday() == 3 for m in BoardMeeting.objects.all())

    counts = (Referral.history.count(), BoardMeeting.objects.count(), PlanItem.objects.count())
    seed_scrutiny(organisation)
    assert (Referral.history.count(), BoardMeeting.objects.count(), PlanItem.objects.count()) == counts
