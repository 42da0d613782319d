"""Render the sample site and its manifest from `description.py`, reproducibly.

Run `python -m samplesite.build` after changing the description; the output (`site/` and
`manifest.yaml`) is committed, so serving it needs no generation step. Every byte is a function
of the description: PDFs are written with reportlab's invariant mode, and the zip members of DOCX
and XLSX files get fixed timestamps, so a rebuild produces identical files.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from auditor.models import PageKind
from samplesite import description as d
from samplesite import furniture
from samplesite.description import Article, Attachment, Column, FileKind, Style
from samplesite.furniture import Frame, Link, Shell, short_title
from samplesite.manifest import (
    FORMAT,
    MANIFEST_PATH,
    SITE_ROOT,
    Download,
    Expected,
    FileRecord,
    ItemRecord,
    ListEntry,
    Manifest,
    Outcome,
    Role,
    UrlRecord,
    dump,
    guess_content_type,
)

DEFAULT_LAST_MODIFIED = datetime(2018, 11, 28, 8, 0, tzinfo=UTC)
_BEIJING = timedelta(hours=8)
_FIXED_ZIP_TIME = (2018, 1, 1, 0, 0, 0)
_FIXED_DOC_TIME = datetime(2018, 1, 1, 0, 0, 0)
MAIN = f"http://{d.MAIN_HOST}"
ATTACH_DIR = "_attachments"  # under site/, outside every host folder: only download.jsp serves it


def _utc(published: str) -> datetime:
    """A Beijing-time 'YYYY-MM-DD HH:MM:SS' as an aware UTC datetime (for Last-Modified)."""
    return datetime.fromisoformat(published).replace(tzinfo=UTC) - _BEIJING


def _e(text: str) -> str:
    return html.escape(text, quote=True)


# ---------------------------------------------------------------- page furniture


def _shell(col: Column) -> Shell:
    if col.style is Style.VSB:
        return Shell.VSB
    if col.style is Style.WEBPLUS:
        return Shell.WEBPLUS
    return Shell.PLAIN


def _on_site(col: Column) -> list[tuple[int, Article]]:
    """The articles of a column that have a detail page on an allowed host (not WeChat), newest first."""
    if col.style not in (Style.VSB, Style.WEBPLUS, Style.TABLE, Style.CNLIST):
        return []
    return [(i, a) for i, a in enumerate(col.articles) if not a.offsite_url and a.day]


def _latest(col: Column) -> tuple[Link, ...]:
    """The 最新公开 sidebar of a column's pages: the newest articles of the site from other columns."""
    rows = sorted(
        (
            (a.published, url, a)
            for c in d.COLUMNS
            if c.item != col.item
            for i, a in _on_site(c)
            for url in (_article_url(c, i, a),)
        ),
        key=lambda r: (r[0], r[1]),
        reverse=True,
    )
    return tuple(Link(a.title, url, a.day) for _, url, a in rows[: d.SIDEBAR_SIZE])


def _frame(col: Column, url: str, title: str, *, article: bool = False) -> Frame:
    """The furniture of a column's page (its list, article or empty page) or of one of its articles."""
    return Frame(
        shell=_shell(col),
        url=url,
        title=title,
        category=(col.category, dict(d.CATEGORIES)[col.category]),
        column=Link(col.name, col.url),
        siblings=tuple(Link(c.name, c.url) for c in d.COLUMNS if c.category == col.category),
        latest=_latest(col),
        article=article,
        gbk=col.encoding != "utf-8",
    )


def _nav_page(url: str, title: str, content: str, category: tuple[str, str] | None = None) -> str:
    """A navigation page (home, category index, guide): the plain template, no column furniture."""
    return furniture.page(Frame(Shell.PLAIN, url, title, category=category), content)


# ---------------------------------------------------------------- the builder


@dataclass
class _Build:
    root: Path
    files: dict[str, FileRecord] = field(default_factory=dict)
    urls: list[UrlRecord] = field(default_factory=list)
    downloads: list[Download] = field(default_factory=list)

    def write(self, rel: str, data: bytes, modified: datetime, charset: str = "") -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.files[rel] = FileRecord(rel, modified, guess_content_type(rel), charset)

    def page(self, host: str, url_path: str, text: str, modified: datetime, encoding: str = "utf-8") -> None:
        rel = f"{host}{url_path}"
        if rel.endswith("/"):
            rel += "index.html"
        gbk = encoding != "utf-8"
        # GBK pages declare their charset only in <meta>: the header gets none
        self.write(rel, text.encode(encoding), modified, "" if gbk else "utf-8")

    def url(self, record: UrlRecord) -> None:
        self.urls.append(record)


def _article_url(col: Column, index: int, art: Article) -> str:
    """The absolute URL of the detail page of the `index`-th newest article of a column."""
    if art.offsite_url:
        return art.offsite_url
    serial = 5000 + col.item * 40 + (len(col.articles) - index)  # newer articles get larger ids
    if art.host:
        return f"http://{art.host}/info/{col.col_id}/{serial}.htm"
    if col.style is Style.VSB:
        return f"{MAIN}/info/{col.col_id}/{serial}.htm"
    if col.style is Style.WEBPLUS:
        day = art.day
        assert day is not None
        return f"{MAIN}/{day:%Y}/{day:%m%d}/c{col.col_id}a{serial}/page.htm"
    return f"{MAIN}{col.path}content_{serial}.htm"


def _attachment_url(col: Column, index: int, number: int, att: Attachment) -> tuple[str, int]:
    """The URL of an article's `number`-th attachment and, for VSB, its wbfileid (0 otherwise)."""
    if col.style is Style.VSB:
        wbfileid = col.col_id * 1000 + index * 10 + number
        q = f"urltype=news.DownloadAttachUrl&owner={col.col_id}&wbfileid={wbfileid}"
        return f"{MAIN}/system/_content/download.jsp?{q}", wbfileid
    if col.style is Style.WEBPLUS:
        h = hashlib.sha1(att.stem.encode()).hexdigest()
        return f"{MAIN}/_upload/article/files/{h[:2]}/{h[2:4]}/{h[4:36]}.{att.kind.value}", 0
    return f"{MAIN}/uploads/2018/{att.stem}.{att.kind.value}", 0


def _body_html(col: Column, index: int, art: Article, attach_links: list[tuple[str, Attachment]]) -> str:
    paras = list(art.body)
    if index == 0 and col.cite_wording:
        # real columns open by citing the 清单 item they answer; it also states the required content
        paras.insert(
            0, f"根据《{d.QINGDAN.title}》第{col.item}项“{d.QINGDAN.item(col.item).wording}”的要求，现予公开。"
        )
    out = [f"<p>{_e(p)}</p>" for p in paras]
    if art.table:
        head, *rows = art.table
        cells = "".join(f"<th>{_e(c)}</th>" for c in head)
        body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
        out.append(f'<table class="gs" border="1" cellspacing="0"><tr>{cells}</tr>{body}</table>')
    for link in art.links:
        out.append(f'<p><a href="{_e(link.url)}" target="_blank">{_e(link.text)}</a></p>')
    if col.style is Style.WEBPLUS:
        for url, att in attach_links:
            path = url.removeprefix(MAIN)
            if att.embedded:
                out.append(
                    f"<div class='wp_pdf_player' style='width:100%;height:800px;' pdfsrc='{_e(path)}'"
                    f" sudyfile-attr=\"{{'title':'{_e(att.name)}'}}\"></div>"
                )
            else:
                out.append(
                    f"<p><a href='{_e(path)}' sudyfile-attr=\"{{'title':'{_e(att.name)}'}}\">"
                    f"<span>{_e(att.name)}</span></a></p>"
                )
    elif col.style is not Style.VSB:
        for url, att in attach_links:
            out.append(f'<p>附件：<a href="{_e(url.removeprefix(MAIN))}">{_e(att.name)}</a></p>')
    return "\n".join(out)


def _neighbours(col: Column, index: int) -> tuple[Link | None, Link | None]:
    """The newer and the older on-site article of the same column (上一条, 下一条)."""
    rows = _on_site(col)
    at = [i for i, _ in rows].index(index)

    def link(pos: int) -> Link | None:
        if not 0 <= pos < len(rows):
            return None
        i, a = rows[pos]
        return Link(a.title, _article_url(col, i, a), a.day)

    return link(at - 1), link(at + 1)


def _detail_html(col: Column, index: int, art: Article, attach_links: list[tuple[str, Attachment]]) -> str:
    body = _body_html(col, index, art, attach_links)
    url = _article_url(col, index, art)
    serial = url.rstrip("/").split("/")[-1].split(".")[0]
    frame = _frame(col, url, art.title, article=True)
    pager = furniture.prev_next(frame, *_neighbours(col, index))
    if col.style is Style.VSB:
        attach = ""
        if attach_links:
            lis = "".join(
                f'<li>附件【<a href="{_e(url.removeprefix(MAIN))}" target="_blank">{_e(att.name)}</a>】'
                f'已下载<span id="nattach{url.rsplit("=", 1)[1]}">12</span>次</li>'
                for url, att in attach_links
            )
            attach = f'<ul style="list-style-type:none;">{lis}</ul>'
        content = (
            '<form name="_newscontent_fromname">\n'
            f'<div class="content_t"><h1>{_e(art.title)}</h1>\n'
            f'<div class="content_time">发布时间：{art.published}&nbsp;&nbsp;&nbsp;点击数：'
            f'<script>_showDynClicks("wbnews", {col.col_id}, {serial})</script></div></div>\n'
            f'<div id="vsb_content"><div class="v_news_content">\n{body}\n</div></div>\n{attach}\n{pager}\n</form>'
        )
    elif col.style is Style.WEBPLUS:
        article_id = serial.split("a")[-1] if "a" in serial else serial
        content = (
            '<div class="article" frag="窗口3" portletmode="simpleArticleAttri">\n'
            f'<h1 class="arti_title">{_e(art.title)}</h1>\n'
            f'<p class="arti_metas"><span class="arti_update">发布时间：{art.published[:10]}</span>'
            f'<span class="arti_views">浏览次数：<span class="WP_VisitCount">{len(art.title) * 37}</span></span></p>\n'
            f'<div class="entry"><div class="read"><div class=\'wp_articlecontent\'>\n{body}\n</div></div></div>\n'
            f"{pager}\n<!-- articleId={article_id} --></div>"
        )
    else:
        content = _handmade_article(col, art, body, pager)
    return furniture.page(frame, content)


def _handmade_article(col: Column, art: Article, body: str, pager: str = "") -> str:
    if not art.published:
        dateline = ""
    elif col.style is Style.CNLIST:
        day = art.day
        assert day is not None
        dateline = f'<div class="info">时间：{day.year}年{day.month:02d}月{day.day:02d}日</div>\n'
    else:
        dateline = (
            f'<div class="info">发布日期：{art.published[:10]} &nbsp; 浏览次数：{len(art.title) * 13}</div>\n'
        )
    return (
        f'<div class="article">\n<h2>{_e(art.title)}</h2>\n{dateline}<div class="content">\n{body}\n</div>\n'
        + (f"{pager}\n" if pager else "")
        + "</div>"
    )


def _list_items(col: Column, page_url: str, rows: list[tuple[int, Article]]) -> str:
    """The entries of one list page in the column's markup."""
    out = []
    for n, (index, art) in enumerate(rows):
        url = _article_url(col, index, art)
        day = art.day
        assert day is not None
        if col.style is Style.VSB:
            href = url if not url.startswith(MAIN) else _relative(page_url, url)
            out.append(
                f'<li id="line_u6_{n}"><a href="{_e(href)}" target="_blank" title="{_e(art.title)}">'
                f"{_e(art.title)}</a><span>{day:%Y-%m-%d}</span></li>"
            )
        elif col.style is Style.WEBPLUS:
            href = url.removeprefix(MAIN)
            if col.item % 2:
                out.append(
                    f'<li class="news n{n + 1} clearfix"><span class="news_title"><a href=\'{_e(href)}\' '
                    f"target='_blank' title='{_e(art.title)}'>{_e(short_title(art.title))}</a></span>"
                    f'<span class="news_meta">{day:%Y-%m-%d}</span></li>'
                )
            else:
                out.append(
                    f'<li class="list_item i{n + 1}"><div class="fields pr_fields">'
                    f"<span class='Article_Index'>{n + 1}</span><span class='Article_Title'>"
                    f"<a href='{_e(href)}' target='_blank' title='{_e(art.title)}'>{_e(short_title(art.title))}</a>"
                    f"</span></div><div class=\"fields ex_fields\"><span class='Article_PublishDate'>"
                    f"{day:%Y-%m-%d}</span></div></li>"
                )
        elif col.style is Style.TABLE:
            href = url if not url.startswith(MAIN) else _relative(page_url, url)
            out.append(
                f'<tr><td class="bt"><a href="{_e(href)}" target="_blank">{_e(art.title)}</a></td>'
                f'<td class="sj" align="right">[{day:%Y-%m-%d}]</td></tr>'
            )
        else:
            href = url if not url.startswith(MAIN) else _relative(page_url, url)
            out.append(
                f'<li><a href="{_e(href)}" target="_blank">{_e(art.title)}</a>'
                f'<span class="time">{day.year}年{day.month:02d}月{day.day:02d}日</span></li>'
            )
    return "\n".join(out)


def _relative(base: str, target: str) -> str:
    """A relative href as hand-made and VSB pages write them (../../info/...)."""
    b = base.removeprefix(MAIN).split("/")[1:-1]
    t = target.removeprefix(MAIN).split("/")[1:]
    common = 0
    while common < min(len(b), len(t) - 1) and b[common] == t[common]:
        common += 1
    rel = "../" * (len(b) - common) + "/".join(t[common:])
    assert urljoin(base, rel) == target, (base, rel, target)
    return rel


def _pages(col: Column) -> list[list[tuple[int, Article]]]:
    rows = list(enumerate(col.articles))
    return [rows[i : i + col.page_size] for i in range(0, len(rows), col.page_size)] or [[]]


def _list_page_url(col: Column, page_no: int, pages: int) -> str:
    if col.style is Style.VSB:
        # VSB numbers later pages in reverse: page 2 of 3 is 2.htm, the last page is 1.htm
        return col.url if page_no == 1 else f"{col.url}{pages - page_no + 1}.htm"
    if col.style is Style.WEBPLUS:
        return f"{col.url}list.htm" if page_no == 1 else f"{col.url}list{page_no}.htm"
    return col.url


def _pager(col: Column, page_no: int, pages: int, total: int) -> str:
    if col.style is Style.VSB:

        def link(n: int) -> str:
            if n == 1:
                return f"../{col.slug}/"  # as VSB writes ../yw.htm for the first page
            return _relative(_list_page_url(col, page_no, pages), _list_page_url(col, n, pages))

        nums = "".join(
            f'<span class="p_no_d">{n}</span>'
            if n == page_no
            else f'<span class="p_no"><a href="{link(n)}">{n}</a></span>'
            for n in range(1, pages + 1)
        )
        prev = (
            f'<span class="p_first p_fun"><a href="{link(1)}">首页</a></span>'
            f'<span class="p_prev p_fun"><a href="{link(page_no - 1)}">上页</a></span>'
            if page_no > 1
            else '<span class="p_first_d p_fun_d">首页</span><span class="p_prev_d p_fun_d">上页</span>'
        )
        nxt = (
            f'<span class="p_next p_fun"><a href="{link(page_no + 1)}">下页</a></span>'
            f'<span class="p_last p_fun"><a href="{link(pages)}">尾页</a></span>'
            if page_no < pages
            else '<span class="p_next_d p_fun_d">下页</span><span class="p_last_d p_fun_d">尾页</span>'
        )
        return (
            '<div class="pb_sys_common pb_sys_short2 pb_sys_style4">'
            f'<span class="p_t">共{total}条</span> <span class="p_pages">{prev}{nums}{nxt}</span> '
            f'<span class="p_t">{page_no}/{pages}</span></div>'
        )
    if col.style is Style.WEBPLUS:

        def href(n: int) -> str:
            return _list_page_url(col, n, pages).removeprefix(MAIN)

        prev = (
            f'<a class="prev" href="{href(page_no - 1)}" target="_self"><span>&lt;&lt;上一页</span></a>'
            if page_no > 1
            else '<a class="prev" href="javascript:void(0);" target="_self"><span>&lt;&lt;上一页</span></a>'
        )
        nxt = (
            f'<a class="next" href="{href(page_no + 1)}" target="_self"><span>下一页&gt;&gt;</span></a>'
            if page_no < pages
            else '<a class="next" href="javascript:void(0);" target="_self"><span>下一页&gt;&gt;</span></a>'
        )
        return (
            '<div id="wp_paging_w6"><ul class="wp_paging clearfix"><li class="pages_count">'
            f'<span class="per_page">每页&nbsp;<em class="per_count">{col.page_size}</em>&nbsp;记录&nbsp;</span>'
            f'<span class="all_count">总共&nbsp;<em class="all_count">{total}</em>&nbsp;记录&nbsp;</span></li>'
            f'<li class="page_nav"><a class="first" href="{href(1)}" target="_self"><span>第一页</span></a>{prev}{nxt}'
            f'<a class="last" href="{href(pages)}" target="_self"><span>尾页</span></a></li>'
            f'<li class="page_jump"><span class="pages">页码&nbsp;<em class="curr_page">{page_no}</em>/'
            f'<em class="all_pages">{pages}</em></span></li></ul></div>'
        )
    return ""


def _list_html(col: Column, page_no: int, pages: int, rows: list[tuple[int, Article]]) -> str:
    page_url = _list_page_url(col, page_no, pages)
    items = _list_items(col, page_url, rows)
    pager = _pager(col, page_no, pages, len(col.articles))
    if col.style is Style.VSB:
        inner = f'<div class="list_box"><h2 class="lm_name">{_e(col.name)}</h2>\n<ul class="list">\n{items}\n</ul>\n{pager}</div>'
    elif col.style is Style.WEBPLUS:
        ul = "news_list list2" if col.item % 2 else "wp_article_list"
        inner = (
            '<div class="col_news_list listcon">\n<div frag="窗口6" portletmode="simpleList">'
            f'<div id="wp_news_w6">\n<ul class="{ul}">\n{items}\n</ul>\n</div>\n{pager}</div>\n</div>'
        )
    elif col.style is Style.TABLE:
        inner = f'<div class="lmcontent"><h3>{_e(col.name)}</h3>\n<table class="newslist" width="100%">\n{items}\n</table></div>'
    else:
        inner = f'<div class="lmcontent"><h3>{_e(col.name)}</h3>\n<ul class="list">\n{items}\n</ul></div>'
    return furniture.page(_frame(col, page_url, col.name), inner)


def _newest(arts: Iterable[Article]) -> datetime:
    stamps = [_utc(a.published) for a in arts if a.published]
    return max(stamps) if stamps else DEFAULT_LAST_MODIFIED


# ---------------------------------------------------------------- binary attachments


def _normalise_zip(data: bytes) -> bytes:
    """Fixed member timestamps and document dates, so DOCX/XLSX rebuild byte for byte."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                blob = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?", b"2018-01-01T00:00:00Z", blob)
            member = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, blob)
    return out.getvalue()


def _pdf(att: Attachment) -> bytes:
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415 - build-time only (reportlab is a test dependency)
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415 - build-time only (reportlab is a test dependency)
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: PLC0415 - build-time only (reportlab is a test dependency)
    from reportlab.pdfgen import canvas  # noqa: PLC0415 - build-time only (reportlab is a test dependency)

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(att.name.rsplit(".", 1)[0])
    y = 800.0
    for row in att.rows:
        for cell in row:
            c.setFont("STSong-Light", 12)
            c.drawString(60, y, cell)
            y -= 22
        y -= 8
    c.showPage()
    c.save()
    return buf.getvalue()


def _docx(att: Attachment) -> bytes:
    import docx  # noqa: PLC0415 - build-time only (reportlab is a test dependency)

    doc = docx.Document()
    doc.core_properties.created = _FIXED_DOC_TIME
    doc.core_properties.modified = _FIXED_DOC_TIME
    doc.core_properties.last_printed = _FIXED_DOC_TIME
    doc.add_heading(att.rows[0][0], level=1)
    for row in att.rows[1:]:
        for cell in row:
            doc.add_paragraph(cell)
    buf = io.BytesIO()
    doc.save(buf)
    return _normalise_zip(buf.getvalue())


def _xlsx(att: Attachment) -> bytes:
    import openpyxl  # noqa: PLC0415 - build-time only (reportlab is a test dependency)

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    for row in att.rows:
        ws.append(list(row))  # strings, so 18-digit numbers keep every digit as Excel users type them
    wb.properties.created = _FIXED_DOC_TIME
    wb.properties.modified = _FIXED_DOC_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise_zip(buf.getvalue())


def render_attachment(att: Attachment) -> bytes:
    return {FileKind.PDF: _pdf, FileKind.DOCX: _docx, FileKind.XLSX: _xlsx}[att.kind](att)


# ---------------------------------------------------------------- columns


def _emit_details(b: _Build, col: Column, list_urls: dict[int, str]) -> None:
    """Detail pages, their attachments and extra links, with their manifest rows."""
    gbk = col.encoding != "utf-8"
    for index, art in enumerate(col.articles):
        url = _article_url(col, index, art)
        parent = list_urls.get(index, col.url)
        if art.offsite_url:
            _emit_wechat(b, art, url)
            b.url(
                UrlRecord(
                    url, Role.LINKED, Outcome.OFFSITE, 200, items=(col.item,), title=art.title, parent=parent
                )
            )
            continue
        attach_links = _emit_attachments(b, col, index, art, url)
        host = url.split("/")[2]
        path = "/" + url.split("/", 3)[3]
        b.page(host, path, _detail_html(col, index, art, attach_links), _newest([art]), col.encoding)
        b.url(
            UrlRecord(
                url,
                Role.DETAIL,
                Outcome.OK,
                200,
                items=(col.item,),
                kind=PageKind.ARTICLE,
                content_type="text/html",
                charset="" if gbk else "utf-8",
                encoding=col.encoding,
                title=art.title,
                published=art.day,
                parent=parent,
            )
        )
        _emit_links(b, col, art, url)


def _emit_attachments(
    b: _Build, col: Column, index: int, art: Article, page_url: str
) -> list[tuple[str, Attachment]]:
    links = []
    for number, att in enumerate(art.attachments, start=1):
        url, wbfileid = _attachment_url(col, index, number, att)
        links.append((url, att))
        ctype = guess_content_type(att.name)
        if att.broken:
            b.url(
                UrlRecord(
                    url,
                    Role.ATTACHMENT,
                    Outcome.NOT_FOUND,
                    404,
                    items=(col.item,),
                    filename=att.name,
                    parent=page_url,
                )
            )
            continue
        data = render_attachment(att)
        modified = _newest([art])
        if wbfileid:
            rel = f"{ATTACH_DIR}/{wbfileid}.{att.kind.value}"
            b.write(rel, data, modified)
            b.downloads.append(Download(col.col_id, wbfileid, rel, att.name))
        else:
            b.write(f"{d.MAIN_HOST}{url.removeprefix(MAIN)}", data, modified)
        if wbfileid:
            ctype = "application/octet-stream"  # VSB's download.jsp: the type is only in the file name
        b.url(
            UrlRecord(
                url,
                Role.ATTACHMENT,
                Outcome.OK,
                200,
                items=(col.item,),
                kind=PageKind.FILE,
                content_type=ctype,
                filename=att.name,
                phrase=att.phrase,
                parent=page_url,
            )
        )
    return links


def _emit_links(b: _Build, col: Column, art: Article, page_url: str) -> None:
    for link in art.links:
        b.url(
            UrlRecord(
                link.url,
                Role.LINKED,
                Outcome(link.outcome),
                link.status,
                items=(col.item,),
                title=link.text,
                trap=link.trap,
                parent=page_url,
            )
        )


def _emit_wechat(b: _Build, art: Article, url: str) -> None:
    day = art.day
    assert day is not None
    text = (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{_e(art.title)}</title></head>\n<body>\n'
        f'<div id="js_article"><h2 class="rich_media_title" id="activity-name">{_e(art.title)}</h2>\n'
        f'<em id="publish_time">{day:%Y-%m-%d}</em> <span id="js_name">北京科技大学研究生院</span>\n'
        f'<div class="rich_media_content" id="js_content"><p>{_e(art.title)}已经学位评定分委员会审议通过，现予公布。</p></div>'
        "</div>\n</body></html>\n"
    )
    b.page(d.WEIXIN_HOST, "/" + url.split("/", 3)[3], text, _newest([art]))


def _emit_column(b: _Build, col: Column) -> None:
    gbk = col.encoding != "utf-8"
    charset = "" if gbk else "utf-8"
    items = (col.item,)
    if col.style is Style.MISSING:
        b.url(UrlRecord(col.url, Role.CATALOGUE, Outcome.NOT_FOUND, 404, items=items))
        return
    if col.style is Style.WAF:
        b.url(UrlRecord(col.url, Role.CATALOGUE, Outcome.WAF, 412, items=items))
        return
    if col.style is Style.BLANK:
        content = f'<div class="lmcontent"><h3>{_e(col.name)}</h3>\n<p class="empty">暂无内容</p></div>'
        b.page(d.MAIN_HOST, col.path, furniture.page(_frame(col, col.url, col.name), content), DEFAULT_LAST_MODIFIED)
        b.url(
            UrlRecord(
                col.url,
                Role.CATALOGUE,
                Outcome.OK,
                200,
                items=items,
                kind=PageKind.EMPTY,
                content_type="text/html",
                charset=charset,
                encoding=col.encoding,
            )
        )
        return
    if col.style is Style.ARTICLE:
        art = col.articles[0]
        path = col.moved_to or col.path
        final = f"{MAIN}{path}"
        body = _body_html(col, 0, art, [])
        b.page(
            d.MAIN_HOST,
            path,
            furniture.page(_frame(col, final, art.title), _handmade_article(col, art, body)),
            _newest([art]),
        )
        moved = bool(col.moved_to)
        b.url(
            UrlRecord(
                col.url,
                Role.CATALOGUE,
                Outcome.REDIRECT if moved else Outcome.OK,
                200,
                items=items,
                redirects=(f"301 {final}",) if moved else (),
                final_url=final if moved else "",
                transient=col.transient,
                kind=PageKind.ARTICLE,
                content_type="text/html",
                charset=charset,
                encoding=col.encoding,
                title=art.title,
                published=art.day,
            )
        )
        _emit_links(b, col, art, final)
        return
    pages = _pages(col)
    list_urls: dict[int, str] = {}
    for page_no, rows in enumerate(pages, start=1):
        page_url = _list_page_url(col, page_no, len(pages))
        for index, _ in rows:
            list_urls[index] = page_url
        b.page(
            d.MAIN_HOST,
            page_url.removeprefix(MAIN),
            _list_html(col, page_no, len(pages), rows),
            _newest(a for _, a in rows),
            col.encoding,
        )
        entries = tuple(
            ListEntry(a.title, _article_url(col, i, a), a.day) for i, a in rows if a.day is not None
        )
        common: dict[str, Any] = {
            "kind": PageKind.LIST,
            "content_type": "text/html",
            "charset": charset,
            "encoding": col.encoding,
            "entries": entries,
            "title": col.name,
        }
        if page_no > 1:
            b.url(UrlRecord(page_url, Role.LIST, Outcome.OK, 200, items=items, parent=col.url, **common))
        elif col.style is Style.WEBPLUS:
            # WebPlus columns live at list.htm; the catalogue URL redirects there
            b.url(
                UrlRecord(
                    col.url,
                    Role.CATALOGUE,
                    Outcome.REDIRECT,
                    200,
                    items=items,
                    redirects=(f"302 {page_url}",),
                    final_url=page_url,
                    **common,
                )
            )
        else:
            b.url(
                UrlRecord(
                    col.url, Role.CATALOGUE, Outcome.OK, 200, items=items, transient=col.transient, **common
                )
            )
    _emit_details(b, col, {i: u for i, u in list_urls.items()})


# ---------------------------------------------------------------- hosts and navigation


_CSS = (
    b"body{font-family:SimSun,serif;font-size:14px}.nav li{display:inline;margin:0 8px}.footer{color:#666}\n"
)


def _nav_record(url: str, title: str = "", outcome: Outcome = Outcome.OK, status: int = 200) -> UrlRecord:
    """A furniture target: the site's page, serving no item."""
    html_page = status == 200
    return UrlRecord(
        url,
        Role.NAVIGATION,
        outcome,
        status,
        content_type="text/html" if html_page else "",
        charset="utf-8" if html_page else "",
        encoding="utf-8" if html_page else "",
        title=title,
    )


def _emit_navigation(b: _Build) -> None:
    by_cat: dict[str, list[Column]] = {}
    for col in d.COLUMNS:
        by_cat.setdefault(col.category, []).append(col)
    blocks = []
    for slug, name in d.CATEGORIES:
        cols = by_cat[slug]
        links = "".join(f'<li><a href="{c.path}">（{c.item}）{_e(c.name)}</a></li>' for c in cols)
        blocks.append(
            f'<div class="ml_block"><h3><a href="/xinxigongkaimulu/{slug}/">{_e(name)}</a></h3><ul>{links}</ul></div>'
        )
        url = f"{MAIN}/xinxigongkaimulu/{slug}/"
        cat_html = _nav_page(
            url,
            name,
            f'<div class="lmcontent"><h3>{_e(name)}</h3>\n<ul class="columns">{links}</ul></div>',
            category=(slug, name),
        )
        b.page(d.MAIN_HOST, f"/xinxigongkaimulu/{slug}/", cat_html, DEFAULT_LAST_MODIFIED)
        b.url(_nav_record(url, name))
    home = _nav_page(
        f"{MAIN}/", "首页", '<div class="xxgkml"><h2>信息公开目录</h2>\n' + "\n".join(blocks) + "\n</div>"
    )
    b.page(d.MAIN_HOST, "/", home, DEFAULT_LAST_MODIFIED)
    b.url(_nav_record(f"{MAIN}/", "北京科技大学信息公开网"))
    # the header's two standing pages, and the footer's stale 网站地图 link (the site's broken link)
    guide = _nav_page(
        furniture.GUIDE_URL,
        "信息公开指南",
        '<div class="article"><h2>北京科技大学信息公开指南</h2><div class="content">'
        "<p>本指南说明学校主动公开信息的分类、编排体系、获取方式和依申请公开的办理程序。</p></div></div>",
    )
    b.page(d.MAIN_HOST, "/xxgkzn.htm", guide, DEFAULT_LAST_MODIFIED)
    b.url(_nav_record(furniture.GUIDE_URL, "信息公开指南"))
    apply = _nav_page(
        furniture.APPLY_URL,
        "依申请公开",
        '<div class="article"><h2>依申请公开</h2><div class="content">'
        "<p>公民、法人和其他组织可以书面形式向学校信息公开办公室申请获取相关信息。</p></div></div>",
    )
    b.page(d.MAIN_HOST, "/ysqgk.htm", apply, DEFAULT_LAST_MODIFIED)
    b.url(_nav_record(furniture.APPLY_URL, "依申请公开"))
    b.url(_nav_record(furniture.SITEMAP_URL, outcome=Outcome.NOT_FOUND, status=404))
    b.write(f"{d.MAIN_HOST}/css/style.css", _CSS, DEFAULT_LAST_MODIFIED)
    # the page robots.txt keeps the crawl out of (linked from item 5)
    private = _nav_page(
        f"{MAIN}/private/plan.htm",
        "规划编制工作底稿",
        '<div class="article"><h2>规划编制工作底稿（内部）</h2><div class="content"><p>内部讨论稿，请勿外传。</p></div></div>',
    )
    b.page(d.MAIN_HOST, "/private/plan.htm", private, DEFAULT_LAST_MODIFIED)

    moe = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>中华人民共和国教育部政府门户网站</title></head>\n<body><h1>中华人民共和国教育部</h1><p>教育部政府门户网站</p></body></html>\n'
    b.page(d.MOE_HOST, "/", moe, DEFAULT_LAST_MODIFIED)
    b.url(
        UrlRecord(
            f"http://{d.MOE_HOST}/",
            Role.NAVIGATION,
            Outcome.OFFSITE,
            200,
            content_type="text/html",
            charset="utf-8",
            encoding="utf-8",
        )
    )
    grad_url = f"http://{d.GRAD_HOST}/"
    grad = _nav_page(
        grad_url,
        "北京科技大学研究生招生网",
        '<div class="lmcontent"><h3>研究生招生网</h3><p>欢迎报考北京科技大学研究生。</p></div>',
    )
    b.page(d.GRAD_HOST, "/", grad, DEFAULT_LAST_MODIFIED)
    b.url(_nav_record(grad_url, "北京科技大学研究生招生网"))
    wx = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>微信公众平台</title></head><body><p>微信公众平台</p></body></html>\n'
    b.page(d.WEIXIN_HOST, "/", wx, DEFAULT_LAST_MODIFIED)

    _emit_university(b)
    robots = {
        d.UNIVERSITY_HOST: "User-agent: *\nDisallow:\n",
        d.MAIN_HOST: "User-agent: *\nDisallow: /private/\n",
        d.GRAD_HOST: "User-agent: *\nDisallow:\n",
        d.MOE_HOST: "User-agent: *\nDisallow: /srcsite/A02/\n",
        d.WEIXIN_HOST: "User-agent: *\nDisallow:\n",
    }
    for host, text in robots.items():
        b.write(f"{host}/robots.txt", text.encode(), DEFAULT_LAST_MODIFIED, "utf-8")


def _university_page(title: str, main: str) -> str:
    """A page of the university's own portal: another CMS than the disclosure site's, its menu on top."""
    nav = "".join(f'<li><a href="{href}">{_e(label)}</a></li>' for label, href in (
        ("首页", "/"), ("学校概况", "/xxjj/"), ("新闻网", "/xwzx/"), ("公共服务", "/ggfw/")))
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{_e(title)}</title></head>\n<body>'
        f'<div class="header"><ul class="nav">{nav}</ul></div>\n<div class="main">{main}</div>\n'
        f'<div class="footer"><a href="http://{d.MOE_HOST}/">教育部</a> 版权所有 北京科技大学 {d.ADDRESS}</div>'
        "</body></html>\n"
    )


def _emit_university(b: _Build) -> None:
    """The university's home page: no direct link to the disclosure site, which 公共服务 lists (two clicks).
    Deeper pages (news articles, the 校历) and other hosts (图书馆) are never read by the home-page check."""
    www = f"http://{d.UNIVERSITY_HOST}"
    pages = {
        "/": ("北京科技大学", ('<div class="banner"><h2>求实鼎新</h2></div><div class="news"><h3>新闻</h3><ul>'
              '<li><a href="/xwzx/1.htm">学校召开2018年秋季学期教学工作会议</a><span>2018-11-26</span></li>'
              '<li><a href="/xwzx/2.htm">我校在全国大学生创新大赛中获奖</a><span>2018-11-20</span></li></ul></div>')),
        "/xxjj/": ("学校简介", "<h2>学校简介</h2><p>北京科技大学1952年由天津大学、清华大学等6所国内著名大学的矿冶系科组建而成。</p>"),
        "/xwzx/": ("新闻网", ('<h2>新闻</h2><ul><li><a href="/xwzx/1.htm">学校召开2018年秋季学期教学工作会议</a>'
                   "<span>2018-11-26</span></li></ul>")),
        "/xwzx/1.htm": ("学校召开2018年秋季学期教学工作会议", "<h2>学校召开2018年秋季学期教学工作会议</h2><p>11月26日，学校召开教学工作会议。</p>"),
        "/xwzx/2.htm": ("我校在全国大学生创新大赛中获奖", "<h2>我校在全国大学生创新大赛中获奖</h2><p>我校学生团队获一等奖。</p>"),
        "/ggfw/": ("公共服务", ("<h2>公共服务</h2><ul>"
                   f'<li><a href="http://{d.MAIN_HOST}/">信息公开网</a></li>'
                   '<li><a href="http://lib.ustb.edu.cn/">图书馆</a></li><li><a href="/ggfw/xl.htm">校历</a></li></ul>')),
    }
    for path, (title, main) in pages.items():
        b.page(d.UNIVERSITY_HOST, path, _university_page(title, main), DEFAULT_LAST_MODIFIED)
        b.url(UrlRecord(www + path, Role.HOME, Outcome.OK, 200, content_type="text/html", charset="utf-8",
                        encoding="utf-8", title=title, parent="" if path == "/" else www + "/"))


def _item_records() -> tuple[ItemRecord, ...]:
    out = []
    for col in sorted(d.COLUMNS, key=lambda c: c.item):
        e = col.expect
        out.append(
            ItemRecord(
                col.item,
                col.name,
                col.url,
                col.style.value,
                col.defect,
                Expected(e.overall, e.presence, e.freshness, e.content, e.links, e.privacy),
                category=col.category,
                cross=col.cross.value if col.cross else "",
            )
        )
    return tuple(out)


def build(root: Path = SITE_ROOT, manifest_path: Path = MANIFEST_PATH) -> Manifest:
    """Render everything from scratch into `root` and write the manifest; return it."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    b = _Build(root)
    _emit_navigation(b)
    for col in d.COLUMNS:
        _emit_column(b, col)
    seen: set[str] = set()
    urls = []
    for u in b.urls:
        if u.url in seen:
            raise ValueError(f"URL described twice: {u.url}")
        seen.add(u.url)
        urls.append(u)
    manifest = Manifest(
        format=FORMAT,
        as_of=d.AS_OF,
        main_host=d.MAIN_HOST,
        hosts=(d.MAIN_HOST, d.GRAD_HOST, d.MOE_HOST, d.WEIXIN_HOST, d.UNIVERSITY_HOST),
        allowed_hosts=d.ALLOWED_HOSTS,
        default_last_modified=DEFAULT_LAST_MODIFIED,
        items=_item_records(),
        urls=tuple(urls),
        files=tuple(b.files[k] for k in sorted(b.files)),
        downloads=tuple(sorted(b.downloads, key=lambda x: x.wbfileid)),
    )
    manifest_path.write_text(dump(manifest), encoding="utf-8")
    return manifest


def main() -> None:
    m = build()
    print(f"wrote {len(m.files)} files and {len(m.urls)} manifest URLs under {SITE_ROOT}")


if __name__ == "__main__":
    main()
