"""Report runs: made through the render task (in process here), their files read back, reruns,
failures that leave the next runs unaffected, refused scopes and the sweeper of stuck runs."""

import datetime
import io

import docx
import pypdf
import pytest
from django.core.exceptions import PermissionDenied
from django.template import Template
from django.utils import timezone

from pmf.registry import REPORT_SECTIONS, ReportSection
from reports import services
from reports.models import ReportRun
from reports.tasks import render_run, sweep
from reports.tests.access_urls import PERIOD, make_definition, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def definition(world):
    return make_definition("Housing exceptions", unit=world.directorate, author=world.manager)


def start(definition, user, django_capture_on_commit_callbacks, period=PERIOD) -> ReportRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(definition=definition, period=period, user=user)
    run.refresh_from_db()
    return run


def test_a_run_keeps_its_pdf_word_and_web_versions(world, definition, django_capture_on_commit_callbacks):
    run = start(definition, world.manager, django_capture_on_commit_callbacks)

    assert run.status == ReportRun.Status.DONE, run.error
    assert run.trigger == ReportRun.Trigger.MANUAL
    assert run.attempts == 1
    assert run.parameters == definition.to_parameters(PERIOD).as_dict()
    assert run.parameters["sections"], "a definition without sections runs its kind's defaults"
    pdf = run.pdf.read()
    assert pdf.startswith(b"%PDF-")
    assert run.size == len(pdf)
    assert run.pages == len(pypdf.PdfReader(io.BytesIO(pdf)).pages) >= 1
    assert run.sections_done == run.sections_total == len(run.parameters["sections"])
    assert run.duration is not None and run.duration > 0
    assert run.started_at <= run.finished_at
    word = docx.Document(io.BytesIO(run.docx.read()))
    assert any("Housing exceptions" in paragraph.text for paragraph in word.paragraphs)
    web = run.html.read().decode()
    assert web.startswith('<div class="report-web"')
    assert "Sep 2026 · Housing" in web
    assert run.pdf.name.startswith("reports/2026-09/housing-exceptions-2026-09-run")


def test_a_rerun_is_a_new_run_and_the_first_files_never_change(world, definition, django_capture_on_commit_callbacks):
    first = start(definition, world.manager, django_capture_on_commit_callbacks)
    first_name, first_bytes = first.pdf.name, first.pdf.read()

    second = start(definition, world.manager, django_capture_on_commit_callbacks)
    render_run.apply(kwargs={"run_id": first.pk})  # a second delivery of the first run's task

    first.refresh_from_db()
    assert second.pk != first.pk
    assert second.status == ReportRun.Status.DONE
    assert second.pdf.name != first_name
    assert (first.pdf.name, first.pdf.read(), first.attempts) == (first_name, first_bytes, 1)
    assert ReportRun.objects.filter(definition=definition).count() == 2


def _broken_section(context):
    Template("{% if %}")  # a template error inside a section
    return []


def test_a_template_error_fails_the_run_with_its_message_and_the_next_run_is_made(
    world, definition, django_capture_on_commit_callbacks
):
    broken = ReportSection("broken-for-test", "Broken section", _broken_section, order=999)
    REPORT_SECTIONS.register(broken)
    try:
        definition.sections = ["broken-for-test"]
        definition.save()
        failed = start(definition, world.manager, django_capture_on_commit_callbacks)
    finally:
        REPORT_SECTIONS.remove(broken)
    definition.sections = []
    definition.save()
    following = start(definition, world.manager, django_capture_on_commit_callbacks)

    assert failed.status == ReportRun.Status.FAILED
    assert failed.error == (
        "The report could not be made: TemplateSyntaxError: Unexpected end of expression in if tag."
    )
    assert not failed.pdf and failed.pages is None
    assert failed.finished_at is not None
    assert following.status == ReportRun.Status.DONE


def test_a_scope_the_runner_may_not_see_is_refused_with_a_message(world, django_capture_on_commit_callbacks):
    definition = make_definition(
        "Beta report", unit=world.directorate, author=world.manager, scope_unit=world.other_group
    )
    with pytest.raises(PermissionDenied) as refused:
        services.start_run(definition=definition, period=PERIOD, user=world.manager)
    assert str(refused.value) == "You cannot run this report: you may not see its organisation unit."
    assert not ReportRun.objects.exists()


def test_a_run_whose_scope_was_taken_away_fails_with_the_reason(world, definition):
    run = make_run(definition, user=world.updater)
    world.updater.org_unit = None
    world.updater.save()

    render_run.apply(kwargs={"run_id": run.pk})

    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert run.error == "You cannot run this report: you may not see its organisation unit."


def test_a_period_without_data_makes_a_report_that_says_so(world, definition, django_capture_on_commit_callbacks):
    run = start(definition, world.manager, django_capture_on_commit_callbacks, period=datetime.date(2001, 1, 1))

    assert run.status == ReportRun.Status.DONE, run.error
    assert "Nothing to report" in run.html.read().decode()


def test_the_sweeper_requeues_a_stuck_run_and_fails_one_out_of_attempts(
    world, definition, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - services.STUCK_AFTER - datetime.timedelta(minutes=1)
    stuck = make_run(definition, user=world.manager, status=ReportRun.Status.RUNNING, started_at=long_ago, attempts=1)
    spent = make_run(
        definition,
        user=world.manager,
        status=ReportRun.Status.RUNNING,
        started_at=long_ago,
        attempts=services.MAX_ATTEMPTS,
    )
    recent = make_run(definition, user=world.manager, status=ReportRun.Status.RUNNING, started_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        outcome = sweep.apply().get()

    assert outcome == {"requeued": 1, "failed": 1, "notified": 0}
    stuck.refresh_from_db()
    spent.refresh_from_db()
    recent.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (ReportRun.Status.DONE, 2)
    assert spent.status == ReportRun.Status.FAILED
    assert spent.error == f"The worker stopped {services.MAX_ATTEMPTS} times before the report was ready."
    assert recent.status == ReportRun.Status.RUNNING


def test_a_run_delivered_after_its_last_attempt_fails_rather_than_running_again(world, definition):
    run = make_run(definition, user=world.manager, status=ReportRun.Status.RUNNING, attempts=services.MAX_ATTEMPTS)

    render_run.apply(kwargs={"run_id": run.pk})

    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert run.attempts == services.MAX_ATTEMPTS + 1
    assert run.error.startswith(f"Stopped after {services.MAX_ATTEMPTS} attempts")


def test_progress_is_saved_section_by_section(world, definition):
    run = make_run(definition, user=world.manager)
    seen = []
    writer = services.progress_writer(run.pk)
    for done in (1, 2, 3):
        writer(done, 3, f"Section {done}")
        run.refresh_from_db()
        seen.append((run.sections_done, run.sections_total, run.current_label, run.percent))
    assert seen == [(1, 3, "Section 1", 33), (2, 3, "Section 2", 66), (3, 3, "Section 3", 100)]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_is_replaced_and_the_run_ends_done_once(world, tmp_path, settings):
    """SIGKILL while the report is being made: the task is not acknowledged, Redis hands it to the
    new worker after the visibility timeout, and the run is made on the second attempt."""
    import signal
    import time

    from cycle.tests.test_celery_cycle import Processes

    definition = make_definition("Alpha Board dossier", unit=world.org, author=world.admin, kind="board")
    run = make_run(definition, user=world.admin)
    found = Processes(
        tmp_path,
        {"CELERY_TASK_SOFT_TIME_LIMIT": "60", "CELERY_TASK_TIME_LIMIT": "70", "CELERY_VISIBILITY_TIMEOUT": "75"},
    )
    try:
        first = found.worker()
        render_run.apply_async(kwargs={"run_id": run.pk}, queue=found.queue)
        deadline = time.monotonic() + 60
        while ReportRun.objects.get(pk=run.pk).status == ReportRun.Status.QUEUED and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        run.refresh_from_db()
        assert (run.status, run.attempts) == (ReportRun.Status.RUNNING, 1), found.logs()
        found.worker()
        deadline = time.monotonic() + 240
        while not ReportRun.objects.get(pk=run.pk).is_finished and time.monotonic() < deadline:
            time.sleep(0.5)
        run.refresh_from_db()
        assert (run.status, run.attempts) == (ReportRun.Status.DONE, 2), f"{run.error}\n{found.logs()}"
        assert run.pdf.read().startswith(b"%PDF-")
    finally:
        found.stop()
