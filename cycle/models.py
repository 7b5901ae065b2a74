"""The monthly cycle: reporting calendars, the daily job's runs and lock, notifications and their
e-mail digests, chases, and background jobs with their failures."""

import datetime
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from cycle import rules
from pmf import periods
from pmf.models import OrgUnit

DAY = [MinValueValidator(1), MaxValueValidator(31)]
DAY_HELP = "Day of the month after the reporting month. Days 29 to 31 fall on the last day of shorter months."


class Step(models.TextChoices):
    VALUES_DUE = rules.VALUES_DUE, rules.STEP_LABELS[rules.VALUES_DUE]
    APPROVALS_DUE = rules.APPROVALS_DUE, rules.STEP_LABELS[rules.APPROVALS_DUE]
    SCORECARDS = rules.SCORECARDS, rules.STEP_LABELS[rules.SCORECARDS]
    EXECUTIVE_REVIEW = rules.EXECUTIVE_REVIEW, rules.STEP_LABELS[rules.EXECUTIVE_REVIEW]
    SERVICE_REVIEW = rules.SERVICE_REVIEW, rules.STEP_LABELS[rules.SERVICE_REVIEW]
    LOCK = rules.LOCK, rules.STEP_LABELS[rules.LOCK]


class ReportingCalendar(models.Model):
    """The days of the monthly cycle for an organisation (or, on a group, the default for every
    organisation in it that has none of its own). Without any calendar the built-in days apply
    and values never lock."""

    org_unit = models.OneToOneField(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="reporting_calendar",
        verbose_name="organisation or group",
    )
    values_due_day = models.PositiveSmallIntegerField("PI values due", default=14, validators=DAY, help_text=DAY_HELP)
    approvals_due_day = models.PositiveSmallIntegerField(
        "commentary and approvals due", default=15, validators=DAY, help_text=DAY_HELP
    )
    scorecards_day = models.PositiveSmallIntegerField(
        "scorecards issued", default=16, validators=DAY, help_text=DAY_HELP
    )
    executive_review_day = models.PositiveSmallIntegerField(
        "executive review", default=20, validators=DAY, help_text=DAY_HELP
    )
    service_review_day = models.PositiveSmallIntegerField(
        "service and tenant review", default=23, validators=DAY, help_text=DAY_HELP
    )
    lock_values = models.BooleanField(
        default=True,
        help_text="Lock each month's values for updaters from the lock day; managers correct with a reason.",
    )
    lock_day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=DAY, help_text="Day values lock; blank locks them on scorecard day."
    )
    reminder_lead_days = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(27)], help_text="Days before a deadline the first reminder goes."
    )
    escalate_manager_after_days = models.PositiveSmallIntegerField(
        "tell the line manager after",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Days after the values deadline the line manager hears who is behind.",
    )
    escalate_director_after_days = models.PositiveSmallIntegerField(
        "tell the director and performance team after",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Days after the values deadline the director and the performance team hear.",
    )
    action_due_soon_days = models.PositiveSmallIntegerField(
        default=7, validators=[MaxValueValidator(90)], help_text="Days before an action's due date its owner is told."
    )
    action_stale_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text="An open action without a progress update for this many days is chased.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "reporting calendar"
        constraints = [
            models.CheckConstraint(
                condition=Q(values_due_day__lte=models.F("approvals_due_day"))
                & Q(approvals_due_day__lte=models.F("scorecards_day"))
                & Q(scorecards_day__lte=models.F("executive_review_day"))
                & Q(executive_review_day__lte=models.F("service_review_day")),
                name="calendar_steps_in_order",
            ),
            models.CheckConstraint(
                condition=Q(escalate_director_after_days__gt=models.F("escalate_manager_after_days")),
                name="calendar_director_after_manager",
            ),
        ]

    def __str__(self):
        return f"Reporting calendar of {self.org_unit}"

    def clean(self):
        if self.org_unit_id and self.org_unit.kind not in (OrgUnit.Kind.GROUP, OrgUnit.Kind.ORGANISATION):
            raise ValidationError(
                {"org_unit": "A calendar belongs to an organisation or a group; its units follow it."}
            )
        problems = rules.calendar_problems(
            {
                rules.VALUES_DUE: self.values_due_day,
                rules.APPROVALS_DUE: self.approvals_due_day,
                rules.SCORECARDS: self.scorecards_day,
                rules.EXECUTIVE_REVIEW: self.executive_review_day,
                rules.SERVICE_REVIEW: self.service_review_day,
                rules.LOCK: self.lock_day if self.lock_values else None,
                "escalate_manager_after": self.escalate_manager_after_days,
                "escalate_director_after": self.escalate_director_after_days,
            }
        )
        if problems:
            raise ValidationError({FIELD_OF.get(name, name): message for name, message in problems.items()})

    def days(self, overrides: dict | None = None) -> rules.CalendarDays:
        """This calendar as the rules read it, with OVERRIDES {(month, step): date}."""
        return rules.CalendarDays(
            values_due=self.values_due_day,
            approvals_due=self.approvals_due_day,
            scorecards=self.scorecards_day,
            executive_review=self.executive_review_day,
            service_review=self.service_review_day,
            lock=(self.lock_day or self.scorecards_day) if self.lock_values else None,
            reminder_lead_days=self.reminder_lead_days,
            escalate_manager_after=self.escalate_manager_after_days,
            escalate_director_after=self.escalate_director_after_days,
            action_due_soon_days=self.action_due_soon_days,
            action_stale_days=self.action_stale_days,
            overrides=overrides or {},
        )


# The calendar field each rule names.
FIELD_OF = {
    rules.VALUES_DUE: "values_due_day",
    rules.APPROVALS_DUE: "approvals_due_day",
    rules.SCORECARDS: "scorecards_day",
    rules.EXECUTIVE_REVIEW: "executive_review_day",
    rules.SERVICE_REVIEW: "service_review_day",
    rules.LOCK: "lock_day",
    "escalate_manager_after": "escalate_manager_after_days",
    "escalate_director_after": "escalate_director_after_days",
}


class CalendarOverride(models.Model):
    """One step of one reporting month moved to another date (a bank holiday, a Board date)."""

    calendar = models.ForeignKey(ReportingCalendar, on_delete=models.CASCADE, related_name="overrides")
    month = models.DateField(help_text="The reporting month (any day in it), e.g. 2026-03-01 for March's values.")
    step = models.CharField(max_length=20, choices=Step.choices)
    date = models.DateField(help_text="The date the step falls on for that month.")
    note = models.CharField(max_length=200, blank=True, help_text="Why, e.g. Easter Monday.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["month", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "month", "step"], name="override_unique_step_of_month"),
        ]

    def __str__(self):
        return f"{self.get_step_display()} for {periods.month_label(self.month)}: {self.date:%-d %b %Y}"

    def clean(self):
        if self.month:
            self.month = periods.month_start(self.month)
        # The calendar may be one being added with its overrides in the same form (not saved yet).
        calendar = self.calendar if "calendar" in self._state.fields_cache or self.calendar_id else None
        if not (calendar and self.month and self.step and self.date):
            return
        others = {}
        if calendar.pk is not None:
            others = {
                (row.month, row.step): row.date
                for row in CalendarOverride.objects.filter(calendar_id=calendar.pk, month=self.month).exclude(
                    pk=self.pk
                )
            }
        if self.step == rules.LOCK and not calendar.lock_values:
            raise ValidationError({"step": "This calendar does not lock values; turn locking on first."})
        problem = rules.override_problem(calendar.days(others), self.month, self.step, self.date)
        if problem:
            raise ValidationError({"date": problem})


class DailyRun(models.Model):
    """One day's work of the daily job, done once: a day with a finished run is never done again."""

    day = models.DateField(unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    notifications = models.PositiveIntegerField(default=0, help_text="Notifications raised for the day.")

    class Meta:
        ordering = ["-day"]

    def __str__(self):
        return f"Daily run for {self.day:%-d %b %Y}"


class Lease(models.Model):
    """A named lock held until EXPIRES_AT by HOLDER (see cycle.locks)."""

    name = models.CharField(max_length=60, primary_key=True)
    holder = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self):
        return self.name


class Kind(models.TextChoices):
    """The built-in kinds of notification; modules add theirs through pmf.registry.CHASE_SOURCES."""

    VALUES_DUE = "values_due", "PI values due"
    VALUES_OVERDUE = "values_overdue", "PI values overdue"
    RED_COMMENTARY = "red_commentary", "Red values without the structured commentary"
    APPROVAL_DUE = "approval_due", "Values waiting for your approval"
    ACTION_DUE = "action", "Actions due or overdue"
    ACTION_STALE = "action_stale", "Actions without an update"
    ESCALATION_MANAGER = "escalation_manager", "Your team: who is behind"
    ESCALATION_DIRECTOR = "escalation_director", "Escalated: who is behind"
    CHASE = "chase", "Reminder from your manager"


class Notification(models.Model):
    """One reminder to one person, raised at most once: KEY names the recipient, the kind, the
    record or period and the stage, and is unique."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=255, unique=True)
    title = models.CharField(max_length=300)
    detail = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=500, blank=True)
    model = models.CharField(max_length=60, blank=True, help_text="app_label.model_name of the record chased.")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    period = models.DateField(null=True, blank=True)
    due = models.DateField(null=True, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The person who is behind (escalations and chases).",
    )
    day = models.DateField(help_text="The day of the cycle that raised it.")
    weekly = models.BooleanField(default=False, help_text="Held for the recipient's weekly digest.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey("Digest", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            models.Index(fields=["day"], condition=Q(digest__isnull=True), name="notification_undigested"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Digest(models.Model):
    """One e-mail to one person: the daily digest, or a chase sent at once."""

    class Kind(models.TextChoices):
        DAILY = "daily", "Daily digest"
        CHASE = "chase", "Chase"

    class Status(models.TextChoices):
        SENDING = "sending", "Being sent (if it stays so, the worker stopped: it may or may not have gone)"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, to be retried"
        SKIPPED = "skipped", "Not sent"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    day = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DAILY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "recipient"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day", "kind"], name="digest_one_per_person_day_kind")
        ]
        indexes = [models.Index(fields=["status", "day"], name="digest_status_day")]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient} on {self.day:%-d %b %Y}"


class DigestPreference(models.Model):
    """How a person takes the optional reminders; deadline reminders always come daily."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily, with everything else"
        WEEKLY = "weekly", "Weekly, on the day I choose"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preference")
    frequency = models.CharField("optional reminders", max_length=6, choices=Frequency.choices, default=Frequency.DAILY)
    weekday = models.PositiveSmallIntegerField(
        "day of the weekly digest", choices=Weekday.choices, default=Weekday.MONDAY
    )

    history = HistoricalRecords()

    def __str__(self):
        return f"Digest preference of {self.user}"

    def holds(self, day: datetime.date) -> bool:
        """Whether optional reminders raised on DAY wait for a later weekly digest."""
        return self.frequency == self.Frequency.WEEKLY and day.weekday() != self.weekday


class Chase(models.Model):
    """A "chase now" reminder sent to a person (at most one a day per person)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chases")
    chased_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    day = models.DateField()
    at = models.DateTimeField(auto_now_add=True)
    items = models.PositiveIntegerField(help_text="Items the person was behind on.")

    class Meta:
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="chase_once_a_day")]

    def __str__(self):
        return f"{self.person} chased on {self.day:%-d %b %Y}"


class Job(models.Model):
    """Long work run by a worker (a large import): the stored upload, progress and the result."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    upload = models.FileField(upload_to="jobs/%Y/%m/", max_length=300, blank=True)
    file_name = models.CharField(max_length=255)
    commit = models.BooleanField(default=False, help_text="Save the rows (off: check only).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    # The result the job page shows, as JSON (a text column: the JSON field's checks would need a
    # database connection at start-up, which the worker's checks do not have).
    result_json = models.TextField(blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="job_status_created")]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("cycle-job", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def result(self) -> dict:
        return json.loads(self.result_json) if self.result_json else {}

    @result.setter
    def result(self, value: dict) -> None:
        self.result_json = json.dumps(value, default=str)


class FailedTask(models.Model):
    """A background task that failed (after its retries): the admins' failed list."""

    task_name = models.CharField(max_length=200)
    task_id = models.CharField(max_length=64, blank=True)
    arguments = models.TextField(blank=True)
    error = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.task_name} failed at {self.at:%-d %b %Y %H:%M}"
