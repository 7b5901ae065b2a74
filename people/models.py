"""1-2-1 meetings between a person and their line manager, and yearly appraisals.

Both are private to the person, the people above them in the line and the performance team
(people.querysets.LineQuerySet); nothing here is shown on snapshots, reports or public pages.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from people.querysets import LineQuerySet


class Meeting(models.Model):
    """A 1-2-1: open while the two talk, then completed, which freezes what was discussed."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETED = "completed", "Completed"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings_held", verbose_name="line manager"
    )
    held_on = models.DateField("meeting date")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    manager_notes = models.TextField("line manager's notes", blank=True)
    person_notes = models.TextField("notes of the person", blank=True)
    next_meeting = models.DateField("next meeting", null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreed_actions = models.ManyToManyField("plans.PlanItem", blank=True, related_name="agreed_in_meetings")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = LineQuerySet.as_manager()

    class Meta:
        verbose_name = "1-2-1 meeting"
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["person", "-held_on"], name="meeting_person_date")]

    def __str__(self):
        return f"1-2-1 of {self.person} on {self.held_on:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("meeting-detail", kwargs={"pk": self.pk})

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED


class MeetingItem(models.Model):
    """What a meeting said about one of the person's items.

    While the meeting is open, a row exists only for an item someone commented on (its figures are
    read live); completing the meeting writes a row for every item with its status and figures as
    they were that day."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    code = models.CharField(max_length=60, blank=True)
    title = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=30, blank=True)
    status_label = models.CharField(max_length=60, blank=True)
    tone = models.CharField(max_length=10, blank=True)
    facts = models.JSONField(default=list, blank=True)
    attention = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    manager_comment = models.TextField(blank=True)
    person_comment = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind", "object_id"], name="meetingitem_unique_item"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.object_id)


class Appraisal(models.Model):
    """A person's yearly appraisal: personal objectives on the golden thread, a personal
    development plan, comments by both and sign-off by both (then read-only)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appraisals")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appraisals_held", verbose_name="appraiser"
    )
    year = models.PositiveSmallIntegerField(
        "financial year", help_text="The year the financial year starts in (2026 for 2026/27)."
    )
    manager_comments = models.TextField("appraiser's comments", blank=True)
    person_comments = models.TextField("comments of the person", blank=True)
    person_signed_at = models.DateTimeField(null=True, blank=True)
    manager_signed_at = models.DateTimeField(null=True, blank=True)
    manager_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = LineQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "person__name"]
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="appraisal_one_per_year")]

    def __str__(self):
        return f"Appraisal of {self.person} for {self.year_label}"

    def get_absolute_url(self):
        return reverse("appraisal-detail", kwargs={"pk": self.pk})

    @property
    def year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def is_signed(self) -> bool:
        return self.person_signed_at is not None and self.manager_signed_at is not None

    @property
    def any_signature(self) -> bool:
        return self.person_signed_at is not None or self.manager_signed_at is not None


class Rating(models.IntegerChoices):
    NOT_MET = 1, "Not met"
    PARTLY_MET = 2, "Partly met"
    MET = 3, "Met"
    EXCEEDED = 4, "Exceeded"


class PersonalObjective(models.Model):
    """An objective of one person for the year, serving a plan action or objective."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(max_length=300)
    plan_item = models.ForeignKey(
        "plans.PlanItem", on_delete=models.PROTECT, related_name="personal_objectives", verbose_name="serves"
    )
    rating = models.PositiveSmallIntegerField(
        choices=Rating.choices, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.title


class DevelopmentNeed(models.Model):
    """A training or development need of the personal development plan."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="needs")
    need = models.CharField("training or development need", max_length=300)
    support = models.CharField("how it will be met", max_length=300, blank=True)
    by_date = models.DateField("by", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["by_date", "pk"]

    def __str__(self):
        return self.need
