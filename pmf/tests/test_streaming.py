"""The streaming spreadsheet writer: the same cells as to_csv and to_xlsx, chunk by chunk."""

import datetime
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from pmf.spreadsheets import STREAM_CHUNK_ROWS, iter_csv, stream, to_csv, to_xlsx, xlsx_file

ROWS = [["title", "value"], ["=1+1", -5], ["Café", D("2.50")], ["-5", None], ["", "@SUM(A1)"], ["\tx", "+44 20"]]


def test_iter_csv_writes_the_bytes_to_csv_writes():
    assert b"".join(iter_csv(ROWS)) == to_csv(ROWS)
    assert b"".join(iter_csv(ROWS, bom=False)) == to_csv(ROWS, bom=False)


def test_iter_csv_yields_a_chunk_per_thousand_rows_and_reads_rows_as_it_goes():
    read = []

    def rows():
        for number in range(2 * STREAM_CHUNK_ROWS + 1):
            read.append(number)
            yield [f"=row {number}"]

    chunks = iter_csv(rows())
    assert next(chunks) == b"\xef\xbb\xbf"
    first = next(chunks)
    assert len(read) == STREAM_CHUNK_ROWS
    assert first.startswith(b"'=row 0\r\n") and first.endswith(f"'=row {STREAM_CHUNK_ROWS - 1}\r\n".encode())
    assert len(list(chunks)) == 2


def test_xlsx_file_holds_the_cells_to_xlsx_writes():
    with xlsx_file(ROWS, "Values [2025]") as written:
        streamed = load_workbook(written)
    whole = load_workbook(io.BytesIO(to_xlsx(ROWS, "Values [2025]")))
    assert streamed.active.title == whole.active.title == "Values -2025-"
    assert list(streamed.active.iter_rows(values_only=True)) == list(whole.active.iter_rows(values_only=True))


def test_xlsx_file_writes_dates_as_text_and_keeps_what_a_workbook_cannot_hold_out():
    rows = [["when", "flag", "note"], [datetime.date(2025, 4, 1), True, "line\x0bbreak & <b>"]]
    with xlsx_file(rows, "A & B") as written:
        book = load_workbook(written)
    assert book.active.title == "A & B"
    assert list(book.active.iter_rows(values_only=True))[1] == ("2025-04-01", True, "linebreak & <b>")


@pytest.mark.parametrize(
    ("fmt", "content_type", "disposition"),
    [
        ("csv", "text/csv; charset=utf-8", 'attachment; filename="values.csv"'),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            'attachment; filename="values.xlsx"',
        ),
    ],
)
def test_stream_sends_an_attachment_without_holding_it(fmt, content_type, disposition):
    response = stream(iter(ROWS), fmt=fmt, filename="values", title="Values")
    assert response.streaming
    assert (response["Content-Type"], response["Content-Disposition"]) == (content_type, disposition)
    body = response.getvalue()
    if fmt == "csv":
        assert body == to_csv(ROWS)
    else:
        assert list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))[1] == ("'=1+1", -5)


def test_stream_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="Unknown spreadsheet format 'pdf'"):
        stream([["a"]], fmt="pdf", filename="x", title="x")
