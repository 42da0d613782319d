"""What a downloaded body is, as far as text extraction is concerned.

Magic bytes first, then the Content-Type, then the file or URL extension: servers lie (博达 VSB sends DOCX
as application/octet-stream from an extension-less ``download.jsp``; a WAF challenge page may arrive for a
``.pdf`` link). Zip and OLE2 containers are opened far enough to tell a document from a workbook.
"""

from __future__ import annotations

import enum
import io
import posixpath
import re
import zipfile
from urllib.parse import urlsplit

from spiders.attachments.charsets import strip_bom


class FileKind(enum.StrEnum):
    """What a body is, as far as text extraction is concerned."""

    PDF = "pdf"
    DOCX = "docx"  # also .docm/.dotx and Kingsoft .wpsx: Office Open XML word processing
    DOC = "doc"  # Word 97-2003 and Kingsoft WPS (.wps): OLE2 with a WordDocument stream
    XLSX = "xlsx"  # also .xlsm: Office Open XML spreadsheet
    XLS = "xls"  # Excel 97-2003 and Kingsoft ET (.et): OLE2 with a Workbook stream
    TEXT = "text"
    HTML = "html"
    ZIP = "zip"  # any other zip archive
    OTHER = "other"


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # the second is an empty archive
# Formats with no text for us, recognised so a misleading ".doc" name or type cannot send them on.
_OTHER_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",
    b"{\\rtf",
    b"%!PS",
    b"BM",
)

_EXTENSIONS: dict[str, FileKind] = {
    "pdf": FileKind.PDF,
    "docx": FileKind.DOCX,
    "docm": FileKind.DOCX,
    "dotx": FileKind.DOCX,
    "wpsx": FileKind.DOCX,
    "doc": FileKind.DOC,
    "dot": FileKind.DOC,
    "wps": FileKind.DOC,
    "xlsx": FileKind.XLSX,
    "xlsm": FileKind.XLSX,
    "xltx": FileKind.XLSX,
    "xls": FileKind.XLS,
    "xlt": FileKind.XLS,
    "et": FileKind.XLS,
    "txt": FileKind.TEXT,
    "csv": FileKind.TEXT,
    "htm": FileKind.HTML,
    "html": FileKind.HTML,
    "shtml": FileKind.HTML,
    "xhtml": FileKind.HTML,
    "jsp": FileKind.HTML,
    "asp": FileKind.HTML,
    "aspx": FileKind.HTML,
    "php": FileKind.HTML,
    "zip": FileKind.ZIP,
}

_CONTENT_TYPES: dict[str, FileKind] = {
    "application/pdf": FileKind.PDF,
    "application/x-pdf": FileKind.PDF,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": FileKind.DOCX,
    "application/vnd.ms-word.document.macroenabled.12": FileKind.DOCX,
    "application/msword": FileKind.DOC,
    "application/vnd.ms-works": FileKind.DOC,
    "application/kswps": FileKind.DOC,
    "application/wps-office.wps": FileKind.DOC,
    "application/wps-office.doc": FileKind.DOC,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": FileKind.XLSX,
    "application/vnd.ms-excel.sheet.macroenabled.12": FileKind.XLSX,
    "application/vnd.ms-excel": FileKind.XLS,
    "application/x-msexcel": FileKind.XLS,
    "application/kset": FileKind.XLS,
    "application/wps-office.et": FileKind.XLS,
    "application/wps-office.xls": FileKind.XLS,
    "text/plain": FileKind.TEXT,
    "text/csv": FileKind.TEXT,
    "text/html": FileKind.HTML,
    "application/xhtml+xml": FileKind.HTML,
    "application/zip": FileKind.ZIP,
    "application/x-zip-compressed": FileKind.ZIP,
}

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.IGNORECASE | re.DOTALL
)


def sniff_kind(body: bytes, content_type: str = "", filename: str = "", url: str = "") -> FileKind:
    """Decide what a body is: magic bytes first, then the Content-Type, then the file/URL extension.

    Bytes come first because servers lie: VSB sends DOCX as application/octet-stream from an
    extension-less ``download.jsp``, and a WAF challenge page may arrive for a ``.pdf`` link.
    `filename` is the name from Content-Disposition (see `filename_from_content_disposition`).
    """
    head = body[:1024]
    hint = _kind_from_hints(content_type, filename, url)
    if b"%PDF-" in head:  # the spec tolerates junk before the header
        return FileKind.PDF
    if head.startswith(_ZIP_MAGIC):
        return _sniff_zip(body, hint)
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(body, hint)
    if head.startswith(_OTHER_MAGIC):
        return FileKind.OTHER
    if _HTML_START.match(strip_bom(head)):
        return FileKind.HTML
    if hint is not None:
        return hint
    if body and b"\x00" not in head:
        return FileKind.TEXT
    return FileKind.OTHER


def _kind_from_hints(content_type: str, filename: str, url: str) -> FileKind | None:
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in _CONTENT_TYPES:
        return _CONTENT_TYPES[mime]
    for name in (filename, urlsplit(url).path if url else ""):
        ext = posixpath.splitext(name.replace("\\", "/").rstrip("/").lower())[1].lstrip(".")
        if ext in _EXTENSIONS:
            return _EXTENSIONS[ext]
    return None


def _sniff_zip(body: bytes, hint: FileKind | None) -> FileKind:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        # A truncated download has no central directory, but local headers still carry the names.
        names = {
            n.decode("latin-1")
            for n in re.findall(rb"(word/document\.xml|xl/workbook\.xml)", body[: 1 << 20])
        }
    if "word/document.xml" in names:
        return FileKind.DOCX
    if "xl/workbook.xml" in names:
        return FileKind.XLSX
    if hint in (FileKind.DOCX, FileKind.XLSX) and "[Content_Types].xml" in names:
        return hint
    return FileKind.ZIP


# Directory entry names in an OLE2 file are UTF-16LE; searching for them is the fallback when olefile
# is absent, and it is enough to tell a Word stream from a workbook stream.
_OLE_WORD = "WordDocument".encode("utf-16-le")
_OLE_BOOKS = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))
_OLE_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")


def _ole_streams(body: bytes) -> set[str] | None:
    try:
        import olefile  # noqa: PLC0415 - a worker loads a reader only for the file type it meets
    except ImportError:
        return None
    try:
        ole = olefile.OleFileIO(io.BytesIO(body))
    except Exception:  # noqa: BLE001 - any parse failure just means "no stream names"
        return None
    try:
        return {"/".join(path) for path in ole.listdir(streams=True, storages=False)}
    except Exception:  # noqa: BLE001
        return None
    finally:
        ole.close()


def _sniff_ole(body: bytes, hint: FileKind | None) -> FileKind:
    streams = _ole_streams(body)
    if streams is not None:
        if "EncryptedPackage" in streams and hint in (FileKind.DOCX, FileKind.XLSX):
            return hint  # a password-protected DOCX/XLSX is an OLE wrapper; extract_text says "encrypted"
        if "WordDocument" in streams:
            return FileKind.DOC
        if "Workbook" in streams or "Book" in streams:
            return FileKind.XLS
    else:
        if _OLE_ENCRYPTED_OOXML in body and hint in (FileKind.DOCX, FileKind.XLSX):
            return hint
        if _OLE_WORD in body:
            return FileKind.DOC
        if any(b in body for b in _OLE_BOOKS):
            return FileKind.XLS
    if hint in (FileKind.DOC, FileKind.XLS):
        return hint
    if hint == FileKind.DOCX:
        return FileKind.DOC
    if hint == FileKind.XLSX:
        return FileKind.XLS
    return FileKind.OTHER
