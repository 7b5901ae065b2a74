"""Accepted referrals not yet answered are dated work the monthly cycle chases."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pmf.registry import CHASE_SOURCES
from scrutiny import chase
from scrutiny.models import Referral
from scrutiny.tests.factories import scrutiny_world

pytestmark = pytest.mark.django_db


def test_answers_due_are_owed_by_the_assigned_manager_and_overdue_after_the_due_date(world, django_assert_num_queries):
    s = scrutiny_world(world)
    today = timezone.localdate()
    Referral.objects.filter(pk=s.accepted.pk).update(due_on=today - datetime.timedelta(days=2))
    with django_assert_num_queries(1):
        items = chase.answers_due(today=today, within_days=7)
    assert [(i.person_id, i.unit_id, i.model, i.object_id, i.due, i.overdue) for i in items] == [
        (world.manager.pk, world.team.pk, "scrutiny.referral", s.accepted.pk, today - datetime.timedelta(days=2), True)
    ]
    assert items[0].url == reverse("referral-answer", kwargs={"pk": s.accepted.pk})
    assert items[0].title == f"Referral {s.accepted.pk}: When will collection recover?"
    # not yet due within the window, answered, or merely raised: nothing owed
    Referral.objects.filter(pk=s.accepted.pk).update(due_on=today + datetime.timedelta(days=8))
    assert chase.answers_due(today=today, within_days=7) == []
    assert chase.KIND in [source.kind for source in CHASE_SOURCES]
