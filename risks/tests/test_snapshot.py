"""The "Risks" section risks adds to snapshot pages (risks/snapshot.py, pmf.registry.SNAPSHOT_SECTIONS)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from risks import snapshot as risk_snapshot
from risks.models import Risk
from risks.tests.factories import category, make_risk, risk_world
from scorecards.tests.factories import make_snapshot

ROW = re.compile(r'<tr>\s*<td>([^<]+)</td>\s*<th scope="row"><a href="/risks/\d+/">')


def section_of(html: str) -> str | None:
    if 'id="snapshot-risks"' not in html:
        return None
    return html.split('id="snapshot-risks"', 1)[1].split("</section>", 1)[0]


def risk_codes(html: str) -> list[str] | None:
    section = section_of(html)
    return None if section is None else ROW.findall(section)


def page(client, snapshot) -> str:
    response = client.get(reverse("snapshot-detail", args=[snapshot.pk]))
    assert response.status_code == 200
    return response.content.decode()


def unit_risks(world):
    """R 01 (Rents Team, charlie, 12) from risk_world; R 03 in the Income service owned by bob
    (20); a closed and an archived risk in the Rents Team, which no snapshot lists."""
    risk_world(world)
    make_risk("R 03", unit=world.service, owner=world.manager, current=(4, 5), inherent=(5, 5))
    make_risk("R 04", unit=world.team, owner=world.updater)
    make_risk("R 05", unit=world.team, owner=world.updater)
    Risk.objects.filter(code="R 04").update(status=Risk.Status.CLOSED)
    Risk.objects.filter(code="R 05").update(active=False)


def test_a_unit_snapshot_lists_the_open_risks_of_its_subtree_most_severe_first(world, client_for):
    unit_risks(world)
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.service)
    html = page(client_for(world.manager), snapshot)
    assert risk_codes(html) == ["R 03", "R 01"]
    section = section_of(html)
    assert "2 open risks, highest current score first." in section
    # R 01: scored 3 x 3 then reviewed to 3 x 4; appetite 9
    row = section.split("<td>R 01</td>", 1)[1].split("</tr>", 1)[0]
    assert ">Arrears rise after benefit changes</a></th>" in row
    assert "<td>Operational</td>" in row and "<td>Charlie Updater</td>" in row
    assert '<span class="status risk-band risk-band--diamond" style="--band-colour: #e8833a">12 High</span>' in row
    assert '<span class="movement movement--up"><span aria-hidden="true">▲</span> Up</span>' in row
    assert '<span class="status status--red">Above appetite</span>' in row
    next_review = Risk.objects.get(code="R 01").next_review_date
    assert f"<td>{next_review:%-d %b %Y}</td>" in row
    assert "Review overdue" not in row


def test_a_person_snapshot_lists_the_risks_they_own(world, client_for):
    unit_risks(world)
    snapshot = make_snapshot(world.updater, world.team, person_filter=world.updater)
    assert risk_codes(page(client_for(world.updater), snapshot)) == ["R 01"]
    both = make_snapshot(world.manager, world.directorate, unit_filter=world.service, person_filter=world.manager)
    assert risk_codes(page(client_for(world.manager), both)) == ["R 03"]


def test_my_snapshot_lists_my_own_open_risks(world, client_for):
    unit_risks(world)
    html = client_for(world.updater).get(reverse("snapshot-mine")).content.decode()
    assert risk_codes(html) == ["R 01"]
    html = client_for(world.admin).get(reverse("snapshot-mine")).content.decode()
    assert risk_codes(html) == ["R 02"]
    html = client_for(world.viewer).get(reverse("snapshot-mine")).content.decode()
    assert risk_codes(html) == []
    assert "No open risks you can see belong to this snapshot's unit or person." in section_of(html)


def test_readers_see_only_the_risks_they_may_see(world, client_for):
    unit_risks(world)
    snapshot = make_snapshot(
        world.admin, world.org, unit_filter=world.org, shared_with=[world.manager, world.updater, world.viewer]
    )
    assert risk_codes(page(client_for(world.admin), snapshot)) == ["R 03", "R 01", "R 02"]
    # bob manages Housing, not Property (R 02); charlie sees only the risk he owns
    assert risk_codes(page(client_for(world.manager), snapshot)) == ["R 03", "R 01"]
    assert risk_codes(page(client_for(world.updater), snapshot)) == ["R 01"]
    # the Board reads the register of its organisation
    assert risk_codes(page(client_for(world.viewer), snapshot)) == ["R 03", "R 01", "R 02"]
    html = page(client_for(world.updater), snapshot)
    assert "Roof failures" not in html and "R 03" not in html


def test_an_overdue_review_is_said_in_words(world, client_for):
    risks = risk_world(world)
    overdue = timezone.localdate() - datetime.timedelta(days=3)
    Risk.objects.filter(pk=risks.risk.pk).update(next_review_date=overdue)
    snapshot = make_snapshot(world.updater, world.team, person_filter=world.updater)
    section = section_of(page(client_for(world.updater), snapshot))
    assert f'<td>{overdue:%-d %b %Y} <span class="status status--red">Review overdue</span></td>' in section


def test_no_risk_section_when_hidden_or_for_a_snapshot_of_tags_or_codes_only(world, client_for):
    unit_risks(world)
    client = client_for(world.manager)
    hidden = make_snapshot(world.manager, world.directorate, unit_filter=world.service, hidden_sections=",risks,")
    html = page(client, hidden)
    assert risk_codes(html) is None and "R 03" not in html
    other_key = make_snapshot(world.manager, world.directorate, unit_filter=world.service, hidden_sections=",riskz,")
    assert risk_codes(page(client, other_key)) == ["R 03", "R 01"]
    explicit = make_snapshot(world.manager, world.directorate, name="Explicit list")
    assert risk_codes(page(client, explicit)) is None


def test_beyond_the_limit_the_most_severe_are_shown_with_the_total(world, client_for, monkeypatch):
    unit_risks(world)
    monkeypatch.setattr(risk_snapshot, "SHOWN", 1)
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.service)
    html = page(client_for(world.manager), snapshot)
    assert risk_codes(html) == ["R 03"]
    assert "The 1 most severe of 2 open risks, highest current score first." in section_of(html)


def test_the_snapshot_page_costs_the_same_queries_for_1_and_30_risks(world, client_for):
    risk_world(world)
    Risk.objects.filter(code="R 02").delete()
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.directorate)
    client = client_for(world.manager)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            html = page(client, snapshot)
        return len(ctx.captured_queries), len(risk_codes(html))

    one = count()
    assert one[1] == 1
    strategic = category("strategic", appetite=12)
    for n in range(29):
        owner = world.updater if n % 2 else world.manager
        unit = world.team if n % 3 else world.service
        make_risk(f"S {n:02}", unit=unit, owner=owner, category=strategic if n % 2 else None, current=(n % 4 + 2, 3))
    assert count() == (one[0], 30)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_risks_section_passes_axe_in_chromium(browser, live_server, world):
    from pmf.tests.browser import serious_violations, sign_in

    unit_risks(world)
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.service)
    for width in (1280, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        sign_in(page, live_server, "bob@example.org")
        page.goto(f"{live_server.url}{reverse('snapshot-detail', args=[snapshot.pk])}")
        section = page.get_by_role("region", name="Risks")
        assert section.get_by_role("link", name="Arrears rise after benefit changes").is_visible()
        assert section.get_by_text("2 open risks, highest current score first.").is_visible()
        assert serious_violations(page) == []
        page.close()
