import datetime

from django.urls import reverse

from indicators.panels import linked_indicators
from indicators.tests.factories import team_indicator
from plans.models import PlanItem


def _action(world):
    return PlanItem.objects.create(
        kind=PlanItem.Kind.ACTION,
        code="A1",
        title="Reduce arrears",
        org_unit=world.team,
        due_date=datetime.date(2026, 3, 31),
    )


def test_plan_item_panel_lists_linked_pis_the_person_can_see(world):
    action = _action(world)
    mine = team_indicator(world, code="MINE")
    hidden = team_indicator(world, code="HIDE", org_unit=world.other_directorate, owner=None, updater=None)
    mine.actions.add(action)
    hidden.actions.add(action)
    assert [ind.code for ind in linked_indicators(action, world.updater)] == ["MINE"]
    assert [ind.code for ind in linked_indicators(action, world.admin)] == ["HIDE", "MINE"]


def test_pi_page_lists_linked_actions(world, client_for):
    action = _action(world)
    indicator = team_indicator(world, code="MINE")
    indicator.actions.add(action)
    response = client_for(world.manager).get(reverse("indicator-detail", kwargs={"pk": indicator.pk}))
    assert response.context["actions"] == [action]
