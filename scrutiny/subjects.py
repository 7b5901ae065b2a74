"""What a person may raise a referral on: a PI, a scorecard section or an action they can see.

A Board member reads PIs through the scorecards shared with them, so a PI counts as seen when the
PI itself is visible to the person or it sits on a scorecard they may read (pmf/access.py rules
in both cases)."""

from django.db.models import Q
from django.urls import reverse

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


def subject_link(referral, user) -> str | None:
    """Where USER can read the referral's subject: the PI page when they may open it, else the
    scorecard that shows them the PI (how a Board member reaches it); None when neither (a
    referral stays readable to the people it concerns after the subject moved out of their reach)."""
    if referral.indicator_id:
        if Indicator.objects.visible_to(user).filter(pk=referral.indicator_id).exists():
            return referral.subject_url
        scorecard = (
            Scorecard.objects.visible_to(user)
            .filter(active=True, entries__indicator_id=referral.indicator_id)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        return reverse("scorecard-detail", kwargs={"pk": scorecard}) if scorecard else None
    if referral.section_id:
        return referral.subject_url if sections_for(user).filter(pk=referral.section_id).exists() else None
    return referral.subject_url if actions_for(user).filter(pk=referral.action_id).exists() else None
