import csv
import datetime
import io
import zipfile
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators import imports
from indicators.models import Indicator, Measurement
from indicators.tests.factories import team_indicator
from pmf.spreadsheets import (
    MAX_CELL_CHARS,
    MAX_REPORTED_ERRORS,
    UNPACKED_FACTOR,
    FileFormatError,
    RowError,
    RowReport,
    cell_text,
    check_header,
    download,
    plain_number,
    read_table,
    safe_cell,
    to_csv,
    to_xlsx,
)

SMALL_LIMIT = 64 * 1024  # the import size limit the size tests set


def workbook(rows, formats=None) -> bytes:
    """An .xlsx of ROWS written by openpyxl; FORMATS maps a cell ("C2") to its number format."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for coordinate, number_format in (formats or {}).items():
        sheet[coordinate].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_cell_xml(data: bytes, old: bytes, new: bytes) -> bytes:
    """DATA (an .xlsx) with OLD replaced by NEW in the sheet XML: cells openpyxl cannot write."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                assert old in content
                content = content.replace(old, new)
            target.writestr(member, content)
    return out.getvalue()


def table(data: bytes, name: str, **options) -> tuple[list[str], list[list]]:
    header, rows = read_table(io.BytesIO(data), name, **options)
    return header, list(rows)


def refusal(data: bytes, name: str, **options) -> str:
    with pytest.raises(FileFormatError) as caught:
        table(data, name, **options)
    return str(caught.value)


# Reading -----------------------------------------------------------------------------------------


def test_csv_header_is_lower_cased_and_stripped_and_cells_stay_text():
    assert table("\ufeff Code ,PERIOD\nAAA, 2025-01\n".encode(), "v.csv") == (["code", "period"], [["AAA", " 2025-01"]])


def test_workbook_cells_come_as_excel_holds_them():
    data = workbook([["Code", "Period", "Value", "Done"], ["AAA", datetime.datetime(2025, 1, 1), 93.5, True]])
    assert table(data, "v.XLSX") == (
        ["code", "period", "value", "done"],
        [["AAA", datetime.datetime(2025, 1, 1), 93.5, True]],
    )


@pytest.mark.parametrize(
    ("value", "number_format", "read"),
    [
        (0.95, "0%", "95%"),
        (0.955, "0.0%", "95.5%"),
        (0.955, "0%", "95.5%"),  # the full value, not Excel's rounded display
        (1, "0%", "100%"),
        (-0.05, "0.00%", "-5%"),
        (0.1 + 0.2, "0%", "30%"),  # Excel keeps 15 significant digits
        (0.95, '0"%"', 0.95),  # a quoted % sign is text, not a percentage
        (0.95, "0.00", 0.95),
    ],
)
def test_a_number_shown_as_a_percentage_is_read_as_excel_shows_it(value, number_format, read):
    data = workbook([["code", "value"], ["AAA", value]], {"B2": number_format})
    assert table(data, "v.xlsx")[1] == [["AAA", read]]


def test_blank_header_cells_at_the_end_of_a_workbook_name_no_column():
    data = workbook([["code", "value", None, None], ["AAA", 1, None, "far right"]])
    assert table(data, "v.xlsx") == (["code", "value"], [["AAA", 1]])


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "v.csv", "The file is empty."),
        (workbook([]), "v.xlsx", "The file is empty."),
        (b"code\ncaf\xe9\n", "v.csv", "The file is not UTF-8 text; save it as 'CSV UTF-8'."),
        (b"PK\x03\x04 not really a workbook", "v.xlsx", "The file is not a readable Excel workbook (BadZipFile)."),
        (b"code,period\nAAA,2025-01\n", "v.xlsx", "The file is not a readable Excel workbook (BadZipFile)."),
        (
            b"code,value\nAAA,1\nAAA,2\rAAA,3\n",
            "v.csv",
            "The file is not readable as CSV at line 3 (new-line character seen in unquoted field - "
            "do you need to open the file in universal-newline mode?).",
        ),
    ],
    ids=["empty-csv", "empty-workbook", "not-utf8", "broken-zip", "csv-named-xlsx", "bad-csv-line"],
)
def test_unreadable_files_are_refused_with_the_reason(data, name, message):
    assert refusal(data, name) == message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.IMPORT_MAX_BYTES = 64 * 1024
    too_big = SimpleUploadedFile("v.csv", b"code\n" + b"A" * settings.IMPORT_MAX_BYTES)
    with pytest.raises(FileFormatError) as caught:
        read_table(too_big, "v.csv")
    assert str(caught.value) == (
        "The file is larger than 64 KB, the most an import accepts; split it into smaller files."
    )
    # a stream without a size is read only up to the limit
    assert refusal(b"code\n" + b"A" * 2000, "v.csv", max_bytes=1024) == (
        "The file is larger than 1 KB, the most an import accepts; split it into smaller files."
    )
    assert table(b"code\n" + b"A" * 2000, "v.csv", max_bytes=2005)[1] == [["A" * 2000]]


def test_a_workbook_that_unpacks_far_beyond_its_size_is_refused_unparsed():
    data = workbook([["code", "value"], *(["AAA", 1] for _ in range(20000))])
    limit = len(data) + 1
    assert sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(data)).infolist()) > UNPACKED_FACTOR * limit
    message = refusal(data, "v.xlsx", max_bytes=limit)
    assert message.startswith("The workbook unpacks to more than ")
    assert message.endswith(", the most an import accepts; split it into smaller files.")
    assert len(table(data, "v.xlsx")[1]) == 20000


@pytest.mark.parametrize("name", ["v.csv", "v.xlsx"])
def test_a_cell_over_the_length_limit_is_refused_naming_row_and_column(name):
    rows = [["code", "commentary"], ["AAA", "fine"], ["AAA", "x" * (MAX_CELL_CHARS + 1)]]
    data = to_csv(rows) if name == "v.csv" else workbook(rows)
    assert (
        refusal(data, name)
        == "Row 3, column commentary: the cell holds 10,001 characters; at most 10,000 are accepted."
    )
    rows[2][1] = "x" * MAX_CELL_CHARS
    assert table(to_csv(rows) if name == "v.csv" else workbook(rows), name)[1][1] == ["AAA", "x" * MAX_CELL_CHARS]


def test_a_quoted_csv_cell_over_the_limit_is_refused_even_across_lines():
    data = b'code,commentary\nAAA,"' + b"line\n" * 2001 + b'"\n'
    assert (
        refusal(data, "v.csv")
        == "Row 2, column commentary: the cell holds 10,005 characters; at most 10,000 are accepted."
    )


def test_a_workbook_number_with_more_digits_than_python_reads_is_refused_naming_the_row():
    data = with_cell_xml(
        workbook([["code", "value"], ["AAA", 1], ["AAA", 12345]]), b"<v>12345</v>", b"<v>" + b"9" * 5000 + b"</v>"
    )
    assert refusal(data, "v.xlsx") == (
        "Row 3 of the workbook cannot be read (ValueError); "
        "look for a cell with a number or text far longer than a real value."
    )


def test_check_header_names_missing_unknown_and_repeated_columns():
    with pytest.raises(FileFormatError) as caught:
        check_header(["pi", "value", "value"], ["code", "period", "value"], {"code", "period"})
    assert str(caught.value) == (
        "Wrong columns (missing columns: code, period; unknown column: pi; a column appears twice). "
        "Expected: code, period, value."
    )
    check_header(["value", "code"], ["code", "period", "value"], {"code"})


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, ""),
        (3.0, "3"),
        (3.5, "3.5"),
        (12, "12"),
        (D("12.50"), "12.50"),
        ("  padded  ", "padded"),
        (datetime.date(2026, 3, 31), "2026-03-31"),
        (datetime.datetime(2026, 3, 31), "2026-03-31"),
        (datetime.datetime(2026, 3, 31, 9, 30), "2026-03-31 09:30:00"),
        (True, "True"),
    ],
)
def test_cell_text(cell, text):
    assert cell_text(cell) == text


@pytest.mark.parametrize(
    ("number", "text"),
    [(D("12.50"), "12.5"), (D("100"), "100"), (D("1E+2"), "100"), (D("0.000"), "0"), (None, ""), (7, "7")],
)
def test_plain_number(number, text):
    assert plain_number(number) == text


def test_row_report_counts_every_error_and_keeps_the_first_500():
    report = RowReport()
    assert report.ok
    for row in range(2, MAX_REPORTED_ERRORS + 12):
        report.add(row, "value", "bad")
    assert (report.ok, report.error_count, len(report.errors)) == (False, 510, 500)
    assert report.errors[0] == RowError(2, "value", "bad")


# Writing -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("-5", "-5"),
        ("+5", "+5"),
        ("-0.25", "-0.25"),
        ("-1,234.5", "-1,234.5"),
        ("-5.0%", "-5.0%"),
        ("-£12.50", "-£12.50"),
        ("-12,34", "'-12,34"),
        ("Rent = income", "Rent = income"),
        (-5, -5),
        (D("-5.5"), D("-5.5")),
        (None, None),
    ],
)
def test_safe_cell_quotes_text_that_would_start_a_formula(cell, written):
    assert safe_cell(cell) == written


def test_csv_is_utf8_with_a_byte_order_mark_and_every_cell_guarded():
    data = to_csv([["title", "value"], ["=1+1", -5], ["Café", D("2.50")]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == [
        ["title", "value"],
        ["'=1+1", "-5"],
        ["Café", "2.50"],
    ]
    assert to_csv([["a"]], bom=False) == b"a\r\n"


def test_xlsx_guards_every_cell_and_keeps_numbers_as_numbers():
    data = to_xlsx([["title", "value"], ['=HYPERLINK("http://x","y")', -5], ["-5", D("2.5")]], "Export")
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert cells == [[('\'=HYPERLINK("http://x","y")', "s"), (-5, "n")], [("-5", "s"), (2.5, "n")]]
    assert sheet.title == "Export"


def test_xlsx_leaves_out_control_characters_a_workbook_cannot_hold():
    # A line break pasted from Word is a vertical tab; openpyxl refused the whole export.
    data = to_xlsx([["commentary"], ["First line\x0bsecond line"], ["\x0b=1+1"]], "Values")
    sheet = load_workbook(io.BytesIO(data)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["First linesecond line", "'=1+1"]


def test_xlsx_sheet_title_drops_characters_excel_forbids():
    data = to_xlsx([["a"]], "Complaints/Ombudsman [2025]: a very long framework title")
    assert load_workbook(io.BytesIO(data)).active.title == "Complaints-Ombudsman -2025-- a "


@pytest.mark.parametrize(
    ("fmt", "filename", "content_type", "disposition"),
    [
        ("csv", "indicators", "text/csv; charset=utf-8", 'attachment; filename="indicators.csv"'),
        ("csv", "plan.csv", "text/csv; charset=utf-8", 'attachment; filename="plan.csv"'),
        (
            "xlsx",
            "indicator-values",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            'attachment; filename="indicator-values.xlsx"',
        ),
    ],
)
def test_download_sets_content_type_and_file_name(fmt, filename, content_type, disposition):
    response = download([["title"], ["=1+1"]], fmt=fmt, filename=filename, title="Sheet")
    assert (response["Content-Type"], response["Content-Disposition"]) == (content_type, disposition)
    if fmt == "csv":
        assert response.content.decode("utf-8-sig") == "title\r\n'=1+1\r\n"
    else:
        rows = load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        assert list(rows) == [("title",), ("'=1+1",)]


def test_download_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="Unknown spreadsheet format 'pdf'"):
        download([["a"]], fmt="pdf", filename="x", title="x")


# The values import reads through read_table --------------------------------------------------------


def _import_workbook(world, data: bytes, **options):
    return imports.import_values(
        upload=SimpleUploadedFile("v.xlsx", data), file_name="v.xlsx", user=world.updater, commit=True, **options
    )


@pytest.mark.parametrize(("value", "number_format"), [(0.95, "0%"), (0.95, "0.0%")])
def test_values_import_reads_an_excel_percentage_as_the_percent_shown(world, value, number_format):
    team_indicator(world, code="AAA", unit=Indicator.Unit.PERCENT)
    data = workbook([["code", "period", "value"], ["AAA", "2025-01", value]], {"C2": number_format})
    report = _import_workbook(world, data)
    assert (report.ok, report.committed) == (True, True)
    measurement = Measurement.objects.get()
    assert (measurement.value, measurement.target, measurement.status) == (D("95"), D("90"), "green")


def test_values_import_refuses_an_excel_percentage_on_a_pi_not_measured_in_percent(world):
    team_indicator(world, code="AAA", unit=Indicator.Unit.NUMBER)
    data = workbook([["code", "period", "value"], ["AAA", "2025-01", 0.95]], {"C2": "0%"})
    report = _import_workbook(world, data)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (2, "value", "'95%' has a % sign but this PI is not measured in %.")
    ]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        (True, "'True' is not a number."),
        (datetime.datetime(2025, 1, 1), "'2025-01-01' is not a number."),
        (float("inf"), "'inf' is not a number."),
    ],
    ids=["boolean", "date", "infinity"],
)
def test_values_import_refuses_a_workbook_cell_that_is_not_a_number(world, cell, reason):
    team_indicator(world, code="AAA")
    data = workbook([["code", "period", "value"], ["AAA", "2025-01", 1]])
    if isinstance(cell, float):
        data = with_cell_xml(data, b"<v>1</v>", b"<v>1e400</v>")
    else:
        data = workbook([["code", "period", "value"], ["AAA", "2025-01", cell]])
    report = _import_workbook(world, data)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [(2, "value", reason)]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("v.xlsx", b"garbage, not a workbook", "The file is not a readable Excel workbook (BadZipFile)."),
        (
            "v.xlsx",
            with_cell_xml(
                workbook([["code", "period", "value"], ["AAA", "2025-01", 12345]]),
                b"<v>12345</v>",
                b"<v>" + b"9" * 5000 + b"</v>",
            ),
            "Row 2 of the workbook cannot be read (ValueError); "
            "look for a cell with a number or text far longer than a real value.",
        ),
        (
            "v.csv",
            b"code,period,value,commentary\nAAA,2025-01,91," + b"x" * 20000 + b"\n",
            "Row 2, column commentary: the cell holds 20,000 characters; at most 10,000 are accepted.",
        ),
        (
            "v.csv",
            b"code,period,value\n" + b"AAA,2025-01,91\n" * (SMALL_LIMIT // 15 + 1),
            "The file is larger than 64 KB, the most an import accepts; split it into smaller files.",
        ),
    ],
    ids=["garbage-xlsx", "huge-number", "long-commentary", "too-large"],
)
def test_values_import_page_refuses_hostile_files_with_a_message(world, client_for, settings, name, data, message):
    settings.IMPORT_MAX_BYTES = SMALL_LIMIT
    team_indicator(world, code="AAA")
    response = client_for(world.updater).post(
        reverse("indicator-import"), {"kind": "values", "commit": "on", "file": SimpleUploadedFile(name, data)}
    )
    form = response.context["form"]
    shown = response.context["file_error"] or " ".join(form.errors.get("file", []))
    assert (response.status_code, shown) == (400, message)
    assert not Measurement.objects.exists()


def test_indicator_list_export_guards_titles(world, client_for):
    team_indicator(world, code="AAA", title='=HYPERLINK("http://x","y")')
    response = client_for(world.manager).get(reverse("indicator-list"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert (rows[1][1], rows[1][2]) == ("AAA", '\'=HYPERLINK("http://x","y")')
    assert response["Content-Disposition"] == 'attachment; filename="indicators.csv"'
