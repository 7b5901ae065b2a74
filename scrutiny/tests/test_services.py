"""The referral workflow through its services: who may do each step, what is recorded, what is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cycle.models import Notification
from plans.models import PlanItem
from plans.tests.factories import plan_world
from scrutiny import rules, services
from scrutiny.models import PerformanceClinic, Referral, ReferralAttachment
from scrutiny.tests.factories import accept, answer, make_meeting, raise_on, scrutiny_world

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def _errors(refused) -> dict:
    return {name: [str(m) for m in messages] for name, messages in refused.value.message_dict.items()}


def test_a_board_member_raises_a_referral_on_a_pi_of_a_scorecard_shared_with_them(world):
    s = scrutiny_world(world)
    referral = raise_on(world, s.indicator, question="  Why are arrears up?  ", meeting=s.meeting)
    assert (referral.status, referral.indicator, referral.org_unit, referral.raised_by, referral.raised_on) == (
        rules.RAISED,
        s.indicator,
        world.team,
        world.viewer,
        today(),
    )
    assert referral.question == "Why are arrears up?"
    record = referral.history.get()
    assert (record.history_change_reason, record.history_user) == ("Raised", world.viewer)


def test_a_referral_on_a_pi_the_referrer_cannot_see_is_refused_and_nothing_saved(world):
    s = scrutiny_world(world)
    before = Referral.objects.count()
    with pytest.raises(ValidationError) as refused:
        raise_on(world, s.hidden_indicator)
    assert _errors(refused) == {"subject": ["You cannot see that PI, so you cannot refer it."]}
    assert Referral.objects.count() == before


def test_a_referral_on_a_section_belongs_to_its_scorecards_unit(world):
    s = scrutiny_world(world)
    referral = services.raise_referral(
        kind="section", subject_id=s.section.pk, question="Why so much amber?", meeting=None, user=world.viewer
    )
    assert (referral.section, referral.org_unit, referral.subject_label) == (
        s.section,
        world.directorate,
        "Board scorecard: Customer",
    )


def test_a_viewer_cannot_refer_an_action_they_cannot_see_but_its_updater_can(world):
    s = scrutiny_world(world)
    with pytest.raises(ValidationError):
        services.raise_referral(
            kind="action", subject_id=s.action.pk, question="When?", meeting=None, user=world.viewer
        )
    referral = services.raise_referral(
        kind="action", subject_id=s.action.pk, question="When?", meeting=None, user=world.updater
    )
    assert referral.action == s.action


def test_script_in_the_question_an_empty_question_and_a_past_meeting_are_refused_naming_the_field(world):
    s = scrutiny_world(world)
    held = make_meeting(world, days_ahead=-5)
    before = Referral.objects.count()
    with pytest.raises(ValidationError) as refused:
        raise_on(world, s.indicator, question="<script>alert(1)</script>", meeting=held)
    assert _errors(refused) == {
        "question": ["Write plain text: HTML tags and scripts are not accepted."],
        "meeting": [f"{held} has already taken place; choose a meeting still to come."],
    }
    with pytest.raises(ValidationError) as empty:
        raise_on(world, s.indicator, question="   ")
    assert _errors(empty) == {"question": ["Write the question you want the service to answer."]}
    assert Referral.objects.count() == before


def test_accepting_assigns_a_manager_records_who_and_notifies_both_once(world):
    s = scrutiny_world(world)
    due = today() + datetime.timedelta(days=10)
    referral = services.accept_referral(referral=s.raised, assigned_to=world.manager, due_on=due, user=world.admin)
    assert (referral.status, referral.assigned_to, referral.due_on, referral.triaged_by, referral.triaged_on) == (
        rules.ACCEPTED,
        world.manager,
        due,
        world.admin,
        today(),
    )
    latest = referral.history.order_by("-history_id").first()
    assert (latest.history_change_reason, latest.history_user) == ("Accepted and assigned", world.admin)
    sent = Notification.objects.filter(kind=services.ASSIGNED, object_id=referral.pk)
    assert sorted(sent.values_list("recipient__username", flat=True)) == ["bob", "dora"]
    services._notify(referral, services.ASSIGNED, "again", [world.manager, world.viewer], today())
    assert sent.count() == 2


def test_a_due_date_in_the_past_or_no_manager_is_refused_and_nothing_changes(world):
    s = scrutiny_world(world)
    with pytest.raises(ValidationError) as refused:
        services.accept_referral(
            referral=s.raised, assigned_to=None, due_on=today() - datetime.timedelta(days=1), user=world.admin
        )
    yesterday = today() - datetime.timedelta(days=1)
    assert _errors(refused) == {
        "assigned_to": ["Choose the service manager who will answer."],
        "due_on": [f"The due date {yesterday:%-d %B %Y} is in the past; choose today or a later date."],
    }
    with pytest.raises(ValidationError) as viewer:
        services.accept_referral(referral=s.raised, assigned_to=world.viewer, due_on=today(), user=world.admin)
    assert _errors(viewer) == {"assigned_to": ["Dora Viewer is not an active manager; assign a service manager."]}
    fresh = Referral.objects.get(pk=s.raised.pk)
    assert (fresh.status, fresh.assigned_to, fresh.history.count()) == (rules.RAISED, None, 1)
    assert not Notification.objects.filter(object_id=fresh.pk, kind=services.ASSIGNED).exists()


def test_a_step_the_table_does_not_allow_is_refused_with_the_reason(world):
    s = scrutiny_world(world)
    with pytest.raises(ValidationError) as refused:
        services.conclude_referral(referral=s.raised, outcome="closed", note="", clinic=None, user=world.admin)
    assert _errors(refused) == {
        "status": [
            "A referral that is “Raised, awaiting triage” cannot be outcome recorded; "
            "it can be accepted and assigned, merged, declined."
        ]
    }
    with pytest.raises(ValidationError):
        services.accept_referral(referral=s.accepted, assigned_to=world.manager, due_on=today(), user=world.admin)
    assert Referral.objects.get(pk=s.accepted.pk).history.count() == 2


def test_only_the_assigned_manager_answers(world):
    s = scrutiny_world(world)
    for someone in (world.admin, world.updater, world.viewer):
        with pytest.raises(ValidationError) as refused:
            services.answer_referral(referral=s.accepted, answer="Done.", files=[], user=someone)
        assert _errors(refused) == {"answer": ["Only the manager this referral is assigned to can answer it."]}
    assert Referral.objects.get(pk=s.accepted.pk).status == rules.ACCEPTED


def test_an_answer_with_script_or_a_bad_file_saves_nothing(world):
    s = scrutiny_world(world)
    with pytest.raises(ValidationError) as refused:
        services.answer_referral(
            referral=s.accepted, answer="<script>document.cookie</script>", files=[], user=world.manager
        )
    assert _errors(refused) == {"answer": ["Write plain text: HTML tags and scripts are not accepted."]}
    fake = SimpleUploadedFile("report.pdf", b"not a pdf at all")
    with pytest.raises(ValidationError) as bad_file:
        services.answer_referral(referral=s.accepted, answer="See the report.", files=[fake], user=world.manager)
    assert _errors(bad_file) == {
        "attachments": ["“report.pdf” does not contain a PDF as its .pdf name says; check you chose the right file."]
    }
    fresh = Referral.objects.get(pk=s.accepted.pk)
    assert (fresh.status, fresh.answer, fresh.attachments.count()) == (rules.ACCEPTED, "", 0)


def test_an_attachment_over_the_size_limit_is_refused(world, settings):
    s = scrutiny_world(world)
    settings.EVIDENCE_MAX_BYTES = 10
    big = SimpleUploadedFile("figures.csv", b"patch,arrears\nNorth,3.2\n")
    with pytest.raises(ValidationError) as refused:
        services.answer_referral(referral=s.accepted, answer="Figures attached.", files=[big], user=world.manager)
    assert _errors(refused) == {"attachments": ["“figures.csv” is 24 bytes; evidence files may be at most 10 bytes."]}
    assert ReferralAttachment.objects.count() == 0


def test_the_answer_with_a_file_is_recorded_and_the_referrer_told(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    s = scrutiny_world(world)
    upload = SimpleUploadedFile("figures.csv", b"patch,arrears\nNorth,3.2\n")
    referral = services.answer_referral(
        referral=s.accepted, answer="Arrears peaked in May.", files=[upload], user=world.manager
    )
    assert (referral.status, referral.answer, referral.answered_by, referral.answered_on) == (
        rules.ANSWERED,
        "Arrears peaked in May.",
        world.manager,
        today(),
    )
    attachment = referral.attachments.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "figures.csv",
        "text/csv; charset=utf-8",
        24,
    )
    told = Notification.objects.filter(kind=services.ANSWERED, object_id=referral.pk)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["alice", "dora"]


def test_merge_into_an_open_referral_only(world):
    s = scrutiny_world(world)
    with pytest.raises(ValidationError) as itself:
        services.merge_referral(referral=s.raised, into=s.raised, user=world.admin)
    assert _errors(itself) == {"merged_into": ["A referral cannot be merged into itself."]}
    closed = raise_on(world, s.indicator, question="Closed one")
    services.decline_referral(referral=closed, reason="Covered by the annual report.", user=world.admin)
    with pytest.raises(ValidationError) as not_open:
        services.merge_referral(referral=s.raised, into=Referral.objects.get(pk=closed.pk), user=world.admin)
    assert _errors(not_open) == {"merged_into": [f"Referral {closed.pk} is declined; merge into an open one."]}
    merged = services.merge_referral(referral=s.raised, into=s.accepted, user=world.admin)
    assert (merged.status, merged.merged_into) == (rules.MERGED, s.accepted)


def test_declining_needs_a_plain_reason(world):
    s = scrutiny_world(world)
    with pytest.raises(ValidationError) as refused:
        services.decline_referral(referral=s.raised, reason="  ", user=world.admin)
    assert _errors(refused) == {"decline_reason": ["Give the reason for declining; the referrer reads it."]}
    declined = services.decline_referral(referral=s.raised, reason="Already reported in June.", user=world.admin)
    assert (declined.status, declined.decline_reason) == (rules.DECLINED, "Already reported in June.")


def test_an_outcome_of_performance_clinic_links_the_clinic(world):
    s = scrutiny_world(world)
    with pytest.raises(ValidationError) as refused:
        services.conclude_referral(
            referral=s.answered, outcome=rules.OUTCOME_CLINIC, note="", clinic=None, user=world.admin
        )
    assert _errors(refused) == {
        "clinic": ["Choose the performance clinic this referral goes to (create it first if needed)."]
    }
    with pytest.raises(ValidationError) as wrong:
        services.conclude_referral(
            referral=s.answered, outcome=rules.OUTCOME_CLOSED, note="", clinic=s.clinic, user=world.admin
        )
    assert _errors(wrong) == {
        "clinic": ["Only a referral whose outcome is a performance clinic is linked to a clinic."]
    }
    done = services.conclude_referral(
        referral=s.answered, outcome=rules.OUTCOME_CLINIC, note="Clinic in March.", clinic=s.clinic, user=world.admin
    )
    assert (done.status, done.outcome, done.clinic, done.outcome_by) == (
        rules.CONCLUDED,
        rules.OUTCOME_CLINIC,
        s.clinic,
        world.admin,
    )
    reasons = list(done.history.order_by("history_id").values_list("history_change_reason", "history_user__username"))
    assert reasons == [
        ("Raised", "dora"),
        ("Accepted and assigned", "alice"),
        ("Answered", "bob"),
        ("Outcome recorded", "alice"),
    ]


def test_a_clinic_creates_real_plan_actions_under_an_objective(world):
    s = scrutiny_world(world)
    objective = plan_world(world).objective
    action = services.create_clinic_action(
        clinic=s.clinic,
        objective=objective,
        code="H 1.9",
        title="Settling-in visit at six weeks",
        due_date=today() + datetime.timedelta(days=60),
        assigned_to=world.updater,
        user=world.manager,
    )
    assert (action.kind, action.parent, action.org_unit, action.assigned_to, action.managed_by) == (
        PlanItem.Kind.ACTION,
        objective,
        world.directorate,
        world.updater,
        world.manager,
    )
    assert list(s.clinic.created_actions.all()) == [action]
    with pytest.raises(ValidationError) as refused:
        services.create_clinic_action(
            clinic=s.clinic,
            objective=s.action,
            code="H 1.10",
            title="x",
            due_date=None,
            assigned_to=None,
            user=world.manager,
        )
    assert _errors(refused) == {"objective": ["H 1.1 is not an objective; choose the objective it serves."]}


def test_a_clinic_record_with_markup_is_refused(world):
    s = scrutiny_world(world)
    clinic = PerformanceClinic(
        topic="Voids", held_on=today(), org_unit=world.directorate, lead=world.manager, notes="<iframe src=x>"
    )
    with pytest.raises(ValidationError) as refused:
        services.save_clinic(clinic=clinic, attendees=[], indicators=[], actions=[], referrals=[], user=world.manager)
    assert _errors(refused) == {"notes": ["Write plain text: HTML tags and scripts are not accepted."]}
    assert PerformanceClinic.objects.filter(topic="Voids").count() == 0
    assert s.clinic.pk


def test_a_papers_deadline_after_the_meeting_is_refused(world):
    from scrutiny.models import BoardMeeting

    day = today() + datetime.timedelta(days=30)
    with pytest.raises(ValidationError) as refused:
        services.save_meeting(
            meeting=BoardMeeting(
                title="Board", org_unit=world.org, date=day, papers_deadline=day + datetime.timedelta(1)
            ),
            user=world.admin,
        )
    assert _errors(refused) == {"papers_deadline": ["The papers deadline must fall on or before the meeting date."]}
    with pytest.raises(ValidationError):
        services.save_meeting(
            meeting=BoardMeeting(title="Board", org_unit=world.org, date=day, papers_deadline=day), user=world.manager
        )


def test_factories_make_the_expected_states(world):
    s = scrutiny_world(world)
    assert [s.raised.status, s.accepted.status, s.answered.status] == [rules.RAISED, rules.ACCEPTED, rules.ANSWERED]
    assert accept and answer


def test_the_referrer_of_a_merged_referral_sees_and_is_told_of_the_answer_that_serves_it(world):
    s = scrutiny_world(world)
    other = services.raise_referral(
        kind="indicator", subject_id=s.indicator.pk, question="Same worry", meeting=None, user=world.updater
    )
    assert not Referral.objects.visible_to(world.updater).filter(pk=s.accepted.pk).exists()
    services.merge_referral(referral=other, into=s.accepted, user=world.admin)
    assert list(Referral.objects.visible_to(world.updater).filter(pk=s.accepted.pk)) == [s.accepted]
    services.answer_referral(referral=s.accepted, answer="Recovering by March.", files=[], user=world.manager)
    told = Notification.objects.filter(kind=services.ANSWERED, object_id=s.accepted.pk)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["alice", "charlie", "dora"]
