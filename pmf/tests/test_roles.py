"""The role vocabulary of pmf/access.py: the predicates, who may pick which units and people, and
that every place that shows or offers something asks them (User properties, navigation, forms,
imports, templates)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from conftest import make_user
from indicators import imports as indicator_imports
from indicators.forms import IndicatorForm
from plans import imports as plan_imports
from plans.forms import PlanItemForm
from pmf import access
from pmf.context_processors import navigation
from pmf.models import OrgUnit, User
from scorecards.forms import ScorecardForm, SnapshotForm

ROLES = ("anon", "viewer", "updater", "manager", "admin", "superuser")
PREDICATES = {
    #                   anon   viewer updater manager admin  superuser
    "is_admin": (False, False, False, False, True, True),
    "can_write": (False, False, True, True, True, True),
    "can_plan": (False, False, False, True, True, True),
    "can_configure": (False, False, False, False, True, True),
}


@pytest.fixture
def people(world):
    """Each role by name; the superuser has the viewer role, so only is_superuser makes them admin."""
    root = make_user("root", "viewer", None, is_superuser=True, name="Rita Root")
    return {
        "anon": AnonymousUser(),
        "viewer": world.viewer,
        "updater": world.updater,
        "manager": world.manager,
        "admin": world.admin,
        "superuser": root,
    }


@pytest.mark.parametrize("predicate", PREDICATES)
def test_role_predicates_by_role(people, predicate):
    answers = tuple(getattr(access, predicate)(people[role]) for role in ROLES)
    assert answers == PREDICATES[predicate]


@pytest.mark.parametrize("predicate", PREDICATES)
def test_user_properties_give_the_same_answers_as_the_predicates(people, predicate):
    signed_in = [role for role in ROLES if role != "anon"]
    answers = tuple(getattr(people[role], predicate) for role in signed_in)
    assert answers == PREDICATES[predicate][1:]


def _nav_labels(user) -> list[str]:
    request = RequestFactory().get("/")
    request.user = user
    return [item["label"] for item in navigation(request)["nav_items"]]


def test_navigation_entries_follow_the_role_predicates(people):
    role_entries = {"Monthly update", "Plan settings", "Administration"}
    shown = {role: sorted(set(_nav_labels(people[role])) & role_entries) for role in ROLES}
    assert shown == {
        "anon": [],
        "viewer": [],
        "updater": ["Monthly update"],
        "manager": ["Monthly update"],
        "admin": ["Monthly update", "Plan settings"],  # the Django admin site is the superuser's
        "superuser": ["Administration", "Monthly update", "Plan settings"],
    }


def test_scorecard_settings_link_is_shown_to_those_who_configure(people, client_for):
    settings_link = f'href="{reverse("scorecard-settings")}"'
    shown = {
        role: settings_link in client_for(people[role]).get(reverse("scorecard-list")).content.decode()
        for role in ("viewer", "manager", "admin", "superuser")
    }
    assert shown == {"viewer": False, "manager": False, "admin": True, "superuser": True}


def test_person_history_link_is_for_admins_and_the_person(world, client_for):
    history = reverse("history", args=["pmf.user", world.updater.pk])
    page = reverse("person-detail", args=[world.updater.pk])
    shown = {
        name: history in client_for(getattr(world, name)).get(page).content.decode()
        for name in ("viewer", "updater", "manager", "admin")
    }
    assert shown == {"viewer": False, "updater": True, "manager": False, "admin": True}


# Who may pick which units and people ------------------------------------------------------------


@pytest.fixture
def closed(world):
    """An inactive team under the manager's service, and a person who has left."""
    team = OrgUnit.objects.create(
        name="Closed Team", code="alpha-closed", kind=OrgUnit.Kind.TEAM, parent=world.service, active=False
    )
    leaver = make_user("lenny", "updater", world.team, name="Lenny Leaver", is_active=False)
    return {"unit": team, "person": leaver}


def codes(queryset) -> list[str]:
    return list(queryset.values_list("code", flat=True))


ALPHA_ACTIVE = ["alpha", "alpha-homes", "alpha-housing", "alpha-income", "alpha-rents", "alpha-property"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anon", []),
        ("viewer", []),
        ("updater", ["alpha-rents"]),
        ("manager", ["alpha-housing", "alpha-income", "alpha-rents"]),
        ("admin", ALPHA_ACTIVE),  # their unit's subtree (the Alpha group), not another group
        ("superuser", [*ALPHA_ACTIVE, "beta"]),
    ],
)
def test_pickable_units_by_role_never_include_an_inactive_unit(people, closed, role, expected):
    assert codes(OrgUnit.objects.pickable_by(people[role])) == expected


def test_an_updater_whose_unit_is_closed_picks_no_unit(world, closed):
    world.updater.org_unit = closed["unit"]
    world.updater.save()
    assert codes(OrgUnit.objects.pickable_by(world.updater)) == []


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anon", []),
        ("viewer", ["alice", "bob", "charlie", "dora"]),
        ("updater", ["alice", "bob", "charlie", "dora"]),
        ("manager", ["alice", "bob", "charlie", "dora"]),
        ("admin", ["alice", "bob", "charlie", "dora"]),
    ],
)
def test_pickable_people_are_the_active_people_one_can_see(people, closed, role, expected):
    assert sorted(User.objects.pickable_by(people[role]).values_list("username", flat=True)) == expected


def _offered_units(form, name) -> list[str]:
    return list(form.fields[name].queryset.values_list("code", flat=True))


def _offered_people(form, name) -> list[str]:
    return sorted(form.fields[name].queryset.values_list("username", flat=True))


@pytest.mark.parametrize(
    ("form_class", "unit_fields", "person_fields"),
    [
        (PlanItemForm, ["org_unit"], ["managed_by", "assigned_to"]),
        (IndicatorForm, ["org_unit"], ["owner", "updater"]),
        (ScorecardForm, ["org_unit"], ["shared_with"]),
        (SnapshotForm, ["org_unit"], ["person_filter", "shared_with"]),
    ],
)
@pytest.mark.parametrize("role", ["manager", "admin"])
def test_every_form_offers_the_pickable_units_and_people_and_no_inactive_unit(
    people, closed, form_class, unit_fields, person_fields, role
):
    user = people[role]
    form = form_class(user=user)
    for name in unit_fields:
        assert _offered_units(form, name) == codes(OrgUnit.objects.pickable_by(user))
        assert "alpha-closed" not in _offered_units(form, name)
    for name in person_fields:
        assert _offered_people(form, name) == sorted(User.objects.pickable_by(user).values_list("username", flat=True))
        assert "lenny" not in _offered_people(form, name)


def test_indicator_form_refuses_an_inactive_unit(world, closed):
    form = IndicatorForm(
        data={
            "code": "CLOSED1",
            "title": "In a closed team",
            "unit": "percent",
            "decimals": 1,
            "polarity": "up",
            "frequency": "monthly",
            "ytd_rule": "mean",
            "tolerance_kind": "absolute",
            "tolerance": "2",
            "org_unit": closed["unit"].pk,
            "source": "local",
            "active": "on",
        },
        user=world.admin,
    )
    assert not form.is_valid()
    assert form.errors["org_unit"] == ["Select a valid choice. That choice is not one of the available choices."]


def test_scorecard_form_refuses_an_inactive_unit(world, closed, client_for):
    from scorecards.models import Scorecard

    response = client_for(world.manager).post(
        reverse("scorecard-create"), {"title": "Closed team card", "org_unit": closed["unit"].pk, "active": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["org_unit"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Scorecard.objects.exists()


def test_an_updaters_snapshot_belongs_to_their_own_unit(world, client_for):
    from scorecards.models import Snapshot

    response = client_for(world.updater).post(
        reverse("snapshot-create"), {"name": "Elsewhere", "org_unit": world.other_directorate.pk, "columns": ["value"]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["org_unit"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Snapshot.objects.exists()


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("file.csv", text.encode(), content_type="text/csv")


def test_definitions_import_refuses_an_inactive_unit_and_a_person_who_left(world, closed):
    from indicators.models import Indicator

    upload = _csv(
        "code,title,org_unit,unit,polarity,frequency,owner\n"
        "CLOSED1,In a closed team,alpha-closed,%,up,monthly,\n"
        "LEFT1,Owned by a leaver,alpha-rents,%,up,monthly,lenny\n"
    )
    report = indicator_imports.import_definitions(upload=upload, file_name="d.csv", user=world.admin, commit=True)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (2, "org_unit", "'alpha-closed' is not an organisation unit you manage."),
        (3, "owner", "'lenny' is not a username of someone you can see."),
    ]
    assert not Indicator.objects.filter(code__in=["CLOSED1", "LEFT1"]).exists()


def test_plan_import_refuses_an_inactive_unit(world, closed):
    from plans.models import PlanItem

    upload = _csv("code,parent_code,kind,title,org_unit\nZ 1,,plan,Closed plan,alpha-closed\n")
    result = plan_imports.import_items(upload=upload, user=world.admin, commit=True)
    assert result.errors == [(2, 'org_unit "alpha-closed" is not a unit you can edit')]
    assert not PlanItem.objects.filter(code="Z 1").exists()


def test_updaters_may_not_import_pi_definitions(world, client_for):
    from indicators.models import Indicator

    upload = _csv("code,title,org_unit,unit,polarity,frequency\nMINE1,Mine,alpha-rents,%,up,monthly\n")
    response = client_for(world.updater).post(
        reverse("indicator-import"), {"kind": "definitions", "file": upload, "commit": "on"}
    )
    assert response.status_code == 403
    assert not Indicator.objects.filter(code="MINE1").exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("viewer", []),
        ("updater", []),
        ("manager", ["TEAM", "THEIRS"]),
        ("admin", ["ELSEWHERE", "TEAM", "THEIRS"]),
    ],
)
def test_values_awaiting_approval_by_role(world, role, expected):
    from indicators.models import Measurement
    from indicators.tests.factories import IndicatorFactory, MeasurementFactory

    team = IndicatorFactory(code="TEAM", org_unit=world.team, updater=world.updater)
    theirs = IndicatorFactory(code="THEIRS", org_unit=world.other_directorate, owner=world.manager)
    elsewhere = IndicatorFactory(code="ELSEWHERE", org_unit=world.other_directorate, updater=world.updater)
    for indicator in (team, theirs, elsewhere):
        MeasurementFactory(indicator=indicator)
    MeasurementFactory(indicator=team, period=team.measurements.get().period.replace(month=2), value=None)
    pending = Measurement.objects.awaiting_approval_by(getattr(world, role))
    assert sorted(pending.values_list("indicator__code", flat=True)) == expected
