"""The annual section as a 公文 draft, checked on a real audit: a loopback site whose column 44 publishes a
full 身份证号 is crawled and judged by `auditor run`, then `auditor annual` drafts the year; the DOCX is
opened with python-docx and lxml and checked as the office pasting it would: A4 and GB/T 9704 margins,
the East Asian fonts (w:eastAsia) in the styles and on every run, two-character indents, a header row
that repeats on each page, narrow short columns, and not one ID number or link to the leaking page.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from hostile import HostileServer, run_auditor, write_catalogue
from lxml import etree
from test_scope import COLUMN, ID_NUMBER, _routes

from reports.annual import BODY_FONT, HEADING1_FONT, HEADING2_FONT, TITLE_FONT

#: Any 18-character run that could be a 身份证号, and any 10-digit prefix a mask would show.
ID_LIKE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)|(?<!\d)\d{6}(?:19|20)\d{2}\*")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    tmp = tmp_path_factory.mktemp("annual")
    with HostileServer() as site:
        _routes(site, defects=True)
        urls: dict[int, str | list[str]] = {n: site.url("/other/") for n in range(1, 51)}
        urls.update({n: site.url(path) for n, path in COLUMN.items()})
        catalogue = write_catalogue(tmp / "leak.yaml", urls, site_id="leak")
        db = str(tmp / "audit.sqlite")
        ran = run_auditor(["run", "--site", str(catalogue), "--db", db, "--no-polite", "--as-of", "2018-11-30",
                           "--out", str(tmp / "out"), "--items", "43-46"], timeout=120, cwd=tmp)
        assert ran.returncode == 1, ran.stderr[-3000:]
    drafted = run_auditor(["annual", "--year", "2018-2019", "--site", str(catalogue), "--db", db,
                           "--out", str(tmp / "annual")], timeout=60, cwd=tmp)
    assert drafted.returncode == 0, drafted.stderr[-3000:]
    (path,) = (tmp / "annual").glob("*.docx")
    yield path


def _all_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels")))


def _doc(path: Path) -> DocxDocument:
    return Document(str(path))


def test_the_leak_is_found_in_the_run_the_draft_is_made_from(drafted: Path) -> None:
    findings = (drafted.parents[1] / "out" / "findings.json").read_text(encoding="utf-8")
    assert '"veto": true' in findings and "1101051990" in findings  # the clerk's copy shows the masked number


def test_no_id_number_and_no_link_to_the_leaking_page_anywhere_in_the_document(drafted: Path) -> None:
    whole = _all_xml(drafted)  # body, tables, footers, relationships
    assert ID_NUMBER not in whole and not ID_LIKE.search(whole)
    assert "c44/2.htm" not in whole and "/xwxk/c44/" not in whole  # neither the page nor its column
    assert "张三" not in whole  # no name from the leaked list
    text = "\n".join(p.text for p in _doc(drafted).paragraphs)
    assert "第44项" in text and "页面或附件含未脱敏的个人身份信息" in text and "单项否决" in text
    row44 = next(r for r in _doc(drafted).tables[0].rows if r.cells[2].text.startswith("（44）"))
    assert row44.cells[4].text.startswith("不合格（单项否决）")


def test_the_page_is_a4_with_gb_t_9704_margins(drafted: Path) -> None:
    section = _doc(drafted).sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.cm, 1) for m in margins if m is not None] == [3.7, 3.5, 2.8, 2.6]


def _east_asian(rpr: etree._Element | None) -> str | None:
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_styles_are_our_own_with_the_east_asian_fonts(drafted: Path) -> None:
    doc = _doc(drafted)
    expected = {"公文标题": TITLE_FONT, "公文一级标题": HEADING1_FONT, "公文二级标题": HEADING2_FONT,
                "公文正文": BODY_FONT, "公文表格": BODY_FONT}
    for name, font in expected.items():
        rpr = doc.styles[name].element.rPr
        fonts = rpr.find(qn("w:rFonts"))
        assert (fonts.get(qn("w:eastAsia")), fonts.get(qn("w:ascii")), fonts.get(qn("w:hAnsi"))) == (font,) * 3
        assert not [a for a in fonts.attrib if a.endswith("Theme")]  # a theme font would win over ours
    defaults = doc.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    assert _east_asian(defaults) == BODY_FONT
    used = {p.style.name for p in doc.paragraphs if p.style is not None}
    assert used <= set(expected)  # no built-in (blue) Heading style
    assert doc.styles["公文正文"].font.size.pt == 16 and doc.styles["公文标题"].font.size.pt == 22
    # The fallbacks are named in the font table for machines without the first choice.
    with zipfile.ZipFile(drafted) as z:
        table = etree.fromstring(z.read("word/fontTable.xml"))
    alt = {f.get(qn("w:name")): f.find(qn("w:altName")).get(qn("w:val"))
           for f in table.findall(qn("w:font")) if f.find(qn("w:altName")) is not None}
    assert alt[BODY_FONT] == "仿宋_GB2312" and alt[HEADING2_FONT] == "楷体_GB2312" and alt[TITLE_FONT] == "宋体"


def test_every_run_carries_its_east_asian_font(drafted: Path) -> None:
    doc = _doc(drafted)
    runs = doc.element.body.iter(qn("w:r"))
    missing = [("".join(r.itertext()))[:20] for r in runs if _east_asian(r.find(qn("w:rPr"))) is None]
    assert not missing
    body = [p for p in doc.paragraphs if p.style is not None and p.style.name == "公文正文"
            and p.alignment != WD_ALIGN_PARAGRAPH.CENTER]  # the centred draft note is in 楷体
    assert len(body) >= 4 and all(_east_asian(r._r.rPr) == BODY_FONT for p in body for r in p.runs)
    cells = [r for row in doc.tables[0].rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert cells and {_east_asian(r._r.rPr) for r in cells} == {BODY_FONT}
    assert {r.font.size.pt for r in cells if r.font.size is not None} == {10.5}  # smaller than the body


def test_body_and_headings_indent_their_first_line_by_two_characters(drafted: Path) -> None:
    doc = _doc(drafted)
    for p in doc.paragraphs:
        if p.style is not None and p.style.name in ("公文正文", "公文一级标题", "公文二级标题") and p.text.strip():
            if p.alignment == WD_ALIGN_PARAGRAPH.CENTER:  # the centred draft note
                continue
            ind = p._p.pPr.find(qn("w:ind"))
            assert ind is not None and ind.get(qn("w:firstLineChars")) == "200", p.text[:20]
            assert ind.get(qn("w:firstLine")) == str(2 * 16 * 20)  # 2 characters of 三号 in twips
    style_ind = doc.styles["公文正文"].element.pPr.find(qn("w:ind"))
    assert style_ind.get(qn("w:firstLineChars")) == "200"


def test_the_table_repeats_its_header_and_fits_its_columns(drafted: Path) -> None:
    table = _doc(drafted).tables[0]
    header = table.rows[0]._tr
    assert header.trPr is not None and header.trPr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr is None or r._tr.trPr.find(qn("w:tblHeader")) is None for r in table.rows[1:])
    widths = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert len(widths) == 5 and widths[0] < widths[3] < widths[2]  # 序号 narrow, 公开事项 wide
    assert sum(widths) <= 15.6 / 2.54 * 1440 + 5  # within the 156 mm 版心
    assert [c.text for c in table.rows[0].cells] == ["序号", "类别", "公开事项", "负责部门", "检查结果"]
    assert not any("http" in c.text for row in table.rows for c in row.cells)  # no address printed in full
