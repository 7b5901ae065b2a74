"""An admin's rights cover their own unit's subtree: a partner's performance team administers that
partner, an admin at the group's root the group; the Django admin site is the platform operator's.
Writers cannot file things under another partner, and internal notes stay off the public pages."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_user
from indicators.models import Indicator, Measurement
from pmf.access import admin_covers
from pmf.models import OrgUnit, User
from scorecards.models import Scorecard, Snapshot
from scorecards.tests.factories import PERIOD, issue, make_indicator, make_scorecard, make_snapshot


@pytest.fixture
def partner(world):
    """A second organisation of the Alpha group, with its own admin and manager."""
    unit = OrgUnit.objects.create(
        name="Kestrel Living", code="kestrel", kind=OrgUnit.Kind.ORGANISATION, parent=world.group
    )
    team = OrgUnit.objects.create(name="Kestrel Lettings", code="kestrel-let", kind=OrgUnit.Kind.TEAM, parent=unit)
    admin = make_user("kate", "admin", unit, name="Kate Partner-Admin")
    manager = make_user("ken", "manager", unit, name="Ken Partner-Manager")
    indicator = make_indicator("KL1", team, owner=manager, months=3)
    return type("Partner", (), {"unit": unit, "team": team, "admin": admin, "manager": manager, "pi": indicator})


def test_admin_scope_is_the_admins_subtree(world, partner):
    alpha = make_indicator("AH1", world.team, owner=world.manager, months=3)
    assert set(Indicator.objects.visible_to(partner.admin)) == {partner.pi}
    assert set(Indicator.objects.editable_by(partner.admin)) == {partner.pi}
    assert set(Indicator.objects.visible_to(world.admin)) == {partner.pi, alpha}
    assert admin_covers(world.admin, partner.team) and admin_covers(partner.admin, partner.team)
    assert not admin_covers(partner.admin, world.team)
    assert list(OrgUnit.objects.pickable_by(partner.admin)) == [partner.unit, partner.team]
    assert set(User.objects.editable_by(partner.admin)) == {partner.admin, partner.manager}
    operator = make_user("operator", "viewer", None, is_superuser=True)
    assert set(Indicator.objects.visible_to(operator)) == {partner.pi, alpha}


def test_a_partner_admins_exports_list_only_their_partner(world, partner, client_for):
    make_indicator("AH1", world.team, owner=world.manager, months=3)
    url = reverse("indicator-export", kwargs={"kind": "definitions", "fmt": "csv"})
    response = client_for(partner.admin).get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    codes = sorted(line.split(",")[0] for line in body.decode("utf-8-sig").splitlines()[1:])
    assert codes == ["KL1"]
    response = client_for(world.admin).get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    codes = sorted(line.split(",")[0] for line in body.decode("utf-8-sig").splitlines()[1:])
    assert codes == ["AH1", "KL1"]


def test_a_partner_admin_cannot_open_or_change_another_partners_objects(world, partner, client_for):
    alpha = make_indicator("AH1", world.team, owner=world.manager, months=3)
    client = client_for(partner.admin)
    assert client.get(reverse("indicator-detail", kwargs={"pk": alpha.pk})).status_code == 404
    assert client.get(reverse("history", args=["indicators.indicator", alpha.pk])).status_code == 404
    assert client.get(reverse("history", args=["pmf.user", world.updater.pk])).status_code == 404
    before = list(OrgUnit.history.values_list("pk", flat=True))
    response = client.post(
        reverse("orgunit-edit", kwargs={"pk": world.team.pk}),
        {"name": "Taken", "code": world.team.code, "kind": world.team.kind, "parent": world.team.parent_id},
    )
    assert response.status_code == 403
    assert list(OrgUnit.history.values_list("pk", flat=True)) == before
    assert client.post(reverse("person-set-password-link", kwargs={"pk": world.updater.pk})).status_code == 403
    assert mail.outbox == []


def test_a_partner_admins_import_into_another_partners_pi_names_the_row_and_writes_nothing(world, partner, client_for):
    alpha = make_indicator("AH1", world.team, owner=world.manager, months=1)
    alpha.measurements.all().delete()
    upload = SimpleUploadedFile("values.csv", b"code,period,value\nAH1,2025-01,50\n", content_type="text/csv")
    response = client_for(partner.admin).post(
        reverse("indicator-import"), {"kind": "values", "file": upload, "commit": "on"}
    )
    assert response.status_code in (200, 400)
    assert "AH1" in response.content.decode()
    assert not Measurement.objects.filter(indicator=alpha).exists()


def test_the_django_admin_site_is_for_the_platform_operator_only(world, partner, client_for):
    url = reverse("admin:pmf_user_changelist")
    for user in (world.admin, partner.admin):
        response = client_for(user).get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    operator = make_user("operator", "viewer", None, is_superuser=True)
    assert client_for(operator).get(url).status_code == 200


def test_a_snapshot_shared_with_a_role_stays_inside_its_organisation(world, partner, client_for):
    snapshot = make_snapshot(world.updater, world.team)
    snapshot.set_roles(["manager"])
    snapshot.save()
    assert Snapshot.objects.visible_to(world.manager).filter(pk=snapshot.pk).exists()
    assert not Snapshot.objects.visible_to(partner.manager).exists()
    url = reverse("snapshot-detail", kwargs={"pk": snapshot.pk})
    assert client_for(partner.manager).get(url).status_code == 404
    assert (
        client_for(partner.manager).get(reverse("history", args=["scorecards.snapshot", snapshot.pk])).status_code
        == 404
    )
    assert client_for(world.manager).get(url).status_code == 200


def test_an_updater_cannot_file_a_snapshot_under_another_unit(world, partner, client_for):
    before = Snapshot.objects.count()
    response = client_for(world.updater).post(
        reverse("snapshot-create"), {"title": "Misfiled", "org_unit": partner.team.pk, "columns": ["value"]}
    )
    assert response.status_code == 200
    assert "org_unit" in response.context["form"].errors
    assert Snapshot.objects.count() == before


def test_a_scorecard_never_takes_another_partners_pis(world, partner, client_for):
    own = make_indicator("AH1", world.team, owner=world.manager, months=3)
    scorecard = make_scorecard(world.org, [own], owner=world.manager)
    section = scorecard.sections.first()
    response = client_for(world.admin).post(
        reverse("scorecard-arrange", kwargs={"pk": scorecard.pk}),
        {"action": "add-pis", "section": section.pk, "codes": "KL1"},
        follow=True,
    )
    assert (
        "These PIs belong to another organisation than Alpha Homes's: KL1."
        in [str(message) for message in response.context["messages"]][0]
    )
    assert list(scorecard.entries.values_list("indicator__code", flat=True)) == ["AH1"]


def test_an_internal_section_note_never_reaches_the_public_page_or_the_downloads(world, client_for):
    indicator = make_indicator("PUB1", world.team, owner=world.manager)
    scorecard = make_scorecard(
        world.org, [indicator], owner=world.manager, publication=Scorecard.Publication.FULL, public_slug="alpha"
    )
    url = reverse("scorecard-arrange", kwargs={"pk": scorecard.pk})
    client = client_for(world.manager)
    client.post(
        url,
        {
            "action": "add-section",
            "new-title": "Repairs",
            "new-commentary": "OPEN-NOTE-5",
            "new-commentary_internal": "",
        },
    )
    client.post(
        url,
        {
            "action": "add-section",
            "new-title": "Staffing",
            "new-commentary": "INTERNAL-NOTE-7",
            "new-commentary_internal": "on",
        },
    )
    assert list(scorecard.sections.order_by("order").values_list("title", "commentary_internal"))[1:] == [
        ("Repairs", False),
        ("Staffing", True),
    ]
    for section in scorecard.sections.filter(title__in=["Repairs", "Staffing"]):
        client.post(url, {"action": "add-pis", "section": section.pk, "codes": "PUB1"})
    issue(scorecard, PERIOD)
    client = client_for(None)
    page = client.get(reverse("public-scorecard", kwargs={"slug": "alpha"})).content.decode()
    assert "OPEN-NOTE-5" in page
    assert "INTERNAL-NOTE-7" not in page
    for fmt in ("csv", "json"):
        response = client.get(reverse("public-data", kwargs={"slug": "alpha", "fmt": fmt}))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200
        assert b"INTERNAL-NOTE-7" not in body
