"""Exports stream from values_list queries: exact content, no model instances, constant queries."""

import contextlib
import csv
import datetime
import io
from decimal import Decimal as D

from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from indicators import services
from indicators.models import Indicator, Measurement, Tag
from indicators.tests.factories import team_indicator

JAN = datetime.date(2025, 1, 1)
FEB = datetime.date(2025, 2, 1)


@contextlib.contextmanager
def instances_built(*models):
    """Counts the instances of MODELS built while the block runs: {model name: count}."""
    built = {model.__name__: 0 for model in models}

    def count(sender, **kwargs):
        built[sender.__name__] += 1

    for model in models:
        post_init.connect(count, sender=model, weak=False)
    try:
        yield built
    finally:
        for model in models:
            post_init.disconnect(count, sender=model)


def _read(client, url, params=None):
    """The response to a GET, read to its last byte, and the queries it ran (while streaming too)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
        body = response.getvalue()
    return response, body, len(queries)


def _csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _two_pis(world):
    first = team_indicator(world, code="AAA", title="Rent collected", frequency="quarterly")
    second = team_indicator(world, code="BBB", title='=HYPERLINK("http://x","y")', updater=None)
    services.measurement_update(indicator=first, period=JAN, value=D("95.50"), user=world.updater)
    return first, second


def test_pi_list_csv_streams_the_rows_shown_without_building_model_instances(world, client_for):
    first, _ = _two_pis(world)
    first.refresh_from_db()
    client = client_for(world.manager)
    with instances_built(Indicator, Measurement) as built:
        response, body, _ = _read(client, reverse("indicator-list"), {"export": "csv"})
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="indicators.csv"'
    updated = timezone.localtime(first.latest_updated_at).strftime("%Y-%m-%d %H:%M")
    assert _csv(body) == [
        [
            "Status",
            "Code",
            "Title",
            "Unit",
            "Latest period",
            "Last update",
            "Current value",
            "Target",
            "Short trend",
            "Long trend",
            "Managed by",
            "Assigned to",
        ],
        [
            "On target",
            "AAA",
            "Rent collected",
            "Rents Team",
            "Q4 2024/25",
            updated,
            "95.5",
            "90",
            "No trend",
            "No trend",
            "Bob Manager",
            "Charlie Updater",
        ],
        [
            "Unknown",
            "BBB",
            '\'=HYPERLINK("http://x","y")',
            "Rents Team",
            "",
            "",
            "",
            "",
            "No trend",
            "No trend",
            "Bob Manager",
            "",
        ],
    ]
    assert built == {"Indicator": 0, "Measurement": 0}


def test_pi_list_csv_keeps_the_filter_and_the_sort(world, client_for):
    _two_pis(world)
    client = client_for(world.manager)
    _, body, _ = _read(client, reverse("indicator-list"), {"export": "csv", "status": "green"})
    assert [row[1] for row in _csv(body)[1:]] == ["AAA"]
    _, body, _ = _read(client, reverse("indicator-list"), {"export": "csv", "sort": "-status"})
    assert [row[1] for row in _csv(body)[1:]] == ["BBB", "AAA"]


def test_pi_list_xlsx_has_the_same_rows_as_the_csv(world, client_for):
    _two_pis(world)
    client = client_for(world.manager)
    with instances_built(Indicator) as built:
        response, body, _ = _read(client, reverse("indicator-list"), {"export": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="indicators.xlsx"'
    sheet = load_workbook(io.BytesIO(body)).active
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    _, csv_body, _ = _read(client, reverse("indicator-list"), {"export": "csv"})
    assert rows == _csv(csv_body)
    assert built == {"Indicator": 0}


def test_pi_list_export_queries_do_not_grow_with_rows(world, client_for):
    client = client_for(world.manager)
    team_indicator(world, code="ONE")
    _, body, one = _read(client, reverse("indicator-list"), {"export": "csv"})
    assert len(_csv(body)) == 2
    for number in range(30):
        team_indicator(world, code=f"M{number:02d}")
    _, body, many = _read(client, reverse("indicator-list"), {"export": "csv"})
    assert len(_csv(body)) == 32
    assert one == many


def test_values_export_streams_the_import_format_without_model_instances(world, client_for):
    first, second = _two_pis(world)
    Measurement.objects.create(indicator=second, period=FEB, value=D("-3.250"), target=None, commentary="+ late")
    client = client_for(world.manager)
    with instances_built(Indicator, Measurement) as built:
        response, body, _ = _read(client, reverse("indicator-export", kwargs={"kind": "values", "fmt": "csv"}))
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="indicator-values.csv"'
    assert _csv(body) == [
        ["code", "period", "value", "target", "commentary"],
        ["AAA", "2025-01-01", "95.5", "90", ""],
        ["BBB", "2025-02-01", "-3.25", "", "'+ late"],
    ]
    assert built == {"Indicator": 0, "Measurement": 0}


def test_values_export_leaves_out_pis_the_person_cannot_see(world, client_for):
    _two_pis(world)
    outside = team_indicator(world, code="OUT", org_unit=world.other_directorate, owner=None, updater=None)
    Measurement.objects.create(indicator=outside, period=JAN, value=D("1"))
    _, body, _ = _read(client_for(world.updater), reverse("indicator-export", kwargs={"kind": "values", "fmt": "csv"}))
    assert [row[0] for row in _csv(body)[1:]] == ["AAA"]


def test_definitions_export_reads_tags_a_chunk_at_a_time(world, client_for):
    first, _ = _two_pis(world)
    first.tags.set([Tag.objects.create(name="TSM"), Tag.objects.create(name="Housemark")])
    client = client_for(world.manager)
    url = reverse("indicator-export", kwargs={"kind": "definitions", "fmt": "csv"})
    with instances_built(Indicator, Tag) as built:
        response, body, two = _read(client, url)
    rows = _csv(body)
    assert rows[0][:3] == ["code", "title", "org_unit"]
    header = rows[0]
    aaa = dict(zip(header, rows[1], strict=True))
    assert (aaa["code"], aaa["frequency"], aaa["tags"], aaa["updater"], aaa["active"], aaa["tolerance"]) == (
        "AAA",
        "quarterly",
        "Housemark;TSM",
        world.updater.username,
        "yes",
        "2",
    )
    assert dict(zip(header, rows[2], strict=True))["title"] == '\'=HYPERLINK("http://x","y")'
    assert built == {"Indicator": 0, "Tag": 0}
    for number in range(30):
        team_indicator(world, code=f"M{number:02d}")
    _, body, many = _read(client, url)
    assert len(_csv(body)) == 33 and many == two
