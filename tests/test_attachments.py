"""Attachment sniffing and text extraction on real files built at test time.

Each file is generated with the library a department's office software would stand in for
(reportlab for PDF, python-docx, openpyxl, xlwt when installed), with Chinese content, so the
tests exercise the same parsers on the same structures the spider meets on disclosure sites.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
import zlib
from collections.abc import Callable

import pytest

from spiders.attachments import (
    AttachmentText,
    FileKind,
    extract_text,
    filename_from_content_disposition,
    normalise_text,
    sniff_kind,
)

BUDGET = "2018年部门预算 收支预算总表"
ID_NUMBER = "11010119900307803X"  # a valid GB 11643 check digit, the kind of leak the privacy rule hunts

# --- builders ------------------------------------------------------------------------------------


def make_pdf(pages: int = 2, password: str | None = None) -> bytes:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    enc = StandardEncryption(password, canPrint=0) if password else None
    c = canvas.Canvas(buf, encrypt=enc)
    for i in range(pages):
        c.setFont("STSong-Light", 14)
        c.drawString(72, 760, BUDGET)
        c.drawString(72, 730, f"第{i + 1}页 收入预算表 支出预算表")
        c.showPage()
    c.save()
    return buf.getvalue()


def make_raw_pdf(content: bytes, image: bytes | None = None) -> bytes:
    """A minimal hand-assembled PDF whose page content (and optional image) are Flate streams."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        + (b" /Resources << /XObject << /Im1 5 0 R >> >>" if image else b"")
        + b" >>",
    ]
    packed = zlib.compress(content, 9)
    objs.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream")
    if image is not None:
        packed_img = zlib.compress(image, 9)
        objs.append(
            b"<< /Type /XObject /Subtype /Image /Width 1000 /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Length %d /Filter /FlateDecode >>\nstream\n"
            % (len(image) // 1000, len(packed_img))
            + packed_img
            + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def make_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("2019年国家奖学金获奖学生名单公示", level=1)
    d.add_paragraph("经学院推荐，学校评审，现将名单公示如下。")
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [
            ("姓名", "学院", "身份证号"),
            ("张三", "材料学院", ID_NUMBER),
            ("李四", "土木学院", "110101********1234"),
        ]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    merged = d.add_table(rows=1, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "合并单元格"
    merged.cell(0, 2).text = "联系电话 010-62332312"
    d.add_paragraph("公示期：5个工作日。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def make_xlsx(sheets: dict[str, list[tuple[object, ...]]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


AID_SHEETS: dict[str, list[tuple[object, ...]]] = {
    "收支预算总表": [("项目", "金额（万元）"), ("一般公共预算拨款", 123456.78), ("事业收入", 98765)],
    "助学金名单": [("姓名", "电话", "备用电话"), ("王五", 13800138000, 13900139000)],
    "说明": [("本表数据截至2018年12月31日",)],
}


def add_member(body: bytes, name: str, data: bytes) -> bytes:
    """Append a part to an existing OOXML zip, as a crafted bomb would."""
    buf = io.BytesIO(body)
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(name, data)
    return buf.getvalue()


def fake_ole(*stream_names: str) -> bytes:
    """OLE2 magic and directory-entry names: enough for sniffing, not a readable document."""
    names = b"".join(n.encode("utf-16-le") + b"\x00\x00" for n in stream_names)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + names + b"\x00" * 512


# --- PDF -----------------------------------------------------------------------------------------


def test_pdf_chinese_cid_font_text_comes_out_fast() -> None:
    body = make_pdf(2)
    assert sniff_kind(body, "application/octet-stream") is FileKind.PDF
    extract_text(body, FileKind.PDF)  # the first call loads pdfminer's CMaps once per process
    start = time.perf_counter()
    result = extract_text(body, FileKind.PDF)
    elapsed = time.perf_counter() - start
    assert result.error == ""
    assert BUDGET in result.text
    assert "收入预算表" in result.text and "第2页" in result.text
    assert result.pages == 2 and not result.truncated
    assert elapsed < 0.1, f"2-page PDF took {elapsed * 1000:.0f} ms"


def test_pdf_page_and_char_bounds_mark_truncated() -> None:
    body = make_pdf(5)
    paged = extract_text(body, FileKind.PDF, max_pages=2)
    assert paged.truncated and paged.pages == 5
    assert "第2页" in paged.text and "第3页" not in paged.text
    short = extract_text(body, FileKind.PDF, max_chars=10)
    assert short.truncated and len(short.text) == 10 and short.text == normalise_text(BUDGET)[:10]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda b: b[: len(b) // 2],  # a download cut off half way
        lambda b: b"%PDF-1.7\n" + bytes(range(256)) * 40,  # header and noise
        lambda b: b[:9] + b"\x00" * 20000,
    ],
    ids=["truncated", "noise", "zeros"],
)
def test_malformed_pdf_is_an_error_not_an_exception(mangle: Callable[[bytes], bytes]) -> None:
    start = time.perf_counter()
    result = extract_text(mangle(make_pdf(3)), FileKind.PDF)
    assert result.error == "malformed pdf"
    assert result.text == ""
    assert time.perf_counter() - start < 2


def test_encrypted_pdf_says_so() -> None:
    result = extract_text(make_pdf(1, password="secret"), FileKind.PDF)
    assert result.error == "encrypted" and result.text == ""


def test_pdf_bomb_refused_but_large_images_are_not() -> None:
    content = b"BT ET " + b" " * (3 << 20)  # 3 MB of whitespace inflated from a few KB
    bomb = make_raw_pdf(content)
    refused = extract_text(bomb, FileKind.PDF, max_uncompressed=1 << 20)
    assert refused.error.startswith("pdf bomb") and "1.0 MB" in refused.error
    assert extract_text(bomb, FileKind.PDF).error == "no text layer (scanned?)"
    # A scanned page: a big image, never decoded for text, must not count against the bound.
    scan = make_raw_pdf(b"q 612 0 0 792 0 0 cm /Im1 Do Q", image=b"\x80" * (3 << 20))
    assert extract_text(scan, FileKind.PDF, max_uncompressed=1 << 20).error == "no text layer (scanned?)"


# --- DOCX ----------------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_order() -> None:
    result = extract_text(make_docx(), FileKind.DOCX)
    assert result.error == "" and result.pages is None
    text = result.text
    assert text.index("国家奖学金") < text.index("公示如下") < text.index("张三") < text.index("公示期")
    assert f"张三\t材料学院\t{ID_NUMBER}" in text.splitlines()
    assert text.count("合并单元格") == 1  # a merged cell is not repeated per grid column
    assert "010-62332312" in text


def test_docx_served_as_octet_stream_without_extension_is_sniffed() -> None:
    body = make_docx()
    url = "https://xxgk.example.edu.cn/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1&wbfileid=2"
    assert sniff_kind(body, "application/octet-stream", "", url) is FileKind.DOCX
    xlsx = make_xlsx({"Sheet": [("a",)]})
    assert sniff_kind(xlsx, "application/octet-stream", "", url) is FileKind.XLSX
    # A download cut short has no zip directory; the local headers still name the parts.
    assert sniff_kind(body[:-200], "application/octet-stream") is FileKind.DOCX


def test_docx_bomb_refused_before_parsing() -> None:
    bomb = add_member(make_docx(), "word/media/padding.bin", b"\x00" * (3 << 20))
    result = extract_text(bomb, FileKind.DOCX, max_uncompressed=2 << 20)
    assert result.error.startswith("zip bomb:") and "MB uncompressed" in result.error
    assert result.text == ""


def test_encrypted_ooxml_is_reported() -> None:
    body = fake_ole("EncryptionInfo", "EncryptedPackage")
    assert sniff_kind(body, filename="名单.docx") is FileKind.DOCX
    assert extract_text(body, FileKind.DOCX).error == "encrypted"


# --- spreadsheets --------------------------------------------------------------------------------


def test_xlsx_every_sheet_and_cells_kept_apart() -> None:
    result = extract_text(make_xlsx(AID_SHEETS), FileKind.XLSX)
    assert result.error == "" and result.pages == 3 and not result.truncated
    text = result.text
    for title in AID_SHEETS:
        assert title in text
    assert "一般公共预算拨款\t123456.78" in text
    assert "王五\t13800138000\t13900139000" in text  # integers read back without '.0'
    assert re.findall(r"1[3-9]\d{9}", text) == ["13800138000", "13900139000"]
    assert "2018年12月31日" in text


def test_xlsx_with_wrong_declared_dimension_is_read_whole() -> None:
    body = make_xlsx({"名单": [("姓名", "身份证号"), ("张三", ID_NUMBER)]})
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(body)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                # Exporters often declare "A1" whatever the size of the sheet.
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            dst.writestr(info, data)
    assert f"张三\t{ID_NUMBER}" in extract_text(buf.getvalue(), FileKind.XLSX).text


def test_xlsx_row_and_sheet_bounds() -> None:
    rows: list[tuple[object, ...]] = [(f"第{i}行", i) for i in range(500)]
    body = make_xlsx({"甲": rows, "乙": [("第二张表",)]})
    by_rows = extract_text(body, FileKind.XLSX, max_rows=100)
    assert by_rows.truncated and "第99行" in by_rows.text and "第100行" not in by_rows.text
    assert "第二张表" not in by_rows.text
    by_sheets = extract_text(body, FileKind.XLSX, max_pages=1)
    assert by_sheets.truncated and by_sheets.pages == 2 and "第二张表" not in by_sheets.text


def test_xlsx_bomb_by_size_and_by_ratio() -> None:
    base = make_xlsx(AID_SHEETS)
    by_size = extract_text(
        add_member(base, "xl/media/pad.bin", b"\x00" * (3 << 20)), FileKind.XLSX, max_uncompressed=2 << 20
    )
    assert by_size.error.startswith("zip bomb:") and "uncompressed" in by_size.error
    # Under the size bound, but one part inflates over 200:1: nothing legitimate does that at 8 MB.
    by_ratio = extract_text(add_member(base, "xl/worksheets/sheet9.xml", b"\x00" * (8 << 20)), FileKind.XLSX)
    assert re.fullmatch(r"zip bomb: \d+:1 compression in xl/worksheets/sheet9\.xml", by_ratio.error)


def test_xls_written_by_xlwt_is_read() -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    for title, rows in AID_SHEETS.items():
        sheet = book.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    buf = io.BytesIO()
    book.save(buf)
    body = buf.getvalue()
    # Kingsoft ET names its files .et; the bytes decide regardless of name or type.
    assert sniff_kind(body, "application/octet-stream", "名单.et") is FileKind.XLS
    assert sniff_kind(body) is FileKind.XLS
    result = extract_text(body, FileKind.XLS)
    assert result.error == "" and result.pages == 3
    assert "王五\t13800138000\t13900139000" in result.text  # xlrd's floats shown as integers
    assert "一般公共预算拨款\t123456.78" in result.text


def test_xls_and_doc_failures_are_reasons() -> None:
    assert extract_text(fake_ole("Workbook"), FileKind.XLS).error == "malformed xls"
    assert extract_text(b"not a workbook", FileKind.XLS).error == "malformed xls"
    doc = fake_ole("WordDocument", "1Table")
    assert sniff_kind(doc, "application/octet-stream") is FileKind.DOC
    assert extract_text(doc, FileKind.DOC) == AttachmentText(
        FileKind.DOC, "", None, False, "unsupported: doc"
    )


# --- HTML and plain text -------------------------------------------------------------------------


def test_html_gbk_declared_in_meta_tags_stripped_rows_apart() -> None:
    page = (
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'>"
        "<title>公示</title><style>p{color:red}</style><script>var x='隐藏';</script></head>"
        "<body><p>收费项目、收费依据、收费标准及投诉方式</p>"
        "<table><tr><td>赵六</td><td>13800138000</td></tr><tr><td>钱七</td><td>13900139000</td></tr></table>"
        "<p>投诉电话：010-62332312<br>邮箱：xxgk@ustb.edu.cn</p><!-- 注释 --></body></html>"
    ).encode("gbk")
    assert sniff_kind(page, "", "", "https://x.edu.cn/a.pdf") is FileKind.HTML  # a WAF page for a .pdf link
    result = extract_text(page, FileKind.HTML)
    lines = result.text.splitlines()
    assert "收费项目、收费依据、收费标准及投诉方式" in lines
    assert "赵六\t13800138000" in lines and "钱七\t13900139000" in lines
    assert "投诉电话：010-62332312" in lines and "邮箱：xxgk@ustb.edu.cn" in lines
    assert "隐藏" not in result.text and "color" not in result.text and "注释" not in result.text


@pytest.mark.parametrize(
    ("body", "charset"),
    [
        ("\ufeff<p>收支预算总表</p>".encode("utf-8"), "gbk"),  # the BOM beats a wrong header
        ("<p>收支预算总表</p>".encode("utf-16"), ""),
        ("<p>收支预算总表</p>".encode(), "iso-8859-1"),  # Tomcat's default, not the truth
        ("<p>收支预算总表</p>".encode("gb18030"), ""),  # no declaration at all
        ("<p>收支预算总表</p>".encode("gbk"), "utf-8"),  # declared wrongly
    ],
    ids=["bom", "utf16-bom", "weak-latin1", "undeclared-gbk", "wrong-utf8"],
)
def test_html_decoding(body: bytes, charset: str) -> None:
    assert extract_text(body, FileKind.HTML, charset=charset).text == "收支预算总表"


def test_text_bounded_and_normalised() -> None:
    body = ("第一行  \t 甲\u3000乙\r\n\r\n\r\n\r\n第二行\u200b\n" * 1000).encode("gb18030")
    result = extract_text(body, FileKind.TEXT)
    assert result.text.startswith("第一行\t甲 乙\n\n第二行\n第一行")
    short = extract_text(body, FileKind.TEXT, max_chars=50)
    assert short.truncated and len(short.text) == 50
    # A byte bound that falls inside a UTF-8 character must not turn the text into GB18030 mojibake.
    utf8 = ("收支预算总表" * 3 + "\n") * 100
    for max_chars in range(30, 60):
        cut = extract_text(utf8.encode(), FileKind.TEXT, max_chars=max_chars)
        assert cut.truncated and cut.text and normalise_text(utf8).startswith(cut.text)


# --- sniffing and names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "filename", "url", "expected"),
    [
        (b"\x00\x01binary", "application/vnd.ms-excel", "", "", FileKind.XLS),
        (b"\x00\x01binary", "application/octet-stream", "预算.PDF", "", FileKind.PDF),
        (b"\x00\x01binary", "", "", "https://x.edu.cn/files/2018%E5%B9%B4.docx?v=1", FileKind.DOCX),
        (b"\x00\x01binary", "", "", "https://x.edu.cn/download.jsp?id=1", FileKind.HTML),
        (b"\x00\x01binary", "application/octet-stream", "", "https://x.edu.cn/f", FileKind.OTHER),
        (b"plain words", "", "", "", FileKind.TEXT),
        (b"junk\n%PDF-1.4\n", "text/html", "a.html", "", FileKind.PDF),
        (b"", "", "", "", FileKind.OTHER),
        (b"\x89PNG\r\n\x1a\n", "application/msword", "扫描件.doc", "", FileKind.OTHER),
    ],
)
def test_sniff_kind_order(
    body: bytes, content_type: str, filename: str, url: str, expected: FileKind
) -> None:
    assert sniff_kind(body, content_type, filename, url) is expected


def test_plain_zip_lists_member_names_including_gbk_ones() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("2018年部门预算.xlsx", b"x")
        zf.writestr("XXXX.pdf", b"y")
    # Chinese archivers write GBK names without the UTF-8 flag; zipfile cannot, so patch the bytes.
    body = buf.getvalue().replace(b"XXXX.pdf", "名单.pdf".encode("gbk"))
    assert sniff_kind(body) is FileKind.ZIP
    result = extract_text(body, FileKind.ZIP)
    assert result.error == "unsupported: zip"
    assert result.text.splitlines() == ["2018年部门预算.xlsx", "名单.pdf"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("attachment; filename*=UTF-8''%E9%A2%84%E7%AE%97.pdf", "预算.pdf"),
        ("attachment; filename=\"fallback.pdf\"; filename*=utf-8'zh-cn'%E9%A2%84%E7%AE%97.pdf", "预算.pdf"),
        ("attachment; filename*=GBK''%D4%A4%CB%E3.xls", "预算.xls"),
        ("attachment; filename*=UTF-8''预算.pdf".encode().decode("latin-1"), "预算.pdf"),  # raw, unescaped
        ('attachment; filename="预算.xlsx"'.encode().decode("latin-1"), "预算.xlsx"),
        ('attachment; filename="预算.xlsx"'.encode("gbk").decode("latin-1"), "预算.xlsx"),
        ('attachment; filename="预算.xlsx"'.encode("gbk"), "预算.xlsx"),  # Scrapy hands over bytes
        ("attachment; filename=%E9%A2%84%E7%AE%97%202018.docx", "预算 2018.docx"),  # Java URLEncoder style
        ('attachment; filename="预算 (1).pdf"', "预算 (1).pdf"),
        ('attachment; filename="C:\\\\Users\\\\kj\\\\预算.pdf"', "预算.pdf"),
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ('inline; filename="unterminated.pdf', "unterminated.pdf"),
        ("attachment", ""),
        ("", ""),
    ],
)
def test_filename_from_content_disposition(header: str | bytes, expected: str) -> None:
    assert filename_from_content_disposition(header) == expected


# --- never raises ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(FileKind))
def test_garbage_of_every_kind_never_raises(kind: FileKind) -> None:
    garbage = b"PK\x03\x04" + bytes(range(256)) * 8
    result = extract_text(garbage, kind)
    assert result.kind is kind
    if kind not in (FileKind.TEXT, FileKind.HTML):
        assert result.error != ""
    assert extract_text(b"", kind).error == "empty file"
