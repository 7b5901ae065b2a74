"""Plan settings and scorecard settings share one base: reading never writes, saving keeps row 1."""

import pytest

from plans.models import PlanSettings
from scorecards.models import ScorecardSettings


@pytest.mark.parametrize("model", [PlanSettings, ScorecardSettings])
def test_loading_settings_nobody_saved_gives_the_defaults_and_writes_nothing(db, model):
    settings = model.load()
    assert settings.pk == 1
    assert model.objects.count() == 0
    assert model.history.count() == 0
    defaults = {f.name: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}
    assert {name: getattr(settings, name) for name in defaults} == defaults


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [(PlanSettings, "check_progress_tolerance", 25), (ScorecardSettings, "issue_day", 20)],
)
def test_saving_settings_twice_keeps_one_row(db, model, field, value):
    first = model.load()
    setattr(first, field, value)
    first.save()
    second = model(**{field: value + 1})
    second.save()
    assert list(model.objects.values_list("pk", field)) == [(1, value + 1)]
    assert getattr(model.load(), field) == value + 1
    assert str(model.load()) == {PlanSettings: "Plan settings", ScorecardSettings: "Scorecard settings"}[model]
