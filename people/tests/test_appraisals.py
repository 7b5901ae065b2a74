import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from people import services
from people.models import Appraisal, PersonalObjective, Rating
from people.tests.factories import people_world
from plans.tests.factories import plan_world


@pytest.fixture
def pw(world):
    return people_world(world)


def test_both_sign_and_the_appraisal_becomes_read_only(world, pw, client_for):
    objective = pw.appraisal.objectives.get()
    manager = client_for(world.manager)
    response = manager.post(
        reverse("appraisal-save", args=[pw.appraisal.pk]), {"comments": "Good year", f"rating-{objective.pk}": "3"}
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.rating == Rating.MET
    client_for(world.updater).post(reverse("appraisal-save", args=[pw.appraisal.pk]), {"comments": "Agreed"})
    pw.appraisal.refresh_from_db()
    assert (pw.appraisal.manager_comments, pw.appraisal.person_comments) == ("Good year", "Agreed")
    client_for(world.updater).post(reverse("appraisal-sign", args=[pw.appraisal.pk]))
    client_for(world.manager).post(reverse("appraisal-sign", args=[pw.appraisal.pk]))
    pw.appraisal.refresh_from_db()
    assert pw.appraisal.is_signed
    assert pw.appraisal.manager_signed_by == world.manager
    page = client_for(world.manager).get(reverse("appraisal-detail", args=[pw.appraisal.pk])).content.decode()
    assert "It is read-only." in page
    assert reverse("appraisal-save", args=[pw.appraisal.pk]) not in page


def test_after_a_signature_no_content_changes_and_a_message_says_why(world, pw, client_for):
    services.sign_appraisal(appraisal=pw.appraisal, user=world.updater)
    history = pw.appraisal.history.count()
    objectives = PersonalObjective.objects.count()
    client = client_for(world.manager)
    for name, payload in (
        ("appraisal-save", {"comments": "Sneaky"}),
        ("appraisal-objective", {"title": "More", "plan_item": plan_world(world).action.pk}),
        ("appraisal-need", {"need": "Course"}),
    ):
        response = client.post(reverse(name, args=[pw.appraisal.pk]), payload, follow=True)
        assert "signed by Charlie Updater" in response.content.decode(), name
    pw.appraisal.refresh_from_db()
    assert pw.appraisal.manager_comments == ""
    assert pw.appraisal.history.count() == history
    assert PersonalObjective.objects.count() == objectives
    assert not pw.appraisal.needs.exists()
    with pytest.raises(ValidationError, match="already signed"):
        services.sign_appraisal(appraisal=pw.appraisal, user=world.updater)


def test_signing_needs_an_objective(world):
    from conftest import make_user

    person = make_user("ivy", "updater", world.team, line_manager=world.manager)
    appraisal = services.start_appraisal(manager=world.manager, person=person, year=2026)
    with pytest.raises(ValidationError, match="at least one personal objective"):
        services.sign_appraisal(appraisal=appraisal, user=world.manager)
    assert Appraisal.objects.get(pk=appraisal.pk).manager_signed_at is None


def test_bad_input_is_refused_on_the_field_it_concerns(world, pw):
    with pytest.raises(ValidationError) as outside:
        services.start_appraisal(manager=pw.erin, person=world.updater, year=2026)
    assert list(outside.value.message_dict) == ["person"]
    with pytest.raises(ValidationError) as twice:
        services.start_appraisal(manager=world.manager, person=world.updater, year=2026)
    assert twice.value.message_dict == {"year": ["Charlie Updater already has an appraisal for 2026/27."]}
    with pytest.raises(ValidationError) as strategy:
        services.add_objective(
            appraisal=pw.appraisal, user=world.manager, title="Too high", plan_item=plan_world(world).strategy
        )
    assert list(strategy.value.message_dict) == ["plan_item"]
    with pytest.raises(ValidationError) as early:
        services.add_need(
            appraisal=pw.appraisal, user=world.updater, need="Course", support="", by_date=datetime.date(2025, 1, 1)
        )
    assert early.value.message_dict == {"by_date": ["The date must fall in or after 2026/27."]}
    assert pw.appraisal.objectives.count() == 1 and not pw.appraisal.needs.exists()


def test_the_person_cannot_rate_their_own_objectives(world, pw, client_for):
    objective = pw.appraisal.objectives.get()
    client_for(world.updater).post(
        reverse("appraisal-save", args=[pw.appraisal.pk]), {"comments": "Mine", f"rating-{objective.pk}": "4"}
    )
    objective.refresh_from_db()
    assert objective.rating is None
