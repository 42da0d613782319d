"""Each department's 整改台账 (rectification ledger) as an Excel workbook, the whole school's in one, and
the reading of the ledgers departments send back.

A ledger row is one problem: its id (which the import reads back, so it must not be edited), item,
problem, evidence address, first seen, deadline and state, filled by the school; then the columns the
department fills: 整改措施, 责任人, 计划完成时间 and 完成情况 (from a drop-down). The sheet prints on A4
landscape, fitted to the width, its title rows repeated on every page, with a frozen header and filters.
A department's workbook also holds its scorecard and its score trend; `全校整改台账.xlsx` holds a summary
and one ledger sheet per department.

Crawled strings are untrusted: any value starting with = + - @ (or a tab/CR) is stored as a quoted text
cell, so Excel shows it and never evaluates it (CSV/formula injection); control characters that XML
cannot hold are dropped rather than aborting the file. A returned ledger is read as data only: nothing
in it is evaluated, and every cell that cannot be understood is reported with its sheet and reference.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from auditor.atomic import atomic_write
from auditor.lifecycle import FollowUp, LedgerAnswer, State, derived_follow_ups
from auditor.models import Verdict
from auditor.results import AuditResult
from reports.common import (
    STATUS_COLOUR,
    carried_note,
    clean,
    evidence_text,
    run_notes,
    safe_href,
    state_text,
    unscored_note,
)
from reports.scorecard import Scorecard

_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")

HEADERS = ("事项", "类别", "公开事项", "状态", "问题说明", "公开网址", "证据", "首次发现（运行）",
           "首次发现（日期）", "整改期限", "牵头/配合")

#: The whole school's workbook, written next to the dashboard.
SCHOOL_LEDGER = "全校整改台账.xlsx"
LEDGER_SHEET = "整改台账"
SUMMARY_SHEET = "汇总"
#: Sheets of our own workbooks that are not ledgers: an import passes over them.
NOT_LEDGERS = frozenset({SUMMARY_SHEET, "成绩单", "得分趋势"})
LEDGER_HEADERS = ("问题编号", "事项", "规则/问题", "证据网址", "首次发现", "整改期限", "状态",
                  "整改措施", "责任人", "计划完成时间", "完成情况")
SCHOOL_PART = 7  # the first seven columns are the school's; the last four the department's
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
DEPARTMENT_LABEL = "责任部门："
#: 完成情况 as the department picks it, and the state it moves the finding to (未开始: none).
COMPLETION: dict[str, State | None] = {"未开始": None, "整改中": State.IN_PROGRESS, "已完成": State.AWAITING_RECHECK,
                                       "情况说明": State.EXPLAINED}
_ANSWERED = {state: word for word, state in COMPLETION.items() if state is not None}
_WIDTHS = (30, 16, 44, 36, 11, 11, 14, 36, 10, 13, 11)
_SCHOOL_FILL = PatternFill("solid", fgColor="E3E8EE")
_DEPARTMENT_FILL = PatternFill("solid", fgColor="FFF4C2")
_THIN = Side(style="thin", color="9AA5B1")
# One instance of each style, shared by every cell that wears it: openpyxl hashes and compares the style
# of each assignment against the workbook's, and building a fresh one for each cell cost most of a scorecard.
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_LINK = Font(color="1565C0", underline="single")
_OVERDUE = Font(bold=True, color="C62828")
_GRID = Border(top=_THIN, bottom=_THIN, left=_THIN, right=_THIN)
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(wrap_text=False, vertical="top")
_STATUS_FILL = {v: PatternFill("solid", fgColor=STATUS_COLOUR[v].lstrip("#")) for v in Verdict}
_STATUS_FONT = {v: Font(bold=True, color="1F2933" if v is Verdict.WARN else "FFFFFF") for v in Verdict}
#: Characters Excel forbids in a sheet name; names are at most 31 characters.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
SHEET_NAME_MAX = 31


def write_whole(path: Path, book: Workbook) -> None:
    """Save in memory, then write the file whole: a zip writer that fails half-way (a full disk) leaves an
    open archive whose clean-up prints a traceback, and a half file; a workbook is small enough to hold."""
    buffer = io.BytesIO()
    book.save(buffer)
    with atomic_write(path) as tmp:
        tmp.write_bytes(buffer.getvalue())


def put(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write one cell; strings are always text, never formulas."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        text = clean(value)
        cell.value = text
        cell.data_type = "s"  # openpyxl would otherwise turn '=...' into a formula
        if text.startswith(_FORMULA_LEAD):
            cell.quotePrefix = True  # Excel's own marker for "this is text", kept if the user edits it
    else:
        cell.value = value
    return cell


def sheet_name(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts for a department: no forbidden characters, at most 31 characters (counted
    as Excel counts them, in UTF-16 units), not one of ours, unique in the workbook (case-blind)."""
    text = _SHEET_FORBIDDEN.sub("_", clean(name)).strip().strip("'") or "部门"

    def bounded(t: str, limit: int) -> str:
        while len(t.encode("utf-16-le")) // 2 > limit:
            t = t[:-1]
        return t

    base = bounded(text, SHEET_NAME_MAX)
    candidate, n = base, 1
    while candidate.casefold() in taken or candidate in NOT_LEDGERS or candidate.casefold() == "history":
        n += 1
        suffix = f"~{n}"
        candidate = bounded(base, SHEET_NAME_MAX - len(suffix)) + suffix
    taken.add(candidate.casefold())
    return candidate


def _order(fu: FollowUp) -> tuple[int, date, int, str]:
    rank = {State.OVERDUE: 0, State.NEW: 1, State.NOTIFIED: 1, State.ACKNOWLEDGED: 1, State.IN_PROGRESS: 2,
            State.AWAITING_RECHECK: 3, State.EXPLAINED: 4, State.FIXED: 5}[fu.state]
    return rank, fu.deadline, fu.item, fu.finding_id


def write_ledger_sheet(ws: Worksheet, result: AuditResult, department: str, rows: Sequence[FollowUp]) -> None:
    """One department's ledger on `ws`: title rows, the school's columns, the department's columns."""
    names = {it.item: it.short_name for it in result.items}
    last_col = len(LEDGER_HEADERS)
    put(ws, 1, 1, f"{department} · 信息公开整改台账").font = _TITLE
    put(ws, 2, 1, f"{DEPARTMENT_LABEL}{department}").font = _BOLD
    put(ws, 2, 3, f"{result.site_name} · 第{result.run.id}次检查 · 检查基准日 {result.as_of.isoformat()}"
                  " · 整改期限自首次发现起按工作日计，登记后不再变动")
    school = put(ws, 3, 1, "以上及以下灰底各列由学校填写，请勿修改（问题编号用于导入答复）")
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=SCHOOL_PART)
    mine = put(ws, 3, SCHOOL_PART + 1, "以下黄底各列由责任部门填写：完成情况请从下拉列表中选择")
    ws.merge_cells(start_row=3, start_column=SCHOOL_PART + 1, end_row=3, end_column=last_col)
    school.fill, mine.fill = _SCHOOL_FILL, _DEPARTMENT_FILL
    school.font = mine.font = _BOLD
    for col, header in enumerate(LEDGER_HEADERS, start=1):
        cell = put(ws, HEADER_ROW, col, header)
        cell.font = _BOLD
        cell.fill = _SCHOOL_FILL if col <= SCHOOL_PART else _DEPARTMENT_FILL
        cell.border = _GRID
        cell.alignment = _HEADER_ALIGN
    n = FIRST_ROW - 1
    for n, fu in enumerate(sorted(rows, key=_order), start=FIRST_ROW):
        put(ws, n, 1, fu.finding_id)
        put(ws, n, 2, f"{fu.item} {names.get(fu.item, '')}".strip())
        verdict = f"{fu.status.label}：" if fu.status is not None else ""
        put(ws, n, 3, f"{verdict}{fu.message}")
        url = put(ws, n, 4, fu.url)
        if safe_href(fu.url):
            url.hyperlink = clean(fu.url)
            url.font = _LINK
        put(ws, n, 5, fu.first_seen).number_format = "yyyy-mm-dd"
        put(ws, n, 6, fu.deadline).number_format = "yyyy-mm-dd"
        state = put(ws, n, 7, state_text(fu))
        if fu.state is State.OVERDUE:
            state.font = _OVERDUE
        answer = fu.answer if fu.answer is not None and fu.answer is fu.latest else None
        if answer is not None:  # what the department answered last, so a re-sent ledger keeps it
            put(ws, n, 8, answer.measures)
            put(ws, n, 9, answer.responsible)
            put(ws, n, 10, answer.planned)
            put(ws, n, 11, _ANSWERED.get(answer.state, ""))
        for col in range(1, last_col + 1):
            cell = ws.cell(row=n, column=col)
            cell.alignment = _WRAP_TOP if col in (2, 3, 4, 8) else _TOP
            cell.border = _GRID
            if col > SCHOOL_PART:
                cell.fill = _DEPARTMENT_FILL
        ws.cell(row=n, column=10).number_format = "yyyy-mm-dd"
    if n < FIRST_ROW:
        put(ws, FIRST_ROW, 3, "本部门目前没有待整改的问题")
    last = max(n, FIRST_ROW)
    choices = DataValidation(type="list", formula1='"' + ",".join(COMPLETION) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle="完成情况",
                             error="请从下拉列表中选择：" + "、".join(COMPLETION))
    choices.add(f"K{FIRST_ROW}:K{last}")
    ws.add_data_validation(choices)
    dates = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,  # 2000-01-01
                           showErrorMessage=True, errorTitle="计划完成时间", error="请填写日期，例如 2018-12-20")
    dates.add(f"J{FIRST_ROW}:J{last}")
    ws.add_data_validation(dates)
    for col, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(last_col)}{last}"
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _department_follow_ups(follow_ups: Mapping[str, FollowUp], department: str) -> list[FollowUp]:
    return [fu for fu in follow_ups.values() if fu.department == department]


def write_scorecard_xlsx(card: Scorecard, path: Path, follow_ups: Mapping[str, FollowUp] | None = None) -> Path:
    """The department's workbook: its 整改台账 first (the problems it leads, with their states as stored
    when `follow_ups` is given, else as a result without a store shows them), then its scorecard and
    score trend."""
    result, dep = card.result, card.department
    wb = Workbook()
    ledger = wb.active
    assert ledger is not None
    ledger.title = LEDGER_SHEET
    tracked = derived_follow_ups(result, card.fix_days) if follow_ups is None else follow_ups
    write_ledger_sheet(ledger, result, dep.name, _department_follow_ups(tracked, dep.name))
    ws = wb.create_sheet("成绩单")
    bold = _BOLD
    put(ws, 1, 1, f"{dep.name} · 信息公开检查成绩单").font = _TITLE
    put(ws, 2, 1, f"{result.site_name} · 第 {result.run.id} 次检查 · 检查基准日 {result.as_of.isoformat()}"
                  f" · 运行状态：{result.run.state.label}"
                  + "".join(f" · {note}" for note in run_notes(result)))
    if result.scored:
        put(ws, 3, 1, "得分").font = bold
        score_cell = put(ws, 3, 2, dep.score)
        score_cell.font = _TITLE
        c = dep.counts
        put(ws, 3, 3, f"合格 {c[Verdict.PASS]}，警告 {c[Verdict.WARN]}，不合格 {c[Verdict.FAIL]}，"
                      f"无法判定 {c[Verdict.INCONCLUSIVE]}（不参评）")
        put(ws, 4, 1, f"计分公式：{result.score_formula}")
    else:
        put(ws, 3, 1, "得分").font = bold
        put(ws, 3, 2, "不计分")
        put(ws, 4, 1, unscored_note(result.run))
    put(ws, 5, 1, f"整改期限：首次发现后 {card.fix_days} 个工作日")

    top = 7
    for col, header in enumerate(HEADERS, start=1):
        cell = put(ws, top, col, header)
        cell.font = bold
        cell.fill = _SCHOOL_FILL  # the same grey
    for n, row in enumerate(card.rows, start=top + 1):
        it = row.item
        messages = "\n".join([*(f.message for f in row.findings), *filter(None, [carried_note(it)])])
        evidence = "\n".join(evidence_text(f.evidence) for f in row.findings if f.evidence)
        put(ws, n, 1, it.item)
        put(ws, n, 2, it.category_name)
        put(ws, n, 3, it.title)
        status = put(ws, n, 4, row.status.label)
        status.fill = _STATUS_FILL[row.status]
        status.font = _STATUS_FONT[row.status]
        put(ws, n, 5, messages)
        url = next((f.url for f in row.findings if f.url), it.url)
        url_cell = put(ws, n, 6, url)
        if safe_href(url):
            url_cell.hyperlink = clean(url)
            url_cell.font = _LINK
        put(ws, n, 7, evidence)
        put(ws, n, 8, row.first_seen.run_id if row.first_seen else None)
        put(ws, n, 9, row.first_seen.on if row.first_seen else None)
        fix = put(ws, n, 10, row.fix_by)
        if row.overdue:
            fix.font = _OVERDUE
        put(ws, n, 11, "牵头" if row.lead else "配合")
        for col in (3, 5, 6, 7):
            ws.cell(row=n, column=col).alignment = _WRAP_TOP
        for col in (9, 10):
            ws.cell(row=n, column=col).number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFGHIJK", (6, 14, 30, 9, 48, 40, 36, 10, 12, 12, 8), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(row=top + 1, column=1)

    trend = wb.create_sheet("得分趋势")
    for col, header in enumerate(("运行", "检查基准日", "状态", "得分"), start=1):
        put(trend, 1, col, header).font = bold
    for n, p in enumerate(card.trend, start=2):
        put(trend, n, 1, p.run_id)
        put(trend, n, 2, p.as_of).number_format = "yyyy-mm-dd"
        put(trend, n, 3, p.state.label)
        put(trend, n, 4, p.score if p.score is not None else "不计分")
    wb.properties.title = clean(f"{dep.name} 信息公开整改台账与成绩单 {result.as_of.isoformat()}")
    write_whole(path, wb)
    return path



@dataclass(frozen=True)
class SummaryRow:
    department: str
    open: int  # waiting on the department (新发现, 已通知, 确认, 整改中, 逾期)
    overdue: int
    awaiting_recheck: int
    explained: int
    fixed: int  # closed by a run, all time


def summary_rows(departments: Sequence[str], follow_ups: Mapping[str, FollowUp],
                 fixed: Mapping[str, int]) -> list[SummaryRow]:
    rows = []
    for name in departments:
        mine = _department_follow_ups(follow_ups, name)
        waiting = [fu for fu in mine if fu.state in (State.NEW, State.NOTIFIED, State.ACKNOWLEDGED,
                                                       State.IN_PROGRESS, State.OVERDUE)]
        rows.append(SummaryRow(department=name, open=len(waiting),
                               overdue=sum(fu.state is State.OVERDUE for fu in mine),
                               awaiting_recheck=sum(fu.state is State.AWAITING_RECHECK for fu in mine),
                               explained=sum(fu.state is State.EXPLAINED for fu in mine),
                               fixed=fixed.get(name, 0)))
    return rows


def write_school_ledger(result: AuditResult, follow_ups: Mapping[str, FollowUp], out_dir: Path,
                        fixed: Mapping[str, int] | None = None) -> Path:
    """`全校整改台账.xlsx` next to the dashboard: a 汇总 sheet (per department: open, overdue, awaiting
    re-check, explained, fixed) and one ledger sheet per department."""
    departments = [d.name for d in result.departments]
    departments += sorted({fu.department for fu in follow_ups.values()} - set(departments))
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    put(summary, 1, 1, f"{result.site_name} · 全校信息公开整改台账汇总").font = Font(bold=True, size=14)
    put(summary, 2, 1, f"第{result.run.id}次检查 · 检查基准日 {result.as_of.isoformat()}"
                       + "".join(f" · {note}" for note in run_notes(result)))
    headers = ("责任部门", "未整改", "其中逾期", "已整改待复核", "情况说明", "累计已整改", "工作表")
    for col, header in enumerate(headers, start=1):
        cell = put(summary, HEADER_ROW, col, header)
        cell.font = Font(bold=True)
        cell.fill = _SCHOOL_FILL
    taken: set[str] = set()
    rows = summary_rows(departments, follow_ups, fixed or {})
    n = HEADER_ROW
    for n, row in enumerate(rows, start=HEADER_ROW + 1):
        title = sheet_name(row.department, taken)
        put(summary, n, 1, row.department)
        for col, value in enumerate((row.open, row.overdue, row.awaiting_recheck, row.explained, row.fixed),
                                    start=2):
            put(summary, n, col, value)
        if row.overdue:
            summary.cell(row=n, column=3).font = Font(bold=True, color="C62828")
        link = put(summary, n, 7, title)
        link.hyperlink = f"#'{title}'!A1"
        link.font = Font(color="1565C0", underline="single")
        write_ledger_sheet(wb.create_sheet(title), result, row.department,
                           _department_follow_ups(follow_ups, row.department))
    total = n + 1
    put(summary, total, 1, "合计").font = Font(bold=True)
    for col, values in enumerate(zip(*[(r.open, r.overdue, r.awaiting_recheck, r.explained, r.fixed) for r in rows],
                                     strict=True) if rows else [(), (), (), (), ()], start=2):
        put(summary, total, col, sum(values)).font = Font(bold=True)
    for col, width in enumerate((28, 9, 9, 13, 9, 11, 28), start=1):
        summary.column_dimensions[get_column_letter(col)].width = width
    summary.freeze_panes = summary.cell(row=HEADER_ROW + 1, column=1)
    summary.print_title_rows = f"1:{HEADER_ROW}"
    summary.page_setup.orientation = "landscape"
    summary.page_setup.paperSize = summary.PAPERSIZE_A4
    summary.page_setup.fitToWidth = 1
    summary.page_setup.fitToHeight = 0
    summary.sheet_properties.pageSetUpPr.fitToPage = True
    wb.properties.title = clean(f"{result.site_name} 全校信息公开整改台账 {result.as_of.isoformat()}")
    path = Path(out_dir) / SCHOOL_LEDGER
    write_whole(path, wb)
    return path


# -- reading returned ledgers -------------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
_ITEM = re.compile(r"^\s*[(（]?(\d{1,3})")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _planned(value: object) -> date | None:
    """A date as a department may type it; raises ValueError when it is not one."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _read_sheet(ws: Worksheet, where: str, answers: list[LedgerAnswer], errors: list[str]) -> None:
    header = tuple(_text(ws.cell(row=HEADER_ROW, column=c).value) for c in range(1, len(LEDGER_HEADERS) + 1))
    if header != LEDGER_HEADERS:
        errors.append(f"{where}: 不是整改台账（第{HEADER_ROW}行应为台账的列标题：{'、'.join(LEDGER_HEADERS)}）")
        return
    label = _text(ws["A2"].value)
    if not label.startswith(DEPARTMENT_LABEL) or not label[len(DEPARTMENT_LABEL):].strip():
        errors.append(f"{where}, A2: 找不到责任部门（应为“{DEPARTMENT_LABEL}部门名称”），请使用学校下发的台账")
        return
    department = label[len(DEPARTMENT_LABEL):].strip()
    for r in range(FIRST_ROW, ws.max_row + 1):
        fid = _text(ws.cell(row=r, column=1).value)
        measures, responsible = _text(ws.cell(row=r, column=8).value), _text(ws.cell(row=r, column=9).value)
        planned_raw, word = ws.cell(row=r, column=10).value, _text(ws.cell(row=r, column=11).value)
        if not fid:
            if measures or responsible or word or _text(planned_raw):
                errors.append(f"{where}, A{r}: 问题编号为空，无法知道这一行答复的是哪个问题（请勿删除或修改问题编号）")
            continue
        if not word:
            continue  # not answered yet
        if word not in COMPLETION:
            errors.append(f"{where}, K{r}: 完成情况“{word}”不是可选的值（{'、'.join(COMPLETION)}）")
            continue
        try:
            planned = _planned(planned_raw)
        except ValueError:
            errors.append(f"{where}, J{r}: 计划完成时间“{_text(planned_raw)}”不是日期（请写成 2018-12-20）")
            continue
        state = COMPLETION[word]
        if state is None:
            continue  # 未开始: nothing to record
        match = _ITEM.match(_text(ws.cell(row=r, column=2).value))
        answers.append(LedgerAnswer(where=where, row=r, department=department, finding_id=fid,
                                    item=int(match.group(1)) if match else None, state=state, measures=measures,
                                    responsible=responsible, planned=planned,
                                    cells={"id": f"A{r}", "measures": f"H{r}", "planned": f"J{r}",
                                           "state": f"K{r}"}))


#: What a returned ledger may unpack to: a department's ledger is a few hundred kilobytes.
LEDGER_MAX_BYTES = 50_000_000


def _unpacked_size(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(info.file_size for info in z.infolist())


def read_ledgers(paths: Sequence[Path]) -> tuple[list[LedgerAnswer], list[str]]:
    """The answers in returned ledgers (per department, or the whole school's), and every reason to refuse
    them as `file, sheet, cell: reason` lines. Nothing is evaluated: formulas are read as their values."""
    answers: list[LedgerAnswer] = []
    errors: list[str] = []
    for path in paths:
        try:
            if _unpacked_size(path) > LEDGER_MAX_BYTES:
                errors.append(f"{path}: 解压后超过 {LEDGER_MAX_BYTES // 1_000_000} MB，不是学校下发的整改台账")
                continue
            wb = load_workbook(path, data_only=True, read_only=False)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "不是 Excel 工作簿（.xlsx）"
            errors.append(f"{path}: {reason}")
            continue
        for ws in wb.worksheets:
            if ws.title in NOT_LEDGERS:
                continue
            _read_sheet(ws, f"{path}, {ws.title}", answers, errors)
    return answers, errors
