"""A snapshot period outside the months the product shows (0001-01) is refused when saved, and a
snapshot stored with one before the rule existed still opens."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from pmf import periods
from scorecards.forms import PeriodForm
from scorecards.models import Snapshot
from scorecards.tests.factories import PERIOD, make_indicator, make_scorecard, make_snapshot

YEAR_ONE = datetime.date(1, 1, 1)
RANGE_MESSAGE = "Enter a month between 1900-01 and 2199-12."


@pytest.mark.parametrize("typed", ["0001-01", "0202-10", "2200-01"])
def test_snapshot_form_refuses_a_period_outside_the_shown_months(world, client_for, typed):
    make_indicator("PIA", world.team, owner=world.manager, updater=world.updater)
    response = client_for(world.manager).post(
        reverse("snapshot-create"),
        {"name": "Odd", "org_unit": world.team.pk, "codes": "PIA", "columns": ["value"], "period": typed},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"period": [RANGE_MESSAGE]}
    assert not Snapshot.objects.exists()


def test_saving_a_snapshot_with_such_a_period_is_refused_whatever_the_path(world):
    snapshot = make_snapshot(world.manager, world.team)
    snapshot.period = YEAR_ONE
    with pytest.raises(ValidationError) as caught:
        snapshot.save()
    assert caught.value.message_dict == {"period": [RANGE_MESSAGE]}
    with pytest.raises(ValidationError) as caught:
        snapshot.full_clean()
    assert caught.value.message_dict == {"period": [RANGE_MESSAGE]}
    snapshot.period = datetime.date(1900, 1, 1)
    snapshot.save()


def test_a_snapshot_stored_with_year_one_before_the_rule_still_opens_at_the_latest_period(world, client_for):
    indicator = make_indicator("PIA", world.team, owner=world.manager, updater=world.updater, months=3)
    snapshot = make_snapshot(world.manager, world.team, shared_with=[world.viewer], indicators=[indicator])
    Snapshot.objects.filter(pk=snapshot.pk).update(period=YEAR_ONE)  # as a row saved before the rule

    stored = Snapshot.objects.get(pk=snapshot.pk)
    assert (stored.period, stored.stored_period) == (None, YEAR_ONE)
    client = client_for(world.manager)
    detail = client.get(reverse("snapshot-detail", kwargs={"pk": snapshot.pk}))
    assert detail.status_code == 200
    assert detail.context["period"] is None
    [(shown, row)] = detail.context["rows"]
    assert (shown.code, row.period) == ("PIA", PERIOD)
    assert client.get(reverse("snapshot-edit", kwargs={"pk": snapshot.pk})).status_code == 200
    assert client.get(reverse("snapshot-list")).status_code == 200
    assert client_for(world.viewer).get(reverse("snapshot-detail", kwargs={"pk": snapshot.pk})).status_code == 200


def test_issuing_an_edition_for_year_one_is_refused_with_a_message():
    form = PeriodForm({"period": "0001-01"})
    assert not form.is_valid()
    assert form.errors == {"period": [RANGE_MESSAGE]}


@pytest.mark.parametrize("typed", ["0001-01", "9999-12", "9999-12-31", "0202-10", "99999999999999999999-01"])
def test_a_scorecard_asked_for_a_month_outside_the_range_shows_the_last_complete_month(world, client_for, typed):
    card = make_scorecard(world.team, [make_indicator("PIA", world.team)], shared_with=[world.viewer])
    client = client_for(world.viewer)
    for name in ("scorecard-detail", "scorecard-signposts"):
        response = client.get(reverse(name, kwargs={"pk": card.pk}), {"period": typed})
        assert response.status_code == 200, (name, typed)
        shown = periods.last_complete_month(timezone.localdate())
        assert response.context["form"].initial["period"] == shown
