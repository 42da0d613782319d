"""A column is judged on its own evidence: a defect in one column never moves a sibling's verdict.

Four sibling columns of category 8 (学位、学科信息, items 43–46) on a small site built the way real ones
are: every page carries a top navigation, a left menu of the four siblings, breadcrumbs, a dated
"最新公开" sidebar pointing at the newest articles of the other columns, 上一条/下一条 on articles, and a
footer with the office's landline and a dead link. Column 44 publishes a full 身份证号 and a dead
attachment; column 45 is empty; column 46's newest entry is off-topic. The site is audited twice, with
column 44's defects and without them (real `auditor run` subprocesses against a real loopback server):
the siblings' verdicts must not move, and the furniture's dead link is the site's, nobody's column's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import HostileServer, html, run_auditor, write_catalogue

ID_NUMBER = "110105199003071239"  # a valid check digit: a real leak, not a masked one
SIBLINGS = {43: "学位授予要求", 44: "同等学力申请", 45: "学位点审核办法", 46: "学位点申报"}
COLUMN = {n: f"/xwxk/c{n}/" for n in SIBLINGS}


def _furniture(here: int) -> tuple[str, str]:
    """The page's template around its content: (before, after)."""
    on = ' class="on"'
    menu = "".join(
        f'<li{on if n == here else ""}><a href="{COLUMN[n]}">{name}</a></li>' for n, name in SIBLINGS.items()
    )
    before = (
        '<div class="header"><div class="logo"><a href="/">某大学信息公开网</a></div>'
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/xwxk/">学位、学科信息</a></li>'
        '<li><a href="/jbxx/">基本信息</a></li><li><a href="/search.htm">站内搜索</a></li></ul></div>'
        '<div class="main clearfix"><div class="left"><div class="lm_title">学位、学科信息</div>'
        f'<ul class="left_menu">{menu}</ul>'
        '<div class="zxgk"><h3>最新公开</h3><ul>'
        '<li><a href="/xwxk/c44/2.htm" title="2018年同等学力申请硕士学位人员名单公示">2018年同等学力申请硕士学位人员名单公示</a>'
        '<span>11-20</span></li>'
        '<li><a href="/xwxk/c43/1.htm">北京某大学学位授予工作细则</a><span>11-02</span></li>'
        '<li><a href="/xwxk/c46/2.htm">2018年学位授权点动态调整申报公示</a><span>06-01</span></li>'
        '</ul></div></div><div class="right">'
        f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xwxk/">学位、学科信息</a> &gt; '
        f'<a href="{COLUMN[here]}">{SIBLINGS[here]}</a></div>'
    )
    after = (
        '</div></div><div class="footer"><p>地址：北京市海淀区学院路30号 邮编：100083 '
        '电话：010-62332317</p><p><a href="/old/contact.htm">联系我们</a> | '
        '<a href="/">信息公开网</a></p><p>版权所有 © 某大学</p></div>'
    )
    return before, after


def _page(here: int, title: str, content: str) -> bytes:
    before, after = _furniture(here)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}-某大学信息公开网</title></head>'
        f"<body>{before}{content}{after}</body></html>"
    ).encode()


def _list(here: int, rows: list[tuple[str, str, str]]) -> bytes:
    lis = "".join(f'<li><a href="{href}" title="{t}">{t}</a><span class="date">{d}</span></li>' for href, t, d in rows)
    content = f'<div class="list"><h2>{SIBLINGS[here]}</h2><ul class="news_list">{lis}</ul></div>'
    return _page(here, SIBLINGS[here], content)


def _article(here: int, title: str, day: str, body: str, prev_next: tuple[str, str]) -> bytes:
    content = (
        f'<div class="article"><h1 class="arti_title">{title}</h1>'
        f'<div class="arti_metas">发布时间：{day}  浏览次数：128</div>'
        f'<div class="wp_articlecontent">{body}</div>'
        f'<div class="pn"><p>上一条：<a href="{prev_next[0]}">上一篇文章</a></p>'
        f'<p>下一条：<a href="{prev_next[1]}">下一篇文章</a></p></div></div>'
    )
    return _page(here, title, content)


def _routes(site: HostileServer, *, defects: bool) -> None:
    ok_pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    def serve(body: bytes, content_type: str = "text/html; charset=utf-8") -> object:
        return html(body, content_type=content_type)

    site.route("/", serve(_page(43, "首页", "<p>欢迎访问信息公开网。</p>")))
    # 43: healthy standing column
    site.route(COLUMN[43], serve(_list(43, [("/xwxk/c43/1.htm", "北京某大学学位授予工作细则", "2016-11-02")])))
    site.route("/xwxk/c43/1.htm", serve(_article(
        43, "北京某大学学位授予工作细则", "2016-11-02",
        "<p>第一条 为做好学位授予工作，根据《中华人民共和国学位条例》制定本细则。</p>" * 6,
        ("/xwxk/c43/1.htm", "/xwxk/c43/1.htm"))))
    # 44: the failing column (privacy leak and a dead attachment), or its mended twin
    site.route(COLUMN[44], serve(_list(44, [
        ("/xwxk/c44/2.htm", "2018年同等学力申请硕士学位人员名单公示", "2018-11-20"),
        ("/xwxk/c44/1.htm", "2018年同等学力人员申请硕士学位工作通知", "2018-03-01"),
    ])))
    person = ID_NUMBER if defects else "1101**********1239"
    site.route("/xwxk/c44/2.htm", serve(_article(
        44, "2018年同等学力申请硕士学位人员名单公示", "2018-11-20",
        f"<p>经审核，以下同等学力人员申请硕士学位：</p><table><tr><td>张三</td><td>{person}</td>"
        "<td>材料科学与工程</td></tr></table><p>附件：<a href=\"/xwxk/c44/files/list.pdf\">名单.pdf</a></p>"
        "<p>公示期为2018年11月20日至11月27日。</p>",
        ("/xwxk/c44/1.htm", "/xwxk/c44/1.htm"))))
    site.route("/xwxk/c44/1.htm", serve(_article(
        44, "2018年同等学力人员申请硕士学位工作通知", "2018-03-01",
        "<p>同等学力人员申请硕士学位的工作安排如下。</p>" * 6, ("/xwxk/c44/2.htm", "/xwxk/c44/2.htm"))))
    if defects:
        site.route("/xwxk/c44/files/list.pdf", html(b"not found", status=404))
    else:
        site.route("/xwxk/c44/files/list.pdf", html(ok_pdf, content_type="application/pdf"))
    # 45: an empty column among full siblings
    site.route(COLUMN[45], serve(_page(45, SIBLINGS[45], '<div class="list"><h2>学位点审核办法</h2>'
                                                          '<p class="empty">暂无内容</p></div>')))
    # 46: the newest entry is off-topic; the required document is lower in the same column
    site.route(COLUMN[46], serve(_list(46, [
        ("/xwxk/c46/3.htm", "关于开展2018年秋季消防安全检查的通知", "2018-11-20"),
        ("/xwxk/c46/2.htm", "2018年学位授权点动态调整申报公示", "2018-06-01"),
    ])))
    site.route("/xwxk/c46/3.htm", serve(_article(
        46, "关于开展2018年秋季消防安全检查的通知", "2018-11-20",
        "<p>为做好冬季消防安全工作，请各单位于11月30日前完成自查。</p>" * 5,
        ("/xwxk/c46/2.htm", "/xwxk/c46/2.htm"))))
    site.route("/xwxk/c46/2.htm", serve(_article(
        46, "2018年学位授权点动态调整申报公示", "2018-06-01",
        "<p>根据国务院学位委员会通知，我校拟申报学位授权点动态调整，现予公示。</p>" * 4,
        ("/xwxk/c46/3.htm", "/xwxk/c46/3.htm"))))
    # furniture targets
    for path in ("/xwxk/", "/jbxx/", "/search.htm", "/other/"):
        site.route(path, serve(_page(43, "栏目", "<p>" + "本栏目公开学校基本信息。" * 10 + "</p>")))
    site.route("/old/contact.htm", html(b"not found", status=404))


def _audit(tmp: Path, *, defects: bool) -> dict[int, dict[str, object]]:
    with HostileServer() as site:
        _routes(site, defects=defects)
        urls: dict[int, str | list[str]] = {n: site.url("/other/") for n in range(1, 51)}
        urls.update({n: site.url(path) for n, path in COLUMN.items()})
        catalogue = write_catalogue(tmp / "scope.yaml", urls, site_id="scope")
        out = tmp / "out"
        ran = run_auditor(["run", "--site", str(catalogue), "--db", str(tmp / "audit.sqlite"), "--no-polite",
                           "--as-of", "2018-11-30", "--out", str(out), "--items", "43-46"],
                          timeout=120, cwd=tmp)
    assert ran.returncode in (0, 1), f"exit {ran.returncode}\n{ran.stderr[-3000:]}"
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    return {it["item"]: it for it in doc["items"]} | {0: {"findings": doc["site_findings"]}}


def _verdicts(item: dict[str, object]) -> dict[str, str]:
    findings = item["findings"]
    assert isinstance(findings, list)
    return {f["rule"]: f["status"] for f in findings}


@pytest.fixture(scope="module")
def audits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[int, dict[str, object]], ...]]:
    yield (_audit(tmp_path_factory.mktemp("defects"), defects=True),
           _audit(tmp_path_factory.mktemp("mended"), defects=False))


def test_the_failing_column_fails_on_its_own_evidence(audits: tuple[dict[int, dict[str, object]], ...]) -> None:
    with_defects, _ = audits
    verdicts = _verdicts(with_defects[44])
    assert verdicts["privacy.personal-data"] == "fail", verdicts
    assert verdicts["links.attachments"] == "fail", verdicts
    privacy = next(f for f in with_defects[44]["findings"] if f["rule"] == "privacy.personal-data")  # type: ignore[attr-defined]
    assert "/xwxk/c44/2.htm" in privacy["url"]


def test_no_sibling_moves_when_one_column_fails(audits: tuple[dict[int, dict[str, object]], ...]) -> None:
    with_defects, mended = audits
    for n in (43, 45, 46):
        assert _verdicts(with_defects[n]) == _verdicts(mended[n]), f"item {n} moved with item 44's defects"
    assert _verdicts(mended[44]).get("privacy.personal-data") == "pass"


def test_healthy_siblings_pass_every_rule(audits: tuple[dict[int, dict[str, object]], ...]) -> None:
    with_defects, _ = audits
    for n in (43, 46):
        verdicts = _verdicts(with_defects[n])
        assert set(verdicts.values()) == {"pass"}, f"item {n}: {verdicts}"


def test_an_empty_column_fails_presence_although_its_siblings_are_full(
        audits: tuple[dict[int, dict[str, object]], ...]) -> None:
    verdicts = _verdicts(audits[0][45])
    assert verdicts.get("presence.not-blank") == "fail", verdicts


def test_an_off_topic_newest_entry_does_not_fail_required_content(
        audits: tuple[dict[int, dict[str, object]], ...]) -> None:
    content = next(f for f in audits[0][46]["findings"] if f["rule"] == "content.required-terms")  # type: ignore[attr-defined]
    assert content["status"] == "pass"
    assert "/xwxk/c46/2.htm" in content["evidence"]["found_in"]  # names the document that satisfies it


def test_a_dead_link_in_the_footer_is_the_sites_not_a_columns(audits: tuple[dict[int, dict[str, object]], ...]) -> None:
    with_defects, _ = audits
    site = {f["rule"]: f for f in with_defects[0]["findings"]}  # type: ignore[attr-defined]
    assert site["site.furniture-links"]["status"] == "warn"
    assert "/old/contact.htm" in site["site.furniture-links"]["evidence"]["urls"]
    for n in (43, 44, 45, 46):
        for f in with_defects[n]["findings"]:  # type: ignore[attr-defined]
            assert "/old/contact.htm" not in json.dumps(f, ensure_ascii=False), f"item {n}: {f}"
