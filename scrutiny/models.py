"""Scrutiny: referrals from the Board and tenant panels, the Board meetings they feed, and
performance clinics. The workflow's rules live in scrutiny/rules.py, its writes in services.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from scrutiny import rules
from scrutiny.querysets import BoardMeetingQuerySet, ClinicQuerySet, ReferralQuerySet


class BoardMeeting(models.Model):
    """A meeting of a Board (or its scrutiny committee) in the quarterly review timetable."""

    title = models.CharField(max_length=200, help_text="E.g. “Merebrook Homes Board”.")
    org_unit = models.ForeignKey(
        "pmf.OrgUnit", on_delete=models.PROTECT, related_name="board_meetings", verbose_name="organisation"
    )
    date = models.DateField("meeting date")
    papers_deadline = models.DateField(help_text="The last day answers can go into the meeting's papers.")
    notes = models.TextField(blank=True)

    objects = BoardMeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["date"], name="boardmeeting_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(papers_deadline__lte=models.F("date")), name="boardmeeting_papers_before_meeting"
            )
        ]

    def __str__(self):
        return f"{self.title}, {self.date:%-d %B %Y}"

    def get_absolute_url(self):
        return reverse("board-meeting-detail", kwargs={"pk": self.pk})


class PerformanceClinic(models.Model):
    """A meeting on a significant performance issue not resolved by normal management action: a
    core group of staff, possibly Board members, tenant representatives and partners."""

    topic = models.CharField(max_length=300)
    held_on = models.DateField("date held")
    org_unit = models.ForeignKey("pmf.OrgUnit", on_delete=models.PROTECT, related_name="clinics", verbose_name="unit")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinics_led", verbose_name="chaired by"
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="clinics_attended", verbose_name="staff attending"
    )
    other_attendees = models.TextField(
        "other participants",
        blank=True,
        help_text="One per line, with their role: tenant representatives, partners, Board members without an account.",
    )
    indicators = models.ManyToManyField("indicators.Indicator", blank=True, related_name="clinics", verbose_name="PIs")
    actions = models.ManyToManyField(
        "plans.PlanItem", blank=True, related_name="clinics", verbose_name="actions discussed"
    )
    created_actions = models.ManyToManyField(
        "plans.PlanItem", blank=True, related_name="clinics_agreeing", verbose_name="actions agreed"
    )
    notes = models.TextField(blank=True)
    outcomes = models.TextField(blank=True)

    objects = ClinicQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[attendees, indicators, actions])

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["org_unit", "held_on"], name="clinic_unit_date")]

    def __str__(self):
        return f"{self.topic} ({self.held_on:%-d %b %Y})"

    def get_absolute_url(self):
        return reverse("clinic-detail", kwargs={"pk": self.pk})

    @property
    def other_attendee_list(self) -> list[str]:
        return [line.strip() for line in self.other_attendees.splitlines() if line.strip()]


class Referral(models.Model):
    """A question raised on a PI, a scorecard section or an action, and its way through triage,
    the service's answer and the outcome reported back to the Board."""

    indicator = models.ForeignKey(
        "indicators.Indicator", null=True, blank=True, on_delete=models.CASCADE, related_name="referrals"
    )
    section = models.ForeignKey(
        "scorecards.ScorecardSection",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="referrals",
        verbose_name="scorecard section",
    )
    action = models.ForeignKey(
        "plans.PlanItem", null=True, blank=True, on_delete=models.CASCADE, related_name="referrals"
    )
    org_unit = models.ForeignKey(
        "pmf.OrgUnit", on_delete=models.PROTECT, related_name="referrals", help_text="The unit of what is referred."
    )
    question = models.TextField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_raised")
    raised_on = models.DateField()
    meeting = models.ForeignKey(
        BoardMeeting,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
        verbose_name="Board meeting it feeds",
    )
    status = models.CharField(max_length=12, choices=rules.STATUS_CHOICES, default=rules.RAISED)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    triaged_on = models.DateField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_assigned",
        verbose_name="service manager",
    )
    due_on = models.DateField("answer due", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged", verbose_name="merged into"
    )
    decline_reason = models.TextField("reason for declining", blank=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=rules.OUTCOME_CHOICES, blank=True)
    outcome_note = models.TextField("outcome note", blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome_on = models.DateField("outcome recorded on", null=True, blank=True)
    clinic = models.ForeignKey(
        PerformanceClinic,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
        verbose_name="performance clinic",
    )

    objects = ReferralQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_on", "-pk"]
        indexes = [
            models.Index(fields=["status", "raised_on"], name="referral_status_raised"),
            models.Index(fields=["meeting", "status"], name="referral_meeting_status"),
            models.Index(fields=["outcome_on"], name="referral_outcome_on"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(indicator__isnull=False, section__isnull=True, action__isnull=True)
                    | Q(indicator__isnull=True, section__isnull=False, action__isnull=True)
                    | Q(indicator__isnull=True, section__isnull=True, action__isnull=False)
                ),
                name="referral_one_subject",
            )
        ]

    def __str__(self):
        return f"Referral {self.pk} on {self.subject_label}"

    def get_absolute_url(self):
        return reverse("referral-detail", kwargs={"pk": self.pk})

    @property
    def subject(self):
        return self.indicator or self.section or self.action

    @property
    def subject_kind(self) -> str:
        if self.indicator_id:
            return "PI"
        if self.section_id:
            return "Scorecard section"
        return "Action"

    @property
    def subject_label(self) -> str:
        if self.indicator_id:
            return f"{self.indicator.code} {self.indicator.title}"
        if self.section_id:
            return f"{self.section.scorecard.title}: {self.section.title}"
        return f"{self.action.code} {self.action.title}"

    @property
    def subject_url(self) -> str:
        if self.indicator_id:
            return self.indicator.get_absolute_url()
        if self.section_id:
            return reverse("scorecard-detail", kwargs={"pk": self.section.scorecard_id}) + f"#section-{self.section_id}"
        return self.action.get_absolute_url()

    @property
    def is_open(self) -> bool:
        return self.status in rules.OPEN


class ReferralAttachment(models.Model):
    """A file the service manager attaches to an answer; checked by the evidence upload rule."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="scrutiny/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("referral-attachment", kwargs={"pk": self.pk})
