"""The risk register: categories with their appetite, the scoring matrix, risks, their controls,
reviews and acceptances."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from simple_history.models import HistoricalRecords

from risks import status as rules
from risks.querysets import AcceptanceQuerySet, ControlQuerySet, ReviewQuerySet, RiskQuerySet

COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Give the colour as # and six hexadecimal digits, e.g. #b3261e.")
LEVEL = [MinValueValidator(1)]


class RiskCategory(models.Model):
    """A kind of risk with the appetite the Board sets for it."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    appetite = models.PositiveSmallIntegerField(
        "appetite (highest acceptable score)",
        null=True,
        blank=True,
        help_text="A risk whose current score is above this is flagged until a manager accepts it. "
        "Leave blank for no appetite.",
    )
    statement = models.TextField("appetite statement", blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "risk categories"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class RiskBand(models.Model):
    """A band of the scoring matrix: a word, a colour and a shape (never colour alone)."""

    rank = models.PositiveSmallIntegerField(unique=True, validators=LEVEL, help_text="1 is the least severe.")
    name = models.CharField(max_length=40, unique=True)
    colour = models.CharField(max_length=7, validators=[COLOUR])
    shape = models.CharField(max_length=10, choices=list(rules.SHAPES.items()))

    history = HistoricalRecords()

    class Meta:
        ordering = ["rank"]

    def __str__(self):
        return self.name


class ScaleLevel(models.Model):
    """One level of the likelihood or impact scale, with what it means."""

    class Axis(models.TextChoices):
        LIKELIHOOD = rules.LIKELIHOOD, "Likelihood"
        IMPACT = rules.IMPACT, "Impact"

    axis = models.CharField(max_length=10, choices=Axis.choices)
    level = models.PositiveSmallIntegerField(validators=LEVEL)
    label = models.CharField(max_length=60)
    description = models.TextField(blank=True)
    finance = models.CharField(max_length=200, blank=True)
    reputation = models.CharField(max_length=200, blank=True)
    safety = models.CharField(max_length=200, blank=True)
    regulation = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["axis", "level"]
        constraints = [models.UniqueConstraint(fields=["axis", "level"], name="scalelevel_unique_axis_level")]

    def __str__(self):
        return f"{self.get_axis_display()} {self.level}: {self.label}"


class MatrixCell(models.Model):
    likelihood = models.PositiveSmallIntegerField(validators=LEVEL)
    impact = models.PositiveSmallIntegerField(validators=LEVEL)
    band = models.ForeignKey(RiskBand, on_delete=models.PROTECT, related_name="cells")

    history = HistoricalRecords()

    class Meta:
        ordering = ["likelihood", "impact"]
        constraints = [
            models.UniqueConstraint(fields=["likelihood", "impact"], name="matrixcell_unique_likelihood_impact")
        ]

    def __str__(self):
        return f"Likelihood {self.likelihood} × impact {self.impact}"


class RiskManager(TreeManager.from_queryset(RiskQuerySet)):
    pass


def _score(position: str) -> models.GeneratedField:
    return models.GeneratedField(
        expression=F(f"{position}_likelihood") * F(f"{position}_impact"),
        output_field=models.IntegerField(),
        db_persist=True,
    )


class Risk(MPTTModel):
    class Proximity(models.TextChoices):
        IMMINENT = "imminent", "Imminent (within 3 months)"
        NEAR = "near", "Within 12 months"
        MEDIUM = "medium", "1 to 3 years"
        LONG = "long", "Beyond 3 years"

    class Treatment(models.TextChoices):
        TOLERATE = "tolerate", "Tolerate"
        TREAT = "treat", "Treat"
        TRANSFER = "transfer", "Transfer"
        TERMINATE = "terminate", "Terminate"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    code = models.CharField(max_length=40, unique=True, help_text='Short unique code, e.g. "SR 04".')
    title = models.CharField(max_length=300)
    cause = models.TextField(blank=True, help_text="What could make it happen.")
    event = models.TextField(blank=True, help_text="What would happen.")
    effect = models.TextField(blank=True, help_text="What it would lead to.")
    category = models.ForeignKey(RiskCategory, on_delete=models.PROTECT, related_name="risks")
    org_unit = models.ForeignKey(
        "pmf.OrgUnit", on_delete=models.PROTECT, related_name="risks", verbose_name="organisation unit"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_risks")
    inherent_likelihood = models.PositiveSmallIntegerField(validators=LEVEL)
    inherent_impact = models.PositiveSmallIntegerField(validators=LEVEL)
    current_likelihood = models.PositiveSmallIntegerField(validators=LEVEL)
    current_impact = models.PositiveSmallIntegerField(validators=LEVEL)
    target_likelihood = models.PositiveSmallIntegerField(validators=LEVEL)
    target_impact = models.PositiveSmallIntegerField(validators=LEVEL)
    inherent_score = _score("inherent")
    current_score = _score("current")
    target_score = _score("target")
    # The current score before the latest review, for the movement shown beside the score.
    previous_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    proximity = models.CharField(max_length=10, choices=Proximity.choices, default=Proximity.NEAR)
    treatment = models.CharField(max_length=10, choices=Treatment.choices, default=Treatment.TREAT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    review_frequency = models.PositiveSmallIntegerField(
        choices=list(rules.FREQUENCIES.items()), default=rules.QUARTERLY
    )
    next_review_date = models.DateField()
    last_reviewed_on = models.DateField(null=True, blank=True, editable=False)
    # Copied from the latest acceptance, so lists flag risks above appetite without a join.
    accepted_until = models.DateField(null=True, blank=True, editable=False)
    accepted_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    objectives = models.ManyToManyField(
        "plans.PlanItem", blank=True, related_name="threatened_by", help_text="Objectives this risk threatens."
    )
    actions = models.ManyToManyField(
        "plans.PlanItem", blank=True, related_name="mitigates", help_text="Plan actions that reduce this risk."
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator",
        blank=True,
        related_name="risks",
        verbose_name="key risk indicators",
        help_text="PIs that show a change in this risk.",
    )
    parent = TreeForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="escalated to",
        help_text="The higher-level risk this one sits beneath.",
    )
    active = models.BooleanField(default=True, help_text="Archived risks leave the register.")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["lft", "rght", "tree_id", "level", "inherent_score", "current_score", "target_score"]
    )
    objects = RiskManager()

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        indexes = [
            models.Index(fields=["org_unit", "status"], name="risk_unit_status"),
            models.Index(fields=["owner", "status"], name="risk_owner_status"),
            models.Index(fields=["status", "next_review_date"], name="risk_status_next_review"),
            models.Index(fields=["current_likelihood", "current_impact"], name="risk_current_cell"),
            models.Index(fields=["-current_score", "code"], name="risk_current_score"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(inherent_likelihood__gte=1, inherent_impact__gte=1)
                & Q(current_likelihood__gte=1, current_impact__gte=1)
                & Q(target_likelihood__gte=1, target_impact__gte=1),
                name="risk_levels_positive",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("risk-detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def position(self, name: str) -> tuple[int, int]:
        return getattr(self, f"{name}_likelihood"), getattr(self, f"{name}_impact")

    @property
    def positions(self) -> dict[str, tuple[int, int]]:
        return {name: self.position(name) for name in rules.POSITIONS}

    def score_of(self, name: str) -> int:
        """The score of a position from its levels (valid before the row is saved)."""
        return rules.score(*self.position(name))

    @property
    def movement(self) -> str:
        return rules.movement(previous=self.previous_score, current=self.score_of("current"))

    def clean(self):
        if self.pk and self.parent_id and (self.parent_id == self.pk or self.parent.is_descendant_of(self)):
            raise ValidationError(
                {"parent": f"{self.code} cannot sit beneath itself or a risk escalated to it; that would make a loop."}
            )


class Control(models.Model):
    class Type(models.TextChoices):
        PREVENTIVE = "preventive", "Preventive"
        DETECTIVE = "detective", "Detective"
        CORRECTIVE = "corrective", "Corrective"
        DIRECTIVE = "directive", "Directive"

    class Effectiveness(models.TextChoices):
        EFFECTIVE = "effective", "Effective"
        PARTLY = "partly", "Partly effective"
        INEFFECTIVE = "ineffective", "Ineffective"
        NOT_TESTED = "not_tested", "Not tested"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="controls")
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="risk_controls",
        error_messages={"null": "Every control needs an owner who makes sure it works."},
    )
    type = models.CharField(max_length=12, choices=Type.choices, default=Type.PREVENTIVE)
    effectiveness = models.CharField(max_length=12, choices=Effectiveness.choices, default=Effectiveness.NOT_TESTED)
    last_tested_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ControlQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["owner"], name="control_owner")]

    def __str__(self):
        return self.description[:80]

    @property
    def effectiveness_css(self) -> str:
        return rules.EFFECTIVENESS_CSS[self.effectiveness]

    def clean(self):
        if self.last_tested_on and self.last_tested_on > timezone.localdate():
            raise ValidationError(
                {"last_tested_on": f"The last tested date {self.last_tested_on:%d %b %Y} is in the future."}
            )


class RiskReview(models.Model):
    """A dated re-score of the current position. The band is kept as it was on the day, so a
    later change of the matrix never rewrites a past review."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_reviews")
    likelihood = models.PositiveSmallIntegerField(validators=LEVEL)
    impact = models.PositiveSmallIntegerField(validators=LEVEL)
    score = models.PositiveSmallIntegerField()
    previous_score = models.PositiveSmallIntegerField(null=True, blank=True)
    band_name = models.CharField(max_length=40)
    band_colour = models.CharField(max_length=7)
    band_shape = models.CharField(max_length=10, choices=list(rules.SHAPES.items()))
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        indexes = [models.Index(fields=["risk", "-reviewed_on", "-id"], name="riskreview_risk_date")]

    def __str__(self):
        return f"{self.risk.code} reviewed {self.reviewed_on:%d %b %Y}"

    @property
    def band(self) -> rules.Band:
        return rules.Band(rank=0, name=self.band_name, colour=self.band_colour, shape=self.band_shape)

    @property
    def movement(self) -> str:
        return rules.movement(previous=self.previous_score, current=self.score)


class RiskAcceptance(models.Model):
    """A manager's or admin's decision to tolerate a risk above appetite, until a date."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="acceptances")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()
    until = models.DateField("accepted until")
    score = models.PositiveSmallIntegerField(help_text="The current score accepted; a worse score is flagged again.")
    appetite = models.PositiveSmallIntegerField(help_text="The category's appetite at the time.")

    history = HistoricalRecords()
    objects = AcceptanceQuerySet.as_manager()

    class Meta:
        ordering = ["-accepted_at", "-pk"]

    def __str__(self):
        return f"{self.risk.code} accepted until {self.until:%d %b %Y}"
