"""`auditor catalogue`: drafting a catalogue from a site's directory or an annual report's table.

Real parts only: the sample site and a generated, realistically named site are crawled over HTTP on
127.0.0.1; the report is the seed report's text, and PDF and DOCX renderings of its table are made
here with reportlab and python-docx (a table that runs over several pages, a URL broken across lines).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from catalogue_site import FORBIDDEN, HOST, OFF_SITE, TRUTH, serve

from checklist.draft import draft_from_report, draft_site, render_yaml
from checklist.draft.report import RawRow, read_report_rows
from checklist.loader import load_checklist, load_site
from samplesite.server import SampleSiteServer

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "data" / "seed" / "000_074c46209a94675a.txt"


def _auditor(*args: str, proxy: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XXGK_CONFIG": "", "COLUMNS": "200"}
    env.pop("HTTP_PROXY", None)
    if proxy:
        env.update(http_proxy=proxy, no_proxy="")
    return subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True, text=True, env=env,
                          timeout=240, check=False, cwd=cwd or ROOT)


# ── from the site ───────────────────────────────────────────────────────────────────────────────


def test_sample_site_maps_every_item_to_the_shipped_catalogue(tmp_path: Path) -> None:
    ustb = load_site("ustb")
    out = tmp_path / "draft.yaml"
    with SampleSiteServer() as server:
        proc = _auditor("catalogue", "draft", "http://xxgk.ustb.edu.cn/", "--out", str(out), "--delay", "0",
                        proxy=server.proxy_url)
        hosts = {r.host for r in server.requests}
    assert proc.returncode == 0, proc.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    got = {n: tuple(e.get("urls") or [e["url"]]) for n, e in data["items"].items()}
    want = {it.number: it.urls for it in ustb.items}
    assert got == want
    assert data["allowed_hosts"] == ["*.ustb.edu.cn"] and data["name"] == "北京科技大学"
    assert "50/50 items mapped" in proc.stdout
    assert hosts <= {"xxgk.ustb.edu.cn", "yzb.ustb.edu.cn"}  # never the ministry or WeChat


def test_realistic_menu_only_site_maps_at_least_45_and_flags_its_doubts() -> None:
    with serve() as server:
        draft = draft_site(f"http://{HOST}/", proxy=server.url, delay=0)
        log = list(server.log)
    right = {it.number for it in draft.items if it.chosen and {c.url for c in it.chosen} <= TRUTH[it.number]}
    assert len(right) >= 45, sorted(set(range(1, 51)) - right)
    wrong_or_missing = [it for it in draft.items if it.number not in right]
    assert all(it.unsure for it in wrong_or_missing), [(it.number, it.confidence) for it in wrong_or_missing]
    # shared columns: 财务信息 serves three items, 就业工作 two
    by_item = {it.number: {c.url for c in it.chosen} for it in draft.items}
    assert by_item[15] == by_item[19] == by_item[20] == {f"http://{HOST}/cwzc/cwxx/"}
    assert by_item[31] == by_item[32] == {f"http://{HOST}/jxzl/jygz/"}
    assert by_item[21] == {"http://cwc.hdsf.edu.cn/sfgs/"}  # a department's subdomain is in scope
    # departments where the column pages name them
    assert draft.items[20].departments == ("财务处",) and draft.items[0].departments == ("党委办公室",)
    # polite and bounded: robots.txt obeyed, nothing off the registrable domain requested
    assert all(not f"http://{e.host}{e.path}".startswith(FORBIDDEN) for e in log)
    assert all(e.host.endswith("hdsf.edu.cn") for e in log), {e.host for e in log} - {HOST}
    assert OFF_SITE not in {f"http://{e.host}{e.path}" for e in log}


def test_draft_file_leaves_todos_that_validate_names(tmp_path: Path) -> None:
    with serve() as server:
        draft = draft_site(f"http://{HOST}/", proxy=server.url, delay=0)
    text = render_yaml(draft)
    todo = [it.number for it in draft.items if not it.chosen]
    assert todo, "the realistic site is expected to leave an item or two to the user"
    out = tmp_path / "hdsf.yaml"
    out.write_text(text, encoding="utf-8")
    proc = _auditor("checklist", "validate", str(out))
    assert proc.returncode == 2
    for n in todo:
        assert f"items.{n}.url: item {n} needs url" in proc.stderr
        block = re.split(r"\n  \d+:", text.split(f"\n  {n}:", 1)[1], maxsplit=1)[0]
        assert "TODO" in block
    assert "UNSURE" in text


def test_draft_exit_1_when_items_are_left(tmp_path: Path) -> None:
    with serve() as server:
        proc = _auditor("catalogue", "draft", f"http://{HOST}/", "--delay", "0", "--out", str(tmp_path / "d.yaml"),
                        proxy=server.url)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    first_row = next(ln for ln in lines if re.match(r"│\s+\d+ │", ln))
    assert "TODO" in first_row  # the items left to the user come first


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://xxgk.example.edu.cn/", "not an http(s) address"),
        ("http://127.0.0.1:1/", "could not connect"),
        ("not a url", "not an http(s) address"),
    ],
)
def test_draft_bad_input_is_one_line_and_exit_2(url: str, message: str) -> None:
    proc = _auditor("catalogue", "draft", url, "--delay", "0")
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_draft_of_a_page_that_is_no_directory_is_exit_2() -> None:
    site = {f"http://{HOST}/": "<html><body><p>欢迎</p><a href='/news/'>新闻</a></body></html>"}
    with serve(site) as server:
        proc = _auditor("catalogue", "draft", f"http://{HOST}/", "--delay", "0", proxy=server.url)
    assert proc.returncode == 2 and "no column of the 清单 found" in proc.stderr


# ── from the report ─────────────────────────────────────────────────────────────────────────────


def _assert_ustb(draft_items: dict[int, tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
    ustb = load_site("ustb")
    assert draft_items == {it.number: (it.urls, it.departments) for it in ustb.items}


def test_from_report_txt_gives_the_shipped_catalogue(tmp_path: Path) -> None:
    out = tmp_path / "ustb.yaml"
    proc = _auditor("catalogue", "from-report", str(SEED), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    site = load_site(out)  # validates as it is
    shipped = load_site("ustb")
    assert [d.name for d in site.departments] == [d.name for d in shipped.departments]
    _assert_ustb({it.number: (it.urls, it.departments) for it in site.items})
    assert site.home == shipped.home and site.allowed_hosts == shipped.allowed_hosts and site.name == shipped.name
    assert _auditor("catalogue", "diff", str(ROOT / "checklist/sites/ustb.yaml"), str(out)).returncode == 0


def _table_rows() -> list[tuple[str, str, list[str], str]]:
    """(category, wording, departments, url) per row, as the seed report prints them (merged cells
    empty), read back from the TXT: the renderings below are made from it."""
    rows, _ = read_report_rows(SEED)
    out: list[tuple[str, str, list[str], str]] = []
    previous: list[str] = []
    for row in rows:
        depts = row.departments
        out.append(("", row.wording, [] if depts == previous else depts, "".join(row.url_lines)))
        previous = depts or previous
    return out


def _render_pdf(path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cjk", fontName="STSong-Light", fontSize=8, leading=10, wordWrap="CJK")
    title = ParagraphStyle("t", parent=style, fontSize=12, leading=16)
    data = [[Paragraph(h, style) for h in ("序号", "公开事项", "信息公开负责部门", "公开网址")]]
    spans = []
    start = None
    for i, (_, wording, depts, url) in enumerate(_table_rows(), start=1):
        if depts:
            if start is not None and i - 1 > start:
                spans.append(("SPAN", (2, start), (2, i - 1)))
            start = i
        # the URL column is narrow: long addresses wrap inside the cell, as Word wraps them
        data.append([Paragraph(str(i), style), Paragraph(wording, style),
                     Paragraph("<br/>".join(depts), style), Paragraph(url, style)])
    table = Table(data, colWidths=(30, 230, 90, 160), repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    doc = SimpleDocTemplate(str(path), pagesize=A4)
    doc.build([Paragraph("北京科技大学2017~2018学年度信息公开工作年度报告", title), table])


def _render_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("北京科技大学2017~2018学年度信息公开工作年度报告")
    rows = _table_rows()
    table = document.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, ("序号", "公开事项", "信息公开负责部门", "公开网址"), strict=True):
        cell.text = text
    merge_from = None
    for i, (_, wording, depts, url) in enumerate(rows, start=1):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(i), wording
        # a URL broken across two lines of its cell
        cut = len(url) // 2
        cells[3].text = url[:cut]
        cells[3].add_paragraph(url[cut:])
        if depts:
            cells[2].text = "\n".join(depts)
            merge_from = cells[2]
        elif merge_from is not None:
            merge_from = merge_from.merge(cells[2])  # a vertically merged department cell
    document.save(str(path))


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_from_report_pdf_and_docx_give_the_same(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"report.{kind}"
    (_render_pdf if kind == "pdf" else _render_docx)(path)
    if kind == "pdf":
        from pdfminer.high_level import extract_pages

        assert len(list(extract_pages(str(path)))) >= 3  # the table runs over pages
        broken = [r for r in read_report_rows(path)[0] if len(r.url_lines) > 1]
        assert broken, "some URL must be broken across lines in the PDF"
    draft = draft_from_report(path, load_checklist())
    _assert_ustb({it.number: (tuple(c.url for c in it.chosen), it.departments) for it in draft.items})
    assert draft.name == "北京科技大学"


def test_txt_url_broken_across_lines_is_joined(tmp_path: Path) -> None:
    url = "http://xxgk.ustb.edu.cn/xinxigongkaimulu/jibenxinxi/jibenbanxue/"
    text = SEED.read_text(encoding="utf-8").replace(f"\t{url}\n", "\thttp://xxgk.ustb.edu.cn/xinxigongkaimulu/\njibenxinxi/jibenbanxue/\n")
    assert text != SEED.read_text(encoding="utf-8")
    path = tmp_path / "broken.txt"
    path.write_text(text, encoding="utf-8")
    draft = draft_from_report(path, load_checklist())
    assert draft.items[0].chosen[0].url == url
    _assert_ustb({it.number: (tuple(c.url for c in it.chosen), it.departments) for it in draft.items})


def test_a_table_of_three_rows_is_not_the_qingdan_table(tmp_path: Path) -> None:
    text = (
        "\t序号\n\t公开事项\n\t负责部门\n\t公开网址\n\n"
        "\t1\n\t（1）办学基本情况\n\t党办、校办\n\thttp://xxgk.example.edu.cn/jbxx/\n\n"
        "\t2\n\t（2）学校章程\n\t\n\thttp://xxgk.example.edu.cn/zc/\n"
    )
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    rows, _ = read_report_rows(path)
    assert [r.departments for r in rows] == [["党办、校办"], []]  # inherited only when drafting
    assert isinstance(rows[0], RawRow)
    proc = _auditor("catalogue", "from-report", str(path))
    assert proc.returncode == 2 and "no table of the 清单's items" in proc.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "no such file"),
        ("notes.txt", "这是一份没有表格的文件。\n", "no table of items"),
        ("fake.pdf", "not a pdf at all", "not a PDF file"),
        ("fake.docx", "PK\x03\x04 broken zip", "not a readable DOCX"),
        ("blob.bin", "\x00\x01\x02", "binary content"),
    ],
)
def test_from_report_bad_input_is_one_line_and_exit_2(tmp_path: Path, name: str, content: str | None,
                                                       message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content.encode("latin-1") if "\x00" in content or "PK" in content else content.encode())
    proc = _auditor("catalogue", "from-report", str(path))
    assert proc.returncode == 2, proc.stdout
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


# ── diff ────────────────────────────────────────────────────────────────────────────────────────


def test_diff_shows_new_moved_and_vanished_columns(tmp_path: Path) -> None:
    shipped = (ROOT / "checklist/sites/ustb.yaml").read_text(encoding="utf-8")
    moved = shipped.replace("jibenxinxi/niandubaogao/", "jibenxinxi/xueshuweiyuanhui/")
    moved = moved.replace(
        "    url: http://xxgk.ustb.edu.cn/xinxigongkaimulu/qita/xunshi/\n", "", 1
    )
    new = tmp_path / "new.yaml"
    new.write_text(moved, encoding="utf-8")
    proc = _auditor("catalogue", "diff", str(ROOT / "checklist/sites/ustb.yaml"), str(new))
    assert proc.returncode == 1
    assert re.search(r"│\s+4 │ 栏目变动 moved", proc.stdout)
    assert re.search(r"│\s+49 │ 栏目消失 vanished", proc.stdout)
    assert "column no longer used: http://xxgk.ustb.edu.cn/xinxigongkaimulu/qita/xunshi/" in proc.stdout
    back = _auditor("catalogue", "diff", str(new), str(ROOT / "checklist/sites/ustb.yaml"))
    assert re.search(r"│\s+49 │ 新增栏目 new", back.stdout)


def test_diff_bad_input_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("just: text\n", encoding="utf-8")
    proc = _auditor("catalogue", "diff", str(bad), str(ROOT / "checklist/sites/ustb.yaml"))
    assert proc.returncode == 2 and "not a catalogue" in proc.stderr
    proc = _auditor("catalogue", "diff", str(tmp_path / "none.yaml"), str(bad))
    assert proc.returncode == 2 and "no such file" in proc.stderr.lower()
