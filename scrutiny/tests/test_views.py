"""The scrutiny pages: what each shows, the forms' refusals, and constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pmf.access import is_admin
from reports.params import ReportContext, RunParameters
from scrutiny import report_sections, rules, services
from scrutiny.models import Referral
from scrutiny.tests.factories import accept, answer, raise_on, scrutiny_world

pytestmark = pytest.mark.django_db


def _queries(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def _more_referrals(world, count: int) -> None:
    s = scrutiny_world(world)
    for number in range(count):
        referral = raise_on(world, s.indicator, question=f"Question {number}", meeting=s.meeting)
        if number % 3 == 1:
            accept(world, referral)
        if number % 3 == 2:
            answer(world, accept(world, referral))


@pytest.mark.parametrize(
    ("url_name", "actor"),
    [
        ("work-programme", "admin"),
        ("work-programme", "manager"),
        ("referral-mine", "viewer"),
        ("referral-mine", "manager"),
        ("board-meeting-list", "admin"),
        ("home", "viewer"),
        ("home", "manager"),
    ],
)
def test_list_pages_read_a_constant_number_of_queries(world, client_for, url_name, actor, django_assert_num_queries):
    scrutiny_world(world)
    client = client_for(world.actor(actor))
    url = reverse(url_name)
    few, _ = _queries(client, url)
    _more_referrals(world, 12)
    many, _ = _queries(client, url)
    assert many == few
    with django_assert_num_queries(few):
        client.get(url)


def test_meeting_page_reads_a_constant_number_of_queries(world, client_for):
    s = scrutiny_world(world)
    client = client_for(world.admin)
    url = reverse("board-meeting-detail", kwargs={"pk": s.meeting.pk})
    few, _ = _queries(client, url)
    _more_referrals(world, 9)
    many, response = _queries(client, url)
    assert many == few
    assert len(response.context["pending"]) == 1 + 1 + 3 + 3


def test_clinic_list_and_page_read_a_constant_number_of_queries(world, client_for):
    s = scrutiny_world(world)
    client = client_for(world.manager)
    detail = reverse("clinic-detail", kwargs={"pk": s.clinic.pk})
    few_list, _ = _queries(client, reverse("clinic-list"))
    few_detail, _ = _queries(client, detail)
    for number in range(5):
        services.save_clinic(
            clinic=type(s.clinic)(
                topic=f"Clinic {number}", held_on=timezone.localdate(), org_unit=world.directorate, lead=world.manager
            ),
            attendees=[world.manager],
            indicators=[s.indicator],
            actions=[],
            referrals=[],
            user=world.manager,
        )
    _more_referrals(world, 4)
    services.save_clinic(
        clinic=s.clinic,
        attendees=[world.manager, world.updater, world.admin],
        indicators=[s.indicator],
        actions=[s.action],
        referrals=list(Referral.objects.all()),
        user=world.manager,
    )
    many_list, listing = _queries(client, reverse("clinic-list"))
    many_detail, page = _queries(client, detail)
    assert (many_list, many_detail) == (few_list, few_detail)
    assert len(listing.context["clinics"]) == 6
    assert len(page.context["referrals"]) == Referral.objects.count()


def test_work_programme_groups_open_referrals_by_meeting_with_status_and_age(world, client_for):
    s = scrutiny_world(world)
    loose = raise_on(world, s.indicator, question="No meeting yet")
    Referral.objects.filter(pk=s.raised.pk).update(raised_on=timezone.localdate() - datetime.timedelta(days=30))
    Referral.objects.filter(pk=s.accepted.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    response = client_for(world.admin).get(reverse("work-programme"))
    programme = response.context["programme"]
    assert [group.meeting for group in programme.groups] == [s.meeting, None]
    assert [row.referral.pk for row in programme.groups[0].rows] == [s.raised.pk, s.accepted.pk, s.answered.pk]
    assert [(row.age, row.band, row.overdue) for row in programme.groups[0].rows] == [
        (30, "4 to 8 weeks", False),
        (0, "Under 2 weeks", True),
        (0, "Under 2 weeks", False),
    ]
    assert [row.referral.pk for row in programme.groups[1].rows] == [loose.pk]
    assert (programme.total, programme.shown, programme.truncated) == (4, 4, False)
    assert programme.by_status == [
        ("Raised, awaiting triage", 2),
        ("Accepted, with the service", 1),
        ("Answered, awaiting review", 1),
    ]
    filtered = client_for(world.admin).get(reverse("work-programme"), {"status": "accepted"}).context["programme"]
    assert [row.referral.pk for group in filtered.groups for row in group.rows] == [s.accepted.pk]
    assert "Overdue" in response.content.decode()


def test_a_viewer_raises_a_referral_through_the_form_and_sees_it_in_my_referrals(world, client_for):
    s = scrutiny_world(world)
    client = client_for(world.viewer)
    url = reverse("referral-raise", kwargs={"kind": "indicator", "pk": s.indicator.pk})
    response = client.post(url, {"question": "Why has collection dropped?", "meeting": s.meeting.pk})
    referral = Referral.objects.get(question="Why has collection dropped?")
    assert response.status_code == 302 and response["Location"] == referral.get_absolute_url()
    mine = client.get(reverse("referral-mine"))
    assert [r.pk for r in mine.context["raised"]] == [referral.pk, s.answered.pk, s.accepted.pk, s.raised.pk]


def test_the_raise_form_names_the_field_when_text_holds_script(world, client_for):
    s = scrutiny_world(world)
    before = Referral.objects.count()
    url = reverse("referral-raise", kwargs={"kind": "indicator", "pk": s.indicator.pk})
    response = client_for(world.viewer).post(url, {"question": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "question": ["Write plain text: HTML tags and scripts are not accepted."]
    }
    assert Referral.objects.count() == before


def test_the_accept_form_refuses_a_past_due_date_by_name(world, client_for):
    s = scrutiny_world(world)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client_for(world.admin).post(
        reverse("referral-accept", kwargs={"pk": s.raised.pk}),
        {"assigned_to": world.manager.pk, "due_on": yesterday.isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "due_on": [f"The due date {yesterday:%-d %B %Y} is in the past; choose today or a later date."]
    }
    assert Referral.objects.get(pk=s.raised.pk).status == rules.RAISED


def test_an_answer_is_shown_escaped_to_the_referrer(world, client_for):
    s = scrutiny_world(world)
    Referral.objects.filter(pk=s.answered.pk).update(answer="Rent < £100 & rising")
    page = client_for(world.viewer).get(reverse("referral-detail", kwargs={"pk": s.answered.pk})).content.decode()
    assert "Rent &lt; £100 &amp; rising" in page
    assert "Answered, awaiting review" in page


def test_the_detail_page_offers_each_person_only_their_step(world, client_for):
    s = scrutiny_world(world)
    for actor, pk, triage, can_answer, conclude in [
        ("admin", s.raised.pk, True, False, False),
        ("admin", s.answered.pk, False, False, True),
        ("manager", s.accepted.pk, False, True, False),
        ("viewer", s.accepted.pk, False, False, False),
    ]:
        context = client_for(world.actor(actor)).get(reverse("referral-detail", kwargs={"pk": pk})).context
        assert (context["can_triage"], context["can_answer"], context["can_conclude"]) == (triage, can_answer, conclude)


def test_the_briefing_lists_the_referrals_a_board_member_raised(world, client_for):
    s = scrutiny_world(world)
    page = client_for(world.viewer).get(reverse("home"))
    blocks = page.context["sections"]
    assert [block["section"].title for block in blocks] == ["Referrals"]
    assert [r.pk for r in blocks[0]["items"]["raised"]] == [s.answered.pk, s.accepted.pk, s.raised.pk]
    assert "Answered, awaiting review" in page.content.decode()


def test_my_work_lists_referrals_to_answer_for_the_manager(world, client_for):
    s = scrutiny_world(world)
    page = client_for(world.manager).get(reverse("home"))
    block = next(b for b in page.context["sections"] if b["section"].title == "Referrals")
    assert [r.pk for r in block["items"]["to_answer"]] == [s.accepted.pk]


def test_raise_links_on_the_pi_action_and_scorecard_pages(world, client_for):
    s = scrutiny_world(world)
    pi_page = client_for(world.manager).get(s.indicator.get_absolute_url()).content.decode()
    assert reverse("referral-raise", kwargs={"kind": "indicator", "pk": s.indicator.pk}) in pi_page
    action_page = client_for(world.updater).get(s.action.get_absolute_url()).content.decode()
    assert reverse("referral-raise", kwargs={"kind": "action", "pk": s.action.pk}) in action_page
    scorecard_page = client_for(world.viewer).get(s.scorecard.get_absolute_url()).content.decode()
    assert reverse("referral-raise", kwargs={"kind": "section", "pk": s.section.pk}) in scorecard_page


def _report_context(world, user, period):
    return ReportContext(
        params=RunParameters(kind="board", title="Board", period=period), user=user, today=timezone.localdate()
    )


def test_the_report_section_lists_referrals_answered_or_concluded_in_the_quarter(world, django_assert_num_queries):
    s = scrutiny_world(world)
    period = timezone.localdate().replace(day=1)
    services.conclude_referral(
        referral=s.answered, outcome=rules.OUTCOME_SERVICE_REVIEW, note="Review in Q4.", clinic=None, user=world.admin
    )
    second = answer(world, accept(world, raise_on(world, s.indicator, question="Second")))
    context = _report_context(world, world.admin, period)
    with django_assert_num_queries(1):
        blocks = report_sections.referral_outcome_blocks(context)
    paragraph, figures, table = blocks
    assert paragraph.text.endswith(": 2, of which 1 await their outcome.")
    assert [(f.label, f.value) for f in figures.items] == [
        ("Answered: reported back to the Board", "0"),
        ("Referred to a performance clinic", "0"),
        ("Referred for a service review", "1"),
        ("Closed without further action", "0"),
    ]
    assert [row[1] for row in table.rows] == ["How many evictions?", "Second"]
    assert table.rows[0][5] == "Referred for a service review: Review in Q4."
    assert table.rows[1][5] == "Answered, outcome to be recorded"
    assert second.pk
    last_year = _report_context(world, world.admin, period.replace(year=period.year - 1))
    assert report_sections.referral_outcome_blocks(last_year) == []
    assert report_sections.referral_outcome_blocks(_report_context(world, world.outsider, period)) == []
    assert is_admin(world.admin)


def test_referral_page_reads_a_constant_number_of_queries(world, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    s = scrutiny_world(world)
    url = reverse("referral-detail", kwargs={"pk": s.accepted.pk})
    client = client_for(world.admin)
    few, _ = _queries(client, url)
    for number in range(4):
        other = raise_on(world, s.indicator, question=f"Also {number}", user=world.updater)
        services.merge_referral(referral=other, into=s.accepted, user=world.admin)
    files = [SimpleUploadedFile(f"note{n}.txt", b"Figures by patch\n") for n in range(3)]
    services.answer_referral(referral=s.accepted, answer="See the notes.", files=files, user=world.manager)
    many, response = _queries(client, url)
    assert many == few
    assert (len(response.context["merged"]), len(response.context["attachments"])) == (4, 3)
    assert [entry.reason for entry in response.context["history"]] == ["Answered", "Accepted and assigned", "Raised"]
