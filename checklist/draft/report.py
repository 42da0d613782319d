"""Read the closing table of an annual disclosure report (信息公开工作年度报告): items, departments, URLs.

Every report ends with the table of the 清单's items, the department that publishes each and the
column's address. The same table reaches us three ways, and each is read by its own structure:

- DOCX: the table itself (python-docx repeats a vertically merged cell's text in every row it spans);
- TXT (Word's "plain text" export, as the seed report): a row is a block of lines, each cell starts with
  a tab, a line without one continues the cell above as a new paragraph; merged cells come out empty;
- PDF: text lines with their positions; columns are told apart by the table's ruling lines (or, without
  them, by the header cells), rows by the item numbers "（N）".

All three give `RawRow`s, which one routine finishes: an empty department cell inherits the row above
(a merged cell), a URL broken across lines or pages is joined, the rows are matched to the 清单 by
their number and wording.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from checklist.draft.crawl import DraftError, registrable_domain
from checklist.draft.directory import split_departments
from checklist.draft.drafting import host_patterns, site_id_for, university_name
from checklist.draft.model import Candidate, Draft, ItemDraft
from checklist.draft.text import ItemMatcher
from checklist.model import Checklist

__all__ = ["RawRow", "draft_from_report", "read_report_rows"]

_ITEM_MARK = re.compile(r"^\s*[（(]\s*(\d{1,2})\s*[)）]")
_URL_START = re.compile(r"https?://", re.IGNORECASE)
_URL_PIECE = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_ROLE_WORDS = (
    ("wording", ("公开事项", "事项", "公开内容", "内容")),
    ("departments", ("部门", "单位")),
    ("url", ("网址", "链接", "网页", "公开途径", "途径", "地址", "url", "URL")),
    ("category", ("类别", "类")),
    ("number", ("序号",)),
)


@dataclass
class RawRow:
    """One row of the table as read, before merged cells and broken URLs are resolved."""

    wording: str
    departments: list[str] = field(default_factory=list)  # paragraphs of the department cell
    url_lines: list[str] = field(default_factory=list)  # paragraphs of the URL cell


def _roles(headers: Sequence[str]) -> dict[str, int]:
    """Header cell index of each role (wording, departments, url, …), from the header's words."""
    roles: dict[str, int] = {}
    for role, words in _ROLE_WORDS:
        for i, header in enumerate(headers):
            h = re.sub(r"\s+", "", header)
            if i not in roles.values() and any(w in h for w in words):
                roles.setdefault(role, i)
                break
    return roles


def _is_header(cells: Sequence[str]) -> bool:
    roles = _roles(cells)
    return "wording" in roles and ("url" in roles or "departments" in roles)


# ── TXT ──────────────────────────────────────────────────────────────────────────────────────────


def _txt_rows(text: str) -> list[list[list[str]]]:
    """Rows of cells of paragraphs, from Word's text export (cells start with a tab)."""
    rows: list[list[list[str]]] = []
    for block in re.split(r"\n[ \u3000]*\n", text.replace("\r\n", "\n")):  # a tab-only line is an empty cell
        cells: list[list[str]] = []
        for line in block.split("\n"):
            if line.startswith("\t") or (line[:1].isspace() and "\t" in line[:3]):
                cells.append([line.split("\t", 1)[1].strip()])
            elif cells:
                cells[-1].append(line.strip())
        if cells:
            rows.append([[p for p in cell if p] for cell in cells])
    return rows


def _rows_from_cells(grid: Iterable[Sequence[Sequence[str]]]) -> list[RawRow]:
    """Rows of cells (each a list of paragraphs) → RawRows, after the first header row; a repeated
    header (a table continued on the next page) is skipped, a row with no item number continues the row
    above (a row broken across pages)."""
    roles: dict[str, int] | None = None
    out: list[RawRow] = []
    for cells in grid:
        flat = [" ".join(c) for c in cells]
        if _is_header(flat):
            roles = _roles(flat)
            continue
        if roles is None:
            continue
        wording = "".join(_cell(cells, roles, "wording")).strip()
        if _ITEM_MARK.match(wording) or not out:
            if not wording:
                continue
            out.append(RawRow(wording, _cell(cells, roles, "departments"), _cell(cells, roles, "url")))
        else:
            prev = out[-1]
            prev.wording += wording
            prev.departments += _cell(cells, roles, "departments")
            prev.url_lines += _cell(cells, roles, "url")
    return out


def _cell(cells: Sequence[Sequence[str]], roles: dict[str, int], role: str) -> list[str]:
    i = roles.get(role)
    return list(cells[i]) if i is not None and i < len(cells) else []


# ── DOCX ─────────────────────────────────────────────────────────────────────────────────────────


def _docx_rows(path: Path) -> tuple[list[RawRow], str]:
    import docx  # noqa: PLC0415 - reading TXT never loads the PDF or DOCX reader
    from docx.opc.exceptions import PackageNotFoundError  # noqa: PLC0415 - reading TXT never loads the PDF or DOCX reader

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise DraftError(f"{path}: not a readable DOCX file ({type(exc).__name__})") from exc
    grid: list[list[list[str]]] = []
    for table in document.tables:
        for row in table.rows:
            cells: list[list[str]] = []
            previous = None
            for c in row.cells:
                if previous is not None and c._tc is previous:
                    continue  # a horizontally merged cell is one cell
                previous = c._tc
                lines = [ln.strip() for p in c.paragraphs for ln in p.text.split("\n")]
                cells.append([ln for ln in lines if ln])
            grid.append(cells)
    preamble = "\n".join(p.text for p in document.paragraphs[:20])
    return _rows_from_cells(grid), preamble


# ── PDF ──────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class _Line:
    page: int
    x0: float
    x1: float
    top: float  # distance from the page's top, so that reading order is increasing
    text: str


def _pdf_lines(path: Path) -> tuple[list[_Line], dict[int, list[float]]]:
    """The text lines of every page, and the x positions of each page's vertical rules."""
    from pdfminer.high_level import extract_pages  # noqa: PLC0415 - reading TXT never loads the PDF or DOCX reader
    from pdfminer.layout import LAParams, LTCurve, LTTextContainer, LTTextLine  # noqa: PLC0415 - reading TXT never loads the PDF or DOCX reader
    from pdfminer.pdfparser import PDFSyntaxError  # noqa: PLC0415 - reading TXT never loads the PDF or DOCX reader

    lines: list[_Line] = []
    rules: dict[int, list[float]] = {}
    try:
        for number, page in enumerate(extract_pages(str(path), laparams=LAParams(line_margin=0.2))):
            xs: list[float] = []
            stack: list[object] = [page]
            while stack:
                obj = stack.pop()
                if isinstance(obj, LTTextLine):
                    text = obj.get_text().strip()
                    if text:
                        lines.append(_Line(number, obj.x0, obj.x1, page.height - obj.y1, text))
                    continue
                if isinstance(obj, LTCurve) and not isinstance(obj, LTTextContainer):
                    if obj.height > 2 * max(obj.width, 0.5):
                        xs.append(round(obj.x0, 1))
                    elif obj.width > 4 and obj.height > 4:
                        xs.extend((round(obj.x0, 1), round(obj.x1, 1)))  # a cell drawn as a rectangle
                stack.extend(getattr(obj, "_objs", ()) or ())
            rules[number] = _cluster(xs)
    except (PDFSyntaxError, ValueError, TypeError, KeyError) as exc:
        raise DraftError(f"{path}: not a readable PDF ({type(exc).__name__})") from exc
    except Exception as exc:  # pdfminer raises its own hierarchy (PSEOF, PDFTextExtractionNotAllowed, …)
        if type(exc).__module__.startswith("pdfminer"):
            raise DraftError(f"{path}: not a readable PDF ({type(exc).__name__})") from exc
        raise
    return lines, rules


def _cluster(xs: list[float], gap: float = 3.0) -> list[float]:
    out: list[float] = []
    for x in sorted(xs):
        if not out or x - out[-1] > gap:
            out.append(x)
    return out


def _pdf_rows(path: Path) -> tuple[list[RawRow], str]:
    lines, rules = _pdf_lines(path)
    # The header: the first line naming the wording column, with its neighbours on the same baseline.
    columns: list[tuple[str, float, float]] = []  # role, left, right
    rows: list[RawRow] = []
    current: RawRow | None = None
    by_page: dict[int, list[_Line]] = {}
    for ln in lines:
        by_page.setdefault(ln.page, []).append(ln)
    for page in sorted(by_page):
        page_lines = sorted(by_page[page], key=lambda ln: (round(ln.top), ln.x0))
        header_top = None
        for ln in page_lines:
            same = [o for o in page_lines if abs(o.top - ln.top) < 4]
            texts = [o.text for o in sorted(same, key=lambda o: o.x0)]
            if _is_header(texts):
                header_top = ln.top
                columns = _pdf_columns(sorted(same, key=lambda o: o.x0), rules.get(page, []))
                break
        if not columns:
            continue
        for ln in page_lines:
            if header_top is not None and ln.top < header_top + 4:
                continue
            role = _role_at(columns, ln)
            if role == "wording" and _ITEM_MARK.match(ln.text):
                current = RawRow(ln.text)
                rows.append(current)
                continue
            if current is None or role is None:
                continue
            if role == "wording":
                current.wording += ln.text
            elif role == "departments":
                current.departments.append(ln.text)
            elif role == "url":
                current.url_lines.append(ln.text)
    preamble = "\n".join(ln.text for ln in sorted(lines, key=lambda ln: (ln.page, ln.top, ln.x0))[:20])
    return rows, preamble


def _pdf_columns(header: Sequence[_Line], rules: Sequence[float]) -> list[tuple[str, float, float]]:
    """Each role's horizontal span: between the ruling lines around its header cell, or, without
    rules, halfway to the neighbouring header cells."""
    roles = _roles([h.text for h in header])
    spans: list[tuple[str, float, float]] = []
    for role, index in roles.items():
        h = header[index]
        left = max((x for x in rules if x <= h.x0 + 1), default=None)
        right = min((x for x in rules if x >= h.x1 - 1), default=None)
        if left is None or right is None:
            prev = header[index - 1] if index > 0 else None
            nxt = header[index + 1] if index + 1 < len(header) else None
            left = (prev.x1 + h.x0) / 2 if prev else 0.0
            right = (h.x1 + nxt.x0) / 2 if nxt else 10_000.0
        spans.append((role, left, right))
    return spans


def _role_at(columns: Sequence[tuple[str, float, float]], ln: _Line) -> str | None:
    for role, left, right in columns:
        if left - 2 <= ln.x0 < right:
            return role
    return None


# ── all formats ──────────────────────────────────────────────────────────────────────────────────


def read_report_rows(path: Path) -> tuple[list[RawRow], str]:
    """The closing table's rows, from a TXT, PDF or DOCX report, and the report's opening text (which
    names the university); DraftError when there is no table."""
    if not path.is_file():
        raise DraftError(f"{path}: no such file")
    head = path.read_bytes()[:8]
    suffix = path.suffix.lower()
    if head.startswith(b"%PDF"):
        rows, preamble = _pdf_rows(path)
    elif head.startswith(b"PK") and suffix in (".docx", ".docm", ""):
        rows, preamble = _docx_rows(path)
    elif suffix in (".pdf", ".docx", ".doc"):
        raise DraftError(f"{path}: not a {suffix[1:].upper()} file (its content says otherwise)")
    else:
        raw = path.read_bytes()
        if b"\x00" in raw[:4096]:
            raise DraftError(f"{path}: not a report (binary content; give TXT, PDF or DOCX)")
        text = _decode(raw)
        rows, preamble = _rows_from_cells(_txt_rows(text)), text[:2000]
    if not rows:
        raise DraftError(f"{path}: no table of items, departments and URLs found (the report's closing table)")
    return rows, preamble


def _decode(raw: bytes) -> str:
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def _urls(lines: Sequence[str]) -> list[str]:
    """Addresses from a cell's lines: a line that does not start a new address continues the last."""
    urls: list[str] = []
    for raw in lines:
        line = unicodedata.normalize("NFKC", raw).strip()
        for piece in re.split(r"\s+", line):
            if not piece:
                continue
            if _URL_START.match(piece):
                urls.append(piece)
            elif urls and _URL_PIECE.match(piece):
                urls[-1] += piece
    return [u.rstrip("，。；;,") for u in urls]


def draft_from_report(path: Path, checklist: Checklist, *, site_id: str | None = None) -> Draft:
    """A catalogue draft from a report's closing table; DraftError if the file holds no such table."""

    rows, text = read_report_rows(path)
    matcher = ItemMatcher(checklist)
    by_number: dict[int, tuple[RawRow, float]] = {}
    inherited: list[str] = []
    for row in rows:
        departments = [d for p in row.departments for d in split_departments(p)] if row.departments else []
        if departments:
            inherited = departments
        else:
            departments = inherited  # a merged cell: the department above
        row.departments = list(departments)
        m = _ITEM_MARK.match(unicodedata.normalize("NFKC", row.wording))
        scores = matcher.scores(_ITEM_MARK.sub("", row.wording))
        number = int(m.group(1)) if m else None
        if number is None or number not in {it.number for it in checklist.items}:
            if not scores:
                continue
            number = max(scores, key=lambda k: scores[k])
        sure = 1.0 if m and scores.get(number, 0.0) >= 0.5 else max(0.3, scores.get(number, 0.0))
        if number not in by_number or sure > by_number[number][1]:
            by_number[number] = (row, sure)
    if len(by_number) < max(3, len(checklist.items) // 5):
        raise DraftError(f"{path}: no table of the 清单's items found (found {len(by_number)} item rows)")
    items: list[ItemDraft] = []
    all_urls: list[str] = []
    for it in checklist.items:
        found = by_number.get(it.number)
        if found is None:
            items.append(ItemDraft(it.number, it.wording, (), 0.0, (), (), "not in the report's table"))
            continue
        row, sure = found
        urls = _urls(row.url_lines)
        all_urls.extend(urls)
        label = _ITEM_MARK.sub("", row.wording).strip()
        chosen = tuple(Candidate(u, label, sure) for u in urls)
        note = "" if urls else "the report gives no address"
        if urls and sure < 1.0:
            note = "matched by wording, not by number"
        items.append(ItemDraft(it.number, it.wording, chosen, sure if urls else 0.0, (), tuple(row.departments), note))
    if not all_urls:
        raise DraftError(f"{path}: the table gives no web addresses")
    hosts = [urlsplit(u).hostname or "" for u in all_urls]
    main_host = max(set(hosts), key=hosts.count)
    domains = tuple(dict.fromkeys(registrable_domain(h) for h in hosts if h))
    home_m = re.search(r"网站?[（(]\s*(https?://[^\s）)]+)\s*[）)]", text)
    home = home_m.group(1) if home_m else f"{urlsplit(all_urls[0]).scheme}://{main_host}/"
    patterns = tuple(dict.fromkeys(p for d in domains for p in host_patterns(d)))
    named = tuple(dict.fromkeys(d for it in items for d in it.departments))
    return Draft(
        site_id=site_id or site_id_for(main_host),
        name=university_name(text) or main_host,
        home=home,
        allowed_hosts=patterns,
        checklist_version=checklist.version,
        source=str(path),
        items=tuple(items),
        departments=named,
    )
