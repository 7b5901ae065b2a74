import datetime

from django.utils import timezone

from indicators.demo import seed_indicators
from people.demo import seed_people
from people.models import Appraisal, Meeting, MeetingItem
from plans.demo import seed_plans
from plans.models import PlanItem
from pmf.demo import seed_organisation
from risks.demo import seed_risks


def test_demo_1_2_1s_and_appraisals_are_frozen_coherent_and_idempotent(db):
    world = seed_organisation()
    seed_plans(world)
    seed_indicators(world)
    seed_risks(world)
    seed_people(world)
    today, now = timezone.localdate(), timezone.now()
    meetings = Meeting.objects.select_related("person", "manager")
    assert sorted({m.person.username for m in meetings}) == ["kl.updater", "lps.updater", "mh.updater"]
    for username in ("kl.updater", "lps.updater", "mh.updater"):
        theirs = [m for m in meetings if m.person.username == username]
        assert len(theirs) == 6
        assert all(m.is_completed and m.manager == m.person.line_manager for m in theirs)
        assert min(m.held_on for m in theirs) >= today - datetime.timedelta(days=190)
    assert not meetings.filter(held_on__gt=today).exists()
    assert not meetings.filter(completed_at__gt=now).exists()
    kinds = set(MeetingItem.objects.values_list("kind", flat=True))
    assert {"action", "pi", "risk"} <= kinds
    assert not MeetingItem.objects.filter(status_label="").exists()
    assert MeetingItem.objects.exclude(manager_comment="").exists()
    latest = Meeting.objects.filter(person__username="mh.updater").order_by("-held_on").first()
    agreed = latest.agreed_actions.get()
    assert (agreed.assigned_to, agreed.managed_by, agreed.parent.kind) == (latest.person, latest.manager, "objective")
    assert agreed.planned_start == latest.held_on and agreed.due_date > latest.held_on
    signed = Appraisal.objects.filter(person_signed_at__isnull=False, manager_signed_at__isnull=False)
    assert sorted(signed.values_list("person__org_unit__code", flat=True)) == ["kl-shel-t", "lps-gas-t", "mh-rents"]
    for appraisal in signed:
        organisation = appraisal.person.org_unit.get_ancestors().get(kind="organisation")
        assert {o.plan_item.org_unit_id for o in appraisal.objectives.all()} == {organisation.pk}
        assert appraisal.manager_signed_at <= now
        assert all(o.rating for o in appraisal.objectives.all())
    in_progress = Appraisal.objects.get(person_signed_at__isnull=True, manager_signed_at__isnull=True)
    assert in_progress.person.username == "mh.office" and in_progress.objectives.count() == 2
    counts = (Meeting.objects.count(), MeetingItem.objects.count(), Appraisal.objects.count(), PlanItem.objects.count())
    seed_people(seed_organisation())
    assert counts == (
        Meeting.objects.count(),
        MeetingItem.objects.count(),
        Appraisal.objects.count(),
        PlanItem.objects.count(),
    )
