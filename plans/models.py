"""The golden thread: strategy > plan > objective > action > sub-action, with milestones and
progress updates on actions."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from simple_history.models import HistoricalRecords

from plans import status as rules
from plans.querysets import MilestoneQuerySet, PlanItemQuerySet, ProgressUpdateQuerySet
from pmf.models import SingletonSettings

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


def _a(noun: str) -> str:
    """'an objective', 'a plan'."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun.lower()}"


class Status(models.TextChoices):
    """Stored on every plan item for filtering; worked out by plans.status.action_status."""

    NOT_STARTED = rules.NOT_STARTED, "Not started"
    IN_PROGRESS = rules.IN_PROGRESS, "In progress"
    CHECK_PROGRESS = rules.CHECK_PROGRESS, "Check progress"
    OVERDUE = rules.OVERDUE, "Overdue"
    COMPLETED = rules.COMPLETED, "Completed"
    CANCELLED = rules.CANCELLED, "Cancelled"


class PlanItemManager(TreeManager.from_queryset(PlanItemQuerySet)):
    pass


class PlanItem(MPTTModel):
    class Kind(models.TextChoices):
        STRATEGY = "strategy", "Strategy"
        PLAN = "plan", "Plan"
        OBJECTIVE = "objective", "Objective"
        ACTION = "action", "Action"

    # Which kinds may sit directly under which; None means "at the top of a tree".
    ALLOWED_PARENTS = {
        Kind.STRATEGY: {None},
        Kind.PLAN: {None, Kind.STRATEGY, Kind.PLAN},
        Kind.OBJECTIVE: {Kind.STRATEGY, Kind.PLAN, Kind.OBJECTIVE},
        Kind.ACTION: {Kind.OBJECTIVE, Kind.ACTION, Kind.PLAN},
    }

    class Priority(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ACTION)
    code = models.CharField(max_length=40, unique=True, help_text='Short unique code, e.g. "BIS 1.1".')
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    expected_outcome = models.TextField(blank=True)
    parent = TreeForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    org_unit = models.ForeignKey(
        "pmf.OrgUnit", on_delete=models.PROTECT, related_name="plan_items", verbose_name="organisation unit"
    )
    managed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_plan_items"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_plan_items"
    )
    planned_start = models.DateField(null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    completed_date = models.DateField(null=True, blank=True)
    cancelled_date = models.DateField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField("progress %", default=0, validators=PERCENT)
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="Share of the parent's progress this item carries."
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    cost_to_date = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    expected_cost = models.DecimalField("current expected cost", max_digits=14, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED, db_index=True)
    # Worst status among the descendants ("" when none needs attention), refreshed with roll-ups.
    attention = models.CharField(max_length=20, choices=Status.choices, blank=True, default="")
    active = models.BooleanField(default=True, help_text="Archived items are hidden from the tree.")
    supports = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="supported_by",
        help_text="Objectives in other plans this item serves.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["lft", "rght", "tree_id", "level"])
    objects = PlanItemManager()

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = "plan item"
        indexes = [
            models.Index(fields=["due_date"], name="planitem_due_date"),
            models.Index(fields=["assigned_to", "status"], name="planitem_assigned_status"),
            models.Index(fields=["managed_by", "status"], name="planitem_managed_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=100), name="planitem_progress_0_100"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="planitem_weight_positive"),
            models.CheckConstraint(
                condition=(
                    Q(due_date__isnull=True) | Q(planned_start__isnull=True) | Q(due_date__gte=F("planned_start"))
                ),
                name="planitem_due_not_before_start",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("planitem-detail", kwargs={"pk": self.pk})

    @property
    def is_action(self) -> bool:
        return self.kind == self.Kind.ACTION

    @property
    def cost_variance(self) -> Decimal | None:
        """Current expected cost minus budget: positive means an overspend is expected."""
        if self.budget is None or self.expected_cost is None:
            return None
        return self.expected_cost - self.budget

    @property
    def cost_variance_text(self) -> str:
        variance = self.cost_variance
        if variance is None:
            return "–"
        if variance == 0:
            return "On budget"
        return f"£{abs(variance):,.2f} {'over' if variance > 0 else 'under'} budget"

    @property
    def start_date(self) -> datetime.date | None:
        """Where the straight line of expected progress starts: the plan, unless there is none."""
        return self.planned_start or self.actual_start

    def expected_progress(self, today: datetime.date) -> float | None:
        return rules.expected_progress(start=self.start_date, due=self.due_date, today=today)

    def children_kind_conflict(self) -> str | None:
        """Why this item's kind does not suit the items already below it (None when it does)."""
        if not self.pk:
            return None
        for child_kind in PlanItem.objects.filter(parent_id=self.pk).values_list("kind", flat=True).distinct():
            if self.kind not in self.ALLOWED_PARENTS[child_kind]:
                label = self.Kind(child_kind).label
                return (
                    f"{_a(label).capitalize()} sits below {self.code}, and {_a(label)} cannot sit under "
                    f"{_a(self.get_kind_display())}."
                )
        return None

    def clean(self):
        errors = {}
        parent_kind = self.parent.kind if self.parent_id else None
        allowed = self.ALLOWED_PARENTS.get(self.kind, set())
        if parent_kind not in allowed:
            # Keyed on the kind: the item's kind is what does not fit where it is being placed.
            where = f"under {_a(self.parent.get_kind_display())}" if self.parent_id else "at the top"
            errors["kind"] = f"{_a(self.get_kind_display()).capitalize()} cannot sit {where}."
        elif self.pk and self.parent_id and (self.parent_id == self.pk or self.parent.is_descendant_of(self)):
            errors["parent"] = "An item cannot be moved under itself or one of its own items."
        if "kind" not in errors and (conflict := self.children_kind_conflict()):
            errors["kind"] = conflict
        if self.planned_start and self.due_date and self.due_date < self.planned_start:
            errors["due_date"] = "The due date cannot be before the planned start."
        if self.actual_start and self.completed_date and self.completed_date < self.actual_start:
            errors["completed_date"] = "The completed date cannot be before the actual start."
        if errors:
            raise ValidationError(errors)


class Milestone(models.Model):
    action = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=300)
    due_date = models.DateField(null=True, blank=True)
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="Share of the action's progress (at least 1)."
    )
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [models.CheckConstraint(condition=Q(weight__gte=1), name="milestone_weight_positive")]

    def __str__(self):
        return self.title

    @property
    def is_complete(self) -> bool:
        return self.completed_on is not None


class ProgressUpdate(models.Model):
    action = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(default=datetime.date.today)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_updates")
    progress = models.PositiveSmallIntegerField("progress %", validators=PERCENT)
    status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["action", "-date", "-id"], name="progressupdate_action_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="progressupdate_progress_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.action.code} {self.date:%d %b %Y}: {self.progress}%"


class PlanSettings(SingletonSettings):
    """One row of plan settings the performance team edits (see SingletonSettings.load())."""

    check_progress_tolerance = models.PositiveSmallIntegerField(
        "check progress tolerance (points)",
        default=rules.DEFAULT_TOLERANCE,
        validators=PERCENT,
        help_text="An action more than this many percentage points behind the straight line from start "
        "to due date is flagged Check progress.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "plan settings"
        verbose_name_plural = "plan settings"
