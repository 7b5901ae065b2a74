"""Read filters for self-assessments, chainable after the access rules (pmf/access.py).

- Frameworks are reference data: everyone signed in reads them; only the performance team changes
  them.
- An assessment is seen by admins, managers over its unit, its lead, the people assigned one of
  its questions and the people it is shared with (viewers read what they are given). Its lead,
  managers over its unit and admins run it (settings, assignments, workflow).
- A response is updated by the assessment's lead, its assignee, managers over the unit and admins;
  everyone who sees the assessment reads it. Documents and evidence links follow their assessment.
"""

from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from mptt.querysets import TreeQuerySet

from pmf.access import NOTHING, AccessQuerySet, can_configure, can_write, covers_everything


class FrameworkQuerySet(AccessQuerySet):
    def visible_to(self, user):
        return self.all() if user.is_authenticated else self.none()

    def editable_by(self, user):
        return self.all() if can_configure(user) else self.none()

    updatable_by = editable_by

    def offered(self):
        """The frameworks a new assessment may use: active ones, newest version of each key first."""
        return self.filter(active=True).order_by("name", "-version")


class FrameworkNodeQuerySet(TreeQuerySet):
    """Framework nodes are reference data, read by everyone signed in."""

    def visible_to(self, user):
        return self.all() if user.is_authenticated else self.none()

    def questions(self):
        return self.filter(is_question=True)

    def in_order(self):
        return self.order_by("tree_id", "lft")


class AssessmentQuerySet(AccessQuerySet):
    unit_field = "org_unit"
    person_fields = ("lead",)

    def people_q(self, user) -> Q:
        response = apps.get_model("assessments", "Response")
        assigned = Exists(response.objects.filter(assessment=OuterRef("pk"), assigned_to=user))
        return Q(lead=user) | Q(assigned)

    def shared_q(self, user) -> Q:
        through = apps.get_model("assessments", "Assessment").shared_with.through
        return Q(Exists(through.objects.filter(assessment=OuterRef("pk"), user=user)))

    def editable_by(self, user):
        """Assessments USER runs: their lead, managers over the unit, admins (viewers none)."""
        if not can_write(user):
            return self.none()
        if covers_everything(user):
            return self.all()
        return self.filter(self.managed_q(user) | Q(lead=user))

    def overseen_by(self, user):
        """Assessments USER oversees (moderates, signs off): managers over the unit and admins."""
        if not can_write(user):
            return self.none()
        if covers_everything(user):
            return self.all()
        return self.filter(self.managed_q(user))

    def open(self):
        return self.filter(status__in=("draft", "in_progress", "submitted", "moderated"))

    def for_listing(self):
        return self.select_related("framework", "org_unit", "lead")


class ResponseQuerySet(AccessQuerySet):
    unit_field = "assessment__org_unit"

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if covers_everything(user):
            return self.all()
        assessment = apps.get_model("assessments", "Assessment")
        return self.filter(assessment__in=assessment.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        """Responses whose set-up (assignee, due date, target) USER may change: those of the
        assessments they run."""
        assessment = apps.get_model("assessments", "Assessment")
        if covers_everything(user):
            return self.all()
        return self.filter(assessment__in=assessment.objects.editable_by(user).values("pk"))

    def updatable_by(self, user):
        """Responses USER may score and annotate: those of assessments they run and those
        assigned to them."""
        if not can_write(user):
            return self.none()
        if covers_everything(user):
            return self.all()
        return self.filter(self.managed_q(user) | Q(assessment__lead=user) | Q(assigned_to=user))

    def for_person(self, user):
        return self.filter(assigned_to=user)

    def questions_in_order(self):
        return self.order_by("node__tree_id", "node__lft")


class _ThroughAssessment(AccessQuerySet):
    """Rows that follow their assessment's access (through ASSESSMENT_PATH)."""

    assessment_path = "assessment"

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if covers_everything(user):
            return self.all()
        assessment = apps.get_model("assessments", "Assessment")
        return self.filter(**{f"{self.assessment_path}__in": assessment.objects.visible_to(user).values("pk")})

    def editable_by(self, user):
        response = apps.get_model("assessments", "Response")
        if covers_everything(user):
            return self.all()
        if not can_write(user):
            return self.none()
        updatable = response.objects.updatable_by(user)
        if self.assessment_path == "assessment":
            return self.filter(assessment__in=updatable.values("assessment"))
        return self.filter(response__in=updatable.values("pk"))

    updatable_by = editable_by

    def shared_q(self, user) -> Q:
        return NOTHING


class DocumentQuerySet(_ThroughAssessment):
    assessment_path = "assessment"


class EvidenceLinkQuerySet(_ThroughAssessment):
    assessment_path = "response__assessment"
