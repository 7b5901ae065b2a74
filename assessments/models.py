"""Self-assessments: framework libraries (a version of a framework with its judgement scales and a
tree of themes, lines of enquiry and questions), assessments of an org unit against a version,
the response to each question, and the evidence behind a response."""

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from simple_history.models import HistoricalRecords

from assessments import status as rules
from assessments.querysets import (
    AssessmentQuerySet,
    DocumentQuerySet,
    EvidenceLinkQuerySet,
    FrameworkNodeQuerySet,
    FrameworkQuerySet,
    ResponseQuerySet,
)

MPTT_FIELDS = ["lft", "rght", "tree_id", "level"]


class Framework(models.Model):
    """One version of a framework. A library loaded again with changed content becomes a new
    version; assessments keep the version they were made against. Versions are never edited once
    an assessment uses them."""

    class Kind(models.TextChoices):
        LIBRARY = "library", "Library"
        LOCAL = "local", "Local"

    key = models.SlugField(max_length=80, help_text="Identifies the framework across its versions.")
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200, blank=True)
    edition = models.CharField(max_length=100, blank=True, help_text="The source's own edition or period.")
    effective_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    licence = models.TextField("licence note", blank=True)
    sources = models.JSONField(default=list, blank=True, help_text="Source links: [{url, note}].")
    about = models.JSONField(default=list, blank=True, help_text="Further notes: [[label, text]].")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LOCAL)
    digest = models.CharField(max_length=64, blank=True, editable=False)
    source_file = models.CharField(max_length=200, blank=True, editable=False)
    active = models.BooleanField(default=True, help_text="Inactive frameworks are not offered for new assessments.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="framework_unique_version")]

    def __str__(self):
        return f"{self.name} (version {self.version})"

    def get_absolute_url(self):
        return reverse("framework-detail", kwargs={"pk": self.pk})

    @property
    def is_local(self) -> bool:
        return self.kind == self.Kind.LOCAL


class Scale(models.Model):
    """A judgement scale of a framework: its levels (whole numbers) with labels and descriptors.
    A compliance scale is a yes/no one (No = 0, Yes = 1)."""

    class Kind(models.TextChoices):
        GRADED = "graded", "Graded levels"
        COMPLIANCE = "compliance", "Complies yes/no"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="scales")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=200)
    question = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.GRADED)
    position = models.PositiveSmallIntegerField(default=0)
    levels = models.JSONField(default=list, help_text="[{value, label, descriptor}] from the lowest level up.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "key"], name="scale_unique_key")]

    def __str__(self):
        return self.name

    @property
    def values(self) -> list[int]:
        return [level["value"] for level in self.levels]

    @property
    def is_compliance(self) -> bool:
        return self.kind == self.Kind.COMPLIANCE

    def label_of(self, value: int | None) -> str:
        for level in self.levels:
            if level["value"] == value:
                return level["label"]
        return "–" if value is None else str(value)

    def choices(self) -> list[tuple[int, str]]:
        return [(level["value"], f"{level['value']} – {level['label']}") for level in self.levels]


class FrameworkNodeManager(TreeManager.from_queryset(FrameworkNodeQuerySet)):
    pass


class FrameworkNode(MPTTModel):
    """A theme, line of enquiry or question of a framework version. Each version is one tree under a
    root node (code ""); questions are the nodes with nothing below them. A node may also sit under
    other parents (`also_under`): a cross-cutting question counts in each of their scores."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="nodes")
    parent = TreeForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.CharField(max_length=60, blank=True)
    title = models.CharField(max_length=300)
    kind_label = models.CharField("kind", max_length=60, blank=True, help_text="Theme, KLOE, Standard, Provision…")
    description = models.TextField(blank=True)
    guidance = models.TextField(blank=True)
    notes = models.TextField(blank=True, help_text="Where the item comes from and what is not yet verified.")
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="Share of its parents' scores this node carries."
    )
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="nodes")
    verified = models.BooleanField(null=True, blank=True, help_text="Checked against the source (blank: not stated).")
    descriptors = models.JSONField(default=dict, blank=True, help_text="What each level means for this node.")
    position = models.PositiveIntegerField(default=0)
    is_question = models.BooleanField(default=False, editable=False, db_index=True)
    also_under = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="cross_children", verbose_name="also under"
    )

    history = HistoricalRecords(excluded_fields=MPTT_FIELDS)
    objects = FrameworkNodeManager()

    class MPTTMeta:
        order_insertion_by = ["position"]

    class Meta:
        verbose_name = "framework node"
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="frameworknode_unique_code"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="frameworknode_weight_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}".strip()

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    def descriptor_for(self, value: int) -> str:
        """This node's criterion for level VALUE, or the scale's general descriptor."""
        own = self.descriptors.get(str(value))
        if own:
            return own
        for level in self.scale.levels:
            if level["value"] == value:
                return level.get("descriptor", "")
        return ""


class Assessment(models.Model):
    """A framework version applied to an org unit: a self-assessment, mock inspection, peer review
    or the annual Complaint Handling Code self-assessment, with its lead and workflow."""

    class Kind(models.TextChoices):
        SELF_ASSESSMENT = "self_assessment", "Self-assessment"
        MOCK_INSPECTION = "mock_inspection", "Mock inspection"
        PEER_REVIEW = "peer_review", "Peer review"
        ANNUAL_CODE = "annual_code", "Annual Complaint Handling Code self-assessment"

    class Status(models.TextChoices):
        DRAFT = rules.DRAFT, rules.STATUS_LABELS[rules.DRAFT]
        IN_PROGRESS = rules.IN_PROGRESS, rules.STATUS_LABELS[rules.IN_PROGRESS]
        SUBMITTED = rules.SUBMITTED, rules.STATUS_LABELS[rules.SUBMITTED]
        MODERATED = rules.MODERATED, rules.STATUS_LABELS[rules.MODERATED]
        SIGNED_OFF = rules.SIGNED_OFF, rules.STATUS_LABELS[rules.SIGNED_OFF]
        ARCHIVED = rules.ARCHIVED, rules.STATUS_LABELS[rules.ARCHIVED]

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="assessments")
    org_unit = models.ForeignKey(
        "pmf.OrgUnit", on_delete=models.PROTECT, related_name="assessments", verbose_name="organisation unit"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SELF_ASSESSMENT)
    title = models.CharField(max_length=200)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_assessments"
    )
    assessed_on = models.DateField("assessment date")
    due_date = models.DateField("responses due", null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    summary = models.TextField("overall commentary", blank=True)
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assessments_shared",
        help_text="People who may read the assessment (Board members, a tenant panel's contact).",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[shared_with])
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "title"]
        indexes = [
            models.Index(fields=["org_unit", "status"], name="assessment_unit_status"),
            models.Index(fields=["framework", "org_unit"], name="assessment_framework_unit"),
            models.Index(fields=["lead", "status"], name="assessment_lead_status"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assessment-detail", kwargs={"pk": self.pk})

    @property
    def is_read_only(self) -> bool:
        return rules.is_read_only(self.status)

    @property
    def can_score(self) -> bool:
        return rules.can_score(self.status)

    @property
    def can_moderate(self) -> bool:
        return rules.can_moderate(self.status)


class Response(models.Model):
    """The answer to one question of an assessment. After moderation both scores are kept: the
    assessor's `level` and the moderator's `moderated_level` with the reason."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    node = models.ForeignKey(FrameworkNode, on_delete=models.PROTECT, related_name="responses")
    level = models.SmallIntegerField("score", null=True, blank=True)
    target_level = models.SmallIntegerField("target", null=True, blank=True)
    not_applicable = models.BooleanField("not applicable", default=False)
    moderated_level = models.SmallIntegerField("moderated score", null=True, blank=True)
    moderation_reason = models.TextField(blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    strengths = models.TextField(blank=True)
    areas_for_improvement = models.TextField(blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessment_responses",
    )
    due_date = models.DateField(null=True, blank=True)
    target_date = models.DateField(
        null=True,
        blank=True,
        help_text="When the target is expected to be met (for a “No”, when you expect to comply).",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    improvement_actions = models.ManyToManyField(
        "plans.PlanItem", blank=True, related_name="assessment_responses", verbose_name="improvement actions"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[improvement_actions])
    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "node__tree_id", "node__lft"]
        constraints = [models.UniqueConstraint(fields=["assessment", "node"], name="response_unique_node")]
        indexes = [models.Index(fields=["assigned_to", "assessment"], name="response_assignee")]

    def __str__(self):
        return f"{self.node.code} in {self.assessment}"

    def get_absolute_url(self):
        return reverse("response-detail", kwargs={"pk": self.pk})

    @property
    def score(self) -> int | None:
        """The score that counts (the moderator's, when they changed it)."""
        return None if self.not_applicable else rules.effective_level(self.level, self.moderated_level)

    @property
    def is_answered(self) -> bool:
        return self.not_applicable or self.level is not None

    @property
    def gap(self):
        return rules.gap(self.score, None if self.not_applicable else self.target_level)


def evidence_path(instance, filename: str) -> str:
    """Where an uploaded document is stored under MEDIA_ROOT: a random name (nothing of the
    uploader's file name) with the checked extension, so no one can guess or list it."""
    return f"evidence/{secrets.token_urlsafe(24)}{PurePosixPath(filename).suffix.lower()}"


class Document(models.Model):
    """An uploaded evidence file of an assessment. Served only through the evidence download view,
    which applies the assessment's access rules; one document can evidence several questions."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("evidence-download", kwargs={"pk": self.pk})


class EvidenceLink(models.Model):
    """One piece of evidence for a response: a document, a PI (shown with its status), a plan
    action, another response or a web address."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", "Document"
        INDICATOR = "indicator", "Performance indicator"
        PLAN_ITEM = "plan_item", "Plan action"
        RESPONSE = "response", "Another response"
        URL = "url", "Web address"

    TARGET_FIELDS = {
        Kind.DOCUMENT: "document",
        Kind.INDICATOR: "indicator",
        Kind.PLAN_ITEM: "plan_item",
        Kind.RESPONSE: "other_response",
        Kind.URL: "url",
    }

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE, related_name="links")
    indicator = models.ForeignKey(
        "indicators.Indicator", null=True, blank=True, on_delete=models.CASCADE, related_name="assessment_evidence"
    )
    plan_item = models.ForeignKey(
        "plans.PlanItem", null=True, blank=True, on_delete=models.CASCADE, related_name="assessment_evidence"
    )
    other_response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.CASCADE, related_name="cited_by"
    )
    url = models.URLField("web address", max_length=500, blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="What this shows.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = EvidenceLinkQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="document",
                        document__isnull=False,
                        indicator__isnull=True,
                        plan_item__isnull=True,
                        other_response__isnull=True,
                        url="",
                    )
                    | Q(
                        kind="indicator",
                        document__isnull=True,
                        indicator__isnull=False,
                        plan_item__isnull=True,
                        other_response__isnull=True,
                        url="",
                    )
                    | Q(
                        kind="plan_item",
                        document__isnull=True,
                        indicator__isnull=True,
                        plan_item__isnull=False,
                        other_response__isnull=True,
                        url="",
                    )
                    | Q(
                        kind="response",
                        document__isnull=True,
                        indicator__isnull=True,
                        plan_item__isnull=True,
                        other_response__isnull=False,
                        url="",
                    )
                    | (
                        Q(
                            kind="url",
                            document__isnull=True,
                            indicator__isnull=True,
                            plan_item__isnull=True,
                            other_response__isnull=True,
                        )
                        & ~Q(url="")
                    )
                ),
                name="evidencelink_one_target",
            ),
            models.UniqueConstraint(
                fields=["response", "document"], condition=Q(kind="document"), name="evidencelink_unique_document"
            ),
            models.UniqueConstraint(
                fields=["response", "indicator"], condition=Q(kind="indicator"), name="evidencelink_unique_indicator"
            ),
            models.UniqueConstraint(
                fields=["response", "plan_item"], condition=Q(kind="plan_item"), name="evidencelink_unique_plan_item"
            ),
            models.UniqueConstraint(
                fields=["response", "other_response"],
                condition=Q(kind="response"),
                name="evidencelink_unique_response",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.response_id}"

    @property
    def target(self):
        return getattr(self, self.TARGET_FIELDS[self.kind])
