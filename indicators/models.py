"""Performance indicators: definitions, effective-dated targets, measurements and benchmarks."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from indicators import rules
from indicators.querysets import BenchmarkQuerySet, IndicatorQuerySet, MeasurementQuerySet, TargetQuerySet
from pmf import periods

VALUE_FIELD = {"max_digits": 20, "decimal_places": 6}


# Denormalised from the latest measurement and refreshed by the services; derived, so not audited.
LATEST_FIELDS = [
    "latest_period",
    "latest_value",
    "latest_target",
    "latest_status",
    "latest_updated_at",
    "short_trend",
    "long_trend",
]


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    class Unit(models.TextChoices):
        NUMBER = "number", "Number"
        PERCENT = "percent", "%"
        GBP = "gbp", "£"
        DAYS = "days", "Days"
        RATIO = "ratio", "Ratio"
        PER_1000 = "per1000", "Count per 1,000"

    class Polarity(models.TextChoices):
        UP = rules.UP, "Up is good"
        DOWN = rules.DOWN, "Down is good"
        DATA = rules.DATA, "Data only"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual"

    class YtdRule(models.TextChoices):
        SUM = rules.SUM, "Sum"
        MEAN = rules.MEAN, "Mean"
        LATEST = rules.LATEST, "Latest"
        RATIO = rules.RATIO, "Ratio of sums"

    class ToleranceKind(models.TextChoices):
        PERCENT = rules.PERCENT, "Percent of target"
        ABSOLUTE = rules.ABSOLUTE, "Absolute"

    class Source(models.TextChoices):
        LOCAL = "local", "Local"
        STATUTORY = "statutory", "Statutory"
        TSM = "tsm", "Tenant Satisfaction Measure"
        HOUSEMARK = "housemark", "Housemark"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        GREEN = rules.GREEN, rules.STATUS_LABELS[rules.GREEN]
        AMBER = rules.AMBER, rules.STATUS_LABELS[rules.AMBER]
        RED = rules.RED, rules.STATUS_LABELS[rules.RED]
        DATA_ONLY = rules.DATA_ONLY, rules.STATUS_LABELS[rules.DATA_ONLY]
        UNKNOWN = rules.UNKNOWN, rules.STATUS_LABELS[rules.UNKNOWN]

    class Trend(models.TextChoices):
        IMPROVING = rules.IMPROVING, "Improving"
        SAME = rules.NO_CHANGE, "No change"
        WORSE = rules.WORSE, "Getting worse"
        NONE = rules.NO_TREND, "No trend"

    code = models.CharField(max_length=40, unique=True, help_text="Short unique code used in formulas, e.g. INC01.")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    definition = models.TextField(blank=True, help_text="How the value is calculated.")
    guidance = models.TextField(blank=True, help_text="Notes for the person who enters the value.")
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.NUMBER)
    decimals = models.PositiveSmallIntegerField(default=1)
    polarity = models.CharField(max_length=5, choices=Polarity.choices, default=Polarity.UP)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY, db_index=True)
    ytd_rule = models.CharField("year-to-date rule", max_length=6, choices=YtdRule.choices, default=YtdRule.MEAN)
    tolerance_kind = models.CharField(max_length=8, choices=ToleranceKind.choices, default=ToleranceKind.PERCENT)
    tolerance = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        default=Decimal("5"),
        help_text="How far a value may miss the target and still be amber.",
    )
    min_value = models.DecimalField("lowest allowed value", null=True, blank=True, **VALUE_FIELD)
    max_value = models.DecimalField("highest allowed value", null=True, blank=True, **VALUE_FIELD)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_indicators",
        verbose_name="managed by",
    )
    updater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="updated_indicators",
        verbose_name="assigned to",
    )
    org_unit = models.ForeignKey("pmf.OrgUnit", on_delete=models.PROTECT, related_name="indicators")
    source = models.CharField(
        "source / collection", max_length=10, choices=Source.choices, default=Source.LOCAL, db_index=True
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="indicators")
    formula = models.CharField(
        max_length=1000,
        blank=True,
        help_text="For calculated PIs: arithmetic over other PI codes, e.g. ARR_NUM / ARR_DEN * 100.",
    )
    proxy_for = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proxies",
        help_text="The (usually annual) PI this one gives an in-year sense of direction for.",
    )
    active = models.BooleanField(default=True)
    actions = models.ManyToManyField(
        "plans.PlanItem", blank=True, related_name="indicators", help_text="Plan actions that improve this PI."
    )

    # Denormalised from the latest measurement with a value; refreshed by the services.
    latest_period = models.DateField(null=True, blank=True)
    latest_value = models.DecimalField(null=True, blank=True, **VALUE_FIELD)
    latest_target = models.DecimalField(null=True, blank=True, **VALUE_FIELD)
    latest_status = models.CharField(max_length=8, choices=Status.choices, default=Status.UNKNOWN, db_index=True)
    latest_updated_at = models.DateTimeField(null=True, blank=True)
    short_trend = models.CharField(max_length=9, choices=Trend.choices, blank=True, default="")
    long_trend = models.CharField(max_length=9, choices=Trend.choices, blank=True, default="")

    history = HistoricalRecords(
        excluded_fields=LATEST_FIELDS,
    )
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(fields=["org_unit", "code"]),
            models.Index(fields=["updater", "active"]),
            models.Index(fields=["owner", "active"]),
            models.Index(fields=["latest_period"]),
            models.Index(fields=["latest_status", "code"]),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("indicator-detail", kwargs={"pk": self.pk})

    @property
    def is_calculated(self) -> bool:
        return bool(self.formula)

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS[self.latest_status]

    @property
    def status_css(self) -> str:
        return rules.STATUS_CSS[self.latest_status]

    def clean(self):
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValidationError({"max_value": "The highest allowed value is below the lowest."})
        if self.proxy_for_id and self.proxy_for_id == self.pk:
            raise ValidationError({"proxy_for": "A PI cannot be a proxy for itself."})

    # Periods -----------------------------------------------------------------------------

    def period_for(self, day: datetime.date) -> datetime.date:
        """The period of this PI's frequency that DAY falls in."""
        if self.frequency == self.Frequency.QUARTERLY:
            return periods.quarter_start(day)
        if self.frequency == self.Frequency.ANNUAL:
            return periods.financial_year_start(day)
        return periods.month_start(day)

    def is_valid_period(self, period: datetime.date) -> bool:
        return period.day == 1 and self.period_for(period) == period

    def step(self) -> int:
        return {"monthly": 1, "quarterly": 3, "annual": 12}[self.frequency]

    def period_label(self, period: datetime.date) -> str:
        if self.frequency == self.Frequency.QUARTERLY:
            return periods.quarter_label(period)
        if self.frequency == self.Frequency.ANNUAL:
            return periods.fy_label(period)
        return periods.month_label(period)

    def format_value(self, value) -> str:
        if value is None:
            return "–"
        text = f"{value:,.{self.decimals}f}"
        if self.unit == self.Unit.PERCENT:
            return f"{text}%"
        if self.unit == self.Unit.GBP:
            return f"£{text}"
        return text


class TargetPeriod(models.Model):
    """The target and tolerance in force from a period on, until the next row's period.

    Measurements take the target in force for their period when saved, so a later change only
    affects periods from its own effective date."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    effective_from = models.DateField(help_text="First period this target applies to.")
    target = models.DecimalField(null=True, blank=True, **VALUE_FIELD)
    tolerance_kind = models.CharField(
        max_length=8, choices=Indicator.ToleranceKind.choices, default=Indicator.ToleranceKind.PERCENT
    )
    tolerance = models.DecimalField(max_digits=12, decimal_places=4, default=Decimal("5"))

    history = HistoricalRecords()
    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "effective_from"], name="target_unique_indicator_from"),
        ]

    def __str__(self):
        return f"{self.indicator.code} from {self.effective_from:%b %Y}: {self.target}"


def target_in_force(targets: list[TargetPeriod], period: datetime.date) -> TargetPeriod | None:
    """The row of TARGETS (sorted by effective_from) in force for PERIOD."""
    found = None
    for row in targets:
        if row.effective_from <= period:
            found = row
        else:
            break
    return found


class Measurement(models.Model):
    # No index of its own: the unique (indicator, period) constraint's index serves every lookup.
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements", db_index=False)
    period = models.DateField(help_text="First day of the month, quarter or financial year measured.")
    value = models.DecimalField(null=True, blank=True, **VALUE_FIELD)
    target = models.DecimalField(null=True, blank=True, **VALUE_FIELD)
    status = models.CharField(max_length=8, choices=Indicator.Status.choices, default=Indicator.Status.UNKNOWN)
    commentary = models.TextField(blank=True, help_text="What explains this period's performance.")
    cause = models.TextField(blank=True, help_text="Why the value is off target.")
    action_taken = models.TextField("action being taken", blank=True)
    recovery_date = models.DateField("expected recovery date", null=True, blank=True)
    data_quality_note = models.TextField(blank=True)
    calculation_error = models.CharField(
        max_length=300, blank=True, help_text="Why a calculated PI has no value for this period."
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised on every save, to detect conflicting edits.")

    history = HistoricalRecords()
    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="measurement_unique_indicator_period"),
        ]
        indexes = [
            # Values awaiting approval, newest period first (the approvals page walks it backwards and
            # stops at a page); it holds only the backlog, which approvals keep small.
            models.Index(
                fields=["period", "indicator"],
                name="measurement_awaiting_idx",
                condition=models.Q(approved_at__isnull=True, value__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.period:%b %Y}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS[self.status]

    @property
    def status_css(self) -> str:
        return rules.STATUS_CSS[self.status]


class Benchmark(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="benchmarks")
    source = models.CharField(max_length=120, help_text="e.g. Housemark, RSH TSM statistics.")
    year = models.CharField(max_length=9, help_text="e.g. 2024/25.")
    top_quartile = models.DecimalField(**VALUE_FIELD)
    median = models.DecimalField(**VALUE_FIELD)
    bottom_quartile = models.DecimalField(**VALUE_FIELD)

    history = HistoricalRecords()
    objects = BenchmarkQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "-year", "source"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "source", "year"], name="benchmark_unique_source_year"),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.source} {self.year}"

    def quartile_of(self, value) -> int | None:
        return rules.quartile(
            value=value,
            top=self.top_quartile,
            median=self.median,
            bottom=self.bottom_quartile,
            polarity=self.indicator.polarity,
        )


class ImportRun(models.Model):
    """The record of one committed import (the rows themselves are written in bulk)."""

    class Kind(models.TextChoices):
        DEFINITIONS = "definitions", "PI definitions"
        VALUES = "values", "Values and targets"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    org_unit = models.ForeignKey("pmf.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.file_name}"
