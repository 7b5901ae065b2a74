"""Large imports as background jobs: the upload is stored, the job page shows progress and then
the result with every row error; a job finishes once."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cycle import jobs
from cycle.models import Job
from cycle.tests.factories import job_of
from indicators.models import ImportRun, Measurement
from indicators.tests.factories import team_indicator
from plans.models import PlanItem


@pytest.fixture(autouse=True)
def _small_background_threshold(settings, tmp_path):
    settings.IMPORT_BACKGROUND_BYTES = 10
    settings.MEDIA_ROOT = tmp_path


VALUES = b"code,period,value\nJOB01,2025-01-01,91\nJOB01,2025-02-01,92\nJOB01,2025-03-01,93\n"


def test_a_large_values_import_becomes_a_job_and_its_page_shows_the_result(
    world, client_for, django_capture_on_commit_callbacks
):
    team_indicator(world, code="JOB01")
    client = client_for(world.updater)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("indicator-import"),
            {"kind": "values", "commit": "on", "file": SimpleUploadedFile("values.csv", VALUES, "text/csv")},
        )
    job = Job.objects.get()
    assert response["Location"] == reverse("cycle-job", kwargs={"pk": job.pk})
    assert (job.kind, job.status, job.rows_total, job.attempts) == ("indicator-values", "done", 3, 1)
    assert job.result == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "committed": True,
        "error_count": 0,
        "errors": [],
    }
    assert Measurement.objects.count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "Imported 3 rows: 3 added, 0 updated." in page
    assert "hx-get" not in page  # finished: no more polling


def test_row_errors_show_on_the_job_page_and_nothing_is_saved(world, client_for, django_capture_on_commit_callbacks):
    team_indicator(world, code="JOB01")
    data = b"code,period,value\nJOB01,2025-01-01,91\nNOPE,2025-01-01,1\nJOB01,2025-02-15,3\n"
    client = client_for(world.updater)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("indicator-import"),
            {"kind": "values", "commit": "on", "file": SimpleUploadedFile("values.csv", data, "text/csv")},
        )
    html = client.get(response["Location"]).content.decode()
    assert "2 errors, nothing saved" in html
    assert "&#x27;NOPE&#x27; is not a PI you can update." in html
    assert "15 Feb 2025 is not a monthly period of JOB01; use 01 Feb 2025 (Feb 2025)." in html
    assert not Measurement.objects.exists()


def test_a_running_job_polls_its_progress(world, client_for):
    job = job_of(world.updater, data=VALUES)
    jobs.Progress(job.pk, 3)(2)
    html = client_for(world.updater).get(reverse("cycle-job-progress", kwargs={"pk": job.pk})).content.decode()
    assert f'hx-get="/cycle/jobs/{job.pk}/progress/"' in html
    assert '<progress id="job-progress" max="3" value="2">66%</progress>' in html


def test_a_finished_job_delivered_again_changes_nothing(world):
    team_indicator(world, code="JOB01")
    job = job_of(world.updater, data=VALUES)
    jobs.run(job_id=job.pk)
    jobs.run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1)
    assert ImportRun.objects.count() == 1
    assert list(Measurement.objects.order_by("period").values_list("value", flat=True)) == [
        Decimal("91"),
        Decimal("92"),
        Decimal("93"),
    ]


def test_a_job_whose_worker_keeps_dying_is_failed_after_its_attempts(world):
    job = job_of(world.updater, data=VALUES)
    Job.objects.filter(pk=job.pk).update(attempts=jobs.MAX_ATTEMPTS, status="running")
    jobs.run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "Stopped after 3 attempts: the worker stopped each time before it finished."
    assert not Measurement.objects.exists()


def test_an_unreadable_file_is_reported_on_the_job_page(world, client_for):
    job = job_of(world.updater, name="values.xlsx", data=b"not a workbook")
    jobs.run(job_id=job.pk)
    html = client_for(world.updater).get(reverse("cycle-job", kwargs={"pk": job.pk})).content.decode()
    assert "The file is not a readable Excel workbook (BadZipFile)." in html


def test_a_large_plan_import_becomes_a_job(world, plans, client_for, django_capture_on_commit_callbacks):
    data = (
        b"code,parent_code,kind,title,org_unit,assigned_to,planned_start,due_date,weight,priority\n"
        b"H 2,SDP H,objective,Cut void times,alpha-housing,,,,,\n"
        b"H 2.1,H 2,action,Weekly void meetings,alpha-rents,charlie,2026-01-01,31/03/2026,2,high\n"
    )
    client = client_for(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plan-import"), {"file": SimpleUploadedFile("plan.csv", data), "commit": "1"})
    assert "Imported 2 rows: 2 added, 0 updated." in client.get(response["Location"]).content.decode()
    assert PlanItem.objects.get(code="H 2.1").due_date == datetime.date(2026, 3, 31)
    assert Job.objects.get().result["changes"] == [
        [2, "H 2", "Cut void times", "create"],
        [3, "H 2.1", "Weekly void meetings", "create"],
    ]


def test_a_job_that_fails_is_on_the_admins_failed_list(world, client_for):
    from cycle.tasks import run_job

    def broken(job, upload, progress):
        raise RuntimeError("the disk is full")

    kind = jobs.JobKind("broken", "Broken import", broken, "home")
    jobs.JOB_KINDS.register(kind)
    job = job_of(world.updater, kind="broken", data=VALUES)
    try:
        # As a worker runs it: the failure is recorded, not raised to the caller.
        assert run_job.apply(kwargs={"job_id": job.pk}, throw=False).failed()
    finally:
        jobs.JOB_KINDS.remove(kind)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "The job failed: RuntimeError: the disk is full. Nothing was saved.")
    html = client_for(world.admin).get(reverse("cycle-failed")).content.decode()
    assert "cycle.run_job" in html and "RuntimeError: the disk is full" in html
    assert "The job failed: RuntimeError: the disk is full. Nothing was saved." in html
