"""Risk reviews falling due are chased by the monthly cycle through pmf.registry.CHASE_SOURCES."""

import datetime

from django.urls import reverse
from django.utils import timezone

from cycle import services as cycle_services
from cycle.models import Notification
from pmf import registry
from risks import chase
from risks.models import Risk
from risks.tests.factories import make_risk

D = datetime.timedelta


def test_reviews_due_lists_open_active_risks_of_active_owners_due_within_the_window(world):
    today = timezone.localdate()
    late = make_risk("C 1", unit=world.team, owner=world.updater, next_review_date=today - D(days=3))
    soon = make_risk("C 2", unit=world.team, owner=world.manager, next_review_date=today + D(days=5))
    make_risk("C 3", unit=world.team, owner=world.updater, next_review_date=today + D(days=30))
    make_risk("C 4", unit=world.team, owner=world.updater, next_review_date=today - D(days=3), status="closed")
    make_risk("C 5", unit=world.team, owner=world.updater, next_review_date=today - D(days=3), active=False)
    gone = make_risk("C 6", unit=world.team, owner=world.outsider, next_review_date=today - D(days=3))
    gone.owner.is_active = False
    gone.owner.save(update_fields=["is_active"])

    items = chase.reviews_due(today=today, within_days=7)

    assert [(i.object_id, i.person_id, i.unit_id, i.due, i.overdue) for i in items] == [
        (late.pk, world.updater.pk, world.team.pk, today - D(days=3), True),
        (soon.pk, world.manager.pk, world.team.pk, today + D(days=5), False),
    ]
    assert (items[0].model, items[0].title, items[0].url) == (
        "risks.risk",
        "C 1 Risk C 1",
        reverse("risk-review", kwargs={"pk": late.pk}),
    )
    assert [i.object_id for i in chase.reviews_due(today=today, within_days=0)] == [late.pk]


def test_the_cycle_reminds_the_owner_of_an_overdue_review(world):
    today = timezone.localdate()
    risk = make_risk("C 1", unit=world.team, owner=world.updater, next_review_date=today - D(days=3))
    assert chase.KIND in [source.kind for source in registry.CHASE_SOURCES]

    cycle_services.raise_day(today)

    notification = Notification.objects.get(kind=chase.KIND)
    assert (notification.recipient, notification.url) == (
        world.updater,
        reverse("risk-review", kwargs={"pk": risk.pk}),
    )
    assert notification.title == f"Risk reviews: C 1 Risk C 1, overdue since {risk.next_review_date:%-d %b %Y}"
    assert Risk.objects.get(pk=risk.pk).next_review_date == today - D(days=3)
