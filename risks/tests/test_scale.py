import io

import pytest
from django.core.management import CommandError, call_command

from risks.models import Control, Risk, RiskReview


def test_the_scale_register_is_built_with_sound_trees_and_refuses_a_second_run(db):
    call_command("seed_risks_scale", risks=120, reviews=300, controls=200, stdout=io.StringIO())
    assert (Risk.objects.count(), RiskReview.objects.count(), Control.objects.count()) == (120, 300, 200)
    roots = list(Risk.objects.filter(parent__isnull=True))
    assert len(roots) == 12
    for root in roots:
        beneath = list(Risk.objects.filter(parent=root))
        assert root.get_descendant_count() == len(beneath) == 9
        assert all(child.get_ancestors().get() == root for child in beneath)
    risk = Risk.objects.get(code="RS-00050")
    latest = risk.reviews.order_by("-reviewed_on").first()
    assert (latest.likelihood, latest.impact, latest.reviewed_on) == (
        risk.current_likelihood,
        risk.current_impact,
        risk.last_reviewed_on,
    )
    assert risk.indicators.count() == 2 and risk.actions.count() == 2 and risk.objectives.count() == 1
    with pytest.raises(CommandError):
        call_command("seed_risks_scale", risks=120, reviews=300, controls=200, stdout=io.StringIO())
