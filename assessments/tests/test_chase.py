"""Self-assessment questions falling due are chased by the monthly cycle through
pmf.registry.CHASE_SOURCES."""

import datetime

from django.urls import reverse
from django.utils import timezone

from assessments import chase
from assessments.models import Response
from assessments.tests.factories import load_test_framework, make_assessment
from cycle import services as cycle_services
from cycle.models import Notification
from pmf import registry

D = datetime.timedelta


def _assign(assessment, code, person, due, **extra):
    response = assessment.responses.get(node__code=code)
    Response.objects.filter(pk=response.pk).update(assigned_to=person, due_date=due, **extra)
    return response


def test_responses_due_lists_unanswered_questions_of_active_people_in_open_assessments(world):
    today = timezone.localdate()
    framework = load_test_framework()
    open_one = make_assessment(framework, unit=world.team, lead=world.manager)
    late = _assign(open_one, "T1.1", world.updater, today - D(days=2))
    soon = _assign(open_one, "T1.2", world.manager, today + D(days=5))
    _assign(open_one, "T2.1", world.updater, today + D(days=30))  # beyond the window
    _assign(open_one, "X1", world.updater, today - D(days=2), level=3)  # answered
    submitted = make_assessment(framework, unit=world.team, lead=world.manager, title="Submitted", status="submitted")
    _assign(submitted, "T1.1", world.updater, today - D(days=2))  # no longer being answered
    gone = make_assessment(framework, unit=world.team, lead=world.manager, title="Leaver")
    _assign(gone, "T1.1", world.outsider, today - D(days=2))
    world.outsider.is_active = False
    world.outsider.save(update_fields=["is_active"])

    items = chase.responses_due(today=today, within_days=7)

    assert [(i.object_id, i.person_id, i.unit_id, i.due, i.overdue) for i in items] == [
        (late.pk, world.updater.pk, world.team.pk, today - D(days=2), True),
        (soon.pk, world.manager.pk, world.team.pk, today + D(days=5), False),
    ]
    assert (items[0].model, items[0].url) == ("assessments.response", reverse("response-edit", kwargs={"pk": late.pk}))
    assert items[0].title.startswith("T1.1 ") and items[0].title.endswith(f"({open_one.title})")
    assert [i.object_id for i in chase.responses_due(today=today, within_days=0)] == [late.pk]


def test_the_cycle_reminds_the_assignee_of_an_overdue_question(world):
    today = timezone.localdate()
    assessment = make_assessment(load_test_framework(), unit=world.team, lead=world.manager)
    response = _assign(assessment, "T1.1", world.updater, today - D(days=3))
    assert chase.KIND in [source.kind for source in registry.CHASE_SOURCES]

    cycle_services.raise_day(today)

    notification = Notification.objects.get(kind=chase.KIND)
    assert (notification.recipient, notification.url) == (
        world.updater,
        reverse("response-edit", kwargs={"pk": response.pk}),
    )
    assert notification.title.startswith("Self-assessment questions: T1.1 ")
    assert notification.title.endswith(f", overdue since {today - D(days=3):%-d %b %Y}")
