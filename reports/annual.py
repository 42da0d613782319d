"""A draft of the annual disclosure report's inspection section (信息公开监督检查情况), DOCX and Markdown.

The annual report (due 31 October, covering 1 September to 31 August) must explain each 清单 item with a
link to its column. The office writing it needs the year's audits summed up in the report's own register
(see the seed report): how many audits, pass rates, which departments and items had problems, what was
rectified and how fast, and the item-by-item table. It is a draft: a person edits it before publishing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from auditor.atomic import atomic_write
from auditor.calendar import working_days_between
from auditor.models import Verdict
from auditor.results import AuditResult, ItemResult
from reports.common import clean, fmt_score, safe_href

SECTION_TITLE = "信息公开监督检查情况"
HEADERS = ("序号", "类别", "公开事项", "信息公开负责部门", "公开网址", "检查结果")


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


def paragraphs(s: AnnualSummary) -> list[str]:
    """The section's prose, one string per paragraph, in the annual report's register."""
    y = s.year.label
    out: list[str] = []
    if not s.runs:
        return [f"{y}，未开展信息公开网站自动监督检查。"]
    unscored = len(s.runs) - len(s.scored)
    out.append(
        f"{y}，学校信息公开领导小组办公室对照《高等学校信息公开事项清单》（教办函〔2014〕23号）10大类50项，"
        f"对{s.site_name}信息公开网各清单事项栏目开展自动监督检查共{len(s.runs)}次"
        f"（{s.runs[0].as_of.isoformat()}至{s.runs[-1].as_of.isoformat()}），其中完整检查{len(s.scored)}次"
        + (f"；另有{unscored}次因网站或网络故障未能完成，结果不计分" if unscored else "")
        + "。检查内容包括栏目是否存在、信息是否按期更新、必备内容是否齐全、链接是否有效以及是否泄露个人隐私信息。"
    )
    if s.latest is not None and s.latest.scored:
        r = s.latest
        c = r.counts
        rates = [x for x in (_rate(x) for x in s.scored) if x is not None]
        avg = f"{sum(rates) / len(rates):.1f}%" if rates else "—"
        rate = _rate(r)
        out.append(
            f"学年内最后一次完整检查（{r.as_of.isoformat()}）结果：50项中合格{c[Verdict.PASS]}项、"
            f"警告{c[Verdict.WARN]}项、不合格{c[Verdict.FAIL]}项、无法判定{c[Verdict.INCONCLUSIVE]}项，"
            f"合格率{'—' if rate is None else f'{rate:.1f}%'}，综合得分{fmt_score(r.overall_score)}；"
            f"学年内各次完整检查的平均合格率为{avg}"
            + (f"，综合得分由{fmt_score(s.scored[0].overall_score)}变为{fmt_score(r.overall_score)}"
               if len(s.scored) > 1 else "")
            + f"。计分办法：{r.score_formula}"
        )
    if s.episodes:
        by_dep: dict[str, list[Episode]] = {}
        for e in s.episodes:
            for d in e.item.departments:
                by_dep.setdefault(d, []).append(e)
        dep_text = "；".join(
            f"{d}（{'、'.join(f'第{e.item.item}项{e.item.short_name}' for e in eps)}）" for d, eps in by_dep.items()
        )
        out.append(
            f"检查中共发现{len({e.item.item for e in s.episodes})}个事项存在问题（{len(s.episodes)}项次），"
            f"涉及{len(by_dep)}个部门：{dep_text}。"
        )
        fixed = s.fixed
        if fixed:
            days = [e.days for e in fixed if e.days is not None]
            wdays = [e.working_days for e in fixed if e.working_days is not None]
            detail = "；".join(
                f"（{e.item.item}）{e.item.short_name}于{e.first_seen.isoformat()}发现、{e.fixed_on}整改到位"
                f"（{e.working_days}个工作日）" for e in fixed
            )
            out.append(
                f"已整改{len(fixed)}项次，从首次发现到检查确认合格平均用时{sum(days) / len(days):.1f}天"
                f"（{sum(wdays) / len(wdays):.1f}个工作日）：{detail}。"
            )
        if s.still_open:
            out.append(
                f"截至{s.runs[-1].as_of.isoformat()}，尚有{len(s.still_open)}项未整改到位："
                + "；".join(
                    f"（{e.item.item}）{e.item.short_name}（{'、'.join(e.item.departments)}，"
                    f"{e.first_seen.isoformat()}首次发现）" for e in s.still_open
                )
                + "。信息公开领导小组办公室已督促相关部门限期整改。"
            )
    else:
        out.append("学年内各次完整检查均未发现问题。")
    return out


def _result_text(it: ItemResult) -> str:
    word = it.status.label
    if it.status.is_problem:
        message = next((f.message for f in it.findings if f.status is it.status), "")
        return f"{word}：{message}" if message else word
    return word


# -- Markdown --------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!])")


def md(text: str) -> str:
    """Crawled text as inert Markdown: no HTML, links or table breaks can be smuggled in."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text).replace("\r", " ").replace("\n", " "))


def _md_link(url: str) -> str:
    href = safe_href(url)
    if not href:
        return md(url)
    return f"[{md(url)}](<{href.replace('<', '%3C').replace('>', '%3E').replace(' ', '%20')}>)"


def markdown(s: AnnualSummary) -> str:
    lines = [f"# {md(s.site_name)}{s.year.label}信息公开工作年度报告（{SECTION_TITLE}·草稿）", "",
             f"## {SECTION_TITLE}", ""]
    lines += [f"{md(p)}\n" for p in paragraphs(s)]
    if s.latest is not None:
        lines += [
            "## 清单事项公开情况", "",
            (f"{s.year.label}，{md(s.site_name)}清单事项公开内容涉及10大类50项，具体公开事项、负责部门、公开网址及"
            f"检查结果（{s.latest.as_of.isoformat()}）如下表所示："), "",
            "| " + " | ".join(HEADERS) + " |",
            "|" + "---|" * len(HEADERS),
        ]
        seen: set[int] = set()
        for it in s.latest.items:
            first = it.category not in seen
            seen.add(it.category)
            count = sum(1 for x in s.latest.items if x.category == it.category)
            lines.append("| " + " | ".join((
                str(it.category) if first else "",
                f"{md(it.category_name)}（{count}项）" if first else "",
                f"（{it.item}）{md(it.title)}",
                md("、".join(it.departments)),
                _md_link(it.url),
                md(_result_text(it)),
            )) + " |")
    lines.append("")
    return "\n".join(lines)


# -- DOCX ------------------------------------------------------------------------------------------


def _hyperlink(paragraph: Paragraph, url: str, text: str) -> None:
    """python-docx has no hyperlink API; this is the documented w:hyperlink with an external relation."""
    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "1565C0")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(colour)
    props.append(underline)
    run.append(props)
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _cell(cell: _Cell, text: str, *, bold: bool = False) -> None:
    cell.text = ""
    run = cell.paragraphs[0].add_run(clean(text))
    run.bold = bold
    run.font.size = Pt(9)


def docx_document(s: AnnualSummary, path: Path) -> Path:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10.5)
    title = doc.add_heading(clean(f"{s.site_name}{s.year.label}信息公开工作年度报告"), level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note = doc.add_paragraph()
    marker = note.add_run(f"（{SECTION_TITLE}·草稿，由 xxgk-auditor 根据检查记录生成，发布前请核改）")
    marker.font.color.rgb = RGBColor(0x78, 0x90, 0x9C)
    doc.add_heading(SECTION_TITLE, level=2)
    for text in paragraphs(s):
        doc.add_paragraph(clean(text))
    if s.latest is not None:
        doc.add_heading("清单事项公开情况", level=2)
        doc.add_paragraph(clean(
            f"{s.year.label}，{s.site_name}清单事项公开内容涉及10大类50项，具体公开事项、负责部门、公开网址及"
            f"检查结果（{s.latest.as_of.isoformat()}）如下表所示："
        ))
        items = s.latest.items
        table = doc.add_table(rows=1 + len(items), cols=len(HEADERS))
        table.style = "Table Grid"
        # python-docx rebuilds the whole grid on every table.cell() call: fetch each row's cells once.
        grid = [row.cells for row in table.rows]
        for col, header in enumerate(HEADERS):
            _cell(grid[0][col], header, bold=True)
        spans: dict[int, list[int]] = {}
        for n, it in enumerate(items, start=1):
            spans.setdefault(it.category, []).append(n)
        for n, it in enumerate(items, start=1):
            cells = grid[n]
            if spans[it.category][0] == n:
                _cell(cells[0], str(it.category))
                _cell(cells[1], f"{it.category_name}（{len(spans[it.category])}项）")
            _cell(cells[2], f"（{it.item}）{it.title}")
            _cell(cells[3], "\n".join(it.departments))
            cells[4].text = ""
            if safe_href(it.url):
                _hyperlink(cells[4].paragraphs[0], clean(it.url), clean(it.url))
            else:
                _cell(cells[4], it.url)
            _cell(cells[5], _result_text(it))
        # Merge 序号 and 类别 over each category's rows, as the published table does.
        for rows in spans.values():
            if len(rows) > 1:
                for col in (0, 1):
                    top = grid[rows[0]][col]
                    keep = top.text
                    _cell(top.merge(grid[rows[-1]][col]), keep)
    doc.core_properties.title = clean(f"{s.site_name}{s.year.label}{SECTION_TITLE}")
    with atomic_write(path) as tmp:
        doc.save(str(tmp))
    return path


def draft_annual(results: Sequence[AuditResult], year: str, site_name: str,
                 out_dir: Path | str) -> tuple[Path, Path]:
    """Write `<year>-信息公开监督检查情况.docx` and `.md` from the runs whose as-of date falls in the year."""
    s = summarise(results, year, site_name)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{s.year.first}-{s.year.first + 1}-{SECTION_TITLE}"
    docx_path = docx_document(s, out / f"{stem}.docx")
    md_path = out / f"{stem}.md"
    with atomic_write(md_path) as tmp:
        tmp.write_text(markdown(s), encoding="utf-8")
    return docx_path, md_path
