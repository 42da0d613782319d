"""A draft of the annual disclosure report's inspection section (信息公开监督检查情况), DOCX and Markdown.

The annual report (due 31 October, covering 1 September to 31 August) must explain each 清单 item with a
link to its column. The office writing it needs the year's audits summed up in the report's own register:
how many audits, pass rates, which departments and items had problems, the 单项否决 problems, what was
rectified and how fast, and the item-by-item table. It is a draft a person edits and pastes into the
report, so the DOCX is a 公文 page (GB/T 9704: A4, its margins, 方正小标宋/黑体/楷体/仿宋, two-character
indents) and it says only what the record supports: "已督促整改" only when notices went out.

It is published: no personal data (no number, however masked, no name from a list), no link to a file
that leaks it, and no crawled text at all, only the catalogue's item names and our own words.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.parfmt import CT_PPr
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt
from docx.styles.style import ParagraphStyle
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from auditor.atomic import atomic_write
from auditor.calendar import add_working_days, working_days_between
from auditor.lifecycle import FollowUp, State
from auditor.models import Finding, RuleKind, Verdict
from auditor.results import VETO_GRADE, AuditResult, ItemResult
from reports.common import clean, fmt_score, safe_href
from reports.scorecard import DEFAULT_FIX_DAYS

SECTION_TITLE = "信息公开监督检查情况"
HEADERS = ("序号", "类别", "公开事项", "负责部门", "检查结果")
#: Column widths (cm) on the 15.6 cm 版心: the short columns narrow, the item and its result wide.
WIDTHS_CM = (1.1, 2.5, 5.2, 2.6, 4.2)

@dataclass(frozen=True)
class AcademicYear:
    first: int

    @classmethod
    def parse(cls, text: str) -> AcademicYear:
        """'2017-2018' (also '2017~2018', '2017～2018'): the year from 1 Sep 2017 to 31 Aug 2018."""
        m = re.fullmatch(r"\s*(\d{4})\s*[-~～–]\s*(\d{4})\s*", text)
        if not m or int(m.group(2)) != int(m.group(1)) + 1:
            raise ValueError(f"学年应写作 2017-2018（前后两年相连），收到 {text!r}")
        return cls(int(m.group(1)))

    @classmethod
    def of(cls, day: date) -> AcademicYear:
        """The academic year a day falls in (1 September starts the next one)."""
        return cls(day.year if day.month >= 9 else day.year - 1)

    def __str__(self) -> str:
        return f"{self.first}-{self.first + 1}"

    @property
    def start(self) -> date:
        return date(self.first, 9, 1)

    @property
    def end(self) -> date:
        return date(self.first + 1, 8, 31)

    @property
    def label(self) -> str:
        return f"{self.first}~{self.first + 1}学年度"

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Episode:
    """One problem of one item: from the run where it was first seen to the first run where it passed."""

    item: ItemResult  # as in the run that first showed the problem
    worst: Verdict
    first_run: int
    first_seen: date
    fixed_run: int | None = None
    fixed_on: date | None = None

    @property
    def days(self) -> int | None:
        return (self.fixed_on - self.first_seen).days if self.fixed_on else None

    @property
    def working_days(self) -> int | None:
        return working_days_between(self.first_seen, self.fixed_on) if self.fixed_on else None


def episodes(scored: Sequence[AuditResult]) -> list[Episode]:
    """Problem episodes across the year's complete runs, in order; runs that could not judge an item
    neither open nor close its episode."""
    open_: dict[int, Episode] = {}
    done: list[Episode] = []
    for r in scored:
        for it in r.items:
            ep = open_.get(it.item)
            if it.status.is_problem:
                if ep is None:
                    open_[it.item] = Episode(it, it.status, r.run.id, r.as_of)
                elif it.status is Verdict.FAIL and ep.worst is not Verdict.FAIL:
                    open_[it.item] = Episode(ep.item, Verdict.FAIL, ep.first_run, ep.first_seen)
            elif it.status is Verdict.PASS and ep is not None:
                done.append(Episode(ep.item, ep.worst, ep.first_run, ep.first_seen, r.run.id, r.as_of))
                del open_[it.item]
    return sorted([*done, *open_.values()], key=lambda e: (e.first_seen, e.item.item))



#: States only a department that had the notice reaches: the notice itself and its answers.
_HEARD = frozenset({State.NOTIFIED, State.ACKNOWLEDGED, State.IN_PROGRESS, State.AWAITING_RECHECK, State.EXPLAINED})


@dataclass(frozen=True)
class SupervisionRecord:
    """What was done about the problems during the year, as counted from the record (项次).

    The draft states a follow-up only when this says it happened: "已督促相关部门限期整改" needs notices
    sent. The life-cycle store (notices, answers, 情况说明) can pass its own counts; without them the
    default is what the audit record alone shows (`from_runs`)."""

    notified: int  # problems notified to their departments (or answered by them, which shows they were)
    in_progress: int  # departments say they are working on it
    fixed: int  # found fixed by a later audit
    rechecked: int  # 复核 runs (re-checks of reported fixes)
    explained: int  # answered with a justified 情况说明
    overdue: int  # notified, not fixed, past the deadline

    @classmethod
    def from_runs(cls, summary: AnnualSummary, fix_days: int = DEFAULT_FIX_DAYS) -> SupervisionRecord:
        """What the runs alone record: re-checks (partial runs), problems present earlier in the year and
        gone in its last run, and open problems past their fix-by date. Notices, answers and 情况说明 are
        not in the runs, so they count 0 and the draft says notification is pending."""
        scored = summary.scored
        last = scored[-1] if scored else None
        fixed = 0
        overdue = 0
        if last is not None:
            earlier = {it.item for r in scored[:-1] for it in r.items if it.status.is_problem}
            fixed = sum(1 for it in last.items if it.item in earlier and it.status is Verdict.PASS)
            overdue = sum(1 for e in summary.still_open if add_working_days(e.first_seen, fix_days) < last.as_of)
        return cls(notified=0, in_progress=0, fixed=fixed, rechecked=sum(1 for r in summary.runs if r.rechecked),
                   explained=0, overdue=overdue)

    @classmethod
    def from_follow_ups(cls, summary: AnnualSummary, follow_ups: Mapping[str, FollowUp]) -> SupervisionRecord:
        """What the life-cycle record holds about the problems the year's audits found: notified (or
        answered), in hand, closed by a later audit, explained; their states as the record stands now,
        so a draft written in the autumn reports the fixes made since. Re-checks are the year's 复核
        runs. With nothing followed up, the runs alone (`from_runs`)."""
        runs = {r.run.id for r in summary.runs}
        ours = [fu for fu in follow_ups.values() if fu.first_seen_run in runs]
        if not ours:
            return cls.from_runs(summary)
        return cls(notified=sum(1 for fu in ours if any(c.state in _HEARD for c in fu.history)),
                   in_progress=sum(1 for fu in ours if fu.state is State.IN_PROGRESS),
                   fixed=sum(1 for fu in ours if fu.state is State.FIXED),
                   rechecked=sum(1 for r in summary.runs if r.rechecked),
                   explained=sum(1 for fu in ours if fu.state is State.EXPLAINED),
                   overdue=sum(1 for fu in ours if fu.days_overdue > 0))


@dataclass(frozen=True)
class AnnualSummary:
    year: AcademicYear
    site_name: str
    runs: tuple[AuditResult, ...]
    scored: tuple[AuditResult, ...]
    latest: AuditResult | None
    episodes: tuple[Episode, ...]

    @property
    def fixed(self) -> tuple[Episode, ...]:
        return tuple(e for e in self.episodes if e.fixed_on is not None)

    @property
    def still_open(self) -> tuple[Episode, ...]:
        return tuple(e for e in self.episodes if e.fixed_on is None)

    @property
    def vetoed_items(self) -> tuple[tuple[ItemResult, bool], ...]:
        """Items with a 单项否决 finding in any complete run of the year (as that run showed them), and
        whether one is still there in the year's last complete run."""
        seen: dict[int, ItemResult] = {}
        for r in self.scored:
            for it in r.items:
                if it.vetoes and it.item not in seen:
                    seen[it.item] = it
        last = self.scored[-1] if self.scored else None
        still = {it.item for it in last.items if it.vetoes} if last else set()
        return tuple((it, it.item in still) for _, it in sorted(seen.items()))


def _rate(r: AuditResult) -> float | None:
    c = r.counts
    judged = c[Verdict.PASS] + c[Verdict.WARN] + c[Verdict.FAIL]
    return 100 * c[Verdict.PASS] / judged if judged else None


def summarise(results: Sequence[AuditResult], year: str, site_name: str) -> AnnualSummary:
    ay = AcademicYear.parse(year)
    runs = tuple(sorted((r for r in results if r.as_of in ay), key=lambda r: (r.as_of, r.run.id)))
    scored = tuple(r for r in runs if r.scored)
    latest = scored[-1] if scored else (runs[-1] if runs else None)
    return AnnualSummary(ay, site_name, runs, scored, latest, tuple(episodes(scored)))


# -- what a published report may say about a finding ---------------------------------------------------

#: Our own words for each rule's problem: a published report quotes no crawled text, no address of a page
#: that leaks and no number, so it never repeats a finding's message (which names them for the clerk).
PROBLEM_WORDS: dict[str, str] = {
    "presence.catalogue-reachable": "栏目无法打开",
    "presence.column-gone": "栏目连续多晚无法打开（页面不存在）",
    "presence.not-blank": "空白栏目",
    "presence.details-reachable": "部分文章无法打开",
    "presence.kept-public": "名单未满公示期即撤下",
    "freshness.current-edition": "本期信息未按期发布",
    "freshness.latest-age": "信息未按期更新",
    "freshness.recent-entries": "栏目长期未更新",
    "freshness.backdated": "发布日期与实际发布时间不符",
    "content.required-terms": "缺少清单规定的内容",
    "links.attachments": "附件无法下载",
    "links.broken-links": "页面存在失效链接",
    "privacy.notice-overstay": "公示期满后仍公开含个人信息的名单",
    "site.blank-columns": "空白栏目达到整站不合格的数量",
    "site.furniture-links": "公共部分存在失效链接",
    "site.home-link": "从学校主页无法到达信息公开网",
    "site.availability": "不能稳定访问",
}
KIND_WORDS: dict[RuleKind, str] = {
    RuleKind.PRESENCE: "栏目存在问题", RuleKind.FRESHNESS: "信息未及时更新", RuleKind.CONTENT: "内容不全",
    RuleKind.LINKS: "链接失效", RuleKind.PRIVACY: "含未脱敏的个人信息",
}


def problem_words(f: Finding) -> str:
    """A finding as a published report may name it."""
    if f.rule == "privacy.personal-data":
        # The numbers and the file stay out of a public report: what and where (item) is enough.
        return "页面或附件含未脱敏的个人身份信息" if f.veto else "页面或附件含未脱敏的手机号码"
    words = PROBLEM_WORDS.get(f.rule, KIND_WORDS[f.kind])
    # Only evidence the engine wrote from the 清单 itself, never from a crawled page, is quoted.
    if f.rule == "content.required-terms" and f.evidence.get("missing"):
        return f"{words}：{f.evidence['missing']}"
    if f.rule == "freshness.current-edition" and f.evidence.get("due") and f.status is Verdict.FAIL:
        return f"{f.evidence['due']}信息未按期发布"
    if f.rule == "site.blank-columns" and f.evidence.get("blank"):
        return f"空白栏目{f.evidence['blank']}个，达到整站不合格的数量"
    return words


def leaks(it: ItemResult) -> bool:
    """The item's column publishes personal data: a public report must not lead readers to it."""
    return any(f.kind is RuleKind.PRIVACY and f.status.is_problem for f in it.findings)


def result_text(it: ItemResult) -> str:
    """An item's result in the table: its verdict and, for a problem, our words for what is wrong."""
    word = VETO_GRADE if it.vetoes else it.status.label
    if not it.status.is_problem:
        return word
    problems = [f for f in it.findings if f.status is it.status]
    words = list(dict.fromkeys(problem_words(f) for f in (*it.vetoes, *problems)))
    return f"{word}：{'；'.join(words)}" if words else word


def _item_name(it: ItemResult) -> str:
    return f"第{it.item}项{it.short_name}"


# -- the prose -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One 二级标题 of the section and its paragraphs."""

    heading: str
    paragraphs: tuple[str, ...]


def parts(s: AnnualSummary, record: SupervisionRecord) -> list[Part]:
    """The section's prose under its 二级标题, in the annual report's register; each sentence backed by the
    runs or by `record`."""
    y = s.year.label
    if not s.runs:
        return [Part("（一）检查开展情况", (f"{y}，未开展信息公开网站自动监督检查。",))]
    out: list[Part] = []
    unscored = len(s.runs) - len(s.scored)
    rechecks = sum(1 for r in s.scored if r.rechecked)  # partial runs re-checking reported fixes
    opening = (
        f"{y}，学校信息公开领导小组办公室对照《高等学校信息公开事项清单》（教办函〔2014〕23号）10大类50项，"
        f"对{s.site_name}信息公开网各清单事项栏目开展自动监督检查共{len(s.runs)}次"
        f"（{s.runs[0].as_of.isoformat()}至{s.runs[-1].as_of.isoformat()}），其中完整检查{len(s.scored) - rechecks}次"
        + (f"、对个别事项的复核{rechecks}次（其余事项沿用此前结果）" if rechecks else "")
        + (f"；另有{unscored}次因网站或网络故障未能完成，结果不计分" if unscored else "")
        + "。检查内容包括栏目是否存在、信息是否按期更新、必备内容是否齐全、链接是否有效以及是否泄露个人隐私信息。"
    )
    out.append(Part("（一）检查开展情况", (opening,)))
    results: list[str] = []
    if s.latest is not None and s.latest.scored:
        r = s.latest
        c = r.counts
        rates = [x for x in (_rate(x) for x in s.scored) if x is not None]
        avg = f"{sum(rates) / len(rates):.1f}%" if rates else "—"
        rate = _rate(r)
        results.append(
            (f"学年内最后一次检查（{r.as_of.isoformat()}，为复核，未复核的事项沿用此前结果）结果："
             if r.rechecked else f"学年内最后一次完整检查（{r.as_of.isoformat()}）结果：")
            + f"50项中合格{c[Verdict.PASS]}项、"
            f"警告{c[Verdict.WARN]}项、不合格{c[Verdict.FAIL]}项、无法判定{c[Verdict.INCONCLUSIVE]}项，"
            f"合格率{'—' if rate is None else f'{rate:.1f}%'}，综合得分{fmt_score(r.overall_score)}"
            + ("，因存在单项否决问题，网站总体评定为不合格" if r.vetoed else "")
            + f"；学年内各次计分检查的平均合格率为{avg}"
            + (f"，综合得分由{fmt_score(s.scored[0].overall_score)}变为{fmt_score(r.overall_score)}"
               if len(s.scored) > 1 else "")
            + f"。计分办法：{r.score_formula}"
        )
    if s.episodes:
        by_dep: dict[str, list[Episode]] = {}
        for e in s.episodes:
            for d in e.item.departments:
                by_dep.setdefault(d, []).append(e)
        dep_text = "；".join(f"{d}（{'、'.join(_item_name(e.item) for e in eps)}）" for d, eps in by_dep.items())
        results.append(
            f"检查中共发现{len({e.item.item for e in s.episodes})}个事项存在问题（{len(s.episodes)}项次），"
            f"涉及{len(by_dep)}个部门：{dep_text}。"
        )
    else:
        results.append("学年内各次完整检查均未发现问题。")
    out.append(Part("（二）检查结果", tuple(results)))
    vetoed = s.vetoed_items
    site_vetoes = {f.rule: f for r in s.scored for f in r.site_findings if f.veto}  # the newest of each rule
    if vetoed or site_vetoes:
        lines = [
            f"{_item_name(it)}（牵头部门：{it.lead}）{'、'.join(dict.fromkeys(problem_words(f) for f in it.vetoes))}"
            f"，{'截至学年末仍未整改' if still else '学年末检查时已整改'}"
            for it, still in vetoed
        ]
        lines += [f"网站{problem_words(f)}（由网站管理部门负责）" for f in site_vetoes.values()]
        veto_text = (f"学年内发现单项否决问题{len(lines)}项：{'；'.join(lines)}。按计分办法，出现单项否决问题的"
                     "当次检查中，相关牵头部门和网站总体评定为不合格。")
        out.append(Part("（三）单项否决问题", (veto_text,)))
    follow: list[str] = []
    fixed = s.fixed
    if fixed:
        days = [e.days for e in fixed if e.days is not None]
        wdays = [e.working_days for e in fixed if e.working_days is not None]
        detail = "；".join(
            f"（{e.item.item}）{e.item.short_name}于{e.first_seen.isoformat()}发现、{e.fixed_on}整改到位"
            f"（{e.working_days}个工作日）" for e in fixed
        )
        follow.append(
            f"经后续检查确认已整改{len(fixed)}项次，从首次发现到检查确认合格平均用时{sum(days) / len(days):.1f}天"
            f"（{sum(wdays) / len(wdays):.1f}个工作日）：{detail}。"
        )
    if s.still_open:
        follow.append(
            f"截至{s.runs[-1].as_of.isoformat()}，尚有{len(s.still_open)}项未整改到位："
            + "；".join(f"（{e.item.item}）{e.item.short_name}（{'、'.join(e.item.departments)}，"
                       f"{e.first_seen.isoformat()}首次发现）" for e in s.still_open)
            + "。"
        )
    if s.episodes:
        follow.append(_follow_up(record))
    if follow:
        out.append(Part(f"（{'四' if vetoed or site_vetoes else '三'}）问题整改情况", tuple(follow)))
    return out


def _follow_up(record: SupervisionRecord) -> str:
    """What was done about the problems: only what the record shows happened."""
    if record.notified <= 0:
        return ("上述问题的整改通知尚未发出（待通知）"
                + (f"；其后的检查中已有{record.fixed}项问题不再出现" if record.fixed else "")
                + "；通知发出并经复核后，据实补记各部门整改情况。")
    counts = [f"{word}{n}项" for word, n in (("整改中", record.in_progress), ("已整改", record.fixed),
                                            ("提交情况说明", record.explained)) if n]
    return (f"信息公开领导小组办公室已向相关部门发出整改通知{record.notified}项次，已督促相关部门限期整改"
            + (f"，其中{'、'.join(counts)}" if counts else "")
            + (f"；逾期未整改{record.overdue}项，将继续督办" if record.overdue else "")
            + (f"；已对部门报告整改的事项开展复核{record.rechecked}次" if record.rechecked else "")
            + "。")


def paragraphs(s: AnnualSummary, record: SupervisionRecord | None = None) -> list[str]:
    """The section's prose, one string per paragraph (headings left out)."""
    return [p for part in parts(s, record or SupervisionRecord.from_runs(s)) for p in part.paragraphs]


def _table_intro(s: AnnualSummary, latest: AuditResult) -> str:
    return (f"{s.year.label}，{s.site_name}清单事项公开内容涉及10大类50项，各事项负责部门及检查结果"
            f"（{latest.as_of.isoformat()}）如下表所示（事项名称链接至其公开栏目）：")


def short_address(url: str) -> str:
    """host/path, for the rare place an address must be printed (no scheme, query or fragment)."""
    parts_ = urlsplit(url)
    return f"{parts_.hostname or ''}{parts_.path}".rstrip("/")


# -- Markdown --------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!])")


def md(text: str) -> str:
    """Text as inert Markdown: no HTML, links or table breaks can be smuggled in."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text).replace("\r", " ").replace("\n", " "))


def _md_link(url: str, text: str) -> str:
    href = safe_href(url)
    if not href:
        return md(text)
    return f"[{md(text)}](<{href.replace('<', '%3C').replace('>', '%3E').replace(' ', '%20')}>)"


def markdown(s: AnnualSummary, record: SupervisionRecord | None = None) -> str:
    record = record or SupervisionRecord.from_runs(s)
    lines = [f"# {md(s.site_name)}{s.year.label}信息公开工作年度报告（{SECTION_TITLE}·草稿）", "",
             f"## 一、{SECTION_TITLE}", ""]
    for part in parts(s, record):
        lines += [f"### {md(part.heading)}", ""]
        lines += [f"{md(p)}\n" for p in part.paragraphs]
    if s.latest is not None:
        latest = s.latest
        lines += ["## 二、清单事项公开情况", "", md(_table_intro(s, latest)), "",
                  "| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
        seen: set[int] = set()
        for it in latest.items:
            first = it.category not in seen
            seen.add(it.category)
            count = sum(1 for x in latest.items if x.category == it.category)
            name = f"（{it.item}）{it.title}"
            lines.append("| " + " | ".join((
                str(it.category) if first else "",
                f"{md(it.category_name)}（{count}项）" if first else "",
                md(name) if leaks(it) else _md_link(it.url, name),
                md("、".join(it.departments)),
                md(result_text(it)),
            )) + " |")
    lines.append("")
    return "\n".join(lines)


# -- DOCX: a 公文 page (GB/T 9704) -------------------------------------------------------------------

#: Fonts by role, with the fallback named in the font table for machines without the first
#: (方正小标宋简体 ships with WPS and 方正's packs, 仿宋_GB2312/楷体_GB2312 with older Windows).
TITLE_FONT, TITLE_FALLBACK = "方正小标宋简体", "宋体"
HEADING1_FONT = "黑体"
HEADING2_FONT, HEADING2_FALLBACK = "楷体", "楷体_GB2312"
BODY_FONT, BODY_FALLBACK = "仿宋", "仿宋_GB2312"
FALLBACKS = {TITLE_FONT: TITLE_FALLBACK, HEADING2_FONT: HEADING2_FALLBACK, BODY_FONT: BODY_FALLBACK}
#: 二号 for the title, 三号 for headings and body, 五号 in tables.
TITLE_PT, BODY_PT, TABLE_PT = 22.0, 16.0, 10.5
#: GB/T 9704: 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm on A4; 22 lines of 28 pt.
PAGE_CM = (21.0, 29.7)
MARGINS_CM = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}
LINE_PT = 28.0
STYLE_TITLE, STYLE_H1, STYLE_H2, STYLE_BODY, STYLE_TABLE = "公文标题", "公文一级标题", "公文二级标题", "公文正文", "公文表格"


def set_fonts(rpr: BaseOxmlElement, font: str) -> None:
    """One font for Latin and East Asian text alike (w:ascii, w:hAnsi, w:eastAsia, w:cs), replacing the
    theme fonts, which Word would otherwise prefer (and which are not 公文 fonts)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)  # first in w:rPr (runs and styles here have no w:rStyle before it)
    for attr in list(fonts.attrib):
        if attr.endswith(("Theme", "theme")):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    fonts.set(qn("w:hint"), "eastAsia")


def _style(doc: DocxDocument, name: str, font: str, size: float, *, bold: bool = False,
           align: WD_ALIGN_PARAGRAPH | None = None, indent: bool = True, outline: int | None = None,
           line: float | None = LINE_PT) -> ParagraphStyle:
    """A paragraph style of our own (no inherited blue heading), its font set for East Asian text too."""
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    style.font.size = Pt(size)
    style.font.bold = bold
    set_fonts(style.element.get_or_add_rPr(), font)
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if line is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line)
    if align is not None:
        fmt.alignment = align
    if indent:
        _first_line_chars(style.element.get_or_add_pPr(), size)
    if outline is not None:
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline))
        style.element.get_or_add_pPr().append(level)
    return style


def _first_line_chars(ppr: CT_PPr, size: float) -> None:
    """A first-line indent of two characters: w:firstLineChars for Word and WPS, and the same in twips
    (2 × the font size) for readers that ignore character units."""
    ind = ppr.get_or_add_ind()  # in its place in the schema's order, which Word insists on
    ind.set(qn("w:firstLineChars"), "200")
    ind.set(qn("w:firstLine"), str(int(2 * size * 20)))


def _font_table(doc: DocxDocument) -> None:
    """Name each 公文 font's fallback in the font table (w:altName), with the GB2312 character set, so a
    machine without the first font substitutes a Chinese one of the same kind."""
    part = next((p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml"), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    for font, family in ((TITLE_FONT, "roman"), (HEADING1_FONT, "modern"), (HEADING2_FONT, "script"),
                         (BODY_FONT, "modern")):
        entry = etree.SubElement(root, qn("w:font"))
        entry.set(qn("w:name"), font)
        if font in FALLBACKS:
            alt = etree.SubElement(entry, qn("w:altName"))
            alt.set(qn("w:val"), FALLBACKS[font])
        charset = etree.SubElement(entry, qn("w:charset"))
        charset.set(qn("w:val"), "86")
        fam = etree.SubElement(entry, qn("w:family"))
        fam.set(qn("w:val"), family)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _defaults(doc: DocxDocument) -> None:
    """Document defaults: 仿宋 三号 for every script, Chinese language, no spacing after paragraphs."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    assert defaults is not None
    rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
    assert rpr is not None
    set_fonts(rpr, BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault") + "/" + qn("w:pPr") + "/" + qn("w:spacing"))
    if spacing is not None:
        spacing.set(qn("w:after"), "0")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)


def _page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
    section.left_margin, section.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
    section.footer_distance = Cm(2.8)
    # 页码: "— 1 —" centred at the foot, as 公文 number their pages.
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, "— ", "宋体", 14)
    begin, code, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code.set(qn("xml:space"), "preserve")
    code.text = " PAGE "
    end.set(qn("w:fldCharType"), "end")
    for part in (begin, code, end):
        _run(footer, "", "宋体", 14)._r.append(part)
    _run(footer, " —", "宋体", 14)


def _run(paragraph: Paragraph, text: str, font: str, size: float, *, bold: bool = False) -> Run:
    """A run with its fonts set on the run itself (w:eastAsia included), so pasting it keeps them."""
    run = paragraph.add_run(clean(text))
    run.font.size = Pt(size)
    run.bold = bold
    set_fonts(run._r.get_or_add_rPr(), font)
    return run


def _para(doc: DocxDocument, text: str, style: str, font: str, size: float, *, bold: bool = False) -> Paragraph:
    paragraph = doc.add_paragraph(style=style)
    _run(paragraph, text, font, size, bold=bold)
    if style in (STYLE_BODY, STYLE_H1, STYLE_H2):
        _first_line_chars(paragraph._p.get_or_add_pPr(), size)
    return paragraph


def _hyperlink(paragraph: Paragraph, url: str, text: str, font: str, size: float) -> None:
    """python-docx has no hyperlink API; this is the documented w:hyperlink with an external relation.
    Black and not underlined: a 公文 is printed; the link serves the electronic copy."""
    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    run.append(props)
    set_fonts(props, font)
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(int(size * 2)))
        props.append(el)
    t = OxmlElement("w:t")
    t.text = clean(text)
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _cell(cell: _Cell, text: str, *, bold: bool = False, center: bool = False) -> Paragraph:
    cell.text = ""  # one empty paragraph left; drop the bare run python-docx leaves in it
    paragraph: Paragraph = cell.paragraphs[0]
    for bare in paragraph._p.r_lst:
        paragraph._p.remove(bare)
    paragraph.style = STYLE_TABLE
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        _run(paragraph, text, BODY_FONT, TABLE_PT, bold=bold)
    return paragraph


def _widths(table_el: BaseOxmlElement, rows: Sequence[Sequence[_Cell]]) -> None:
    """Fixed layout with the widths of WIDTHS_CM (grid and every cell: Word reads one, WPS the other)."""
    tbl_pr = table_el.tblPr
    width = tbl_pr.find(qn("w:tblW"))  # python-docx's table always has one ("auto")
    if width is not None:
        width.set(qn("w:type"), "dxa")
        width.set(qn("w:w"), str(sum(int(Cm(w).twips) for w in WIDTHS_CM)))
    for col, w in zip(table_el.tblGrid.findall(qn("w:gridCol")), WIDTHS_CM, strict=True):
        col.set(qn("w:w"), str(int(Cm(w).twips)))
    for row in rows:
        for cell, w in zip(row, WIDTHS_CM, strict=True):
            cell.width = Cm(w)


def _repeat_header(row_el: BaseOxmlElement) -> None:
    """The header row repeats at the top of every page (w:tblHeader) and no row splits across pages."""
    tr_pr = row_el.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "true")
        tr_pr.append(el)


def docx_document(s: AnnualSummary, path: Path, record: SupervisionRecord | None = None) -> Path:
    record = record or SupervisionRecord.from_runs(s)
    doc = Document()
    _defaults(doc)
    _font_table(doc)
    _page(doc)
    _style(doc, STYLE_TITLE, TITLE_FONT, TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, outline=0,
           line=None)
    _style(doc, STYLE_H1, HEADING1_FONT, BODY_PT, outline=1)
    _style(doc, STYLE_H2, HEADING2_FONT, BODY_PT, outline=2)
    _style(doc, STYLE_BODY, BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(doc, STYLE_TABLE, BODY_FONT, TABLE_PT, indent=False, line=None)

    title = _para(doc, f"{s.site_name}{s.year.label}信息公开工作年度报告", STYLE_TITLE, TITLE_FONT, TITLE_PT)
    title.paragraph_format.space_after = Pt(LINE_PT)
    note = doc.add_paragraph(style=STYLE_BODY)
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(note, f"（{SECTION_TITLE}·草稿，由 xxgk-auditor 根据检查记录生成，发布前请核改）", HEADING2_FONT, BODY_PT)
    _para(doc, f"一、{SECTION_TITLE}", STYLE_H1, HEADING1_FONT, BODY_PT)
    for part in parts(s, record):
        _para(doc, part.heading, STYLE_H2, HEADING2_FONT, BODY_PT)
        for text in part.paragraphs:
            _para(doc, text, STYLE_BODY, BODY_FONT, BODY_PT)
    if s.latest is not None:
        _items_table(doc, s, s.latest)
    doc.core_properties.title = clean(f"{s.site_name}{s.year.label}{SECTION_TITLE}")
    doc.core_properties.language = "zh-CN"
    buffer = io.BytesIO()  # whole or not at all, and no half-written archive on a full disk
    doc.save(buffer)
    with atomic_write(path) as tmp:
        tmp.write_bytes(buffer.getvalue())
    return path


def _items_table(doc: DocxDocument, s: AnnualSummary, latest: AuditResult) -> None:
    _para(doc, "二、清单事项公开情况", STYLE_H1, HEADING1_FONT, BODY_PT)
    _para(doc, _table_intro(s, latest), STYLE_BODY, BODY_FONT, BODY_PT)
    items = latest.items
    table = doc.add_table(rows=1 + len(items), cols=len(HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # python-docx rebuilds the whole grid on every table.cell() call: fetch each row's cells once.
    grid = [row.cells for row in table.rows]
    table.autofit = False  # w:tblLayout fixed: the widths below hold whatever the cells contain
    _widths(table._tbl, grid)
    _repeat_header(table.rows[0]._tr)
    for col, header in enumerate(HEADERS):
        _cell(grid[0][col], header, bold=True, center=True)
    spans: dict[int, list[int]] = {}
    for n, it in enumerate(items, start=1):
        spans.setdefault(it.category, []).append(n)
    for n, it in enumerate(items, start=1):
        cells = grid[n]
        if spans[it.category][0] == n:
            _cell(cells[0], str(it.category), center=True)
            _cell(cells[1], f"{it.category_name}（{len(spans[it.category])}项）")
        name = f"（{it.item}）{it.title}"
        if safe_href(it.url) and not leaks(it):
            _hyperlink(_cell(cells[2], ""), safe_href(it.url), name, BODY_FONT, TABLE_PT)
        else:
            _cell(cells[2], name)
        _cell(cells[3], "、".join(it.departments))
        _cell(cells[4], result_text(it))
    # Merge 序号 and 类别 over each category's rows, as the published table does.
    for rows in spans.values():
        if len(rows) > 1:
            for col in (0, 1):
                top = grid[rows[0]][col]
                keep = top.text
                _cell(top.merge(grid[rows[-1]][col]), keep, center=col == 0)


def draft_annual(results: Sequence[AuditResult], year: str, site_name: str, out_dir: Path | str,
                 record: SupervisionRecord | None = None,
                 follow_ups: Mapping[str, FollowUp] | None = None) -> tuple[Path, Path]:
    """Write `<year>-信息公开监督检查情况.docx` and `.md` from the runs whose as-of date falls in the year;
    `record` counts the year's notices and answers, else the problems' `follow_ups` (auditor.lifecycle)
    do, else what the runs alone record."""
    s = summarise(results, year, site_name)
    record = record or (SupervisionRecord.from_follow_ups(s, follow_ups) if follow_ups is not None
                        else SupervisionRecord.from_runs(s))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{s.year.first}-{s.year.first + 1}-{SECTION_TITLE}"
    docx_path = docx_document(s, out / f"{stem}.docx", record)
    md_path = out / f"{stem}.md"
    with atomic_write(md_path) as tmp:
        tmp.write_text(markdown(s, record), encoding="utf-8")
    return docx_path, md_path
