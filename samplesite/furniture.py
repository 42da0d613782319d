"""Page furniture: everything real disclosure sites put around a column's own content.

Real column pages carry a header (logo, search, top navigation), 当前位置 breadcrumbs, a menu of the
sibling columns of their category, a dated 最新公开 sidebar of other columns' newest articles, 上一条/
下一条 on articles, and a footer with address, landline, 邮编, ICP number and 友情链接. A crawl that
counts any of it as the item's own evidence moves a sibling's verdict; the sample site carries all of
it so that the tests catch that.

Three shapes, modelled on saved real pages (/work/shared/realpages): 博达 VSB after 重庆交通大学's
研招网 (div.top/.seek, nav.nav, div.left > h1 + ul, div.position, div.footer > p.copyright), 南京苏迪
WebPlus after 复旦大学计算机学院 and 南京大学 ITSC (#header .sitelogo/.searchbox, ul.wp-menu,
div.col_menu > ul.wp_listcolumn, li.col_path with span.possplit, div.col_news_right > div.post.mbox
with ul.news_list, #footer .foot-left p.copyright), and a plainer hand-made shape. The class names are
the CMSes' (or, for hand-made pages, the pinyin abbreviations their authors use: zxgk = 最新公开), not
names chosen to make an extractor's life easy: the WebPlus sidebar uses the very classes of the column
list beside it, as the 复旦 template does.
"""

from __future__ import annotations

import enum
import html
import posixpath
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit

from samplesite import description as d

HOME = f"http://{d.MAIN_HOST}/"
GUIDE_URL = f"{HOME}xxgkzn.htm"  # 信息公开指南 (header)
APPLY_URL = f"{HOME}ysqgk.htm"  # 依申请公开 (header)
SITEMAP_URL = f"{HOME}sitemap.htm"  # 网站地图 (footer): a stale link that answers 404, the site's fault
FRIEND_LINKS = (
    (f"http://{d.MOE_HOST}/", "中华人民共和国教育部"),
    (f"http://{d.GRAD_HOST}/", "北京科技大学研究生招生网"),
)


class Shell(enum.Enum):
    VSB = "vsb"
    WEBPLUS = "webplus"
    PLAIN = "plain"


@dataclass(frozen=True)
class Link:
    title: str
    url: str  # absolute
    day: date | None = None


@dataclass(frozen=True)
class Frame:
    """What surrounds one page's own content."""

    shell: Shell
    url: str  # the page's own (final) URL: relative links are written from here, as the CMS does
    title: str
    category: tuple[str, str] | None = None  # (URL slug, name) of the column's category
    column: Link | None = None  # the current column: its menu name and catalogue URL
    siblings: tuple[Link, ...] = ()  # every column of the category in menu order, the current one included
    latest: tuple[Link, ...] = ()  # the 最新公开 sidebar
    article: bool = False  # an article under the column: breadcrumbs end in 正文
    gbk: bool = False


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _href(frame: Frame, target: str) -> str:
    """A link as the page's CMS writes it: VSB relative, WebPlus root-relative, hand-made absolute."""
    page, dest = urlsplit(frame.url), urlsplit(target)
    if page.netloc != dest.netloc or frame.shell is Shell.PLAIN:
        return target
    if frame.shell is Shell.WEBPLUS:
        return dest.path + (f"?{dest.query}" if dest.query else "")
    rel = posixpath.relpath(dest.path, posixpath.dirname(page.path))
    if dest.path.endswith("/"):
        rel += "/"
    rel = rel.removeprefix("./") or "./"
    if dest.query:
        rel += f"?{dest.query}"
    return rel if urljoin(frame.url, rel) == target else target


def _category_url(slug: str) -> str:
    return f"{HOME}xinxigongkaimulu/{slug}/"


def _trail(frame: Frame) -> list[tuple[str, str]]:
    """(URL, name) of each breadcrumb after 首页."""
    out = []
    if frame.category:
        out.append((_category_url(frame.category[0]), frame.category[1]))
    if frame.column:
        out.append((frame.column.url, frame.column.title))
    return out


def _head(frame: Frame) -> str:
    meta = (
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        if frame.gbk
        else '<meta charset="utf-8">'
    )
    return (
        f"<!DOCTYPE html>\n<html>\n<head>\n{meta}\n<title>{_e(frame.title)}-北京科技大学信息公开网</title>\n"
        '<link rel="stylesheet" type="text/css" href="/css/style.css">\n</head>\n'
    )


def _categories() -> list[tuple[str, str]]:
    return [(_category_url(slug), name) for slug, name in d.CATEGORIES]


# ---------------------------------------------------------------- 博达 VSB


def _vsb(frame: Frame, main: str) -> str:
    cats = "".join(f'<li><a href="{url}">{_e(name)}</a></li>\n' for url, name in _categories())
    header = (
        '<div class="top">\n<div class="container"><div class="logo"><a href="'
        + HOME
        + '">北京科技大学信息公开网</a></div>\n<div class="right">\n'
        f'<div class="link"><a href="{GUIDE_URL}">信息公开指南</a> | <a href="{APPLY_URL}">依申请公开</a></div>\n'
        '<div class="seek"><form method="post" name="a1007907a" action="'
        + HOME
        + 'search.jsp?wbtreeid=1001" style="display: inline"><input type="hidden" value="find" name="Find">'
        '<input type="hidden" value="1" name="entrymode"><input class="text" size="12" name="INTEXT"> '
        '<input class="button" type="submit" value="搜索" name="FindButton"></form></div>\n'
        "</div></div></div>\n"
        f'<div class="header"><nav class="nav">\n<ul>\n<li><a href="{HOME}">首页</a></li>\n{cats}</ul>\n</nav></div>\n'
    )
    left = ""
    if frame.category and frame.siblings:
        items = "".join(
            f'<li><a href="{_e(_href(frame, s.url))}"'
            + (' id="current"' if frame.column and s.url == frame.column.url else "")
            + f">{_e(s.title)}</a></li>\n"
            for s in frame.siblings
        )
        left = f'<div class="left">\n<h1>{_e(frame.category[1])}</h1>\n<ul>\n{items}</ul>\n</div>\n'
    crumbs = "".join(
        f'\n&gt;&gt;\n<span><a href="{_e(_href(frame, u))}">{_e(n)}</a></span>' for u, n in _trail(frame)
    )
    if frame.article:
        crumbs += "\n&gt;&gt;\n正文"
    position = f'<div class="position"><div>\n当前位置: \n<span><a href="{HOME}">首页</a></span>{crumbs}\n</div></div>\n'
    side = ""
    if frame.latest:
        rows = "".join(
            f'<li id="line_u8_{n}"><a href="{_e(_href(frame, x.url))}" target="_blank" title="{_e(x.title)}">'
            f"{_e(x.title)}</a><span>{x.day:%Y-%m-%d}</span></li>\n"
            for n, x in enumerate(frame.latest)
            if x.day
        )
        side = (
            f'<div class="zxgk">\n<h3><span>最新公开</span><a class="more" href="{HOME}">更多&gt;&gt;</a></h3>\n'
            f"<ul>\n{rows}</ul>\n</div>\n"
        )
    return (
        _head(frame)
        + "<body>\n"
        + header
        + '<div class="container frame">\n'
        + left
        + '<div class="right">\n'
        + position
        + f'<div class="content">\n{main}\n</div>\n'
        + side
        + "</div>\n</div>\n"
        + _plain_footer()
        + "</body>\n</html>\n"
    )


# ---------------------------------------------------------------- 南京苏迪 WebPlus


def _webplus(frame: Frame, main: str) -> str:
    menu = "".join(
        f'<li class="menu-item i{n}"><a class="menu-link" href="{_e(_href(frame, url))}" target="_self">{_e(name)}</a></li>\n'
        for n, (url, name) in enumerate(_categories(), start=2)
    )
    header = (
        "<!--Start||head-->\n"
        '<div class="wrapper header" id="header">\n<div class="inner">\n<div class="mod clearfix">\n'
        '<div class="head-left" frag="面板01">\n<div class="sitelogo" frag="窗口01" portletmode="simpleSiteAttri">'
        f'<a href="/" title="返回北京科技大学信息公开网首页">北京科技大学信息公开网</a></div>\n</div>\n'
        '<div class="site-lang clearfix" frag="窗口02"><ul class="clearfix">'
        f'<li class="links i1"><a href="{_href(frame, GUIDE_URL)}" target="_blank">信息公开指南</a></li>'
        f'<li class="links i2"><a href="{_href(frame, APPLY_URL)}" target="_blank">依申请公开</a></li></ul></div>\n'
        '<div class="searchbox" frag="窗口03" portletmode="search"><div class="wp-search clearfix">'
        '<form action="/_web/_search/api/search/new.rst?locale=zh_CN&amp;request_locale=zh_CN" method="post" '
        'target="_self"><div class="search-input"><input name="keyword" class="search-title" type="text" '
        'placeholder="搜索..."></div><div class="search-btn"><input name="submit" class="search-submit" '
        'type="submit" value=""></div></form></div></div>\n'
        "</div>\n</div>\n</div>\n"
        '<div class="wrapper nav wp-navi" id="nav">\n<div class="wp-panel">\n<div class="wp-window" frag="窗口1">\n'
        f'<ul class="wp-menu">\n<li class="menu-item i1"><a class="menu-link" href="/" target="_self">首页</a></li>\n'
        f"{menu}</ul>\n</div>\n</div>\n</div>\n<!--End||head-->\n"
    )
    col_menu = ""
    if frame.category and frame.siblings:
        cols = "".join(
            (
                f'<li class="wp_column column-{n} selected"><a title="{_e(s.title)}" class="col_item_link selected" '
                if frame.column and s.url == frame.column.url
                else f'<li class="wp_column column-{n} "><a title="{_e(s.title)}" class="col_item_link " '
            )
            + f'href="{_e(_href(frame, s.url))}"><span class="column-name">{_e(s.title)}</span></a></li>\n'
            for n, s in enumerate(frame.siblings, start=1)
        )
        col_menu = (
            '<div class="col_menu">\n<div class="col_menu_head">\n'
            '<h3 class="col_name" frag="窗口3" portletmode="simpleColumnAnchor"><span class="col_name_text">'
            f"<span class='Column_Anchor'>{_e(frame.category[1])}</span></span></h3>\n"
            '<a class="column-switch"></a>\n</div>\n<div class="col_menu_con" frag="面板4">\n'
            '<div class="col_list" frag="窗口4" portletmode="simpleColumnList">\n'
            f'<ul class="wp_listcolumn list-paddingleft-2">\n{cols}</ul>\n</div>\n</div>\n</div>\n'
        )
    path = "".join(
        f'<span class=\'possplit\'>&nbsp;&nbsp;</span><a href="{_e(_href(frame, u))}" target="_self">{_e(n)}</a>'
        for u, n in _trail(frame)
    )
    heading = frame.column.title if frame.column else frame.title
    metas = (
        '<div class="col_news_head">\n<ul class="col_metas clearfix" frag="窗口5" portletmode="simpleColumnAttri">\n'
        f'<li class="col_path"><span class="path_name">当前位置：</span><a href="/" target="_self">首页</a>{path}</li>\n'
        f'<li class="col_title"><h2>{_e(heading)}</h2></li>\n</ul>\n</div>\n'
    )
    side = ""
    if frame.latest:
        rows = "".join(
            f'<li class="news n{n} clearfix">\n<div class="news_title"><a href=\'{_e(_href(frame, x.url))}\' '
            f"target='_self' title='{_e(x.title)}'>{_e(short_title(x.title))}</a></div>\n"
            f'<div class="news_meta">{x.day:%m-%d}</div>\n</li>\n'
            for n, x in enumerate(frame.latest, start=1)
            if x.day
        )
        side = (
            '<div class="col_news_right">\n<div class="post post1 post-21 mbox" frag="窗口21">\n'
            '<div class="tt">\n<h3 class="tit"><span class="title" frag="标题">最新公开</span> </h3>\n</div>\n'
            f'<div class="con">\n<div id="wp_news_w21">\n<ul class="news_list clearfix">\n{rows}</ul>\n</div>\n'
            '<div class="more_btn" frag="按钮" type="更多"> <a href="/" class="w21_more">'
            '<span class="more_text" frag="按钮内容">更多</span></a> </div>\n</div>\n</div>\n</div>\n'
        )
    container = "d-container" if frame.article else "l-container"
    friends = "".join(
        f'<li class="news i{n} clearfix"><div class="news_box"><a class="link_icon" href="{url}" target="_blank">'
        f'<div class="link_con">{_e(name)}</div></a></div></li>\n'
        for n, (url, name) in enumerate(FRIEND_LINKS, start=1)
    )
    footer = (
        "<!--Start||footer-->\n"
        '<div class="wrapper footer" id="footer">\n<div class="inner">\n<div class="mod clearfix">\n'
        '<div class="foot-left" frag="窗口90" portletmode="simpleSiteAttri">\n'
        f'<p class="copyright"><span>版权所有 {d.OFFICE}</span></p>\n'
        f'<p class="copyright"><span>地址：{d.ADDRESS}  邮编：{d.POSTCODE}</span></p>\n'
        f'<p class="copyright"><span>电话：{d.LANDLINE}  传真：{d.FAX}</span></p>\n'
        f'<p class="copyright"><span>意见与投诉：{d.OFFICE_MAIL}</span></p>\n'
        f'<p class="copyright"><span>{d.ICP}</span> <a href="{_href(frame, SITEMAP_URL)}">网站地图</a></p>\n'
        "</div>\n"
        '<div class="foot-right" frag="窗口92">\n<div class="post post1 post-92 mbox">\n'
        '<div class="tt">\n<h3 class="tit"><span class="title">友情链接</span> </h3>\n</div>\n'
        f'<div class="con">\n<ul class="news_list clearfix">\n{friends}</ul>\n</div>\n</div>\n</div>\n'
        "</div>\n</div>\n</div>\n<!--End||footer-->\n"
    )
    body_class = "article" if frame.article else "list list2"
    return (
        _head(frame)
        + f'<body class="{body_class}">\n'
        + header
        + "<!--Start||content-->\n"
        + f'<div class="wrapper" id="{container}">\n<div class="inner">\n<div class="mod clearfix">\n'
        + col_menu
        + '<div class="col_news">\n<div class="col_news_box">\n'
        + metas
        + f'<div class="col_news_con">\n{main}\n</div>\n'
        + "</div>\n</div>\n"
        + side
        + "</div>\n</div>\n</div>\n<!--End||content-->\n"
        + footer
        + "</body>\n</html>\n"
    )


def short_title(title: str, limit: int = 20) -> str:
    """WebPlus truncates anchor text with an ellipsis; the full title stays in title=."""
    return title if len(title) <= limit else title[: limit - 2] + "…"


# ---------------------------------------------------------------- hand-made


def _plain_footer() -> str:
    options = "".join(f'<option value="{url}">{_e(name)}</option>' for url, name in FRIEND_LINKS)
    return (
        '<div class="footer">\n'
        f'<p class="links">相关链接：<a href="http://{d.MOE_HOST}/" target="_blank">中华人民共和国教育部</a>'
        f' | <a href="{HOME}">北京科技大学信息公开网</a> | <a href="{SITEMAP_URL}">网站地图</a></p>\n'
        '<div class="yqlj">友情链接：<select name="yqlj" onchange="if(this.value)window.open(this.value)">'
        f'<option value="">--请选择--</option>{options}</select></div>\n'
        f'<p class="copyright"><span>版权所有：{d.OFFICE}</span></p>\n'
        f'<p class="copyright"><span class="address">地址：{d.ADDRESS} 邮编：{d.POSTCODE}</span></p>\n'
        f'<p class="copyright"><span class="telephone">电话：{d.LANDLINE}&nbsp;&nbsp;&nbsp;传真：{d.FAX}</span>'
        f'&nbsp;&nbsp;<span class="email">意见与投诉：<a href="mailto:{d.OFFICE_MAIL}">{d.OFFICE_MAIL}</a></span></p>\n'
        f'<p class="copyright"><span>{d.ICP}</span></p>\n'
        "</div>\n"
    )


def _plain(frame: Frame, main: str) -> str:
    # the header menu every page carries. Absolute links, so the same template on the subsite points
    # back at the main site, as real shared templates do.
    items = "".join(
        f'<li class="nav_item"><a href="{url}">{_e(name)}</a></li>' for url, name in _categories()
    )
    header = (
        f'<div class="header"><div class="logo"><a href="{HOME}">北京科技大学信息公开网</a></div>\n'
        f'<div class="toplink"><a href="{GUIDE_URL}">信息公开指南</a> | <a href="{APPLY_URL}">依申请公开</a></div>\n'
        f'<ul class="nav" id="nav"><li class="nav_item"><a href="{HOME}">首页</a></li>{items}</ul></div>\n'
    )
    trail = "".join(f' &gt; <a href="{_e(u)}">{_e(n)}</a>' for u, n in _trail(frame))
    if frame.article:
        trail += " &gt; 正文"
    location = f'<div class="location">当前位置：<a href="{HOME}">首页</a>{trail}</div>\n'
    side = ""
    if frame.category and frame.siblings:
        items = "".join(
            ('<li class="cur">' if frame.column and s.url == frame.column.url else "<li>")
            + f'<a href="{_e(s.url)}">{_e(s.title)}</a></li>'
            for s in frame.siblings
        )
        latest = "".join(
            f'<li><a href="{_e(x.url)}" target="_blank" title="{_e(x.title)}">{_e(x.title)}</a>'
            f'<span class="date">[{x.day:%m-%d}]</span></li>'
            for x in frame.latest
            if x.day
        )
        side = (
            f'<div class="sidebar">\n<h3>{_e(frame.category[1])}</h3>\n<ul class="submenu">{items}</ul>\n'
            + (f'<div class="zxgk"><h3>最新公开</h3>\n<ul>{latest}</ul></div>\n' if latest else "")
            + "</div>\n"
        )
        main = f'<div class="right_box">\n{main}\n</div>'
    return (
        _head(frame)
        + "<body>\n"
        + header
        + location
        + f'<div class="main">\n{side}{main}\n</div>\n'
        + _plain_footer()
        + "</body>\n</html>\n"
    )


# ---------------------------------------------------------------- the public surface


def page(frame: Frame, main: str) -> str:
    """A whole HTML page: the frame's furniture around `main`, the page's own content."""
    render = {Shell.VSB: _vsb, Shell.WEBPLUS: _webplus, Shell.PLAIN: _plain}[frame.shell]
    return render(frame, main)


def prev_next(frame: Frame, newer: Link | None, older: Link | None) -> str:
    """上一条 (the newer neighbour) and 下一条 (the older one) under an article, in the CMS's markup."""

    def side(link: Link | None, quote: str = '"') -> str:
        if link is None:
            return "没有了"
        href, title = _e(_href(frame, link.url)), _e(link.title)
        return f"<a href={quote}{href}{quote} title={quote}{title}{quote}>{_e(link.title)}</a>"

    if frame.shell is Shell.VSB:
        return (
            f'<dl class="page">\n<dd>\n上一条：{side(newer)}\n下一条：{side(older)}\n</dd></dl>\n'
            "<p align=\"right\">【<a href=\"javascript:window.opener=null;window.open('','_self');window.close();\">"
            "关闭</a>】</p>"
        )
    if frame.shell is Shell.WEBPLUS:
        # no saved WebPlus page shows its prev/next block; these class names follow the arti_* family
        return (
            f'<div class="arti_prenext"><p class="arti_prev">上一篇：{side(newer, chr(39))}</p>'
            f'<p class="arti_next">下一篇：{side(older, chr(39))}</p></div>'
        )
    return f'<div class="prenext"><p>上一条：{side(newer)}</p>\n<p>下一条：{side(older)}</p></div>'
