"""Report Central: report definitions (what to report, for whom, when) and their runs (each a
Celery task that assembles the report and keeps its PDF, Word and web versions)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from pmf.access import AccessQuerySet
from reports import params as contract


class Marking(models.TextChoices):
    """Protective markings of the Government Security Classifications, printed in every footer."""

    NONE = "", "No marking"
    OFFICIAL = "OFFICIAL", "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"


class Schedule(models.TextChoices):
    NONE = "", "Not scheduled (run by hand)"
    MONTHLY = "monthly", "Monthly, after the scorecards are issued"
    QUARTERLY = "quarterly", "Quarterly, after the quarter's scorecards are issued"


def _received_by(user):
    """The ids of the definitions USER is a recipient of (a subquery)."""
    return ReportDefinition.recipients.through.objects.filter(user=user).values("reportdefinition_id")


class ReportDefinitionQuerySet(AccessQuerySet):
    """Admins see every definition and managers those of their subtree (and edit them); anyone
    sees the definitions they made or receive, and those of their own unit or a unit above it
    (a directorate's Board dossier is visible to the people in the directorate)."""

    unit_field = "org_unit"
    person_fields = ("created_by",)

    def shared_q(self, user) -> Q:
        q = Q(pk__in=_received_by(user))
        if user.org_unit_id:
            unit = user.org_unit
            q |= Q(org_unit__tree_id=unit.tree_id, org_unit__lft__lte=unit.lft, org_unit__rght__gte=unit.rght)
        return q

    def active(self):
        return self.filter(active=True)

    def scheduled(self):
        return self.exclude(schedule=Schedule.NONE)


class ReportDefinition(models.Model):
    """A report people run again and again: its kind, what it is about (scope), its audience and
    options, and an optional schedule with the people e-mailed when a scheduled run is ready."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=list(contract.KINDS.items()))
    scope = models.CharField(max_length=20, choices=list(contract.SCOPES.items()), default="unit")
    scope_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The scope's record; blank with scope 'unit' means the whole organisation."
    )
    audience = models.CharField(max_length=200, blank=True, help_text="Shown on the cover, e.g. 'Board'.")
    marking = models.CharField(
        "protective marking", max_length=30, choices=Marking.choices, blank=True, default=Marking.NONE
    )
    sections = models.JSONField(default=list, blank=True, help_text="Section keys, in the report's order.")
    charts = models.BooleanField(default=True)
    commentary = models.BooleanField(default=True)
    last_year = models.BooleanField("compare with last year", default=False)
    exceptions = models.JSONField(default=dict, blank=True, help_text="Exception rule settings.")
    org_unit = models.ForeignKey(
        "pmf.OrgUnit", on_delete=models.PROTECT, related_name="report_definitions", verbose_name="owner unit"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="report_definitions"
    )
    schedule = models.CharField(max_length=10, choices=Schedule.choices, blank=True, default=Schedule.NONE)
    schedule_day = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="Day of the month the scheduled run is made, once the scorecards are issued.",
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="reports_received",
        help_text="E-mailed a link to each scheduled run when it is ready.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[recipients])
    objects = ReportDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["schedule", "active"], name="reportdef_schedule")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("report-definition", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        if self.schedule and not self.schedule_day:
            errors["schedule_day"] = "Give the day of the month the scheduled run is made."
        if self.scope != "unit" and self.scope_id is None:
            errors["scope_id"] = f"Choose the {contract.SCOPES.get(self.scope, 'scope').lower()} the report is about."
        if errors:
            raise ValidationError(errors)

    @property
    def exception_settings(self) -> dict:
        return {**contract.DEFAULT_EXCEPTION_SETTINGS, **(self.exceptions or {})}

    def to_parameters(self, period: datetime.date) -> contract.RunParameters:
        """What a run of this definition for PERIOD asks for (stored with the run as run)."""
        from reports.assemble import default_sections

        return contract.RunParameters(
            kind=self.kind,
            title=self.name,
            period=period,
            scope=self.scope,
            scope_id=self.scope_id,
            audience=self.audience,
            marking=self.marking,
            sections=tuple(self.sections or ()) or default_sections(self.kind),
            charts=self.charts,
            commentary=self.commentary,
            last_year=self.last_year,
            exceptions=self.exception_settings,
        )


class ReportRunQuerySet(AccessQuerySet):
    """A run shows what was assembled for the person it ran for, so it is seen by that person,
    by the recipients of its definition (the scheduled runs, which are sent to them), by admins
    and by the managers of the definition's unit; never by someone who cannot see the definition."""

    unit_field = "definition__org_unit"
    person_fields = ("requested_by",)

    def shared_q(self, user) -> Q:
        return Q(trigger=ReportRun.Trigger.SCHEDULE, definition__in=_received_by(user))

    def visible_to(self, user):
        return super().visible_to(user).filter(definition__in=ReportDefinition.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        return self.none()

    updatable_by = editable_by


def report_file_path(run: "ReportRun", filename: str) -> str:
    return f"reports/{run.period:%Y-%m}/{filename}"


class ReportRun(models.Model):
    """One run of a definition for a period: the parameters exactly as run, its progress, and
    once done its files (PDF, Word and the web page), which never change afterwards."""

    class Trigger(models.TextChoices):
        MANUAL = "manual", "Run by hand"
        SCHEDULE = "schedule", "Scheduled"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    definition = models.ForeignKey(ReportDefinition, on_delete=models.PROTECT, related_name="runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_runs",
        help_text="Who the report was run for: what they may see is what it shows.",
    )
    period = models.DateField()
    parameters = models.JSONField(help_text="reports.params.RunParameters as run.")
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    sections_done = models.PositiveIntegerField(default=0)
    sections_total = models.PositiveIntegerField(default=0)
    current_label = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    pdf = models.FileField(upload_to=report_file_path, max_length=300, blank=True)
    docx = models.FileField(upload_to=report_file_path, max_length=300, blank=True)
    html = models.FileField(upload_to=report_file_path, max_length=300, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="Bytes of the PDF.")
    duration = models.FloatField(null=True, blank=True, help_text="Seconds the run took.")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When the recipients were e-mailed.")

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "period"],
                condition=Q(trigger="schedule"),
                name="reportrun_one_scheduled_per_period",
            )
        ]
        indexes = [
            models.Index(fields=["definition", "-created_at"], name="reportrun_recent"),
            models.Index(fields=["status", "started_at"], name="reportrun_status"),
        ]

    def __str__(self):
        return f"{self.parameters.get('title', self.definition_id)}, {self.period:%b %Y}"

    def get_absolute_url(self):
        return reverse("report-run", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if not self.sections_total:
            return 0
        return min(100, int(self.sections_done * 100 / self.sections_total))
