"""The access rules of pmf/access.py, checked on the core models."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from pmf.access import get_editable_or_403, get_visible_or_404, unit_subtree_q
from pmf.models import OrgUnit, User


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


def test_subtree_filter_uses_the_tree_numbers(world):
    assert codes(OrgUnit.objects.filter(unit_subtree_q(world.directorate, ""))) == [
        "alpha-housing",
        "alpha-income",
        "alpha-rents",
    ]


def test_org_chart_is_visible_within_the_same_tree_only(world):
    alpha = ["alpha", "alpha-homes", "alpha-housing", "alpha-income", "alpha-property", "alpha-rents"]
    assert codes(OrgUnit.objects.visible_to(world.viewer)) == alpha
    assert codes(OrgUnit.objects.visible_to(world.outsider)) == ["beta"]
    # An admin is scoped to their tree like everyone else; only a superuser sees every tree.
    assert codes(OrgUnit.objects.visible_to(world.admin)) == alpha


def test_units_are_editable_by_admins_and_by_managers_for_their_subtree(world):
    assert codes(OrgUnit.objects.editable_by(world.manager)) == ["alpha-housing", "alpha-income", "alpha-rents"]
    assert codes(OrgUnit.objects.editable_by(world.updater)) == []
    assert codes(OrgUnit.objects.editable_by(world.viewer)) == []
    assert OrgUnit.objects.editable_by(world.admin).count() == 6  # the Alpha group's subtree, not Beta


def test_people_are_visible_to_colleagues_in_the_same_tree(world):
    names = lambda qs: sorted(qs.values_list("username", flat=True))  # noqa: E731
    assert names(User.objects.visible_to(world.viewer)) == ["alice", "bob", "charlie", "dora"]
    assert names(User.objects.visible_to(world.outsider)) == ["olga"]
    assert names(User.objects.history_visible_to(world.manager)) == ["bob"]


def test_strangers_get_404_and_read_only_users_get_403(world):
    with pytest.raises(Http404):
        get_visible_or_404(OrgUnit.objects.all(), world.outsider, pk=world.team.pk)
    with pytest.raises(PermissionDenied):
        get_editable_or_403(OrgUnit.objects.all(), world.viewer, pk=world.team.pk)
    with pytest.raises(PermissionDenied):
        get_editable_or_403(OrgUnit.objects.all(), world.manager, pk=world.other_directorate.pk)
    assert get_editable_or_403(OrgUnit.objects.all(), world.manager, pk=world.team.pk) == world.team


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert OrgUnit.objects.visible_to(AnonymousUser()).count() == 0
    assert User.objects.visible_to(AnonymousUser()).count() == 0
