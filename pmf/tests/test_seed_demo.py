import io

from django.core.management import call_command

from pmf.demo import DEMO_PASSWORD, PEOPLE
from pmf.models import OrgUnit, User


def test_seed_demo_builds_the_group_and_is_idempotent(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    units, people = OrgUnit.objects.count(), User.objects.count()
    history = OrgUnit.history.count() + User.history.count()
    assert OrgUnit.objects.get(code="mhg").get_children().filter(kind="organisation").count() == 3
    assert people == len(PEOPLE)
    for role in ("admin", "manager", "updater", "viewer"):
        for org in ("mh", "kl", "lps"):
            assert User.objects.filter(username=f"{org}.{role}", role=role).exists()
    printed = out.getvalue()
    assert "mh.manager" in printed and DEMO_PASSWORD in printed

    call_command("seed_demo", stdout=io.StringIO())
    assert (OrgUnit.objects.count(), User.objects.count()) == (units, people)
    assert OrgUnit.history.count() + User.history.count() == history


def test_demo_logins_work_through_the_sign_in_form(db, client):
    call_command("seed_demo", stdout=io.StringIO())
    response = client.post("/accounts/login/", {"username": "kl.updater", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "Gareth Price" in client.get("/").content.decode()
