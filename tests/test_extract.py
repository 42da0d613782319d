"""The generic page extractor on real CMS pages (WebPlus, 博达 VSB) and on hand-made pages of other shapes."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from auditor.models import PageKind
from checklist.model import Selectors
from spiders.extract import PageExtract, canonical_url, extract_page, is_attachment_url

REAL = Path(__file__).resolve().parent / "pages" / "realpages"  # sources in its MANIFEST.tsv
PAGES = Path(__file__).resolve().parent / "pages"
BASE = "https://xxgk.example.edu.cn/col/page.htm"


def real(name: str, url: str) -> PageExtract:
    return extract_page((REAL / name).read_text(encoding="utf-8"), url)


def page(name: str, url: str = BASE, selectors: Selectors | None = None) -> PageExtract:
    return extract_page((PAGES / name).read_text(encoding="utf-8"), url, selectors)


# ------------------------------------------------------------------------------------ real pages


def test_webplus_list() -> None:
    x = real("nju_itsc_webplus_list_wlyxqk.html", "https://itsc.nju.edu.cn/wlyxqk/list.htm")
    assert x.kind is PageKind.LIST
    assert x.title == "信息化动态"
    assert len(x.entries) == 14
    assert all(e.title and e.date is not None for e in x.entries)
    assert x.entries[0].title == "人事系统：博士后新进 上线"
    assert x.entries[0].url == "https://itsc.nju.edu.cn/28/e4/c21558a534756/page.htm"
    assert x.entries[0].date == date(2021, 7, 5)
    assert x.entries[-1].date == date(2021, 4, 15)
    assert x.next_pages[0] == "https://itsc.nju.edu.cn/wlyxqk/list2.htm"
    assert (x.total_pages, x.total_entries) == (9, 126)
    # the menu, the footer and the pager are furniture links, not entries
    entry_urls = {e.url for e in x.entries}
    assert "https://itsc.nju.edu.cn/bmjs/list.htm" in {link.url for link in x.furniture_links}
    assert not entry_urls & {link.url for link in x.links + x.furniture_links}


def test_vsb_list() -> None:
    x = real("gdqy_vsb_list_gqxw1_yw.html", "https://www.gdqy.edu.cn/gqxw1/yw.htm")
    assert x.kind is PageKind.LIST
    assert x.title == "要闻"
    assert len(x.entries) == 20
    assert all(e.date is not None for e in x.entries)
    first = x.entries[0]
    assert (
        first.title == "我校邀请胡国胜教授作党史学习教育专题宣讲报告"
    )  # the date inside the link is not title
    assert first.url == "https://www.gdqy.edu.cn/info/1057/8920.htm"
    assert (first.date_shown, first.date) == ("2021-05-19", date(2021, 5, 19))
    assert x.next_pages[0] == "https://www.gdqy.edu.cn/gqxw1/yw/128.htm"
    assert x.total_pages == 129 and x.total_entries == 2576
    assert all("/info/1057/" in e.url for e in x.entries)  # no navigation link among the entries
    assert not {"学校简介", "首页", "要闻", "广轻新闻"} & {e.title for e in x.entries}


@pytest.mark.parametrize(
    ("name", "title", "published"),
    [
        ("nju_itsc_webplus_detail_536579.html", "江南大学来我校调研信息化工作", date(2021, 7, 16)),
        (
            "nju_itsc_webplus_detail_514925.html",
            "我校召开南京大学智慧党建管理服务平台培训及答疑会",
            date(2021, 4, 9),
        ),
    ],
)
def test_webplus_articles(name: str, title: str, published: date) -> None:
    x = real(name, "https://itsc.nju.edu.cn/28/f1/c21558a536579/page.htm")
    assert x.kind is PageKind.ARTICLE
    assert x.title == title
    assert x.publish_date is not None
    assert (x.publish_date.value, x.publish_date.source) == (published, "label:发布时间")
    assert x.entries == () and x.next_pages == ()
    assert len(x.text) > 300 and "浏览次数" not in x.text and "首页" not in x.text


def test_vsb_article() -> None:
    x = real("gdqy_vsb_detail_info_1057_8920.html", "https://www.gdqy.edu.cn/info/1057/8920.htm")
    assert x.kind is PageKind.ARTICLE
    assert x.title == "我校邀请胡国胜教授作党史学习教育专题宣讲报告"  # not the site name of <title>
    assert x.publish_date is not None
    assert x.publish_date.value == date(2021, 5, 19)
    assert x.publish_date.source == "label:发布时间"
    assert x.publish_date.shown.startswith("2021-05-19")
    assert x.text.startswith("5月18日下午")
    assert "https://www.gdqy.edu.cn/info/1057/8885.htm" in {link.url for link in x.furniture_links}  # 下一篇


# ------------------------------------------------------------------------------ hand-made shapes


def test_table_list_with_header_row_and_query_pager() -> None:
    x = page("table_list.html", "https://xxgk.example.edu.cn/cwxx.jsp")
    assert x.kind is PageKind.LIST
    assert x.title == "财务信息"
    assert [e.date for e in x.entries] == [
        date(2018, 6, 12),
        date(2018, 5, 30),
        date(2017, 9, 1),
        date(2017, 4, 20),
    ]
    assert x.entries[0].date_shown == "2018/6/12"
    assert x.entries[0].url == "https://xxgk.example.edu.cn/info/1010/2001.htm"
    assert x.next_pages == ("https://xxgk.example.edu.cn/cwxx.jsp?page=2",)
    assert x.total_pages == 3 and x.total_entries == 12


def test_month_day_dates_take_the_year_from_a_heading() -> None:
    x = page("ul_short_dates.html", "https://zsb.example.edu.cn/xxgk/index.html")
    assert x.kind is PageKind.LIST
    assert [(e.date_shown, e.date) for e in x.entries] == [
        ("06-12", date(2018, 6, 12)),
        ("05-28", date(2018, 5, 28)),
        ("03-02", date(2018, 3, 2)),
    ]
    assert x.entries[0].url == "https://zsb.example.edu.cn/xxgk/zs/a1.html"


def test_div_rows_with_dates_split_over_elements() -> None:
    x = page("div_split_dates.html")
    assert x.kind is PageKind.LIST
    assert [e.title for e in x.entries] == [
        "关于2018年暑假放假安排的通知",
        "关于开展学生资助工作自查的通知",
        "关于公布2018年硕士研究生复试成绩的通知",
    ]
    assert [e.date for e in x.entries] == [date(2018, 6, 12), date(2018, 5, 3), date(2018, 4, 21)]
    assert x.title == "通知公告"


def test_truncated_titles_use_the_title_attribute() -> None:
    x = page("truncated_titles.html")
    assert [e.title for e in x.entries] == [
        "关于公布2018年国家奖学金获奖学生名单的公示",
        "关于2018年国家助学金评审结果的公示（第二批）",
        "学生申诉处理办法",
    ]
    assert x.entries[1].date == date(2018, 6, 1)


def test_article_with_attachments_and_embedded_pdfs() -> None:
    x = page("article_attachments.html", "https://xxgk.example.edu.cn/info/1010/2001.htm")
    assert x.kind is PageKind.ARTICLE
    assert x.title == "某某大学2018年部门预算公开"
    assert x.publish_date is not None
    assert (x.publish_date.value, x.publish_date.shown, x.publish_date.source) == (
        date(2018, 6, 12),
        "2018年06月12日",
        "label:发布日期",
    )  # not the footer's site-wide 更新时间
    names = {a.name: a.url for a in x.attachments}
    assert names["某某大学2018年部门预算.pdf"] == "https://xxgk.example.edu.cn/uploads/2018/ysb.pdf"
    assert "DownloadAttachUrl" in names["收支预算总表.xlsx"]
    assert names["预算说明"].endswith("/_upload/article/files/aa/bb/1234/5678.docx")
    assert tuple(e.url for e in x.embedded) == (
        "https://xxgk.example.edu.cn/_upload/article/files/aa/bb/1234/main.pdf",
        "https://xxgk.example.edu.cn/uploads/2018/js.pdf",
    )
    assert "收支预算总表" in x.text  # attachment names count as content for the rules
    furniture_urls = {link.url for link in x.furniture_links}
    assert {"http://www.moe.gov.cn/", "http://service.weibo.com/share?x=1"} <= furniture_urls  # footer, share
    assert not ({link.url for link in x.links} | furniture_urls) & set(names.values())


def test_blank_column_keeps_its_placeholder() -> None:
    x = page("blank_column.html")
    assert x.kind is PageKind.EMPTY
    assert x.text == "暂无内容"
    assert x.title == "新增专业申报论证材料"
    assert x.entries == ()


def test_big_menu_and_two_real_entries() -> None:
    x = page("nav_two_entries.html", "https://yjsy.example.edu.cn/xwd.htm")
    assert x.kind is PageKind.LIST
    assert [e.url for e in x.entries] == [
        "https://yjsy.example.edu.cn/info/1101/3001.htm",
        "https://yjsy.example.edu.cn/info/1101/2990.htm",
    ]
    assert x.title == "学位点申报"
    assert len(x.furniture_links) > 90  # the menu and friend links are still recorded, as furniture


def test_a_column_with_a_single_entry() -> None:
    x = page("single_entry.html")
    assert x.kind is PageKind.LIST
    assert len(x.entries) == 1
    assert x.entries[0].title == "某某大学2017-2018学年信息公开工作年度报告"
    assert x.entries[0].date == date(2018, 10, 30)


def test_article_beside_a_dated_related_list_is_an_article() -> None:
    x = page("article_sidebar.html", "https://xxgk.example.edu.cn/info/1/12.htm")
    assert x.kind is PageKind.ARTICLE
    assert x.title == "关于调整学生住宿费标准的公示"
    assert x.publish_date is not None
    assert (x.publish_date.value, x.publish_date.source) == (date(2019, 3, 1), "meta:pubdate")
    assert "投诉电话" in x.text and "2017年收费项目公示" not in x.text


def test_publish_date_from_the_url_then_near_the_title() -> None:
    x = page("article_url_date.html", "https://xxgk.example.edu.cn/2018/1030/c123a456/page.htm")
    assert x.kind is PageKind.ARTICLE
    assert x.publish_date is not None
    assert (x.publish_date.value, x.publish_date.source) == (date(2018, 10, 30), "url")
    y = page("article_near_title.html", "https://yz.example.edu.cn/info/1/2.htm")
    assert y.publish_date is not None
    assert (y.publish_date.value, y.publish_date.source) == (date(2019, 3, 28), "near-title")


# --------------------------------------------------------------------------------- overrides


def test_selectors_override_the_heuristics() -> None:
    # Point the entry selector at the menu the heuristics rightly ignore: the override must win.
    css = Selectors(entry="ul.quick li", title="a")
    x = page("nav_two_entries.html", "https://yjsy.example.edu.cn/xwd.htm", css)
    assert [e.title for e in x.entries] == [
        "研究生管理信息系统入口",
        "导师信息管理系统入口",
        "学位论文提交与查询系统",
    ]
    xpath = Selectors(entry="//table//tr[td]", title="./td[1]", date="./td[3]")
    y = page("table_list.html", "https://xxgk.example.edu.cn/cwxx.jsp", xpath)
    assert [(e.title, e.date) for e in y.entries][:2] == [
        ("某某大学2018年部门预算", date(2018, 6, 12)),
        ("某某大学2017年部门决算", date(2018, 5, 30)),
    ]
    body = Selectors(body="p.share", next_page="a.none")
    z = page("article_attachments.html", BASE, body)
    assert z.text == "分享到微博"


# -------------------------------------------------------------------------------- pagination


def _pager_page(pager: str) -> str:
    rows = "".join(
        f'<li><a href="/info/1057/{900 + i}.htm">学校召开第{i}次信息公开工作会议</a><span>2021-05-{i + 1:02d}</span></li>'
        for i in range(5)
    )
    return f"<html><head><title>要闻</title></head><body><ul>{rows}</ul><div>{pager}</div></body></html>"


def test_vsb_reverse_numbered_pages_without_pager_links() -> None:
    pager = '共100条 <a href="../yw.htm">首页</a> 第 <input value="5"> /20页'
    x = extract_page(_pager_page(pager), "https://www.example.edu.cn/gqxw1/yw/5.htm")
    assert x.next_pages == ("https://www.example.edu.cn/gqxw1/yw/4.htm",)
    first = extract_page(
        _pager_page("共100条 <script>_simple_list_gotopage_fun(20)</script> 1/20"),
        "https://www.example.edu.cn/gqxw1/yw.htm",
    )
    assert first.total_pages == 20
    last = extract_page(_pager_page(pager), "https://www.example.edu.cn/gqxw1/yw/1.htm")
    assert last.next_pages == ()


def test_webplus_list_pages_from_the_pager_text() -> None:
    x = extract_page(_pager_page("页码 3/9"), "https://xxgk.example.edu.cn/zsxx/list3.htm")
    assert x.next_pages == ("https://xxgk.example.edu.cn/zsxx/list4.htm",)
    end = extract_page(_pager_page("页码 9/9"), "https://xxgk.example.edu.cn/zsxx/list9.htm")
    assert end.next_pages == ()


def test_numbered_and_labelled_pager_links_in_order() -> None:
    pager = '<a href="?p=1">1</a> <span>2</span> <a href="?p=3">3</a> <a href="?p=4">4</a> <a href="?p=3">next &gt;</a>'
    x = extract_page(_pager_page(pager), "https://a.example.edu.cn/list.jsp?p=2")
    assert x.next_pages == ("https://a.example.edu.cn/list.jsp?p=3", "https://a.example.edu.cn/list.jsp?p=4")


# --------------------------------------------------------------------------------- URLs, links


def test_canonical_url() -> None:
    assert canonical_url("HTTP://WWW.Example.EDU.cn:80/a/b.htm#top") == "http://www.example.edu.cn/a/b.htm"
    assert canonical_url("https://x.edu.cn:443") == "https://x.edu.cn/"
    assert canonical_url("https://x.edu.cn:8443/a?b=1") == "https://x.edu.cn:8443/a?b=1"
    assert (
        canonical_url("https://x.edu.cn/content.jsp?urltype=news.NewsContentUrl&wbtreeid=1057&wbnewsid=8920")
        == "https://x.edu.cn/info/1057/8920.htm"
    )
    assert (
        canonical_url("https://x.edu.cn/xxgk/content.jsp?wbnewsid=5&wbtreeid=7")
        == "https://x.edu.cn/xxgk/info/7/5.htm"
    )


@pytest.mark.parametrize(
    ("url", "text", "expected"),
    [
        ("https://x.edu.cn/files/2018预算.PDF", "", True),
        ("https://x.edu.cn/a.docx?v=2", "", True),
        ("https://x.edu.cn/a.et", "", True),
        (
            "https://x.edu.cn/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1&wbfileid=2",
            "",
            True,
        ),
        ("https://x.edu.cn/_upload/article/files/ab/cd/xyz", "", True),
        ("https://x.edu.cn/getfile?id=3", "收费标准.xls", True),
        ("https://x.edu.cn/info/1057/8920.htm", "附件", False),
        ("https://x.edu.cn/pdf/list.htm", "", False),
    ],
)
def test_is_attachment_url(url: str, text: str, expected: bool) -> None:
    assert is_attachment_url(url, text) is expected


def test_links_are_absolute_unique_and_without_fragments() -> None:
    html = """<html><body><p>学校概况与办学特色介绍，本页面介绍学校的基本情况、历史沿革和办学特色。</p>
    <a href="/a.htm#x">甲</a><a href="/a.htm#y">甲</a><a href="javascript:void(0)">乙</a><a href="mailto:a@b.cn">丙</a>
    <a href="https://mp.weixin.qq.com/s/abc">公众号</a><a href="content.jsp?wbtreeid=3&amp;wbnewsid=4">丁</a></body></html>"""
    x = extract_page(html, "https://Xxgk.Example.edu.cn/dir/index.htm")
    assert [link.url for link in x.links] == [
        "https://xxgk.example.edu.cn/a.htm",
        "https://mp.weixin.qq.com/s/abc",
        "https://xxgk.example.edu.cn/dir/info/3/4.htm",
    ]


@pytest.mark.parametrize(
    "html", ["", "   ", '<?xml version="1.0" encoding="gb2312"?><html><body></body></html>', "<html></html>"]
)
def test_nothing_to_read_is_an_empty_page(html: str) -> None:
    x = extract_page(html, BASE)
    assert x.kind is PageKind.EMPTY and x.entries == ()


def _list_page(rows: int) -> str:
    items = "".join(f'<li><a href="/info/{n}.htm">关于公布2018年第{n}批项目结果的通知</a><span>2018-06-{n % 28 + 1:02d}</span></li>'
                    for n in range(rows))
    return (f"<html><head><title>通知公告</title></head><body><div class='nav'><a href='/'>首页</a></div>"
            f"<div class='list'><ul>{items}</ul></div><div class='footer'>版权所有</div></body></html>")


def test_reading_a_page_grows_linearly_with_its_rows() -> None:
    """Eight times the rows cost at most about eight times the CPU (a quadratic slip would cost 64×). CPU
    time of this process, so a loaded machine does not decide it; speed itself is bench/'s business."""
    def cpu(html: str) -> float:
        extract_page(html, BASE)
        start = time.process_time()
        for _ in range(3):
            assert len(extract_page(html, BASE).entries) > 0
        return time.process_time() - start

    small, large = _list_page(150), _list_page(1200)
    assert cpu(large) < 20 * cpu(small)


def test_short_notice_with_attachments_is_an_article() -> None:
    html = """<html><head><title>2018年决算公开</title></head><body><div class="art"><h1>2018年决算公开</h1>
    <p>发布时间：2019-07-20</p><div class="body"><p>详见附件。</p>
    <p><a href="/f/2018决算说明.pdf">某某大学2018年度部门决算说明</a></p>
    <p><a href="/f/2018决算表.xlsx">某某大学2018年度部门决算报表</a></p>
    <p><a href="/f/2018三公经费.pdf">某某大学2018年度三公经费说明</a></p></div></div></body></html>"""
    x = extract_page(html, "https://xxgk.example.edu.cn/info/1/3.htm")
    assert x.kind is PageKind.ARTICLE
    assert x.publish_date is not None and x.publish_date.value == date(2019, 7, 20)
    assert [a.name for a in x.attachments] == [
        "某某大学2018年度部门决算说明",
        "某某大学2018年度部门决算报表",
        "某某大学2018年度三公经费说明",
    ]
