"""Sections other modules add to snapshot pages (pmf.registry.SNAPSHOT_SECTIONS): each is shown
after the actions unless the snapshot hides it, and the snapshot form has a "Show ..." box for it."""

import re
from contextlib import contextmanager

from django.urls import reverse

from pmf.registry import SNAPSHOT_SECTIONS, SnapshotSection
from scorecards import pages
from scorecards.models import Snapshot
from scorecards.tests.factories import make_snapshot


@contextmanager
def registered(*sections):
    for section in sections:
        SNAPSHOT_SECTIONS.register(section)
    try:
        yield
    finally:
        for section in sections:
            SNAPSHOT_SECTIONS.remove(section)


def probe(key, order, result, calls):
    def items(snapshot, user):
        calls.append((key, snapshot.pk, user.pk))
        return result

    return SnapshotSection(key, key.capitalize(), "unused.html", items, order)


def test_each_registered_section_not_hidden_and_applying_is_shown_in_its_order(world):
    calls = []
    later, earlier = probe("zeta", 1001, ["z"], calls), probe("alpha", 1000, ["a"], calls)
    hidden, absent = probe("hidden", 999, ["h"], calls), probe("absent", 1002, None, calls)
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.service, hidden_sections=",hidden,")
    with registered(later, earlier, hidden, absent):
        shown = [(extra.section.key, extra.items) for extra in pages.snapshot_sections(snapshot, world.manager)]
    probes = [entry for entry in shown if entry[0] in ("zeta", "alpha", "hidden", "absent")]
    assert probes == [("alpha", ["a"]), ("zeta", ["z"])]
    # a hidden section is not even asked for its items; one answering None is left out
    assert calls == [
        ("alpha", snapshot.pk, world.manager.pk),
        ("zeta", snapshot.pk, world.manager.pk),
        ("absent", snapshot.pk, world.manager.pk),
    ]


def test_hidden_keys_are_read_and_stored_comma_wrapped(world):
    snapshot = Snapshot(hidden_sections=",risks,zeta,")
    assert pages.hidden_section_keys(snapshot) == {"risks", "zeta"}
    assert pages.hidden_section_keys(Snapshot()) == set()
    assert pages.wrap_section_keys({"zeta", "risks"}) == ",risks,zeta,"
    assert pages.wrap_section_keys(set()) == ""


def checkbox(html: str, key: str) -> str:
    found = re.search(rf'<input type="checkbox" name="show_section_{key}"[^>]*>', html)
    assert found, f"no checkbox for {key}"
    return found.group(0)


def test_the_form_has_a_show_box_per_section_checked_by_default(world, client_for):
    html = client_for(world.manager).get(reverse("snapshot-create")).content.decode()
    for section in SNAPSHOT_SECTIONS:
        box = checkbox(html, section.key)
        assert " checked" in box
        assert f">Show {section.label.lower()}</label>" in html
    assert "Show risks" in html
    # placed after "show plan actions"
    positions = [html.index(f'name="{name}"') for name in ("include_actions", "show_section_risks", "shared_with")]
    assert positions == sorted(positions)


def test_unticking_show_risks_hides_the_section_and_keeps_history(world, client_for):
    snapshot = make_snapshot(world.manager, world.directorate, unit_filter=world.service, hidden_sections=",gone,")
    client = client_for(world.manager)
    detail = reverse("snapshot-detail", args=[snapshot.pk])
    assert 'id="snapshot-risks"' in client.get(detail).content.decode()
    form = {
        "name": "Team snapshot",
        "org_unit": world.directorate.pk,
        "unit_filter": world.service.pk,
        "include_actions": "on",
    }
    response = client.post(reverse("snapshot-edit", args=[snapshot.pk]), form)
    assert response.status_code == 302
    snapshot.refresh_from_db()
    # a key no module registers any more stays as it was
    assert snapshot.hidden_sections == ",gone,risks,"
    html = client.get(detail).content.decode()
    assert 'id="snapshot-risks"' not in html and 'id="snapshot-actions"' in html
    edit = client.get(reverse("snapshot-edit", args=[snapshot.pk])).content.decode()
    assert " checked" not in checkbox(edit, "risks")

    client.post(reverse("snapshot-edit", args=[snapshot.pk]), {**form, "show_section_risks": "on"})
    snapshot.refresh_from_db()
    assert snapshot.hidden_sections == ",gone,"
    assert 'id="snapshot-risks"' in client.get(detail).content.decode()
    history = list(snapshot.history.order_by("history_date", "history_id").values_list("hidden_sections", flat=True))
    assert history == [",gone,", ",gone,risks,", ",gone,"]


def test_a_new_snapshot_shows_every_section(world, client_for):
    response = client_for(world.manager).post(
        reverse("snapshot-create"),
        {
            "name": "Office",
            "org_unit": world.directorate.pk,
            "unit_filter": world.service.pk,
            "show_section_risks": "on",
        },
    )
    assert response.status_code == 302
    assert Snapshot.objects.get().hidden_sections == ""
