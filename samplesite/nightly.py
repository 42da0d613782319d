"""Night-by-night changes to the sample site, so `auditor demo --nights N` shows what only a nightly audit
sees: an entry that appears on the last night claiming a date six weeks earlier (倒填日期, item 18), and a
拟录取 list published two days before the audit window's end and taken down on the last night, long before
its 10 working days (item 13).

`NightlyScenario` is a route the server tries before its static files; the demo sets `night` (0-based)
and `nights` before each crawl. Everything else on the site stays as it is every night.
"""

from __future__ import annotations

from dataclasses import dataclass

from samplesite.routes import Request, Response, State, html_response

HOST = "xxgk.ustb.edu.cn"
TENDERS = "/xinxigongkaimulu/caiwuzichan/yiqitushuyaoping/"  # item 18
ADMITTED = "/xinxigongkaimulu/zhaoshengkaoshi/niluquyanjiusheng/"  # item 13
BACKDATED = "/info/1018/5746.htm"
BACKDATED_ROW = ('<li id="line_u6_n"><a href="../../../info/1018/5746.htm" target="_blank" '
                 'title="实验室设备采购项目中标公示">实验室设备采购项目中标公示</a><span>2018-10-15</span></li>\n')
SHORT_LIST = "content_5530.htm"
SHORT_ROW = ('<tr><td class="bt"><a href="content_5530.htm" target="_blank">北京科技大学2019年推免硕士研究生拟录取名单公示'
             '</a></td><td class="sj" align="right">[2018-11-27]</td></tr>\n')


def _article(title: str, published: str, text: str) -> Response:
    return html_response(200, title, f"<h1>{title}</h1><div class=\"info\">发布时间：{published}</div>"
                                      f"<div class=\"v_news_content\"><p>{text}</p></div>")


@dataclass
class NightlyScenario:
    """Which night the site is on; `night` counts from 0 and the last night is `nights - 1`."""

    nights: int = 1
    night: int = 0

    @property
    def last(self) -> bool:
        return self.night >= self.nights - 1

    def respond(self, req: Request, state: State) -> Response | None:
        if self.nights < 2 or req.host != HOST:
            return None
        if req.path == BACKDATED and self.last:
            return _article("实验室设备采购项目中标公示", "2018-10-15",
                            "经评审，实验室设备采购项目中标单位为北京某科技有限公司，中标金额86.5万元。")
        if req.path == ADMITTED + SHORT_LIST and not self.last:
            return _article("北京科技大学2019年推免硕士研究生拟录取名单公示", "2018-11-27",
                            "经学院复试、学校审核，以下推免生拟录取为我校2019级硕士研究生，公示期不少于10个工作日。")
        return None

    def rewrite(self, path: str, body: bytes) -> bytes:
        """The list pages as they stand tonight."""
        if path == TENDERS + "index.html" and self.last:
            return body.replace(b'<li id="line_u6_0">', BACKDATED_ROW.encode() + b'<li id="line_u6_0">', 1)
        if path == ADMITTED + "index.html" and not self.last:
            return body.replace(b'<table class="newslist" width="100%">\n',
                                b'<table class="newslist" width="100%">\n' + SHORT_ROW.encode(), 1)
        return body
