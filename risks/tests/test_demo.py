import datetime
from collections import Counter

from django.utils import timezone

from indicators.demo import seed_indicators
from plans.demo import seed_plans
from pmf.demo import seed_organisation
from risks import status as rules
from risks.demo import RISKS, seed_risks
from risks.matrix import load_matrix
from risks.models import Control, Risk, RiskAcceptance, RiskCategory, RiskReview
from risks.rows import rows_for


def test_demo_register_ties_risks_to_the_demo_plans_and_pis_and_a_second_run_adds_nothing(db):
    organisation = seed_organisation()
    seed_plans(organisation)
    seed_indicators(organisation)
    seed_risks(organisation)
    today = timezone.localdate()
    risks = list(Risk.objects.select_related("category"))
    assert len(risks) == len(RISKS) == 43
    assert set(Counter(risk.category.code for risk in risks)) == {code for code, *_ in rules.DEFAULT_CATEGORIES}
    assert {risk.org_unit.code.split("-")[0] for risk in Risk.objects.select_related("org_unit")} == {
        "mhg",
        "mh",
        "kl",
        "lps",
    }
    # Every risk the specification links to a demo action or PI found it.
    wanted_links = sum(len(spec.actions) + len(spec.pis) for spec in RISKS)
    made_links = Risk.actions.through.objects.count() + Risk.indicators.through.objects.count()
    assert made_links == wanted_links
    assert Risk.objects.filter(parent__isnull=False).count() == sum(1 for spec in RISKS if spec.parent)
    # Two years of quarterly reviews, with movement, the latest moving the next review on.
    reviews = RiskReview.objects.filter(risk__code="MH 01").order_by("reviewed_on")
    dates = [review.reviewed_on for review in reviews]
    assert len(dates) == 8
    assert all(rules.add_months(a, 3) == b for a, b in zip(dates, dates[1:], strict=False))
    assert RiskReview.objects.count() == 8 * 43
    assert set(RiskReview.objects.values_list("previous_score", "score").distinct()) > {(12, 9)}
    movements = Counter(risk.movement for risk in risks)
    assert movements[rules.UP] and movements[rules.DOWN] and movements[rules.SAME]
    assert all(risk.next_review_date == rules.add_months(risk.last_reviewed_on, 3) for risk in risks)
    assert today - max(risk.last_reviewed_on for risk in risks) < datetime.timedelta(days=31)
    # Review states, appetite and acceptances as a Board member would see them.
    rows = rows_for(risks, load_matrix(), today=today)
    appetite = Counter(row.appetite for row in rows)
    assert appetite[rules.ACCEPTED] == 2 and appetite[rules.ABOVE] >= 10 and appetite[rules.WITHIN] >= 10
    expired = Risk.objects.get(code="KL 04")
    assert expired.accepted_until < today and rows[risks.index(expired)].appetite == rules.ABOVE
    assert sum(row.overdue for row in rows) >= 3
    assert any(row.review_suggested for row in rows)
    assert Risk.objects.filter(status="closed").count() == 2
    assert Control.objects.count() >= 43 and not Control.objects.filter(owner__isnull=True).exists()

    counts = (
        Risk.objects.count(),
        RiskReview.objects.count(),
        Control.objects.count(),
        RiskAcceptance.objects.count(),
        RiskCategory.objects.count(),
        Risk.history.count(),
    )
    seed_risks(organisation)
    assert counts == (
        Risk.objects.count(),
        RiskReview.objects.count(),
        Control.objects.count(),
        RiskAcceptance.objects.count(),
        RiskCategory.objects.count(),
        Risk.history.count(),
    )
