"""The cycle's pages: calendar, notifications, preferences, who is behind and chase now, the
failed list, and the calendar in the admin site."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from cycle import chase, services
from cycle.models import Chase, Digest, DigestPreference, FailedTask, Notification, ReportingCalendar
from cycle.tests.factories import group_calendar
from indicators.models import Measurement
from indicators.tests.factories import team_indicator
from pmf import periods
from pmf.registry import CHASE_SOURCES


def today():
    return timezone.localdate()


def due_period():
    return chase.reporting_month(today())


@pytest.fixture
def behind(world):
    """charlie misses this month's values of three PIs."""
    return [team_indicator(world, code=f"BH{n}", title=f"Measure {n}") for n in range(3)]


def notify(user, title, **extra):
    return Notification.objects.create(
        recipient=user, kind="values_due", key=f"k:{user.pk}:{title}", title=title, day=today(), url="/x/", **extra
    )


def test_calendar_page_shows_four_months_of_steps_and_what_falls_due(world, client_for, behind):
    group_calendar(world, service_review_day=31)
    response = client_for(world.updater).get(reverse("cycle-calendar"))
    months = response.context["months"]
    start = periods.month_start(today())
    assert [m["label"] for m in months] == [periods.add_months(start, i).strftime("%B %Y") for i in range(4)]
    first = months[1]
    assert [step["label"] for step in first["steps"]] == [
        "PI values due",
        "Commentary and approvals due",
        "Scorecards issued",
        "Values locked",
        "Executive review",
        "Service and tenant review",
    ]
    month_after = periods.add_months(start, 1)
    last_day = periods.add_months(month_after, 1) - datetime.timedelta(days=1)
    assert first["steps"][-1]["date"] == last_day  # day 31 falls on the month's last day
    assert first["owed"] == {"values": 3, "approvals": 0, "actions": 0}
    assert "values of 3 PIs" in response.content.decode()


def test_notifications_list_unread_count_in_the_header_and_mark_read(world, client_for):
    first = notify(world.updater, "Enter BH1")
    notify(world.updater, "Enter BH2")
    notify(world.manager, "Not charlie's")
    client = client_for(world.updater)
    page = client.get(reverse("cycle-notifications")).content.decode()
    assert 'Notifications <strong>(2<span class="visually-hidden"> unread</span>)</strong>' in page
    assert "Enter BH1" in page and "Not charlie&#x27;s" not in page
    client.post(reverse("cycle-notifications-read"), {"ids": [first.pk]})
    first.refresh_from_db()
    assert first.read_at is not None
    assert client.get(reverse("cycle-notifications")).context["unread"] == 1
    response = client.post(reverse("cycle-notifications-read"), {"all": "1"}, follow=True)
    assert "Marked 1 notification as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=world.updater, read_at__isnull=True).exists()


def test_marking_someone_elses_notification_is_refused(world, client_for):
    theirs = notify(world.manager, "Bob's")
    response = client_for(world.updater).post(reverse("cycle-notifications-read"), {"ids": [theirs.pk]}, follow=True)
    assert "Those notifications are not yours, or are read already." in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_nothing_says_what_to_do(world, client_for):
    notify(world.updater, "Enter BH1")
    response = client_for(world.updater).post(reverse("cycle-notifications-read"), {}, follow=True)
    assert "Tick the notifications to mark as read, or mark them all." in response.content.decode()


def test_preferences_choose_weekly_for_optional_reminders_only(world, client_for):
    client = client_for(world.updater)
    page = client.get(reverse("cycle-preferences")).content.decode()
    assert "they cannot be switched off" in page
    response = client.post(reverse("cycle-preferences"), {"frequency": "weekly", "weekday": "4"})
    assert response.status_code == 302
    preference = DigestPreference.objects.get(user=world.updater)
    assert (preference.frequency, preference.weekday) == ("weekly", 4)
    bad = client.post(reverse("cycle-preferences"), {"frequency": "never", "weekday": "9"})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"frequency", "weekday"}


def test_who_is_behind_counts_per_unit_and_person_and_drills_down(world, client_for, behind):
    Measurement.objects.create(indicator=behind[0], period=due_period(), value=Decimal("70"), status="red")
    client = client_for(world.manager)
    response = client.get(reverse("cycle-behind"))
    assert response.context["current"] == world.directorate
    # the built-in columns, then one per chase source the modules register (none behind here)
    sources = [source.kind for source in CHASE_SOURCES]
    assert [key for key, _ in response.context["categories"]] == ["missing", "red", "approval", "action", *sources]
    none = [0] * len(sources)
    (row,) = response.context["unit_rows"]
    assert (row["unit"], row["counts"], row["total"]) == (world.service, [2, 1, 1, 0, *none], 4)
    people = {r["person"].username: r["counts"] for r in response.context["person_rows"]}
    assert people == {"charlie": [2, 1, 0, 0, *none], "bob": [0, 0, 1, 0, *none]}
    deeper = client.get(reverse("cycle-behind"), {"unit": world.team.pk})
    assert deeper.context["unit_rows"][0]["unit"] is None  # the team's own PIs, no units below
    assert deeper.context["ancestors"] == [world.directorate, world.service]
    outside = client.get(reverse("cycle-behind"), {"unit": world.other_group.pk})
    assert outside.status_code == 404


def test_who_is_behind_takes_the_same_number_of_queries_for_one_or_many(world, client_for):
    client = client_for(world.admin)
    team_indicator(world, code="Q1")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("cycle-behind"))
    for number in range(2, 40):
        person = make_user(f"u{number}", "updater", world.team, line_manager=world.manager)
        team_indicator(world, code=f"Q{number}", updater=person)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("cycle-behind"))
    assert response.context["people_behind"] == 39
    assert len(many) == len(one)


def test_the_person_page_lists_the_items_and_chase_now_sends_once_a_day(
    world, client_for, behind, django_capture_on_commit_callbacks
):
    client = client_for(world.manager)
    url = reverse("cycle-behind-person", kwargs={"pk": world.updater.pk})
    page = client.get(url)
    assert [(label, [i.code for i in items]) for label, items in page.context["sections"] if items] == [
        ("Values missing", ["BH0", "BH1", "BH2"])
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cycle-chase", kwargs={"pk": world.updater.pk}), follow=True)
    assert "Sent Charlie Updater a reminder of 3 items." in response.content.decode()
    (sent,) = mail.outbox
    assert sent.to == ["charlie@example.org"]
    assert sent.subject == "Bob Manager asks you to catch up on 3 items"
    assert "BH0 Measure 0" in sent.body and "http://localhost:8000/indicators/" in sent.body
    assert Digest.objects.get(kind="chase").status == Digest.Status.SENT
    again = client_for(world.admin).post(reverse("cycle-chase", kwargs={"pk": world.updater.pk}), follow=True)
    at = timezone.localtime(Chase.objects.get().at).strftime("%H:%M")
    assert f"Charlie Updater was already chased today, at {at} by Bob Manager." in again.content.decode()
    assert len(mail.outbox) == 1
    assert Chase.objects.count() == 1


def test_nobody_is_chased_for_nothing(world, client_for):
    response = client_for(world.manager).post(reverse("cycle-chase", kwargs={"pk": world.updater.pk}), follow=True)
    assert "Charlie Updater is not behind on anything." in response.content.decode()
    assert not Chase.objects.exists() and mail.outbox == []


def test_chase_is_refused_to_those_who_may_not_and_logs_nothing(world, client_for, behind):
    url = reverse("cycle-chase", kwargs={"pk": world.updater.pk})
    assert client_for(world.viewer).post(url).status_code == 403
    assert client_for(world.updater).post(url).status_code == 403
    assert client_for(world.outsider).post(url).status_code == 404
    assert not Chase.objects.exists() and mail.outbox == []


def test_the_failed_list_shows_failed_tasks_jobs_and_undelivered_mail(world, client_for):
    FailedTask.objects.create(task_name="cycle.daily", error="OperationalError: server closed the connection")
    Digest.objects.create(
        recipient=world.updater, day=today(), status=Digest.Status.FAILED, error="Not sent: SMTPDataError"
    )
    page = client_for(world.admin).get(reverse("cycle-failed")).content.decode()
    assert "OperationalError: server closed the connection" in page
    assert "Charlie Updater &lt;charlie@example.org&gt;" in page and "Not sent: SMTPDataError" in page


def test_an_impossible_calendar_is_refused_in_the_admin_site_naming_the_field(world, client_for):
    # The admin site is the platform operator's; the performance team edits calendars on the
    # calendar's own page (test_calendar_edit.py), with the same messages.
    operator = make_user("operator", "viewer", None, is_superuser=True)
    data = {
        "org_unit": world.org.pk,
        "values_due_day": "14",
        "approvals_due_day": "15",
        "scorecards_day": "10",
        "executive_review_day": "20",
        "service_review_day": "23",
        "lock_values": "on",
        "lock_day": "",
        "reminder_lead_days": "3",
        "escalate_manager_after_days": "3",
        "escalate_director_after_days": "7",
        "action_due_soon_days": "7",
        "action_stale_days": "30",
        "overrides-TOTAL_FORMS": "1",
        "overrides-INITIAL_FORMS": "0",
        "overrides-0-month": "2026-03-01",
        "overrides-0-step": "values_due",
        "overrides-0-date": "2026-03-20",
    }
    response = client_for(operator).post(reverse("admin:cycle_reportingcalendar_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["scorecards_day"] == [
        "Scorecards issued on day 10 would come before commentary and approvals due (day 15); choose day 15 or later."
    ]
    assert not ReportingCalendar.objects.exists()
    data["scorecards_day"] = "16"
    response = client_for(operator).post(reverse("admin:cycle_reportingcalendar_add"), data)
    assert response.context["inline_admin_formsets"][0].formset.errors[0]["date"] == [
        "PI values due for Mar 2026 must fall after the month ends (on or after 1 Apr 2026)."
    ]
    data["overrides-0-date"] = "2026-04-13"
    response = client_for(operator).post(reverse("admin:cycle_reportingcalendar_add"), data)
    assert response.status_code == 302
    assert services.Calendars.load().for_unit(world.team).deadline(datetime.date(2026, 3, 1)) == datetime.date(
        2026, 4, 13
    )


def test_the_performance_team_sees_who_has_no_line_manager_or_no_email(world, client_for, behind):
    world.updater.line_manager = None
    world.updater.email = ""
    world.updater.save()
    html = client_for(world.admin).get(reverse("cycle-behind")).content.decode()
    person = reverse("cycle-behind-person", kwargs={"pk": world.updater.pk})
    assert (
        f'No line manager (escalations come to the performance team): <a href="{person}">Charlie Updater</a>.'
    ) in html
    assert f'No e-mail address (reminders only in the app): <a href="{person}">Charlie Updater</a>.' in html
    assert (
        "People the reminders cannot reach"
        not in client_for(world.manager).get(reverse("cycle-behind")).content.decode()
    )


def test_the_notification_list_takes_the_same_number_of_queries_for_one_or_many(world, client_for):
    client = client_for(world.updater)
    notify(world.updater, "First")
    with CaptureQueriesContext(connection) as one:
        first = client.get(reverse("cycle-notifications"))
    for number in range(30):
        notify(world.updater, f"More {number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("cycle-notifications"))
    assert (len(first.context["page"].object_list), len(response.context["page"].object_list)) == (1, 31)
    assert len(many) == len(one)


def test_the_failed_list_takes_the_same_number_of_queries_for_one_or_many_and_who_is_behind_links_it(world, client_for):
    from cycle.models import Job

    def fail_some(start, count):
        for number in range(start, start + count):
            person = make_user(f"f{number}", "updater", world.team)
            FailedTask.objects.create(task_name="cycle.daily", error=f"Error {number}")
            Job.objects.create(kind="indicator-values", user=person, file_name=f"{number}.csv", status="failed")
            Digest.objects.create(recipient=person, day=today(), status=Digest.Status.FAILED, error="Not sent")

    client = client_for(world.admin)
    fail_some(0, 1)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("cycle-failed"))
    fail_some(1, 20)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("cycle-failed"))
    assert [len(response.context[name]) for name in ("tasks", "jobs", "digests")] == [21, 21, 21]
    assert len(many) == len(one)
    link = f'<a href="{reverse("cycle-failed")}">Failed background tasks and e-mails not delivered</a>'
    assert link in client.get(reverse("cycle-behind")).content.decode()
    assert link not in client_for(world.manager).get(reverse("cycle-behind")).content.decode()
