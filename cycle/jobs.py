"""Background jobs: long work (a large import) that a worker runs while the person watches its
progress.

The request stores the upload and a Job row and queues `cycle.run_job` once that commits; the
job page polls the progress with htmx and shows the result with every row error. A job finishes
exactly once: it runs inside one transaction that also records its result, holding the job's
row, so a worker killed halfway leaves nothing written (the task is delivered again: late
acknowledgement) and a second delivery of a finished job does nothing. A job is tried at most
MAX_ATTEMPTS times.

Modules add their kinds of job to JOB_KINDS (the imports of PI values and definitions and of
plan items are here; the risk import can register its own the same way).
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cycle.models import Job
from pmf.registry import Registry
from pmf.spreadsheets import FileFormatError, read_table

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
PROGRESS_EVERY_SECONDS = 0.5


@dataclass(frozen=True)
class JobKind:
    """A kind of background job: RUN(job, upload, progress) does the work and returns the result
    to show (JSON-serialisable); BACK is the name of the page to return to."""

    kind: str
    label: str
    run: Callable
    back: str


JOB_KINDS: Registry[JobKind] = Registry(key=lambda kind: kind.kind)


def kind_of(name: str) -> JobKind | None:
    return next((kind for kind in JOB_KINDS if kind.kind == name), None)


class Progress:
    """Rows done of rows total, kept in the cache (outside the job's transaction, so the page
    sees it while the job runs), written at most every PROGRESS_EVERY_SECONDS."""

    def __init__(self, job_id: int, total: int | None = None):
        self.key = progress_key(job_id)
        self.total = total
        self.done = 0
        self.phase = ""
        self._written = 0.0

    def __call__(self, done: int) -> None:
        self.done = done
        if time.monotonic() - self._written >= PROGRESS_EVERY_SECONDS:
            self.write()

    def set_phase(self, phase: str) -> None:
        self.phase = phase
        self.write()

    def write(self) -> None:
        self._written = time.monotonic()
        cache.set(self.key, {"done": self.done, "total": self.total, "phase": self.phase}, 24 * 3600)


def progress_key(job_id: int) -> str:
    return f"cycle-job-progress-{job_id}"


def progress_of(job: Job) -> dict:
    """{"done", "total", "phase", "percent"} of JOB as last written."""
    found = cache.get(progress_key(job.pk)) or {"done": 0, "total": job.rows_total, "phase": ""}
    total = found.get("total") or job.rows_total
    done = min(found.get("done") or 0, total or 0)
    return {**found, "total": total, "done": done, "percent": int(done * 100 / total) if total else 0}


def start(*, kind: str, user, upload, commit: bool) -> Job:
    """Store UPLOAD as a job of KIND for USER and queue it once the transaction commits."""
    from cycle.tasks import run_job

    job = Job(kind=kind, user=user, file_name=upload.name[:255], commit=commit)
    job.upload.save(upload.name, upload, save=False)
    job.save()
    transaction.on_commit(lambda: run_job.delay(job_id=job.pk))
    return job


def run(*, job_id: int) -> Job | None:
    """Run job JOB_ID once. Returns the job (None when it no longer exists).

    Side effects: the job's status, attempts, rows total, result and times; whatever its kind
    writes, in the same transaction as the result."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        log.info("Job %s no longer exists; nothing to run.", job_id)
        return None
    if job.is_finished:
        return job
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now()
    )
    job.refresh_from_db()
    if job.attempts > MAX_ATTEMPTS:
        return _fail(job, f"Stopped after {MAX_ATTEMPTS} attempts: the worker stopped each time before it finished.")
    kind = kind_of(job.kind)
    if kind is None:
        return _fail(job, f"Unknown kind of job {job.kind!r}.")
    progress = Progress(job.pk, _count_rows(job))
    if progress.total is not None:
        Job.objects.filter(pk=job.pk).update(rows_total=progress.total)
    progress.set_phase("Checking the rows")
    with transaction.atomic():
        # Held until the result is saved: a second delivery waits here, then finds the job done.
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.is_finished:
            return job
        with job.upload.open("rb") as stored:
            try:
                result = kind.run(job, File(stored.file, name=job.file_name), progress)
            except FileFormatError as exc:
                result = {"file_error": str(exc)}
        job.status = Job.Status.DONE
        job.result = result
        job.finished_at = timezone.now()
        job.error = ""
        job.save(update_fields=["status", "result_json", "finished_at", "error"])
    progress.done = progress.total or progress.done
    progress.set_phase("Finished")
    return job


def fail(*, job_id: int, error: str) -> None:
    """Record that job JOB_ID failed for good (its task ran out of retries)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is not None and not job.is_finished:
        _fail(job, error)


def _fail(job: Job, error: str) -> Job:
    job.status = Job.Status.FAILED
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    return job


def _count_rows(job: Job) -> int | None:
    """The data rows of the job's file (None when it cannot be read: the import says why)."""
    try:
        with job.upload.open("rb") as upload:
            _, rows = read_table(upload, job.file_name)
            return sum(1 for cells in rows if any(cell not in (None, "") for cell in cells))
    except FileFormatError:
        return None


# The kinds of this project ------------------------------------------------------------------


def indicator_report(report) -> dict:
    """The result of an import of PI values or definitions, as the job page shows it."""
    return {
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "committed": report.committed,
        "error_count": report.error_count,
        "errors": [[error.row, error.column, error.reason] for error in report.errors],
    }


def run_indicator_values(job: Job, upload, progress) -> dict:
    from indicators import imports

    report = imports.import_values(
        upload=upload, file_name=job.file_name, user=job.user, commit=job.commit, progress=progress
    )
    return indicator_report(report)


def run_indicator_definitions(job: Job, upload, progress) -> dict:
    from indicators import imports

    return indicator_report(
        imports.import_definitions(upload=upload, file_name=job.file_name, user=job.user, commit=job.commit)
    )


def run_plan_items(job: Job, upload, progress) -> dict:
    from plans import imports

    result = imports.import_items(upload=upload, user=job.user, commit=job.commit, progress=progress)
    return {
        "rows": len(result.rows) + len(result.errors),
        "created": result.created,
        "updated": result.changed,
        "committed": result.committed,
        "error_count": len(result.errors),
        "errors": [[number, "", message] for number, message in result.errors],
        "changes": [[row.number, row.code, row.title, row.change] for row in result.rows[:500]],
    }
