"""The rule for evidence uploads: which files are accepted, checked before anything is stored.

A file is accepted when its name is a plain file name (no folders), its extension is one of the
EVIDENCE_FILE_TYPES setting, it is not empty, not larger than EVIDENCE_MAX_BYTES, and its content
is what the extension says (a .pdf starts like a PDF, a .docx is a Word package, a .csv is text).
The content type served on download comes from this table, never from the uploader.
"""

import codecs
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError

SNIFF_BYTES = 64 * 1024


def _starts(*signatures: bytes):
    return lambda head, upload: any(head.startswith(signature) for signature in signatures)


def _office(folder: str):
    """An Office Open XML package (docx, xlsx, pptx): a zip with [Content_Types].xml and FOLDER."""

    def check(head: bytes, upload) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        names = _zip_names(upload)
        return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)

    return check


def _open_document(mimetype: str):
    """An OpenDocument package: a zip whose `mimetype` member names MIMETYPE."""

    def check(head: bytes, upload) -> bool:
        return head.startswith(b"PK\x03\x04") and mimetype.encode() in head[:100]

    return check


def _text(head: bytes, upload) -> bool:
    """UTF-8 (or plain ASCII) text without NUL bytes; a cut multi-byte character at the end of the
    sniffed part is allowed."""
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _zip_names(upload) -> set[str]:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()
    finally:
        upload.seek(0)


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    matches: object


FILE_TYPES = {
    "pdf": FileType("PDF", "application/pdf", _starts(b"%PDF-")),
    "docx": FileType(
        "Word document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _office("word/"),
    ),
    "xlsx": FileType(
        "Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _office("xl/")
    ),
    "pptx": FileType(
        "PowerPoint presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _office("ppt/"),
    ),
    "odt": FileType(
        "OpenDocument text",
        "application/vnd.oasis.opendocument.text",
        _open_document("application/vnd.oasis.opendocument.text"),
    ),
    "ods": FileType(
        "OpenDocument spreadsheet",
        "application/vnd.oasis.opendocument.spreadsheet",
        _open_document("application/vnd.oasis.opendocument.spreadsheet"),
    ),
    "csv": FileType("CSV file", "text/csv; charset=utf-8", _text),
    "txt": FileType("text file", "text/plain; charset=utf-8", _text),
    "png": FileType("PNG image", "image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    "jpg": FileType("JPEG image", "image/jpeg", _starts(b"\xff\xd8\xff")),
    "jpeg": FileType("JPEG image", "image/jpeg", _starts(b"\xff\xd8\xff")),
}


def accepted_extensions() -> list[str]:
    return list(settings.EVIDENCE_FILE_TYPES)


def size_text(number: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if number >= scale:
            return f"{number / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{number} bytes"


def check_upload(upload, name: str) -> FileType:
    """The FileType of UPLOAD (a Django UploadedFile or any file object with `size`, `read` and
    `seek`) named NAME, or ValidationError saying why it is refused. (Django's upload parser already
    drops folders from names it receives; the check here also covers files stored by other paths.)"""
    if not name or any(character in name for character in ("/", "\\", "\x00")) or name.strip(". ") == "":
        raise ValidationError(f"“{name}” is not a plain file name; give the file a name without folders.")
    if any(not character.isprintable() for character in name) or len(name) > 200:
        raise ValidationError("The file name has characters that cannot be shown, or is longer than 200 characters.")
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    allowed = accepted_extensions()
    if extension not in allowed or extension not in FILE_TYPES:
        shown = ", ".join(f".{kind}" for kind in allowed)
        raise ValidationError(
            f"Files {'of type .' + extension if extension else 'without an extension'} are not accepted; "
            f"upload one of {shown}."
        )
    size = upload.size
    if not size:
        raise ValidationError(f"“{name}” is empty.")
    if size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            f"“{name}” is {size_text(size)}; evidence files may be at most {size_text(settings.EVIDENCE_MAX_BYTES)}."
        )
    file_type = FILE_TYPES[extension]
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if not file_type.matches(head, upload):
        raise ValidationError(
            f"“{name}” does not contain a {file_type.label} as its .{extension} name says; "
            "check you chose the right file."
        )
    return file_type
