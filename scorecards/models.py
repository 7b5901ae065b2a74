"""Snapshots (saved views of PIs), scorecards (ordered sections of PIs), their frozen monthly
editions, and the module's settings."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from indicators import rules
from pmf import periods
from pmf.models import SingletonSettings
from pmf.periods import period_error
from scorecards.querysets import EditionQuerySet, ImmutableError, ScorecardQuerySet, SnapshotQuerySet

VALUE_FIELD = {"max_digits": 20, "decimal_places": 6, "null": True, "blank": True}
ROLE_CHOICES = [("admin", "Admins"), ("manager", "Managers"), ("updater", "Updaters"), ("viewer", "Viewers")]


class ScorecardSettings(SingletonSettings):
    """One row: how the module behaves (see SingletonSettings.load()). Admins change it on the
    scorecard settings page or in the admin site."""

    class Unapproved(models.TextChoices):
        REFUSE = "refuse", "Refuse to issue an edition while values are unapproved"
        WARN = "warn", "Issue the edition and record a warning listing unapproved values"

    unapproved_values = models.CharField(max_length=6, choices=Unapproved.choices, default=Unapproved.WARN)
    issue_day = models.PositiveSmallIntegerField(
        default=16, help_text="Day of the month the monthly job issues editions of last month's scorecards."
    )
    public_name = models.CharField(
        "organisation name",
        max_length=200,
        blank=True,
        help_text="The name tenants know you by, shown at the top of every public page.",
    )
    public_introduction = models.TextField(
        "introduction",
        max_length=1500,
        blank=True,
        help_text="A few sentences for tenants: what the figures are and how to ask about them.",
    )
    # The logo is kept in the database and served by /public/logo (our own origin, no media server);
    # only PNG and JPEG files that open as images are accepted (scorecards.publishing.check_logo).
    public_logo = models.BinaryField("logo", null=True, blank=True, editable=False)
    public_logo_type = models.CharField(max_length=20, blank=True, editable=False)
    public_logo_changed = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["public_logo"])

    class Meta:
        verbose_name = "scorecard settings"
        verbose_name_plural = "scorecard settings"


class TsmSurvey(models.Model):
    """How one year's Tenant Satisfaction Measures survey was carried out: the context the Regulator of
    Social Housing expects landlords to publish next to the perception results (TP01 to TP12)."""

    class CarriedOutBy(models.TextChoices):
        IN_HOUSE = "in_house", "In-house (our own staff)"
        CONTRACTOR = "contractor", "An independent contractor"

    year = models.PositiveSmallIntegerField(
        "survey year",
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2199)],
        help_text="The financial year of the results, by its first year: 2025 for 2025/26.",
    )
    sample_size = models.PositiveIntegerField(
        "number of tenants who answered", validators=[MinValueValidator(1)], help_text="The achieved sample size."
    )
    collection_method = models.CharField(
        max_length=200, help_text="How answers were collected, e.g. Telephone interviews, with an online option."
    )
    fieldwork_start = models.DateField("fieldwork started")
    fieldwork_end = models.DateField("fieldwork ended")
    carried_out_by = models.CharField(max_length=10, choices=CarriedOutBy.choices)
    contractor = models.CharField(
        "contractor's name", max_length=200, blank=True, help_text="Required when a contractor carried it out."
    )
    response_rate = models.DecimalField(
        "response rate (%)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Share of tenants invited who answered, if known.",
    )
    notes = models.TextField(
        "other context",
        blank=True,
        max_length=2000,
        help_text="Published too: weighting, incentives, tenants left out of the sample and why.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = "Tenant Satisfaction Measures survey"

    def __str__(self):
        return f"Tenant survey {self.year_label}"

    @property
    def year_start(self) -> datetime.date:
        return datetime.date(self.year, settings.FINANCIAL_YEAR_START_MONTH, 1)

    @property
    def year_label(self) -> str:
        return periods.fy_label(self.year_start)

    @property
    def contractor_text(self) -> str:
        if self.carried_out_by == self.CarriedOutBy.CONTRACTOR:
            return f"Independent contractor: {self.contractor}" if self.contractor else "An independent contractor"
        return "Our own staff (in-house)"

    def clean(self):
        errors = {}
        if self.fieldwork_start and self.fieldwork_end and self.fieldwork_end < self.fieldwork_start:
            errors["fieldwork_end"] = "Fieldwork cannot end before it started."
        if self.carried_out_by == self.CarriedOutBy.CONTRACTOR and not self.contractor.strip():
            errors["contractor"] = "Name the contractor who carried out the survey."
        if self.carried_out_by == self.CarriedOutBy.IN_HOUSE and self.contractor.strip():
            errors["contractor"] = "Leave the contractor blank for a survey carried out in-house."
        if errors:
            raise ValidationError(errors)


class Snapshot(models.Model):
    """A saved, shareable view of PIs.

    Rows are the explicit list plus the PIs matching every filter set (unit subtree, tags, a person
    who owns or updates them). With no filter and no list it shows nothing."""

    class Column(models.TextChoices):
        PERIOD = "period", "Latest period"
        VALUE = "value", "Value"
        TARGET = "target", "Target"
        SHORT = "short", "Short trend"
        LONG = "long", "Long trend"
        SPARK = "spark", "Last 13 periods"

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="snapshots")
    org_unit = models.ForeignKey(
        "pmf.OrgUnit",
        on_delete=models.PROTECT,
        related_name="snapshots",
        help_text="The unit this snapshot belongs to (a person's team or an office).",
    )
    unit_filter = models.ForeignKey(
        "pmf.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="PIs of unit (and below)",
    )
    tags = models.ManyToManyField("indicators.Tag", blank=True, related_name="+", verbose_name="PIs with any of tags")
    person_filter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="PIs managed or updated by",
    )
    indicators = models.ManyToManyField("indicators.Indicator", blank=True, related_name="+", verbose_name="these PIs")
    columns = models.CharField(
        max_length=200, default=",".join(Column.values), help_text="Comma-separated column keys."
    )
    period = models.DateField(null=True, blank=True, help_text="Leave blank for each PI's latest period.")
    include_actions = models.BooleanField(
        "show plan actions",
        default=True,
        help_text="Also list the plan actions of the chosen unit or person, overdue first.",
    )
    hidden_sections = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text="Sections other modules add that are not shown: their keys, comma-wrapped.",
    )
    shared_with = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="snapshots_shared")
    shared_roles = models.CharField(
        max_length=60,
        blank=True,
        default="",
        help_text="Roles in the same organisation it is shared with, comma-wrapped.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[tags, indicators, shared_with])
    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if error := period_error(self.period):
            raise ValidationError({"period": error})
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("snapshot-detail", kwargs={"pk": self.pk})

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        """A period stored before `period_error` refused it (0001-01) is read as blank, so the
        snapshot shows each PI's latest period instead of failing; `stored_period` keeps it."""
        snapshot = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        snapshot.stored_period = snapshot.__dict__.get("period")
        if period_error(snapshot.stored_period):
            snapshot.period = None
        return snapshot

    def clean(self):
        super().clean()
        if error := period_error(self.period):
            raise ValidationError({"period": error})

    @property
    def column_list(self) -> list[str]:
        return [key for key in self.columns.split(",") if key in self.Column.values]

    @property
    def role_list(self) -> list[str]:
        return [role for role in self.shared_roles.split(",") if role]

    def set_roles(self, roles) -> None:
        self.shared_roles = f",{','.join(roles)}," if roles else ""


class Scorecard(models.Model):
    class Publication(models.TextChoices):
        NONE = "", "Not published"
        FULL = "full", "Whole scorecard"
        SIGNPOSTS = "signposts", "Signposts only"

    title = models.CharField(max_length=200)
    org_unit = models.ForeignKey("pmf.OrgUnit", on_delete=models.PROTECT, related_name="scorecards")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_scorecards"
    )
    description = models.TextField(blank=True)
    director_commentary = models.TextField(blank=True)
    director_commentary_internal = models.BooleanField(
        "director's commentary is internal", default=False, help_text="Internal commentary is never published."
    )
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="scorecards_shared",
        help_text="People who may read it (e.g. Board members).",
    )
    publication = models.CharField(
        max_length=10,
        choices=Publication.choices,
        blank=True,
        default="",
        help_text="Published scorecards show their last issued edition at /public/.",
    )
    public_slug = models.SlugField(
        max_length=80,
        unique=True,
        null=True,
        blank=True,
        help_text="The address of the public page, e.g. tenant-scorecard.",
    )
    public_title = models.CharField(max_length=200, blank=True, help_text="Plain-language title for the public.")
    issue_monthly = models.BooleanField(default=True, help_text="Issue an edition on scorecard day each month.")
    active = models.BooleanField(default=True)

    history = HistoricalRecords(m2m_fields=[shared_with])
    objects = ScorecardQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("scorecard-detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.publication and not self.public_slug:
            raise ValidationError({"public_slug": "A published scorecard needs a public address."})

    @property
    def is_published(self) -> bool:
        return bool(self.publication)


class ScorecardSection(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=120, help_text="A perspective, e.g. Customer, Finance, Process, People.")
    order = models.PositiveIntegerField(default=0)
    commentary = models.TextField(blank=True)
    commentary_internal = models.BooleanField("commentary is internal", default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scorecard", "order", "pk"]

    def __str__(self):
        return self.title


class ScorecardEntry(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="entries")
    section = models.ForeignKey(ScorecardSection, on_delete=models.CASCADE, related_name="entries")
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.CASCADE, related_name="scorecard_entries")
    order = models.PositiveIntegerField(default=0)
    signpost = models.BooleanField(default=False, help_text="A key indicator shown on the signposts page.")
    public = models.BooleanField(default=True, help_text="Shown when the scorecard is published.")
    plain_title = models.CharField(max_length=300, blank=True, help_text="Plain-language label for the public.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["section", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["section", "indicator"], name="scorecard_entry_once")]
        verbose_name_plural = "scorecard entries"

    def __str__(self):
        return f"{self.section}: {self.indicator_id}"

    def save(self, *args, **kwargs):
        self.scorecard_id = self.section.scorecard_id
        super().save(*args, **kwargs)


class _Frozen(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise ImmutableError("An issued edition cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("An issued edition cannot be deleted.")


class ScorecardEdition(_Frozen):
    """The scorecard as issued for a period: kept forever, never changed."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="editions")
    period = models.DateField()
    title = models.CharField(max_length=200)
    public_title = models.CharField(max_length=200, blank=True)
    director_commentary = models.TextField(blank=True)
    director_commentary_internal = models.BooleanField(default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField()
    warnings = models.TextField(blank=True)

    history = HistoricalRecords()
    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["scorecard", "-period"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "period"], name="edition_once_per_period")]

    def __str__(self):
        return f"{self.title}, {self.period_label}"

    def get_absolute_url(self):
        return reverse("edition-detail", kwargs={"pk": self.pk})

    @property
    def period_label(self) -> str:
        return periods.month_label(self.period)


class EditionSection(_Frozen):
    edition = models.ForeignKey(ScorecardEdition, on_delete=models.PROTECT, related_name="sections")
    title = models.CharField(max_length=120)
    order = models.PositiveIntegerField()
    commentary = models.TextField(blank=True)
    commentary_internal = models.BooleanField(default=False)

    class Meta:
        ordering = ["edition", "order"]

    def __str__(self):
        return self.title


class EditionRow(_Frozen):
    """One PI as reported. Text fields are frozen too, so a later rename never rewrites history."""

    edition = models.ForeignKey(ScorecardEdition, on_delete=models.PROTECT, related_name="rows")
    section = models.ForeignKey(EditionSection, on_delete=models.PROTECT, related_name="rows")
    order = models.PositiveIntegerField()
    indicator = models.ForeignKey("indicators.Indicator", null=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    plain_title = models.CharField(max_length=300, blank=True)
    period = models.DateField(null=True, help_text="Period of the measurement reported.")
    period_label = models.CharField(max_length=20, blank=True)
    value = models.DecimalField(**VALUE_FIELD)
    target = models.DecimalField(**VALUE_FIELD)
    value_text = models.CharField(max_length=40, blank=True)
    target_text = models.CharField(max_length=40, blank=True)
    ytd_text = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=8, default=rules.UNKNOWN)
    short_trend = models.CharField(max_length=9, blank=True, default="")
    long_trend = models.CharField(max_length=9, blank=True, default="")
    quartile = models.PositiveSmallIntegerField(null=True)
    commentary = models.TextField(blank=True)
    approved = models.BooleanField(default=True)
    signpost = models.BooleanField(default=False)
    public = models.BooleanField(default=True)
    spark = models.CharField(max_length=600, blank=True, help_text="Comma-separated values, oldest first.")
    cause = models.TextField(blank=True, help_text="Why a red value was off target, as issued.")
    action_taken = models.TextField("action being taken", blank=True)
    recovery_date = models.DateField("expected recovery date", null=True, blank=True)

    class Meta:
        ordering = ["edition", "section__order", "order"]
        indexes = [models.Index(fields=["indicator", "period"])]

    def __str__(self):
        return f"{self.code} {self.period_label}"
