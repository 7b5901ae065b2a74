"""Hostile files on every import: a garbage file named .xlsx and a workbook cell of millions of
characters are refused with a message by the one shared reader, before the workbook is parsed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Indicator, Measurement
from indicators.tests.factories import team_indicator
from plans.models import PlanItem
from pmf import spreadsheets
from pmf.spreadsheets import MAX_CELL_XML_BYTES, FileFormatError, read_table
from pmf.tests.test_spreadsheets import with_cell_xml, workbook
from risks.models import Risk

HUGE_CELL_MESSAGE = (
    "The workbook has a cell of far more than 10,000 characters, the most an import accepts; "
    "look for a cell with a number or text far longer than a real value."
)
GARBAGE_MESSAGE = "The file is not a readable Excel workbook (BadZipFile)."


def zeros_in_one_cell(header: list[str], zeros: int = 3_000_000) -> bytes:
    """A small workbook whose second row holds a number of ZEROS digits (it packs to a few KB)."""
    row = ["X"] * (len(header) - 1) + [12345]
    return with_cell_xml(workbook([header, row]), b"<v>12345</v>", b"<v>" + b"0" * zeros + b"</v>")


def refusal(data: bytes, name: str = "v.xlsx") -> str:
    with pytest.raises(FileFormatError) as caught:
        header, rows = read_table(io.BytesIO(data), name)
        list(rows)
    return str(caught.value)


def test_a_cell_of_millions_of_zeros_is_refused_before_the_workbook_is_parsed(monkeypatch):
    data = zeros_in_one_cell(["code", "value"])
    assert len(data) < 100_000

    def never(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(spreadsheets, "load_workbook", never)
    assert refusal(data) == HUGE_CELL_MESSAGE


def test_a_text_cell_far_over_the_limit_is_refused_before_parsing_and_one_near_it_names_its_row():
    # Excel and openpyxl stop a cell at 32,767 characters; only a crafted file holds more.
    crafted = with_cell_xml(
        workbook([["code", "commentary"], ["AAA", "short"]]), b">short<", b">" + b"x" * (MAX_CELL_XML_BYTES + 1) + b"<"
    )
    assert refusal(crafted) == HUGE_CELL_MESSAGE
    assert refusal(workbook([["code", "commentary"], ["AAA", "x" * 20_000]])) == (
        "Row 2, column commentary: the cell holds 20,000 characters; at most 10,000 are accepted."
    )


@pytest.mark.parametrize("chunk", [7, 4096, 1024 * 1024])
def test_text_running_across_read_chunks_is_measured_whole(monkeypatch, chunk):
    monkeypatch.setattr(spreadsheets, "_SCAN_CHUNK", chunk)
    # A run of exactly the limit passes the scan (the row's own check then refuses it).
    assert refusal(zeros_in_one_cell(["code", "value"], zeros=MAX_CELL_XML_BYTES)).startswith("Row 2 of the workbook")
    fine = workbook([["code", "commentary"], ["AAA", "y" * 10_000], ["BBB", "z" * 9_000]])
    assert list(read_table(io.BytesIO(fine), "v.xlsx")[1]) == [["AAA", "y" * 10_000], ["BBB", "z" * 9_000]]
    assert refusal(zeros_in_one_cell(["code", "value"], zeros=MAX_CELL_XML_BYTES + 1)) == HUGE_CELL_MESSAGE


def test_a_damaged_sheet_inside_a_workbook_is_refused_as_unreadable():
    data = bytearray(workbook([["code", "value"], ["AAA", 1]]))
    start = data.index(b"xl/worksheets/sheet1.xml") + len(b"xl/worksheets/sheet1.xml")
    data[start + 10 : start + 40] = b"\xff" * 30  # the deflated sheet itself
    message = refusal(bytes(data))
    assert message.startswith("The file is not a readable Excel workbook (")


def _post(client, url_name, name, data, **fields):
    return client.post(reverse(url_name), {"commit": "on", **fields, "file": SimpleUploadedFile(name, data)})


HOSTILE = [
    ("garbage", b"garbage, not a workbook", GARBAGE_MESSAGE),
    ("zeros", None, HUGE_CELL_MESSAGE),
]


@pytest.mark.parametrize(("case", "data", "message"), HOSTILE, ids=[case for case, _, _ in HOSTILE])
def test_plan_import_refuses_hostile_workbooks_with_a_message(world, client_for, case, data, message):
    data = data or zeros_in_one_cell(["code", "parent_code", "kind", "title", "weight"])
    before = PlanItem.objects.count()
    response = _post(client_for(world.admin), "plan-import", "plan.xlsx", data)
    assert response.context["file_error"] == message
    assert PlanItem.objects.count() == before


@pytest.mark.parametrize(("case", "data", "message"), HOSTILE, ids=[case for case, _, _ in HOSTILE])
def test_risk_import_refuses_hostile_workbooks_with_a_message(world, client_for, case, data, message):
    data = data or zeros_in_one_cell(["code", "title", "category", "org_unit", "owner"])
    response = _post(client_for(world.admin), "risk-import", "risks.xlsx", data)
    assert response.context["file_error"] == message
    assert not Risk.objects.exists()


@pytest.mark.parametrize("kind", ["values", "definitions"])
@pytest.mark.parametrize(("case", "data", "message"), HOSTILE, ids=[case for case, _, _ in HOSTILE])
def test_indicator_imports_refuse_hostile_workbooks_with_a_message(world, client_for, kind, case, data, message):
    team_indicator(world, code="AAA")
    data = data or zeros_in_one_cell(["code", "period", "value"])
    response = _post(client_for(world.admin), "indicator-import", "v.xlsx", data, kind=kind)
    assert (response.status_code, response.context["file_error"]) == (400, message)
    assert list(Indicator.objects.values_list("code", flat=True)) == ["AAA"]
    assert not Measurement.objects.exists()


def test_a_nul_character_in_a_csv_cell_is_refused_naming_its_row_and_column():
    data = b"code,period,value,commentary\nAAA,2025-01,50,ok\nAAA,2025-02,51,bad\x00note\n"
    assert refusal(data, "v.csv") == (
        "Row 3, column commentary: the cell holds a NUL character, which no text may hold; remove it and import again."
    )
    assert refusal(b"code,va\x00lue\n", "v.csv") == (
        "Row 1, column 2: the cell holds a NUL character, which no text may hold; remove it and import again."
    )


def test_an_import_with_a_nul_character_writes_nothing(world, client_for):
    # A workbook cannot carry one: XML has no NUL, and openpyxl leaves Excel's _x0000_ as text.
    team_indicator(world, code="AAA")
    data = b"code,period,value,commentary\nAAA,2025-01,50,ok\nAAA,2025-02,51,bad\x00note\n"
    response = _post(client_for(world.admin), "indicator-import", "v.csv", data, kind="values")
    assert response.status_code == 400
    assert response.context["file_error"].startswith("Row 3, column commentary: the cell holds a NUL character")
    assert not Measurement.objects.exists()


def test_a_plan_import_with_a_nul_character_names_the_row_and_writes_nothing(world, client_for):
    before = PlanItem.objects.count()
    data = b"code,parent_code,kind,title\nP1,,plan,Homes plan\nP1.1,P1,objective,Safe\x00homes\n"
    response = _post(client_for(world.admin), "plan-import", "plan.csv", data)
    assert response.context["file_error"] == (
        "Row 3, column title: the cell holds a NUL character, which no text may hold; remove it and import again."
    )
    assert PlanItem.objects.count() == before
