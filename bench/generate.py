"""Generate a large, deterministic disclosure-style site and its catalogue for the crawl benchmark.

The site imitates a 信息公开网: a home page (the 信息公开目录) linking 50 columns, one per 清单 item;
each column is a paginated list (`/col/<col>/list.htm`, `list2.htm`, ...) of detail pages
`/info/<col>/<id>.htm` that carry `发布时间：YYYY-MM-DD`, some PDF/XLSX/DOCX attachments, a few broken
links, and links to a second, "off-site" host (`localhost:<port>`) that `serve.py` also serves.

Attachments are a handful of small generated files reused many times: every attachment has its own URL
(`/uploads/<col>/<id>-<variant>.<ext>`) and the server maps the URL to `files/<variant>.<ext>`.

Everything is a function of (pages, ports), so two runs with the same arguments write identical bytes.
A file whose bytes are unchanged is not rewritten (its mtime, and so nginx's Last-Modified and ETag, stay),
so `grown=0.05` on an existing site is the night on which 5 % of the columns gained an entry: one new
article at the head of each such column (its list pages all shift by one row), nothing else touched.
Besides `site/`, the generator writes `catalogue.yaml` (for `auditor crawl --site`), `pages.txt` (every
HTML page, for tools that cannot recurse) and `manifest.json` (the URL universe, for coverage figures).

    .venv/bin/python bench/generate.py --pages 5000 --port 18080 --offsite-port 18081 --out bench/out/site
"""

from __future__ import annotations

import argparse
import html
import io
import json
import random
import re
import sys
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COLUMNS = 50
PER_PAGE = 20
OFFSITE_PAGES = 200
MAIN_HOST = "127.0.0.1"
OFFSITE_HOST = "localhost"  # /etc/hosts maps it to 127.0.0.1: a second host name on loopback
NEWEST = date(2018, 11, 28)
SITE_NAME = "基准大学信息公开网"
_FIXED_ZIP_TIME = (2018, 1, 1, 0, 0, 0)
_FIXED_DOC_TIME = datetime(2018, 1, 1, 0, 0, 0)

_WORDS = (  # noqa: SIM905
    "关于 印发 学校 年度 工作 报告 通知 公示 办法 管理 规定 实施 细则 名单 结果 招生 计划 财务 预算 决算 "
    "收费 标准 学生 奖学金 助学金 教职工 代表 大会 学术 委员会 发展 规划 重点 安排 章程 制度 信息 公开 "
    "采购 招标 基建 工程 资产 设备 图书 研究生 本科 教学 质量 就业 毕业生 学位 学科 交流 合作"
).split()


@dataclass(frozen=True)
class Column:
    number: int  # the 清单 item it serves
    slug: str
    name: str
    details: tuple[int, ...]  # detail ids, newest first

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.details) // PER_PAGE))

    def list_path(self, page: int) -> str:
        return f"/col/{self.slug}/list.htm" if page == 1 else f"/col/{self.slug}/list{page}.htm"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _column_names() -> list[str]:
    try:
        from checklist.loader import load_checklist

        names = {it.number: it.short_name for it in load_checklist().items}
        return [names.get(n, f"栏目{n:02d}") for n in range(1, COLUMNS + 1)]
    except Exception:  # noqa: BLE001 - the generator must not depend on the project being importable
        return [f"栏目{n:02d}" for n in range(1, COLUMNS + 1)]


def _columns(pages: int) -> list[Column]:
    if pages < COLUMNS:
        raise ValueError(f"--pages {pages}: at least {COLUMNS}, one article a column")
    names = _column_names()
    # Uneven but deterministic sizes, like a real site: some columns are long, some short.
    rng = random.Random(20181128)
    weights = [0.4 + rng.random() * 1.2 for _ in range(COLUMNS)]
    total = sum(weights)
    sizes = [max(1, int(pages * w / total)) for w in weights]
    i = 0
    while sum(sizes) < pages:
        sizes[i % COLUMNS] += 1
        i += 1
    while sum(sizes) > pages:
        if sizes[i % COLUMNS] > 1:
            sizes[i % COLUMNS] -= 1
        i += 1
    columns, next_id = [], 1000
    for n in range(1, COLUMNS + 1):
        ids = tuple(range(next_id + sizes[n - 1] - 1, next_id - 1, -1))
        next_id += sizes[n - 1]
        columns.append(Column(number=n, slug=f"c{n:02d}", name=names[n - 1], details=ids))
    return columns


def _title(rng: random.Random, column: Column, day: date) -> str:
    words = "".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 7)))
    return f"{column.name}：{day.year}年{words}"


def _head(title: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{_e(title)}-{SITE_NAME}</title>\n'
        '<link rel="stylesheet" type="text/css" href="/css/style.css">\n</head>\n<body>\n'
        f'<div class="header"><div class="logo"><a href="/">{SITE_NAME}</a></div></div>\n'
    )


def _footer(offsite: str) -> str:
    return (
        f'<div class="footer"><p class="links">相关链接：<a href="{offsite}/" target="_blank">教育部信息公开</a>'
        f' | <a href="/">{SITE_NAME}</a></p><p>版权所有 基准大学信息公开领导小组办公室</p></div>\n</body>\n</html>\n'
    )


def _pager(column: Column, page: int, count: int) -> str:
    last = column.pages
    parts = [f'<div class="pager">共{count}条 {page}/{last}页 ']
    parts.append(f'<a href="{column.list_path(1)}">首页</a> ')
    if page > 1:
        parts.append(f'<a href="{column.list_path(page - 1)}">上一页</a> ')
    for n in range(max(1, page - 3), min(last, page + 3) + 1):
        parts.append(f"<span>{n}</span> " if n == page else f'<a href="{column.list_path(n)}">{n}</a> ')
    if page < last:
        parts.append(f'<a href="{column.list_path(page + 1)}">下一页</a> ')
    parts.append(f'<a href="{column.list_path(last)}">尾页</a></div>\n')
    return "".join(parts)


def _attachments_for(rng: random.Random) -> list[tuple[str, int]]:
    """(extension, variant) of this page's attachments: about 35% of pages have one, 5% two."""
    r = rng.random()
    n = 2 if r < 0.05 else 1 if r < 0.35 else 0
    return [(rng.choice(("pdf", "pdf", "xlsx", "docx")), rng.randrange(3)) for _ in range(n)]


def grown_columns(share: float) -> list[int]:
    """The columns that gained an entry on a night where `share` of them did: spread over the site."""
    count = -(-round(share * COLUMNS * 100) // 100) if share > 0 else 0
    return [1 + (k * COLUMNS) // count for k in range(count)] if count else []


def generate(pages: int, port: int, offsite_port: int, out: Path, *, site_id: str = "bench",
             name: str = "基准大学", grown: float = 0.0) -> dict[str, object]:
    """Write the site under `out/site`, the catalogue and the lists; returns the manifest. `grown`: the
    share of columns that gained one entry since the site was first written (see the module's note)."""
    started = time.perf_counter()
    main = f"http://{MAIN_HOST}:{port}"
    offsite = f"http://{OFFSITE_HOST}:{offsite_port}"
    site = out / "site"
    root, other, files = site / "main", site / "offsite", site / "files"
    for d in (root / "css", other / "s", files):
        d.mkdir(parents=True, exist_ok=True)
    stale = {p for p in site.rglob("*") if p.is_file()}

    columns = _columns(pages)
    rng = random.Random(5000)
    html_urls: list[str] = []
    urls: set[str] = set()  # every URL the site links to, existing or not
    broken: set[str] = set()
    counts = {"detail": 0, "list": 0, "attachment_links": 0, "offsite_links": 0}
    growing = set(grown_columns(grown))
    added: list[str] = []

    def write(path: str, text: str, base: Path = root) -> None:
        target = base / path.lstrip("/")
        _write_if_changed(target, text.encode("utf-8"))
        stale.discard(target)

    # -- detail pages, lists, the home page
    for column in columns:
        day = NEWEST - timedelta(days=column.number)
        entries: list[tuple[int, str, date, str]] = []  # id, title, date, href
        if column.number in growing:
            # A new article, newest of its column: its own random stream, so no other page changes.
            new_id, new_day = 900000 + column.number, NEWEST + timedelta(days=1)
            new_title = _title(random.Random(new_id), column, new_day)
            new_href = f"/info/{column.slug}/{new_id}.htm"
            write(new_href, _head(new_title) + f'<div class="article"><h1 class="arti_title">{_e(new_title)}</h1>\n'
                  f'<p class="arti_metas">发布时间：{new_day.isoformat()}</p>\n<div class="wp_articlecontent">'
                  f"<p>{_e(new_title)}。现将有关情况公开如下。</p></div></div>\n" + _footer(offsite))
            entries.append((new_id, new_title, new_day, new_href))
            html_urls.append(main + new_href)
            added.append(main + new_href)
        for position, did in enumerate(column.details):
            day -= timedelta(days=rng.randint(0, 4))
            title = _title(rng, column, day)
            href = f"/info/{column.slug}/{did}.htm"
            entries.append((did, title, day, href))
            body = [
                f"<p>{_e(title)}。根据《高等学校信息公开办法》和《高等学校信息公开事项清单》的要求，现将有关情况公开如下。</p>",
                *(
                    f"<p>{''.join(rng.choice(_WORDS) for _ in range(40))}。</p>"
                    for _ in range(rng.randint(2, 5))
                ),
            ]
            for k, (ext, variant) in enumerate(_attachments_for(rng), start=1):
                link = f"/uploads/{column.slug}/{did}-{variant}.{ext}"
                body.append(f'<p>附件{k}：<a href="{link}">{_e(title[:20])}（附件{k}）.{ext}</a></p>')
                urls.add(main + link)
                counts["attachment_links"] += 1
            if rng.random() < 0.2:
                k = rng.randrange(OFFSITE_PAGES)
                body.append(f'<p>相关链接：<a href="{offsite}/s/{k}.htm">教育部相关文件{k}</a></p>')
                urls.add(f"{offsite}/s/{k}.htm")
                counts["offsite_links"] += 1
            # A few broken links, as on every real site: a moved page, a lost file, a dead off-site page.
            r = rng.random()
            if r < 0.01:
                bad = f"{main}/info/{column.slug}/{did}_old.htm"
                body.append(f'<p>原文：<a href="{bad}">查看原文</a></p>')
            elif r < 0.015:
                bad = f"{main}/uploads/{column.slug}/{did}.pdf"
                body.append(f'<p>附件：<a href="{bad}">原附件.pdf</a></p>')
            elif r < 0.02:
                bad = f"{offsite}/gone/{did}.htm"
                body.append(f'<p>相关链接：<a href="{bad}">已撤下的文件</a></p>')
            else:
                bad = ""
            if bad:
                urls.add(bad)
                broken.add(bad)
            page = (
                _head(title)
                + f'<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="{column.list_path(1)}">'
                f"{_e(column.name)}</a></div>\n"
                f'<div class="article"><h1 class="arti_title">{_e(title)}</h1>\n'
                f'<p class="arti_metas">发布时间：{day.isoformat()}　来源：{_e(column.name)}　浏览次数：{did % 997}</p>\n'
                f'<div class="wp_articlecontent">{"".join(body)}</div></div>\n' + _footer(offsite)
            )
            write(href, page)
            html_urls.append(main + href)
            counts["detail"] += 1

        # A list entry whose page was removed: the commonest broken link on a disclosure site.
        dead = f"/info/{column.slug}/{column.details[-1] - 1}x.htm"
        entries.append((0, f"{column.name}：已撤销的公告", day - timedelta(days=1), dead))
        urls.add(main + dead)
        broken.add(main + dead)
        for page_no in range(1, column.pages + 1):
            chunk = entries[(page_no - 1) * PER_PAGE : page_no * PER_PAGE]
            if page_no == column.pages:
                chunk = entries[(page_no - 1) * PER_PAGE :]
            # (a grown column keeps its page count: its last page holds one row more, as CMSs page by count)
            rows = "".join(
                f'<li><a href="{href}" title="{_e(title)}" target="_blank">{_e(title)}</a>'
                f'<span class="date">{d.isoformat()}</span></li>\n'
                for _, title, d, href in chunk
            )
            page = (
                _head(column.name)
                + f'<div class="location">当前位置：<a href="/">首页</a> &gt; {_e(column.name)}</div>\n'
                f'<div class="main"><h2 class="col_title">{_e(column.name)}</h2>\n<ul class="news_list">\n{rows}</ul>\n'
                + _pager(column, page_no, len(entries))
                + "</div>\n"
                + _footer(offsite)
            )
            write(column.list_path(page_no), page)
            html_urls.append(main + column.list_path(page_no))
            counts["list"] += 1

    home_rows = "".join(
        f'<li><a href="{c.list_path(1)}">{c.number}. {_e(c.name)}</a></li>\n' for c in columns
    )
    write(
        "/index.htm",
        _head("信息公开目录") + f'<div class="main"><h2>信息公开目录</h2>\n<ul class="catalogue">\n'
        f"{home_rows}</ul></div>\n" + _footer(offsite),
    )
    html_urls.insert(0, main + "/")
    write("/css/style.css", "body{font-family:sans-serif}\n.footer{color:#666}\n")
    write("/robots.txt", "User-agent: *\nAllow: /\n")
    urls.update(html_urls)
    urls.update({main + "/css/style.css", offsite + "/"})

    # -- the off-site host: a small ministry-like site
    write("/robots.txt", "User-agent: *\nAllow: /\n", other)
    write("/index.htm", _head("教育部") + "<p>教育部信息公开</p>\n" + _footer(offsite), other)
    for k in range(OFFSITE_PAGES):
        write(f"/s/{k}.htm", _head(f"教育部文件{k}") + f"<p>教育部文件{k}</p>\n" + _footer(offsite), other)

    # -- the few attachment files every attachment URL maps to
    for variant in range(3):
        for ext, make in (("pdf", _pdf), ("xlsx", _xlsx), ("docx", _docx)):
            target = files / f"{variant}.{ext}"
            if not target.exists():  # deterministic: written once, never touched again
                target.write_bytes(make(variant))
            stale.discard(target)
    for gone in stale:
        gone.unlink()

    # -- the catalogue: 50 items, each column's first list page
    (out / "catalogue.yaml").write_text(_catalogue(columns, main, site_id, name), encoding="utf-8")
    (out / "pages.txt").write_text("".join(u + "\n" for u in html_urls), encoding="utf-8")
    manifest: dict[str, object] = {
        "pages": pages,
        "main": main,
        "offsite": offsite,
        "columns": COLUMNS,
        "detail_pages": counts["detail"],
        "list_pages": counts["list"],
        "html_pages": len(html_urls),
        "attachment_links": counts["attachment_links"],
        "offsite_links": counts["offsite_links"],
        "broken_links": len(broken),
        "urls": len(urls),
        "grown_columns": sorted(growing),
        "added_urls": added,
        "seconds": round(time.perf_counter() - started, 2),
    }
    (out / "urls.txt").write_text("".join(u + "\n" for u in sorted(urls)), encoding="utf-8")
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest


def _write_if_changed(target: Path, data: bytes) -> None:
    """Write only new or different bytes: an unchanged page keeps its mtime, as on a real server."""
    try:
        if target.read_bytes() == data:
            return
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _catalogue(columns: list[Column], main: str, site_id: str = "bench", name: str = "基准大学") -> str:
    departments = ("党办、校办", "教务处", "财务处", "人事处", "研究生院")
    lines = [
        "# Generated by bench/generate.py: the benchmark site's catalogue. Do not edit.",
        f"id: {site_id}",
        f"name: {name}",
        'version: "bench"',
        "checklist: qingdan-2014",
        f"home: {main}/",
        f'allowed_hosts: ["{MAIN_HOST}"]',
        "policy:",
        # Bounds high enough that the whole site is crawled at any --pages.
        "  max_pages_per_item: 100000",
        "  max_list_pages: 10000",
        "  max_pages_total: 1000000",
        # The off-site host is a loopback name: allowed, or the gate (issue 14) refuses its links unasked.
        "  allow_internal: localhost",
        "departments:",
        *(f'  - {{name: {d}, contact: ""}}' for d in departments),
        "items:",
    ]
    for c in columns:
        lines += [
            f"  {c.number}:",
            f"    url: {main}{c.list_path(1)}",
            f"    departments: [{departments[c.number % 5]}]",
        ]
    return "\n".join(lines) + "\n"


def _pdf(variant: int) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    # Variant 0 is written uncompressed (reportlab's default, and what some office tools emit): such a
    # body looks like text to Scrapy, which then makes it a TextResponse. Real sites have both kinds.
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=0 if variant == 0 else 1)
    for page in range(variant + 1):
        c.setFont("STSong-Light", 12)
        for line in range(30):
            c.drawString(
                60,
                780 - line * 22,
                f"基准大学信息公开附件 {variant}-{page}-{line}：收费项目、收费依据、收费标准及投诉方式",
            )
        c.showPage()
    c.save()
    return buf.getvalue()


def _rezip(data: bytes) -> bytes:
    """Rewrite an OOXML package with fixed member timestamps, so the bytes are reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time whatever we set
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2018-01-01T00:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _xlsx(variant: int) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.created = wb.properties.modified = _FIXED_DOC_TIME
    ws = wb.active
    ws.append(["序号", "项目", "金额（万元）"])
    for i in range(20 * (variant + 1)):
        ws.append([i + 1, f"支出项目{i + 1}", (i * 37) % 1000])
    buf = io.BytesIO()
    wb.save(buf)
    return _rezip(buf.getvalue())


def _docx(variant: int) -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.created = doc.core_properties.modified = _FIXED_DOC_TIME
    doc.add_heading(f"基准大学信息公开附件{variant}", 1)
    for i in range(10 * (variant + 1)):
        doc.add_paragraph(f"第{i + 1}条 学生申诉办法、学籍管理办法及相关规定的说明。")
    buf = io.BytesIO()
    doc.save(buf)
    return _rezip(buf.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000, help="detail pages (default 5000)")
    parser.add_argument("--port", type=int, default=18080, help="port of the main host 127.0.0.1")
    parser.add_argument("--offsite-port", type=int, default=18081, help="port of the off-site host localhost")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "gen")
    args = parser.parse_args(argv)
    manifest = generate(args.pages, args.port, args.offsite_port, args.out)
    print(json.dumps(manifest, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
