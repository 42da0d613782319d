"""What generic readers get wrong on real CMS pages, one rule per test, on snippets cut from the corpus.

Each snippet is cut from a page of tests/pages/realpages/cms/pages (named in a comment) and trimmed to
the parts the rule needs; where the CMS class names are replaced by neutral ones, the test says so, to
show that the generic path does not lean on them.
"""

from __future__ import annotations

from datetime import date

from auditor.models import PageKind
from spiders.extract import extract_page

VSB = "http://yjszs.cqjtu.edu.cn"
WEBPLUS = "https://cs.fudan.edu.cn"

# Header menu and left column of every yjszs.cqjtu.edu.cn page (cqjtu_info_1050_1739.htm).
VSB_TOP = f"""<div class="top"><div class="header"><nav class="nav"><ul>
<li><a href="{VSB}/index.htm">首页</a></li><li><a href="{VSB}/tzgg.htm">通知公告</a></li>
<li><a href="{VSB}/zsxx1/ssyjs.htm">招生信息</a></li><li><a href="{VSB}/kdxx.htm">考点信息</a></li>
<li><a href="{VSB}/xzzx.htm">下载中心</a></li></ul></nav></div></div>"""
VSB_FOOT = """<div class="footer"><p class="copyright"><span>版权所有：重庆交通大学-研究生招生办公室</span></p></div>"""


def vsb_article(column: str, title: str, head: str, body: str, after: str = "") -> str:
    return f"""<html><head><title>{title}-重庆交通大学-研究生招生信息网</title></head><body>{VSB_TOP}
<div class="container frame"><div class="left"><h1>{column}</h1></div><div class="right">
<div class="position"><div>当前位置: <span><a href="{VSB}/index.htm">首页</a></span>&gt;&gt;
<span><a href="{VSB}/kdxx.htm">{column}</a></span>&gt;&gt; 正文</div></div>
<div class="content"><form name="_newscontent_fromname"><div>{head}
<div class="text"><div id="vsb_content"><div class="v_news_content">{body}</div></div>{after}</div>
</div></form></div></div></div>{VSB_FOOT}</body></html>"""


# 上一条/下一条 as VSB prints them (cqjtu_info_1050_1739.htm).
NEIGHBOURS = f"""<dl class="page"><dd>
上一条：<a href="{VSB}/info/1050/1741.htm" title="2021年硕士研究生招生调剂计划及系统开放时间汇总">2021年硕士研究生招生调剂计划及系统开...</a>
下一条：<a href="{VSB}/info/1050/1671.htm" title="重庆交通2021年同等学力申请硕士学位通过资格审查人员名单公示">重庆交通2021年同等学力申请硕士学位通...</a>
</dd></dl>"""


# --------------------------------------------------------------------------------------------- kind


def test_a_short_article_with_neighbour_links_is_an_article() -> None:
    # cqjtu_info_1050_1739.htm: an image-only body, then 上一条/下一条 (two dated-looking article links).
    html = vsb_article(
        "通知公告",
        "2021硕士招生复试调剂各学院联系方式汇总",
        '<div class="title">2021硕士招生复试调剂各学院联系方式汇总</div><div class="time">2021-03-24<em>作者：</em>浏览次数：</div>',
        f'<p><img src="{VSB}/__local/B/C3/9F/8959.png"></p>',
        NEIGHBOURS,
    )
    x = extract_page(html, f"{VSB}/info/1050/1739.htm")
    assert x.kind is PageKind.ARTICLE and x.entries == ()
    assert x.title == "2021硕士招生复试调剂各学院联系方式汇总"
    furniture = {link.url for link in x.furniture_links}
    assert {f"{VSB}/info/1050/1741.htm", f"{VSB}/info/1050/1671.htm"} <= furniture
    assert not furniture & {link.url for link in x.links}
    assert "dl.page: 2 links (上一条/下一条)" in x.furniture


def test_a_pdf_only_article_stays_an_article() -> None:
    # fudan_cs_webplus_article_c24257a692612.html: the body is a WebPlus PDF player and nothing else,
    # beside a sidebar box of month-day dated news.
    pdf = "/_upload/article/files/d5/f4/38f791be47c3bc65686e0b3ef08e/d8c840e7-7908-4b8f-b736-054ebaadbe6d.pdf"
    html = f"""<html><head><title>2025届本科推免生拟推荐名单</title></head><body>
<div class="wrapper" id="d-container"><div class="inner clearfix">
<div class="infobox"><div class="article"><h1 class="arti_title">2025届本科推免生拟推荐名单</h1>
<p class="arti_metas"><span class="arti_update">2024.09.19</span></p>
<div class="entry"><div class="read"><div class="wp_articlecontent">
<div class="wp_pdf_player" pdfsrc="{pdf}" sudyfile-attr="{{'title':'PDF合并0920.pdf'}}"></div>
</div></div></div></div></div>
{FUDAN_SIDEBAR}</div></div></body></html>"""
    x = extract_page(html, f"{WEBPLUS}/91/84/c24257a692612/page.htm")
    assert x.kind is PageKind.ARTICLE
    assert [e.url for e in x.embedded] == [WEBPLUS + pdf]
    assert x.publish_date is not None and x.publish_date.value == date(2024, 9, 19)
    assert x.entries == ()


def test_an_article_of_one_attachment_is_an_article() -> None:
    # cqjtu_vsb_article_1052_1854.html, its body cut down to the attachment line.
    att = f"{VSB}/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1676231333&wbfileid=2531461"
    html = vsb_article(
        "考点信息",
        "重庆市2022年全国硕士研究生招生考试健康应试防疫须知",
        '<div class="title">重庆市2022年全国硕士研究生招生考试健康应试防疫须知</div><div class="time">2021-12-07</div>',
        "",
        f'<ul><li>附件【<a href="{att}">重庆市2022年全国硕士研究生招生考试健康应试防疫须知.pdf</a>】已下载次</li></ul>',
    )
    x = extract_page(html, f"{VSB}/info/1052/1854.htm")
    assert x.kind is PageKind.ARTICLE
    assert [a.url for a in x.attachments] == [att]


# -------------------------------------------------------------------------------------------- title


def test_the_title_is_the_articles_not_the_column_heading() -> None:
    # cqjtu_info_1052_1002.htm: <h1>考点信息</h1> is the left column's banner, also a menu link.
    html = vsb_article(
        "考点信息",
        "重庆交通大学2018考点公告",
        '<div class="title">重庆交通大学2018考点公告</div><div class="time">2017-10-09</div>',
        "<p>根据教育部和重庆市教育考试院的统一安排，现将我校考点有关事项公告如下。</p>" * 3,
    )
    x = extract_page(html, f"{VSB}/info/1052/1002.htm")
    assert x.title == "重庆交通大学2018考点公告"
    # The same page with neutral class names: the generic path finds it by the <title> and the date line.
    plain = html.replace('class="title"', 'class="bt"').replace('class="time"', 'class="rq"')
    plain = plain.replace("v_news_content", "zw").replace("vsb_content", "nr")
    y = extract_page(plain, f"{VSB}/info/1052/1002.htm")
    assert (y.kind, y.title) == (PageKind.ARTICLE, "重庆交通大学2018考点公告")
    assert y.publish_date is not None and y.publish_date.value == date(2017, 10, 9)


# --------------------------------------------------------------------------------------------- date


def test_the_date_under_the_title_not_an_event_date_in_the_body() -> None:
    # cqjtu_info_1058_1290.htm: div.time 2018-01-22; the body's 时间：2018年1月19日… and 2018年3月15-16日.
    body = (
        "<p>网报时间：2018年1月19日~3月12日。</p><p>现场确认时间：2018年3月15-16日9:00-12:00。</p>"
        "<p>凡符合条件的在职人员均可报名，具体要求详见本章程各条款。</p>"
    )
    html = vsb_article(
        "同等学力",
        "2018年同等学力申硕招生章程",
        '<div class="title">2018年同等学力申硕招生章程</div><div class="time">2018-01-22<em>作者：专业学位办</em>浏览次数：</div>',
        body,
    )
    x = extract_page(html, f"{VSB}/info/1058/1290.htm")
    assert x.publish_date is not None
    assert (x.publish_date.value, x.publish_date.source) == (date(2018, 1, 22), "near-title")
    # Without the date line, the event dates are still not taken for the publication date.
    y = extract_page(html.replace("2018-01-22", ""), f"{VSB}/info/1058/1290.htm")
    assert y.publish_date is None or y.publish_date.value != date(2018, 3, 15)


def test_a_labelled_date_line_under_the_title() -> None:
    # nju_itsc_webplus_detail_536579.html (tests/pages/realpages): "发布时间：2021-07-16" in span.arti_update.
    html = """<html><head><title>江南大学来我校调研信息化工作</title></head><body><div class="article">
<h1 class="arti_title">江南大学来我校调研信息化工作</h1><p class="arti_metas"><span class="arti_publisher">发布者：信息中心</span>
<span class="arti_update">发布时间：2021-07-16</span></p><div class="wp_articlecontent">
<p>7月15日下午，江南大学信息化建设与管理中心一行来我校调研信息化工作。</p></div></div></body></html>"""
    x = extract_page(html, "https://itsc.nju.edu.cn/28/f1/c21558a536579/page.htm")
    assert x.publish_date is not None
    assert (x.publish_date.value, x.publish_date.source) == (date(2021, 7, 16), "label:发布时间")


# ----------------------------------------------------------------------------------- dated sidebars

# Right column of the cs.fudan.edu.cn pages: boxes of month-day dated news (fudan_14_d8_c24261a267480_page.html).
FUDAN_SIDEBAR = """<div class="col_news_right"><div class="post post1 post-21 mbox">
<div class="tt"><h3 class="tit"><span class="title">重要通知</span></h3></div><div class="con"><div id="wp_news_w21">
<ul class="news_list clearfix">
<li class="news n1 clearfix"><div class="news_title"><a href="../../../cd/15/c24257a707861/page.html">复旦大学2025年信息学学科冬令营 报名通知</a></div><div class="news_meta">12-23</div></li>
<li class="news n2 clearfix"><div class="news_title"><a href="../../../bc/6e/c24257a703598/page.html">复旦大学计算机科学技术学院2025年博士研究生招生“申请-考核”制选拔办法</a></div><div class="news_meta">11-30</div></li>
<li class="news n3 clearfix"><div class="news_title"><a href="../../../ad/06/c24257a699654/page.html">2023-2024学年计算机科学技术学院 社会冠名奖学金拟获得者公示</a></div><div class="news_meta">11-08</div></li>
</ul></div><div class="more_btn"><a class="w21_more" href="../../../24257/list.html"></a></div></div></div></div>"""


def test_a_dated_sidebar_never_outweighs_a_column_of_two_entries() -> None:
    # fudan_cs_webplus_list_24292.html cut to its first two rows, beside the sidebar's three "MM-DD" rows.
    html = f"""<html><head><title>工青妇建</title></head><body><div class="wrapper"><div class="inner clearfix">
<div class="col_news"><div class="col_news_head"><h2>工青妇建</h2></div><div class="col_news_list">
<ul class="wp_article_list">
<li class="list_item"><span class="Article_Title"><a href="/c0/8e/c24292a508046/page.html">计算机学院代表队荣获2023年复旦大学教工羽毛球比赛第五名</a></span><span class="Article_PublishDate">2023-07-04</span></li>
<li class="list_item"><span class="Article_Title"><a href="/3c/50/c24292a474192/page.html">计算机科学技术学院举办健康知识讲座</a></span><span class="Article_PublishDate">2022-12-02</span></li>
</ul></div></div>{FUDAN_SIDEBAR}</div></div></body></html>"""
    x = extract_page(html, f"{WEBPLUS}/24292/list.htm")
    assert x.kind is PageKind.LIST
    assert [(e.title, e.date) for e in x.entries] == [
        ("计算机学院代表队荣获2023年复旦大学教工羽毛球比赛第五名", date(2023, 7, 4)),
        ("计算机科学技术学院举办健康知识讲座", date(2022, 12, 2)),
    ]
    sidebar = {link.url for link in x.furniture_links}
    assert f"{WEBPLUS}/cd/15/c24257a707861/page.html" in sidebar
    assert "div.col_news_right: 4 links, 3 dated" in x.furniture


def test_month_day_sidebar_dates_are_never_given_a_year() -> None:
    # fudan_14_d8_c24261a267480_page.html: an image-only article whose sidebar rows show "12-23", "11-30".
    html = f"""<html><head><title>于建华老师线上书画展·（四）卡纸画</title></head><body><div class="inner clearfix">
<div class="infobox"><div class="article"><h1 class="arti_title">于建华老师线上书画展·（四）卡纸画</h1>
<p class="arti_metas"><span class="arti_update">2020.12.28</span></p><div class="entry"><div class="read">
<div class="wp_articlecontent"><figure><img src="/a.jpg"><figcaption>暗香浮动</figcaption></figure></div></div></div></div></div>
{FUDAN_SIDEBAR}</div></body></html>"""
    x = extract_page(html, f"{WEBPLUS}/14/d8/c24261a267480/page.htm")
    assert x.kind is PageKind.ARTICLE and x.entries == ()
    assert x.title == "于建华老师线上书画展·（四）卡纸画"
    assert {(d.value.month, d.value.day) for d in x.dates} == {(12, 28)}


# --------------------------------------------------------------------------------------------- rows


def test_one_entry_per_row_whatever_the_links_to_the_article() -> None:
    # A fudan_cs_webplus_list_24251.html row (title link, date, summary), with the summary and a
    # "全文》" made links to the same article, as other WebPlus templates print them.
    def row(n: int, path: str, title: str, day: str) -> str:
        return f"""<li class="news n{n} clearfix"><div class="news_con"><p class="news_title">
<a href="{path}" title="{title}">{title}</a><span class="news_meta">{day}</span></p>
<div class="news_text"><a href="{path}">5月22日下午，2023年度复旦大学“十大科技进展”评选结果揭晓。经过院系推荐、形式审查……</a>
<a href="{path}">全文》</a></div></div></li>"""

    rows = row(1, "../55/2d/c24280a677165/page.html", "计算机学院团队成果入选2023年度复旦大学“十大科技进展”！", "2024-05-23")
    rows += row(2, "../34/ef/c24280a668911/page.html", "再创新高！2024QS世界大学学科排名公布", "2024-04-16")
    html = f"""<html><head><title>科研快讯</title></head><body><div class="col_news_con"><ul class="news_list">{rows}</ul>
</div></body></html>"""
    x = extract_page(html, f"{WEBPLUS}/24251/list.html")
    assert x.kind is PageKind.LIST
    assert [(e.url, e.date) for e in x.entries] == [
        (f"{WEBPLUS}/55/2d/c24280a677165/page.html", date(2024, 5, 23)),
        (f"{WEBPLUS}/34/ef/c24280a668911/page.html", date(2024, 4, 16)),
    ]
    assert x.entries[0].title == "计算机学院团队成果入选2023年度复旦大学“十大科技进展”！"


# ------------------------------------------------------------------------------------------- pagers

LIST_ROWS = "".join(
    f'<li><a href="/info/1052/{1870 - i}.htm">2022年硕士研究生招生考试考点第{i}号公告</a><span>2021年12月{24 - i:02d}日</span></li>'
    for i in range(3)
)


def test_total_pages_from_a_vsb_pager() -> None:
    # cqjtu_vsb_list_kdxx.html: "共24条 1/3", 下页 → kdxx/2.htm (VSB numbers its pages backwards).
    pager = f"""<table><tr><td id="fanye203020">共24条&nbsp;&nbsp;1/3&nbsp;</td><td><div><span class="PrevDisabled">首页</span>
<span class="PrevDisabled">上页</span><a href="{VSB}/kdxx/2.htm" class="Next">下页</a><a href="{VSB}/kdxx/1.htm" class="Next">尾页</a></div></td></tr></table>"""
    html = f"<html><head><title>考点信息</title></head><body><ul>{LIST_ROWS}</ul>{pager}</body></html>"
    x = extract_page(html, f"{VSB}/kdxx.htm")
    assert (x.total_pages, x.total_entries) == (3, 24)
    assert x.next_pages[0] == f"{VSB}/kdxx/2.htm"


def test_total_pages_from_a_prettified_webplus_pager() -> None:
    # fudan_cs_webplus_list_24251.html: "页码 1/13" with the mirror's indentation padding the pager.
    pad = "\n" + " " * 48
    pager = f"""<div id="wp_paging_w6"><ul class="wp_paging clearfix">{pad}<li class="pages_count">{pad}<span class="per_page">每页&nbsp;<em
{pad}class="per_count">18</em>&nbsp;记录&nbsp;</span>{pad}<span class="all_count">总共&nbsp;<em class="all_count">219</em>&nbsp;记录</span></li>
{pad}<li class="page_nav">{pad}<a class="first" href="javascript:void(0);"><span>第一页</span></a>{pad}
<a class="next" href="list2.html"><span>下一页&gt;&gt;</span></a>{pad}<a class="last" href="list13.html"><span>尾页</span></a></li>
{pad}<li class="page_jump">{pad}<span class="pages">页码&nbsp;<em class="curr_page">1</em>/<em{pad}class="all_pages">13</em></span>
{pad * 8}</li></ul></div>"""
    html = f"<html><head><title>科研快讯</title></head><body><ul>{LIST_ROWS}</ul>{pager}</body></html>"
    x = extract_page(html, f"{WEBPLUS}/24251/list.html")
    assert (x.total_pages, x.total_entries) == (13, 219)
    assert x.next_pages[0] == f"{WEBPLUS}/24251/list2.html"


# ------------------------------------------------------------------------------ region and furniture


def test_links_are_the_content_regions_and_the_rest_is_furniture() -> None:
    # cqjtu_vsb_article_1052_1854.html, cut: a body link to an off-site PDF and a page, the menu,
    # the breadcrumb, the footer and 上一条/下一条 around it.
    body = (
        '<p>详见<a href="https://www.cqksy.cn/site/infopub/2022/yjs/2022yjszsfy.pdf">防疫须知</a>，'
        '并关注<a href="https://yz.chsi.com.cn/">中国研究生招生信息网</a>的最新通知。</p>'
        "<p>考生须提前14天进行健康监测，按要求如实填报健康信息。</p>"
    )
    html = vsb_article(
        "考点信息",
        "重庆市2022年全国硕士研究生招生考试健康应试防疫须知",
        '<div class="title">重庆市2022年全国硕士研究生招生考试健康应试防疫须知</div><div class="time">2021-12-07</div>',
        body,
        NEIGHBOURS,
    )
    x = extract_page(html, f"{VSB}/info/1052/1854.htm")
    assert [link.url for link in x.links] == ["https://yz.chsi.com.cn/"]
    assert [a.url for a in x.attachments] == ["https://www.cqksy.cn/site/infopub/2022/yjs/2022yjszsfy.pdf"]
    furniture = [link.url for link in x.furniture_links]
    assert len(furniture) == len(set(furniture))  # each once, though the menu and breadcrumb repeat 首页
    assert {f"{VSB}/index.htm", f"{VSB}/kdxx.htm", f"{VSB}/info/1050/1741.htm"} <= set(furniture)
    assert "div.top: 5 links" in x.furniture
    assert "div.position: 2 links" in x.furniture  # the breadcrumb


def test_a_sidebars_attachment_is_furniture() -> None:
    # fudan_cs_webplus_article_c24754a466078.html, cut: the article's two attachments, and a sidebar
    # box whose row links a file (made a .docx link here to show the rule).
    att = "/_upload/article/files/f0/a4/52f02a6e4c9ba7aaae114db592c1/253f3276-0696-4729-928b-62390fbff703.xlsx"
    side = FUDAN_SIDEBAR.replace("../../../ad/06/c24257a699654/page.html", "/_upload/side/form.docx")
    html = f"""<html><head><title>计算机科学技术学院博士生资格考试实施细则</title></head><body><div class="inner clearfix">
<div class="infobox"><div class="article"><h1 class="arti_title">计算机科学技术学院博士生资格考试实施细则</h1>
<p class="arti_metas"><span class="arti_update">2022.11.07</span></p><div class="entry"><div class="read">
<div class="wp_articlecontent"><p>为规范博士生资格考试工作，根据学校有关规定，制定本细则。</p>
<p><a href="{att}">附件1 - 复旦大学博士研究生资格考试实施安排表（计算机）.xlsx</a></p></div></div></div></div></div>
{side}</div></body></html>"""
    x = extract_page(html, f"{WEBPLUS}/1c/9e/c24754a466078/page.htm")
    assert [a.url for a in x.attachments] == [WEBPLUS + att]
    assert f"{WEBPLUS}/_upload/side/form.docx" in {link.url for link in x.furniture_links}


def test_a_blank_columns_region_is_the_placeholders_block() -> None:
    # The left menu of cqjtu pages beside an empty column (a hand-made blank column in the VSB frame).
    html = f"""<html><head><title>博士研究生-重庆交通大学-研究生招生信息网</title></head><body>{VSB_TOP}
<div class="container frame"><div class="right"><div class="list"><p>暂无内容，请查看<a href="{VSB}/zsxx1/ssyjs.htm">硕士研究生</a>栏目</p>
</div></div></div>{VSB_FOOT}</body></html>"""
    x = extract_page(html, f"{VSB}/zsxx1/bsyjs.htm")
    assert x.kind is PageKind.EMPTY
    assert [link.url for link in x.links] == [f"{VSB}/zsxx1/ssyjs.htm"]
    assert f"{VSB}/kdxx.htm" in {link.url for link in x.furniture_links}


def test_entries_come_only_from_the_content_region() -> None:
    # The fudan list page: every entry URL is a row of the column, none is a sidebar row or menu item.
    x = extract_page(
        f"""<html><head><title>工青妇建</title></head><body><ul class="menu"><li><a href="/24248/list.html">学院概况</a></li>
<li><a href="/24826/list.html">师资队伍</a></li></ul><div class="col_news_list"><ul>{LIST_ROWS}</ul></div>{FUDAN_SIDEBAR}</body></html>""",
        f"{WEBPLUS}/24292/list.html",
    )
    assert [e.url for e in x.entries] == [f"{WEBPLUS}/info/1052/{1870 - i}.htm" for i in range(3)]
    furniture = {link.url for link in x.furniture_links}
    assert f"{WEBPLUS}/24248/list.html" in furniture and f"{WEBPLUS}/cd/15/c24257a707861/page.html" in furniture
    assert x.links == ()
