"""Scheduled runs: which month is due when (after the edition is issued), one run per definition
and period however often the schedule is triggered (also on a real worker), and one e-mail per
recipient with a link to the run page, never the file."""

import datetime
import time

import pytest
from django.core import mail
from django.db import connection

from cycle.models import ReportingCalendar
from cycle.rules import CalendarDays
from cycle.tests.test_celery_cycle import Processes
from reports import services
from reports.models import ReportDefinition, ReportRun, Schedule
from reports.tests.access_urls import make_definition

D = datetime.date


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def celery_processes(tmp_path, settings):
    """Celery workers on a private queue, on the test database, stopped after the test."""
    found = Processes(tmp_path, {})
    yield found
    found.stop()


@pytest.mark.parametrize(
    ("schedule", "day", "today", "expected"),
    [
        (Schedule.MONTHLY, 18, D(2026, 10, 17), D(2026, 8, 1)),  # September's run is on 18 October
        (Schedule.MONTHLY, 18, D(2026, 10, 18), D(2026, 9, 1)),
        (Schedule.MONTHLY, 10, D(2026, 10, 15), D(2026, 8, 1)),  # never before the edition (16th)
        (Schedule.MONTHLY, 10, D(2026, 10, 16), D(2026, 9, 1)),
        (Schedule.MONTHLY, 31, D(2026, 12, 30), D(2026, 10, 1)),  # 31st of a 30-day month...
        (Schedule.MONTHLY, 31, D(2026, 11, 30), D(2026, 10, 1)),  # ...is its last day
        (Schedule.QUARTERLY, 23, D(2026, 10, 22), D(2026, 6, 1)),  # Q2 (Jul-Sep) not yet
        (Schedule.QUARTERLY, 23, D(2026, 10, 23), D(2026, 9, 1)),
        (Schedule.QUARTERLY, 23, D(2026, 12, 1), D(2026, 9, 1)),
        (Schedule.QUARTERLY, 1, D(2027, 4, 16), D(2027, 3, 1)),  # the year's last quarter
        (Schedule.NONE, None, D(2026, 10, 23), None),
    ],
)
def test_the_month_due_follows_the_schedule_day_and_the_edition_day(schedule, day, today, expected):
    definition = ReportDefinition(schedule=schedule, schedule_day=day)

    assert services.scheduled_period(definition, CalendarDays(), today) == expected


def test_a_later_scorecard_day_holds_the_run_back():
    definition = ReportDefinition(schedule=Schedule.MONTHLY, schedule_day=18)
    late = CalendarDays(scorecards=20, executive_review=21, service_review=23)

    assert services.scheduled_period(definition, late, D(2026, 10, 19)) == D(2026, 8, 1)
    assert services.scheduled_period(definition, late, D(2026, 10, 20)) == D(2026, 9, 1)


@pytest.mark.django_db
def test_the_schedule_makes_one_run_per_period_and_emails_a_link_once(
    world, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://performance.example.org"
    definition = make_definition(
        "Housing exceptions",
        unit=world.directorate,
        author=world.manager,
        schedule=Schedule.MONTHLY,
        schedule_day=18,
        recipients=[world.manager, world.updater],
    )
    make_definition("By hand", unit=world.directorate, author=world.manager)
    ReportingCalendar.objects.create(org_unit=world.group)

    with django_capture_on_commit_callbacks(execute=True):
        first = services.run_schedule(today=D(2026, 10, 18))
    with django_capture_on_commit_callbacks(execute=True):
        second = services.run_schedule(today=D(2026, 10, 19))

    run = ReportRun.objects.get()
    assert first == [run]
    assert second == []
    assert (run.definition, run.period, run.trigger, run.requested_by) == (
        definition,
        D(2026, 9, 1),
        ReportRun.Trigger.SCHEDULE,
        world.manager,
    )
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.notified_at is not None
    link = f"https://performance.example.org/reports/runs/{run.pk}/"
    assert sorted(message.to[0] for message in mail.outbox) == ["bob@example.org", "charlie@example.org"]
    for message in mail.outbox:
        assert message.subject == "Housing exceptions: Sep 2026 is ready"
        assert link in message.body
        assert message.attachments == []
    assert services.notify_recipients(run_id=run.pk) == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_recipients_are_told_later_when_the_mail_server_is_down(world, settings):
    from cycle.tests.test_smtp import free_port

    definition = make_definition(
        "Housing exceptions",
        unit=world.directorate,
        author=world.manager,
        schedule=Schedule.MONTHLY,
        schedule_day=18,
        recipients=[world.manager],
    )
    run = ReportRun.objects.create(
        definition=definition,
        requested_by=world.manager,
        period=D(2026, 9, 1),
        parameters=definition.to_parameters(D(2026, 9, 1)).as_dict(),
        trigger=ReportRun.Trigger.SCHEDULE,
        status=ReportRun.Status.DONE,
    )
    locmem = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 1},  # nothing listens there
        }
    }
    assert services.notify_recipients(run_id=run.pk) == 0
    run.refresh_from_db()
    assert run.notified_at is None

    settings.MAILERS = locmem
    assert services.notify_pending() == 1
    assert services.notify_pending() == 0
    assert [message.to for message in mail.outbox] == [["bob@example.org"]]


@pytest.mark.django_db
def test_a_rerun_by_hand_of_a_scheduled_period_is_a_new_run(world, django_capture_on_commit_callbacks):
    definition = make_definition(
        "Housing exceptions", unit=world.directorate, author=world.manager, schedule="monthly", schedule_day=18
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.run_schedule(today=D(2026, 10, 18))
        services.start_run(definition=definition, period=D(2026, 9, 1), user=world.manager)
        services.schedule_run(definition=definition, period=D(2026, 9, 1))

    assert sorted(ReportRun.objects.values_list("trigger", flat=True)) == ["manual", "schedule"]


@pytest.mark.django_db
def test_a_definition_whose_author_left_is_not_scheduled(world):
    definition = make_definition(
        "Housing exceptions", unit=world.directorate, author=world.manager, schedule="monthly", schedule_day=18
    )
    world.manager.is_active = False
    world.manager.save()

    assert services.run_schedule(today=D(2026, 10, 18)) == []
    assert services.schedule_run(definition=definition, period=D(2026, 9, 1)) == (None, False)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_scheduled_run_once_when_triggered_twice(world, celery_processes):
    from reports.tasks import run_schedule

    assert connection.vendor == "postgresql"
    make_definition(
        "Housing exceptions", unit=world.directorate, author=world.manager, schedule="monthly", schedule_day=1
    )
    found = celery_processes
    found.worker(pool="prefork", concurrency=2)

    first = run_schedule.apply_async(queue=found.queue)
    second = run_schedule.apply_async(queue=found.queue)
    answers = [first.get(timeout=120), second.get(timeout=120)]

    runs = list(ReportRun.objects.all())
    assert len(runs) == 1, found.logs()
    assert sorted(len(answer["made"]) for answer in answers) == [0, 1]
    deadline = time.monotonic() + 120
    while ReportRun.objects.get().status in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.DONE, f"{run.error}\n{found.logs()}"
    assert run.trigger == ReportRun.Trigger.SCHEDULE
    assert run.pdf.read().startswith(b"%PDF-")
