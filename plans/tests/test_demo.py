from plans import status as rules
from plans.demo import seed_plans
from plans.models import Milestone, PlanItem, ProgressUpdate
from pmf.demo import seed_organisation


def test_demo_plans_show_every_status_and_are_idempotent(db):
    world = seed_organisation()
    seed_plans(world)
    counts = (
        PlanItem.objects.count(),
        Milestone.objects.count(),
        ProgressUpdate.objects.count(),
        PlanItem.history.count(),
    )
    actions = PlanItem.objects.filter(kind=PlanItem.Kind.ACTION)
    assert actions.count() == 147
    assert set(actions.values_list("status", flat=True)) == set(rules.SEVERITY)
    assert PlanItem.objects.filter(kind=PlanItem.Kind.PLAN, code__startswith="SDP").count() == 7
    assert PlanItem.objects.filter(kind=PlanItem.Kind.PLAN, code__endswith=" SP").count() == 3
    assert set(actions.values_list("assigned_to__username", flat=True)) == {
        "mh.manager",
        "mh.updater",
        "kl.manager",
        "kl.updater",
        "lps.manager",
        "lps.updater",
    }
    assert PlanItem.objects.get(code="HS 1.1").supports.exists() or PlanItem.objects.get(code="HS 1").supports.exists()
    assert PlanItem.objects.get(code="MHG CS").attention == rules.OVERDUE
    seed_plans(world)
    assert counts == (
        PlanItem.objects.count(),
        Milestone.objects.count(),
        ProgressUpdate.objects.count(),
        PlanItem.history.count(),
    )
