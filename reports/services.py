"""Report Central's writes: saving definitions, starting runs (by hand or on the schedule),
running them (assembly, PDF, Word and web page), sweeping runs whose worker died, and e-mailing
recipients a link to a scheduled run.

A run is executed at most once to completion: its result is recorded under a lock on its row,
and a second delivery of the task (late acknowledgement, a retry, the sweeper) finds it finished
and does nothing, so a finished run's files never change. A rerun is a new run.
"""

import datetime
import logging
import smtplib
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core import mail
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from pmf import periods
from reports import params as contract
from reports.models import ReportDefinition, ReportRun, Schedule

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A run still "running" this long after it started has lost its worker: the render task's hard
# time limit (reports.tasks.RUN_TIME_LIMIT) has passed, so nothing is still working on it.
STUCK_AFTER = datetime.timedelta(minutes=25)


# Definitions ----------------------------------------------------------------------------------


@transaction.atomic
def save_definition(*, definition: ReportDefinition, user, recipients=None) -> ReportDefinition:
    """Validate and save DEFINITION (made or changed by USER) and set its RECIPIENTS when given.

    Side effects: the definition row and its history row (with the recipients)."""
    if definition.pk is None:
        definition.created_by = user
    definition.exceptions = {**contract.DEFAULT_EXCEPTION_SETTINGS, **(definition.exceptions or {})}
    definition.full_clean()
    definition.save()
    if recipients is not None:
        definition.recipients.set(recipients)
    return definition


# Starting runs --------------------------------------------------------------------------------


def check_scope(params: contract.RunParameters, user) -> None:
    """Raise PermissionDenied, naming the scope, when USER may not see what PARAMS reports on."""
    from reports import scope

    label = contract.SCOPES.get(params.scope, params.scope).lower()
    try:
        scope.resolve(params, user)
    except PermissionDenied as exc:
        raise PermissionDenied(f"You cannot run this report: you may not see its {label}.") from exc
    except ObjectDoesNotExist as exc:
        raise PermissionDenied(f"This report cannot run: its {label} no longer exists.") from exc


def latest_issued_month(definition: ReportDefinition, today: datetime.date) -> datetime.date:
    """The latest month whose scorecards have been issued by TODAY in the calendar of the
    definition's unit: the month a run reports on unless another is chosen."""
    from cycle import calendar, rules

    days = calendar.Calendars.load().for_unit(definition.org_unit)
    month = periods.last_complete_month(today)
    if today < days.date(month, rules.SCORECARDS):
        month = periods.add_months(month, -1)
    return month


@transaction.atomic
def start_run(*, definition: ReportDefinition, period: datetime.date, user) -> ReportRun:
    """Queue a new run of DEFINITION for PERIOD for USER (a rerun is always a new run).

    Raises ValidationError for a period out of range and PermissionDenied when USER may not see
    the definition's scope. Side effects: a queued ReportRun; the render task once committed."""
    if error := periods.period_error(period):
        raise ValidationError({"period": error})
    params = definition.to_parameters(period)
    check_scope(params, user)
    run = ReportRun.objects.create(
        definition=definition,
        requested_by=user,
        period=period,
        parameters=params.as_dict(),
        trigger=ReportRun.Trigger.MANUAL,
    )
    _queue(run)
    return run


def _queue(run: ReportRun) -> None:
    from reports.tasks import render_run

    transaction.on_commit(lambda: render_run.delay(run_id=run.pk))


def scheduled_period(definition: ReportDefinition, days, today: datetime.date) -> datetime.date | None:
    """The reporting month whose scheduled run of DEFINITION is due by TODAY (the latest one), or
    None. The run for month M is made on the definition's day of the next month, and never before
    that month's scorecards are issued in DAYS (the unit's cycle calendar); a quarterly report
    runs for the last month of each financial quarter."""
    from cycle import rules

    if not definition.schedule or not definition.schedule_day:
        return None
    latest = periods.last_complete_month(today)
    for back in range(6):
        month = periods.add_months(latest, -back)
        if definition.schedule == Schedule.QUARTERLY and not is_quarter_end(month):
            continue
        run_on = max(
            rules.on_day(periods.add_months(month, 1), definition.schedule_day), days.date(month, rules.SCORECARDS)
        )
        if run_on <= today:
            return month
    return None


def is_quarter_end(month: datetime.date) -> bool:
    """Whether MONTH is the last month of a financial quarter."""
    return periods.quarter_start(month) == periods.add_months(month, -2)


def schedule_run(*, definition: ReportDefinition, period: datetime.date) -> tuple[ReportRun | None, bool]:
    """The scheduled run of DEFINITION for PERIOD, made once however often this is called (the
    database's unique constraint decides between callers at the same moment). Returns (run,
    created); (None, False) when the definition has nobody to run it for.

    Side effects: a queued ReportRun and its render task, only when created."""
    user = definition.created_by
    if user is None or not user.is_active:
        log.warning("Report definition %s has no active author to run it for; not scheduled.", definition.pk)
        return None, False
    existing = ReportRun.objects.filter(definition=definition, period=period, trigger=ReportRun.Trigger.SCHEDULE)
    found = existing.first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(
                definition=definition,
                requested_by=user,
                period=period,
                parameters=definition.to_parameters(period).as_dict(),
                trigger=ReportRun.Trigger.SCHEDULE,
            )
            _queue(run)
    except IntegrityError:
        return existing.get(), False
    return run, True


def run_schedule(*, today: datetime.date | None = None) -> list[ReportRun]:
    """Make the scheduled runs due by TODAY that do not exist yet (idempotent; catches up a
    missed day). Returns the runs made."""
    from cycle.calendar import Calendars

    today = today or timezone.localdate()
    calendars = Calendars.load()
    made = []
    for definition in ReportDefinition.objects.active().scheduled().select_related("org_unit", "created_by"):
        period = scheduled_period(definition, calendars.for_unit(definition.org_unit), today)
        if period is None:
            continue
        run, created = schedule_run(definition=definition, period=period)
        if created:
            made.append(run)
    return made


# Running --------------------------------------------------------------------------------------


def progress_writer(run_id: int):
    def progress(done: int, total: int, label: str) -> None:
        ReportRun.objects.filter(pk=run_id).update(
            sections_done=done, sections_total=total, current_label=str(label)[:200]
        )

    return progress


def execute(*, run_id: int, today: datetime.date | None = None) -> ReportRun | None:
    """Run report run RUN_ID once: assemble it for the person it was requested by, render the
    PDF, the Word document and the web page, and keep them with the run.

    Side effects: the run's status, attempts, progress (a cheap UPDATE per section), files,
    pages, size, duration and times; on a failure, the status "failed" with the message (the
    exception is not raised: other runs go on). A run already finished is left as it is. The
    recipients of a scheduled run are e-mailed once it is done. Database errors are raised, for
    the task to retry."""
    from reports import assemble
    from reports.render import docx as docx_render
    from reports.render import pdf as pdf_render
    from reports.render import web as web_render

    run = ReportRun.objects.filter(pk=run_id).select_related("definition", "requested_by").first()
    if run is None:
        log.info("Report run %s no longer exists; nothing to do.", run_id)
        return None
    if run.is_finished:
        return run
    now = timezone.now()
    ReportRun.objects.filter(pk=run_id).update(
        status=ReportRun.Status.RUNNING, attempts=F("attempts") + 1, started_at=now, sections_done=0, error=""
    )
    run.refresh_from_db(fields=["status", "attempts", "started_at"])
    if run.attempts > MAX_ATTEMPTS:
        return fail(
            run_id=run_id,
            error=f"Stopped after {MAX_ATTEMPTS} attempts: the worker stopped each time before the report was ready.",
        )
    user = run.requested_by
    if user is None or not user.is_active:
        return fail(run_id=run_id, error="The person this report was run for no longer has an account.")
    started = time.monotonic()
    try:
        params = contract.RunParameters.from_dict(run.parameters)
        check_scope(params, user)
        report = assemble.assemble(
            params, user=user, today=today or timezone.localdate(), progress=progress_writer(run_id)
        )
        rendered = pdf_render.render(report)
        word = docx_render.render(report)
        page = web_render.render(report)
    except PermissionDenied as exc:
        return fail(run_id=run_id, error=str(exc))
    except (DatabaseError, SoftTimeLimitExceeded):
        raise  # the task retries the one and records the other
    except Exception as exc:
        log.exception("Report run %s failed", run_id)
        return fail(run_id=run_id, error=f"The report could not be made: {type(exc).__name__}: {exc}"[:4000])
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run_id)
        if run.is_finished:  # another delivery finished it meanwhile: keep its files
            return run
        stem = f"{slugify(params.title)[:60] or 'report'}-{params.period:%Y-%m}-run{run.pk}"
        run.pdf.save(f"{stem}.pdf", ContentFile(rendered.data), save=False)
        run.docx.save(f"{stem}.docx", ContentFile(word), save=False)
        run.html.save(f"{stem}.html", ContentFile(str(page).encode()), save=False)
        run.pages = rendered.pages
        run.size = len(rendered.data)
        run.duration = round(time.monotonic() - started, 3)
        run.status = ReportRun.Status.DONE
        run.finished_at = timezone.now()
        run.sections_done = run.sections_total = max(run.sections_total, len(report.sections))
        run.current_label = ""
        run.error = ""
        run.save()
    if run.trigger == ReportRun.Trigger.SCHEDULE:
        notify_recipients(run_id=run.pk)
    return run


def fail(*, run_id: int, error: str) -> ReportRun | None:
    """Record that run RUN_ID failed with ERROR (unless it already finished)."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.is_finished:
            return run
        run.status = ReportRun.Status.FAILED
        run.error = error
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        return run


def requeue(*, run_id: int) -> None:
    """Put RUN_ID back in the queue after a failure worth trying again (e.g. the database)."""
    ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.RUNNING).update(status=ReportRun.Status.QUEUED)


def sweep_stuck(*, now: datetime.datetime | None = None) -> dict:
    """Runs left "running" longer than STUCK_AFTER (their worker died and no redelivery came):
    queued again while they have attempts left, failed with a message otherwise. Returns the
    counts {"requeued": n, "failed": n}."""
    now = now or timezone.now()
    stuck = ReportRun.objects.filter(status=ReportRun.Status.RUNNING, started_at__lt=now - STUCK_AFTER)
    requeued = failed = 0
    for run_id, attempts in stuck.values_list("pk", "attempts"):
        if attempts >= MAX_ATTEMPTS:
            fail(run_id=run_id, error=f"The worker stopped {attempts} times before the report was ready.")
            failed += 1
            continue
        with transaction.atomic():
            if ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.RUNNING).update(
                status=ReportRun.Status.QUEUED
            ):
                _queue(ReportRun(pk=run_id))
                requeued += 1
    return {"requeued": requeued, "failed": failed}


# E-mail ---------------------------------------------------------------------------------------


def run_link(run: ReportRun) -> str:
    return settings.SITE_URL + reverse("report-run", kwargs={"pk": run.pk})


def notify_recipients(*, run_id: int) -> int:
    """E-mail each active recipient (with an address) of a done scheduled run a link to its page,
    never the file; once per run, whoever calls (the run is claimed before sending). Returns the
    number of messages sent. When the mail server fails before any message went, the claim is
    released and a later call (the sweeper) tries again; after a message went, nobody is sent a
    second one."""
    now = timezone.now()
    claimed = ReportRun.objects.filter(
        pk=run_id, status=ReportRun.Status.DONE, trigger=ReportRun.Trigger.SCHEDULE, notified_at__isnull=True
    ).update(notified_at=now)
    if not claimed:
        return 0
    run = ReportRun.objects.select_related("definition").get(pk=run_id)
    people = run.definition.recipients.filter(is_active=True).exclude(email="").order_by("pk")
    context = {
        "run": run,
        "definition": run.definition,
        "link": run_link(run),
        "period_label": periods.month_label(run.period),
    }
    messages = [
        mail.EmailMultiAlternatives(
            subject=f"{run.definition.name}: {periods.month_label(run.period)} is ready",
            body=render_to_string("reports/email/run_ready.txt", {**context, "person": person}),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[person.email],
        )
        for person in people
    ]
    connection = mail.mailers.default
    sent = 0
    try:
        for message in messages:
            sent += connection.send_messages([message]) or 0
    except (OSError, smtplib.SMTPException):
        if not sent:  # nobody was told: release the claim, so the sweeper tries again
            ReportRun.objects.filter(pk=run_id).update(notified_at=None)
        log.exception("E-mail of report run %s failed after %s of %s messages.", run_id, sent, len(messages))
    return sent


def notify_pending() -> int:
    """E-mail the recipients of done scheduled runs not yet announced (a mail server was down)."""
    pending = ReportRun.objects.filter(
        status=ReportRun.Status.DONE, trigger=ReportRun.Trigger.SCHEDULE, notified_at__isnull=True
    ).values_list("pk", flat=True)
    return sum(notify_recipients(run_id=pk) for pk in list(pending[:200]))
