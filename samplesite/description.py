"""The sample site in one compact description: every column, article, attachment and planted defect.

`build.py` renders the HTML pages, the binary attachments and `manifest.yaml` from this one module,
so the pages and the manifest the tests compare against cannot drift apart. The site mirrors
北京科技大学's disclosure site as of the audit date 2018-11-30; the catalogue URLs are the seed's.
To add a page, add an `Article` (or a `Column`) here and run `python -m samplesite.build`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from auditor.models import Verdict, worst
from checklist.loader import load_checklist

AS_OF = date(2018, 11, 30)
MAIN_HOST = "xxgk.ustb.edu.cn"
GRAD_HOST = "yzb.ustb.edu.cn"  # an allowed subsite (研究生招生网)
MOE_HOST = "www.moe.gov.cn"  # off-site, linked from every footer
WEIXIN_HOST = "mp.weixin.qq.com"  # off-site, WeChat articles
# The university's own home page (catalogue `university_home`): another host than the disclosure site,
# which it reaches in two clicks (首页 → 公共服务 → 信息公开网), as the 21世纪教育研究院 assessment asks.
UNIVERSITY_HOST = "www.ustb.edu.cn"
ALLOWED_HOSTS = (MAIN_HOST, GRAD_HOST)
LANDLINE = "010-62332317"  # the disclosure office; a landline is no privacy fault
OFFICE = "北京科技大学信息公开领导小组办公室"  # the footer's copyright holder
ADDRESS = "北京市海淀区学院路30号"
POSTCODE = "100083"
FAX = "010-62332318"
OFFICE_MAIL = "xxgk@ustb.edu.cn"  # the footer's 意见与投诉 address: furniture, never an item's complaint channel
ICP = "京ICP备05050689号"
SIDEBAR_SIZE = 5  # the 最新公开 sidebar: the newest articles site-wide from other columns


class Style(enum.StrEnum):
    """The markup shape of a column, so the generic extractor meets every CMS it must handle."""

    VSB = "vsb"  # 博达 VSB: li#line_u6_N, pager 共N条 1/M, reverse-numbered pages, /info/<col>/<id>.htm
    WEBPLUS = "webplus"  # WebPlus: catalogue 302 -> list.htm, list2.htm, /YYYY/MMDD/c<col>a<id>/page.htm
    TABLE = "table"  # hand-made <table> rows with [2018-06-12]
    CNLIST = "cnlist"  # hand-made <ul> with 2018年06月12日
    ARTICLE = "article"  # a standing item published as one article at the catalogue URL
    BLANK = "blank"  # 暂无内容
    MISSING = "missing"  # the catalogue URL answers 404
    WAF = "waf"  # a web application firewall answers 412 for the whole column


class CrossCase(enum.StrEnum):
    """A case planted for cross-column leaks: what a crawl that counts page furniture (menus of sibling
    columns, the 最新公开 sidebar, 上一条/下一条, the footer) as the item's own would get wrong. Every
    healthy sibling of such a column must still pass; the column itself keeps its own verdict."""

    PRIVACY_LEAK = "privacy-leak"  # full 身份证号 published here; siblings link to it (menu, sidebar)
    DEAD_ATTACHMENTS = "dead-attachments"  # attachments answer 404 here; siblings link to the column
    EMPTY_COLUMN = "empty-column"  # 暂无内容, while the sidebar and menu beside it are full
    OFF_TOPIC_NEWEST = "off-topic-newest"  # newest entry is off-topic; the required document is lower
    SHORT_LIST = "short-list"  # 1-3 own entries beside a 5-entry dated sidebar
    UNREACHABLE_COLUMN = "unreachable-column"  # siblings' menus link to a column answering 404/412


class FileKind(enum.StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Expect:
    """The verdict the rule engine must reach per rule kind; None: not judged (e.g. nothing to judge)."""

    presence: Verdict | None = Verdict.PASS
    freshness: Verdict | None = Verdict.PASS
    content: Verdict | None = Verdict.PASS
    links: Verdict | None = Verdict.PASS
    privacy: Verdict | None = Verdict.PASS

    @property
    def overall(self) -> Verdict:
        # an inconclusive kind makes the item inconclusive: infrastructure failure is never a fail
        judged = [v for v in (self.presence, self.freshness, self.content, self.links, self.privacy) if v]
        return worst(judged)


@dataclass(frozen=True)
class Attachment:
    """A file linked from an article. `rows` are table rows (XLSX) or lines (PDF/DOCX)."""

    name: str  # the Chinese file name users see, with extension
    kind: FileKind
    rows: tuple[tuple[str, ...], ...]
    phrase: str  # text extraction must find this
    broken: bool = False  # the link answers 404: the file was never uploaded
    stem: str = ""  # ASCII file stem for hand-made and WebPlus paths
    embedded: bool = False  # WebPlus: shown by .wp_pdf_player[pdfsrc] instead of a plain link


@dataclass(frozen=True)
class ExtraLink:
    """A link in an article body that is neither an entry nor an attachment (checked for reachability)."""

    text: str
    url: str  # absolute
    outcome: str  # manifest outcome: ok, not-found, robots, offsite
    status: int = 200
    trap: bool = False


@dataclass(frozen=True)
class Article:
    title: str
    published: str  # "2018-05-19 10:41:27"; "" for a page with no date at all
    body: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    links: tuple[ExtraLink, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()  # a 公示 table in the body; the first row is the header
    offsite_url: str = ""  # the list entry points off-site (WeChat) instead of to a detail page
    host: str = ""  # the detail page lives on another allowed host

    @property
    def day(self) -> date | None:
        return date.fromisoformat(self.published[:10]) if self.published else None


@dataclass(frozen=True)
class Column:
    item: int
    category: str  # the URL segment under /xinxigongkaimulu/
    slug: str
    # The university's own column name in its menus, kept here on purpose: it is not the 清单's short_name
    # (it matches it for about half the items) and never a full 清单 wording (see build.py).
    name: str
    style: Style
    articles: tuple[Article, ...] = ()  # newest first
    page_size: int = 15
    encoding: str = "utf-8"
    moved_to: str = ""  # the catalogue URL 301-redirects to this path
    transient: int = 0  # the catalogue URL answers 503 this many times, then 200
    defect: str = ""
    expect: Expect = field(default_factory=Expect)
    cite_wording: bool = True  # the newest article quotes the 清单 wording (false where a defect forbids)
    cross: CrossCase | None = None  # the cross-column case this column plants, if any

    @property
    def path(self) -> str:
        return f"/xinxigongkaimulu/{self.category}/{self.slug}/"

    @property
    def url(self) -> str:
        return f"http://{MAIN_HOST}{self.path}"

    @property
    def col_id(self) -> int:
        return 1000 + self.item


# The 清单 the site's 2018 pages answer. Its wording, category names and title are read from checklist/,
# never copied here: the articles quote them and the menus name the categories.
QINGDAN = load_checklist("qingdan-2014")

# The university's URL segment under /xinxigongkaimulu/ for each 清单 category, in the 清单's order.
_CATEGORY_SLUGS = (
    "jibenxinxi",
    "zhaoshengkaoshi",
    "caiwuzichan",
    "renshishizi",
    "jiaoxuezhiliang",
    "xueshengguanli",
    "xuefengjianshe",
    "xueweixueke",
    "duiwaijiaoliu",
    "qita",
)
# (slug, the 清单's category name), e.g. ("jibenxinxi", "基本信息").
CATEGORIES: tuple[tuple[str, str], ...] = tuple(
    (slug, QINGDAN.categories[number]) for number, slug in enumerate(_CATEGORY_SLUGS, 1)
)


def gb11643(first17: str) -> str:
    """A full 18-digit 身份证号 with a valid GB 11643 check digit (the privacy defect must be real)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


P = Verdict.PASS
W = Verdict.WARN
F = Verdict.FAIL
I = Verdict.INCONCLUSIVE


def _a(title: str, published: str, *body: str, **kw: object) -> Article:
    return Article(title, published, tuple(body), **kw)  # type: ignore[arg-type]


def _m(url_path: str, host: str = MAIN_HOST) -> str:
    return f"http://{host}{url_path}"


_REGULATIONS = (
    ("北京科技大学章程", "2015-06-18 09:30:00"),
    ("北京科技大学信息公开办法（试行）", "2014-03-12 10:00:00"),
    ("北京科技大学党务公开工作管理办法（试行）", "2014-03-12 10:05:00"),
    ("关于进一步加强信息公开工作的通知", "2018-04-16 15:20:11"),
    ("北京科技大学基本建设招标采购管理规定（暂行）", "2018-09-10 11:02:45"),
    ("北京科技大学学术委员会章程", "2015-11-02 08:40:00"),
    ("北京科技大学本科生学籍管理规定", "2017-09-01 09:00:00"),
    ("北京科技大学研究生学籍管理规定", "2017-09-01 09:10:00"),
    ("北京科技大学财务管理办法", "2016-05-20 14:30:00"),
    ("北京科技大学国有资产管理办法", "2016-06-08 16:12:09"),
    ("北京科技大学教职工代表大会实施细则", "2015-12-15 10:00:00"),
    ("北京科技大学学位授予工作细则", "2017-06-30 17:00:00"),
    ("北京科技大学科研经费管理办法", "2017-03-22 09:45:00"),
    ("北京科技大学实验室安全管理办法", "2018-03-05 08:20:00"),
    ("北京科技大学档案管理办法", "2016-10-11 10:30:00"),
    ("北京科技大学公务接待管理办法", "2016-01-08 11:11:11"),
    ("北京科技大学因公临时出国（境）管理办法", "2017-02-20 15:00:00"),
    ("北京科技大学校园网络与信息安全管理办法", "2018-06-25 10:40:00"),
    ("北京科技大学保密工作管理规定", "2016-04-26 09:00:00"),
    ("北京科技大学突发事件总体应急预案", "2017-11-15 14:00:00"),
    ("北京科技大学二级单位财务管理规定", "2018-01-09 10:20:30"),
    ("北京科技大学校务委员会章程", "2015-03-18 16:00:00"),
    ("北京科技大学合同管理办法", "2017-12-01 09:00:00"),
    ("北京科技大学印章管理规定", "2016-09-19 10:00:00"),
)

_TENDERS = tuple(
    (title, when)
    for title, when in (
        ("高温合金熔炼炉采购项目招标公告", "2018-11-20 16:45:00"),
        ("图书馆2019年中文图书采购项目中标公告", "2018-11-08 10:12:00"),
        ("化学试剂及实验耗材采购项目（第二批）招标公告", "2018-10-29 09:30:00"),
        ("学生宿舍楼（10号楼）维修改造工程招标公告", "2018-10-16 14:00:00"),
        ("扫描电子显微镜采购项目中标公告", "2018-09-27 11:20:00"),
        ("体育馆屋面防水工程中标候选人公示", "2018-09-14 15:10:00"),
        ("X射线衍射仪采购项目招标公告", "2018-08-30 10:00:00"),
        ("2018年外文期刊采购项目中标公告", "2018-08-17 09:40:00"),
        ("实验动物饲料及药品采购项目招标公告", "2018-07-26 16:00:00"),
        ("机电楼消防系统改造工程招标公告", "2018-07-12 08:50:00"),
        ("高性能计算集群扩容项目中标公告", "2018-06-28 17:30:00"),
        ("校园安防监控系统升级项目招标公告", "2018-06-11 10:25:00"),
        ("教学楼多媒体设备采购项目中标公告", "2018-05-30 11:00:00"),
        ("冶金实验楼通风系统改造工程招标公告", "2018-05-16 09:15:00"),
        ("数字图书馆资源采购项目招标公告", "2018-04-27 14:40:00"),
        ("学生食堂厨房设备采购项目中标公告", "2018-04-12 10:00:00"),
        ("原子力显微镜采购项目招标公告", "2018-03-29 15:35:00"),
        ("校园道路维修工程中标候选人公示", "2018-03-15 09:00:00"),
        ("电化学工作站采购项目招标公告", "2018-03-01 10:10:00"),
        ("2018年办公家具采购项目中标公告", "2018-01-25 16:20:00"),
        ("锅炉房低氮改造工程招标公告", "2018-01-11 08:30:00"),
        ("材料表征仪器采购项目中标公告", "2017-12-22 11:45:00"),
        ("计算机房空调采购项目招标公告", "2017-12-07 14:00:00"),
        ("网络核心交换机采购项目中标公告", "2017-11-23 10:30:00"),
        ("实验室危险化学品仓库建设工程招标公告", "2017-11-09 09:20:00"),
    )
)

_ENTERPRISES = tuple(
    _a(
        f"北京科技大学{name}2018年度资产负债情况",
        when,
        f"{name}为学校全资企业。截至2018年6月30日，资产总额与负债总额如下，国有资产实现保值增值。",
    )
    for name, when in (
        ("资产经营有限公司", "2018-09-28 10:00:00"),
        ("科技园有限公司", "2018-09-27 10:00:00"),
        ("出版社有限公司", "2018-09-26 10:00:00"),
        ("设计研究院有限公司", "2018-09-25 10:00:00"),
        ("冶金工程技术公司", "2018-09-21 10:00:00"),
        ("新材料技术公司", "2018-09-20 10:00:00"),
        ("后勤服务有限公司", "2018-09-19 10:00:00"),
        ("工程检测中心", "2018-09-18 10:00:00"),
        ("印刷厂", "2018-09-17 10:00:00"),
        ("培训中心", "2018-09-14 10:00:00"),
        ("技术转移中心有限公司", "2018-09-13 10:00:00"),
        ("节能技术有限公司", "2018-09-12 10:00:00"),
    )
)

_BUDGET_PDF = Attachment(
    "北京科技大学2018年部门预算.pdf",
    FileKind.PDF,
    (
        ("北京科技大学2018年部门预算",),
        ("一、收支预算总表", "收入合计 687,420.15万元", "支出合计 687,420.15万元"),
        ("二、收入预算表", "财政拨款收入 302,118.60万元", "事业收入 251,306.20万元"),
        ("三、支出预算表", "基本支出 398,210.44万元", "项目支出 289,209.71万元"),
        ("四、财政拨款支出预算表", "2050205 高等教育 268,502.18万元", "2060101 行政运行 12,304.00万元"),
        ("预算编制细化到项级科目。",),
    ),
    phrase="财政拨款支出预算表",
    stem="bumenyusuan2018",
    embedded=True,
)

_FINAL_PDF = Attachment(
    "北京科技大学2017年度部门决算.pdf",
    FileKind.PDF,
    (
        ("北京科技大学2017年度部门决算",),
        ("一、收支决算总表", "本年收入合计 652,087.31万元", "本年支出合计 640,915.77万元"),
        ("二、收入决算表", "财政拨款收入 289,441.02万元", "事业收入 240,118.95万元"),
        ("三、支出决算表", "基本支出 381,602.18万元", "项目支出 259,313.59万元"),
        ("2050205 高等教育 250,817.44万元",),
    ),
    phrase="收支决算总表",
    stem="bumenjuesuan2017",
)

_REPORT_PDF = Attachment(
    "北京科技大学2015~2016学年信息公开工作年度报告.pdf",
    FileKind.PDF,
    (
        ("北京科技大学2015~2016学年信息公开工作年度报告",),
        ("一、概述", "二、主动公开情况", "三、依申请公开和不予公开情况"),
        ("报告中统计数据的时间为2015年9月1日至2016年8月31日。",),
    ),
    phrase="2015~2016学年",
    stem="xxgkndbg2016",
)

_EMPLOYMENT_PDF = Attachment(
    "北京科技大学2017届毕业生就业质量年度报告.pdf",
    FileKind.PDF,
    (
        ("北京科技大学2017届毕业生就业质量年度报告",),
        ("毕业生总数 6,512人", "总体就业率 96.83%", "升学出国 38.2%"),
        ("就业流向：国有企业、科研设计单位、高等教育单位。",),
    ),
    phrase="就业率",
    stem="jiuyezhiliang2017",
)

def _never_uploaded(name: str, stem: str, phrase: str) -> Attachment:
    """A PDF the article links to but nobody uploaded: its link answers 404."""
    return Attachment(f"{name}.pdf", FileKind.PDF, ((name,),), phrase=phrase, broken=True, stem=stem)


# the 教代会 report's three documents were never uploaded (several dead attachments in one column)
_STAFF_CONGRESS_MISSING = (
    _never_uploaded("八届五次教代会学校工作报告", "jdh2018xxgzbg", "学校工作报告"),
    _never_uploaded("八届五次教代会财务工作报告", "jdh2018cwgzbg", "财务工作报告"),
    _never_uploaded("八届五次教代会提案工作报告", "jdh2018tagzbg", "提案工作报告"),
)

_QUALITY_PDF_MISSING = Attachment(
    "北京科技大学2017-2018学年本科教学质量报告.pdf",
    FileKind.PDF,
    (("北京科技大学2017-2018学年本科教学质量报告",),),
    phrase="本科教学质量报告",
    broken=True,
    stem="bkjxzlbg2018",
)

_RETEST_XLSX = Attachment(
    "2018年硕士研究生复试成绩.xlsx",
    FileKind.XLSX,
    (
        ("序号", "姓名", "身份证号", "考生编号", "报考专业", "初试成绩", "复试成绩", "总成绩"),
        (
            "1",
            "王晓明",
            gb11643("11010819950312123"),
            "100088000001231",
            "材料科学与工程",
            "389",
            "86.5",
            "82.33",
        ),
        ("2", "李思雨", gb11643("13010219960721234"), "100088000001456", "冶金工程", "372", "84.0", "79.87"),
        (
            "3",
            "张子涵",
            gb11643("37020319951108345"),
            "100088000002017",
            "计算机科学与技术",
            "401",
            "88.2",
            "84.96",
        ),
        ("4", "陈一帆", gb11643("41010519960205456"), "100088000002338", "机械工程", "365", "81.5", "77.25"),
    ),
    phrase="复试成绩",
    stem="fushichengji2018",
)

_AID_DOCX = Attachment(
    "北京科技大学学生奖助学金管理办法.docx",
    FileKind.DOCX,
    (
        ("北京科技大学学生奖助学金管理办法",),
        ("第一章 总则",),
        (
            "第二条 本办法所称奖助学金包括国家奖学金、国家励志奖学金、国家助学金、学校奖学金和社会捐助奖助学金。",
        ),
        (
            "第三章 学费减免与助学贷款",
            "第十二条 家庭经济困难学生可申请国家助学贷款、学费减免和勤工俭学岗位。",
        ),
    ),
    phrase="国家奖学金",
    stem="jiangzhuxuejin",
)

_CHARTER_DOCX = Attachment(
    "北京科技大学章程.docx",
    FileKind.DOCX,
    (
        ("北京科技大学章程",),
        ("第一章 总则",),
        ("第一条 为建设中国特色现代大学制度，依据《中华人民共和国高等教育法》，制定本章程。",),
    ),
    phrase="北京科技大学章程",
    stem="zhangcheng",
)

_FACTS_XLSX = Attachment(
    "北京科技大学办学基本情况统计表（2018年）.xlsx",
    FileKind.XLSX,
    (
        ("项目", "数量", "备注"),
        ("本科在校生", "14382", "全日制"),
        ("研究生在校生", "10127", "含博士研究生2631人"),
        ("专任教师", "1867", "教授492人"),
        ("本科专业", "51", "2018年"),
    ),
    phrase="在校生",
    stem="banxuejiben2018",
)


def _tender(title: str, when: str, idx: int) -> Article:
    links: tuple[ExtraLink, ...] = ()
    if idx == 1:
        # the one article that links to a withdrawn page: a links warning, nothing worse
        links = (ExtraLink("原招标公告", _m("/info/1018/9999.htm"), "not-found", 404),)
    return _a(
        title,
        when,
        f"根据《中华人民共和国招标投标法》及学校有关规定，现就{title.replace('公告', '').replace('公示', '')}有关事项公布如下。",
        "采购人：北京科技大学资产管理处；采购代理机构：中化国际招标有限责任公司。",
        links=links,
    )


COLUMNS: tuple[Column, ...] = (
    Column(
        1,
        "jibenxinxi",
        "jibenbanxue",
        "办学基本情况",
        Style.VSB,
        (
            _a(
                "北京科技大学2018年办学基本情况",
                "2018-10-12 09:20:31",
                "学校现有本科专业51个，各类在校生情况、教师和专业技术人员数量见附表。",
                attachments=(_FACTS_XLSX,),
            ),
            _a(
                "校级领导班子简介及分工",
                "2018-07-03 16:00:00",
                "校级领导班子成员分工如下：党委书记主持党委全面工作；校长主持行政全面工作。",
            ),
            _a(
                "北京科技大学学校机构设置",
                "2018-03-20 10:15:00",
                "学校设党政管理机构25个、学院16个、直属单位12个。",
            ),
        ),
    ),
    Column(
        2,
        "jibenxinxi",
        "jibenxuexiao",
        "学校章程及规章制度",
        Style.VSB,
        tuple(
            _a(
                title,
                when,
                f"《{title}》全文如下。",
                "第一条 为规范学校管理，依据国家有关法律法规，制定本规定。",
                attachments=(_CHARTER_DOCX,) if title == "北京科技大学章程" else (),
            )
            for title, when in sorted(_REGULATIONS, key=lambda r: r[1], reverse=True)
        ),
        page_size=15,
    ),
    Column(
        3,
        "jibenxinxi",
        "jibenjiaozhi",
        "教代会",
        Style.VSB,
        (
            _a(
                "北京科技大学第八届教职工代表大会第五次会议工作报告",
                "2018-04-26 14:30:00",
                "会议审议通过了学校工作报告、财务工作报告和提案工作报告，全文见附件。",
                attachments=_STAFF_CONGRESS_MISSING,
            ),
            _a("2017年教代会提案工作报告", "2018-04-26 14:20:00", "八届四次教代会共收到提案40件，立案40件。"),
            _a(
                "北京科技大学教职工代表大会实施细则",
                "2015-12-15 10:00:00",
                "第一条 为保障教职工参与学校民主管理和监督，制定本细则。",
            ),
        ),
        defect="the 2018 report's three attachments were never uploaded: each link answers 404",
        expect=Expect(links=F),
        cross=CrossCase.DEAD_ATTACHMENTS,
    ),
    Column(
        4,
        "jibenxinxi",
        "niandubaogao",
        "学术委员会",
        Style.WEBPLUS,
        (
            _a(
                "北京科技大学学术委员会2017~2018学年度报告",
                "2018-09-21 10:00:00",
                "本学年度学术委员会召开全体会议4次，审议学科建设规划等事项。",
            ),
            _a("北京科技大学学术委员会章程", "2015-11-02 08:40:00", "第一条 学术委员会是学校最高学术机构。"),
        ),
    ),
    Column(
        5,
        "jibenxinxi",
        "jibenxuexiaofa",
        "发展规划",
        Style.VSB,
        (
            _a(
                "北京科技大学2018年党政工作要点",
                "2018-03-20 11:00:00",
                "2018年学校重点工作安排如下：深化综合改革，推进“双一流”建设。",
                links=(ExtraLink("规划编制工作底稿（内部）", _m("/private/plan.htm"), "robots"),),
            ),
            _a(
                "北京科技大学“十三五”发展规划",
                "2016-11-18 09:00:00",
                "“十三五”期间学校发展的总体目标、主要任务和保障措施。",
            ),
        ),
        defect="a page links to /private/plan.htm, which robots.txt disallows",
    ),
    Column(
        6,
        "jibenxinxi",
        "xinxigongkainiandubaogao",
        "信息公开年度报告",
        Style.VSB,
        (
            _a(
                "北京科技大学2015~2016学年信息公开工作年度报告",
                "2016-10-28 17:05:12",
                "根据《高等学校信息公开办法》，现公布我校2015~2016学年度信息公开工作年度报告，全文见附件。",
                attachments=(_REPORT_PDF,),
            ),
            _a(
                "北京科技大学2014~2015学年信息公开工作年度报告",
                "2015-10-30 16:40:00",
                "现公布我校2014~2015学年度信息公开工作年度报告。",
            ),
        ),
        defect="only the 2014~2015 and 2015~2016 editions; 2017~2018 (due 2018-10-31) is missing",
        expect=Expect(freshness=F),
    ),
    Column(
        7,
        "zhaoshengkaoshi",
        "zhaoshengzhangcheng",
        "招生章程与计划",
        Style.TABLE,
        (
            _a(
                "2018年分省分专业招生计划",
                "2018-06-15 10:00:00",
                "2018年本科招生计划分批次、分科类公布如下。",
                table=(
                    ("省份", "科类", "批次", "计划数"),
                    ("北京", "理工", "本科一批", "312"),
                    ("河北", "理工", "本科一批", "126"),
                ),
            ),
            _a(
                "北京科技大学2018年本科招生章程",
                "2018-05-25 09:00:00",
                "第一条 为规范招生工作，依据《中华人民共和国高等教育法》制定本章程。",
            ),
            _a(
                "北京科技大学2018年自主招生简章",
                "2018-03-10 09:00:00",
                "自主招生为特殊类型招生，报名条件及测试办法如下。",
            ),
        ),
    ),
    Column(
        8,
        "zhaoshengkaoshi",
        "baosongzizhu",
        "特殊类型招生",
        Style.TABLE,
        (
            _a(
                "北京科技大学2018年自主招生入选资格考生名单公示",
                "2018-06-12 15:00:00",
                "经专家测试，以下考生获得2018年自主招生入选资格。",
                table=(
                    ("姓名", "性别", "中学", "测试结果"),
                    ("刘嘉怡", "女", "北京市第四中学", "合格"),
                    ("赵明轩", "男", "石家庄市第二中学", "合格"),
                ),
            ),
            _a(
                "2018年高水平运动队测试合格名单",
                "2018-03-28 10:00:00",
                "高水平运动员测试结果公示如下。",
                table=(("姓名", "性别", "项目", "测试结果"), ("孙浩然", "男", "田径", "合格")),
            ),
        ),
    ),
    Column(
        9,
        "zhaoshengkaoshi",
        "kaoshenggeren",
        "录取查询与录取分数",
        Style.TABLE,
        (
            _a(
                "2018年分省分科类录取人数和最低分",
                "2018-08-30 09:00:00",
                "2018年各省分批次、分科类录取人数和录取最低分如下。",
                table=(
                    ("省份", "科类", "录取人数", "最低分"),
                    ("北京", "理工", "305", "651"),
                    ("河北", "理工", "124", "668"),
                ),
            ),
            _a(
                "2018年本科录取结果查询渠道和办法",
                "2018-07-10 08:30:00",
                "考生可通过本科招生网录取查询系统、各省级招生考试机构网站查询个人录取信息，查询办法：输入考生号和身份证号后四位。",
            ),
        ),
    ),
    Column(
        10,
        "zhaoshengkaoshi",
        "zhaoshengzixun",
        "招生咨询与申诉",
        Style.ARTICLE,
        (
            _a(
                "北京科技大学招生咨询及考生申诉渠道",
                "2018-05-28 09:00:00",
                "招生咨询电话：010-62332589；咨询邮箱：zhaosheng@ustb.edu.cn。",
                "考生申诉渠道：对录取有异议的考生可向招生监察办公室提出申诉，电话010-62334990。",
                "新生复查期间有关举报、调查及处理结果将在本栏目公布；2018年新生复查未收到举报。",
            ),
        ),
        transient=2,
        defect="the catalogue URL answers 503 twice (Retry-After), then 200",
    ),
    Column(
        11,
        "zhaoshengkaoshi",
        "yanjiusheng",
        "研究生招生简章",
        Style.VSB,
        (
            _a(
                "北京科技大学2019年硕士研究生招生简章及专业目录",
                "2018-09-25 10:00:00",
                "2019年硕士研究生招生简章、招生专业目录及各学院招收研究生人数已发布在研究生招生网。",
                host=GRAD_HOST,
            ),
            _a(
                "北京科技大学2018年硕士研究生复试录取办法",
                "2018-03-12 09:00:00",
                "复试录取办法及各学院复试分数线如下。",
            ),
        ),
    ),
    Column(
        12,
        "zhaoshengkaoshi",
        "canjiayanjiusheng",
        "复试成绩",
        Style.TABLE,
        (
            _a(
                "2018年硕士研究生复试成绩公示",
                "2018-04-02 17:00:00",
                "2018年硕士研究生复试成绩见附件。",
                attachments=(_RETEST_XLSX,),
            ),
            _a("2017年硕士研究生复试成绩公示", "2017-04-05 17:00:00", "2017年硕士研究生复试成绩已公示期满。"),
        ),
        defect="the 2018 XLSX lists full 18-digit 身份证号 with valid check digits",
        expect=Expect(privacy=F),

        cross=CrossCase.PRIVACY_LEAK,
    ),
    Column(
        13,
        "zhaoshengkaoshi",
        "niluquyanjiusheng",
        "拟录取名单",
        Style.TABLE,
        (
            _a(
                "北京科技大学2018年拟录取硕士研究生名单公示",
                "2018-04-20 16:00:00",
                f"公示期不少于10个工作日。如有异议，请联系研究生院招生办公室，电话{LANDLINE}。",
                table=(
                    ("序号", "姓名", "考生编号", "证件号码", "拟录取专业"),
                    ("1", "王晓明", "100088000001231", "110108********1238", "材料科学与工程"),
                    ("2", "李思雨", "100088000001456", "130102********2341", "冶金工程"),
                    ("3", "张子涵", "100088000002017", "370203********3452", "计算机科学与技术"),
                ),
            ),
        ),
    ),
    Column(
        14,
        "zhaoshengkaoshi",
        "yanjiushengzhaosheng",
        "研招咨询与申诉",
        Style.ARTICLE,
        (
            _a(
                "北京科技大学研究生招生咨询及申诉渠道",
                "2018-09-26 10:00:00",
                "研究生招生咨询电话：010-62332843；咨询邮箱：yzb@ustb.edu.cn。",
                "考生申诉渠道：研究生院招生办公室受理考生申诉，纪委办公室受理举报。",
            ),
        ),
    ),
    Column(
        15,
        "caiwuzichan",
        "caiwuzichanzhidu",
        "财务资产管理制度",
        Style.VSB,
        (
            _a(
                "北京科技大学二级单位财务管理规定",
                "2018-01-09 10:20:30",
                "第一条 为加强二级单位财务管理，制定本规定。",
            ),
            _a(
                "北京科技大学国有资产管理办法",
                "2016-06-08 16:12:09",
                "第一条 为加强国有资产管理，制定本办法。",
            ),
            _a("北京科技大学财务管理办法", "2016-05-20 14:30:00", "第一条 为规范学校财务行为，制定本办法。"),
        ),
    ),
    Column(
        16,
        "caiwuzichan",
        "shoujuancaichan",
        "受捐赠财产",
        Style.WEBPLUS,
        (
            # an off-topic notice on top (the column is shared with the finance office's notices); the
            # required report is the next entry down. Its 投诉 line must not reach item 21 either.
            _a(
                "关于缴纳2018-2019学年学费和住宿费的通知",
                "2018-11-26 09:00:00",
                "请尚未缴费的同学于2018年12月7日前通过学校统一支付平台缴纳本学年学费和住宿费。",
                "收费项目、收费标准见学校收费公示；对收费有异议的，可拨打投诉电话010-62334113。",
            ),
            _a(
                "北京科技大学教育发展基金会2017年度工作报告",
                "2018-05-30 10:00:00",
                "2017年度基金会接受捐赠收入8,215.6万元，捐赠财产的使用与管理情况如下。",
            ),
            _a(
                "北京科技大学教育发展基金会2016年度工作报告",
                "2017-05-26 10:00:00",
                "2016年度受捐赠财产的使用与管理情况。",
            ),
        ),
        cite_wording=False,  # the fee notice on top quotes no 清单 item
        cross=CrossCase.OFF_TOPIC_NEWEST,
    ),
    Column(17, "caiwuzichan", "xiaobanqiyezichan", "校办企业", Style.WEBPLUS, _ENTERPRISES, page_size=10),
    Column(
        18,
        "caiwuzichan",
        "yiqitushuyaoping",
        "招投标",
        Style.VSB,
        tuple(_tender(t, w, i) for i, (t, w) in enumerate(_TENDERS)),
        page_size=10,
        defect="one tender article links to a withdrawn page that answers 404",
        expect=Expect(links=W),
    ),
    Column(
        19,
        "caiwuzichan",
        "shouruzhichu",
        "预算",
        Style.WEBPLUS,
        (
            _a(
                "北京科技大学2018年部门预算",
                "2018-04-20 09:30:00",
                "现将我校2018年部门预算公开如下。",
                attachments=(_BUDGET_PDF,),
            ),
            _a("北京科技大学2017年部门预算", "2017-04-21 09:30:00", "现将我校2017年部门预算公开如下。"),
        ),
        defect="the four tables are named only in the embedded PDF (wp_pdf_player)",
        cite_wording=False,
    ),
    Column(
        20,
        "caiwuzichan",
        "juesuanbiao",
        "决算",
        Style.VSB,
        (
            _a(
                "北京科技大学2017年度部门决算",
                "2018-07-20 10:00:00",
                "现将我校2017年度部门决算公开如下，详见附件。",
                attachments=(_FINAL_PDF,),
            ),
        ),
        defect="the 2017 final-accounts PDF lacks 财政拨款支出决算表",
        expect=Expect(content=F),
        cite_wording=False,
    ),
    Column(
        21,
        "caiwuzichan",
        "tousufangshi",
        "收费信息",
        Style.ARTICLE,
        (
            _a(
                "北京科技大学2018~2019学年收费公示",
                "2018-08-28 09:00:00",
                "收费项目：学费、住宿费。",
                "收费依据：京发改〔2016〕1165号、京教财〔2018〕22号。",
                "收费标准：本科学费每生每学年5000元至6000元，住宿费每生每学年750元至1200元。",
            ),
        ),
        defect="收费项目/依据/标准 are published but no complaint channel (投诉) is named",
        expect=Expect(content=F),
        cite_wording=False,
    ),
    Column(
        22,
        "renshishizi",
        "xiaoji",
        "领导兼职",
        Style.BLANK,
        defect="blank column: only 暂无内容",
        expect=Expect(presence=F, freshness=None, content=None, links=None, privacy=None),

        cross=CrossCase.EMPTY_COLUMN,
    ),
    Column(
        23,
        "renshishizi",
        "xiaojilingdao",
        "因公出国（境）",
        Style.CNLIST,
        (
            _a(
                "校领导因公出国（境）公示（2018年第6批）",
                "2018-11-12 09:00:00",
                "经学校批准，校领导一行3人拟赴德国访问亚琛工业大学，出访时间7天。",
            ),
            _a(
                "校领导因公出国（境）公示（2018年第5批）",
                "2018-09-03 09:00:00",
                "经学校批准，校领导一行2人拟赴澳大利亚访问莫纳什大学。",
            ),
            _a(
                "校领导因公出国（境）公示（2018年第4批）",
                "2018-06-15 09:00:00",
                "经学校批准，校领导一行4人拟赴日本访问东北大学。",
            ),
        ),
        encoding="gbk",
        defect="GBK-encoded pages whose charset is declared only in <meta>",
    ),
    Column(
        24,
        "renshishizi",
        "gangweishezhi",
        "岗位设置与聘用",
        Style.ARTICLE,
        (
            _a(
                "北京科技大学岗位设置管理与聘用办法",
                "2017-05-10 10:00:00",
                "第一条 为深化人事制度改革，规范岗位设置管理和人员聘用，制定本办法。",
                "第二条 学校岗位分为管理岗位、专业技术岗位和工勤技能岗位三种类别。",
            ),
        ),
        moved_to="/xinxigongkaimulu/renshishizi/gangweishezhiguanli/",
        defect="the catalogue URL 301-redirects to the column's new path",
    ),
    Column(
        25,
        "renshishizi",
        "xiaoneizhongceng",
        "干部任免与招聘",
        Style.VSB,
        (
            _a(
                "关于王建国等同志职务任免的通知",
                "2017-12-15 16:00:00",
                "经学校党委常委会研究决定，任免以下同志职务。",
            ),
            _a(
                "北京科技大学2017年公开招聘工作人员公告",
                "2017-10-20 09:00:00",
                "学校面向社会公开招聘管理岗位工作人员10名。",
            ),
            _a(
                "关于李红等同志职务任免的通知",
                "2017-07-06 16:00:00",
                "经学校党委常委会研究决定，任免以下同志职务。",
            ),
        ),
        defect="newest entry 2017-12-15: older than the 6-month span",
        expect=Expect(freshness=W),
    ),
    Column(
        26,
        "renshishizi",
        "jiaozhigong",
        "教职工争议解决",
        Style.ARTICLE,
        (
            _a(
                "北京科技大学教职工人事争议调解办法",
                "2016-09-12 10:00:00",
                "第一条 学校设立教职工人事争议调解委员会，调解教职工与学校之间的人事争议。",
            ),
        ),
    ),
    Column(
        27,
        "jiaoxuezhiliang",
        "benkesheng",
        "学生与教师结构",
        Style.WEBPLUS,
        (
            _a(
                "2018年本科生占全日制在校生比例及教师数量与结构",
                "2018-10-25 10:00:00",
                "本科生占全日制在校生总数的比例为57.8%；专任教师1867人，其中教授492人、副教授765人。",
            ),
            _a(
                "2017年本科生占全日制在校生比例及教师数量与结构",
                "2017-10-26 10:00:00",
                "本科生比例为58.3%；专任教师1842人。",
            ),
        ),
    ),
    Column(
        28,
        "jiaoxuezhiliang",
        "zhuanyeshezhi",
        "专业设置",
        Style.CNLIST,
        (
            _a(
                "2016年本科专业设置及新增专业名单",
                "2016-09-01 09:00:00",
                "2016年学校本科专业51个，新增专业1个，停招专业0个。",
            ),
            _a("2015年本科专业设置及新增专业名单", "2015-09-02 09:00:00", "2015年学校本科专业50个。"),
        ),
        defect="newest edition 2016-09-01: older than 13 months",
        expect=Expect(freshness=F),

        cross=CrossCase.SHORT_LIST,
    ),
    Column(
        29,
        "jiaoxuezhiliang",
        "quanxiaokaishekecheng",
        "课程与学分",
        Style.WEBPLUS,
        (
            _a(
                "2017-2018学年全校开设课程及学分结构",
                "2018-09-28 10:00:00",
                "全校开设本科课程总门数2,864门；实践教学学分占总学分比例28.6%；选修课学分占总学分比例21.4%。",
            ),
        ),

        cross=CrossCase.SHORT_LIST,
    ),
    Column(
        30,
        "jiaoxuezhiliang",
        "zhujiangbenke",
        "教授授课",
        Style.WEBPLUS,
        (
            _a(
                "2017-2018学年教授主讲本科课程情况",
                "2018-09-28 10:30:00",
                "主讲本科课程的教授占教授总数的比例为92.1%；教授授本科课程占课程总门次数的比例为21.7%。",
            ),
        ),
    ),
    Column(
        31,
        "jiaoxuezhiliang",
        "cujinbiyesheng",
        "就业政策与服务",
        Style.VSB,
        (
            _a(
                "北京科技大学2019届毕业生就业指导服务安排",
                "2018-10-09 09:00:00",
                "学校开设就业指导课程，组织校园招聘会，提供一对一就业咨询。",
            ),
            _a(
                "北京科技大学关于促进毕业生就业的若干措施",
                "2017-03-15 09:00:00",
                "第一条 学校把促进毕业生就业作为重要工作。",
            ),
        ),
    ),
    Column(
        32,
        "jiaoxuezhiliang",
        "biyeshengdeguimo",
        "毕业生就业情况",
        Style.VSB,
        (
            _a(
                "北京科技大学2018届毕业生就业基本情况",
                "2018-09-20 10:00:00",
                "2018届毕业生规模6,634人，其中本科生3,512人；总体就业率96.9%；就业流向以国有企业和科研单位为主。",
            ),
            _a("北京科技大学2017届毕业生就业基本情况", "2017-09-22 10:00:00", "2017届毕业生规模6,512人。"),
        ),
    ),
    Column(
        33,
        "jiaoxuezhiliang",
        "gaoxiaobiyesheng",
        "就业质量报告",
        Style.WEBPLUS,
        (
            _a(
                "北京科技大学2017届毕业生就业质量年度报告",
                "2017-12-28 10:00:00",
                "现发布我校2017届毕业生就业质量年度报告，全文见附件。",
                attachments=(_EMPLOYMENT_PDF,),
            ),
            _a(
                "北京科技大学2016届毕业生就业质量年度报告",
                "2016-12-29 10:00:00",
                "现发布我校2016届毕业生就业质量年度报告。",
            ),
            _a(
                "北京科技大学2015届毕业生就业质量年度报告",
                "2015-12-30 10:00:00",
                "现发布我校2015届毕业生就业质量年度报告。",
            ),
        ),
    ),
    Column(
        34,
        "jiaoxuezhiliang",
        "yishujiaoyu",
        "艺术教育",
        Style.CNLIST,
        (
            _a(
                "北京科技大学2017年艺术教育发展年度报告",
                "2017-12-20 10:00:00",
                "2017年学校开设艺术类公共选修课32门，组织校园艺术活动56场。",
            ),
            _a(
                "北京科技大学2016年艺术教育发展年度报告",
                "2016-12-22 10:00:00",
                "2016年学校艺术教育工作总结。",
            ),
        ),
    ),
    Column(
        35,
        "jiaoxuezhiliang",
        "benkejiaoxue",
        "本科教学质量报告",
        Style.WEBPLUS,
        (
            _a(
                "北京科技大学2017-2018学年本科教学质量报告",
                "2018-11-16 10:00:00",
                "现发布我校2017-2018学年本科教学质量报告，全文见附件。",
                attachments=(_QUALITY_PDF_MISSING,),
            ),
            _a(
                "北京科技大学2016-2017学年本科教学质量报告",
                "2017-12-15 10:00:00",
                "现发布我校2016-2017学年本科教学质量报告。",
            ),
        ),
        defect="the 2017-2018 report's PDF link answers 404",
        expect=Expect(links=F),

        cross=CrossCase.DEAD_ATTACHMENTS,
    ),
    Column(
        36,
        "xueshengguanli",
        "xuejiguanli",
        "学籍管理",
        Style.ARTICLE,
        (
            _a(
                "北京科技大学本科生学籍管理规定",
                "2017-09-01 09:00:00",
                "第一条 为维护正常的教育教学秩序，根据《普通高等学校学生管理规定》（教育部令第41号），制定本规定。",
            ),
        ),
    ),
    Column(
        37,
        "xueshengguanli",
        "xueshengjiangxuejin",
        "奖助学金",
        Style.CNLIST,
        (
            _a(
                "2018年国家奖学金获奖学生名单公示",
                "2018-10-22 14:00:00",
                "经学院推荐、学校评审，拟推荐以下同学获得2018年国家奖学金，公示期5个工作日。",
                table=(
                    ("姓名", "学院", "专业", "联系电话"),
                    ("周雨桐", "材料科学与工程学院", "材料物理", "13912345678"),
                    ("吴浩宇", "冶金与生态工程学院", "冶金工程", "18601234567"),
                    ("郑可欣", "计算机与通信工程学院", "物联网工程", "15811226688"),
                ),
            ),
            _a(
                "北京科技大学学生奖助学金管理办法",
                "2017-09-15 10:00:00",
                "学生奖学金、助学金、学费减免、助学贷款、勤工俭学的申请条件与管理规定见附件。",
                attachments=(_AID_DOCX,),
            ),
        ),
        defect="the 2018 公示 lists students' 11-digit mobile numbers",
        expect=Expect(privacy=F),
    ),
    Column(
        38,
        "xueshengguanli",
        "xueshengjiangli",
        "奖励处罚",
        Style.CNLIST,
        (
            _a(
                "北京科技大学学生违纪处分规定",
                "2017-09-01 10:00:00",
                "第一条 为维护学校正常秩序，制定本规定。",
            ),
            _a("北京科技大学学生奖励办法", "2017-09-01 09:30:00", "第一条 为激励学生全面发展，制定本办法。"),
        ),
    ),
    Column(
        39,
        "xueshengguanli",
        "xueshengshensu",
        "学生申诉",
        Style.ARTICLE,
        (
            _a(
                "北京科技大学学生申诉处理办法",
                "2017-09-01 11:00:00",
                "第一条 学校成立学生申诉处理委员会，受理学生对处理或者处分决定不服提出的申诉。",
            ),
        ),
    ),
    Column(
        40,
        "xuefengjianshe",
        "xuefengjianshejigou",
        "学风建设机构",
        Style.ARTICLE,
        (
            _a(
                "北京科技大学学风建设领导小组及工作机构",
                "2018-03-08 10:00:00",
                "学校成立学风建设领导小组，办公室设在学生工作部，负责全校学风建设工作的统筹协调。",
            ),
        ),
    ),
    Column(
        41,
        "xuefengjianshe",
        "xueshuguifanzhidu",
        "学术规范",
        Style.VSB,
        (
            _a("北京科技大学学术道德规范", "2016-12-12 10:00:00", "第一条 为加强学术道德建设，制定本规范。"),
            _a(
                "北京科技大学研究生学位论文学术规范", "2016-06-20 10:00:00", "第一条 学位论文应遵守学术规范。"
            ),
        ),
    ),
    Column(
        42,
        "xuefengjianshe",
        "xueshubuduan",
        "学术不端查处",
        Style.ARTICLE,
        (
            _a(
                "北京科技大学学术不端行为查处办法",
                "2017-05-22 10:00:00",
                "第一条 学术委员会负责学术不端行为的调查认定，查处程序包括受理、调查、认定、处理和复核。",
            ),
        ),
    ),
    Column(
        43,
        "xueweixueke",
        "shouyuboshi",
        "学位授予要求",
        Style.ARTICLE,
        (
            _a(
                "北京科技大学学位授予工作细则",
                "2017-06-30 17:00:00",
                "授予博士、硕士、学士学位的基本要求：完成培养方案规定的学分，通过学位论文答辩。",
            ),
        ),
    ),
    Column(
        44,
        "xueweixueke",
        "nishouyu",
        "同等学力",
        Style.CNLIST,
        (
            _a(
                "2018年下半年同等学力人员申请硕士学位资格审查通过人员名单公示",
                "2018-11-23 15:30:00",
                "经学位评定委员会审核，以下人员通过资格审查，现予公示，公示期5个工作日。",
                table=(
                    ("序号", "姓名", "身份证号", "申请学科"),
                    ("1", "马俊杰", gb11643("11010519850614231"), "材料科学与工程"),
                    ("2", "林书瑶", gb11643("23010319870922452"), "管理科学与工程"),
                    ("3", "黄立伟", gb11643("51010719860117673"), "控制科学与工程"),
                ),
            ),
            _a(
                "2018年下半年同等学力人员申请硕士学位资格审查结果",
                "2018-11-09 10:00:00",
                offsite_url=_m("/s/Tq3x8ZkLmW2vN9sYbR4pQg", WEIXIN_HOST),
            ),
            _a(
                "2018年上半年同等学力人员学力水平认定结果",
                "2018-05-18 10:00:00",
                offsite_url=_m("/s/Hc7yN2aKdPq5mW8zXe1tVg", WEIXIN_HOST),
            ),
        ),
        defect="older entries link to WeChat articles (off-site, checked for reachability only); the newest "
        "公示 lists full 18-digit 身份证号 with valid check digits",
        expect=Expect(privacy=F),
        cross=CrossCase.PRIVACY_LEAK,
    ),
    Column(
        45,
        "xueweixueke",
        "xinzeng",
        "学位点审核办法",
        Style.ARTICLE,
        (
            _a(
                "北京科技大学新增学位授权点审核办法",
                "2017-04-11 10:00:00",
                "第一条 根据《学位授权审核申请基本条件》，制定新增硕士、博士学位授权学科或专业学位授权点审核办法。",
            ),
        ),
    ),
    Column(
        46,
        "xueweixueke",
        "nixinzengxuewei",
        "学位点申报材料",
        Style.MISSING,
        defect="the catalogue URL answers 404",
        expect=Expect(presence=F, freshness=None, content=None, links=None, privacy=None),

        cross=CrossCase.UNREACHABLE_COLUMN,
    ),
    Column(
        47,
        "duiwaijiaoliu",
        "zhongwaihezuobanxueqingkuang",
        "中外合作办学",
        Style.WAF,
        defect="a web application firewall answers 412 for the column",
        expect=Expect(presence=I, freshness=None, content=None, links=None, privacy=None),

        cross=CrossCase.UNREACHABLE_COLUMN,
    ),
    Column(
        48,
        "duiwaijiaoliu",
        "laihualiuxuesheng",
        "来华留学",
        Style.ARTICLE,
        (
            _a(
                "北京科技大学来华留学生管理规定",
                "",
                "第一条 为规范来华留学生的招收、培养和管理，根据《学校招收和培养国际学生管理办法》，制定本规定。",
            ),
        ),
        defect="a standing regulation with no date anywhere on the page",
    ),
    Column(
        49,
        "qita",
        "xunshi",
        "巡视整改",
        Style.TABLE,
        (
            _a(
                "中共北京科技大学委员会关于巡视整改情况的通报",
                "2018-10-26 10:00:00",
                "按照中央统一部署，中央第十一巡视组对学校党委进行了巡视，现将巡视整改情况予以公布。",
            ),
            _a(
                "中央第十一巡视组向北京科技大学党委反馈巡视情况",
                "2018-06-29 10:00:00",
                "巡视组反馈意见如下。",
            ),
        ),
    ),
    Column(
        50,
        "qita",
        "ziranzaihai",
        "应急管理",
        Style.ARTICLE,
        (
            _a(
                "北京科技大学突发事件总体应急预案",
                "2017-11-15 14:00:00",
                "第一条 为及时有效处置自然灾害、事故灾难、公共卫生和社会安全等突发事件，制定本预案。",
                "应急值班安排请查阅值班日历。",
                links=(ExtraLink("值班日历", _m("/calendar/?month=2018-11"), "ok", trap=True),),
            ),
        ),
        defect="the page links into an endless calendar (crawler trap)",
    ),
)


def column(item: int) -> Column:
    for c in COLUMNS:
        if c.item == item:
            return c
    raise KeyError(item)
