"""What a person may raise a referral on: a PI, a scorecard section or an action they can see.

A Board member reads PIs through the scorecards shared with them, so a PI counts as seen when the
PI itself is visible to the person or it sits on a scorecard they may read (pmf/access.py rules
in both cases)."""

from django.db.models import Q

from indicators.models import Indicator
from plans.models import PlanItem
from scorecards.models import Scorecard, ScorecardSection

KINDS = ("indicator", "section", "action")
KIND_LABELS = {"indicator": "PI", "section": "scorecard section", "action": "action"}


def indicators_for(user):
    seen = Indicator.objects.visible_to(user).values("pk")
    on_scorecards = Scorecard.objects.visible_to(user).filter(active=True).values("pk")
    return Indicator.objects.filter(Q(pk__in=seen) | Q(scorecard_entries__scorecard__in=on_scorecards)).distinct()


def sections_for(user):
    return ScorecardSection.objects.filter(scorecard__in=Scorecard.objects.visible_to(user).values("pk"))


def actions_for(user):
    return PlanItem.objects.visible_to(user).filter(kind=PlanItem.Kind.ACTION)


def referable(kind: str, user):
    """The objects of KIND that USER may raise a referral on."""
    return {"indicator": indicators_for, "section": sections_for, "action": actions_for}[kind](user)


def subject_unit(subject):
    """The org unit a referral on SUBJECT belongs to (a section's is its scorecard's)."""
    if isinstance(subject, ScorecardSection):
        return subject.scorecard.org_unit
    return subject.org_unit


def subject_of(kind: str, pk: int):
    """The object of KIND with PK, whoever may see it, or None."""
    model = {"indicator": Indicator, "section": ScorecardSection, "action": PlanItem}[kind]
    queryset = model.objects.all()
    if kind == "section":
        queryset = queryset.select_related("scorecard__org_unit")
    if kind == "action":
        queryset = queryset.filter(kind=PlanItem.Kind.ACTION)
    return queryset.filter(pk=pk).first()
