"""The one reader and writer of spreadsheets: every import reads CSV and Excel files here and
every export writes them here.

Reading: `read_table` gives the header (lower-cased, stripped) and the rows of a CSV or of the
first sheet of an XLSX workbook, with cells as the file holds them. A file is refused whole with a
`FileFormatError` that says why when it is larger than the upload limit, is not a readable CSV or
workbook, unpacks to far more than its size (a workbook is a zip), holds a run of text far longer
than any cell may be (found as it unpacks, before the XML is parsed), or has a cell longer than
MAX_CELL_CHARS. Imports check the header with `check_header` and collect per-row problems in a
`RowReport`.

Writing: `to_csv`, `to_xlsx` and `download` pass every cell through `safe_cell`, so that text
starting like a formula is never run as one by the spreadsheet that opens the file.
"""

import codecs
import csv
import datetime
import functools
import io
import math
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from itertools import batched

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A workbook is a zip of XML; real ones unpack to a few times their size. One that unpacks to more
# than this many times the upload limit is refused before it is parsed.
UNPACKED_FACTOR = 10
MAX_CELL_CHARS = 10_000
MAX_REPORTED_ERRORS = 500
# Bytes of workbook XML a cell of MAX_CELL_CHARS characters can take at most (each character
# written as a character reference such as "&#x1F600;"); a longer run of text is refused before
# the workbook is parsed.
MAX_CELL_XML_BYTES = MAX_CELL_CHARS * 10
_SCAN_CHUNK = 1024 * 1024

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Excel keeps 15 significant digits; a float read from a workbook carries no more than that.
_EXCEL_PRECISION = Context(prec=15)
# Text a spreadsheet may read as the start of a formula (a tab or carriage return can hide one).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(_FORMULA_START)
# Rows written into each chunk of a streamed CSV.
STREAM_CHUNK_ROWS = 1000
# A number as people and `Indicator.format_value` write it: "-5", "-1,234.5", "-5.0%", "-£12".
_FORMATTED_NUMBER = re.compile(r"[-+]?[£$€]?(?=\.?\d)(\d{1,3}(,\d{3})+|\d*)(\.\d+)?%?")
# Quoted text and escaped characters in a number format are shown as they are, not as a percent.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.')
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class FileFormatError(ValueError):
    """The file cannot be read as a table; the message says why (and where, when known)."""


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class RowReport:
    """What an import found: the data rows read and the errors, by row and column. Only the first
    MAX_REPORTED_ERRORS errors are kept; `error_count` counts them all."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def add(self, row: int, column: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, reason))

    @property
    def ok(self) -> bool:
        return self.error_count == 0


# Reading -----------------------------------------------------------------------------------------


def read_table(upload, file_name: str, *, max_bytes: int | None = None) -> tuple[list[str], Iterator[list]]:
    """(header, rows) of an uploaded CSV, or of the first sheet of a workbook when FILE_NAME ends
    in .xlsx. Row 1 is the header, lower-cased and stripped; the rows follow from row 2.

    CSV cells are strings. Workbook cells are what Excel holds: str, int, float, bool,
    date/datetime or None, except that a number shown as a percentage comes as the text Excel
    shows ("95%" for 0.95). Raises FileFormatError for a file over MAX_BYTES (default: the
    IMPORT_MAX_BYTES setting), an unreadable file
    or a cell over MAX_CELL_CHARS characters; the rows of a workbook are read as they are iterated,
    so iterating them may raise it too (naming the row)."""
    max_bytes = max_bytes or settings.IMPORT_MAX_BYTES
    data = _read_at_most(upload, max_bytes)
    if file_name.lower().endswith(".xlsx"):
        return _workbook_table(data, unpacked_limit=max_bytes * UNPACKED_FACTOR)
    return _csv_table(data)


def check_upload(upload) -> None:
    """The upload rule every import form applies before reading: a .csv or .xlsx file no larger
    than the import limit. Raises django's ValidationError (shown on the form's file field)."""
    if not upload.name.lower().endswith((".csv", ".xlsx")):
        raise ValidationError("Choose a .csv or .xlsx file.")
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(_too_large(settings.IMPORT_MAX_BYTES))


def _read_at_most(upload, max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is None or size <= max_bytes:
        data = upload.read(max_bytes + 1)
        if len(data) <= max_bytes:
            return data
    raise FileFormatError(_too_large(max_bytes))


def _too_large(max_bytes: int) -> str:
    return f"The file is larger than {_size(max_bytes)}, the most an import accepts; split it into smaller files."


def _size(number: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if number >= scale:
            return f"{number / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{number} bytes"


def _csv_table(data: bytes) -> tuple[list[str], Iterator[list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileFormatError("The file is not UTF-8 text; save it as 'CSV UTF-8'.") from None
    if "\x00" in text:
        # PostgreSQL cannot store NUL in text, and no one types one: name the first cell holding it
        # (read through now, since some imports hand the raw file on).
        header: list[str] = []
        for number, cells in enumerate(_csv_rows(text), start=1):
            header = header or cells
            if any("\x00" in cell for cell in cells):
                index = next(i for i, cell in enumerate(cells) if "\x00" in cell)
                raise FileFormatError(_holds_nul(number, [] if number == 1 else header, index))
    if len(text) > MAX_CELL_CHARS:
        # Read through once now: some imports hand the raw file on (indicators.bulkload), so a cell
        # that is too long must stop the file here, not when the rows are iterated.
        for number, cells in enumerate(_csv_rows(text), start=1):
            if cells and max(map(len, cells)) > MAX_CELL_CHARS:
                index = next(i for i, cell in enumerate(cells) if len(cell) > MAX_CELL_CHARS)
                header = [] if number == 1 else next(_csv_rows(text))
                raise FileFormatError(_too_long(number, header, index, len(cells[index])))
    rows = _csv_rows(text)
    header = next(rows, None)
    if header is None:
        raise FileFormatError("The file is empty.")
    return [cell.strip().lower() for cell in header], rows


def _csv_rows(text: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text))
    try:
        yield from reader
    except csv.Error as exc:
        raise FileFormatError(f"The file is not readable as CSV at line {reader.line_num} ({exc}).") from None


def _workbook_table(data: bytes, *, unpacked_limit: int) -> tuple[list[str], Iterator[list]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except Exception as exc:  # not a zip, or a damaged one
        raise _unreadable_workbook(exc) from None
    if unpacked > unpacked_limit:
        raise FileFormatError(
            f"The workbook unpacks to more than {_size(unpacked_limit)}, the most an import accepts; "
            "split it into smaller files."
        )
    try:
        oversized = _has_oversized_cell(data)
    except Exception as exc:  # a damaged member (bad CRC, truncated data)
        raise _unreadable_workbook(exc) from None
    if oversized:
        raise FileFormatError(
            f"The workbook has a cell of far more than {MAX_CELL_CHARS:,} characters, the most an import accepts; "
            "look for a cell with a number or text far longer than a real value."
        )
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        first = next(sheet.iter_rows(max_row=1), None)
    except Exception as exc:  # zipfile, the XML parser and openpyxl raise many kinds for a broken file
        raise _unreadable_workbook(exc) from None
    if first is None:
        raise FileFormatError("The file is empty.")
    for index, cell in enumerate(first):
        if isinstance(cell.value, str) and len(cell.value) > MAX_CELL_CHARS:
            raise FileFormatError(_too_long(1, [], index, len(cell.value)))
    header = [cell_text(cell.value).lower() for cell in first]
    # Read-only sheets pad every row to the widest cell ever formatted: blank header cells at
    # the end name no column, and the columns beyond the header are not read.
    while header and not header[-1]:
        header.pop()
    return header, _workbook_rows(sheet, header)


def _has_oversized_cell(data: bytes) -> bool:
    """Whether a part of the workbook in DATA that holds cells (a sheet or the shared text) has a
    run of text longer than MAX_CELL_XML_BYTES.

    Read in chunks as it unpacks, so a cell of millions of characters (which the XML parser would
    hold whole, and which as a number Python refuses to convert) is refused before it is parsed."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            name = member.filename
            if not (name == "xl/sharedStrings.xml" or (name.startswith("xl/worksheets/") and name.endswith(".xml"))):
                continue
            run = 0  # length of the text the previous chunk ended in
            with archive.open(member) as part:
                while chunk := part.read(_SCAN_CHUNK):
                    first = _markup_at(chunk, 0, len(chunk))
                    if first < 0:
                        run += len(chunk)
                    else:
                        if run + first > MAX_CELL_XML_BYTES or _long_text_inside(chunk, first):
                            return True
                        run = len(chunk) - 1 - max(chunk.rfind(b"<"), chunk.rfind(b">"))
                    if run > MAX_CELL_XML_BYTES:
                        return True
    return False


def _markup_at(chunk: bytes, start: int, end: int) -> int:
    """The first position of < or > in CHUNK[START:END], or -1."""
    found = [at for at in (chunk.find(b"<", start, end), chunk.find(b">", start, end)) if at >= 0]
    return min(found, default=-1)


def _long_text_inside(chunk: bytes, start: int) -> bool:
    """Whether CHUNK has a run without markup longer than MAX_CELL_XML_BYTES after START.

    Such a run covers at least one whole block of half that length, counted from START; only a
    block without markup (found at C speed) is measured."""
    step = MAX_CELL_XML_BYTES // 2
    for block in range(start, len(chunk), step):
        if chunk.find(b"<", block, block + step) >= 0 or chunk.find(b">", block, block + step) >= 0:
            continue
        before = max(chunk.rfind(b"<", 0, block), chunk.rfind(b">", 0, block))
        after = _markup_at(chunk, block + step, len(chunk))
        if (len(chunk) if after < 0 else after) - before - 1 > MAX_CELL_XML_BYTES:
            return True
    return False


def _unreadable_workbook(exc: Exception) -> FileFormatError:
    return FileFormatError(f"The file is not a readable Excel workbook ({type(exc).__name__}).")


def _workbook_rows(sheet, header: list[str]) -> Iterator[list]:
    rows = sheet.iter_rows(min_row=2, max_col=max(len(header), 1))
    number = 1
    while True:
        number += 1
        try:
            cells = next(rows, None)
        except Exception as exc:  # e.g. a number with more digits than Python converts
            raise FileFormatError(
                f"Row {number} of the workbook cannot be read ({type(exc).__name__}); "
                "look for a cell with a number or text far longer than a real value."
            ) from None
        if cells is None:
            return
        values = []
        for index, cell in enumerate(cells):
            value = cell.value
            if isinstance(value, str):
                if len(value) > MAX_CELL_CHARS:
                    raise FileFormatError(_too_long(number, header, index, len(value)))
            elif isinstance(value, int | float) and not isinstance(value, bool) and _is_percent(cell.number_format):
                value = _percent_text(value)
            values.append(value)
        yield values


def _too_long(row: int, header: list[str], index: int, length: int) -> str:
    column = header[index] if index < len(header) and header[index] else str(index + 1)
    return f"Row {row}, column {column}: the cell holds {length:,} characters; at most {MAX_CELL_CHARS:,} are accepted."


def _holds_nul(row: int, header: list[str], index: int) -> str:
    column = header[index].strip().lower() if index < len(header) and header[index] else str(index + 1)
    return (
        f"Row {row}, column {column}: the cell holds a NUL character, which no text may hold; "
        "remove it and import again."
    )


@functools.lru_cache(maxsize=256)
def _is_percent(number_format: str | None) -> bool:
    return bool(number_format) and "%" in _FORMAT_LITERALS.sub("", number_format)


def _percent_text(value: int | float) -> str:
    """What Excel shows for VALUE formatted as a percentage, at full precision: 0.955 -> "95.5%"."""
    number = _EXCEL_PRECISION.create_decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return f"{plain_number(number * 100)}%"


def check_header(header: list[str], allowed: list[str], required: set[str]) -> None:
    """Refuse a header with a missing required column, a column not in ALLOWED, or a repeat."""
    unknown = [name for name in header if name not in allowed]
    missing = sorted(required - set(header))
    problems = []
    if missing:
        problems.append(f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
    if len(set(header)) != len(header):
        problems.append("a column appears twice")
    if problems:
        raise FileFormatError(f"Wrong columns ({'; '.join(problems)}). Expected: {', '.join(allowed)}.")


def cell_text(cell) -> str:
    """A cell as text: '' for an empty cell, 3.0 -> '3', dates in ISO form, text stripped."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat() if cell.time() == datetime.time() else cell.isoformat(sep=" ")
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return str(cell).strip()


def plain_number(number) -> str:
    """A number without trailing zeros or exponent: Decimal('12.50') -> '12.5'; None -> ''."""
    if number is None:
        return ""
    return f"{number.normalize():f}" if isinstance(number, Decimal) else str(number)


# Writing -----------------------------------------------------------------------------------------


def safe_cell(cell):
    """Spreadsheet formula injection: text starting with = + - @ (or a tab or carriage return)
    that is not a number gets a leading quote, so it is shown as text, never run."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START) and not _looks_numeric(cell):
        return "'" + cell
    return cell


def _looks_numeric(text: str) -> bool:
    if _FORMATTED_NUMBER.fullmatch(text):
        return True
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def to_csv(rows: Iterable[list], *, bom: bool = True) -> bytes:
    """ROWS as CSV in UTF-8, every cell through `safe_cell`. The byte-order mark (on unless BOM is
    false) makes Excel read the file as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def to_xlsx(rows: Iterable[list], title: str) -> bytes:
    """ROWS as a one-sheet workbook named TITLE, every cell through `safe_cell`. Control
    characters a workbook cannot hold (a line break pasted from Word is one) are left out."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_SHEET_TITLE_FORBIDDEN.sub("-", title)[:31] or "Sheet1")
    for row in rows:
        sheet.append(
            [safe_cell(ILLEGAL_CHARACTERS_RE.sub("", cell)) if isinstance(cell, str) else cell for cell in row]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def download(rows: Iterable[list], *, fmt: str, filename: str, title: str) -> HttpResponse:
    """ROWS as an attachment: FMT 'csv' or 'xlsx' (TITLE names the sheet), saved as FILENAME
    (the extension is added when missing)."""
    if fmt == "xlsx":
        body = to_xlsx(rows, title)
    elif fmt == "csv":
        body = to_csv(rows)
    else:
        raise ValueError(f"Unknown spreadsheet format {fmt!r}; use 'csv' or 'xlsx'.")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = filename if filename.lower().endswith(f".{fmt}") else f"{filename}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


# Streaming: exports of any size in constant memory ------------------------------------------------


def _guarded(row) -> list:
    """ROW with every cell through `safe_cell`; most cells cannot start a formula, so only text whose
    first character could is looked at closely."""
    return [safe_cell(cell) if cell.__class__ is str and cell[:1] in _FORMULA_FIRST else cell for cell in row]


def iter_csv(rows: Iterable[list], *, bom: bool = True) -> Iterator[bytes]:
    """ROWS as CSV in UTF-8, the same bytes as `to_csv`, yielded STREAM_CHUNK_ROWS rows at a time:
    memory stays constant however many rows ROWS yields."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        yield codecs.BOM_UTF8
    for chunk in batched(rows, STREAM_CHUNK_ROWS):
        writer.writerows(map(_guarded, chunk))
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
_XLSX_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_XLSX_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_XLSX_SHEET_END = "</sheetData></worksheet>"


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _xlsx_cell(reference: str, cell) -> str:
    """One cell as sheet XML: text (guarded by `safe_cell`, characters a workbook cannot hold left
    out), a number, a boolean, or a date or time as ISO text; nothing for None or empty text (as
    openpyxl writes them)."""
    kind = cell.__class__
    if cell is None or (kind is str and not cell):
        return ""
    if kind is bool:
        return f'<c r="{reference}" t="b"><v>{int(cell)}</v></c>'
    if kind is int or kind is Decimal or (kind is float and math.isfinite(cell)):
        return f'<c r="{reference}"><v>{cell}</v></c>'
    if kind is not str:
        cell = cell.isoformat() if isinstance(cell, datetime.date | datetime.time) else str(cell)
    text = _xml_text(safe_cell(ILLEGAL_CHARACTERS_RE.sub("", cell)))
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def xlsx_file(rows: Iterable[list], title: str):
    """ROWS as a one-sheet workbook named TITLE in a temporary file, positioned at its start (the
    file is deleted when closed). Cells are written as `to_xlsx` writes text and numbers (every text
    through `safe_cell`); dates and times become ISO text. The sheet's XML is written straight into
    the zip as the rows come, a chunk at a time (openpyxl's writer costs about ten times as much a
    cell), so memory stays constant however many rows there are."""
    target = tempfile.TemporaryFile()
    name = _xml_text(_SHEET_TITLE_FORBIDDEN.sub("-", title)[:31] or "Sheet1")
    letters: list[str] = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for part, content in _XLSX_PARTS.items():
            archive.writestr(part, content)
        archive.writestr("xl/workbook.xml", _XLSX_WORKBOOK.format(name=name))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_XLSX_SHEET_START.encode())
            number = 0
            for chunk in batched(rows, STREAM_CHUNK_ROWS):
                lines = []
                for row in chunk:
                    number += 1
                    while len(letters) < len(row):
                        letters.append(_column_letters(len(letters)))
                    cells = "".join([_xlsx_cell(f"{letters[index]}{number}", cell) for index, cell in enumerate(row)])
                    lines.append(f'<row r="{number}">{cells}</row>')
                sheet.write("".join(lines).encode("utf-8"))
            sheet.write(_XLSX_SHEET_END.encode())
    target.seek(0)
    return target


def stream(rows: Iterable[list], *, fmt: str, filename: str, title: str) -> StreamingHttpResponse:
    """ROWS as an attachment, like `download`, in constant memory: CSV is streamed as it is written
    (ROWS is consumed while the response is sent, so it may be a database cursor); a workbook is
    written to a temporary file first (a zip cannot be sent before it is complete) and then sent
    from it. Give ROWS from a `values_list(...).iterator()` query, not model instances."""
    if fmt == "xlsx":
        response = FileResponse(xlsx_file(rows, title), content_type=CONTENT_TYPES[fmt])
    elif fmt == "csv":
        response = StreamingHttpResponse(iter_csv(rows), content_type=CONTENT_TYPES[fmt])
    else:
        raise ValueError(f"Unknown spreadsheet format {fmt!r}; use 'csv' or 'xlsx'.")
    name = filename if filename.lower().endswith(f".{fmt}") else f"{filename}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response
