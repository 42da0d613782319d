"""The text of each file type (PDF, DOCX, XLSX, XLS, HTML, plain text, a zip's listing), within bounds.

Every reader is bounded (characters, pages, rows, inflated size, time) and never raises on bad input: a
failure is a short ``error`` on the `AttachmentText`. Each imports its library when first called, so that
a worker loads only the readers for the file types it meets.
"""

from __future__ import annotations

import io
import logging
import re
import time
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from typing import Any

from spiders.attachments.charsets import decode_text, normalise_text
from spiders.attachments.sniff import OLE_MAGIC, FileKind

# pdfminer logs every odd operator at WARNING and its internals at DEBUG; on real budgets that is
# thousands of lines per night that say nothing to an auditor.
logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its modules' loggers inherit this


@dataclass(frozen=True)
class AttachmentText:
    """What could be read from one attachment."""

    kind: FileKind
    text: str  # normalised text, at most max_chars long
    pages: int | None  # PDF pages, workbook sheets; None where the format has no pages
    truncated: bool  # a bound was hit (chars, pages, rows, time); the text is a prefix
    error: str  # "" when the file was read; else a short reason a clerk can read

    @property
    def ok(self) -> bool:
        return not self.error


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


class _Collector:
    """Accumulates text up to a character bound so huge files stop early instead of filling memory."""

    def __init__(self, max_chars: int) -> None:
        # Normalisation shrinks text; collecting a margin over the bound keeps the result full-length.
        self.limit = max_chars * 2 + 1024
        self.parts: list[str] = []
        self.size = 0
        self.full = False

    def add(self, text: str) -> bool:
        """Add text; False once the bound is reached (the caller should stop)."""
        if self.full:
            return False
        if self.size + len(text) > self.limit:
            text = text[: self.limit - self.size]
            self.full = True
        self.parts.append(text)
        self.size += len(text)
        return not self.full

    def text(self) -> str:
        return "".join(self.parts)


def _result(
    kind: FileKind,
    raw: str,
    max_chars: int,
    *,
    pages: int | None = None,
    truncated: bool = False,
    error: str = "",
) -> AttachmentText:
    text = normalise_text(raw)
    if len(text) > max_chars:
        text, truncated = text[:max_chars], True
    return AttachmentText(kind=kind, text=text, pages=pages, truncated=truncated, error=error)


def _fail(kind: FileKind, error: str) -> AttachmentText:
    return AttachmentText(kind=kind, text="", pages=None, truncated=False, error=error)


def extract_text(
    body: bytes,
    kind: FileKind,
    *,
    max_chars: int = 2_000_000,
    max_pages: int = 200,
    max_uncompressed: int = 200 * 1024 * 1024,
    max_rows: int = 100_000,
    max_seconds: float = 30.0,
    charset: str = "",
) -> AttachmentText:
    """Read the text of an attachment of the given kind, within bounds; never raises on bad input.

    Bounds: `max_chars` of normalised text; `max_pages` PDF pages or workbook sheets; `max_rows`
    spreadsheet rows in all; `max_uncompressed` bytes inflated from a DOCX/XLSX zip or from a PDF's
    compressed content streams; `max_seconds` checked between PDF pages (pdfminer cannot be
    interrupted inside a page). `charset` is the HTTP-declared charset, used for TEXT and HTML.
    """
    if not body:
        return _fail(kind, "empty file")
    try:
        if kind == FileKind.PDF:
            return _pdf(body, max_chars, max_pages, max_uncompressed, max_seconds)
        if kind == FileKind.DOCX:
            return _docx(body, max_chars, max_uncompressed)
        if kind == FileKind.XLSX:
            return _xlsx(body, max_chars, max_pages, max_uncompressed, max_rows)
        if kind == FileKind.XLS:
            return _xls(body, max_chars, max_pages, max_rows)
        if kind == FileKind.HTML:
            return _html(body, max_chars, charset)
        if kind == FileKind.TEXT:
            return _text(body, max_chars, charset)
        if kind == FileKind.ZIP:
            return _zip_listing(body, max_chars)
        return _fail(kind, f"unsupported: {kind.value}")
    except MemoryError:
        return _fail(kind, "out of memory")
    except RecursionError:
        return _fail(kind, f"malformed {kind.value}: nested too deeply")
    except Exception as exc:  # noqa: BLE001 - untrusted input: any library failure is a finding, not a crash
        return _fail(kind, f"malformed {kind.value}: {type(exc).__name__}")


# --- PDF ---------------------------------------------------------------------------------------

_STREAM = re.compile(rb"stream\r?\n")
_CID = re.compile(r"\(cid:\d+\)")
_IMAGE_DICT = re.compile(rb"/Subtype\s*/Image")


def _pdf_inflated_size(body: bytes, limit: int) -> int:
    """Bytes pdfminer would inflate from Flate streams other than images, counted up to `limit`.

    pdfminer inflates a stream in one `zlib.decompress` call with no bound, so a small PDF can ask
    for gigabytes. Images are skipped: text extraction never decodes them, and scanned PDFs are
    legitimately huge once inflated.
    """
    total = 0
    for m in _STREAM.finditer(body):
        start = m.start()
        obj = body.rfind(b"obj", max(0, start - 4096), start)
        if _IMAGE_DICT.search(body, max(0, obj if obj >= 0 else start - 4096), start):
            continue
        d = zlib.decompressobj()
        pos = m.end()
        while pos < len(body) and total <= limit:
            try:
                total += len(d.decompress(body[pos : pos + 65536], limit + 1 - total))
            except zlib.error:
                break
            if d.eof:
                break
            if d.unconsumed_tail:
                break  # max_length reached: the total is already over the limit
            pos += 65536
        if total > limit:
            break
    return total


def _pdf(
    body: bytes, max_chars: int, max_pages: int, max_uncompressed: int, max_seconds: float
) -> AttachmentText:
    from pdfminer.converter import TextConverter  # noqa: PLC0415 - a worker loads a reader only for the file type it meets
    from pdfminer.layout import LAParams  # noqa: PLC0415 - a worker loads a reader only for the file type it meets
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect  # noqa: PLC0415 - a worker loads a reader only for the file type it meets
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager  # noqa: PLC0415 - a worker loads a reader only for the file type it meets
    from pdfminer.pdfpage import PDFPage  # noqa: PLC0415 - a worker loads a reader only for the file type it meets
    from pdfminer.pdfparser import PDFParser  # noqa: PLC0415 - a worker loads a reader only for the file type it meets
    from pdfminer.pdftypes import resolve1  # noqa: PLC0415 - a worker loads a reader only for the file type it meets

    kind = FileKind.PDF
    inflated = _pdf_inflated_size(body, max_uncompressed)
    if inflated > max_uncompressed:
        return _fail(kind, f"pdf bomb: over {_human(max_uncompressed)} uncompressed")
    deadline = time.monotonic() + max_seconds
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = PDFDocument(PDFParser(io.BytesIO(body)))
        except (PDFPasswordIncorrect, PDFEncryptionError):
            return _fail(kind, "encrypted")
        except Exception:  # noqa: BLE001
            return _fail(kind, "malformed pdf")
        total: int | None
        try:
            count = resolve1(resolve1(doc.catalog.get("Pages")).get("Count"))
            total = count if isinstance(count, int) and count >= 0 else None
        except Exception:  # noqa: BLE001 - the count is informative only
            total = None
        out = io.StringIO()
        rsrc = PDFResourceManager(caching=True)
        # Lines are kept (numbers in adjacent cells stay apart); boxes_flow=None skips the quadratic
        # grouping of text boxes into reading order, which a term search does not need.
        device = TextConverter(rsrc, out, laparams=LAParams(boxes_flow=None))
        interpreter = PDFPageInterpreter(rsrc, device)
        done = 0
        truncated = False
        error = ""
        # Restricted ("no copy") PDFs are still public disclosures: we read them regardless.
        pages: Iterator[Any] = PDFPage.create_pages(doc)
        try:
            for page in pages:
                if done >= max_pages or out.tell() > max_chars * 2 + 1024:
                    truncated = True
                    break
                if time.monotonic() > deadline:
                    truncated, error = True, f"timeout after {done} pages"
                    break
                interpreter.process_page(page)
                done += 1
        except (PDFPasswordIncorrect, PDFEncryptionError):
            return _fail(kind, "encrypted")
        except Exception:  # noqa: BLE001
            if done == 0:
                return _fail(kind, "malformed pdf")
            truncated, error = True, f"malformed pdf after page {done}"
        finally:
            device.close()
    if total is not None and done < total:
        truncated = True
    raw = out.getvalue()
    # pdfminer writes "(cid:123)" for glyphs whose font has no Unicode map (common in subset-embedded
    # Chinese fonts): noise to a term search, and a reason the text cannot be judged.
    cids = len(_CID.findall(raw))
    raw = _CID.sub("", raw)
    if not error and cids > sum(1 for c in raw if not c.isspace()):
        error = "unreadable text: fonts without a Unicode map"
    elif not error and done and not raw.strip():
        error = "no text layer (scanned?)"
    return _result(
        kind, raw, max_chars, pages=total if total is not None else done, truncated=truncated, error=error
    )


# --- zip containers ------------------------------------------------------------------------------

_MAX_MEMBERS = 10_000
_MAX_RATIO = 200
_RATIO_FLOOR = 1 << 20  # small parts compress absurdly well (runs of spaces) and cost nothing


def _open_zip(body: bytes, kind: FileKind, max_uncompressed: int) -> tuple[zipfile.ZipFile | None, str]:
    """Open a DOCX/XLSX container after checking its directory; (None, reason) when refused.

    The declared sizes can be trusted as bounds: Python's zipfile stops reading a member at its
    declared size and fails its CRC check, so a lying header cannot inflate more than it claims.
    """
    if body.startswith(OLE_MAGIC):
        # Office wraps password-protected OOXML in OLE2 (EncryptionInfo + EncryptedPackage).
        return None, "encrypted"
    try:
        zf = zipfile.ZipFile(io.BytesIO(body))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None, f"malformed {kind.value}"
    infos = zf.infolist()
    if len(infos) > _MAX_MEMBERS:
        zf.close()
        return None, f"zip bomb: {len(infos)} members"
    total = sum(i.file_size for i in infos)
    if total > max_uncompressed:
        zf.close()
        return None, f"zip bomb: {_human(total)} uncompressed"
    for info in infos:
        if info.file_size > _RATIO_FLOOR and info.file_size > _MAX_RATIO * max(info.compress_size, 1):
            zf.close()
            ratio = info.file_size // max(info.compress_size, 1)
            return None, f"zip bomb: {ratio}:1 compression in {info.filename[:60]}"
    if any(i.flag_bits & 0x1 for i in infos):
        zf.close()
        return None, "encrypted"
    return zf, ""


def _zip_listing(body: bytes, max_chars: int) -> AttachmentText:
    """A plain archive: its member names are evidence (e.g. '2018年预算.xlsx'); contents are not read."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            infos = zf.infolist()[:_MAX_MEMBERS]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return _fail(FileKind.ZIP, "malformed zip")
    names = []
    for info in infos:
        name = info.filename
        if not info.flag_bits & 0x800:  # no UTF-8 flag: Chinese archivers wrote GBK, zipfile read cp437
            try:
                name = name.encode("cp437").decode("gb18030")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
        names.append(name)
    return _result(FileKind.ZIP, "\n".join(names), max_chars, error="unsupported: zip")


# --- DOCX ----------------------------------------------------------------------------------------

_MAX_TABLE_DEPTH = 8


def _docx_blocks(container: Any, out: _Collector, depth: int) -> bool:
    """Paragraphs and tables in document order; a row's cells tab-separated. False when full."""
    from docx.table import Table  # noqa: PLC0415 - a worker loads a reader only for the file type it meets

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            if depth >= _MAX_TABLE_DEPTH:
                continue
            for row in block.rows:
                seen: set[int] = set()
                cells: list[str] = []
                for cell in row.cells:
                    # A merged cell is returned once per grid column it spans; read it once.
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    sub = _Collector(out.limit)
                    _docx_blocks(cell, sub, depth + 1)
                    cells.append(sub.text().strip().replace("\n", " "))
                if not out.add("\t".join(cells) + "\n"):
                    return False
            if not out.add("\n"):
                return False
        elif not out.add(block.text + "\n"):
            return False
    return True


def _docx(body: bytes, max_chars: int, max_uncompressed: int) -> AttachmentText:
    import docx  # noqa: PLC0415 - a worker loads a reader only for the file type it meets

    kind = FileKind.DOCX
    zf, reason = _open_zip(body, kind, max_uncompressed)
    if zf is None:
        return _fail(kind, reason)
    zf.close()
    try:
        document = docx.Document(io.BytesIO(body))
    except Exception:  # noqa: BLE001
        return _fail(kind, "malformed docx")
    out = _Collector(max_chars)
    complete = _docx_blocks(document, out, 0)
    return _result(kind, out.text(), max_chars, truncated=not complete)


# --- spreadsheets --------------------------------------------------------------------------------


def _cell(value: object) -> str:
    """One cell as text; integral floats lose their '.0' so 13800138000.0 reads as a phone number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == dtime(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, dtime)):
        return value.isoformat()
    return str(value)


def _row_text(values: Iterable[object]) -> str:
    cells = [_cell(v).replace("\n", " ").replace("\t", " ") for v in values]
    while cells and not cells[-1].strip():
        cells.pop()
    return "\t".join(cells)


def _xlsx(
    body: bytes, max_chars: int, max_sheets: int, max_uncompressed: int, max_rows: int
) -> AttachmentText:
    import openpyxl  # noqa: PLC0415 - a worker loads a reader only for the file type it meets

    kind = FileKind.XLSX
    zf, reason = _open_zip(body, kind, max_uncompressed)
    if zf is None:
        return _fail(kind, reason)
    zf.close()
    out = _Collector(max_chars)
    rows = 0
    truncated = False
    with warnings.catch_warnings():
        # openpyxl warns about styles, data validation and the like in files from other writers.
        warnings.simplefilter("ignore")
        try:
            wb = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001
            return _fail(kind, "malformed xlsx")
        try:
            sheets = wb.worksheets
            if len(sheets) > max_sheets:
                truncated = True
            for ws in sheets[:max_sheets]:
                if not out.add(f"{ws.title}\n"):
                    break
                # Read-only mode trusts the sheet's declared <dimension>, which many exporters get
                # wrong ("A1"): rows past it would be silently lost, leaks included.
                ws.reset_dimensions()
                for values in ws.iter_rows(values_only=True):
                    rows += 1
                    if rows > max_rows:
                        truncated = True
                        break
                    line = _row_text(values)
                    if line and not out.add(line + "\n"):
                        break
                if truncated or out.full or not out.add("\n"):
                    break
        finally:
            wb.close()
    return _result(kind, out.text(), max_chars, pages=len(wb.sheetnames), truncated=truncated or out.full)


def _xls(body: bytes, max_chars: int, max_sheets: int, max_rows: int) -> AttachmentText:
    import xlrd  # noqa: PLC0415 - a worker loads a reader only for the file type it meets

    kind = FileKind.XLS
    if not body.startswith(OLE_MAGIC):
        return _fail(kind, "malformed xls")
    out = _Collector(max_chars)
    rows = 0
    truncated = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # xlrd prints diagnostics to stdout unless given somewhere else to write them.
            book = xlrd.open_workbook(file_contents=body, on_demand=True, logfile=io.StringIO())
        except xlrd.XLRDError as exc:
            return _fail(kind, "encrypted" if "encrypt" in str(exc).lower() else "malformed xls")
        except Exception:  # noqa: BLE001
            return _fail(kind, "malformed xls")
        try:
            count = book.nsheets
            truncated = count > max_sheets
            for index in range(min(count, max_sheets)):
                sheet = book.sheet_by_index(index)
                if not out.add(f"{sheet.name}\n"):
                    break
                for r in range(sheet.nrows):
                    rows += 1
                    if rows > max_rows:
                        truncated = True
                        break
                    line = _row_text(sheet.row_values(r))
                    if line and not out.add(line + "\n"):
                        break
                book.unload_sheet(index)
                if truncated or out.full or not out.add("\n"):
                    break
        finally:
            book.release_resources()
    return _result(kind, out.text(), max_chars, pages=count, truncated=truncated or out.full)


# --- plain text ---------------------------------------------------------------------------------


def _text(body: bytes, max_chars: int, charset: str) -> AttachmentText:
    # Four bytes a character covers every encoding; cut at a line end so the strict decoders in
    # decode_text do not fail on half a character and fall back to the wrong charset.
    limit = max_chars * 4 + 4
    cut = len(body) > limit
    if cut:
        line_end = body.rfind(b"\n", 0, limit)
        body = body[: line_end + 1] if line_end > 0 else body[:limit]
    return _result(FileKind.TEXT, decode_text(body, charset), max_chars, truncated=cut)


# --- HTML ----------------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    }
)
_CELL_TAGS = frozenset({"td", "th"})
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def _html(body: bytes, max_chars: int, charset: str) -> AttachmentText:
    import lxml.etree  # noqa: PLC0415 - a worker loads a reader only for the file type it meets
    import lxml.html  # noqa: PLC0415 - a worker loads a reader only for the file type it meets

    kind = FileKind.HTML
    text = _XML_DECL.sub("", decode_text(body, charset))
    if not text.strip():
        return _result(kind, "", max_chars)
    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError):
        return _result(kind, "", max_chars)
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    # Line breaks at block boundaries and tabs between cells, so separate rows stay separate.
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            if tag != "br":
                el.text = "\n" + (el.text or "")
        elif tag in _CELL_TAGS:
            el.tail = "\t" + (el.tail or "")
    return _result(kind, root.text_content(), max_chars)
