"""A department's scorecard as an Excel workbook, for the clerk who tracks rectification in a spreadsheet.

Crawled strings are untrusted: any value starting with = + - @ (or a tab/CR) is stored as a quoted text
cell, so Excel shows it and never evaluates it (CSV/formula injection); control characters that XML
cannot hold are dropped rather than aborting the file.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from auditor.atomic import atomic_write
from auditor.models import Verdict
from reports.common import (
    STATUS_COLOUR,
    carried_note,
    clean,
    evidence_text,
    run_notes,
    safe_href,
    unscored_note,
)
from reports.scorecard import Scorecard

_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")

HEADERS = ("事项", "类别", "公开事项", "状态", "问题说明", "公开网址", "证据", "首次发现（运行）",
           "首次发现（日期）", "整改期限", "牵头/配合")


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


def write_scorecard_xlsx(card: Scorecard, path: Path) -> Path:
    result, dep = card.result, card.department
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "成绩单"
    bold = Font(bold=True)
    put(ws, 1, 1, f"{dep.name} · 信息公开检查成绩单").font = Font(bold=True, size=14)
    put(ws, 2, 1, f"{result.site_name} · 第 {result.run.id} 次检查 · 检查基准日 {result.as_of.isoformat()}"
                  f" · 运行状态：{result.run.state.label}"
                  + "".join(f" · {note}" for note in run_notes(result)))
    if result.scored:
        put(ws, 3, 1, "得分").font = bold
        score_cell = put(ws, 3, 2, dep.score)
        score_cell.font = Font(bold=True, size=14)
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
        cell.fill = PatternFill("solid", fgColor="E3E8EE")
    for n, row in enumerate(card.rows, start=top + 1):
        it = row.item
        messages = "\n".join([*(f.message for f in row.findings), *filter(None, [carried_note(it)])])
        evidence = "\n".join(evidence_text(f.evidence) for f in row.findings if f.evidence)
        put(ws, n, 1, it.item)
        put(ws, n, 2, it.category_name)
        put(ws, n, 3, it.title)
        status = put(ws, n, 4, row.status.label)
        status.fill = PatternFill("solid", fgColor=STATUS_COLOUR[row.status].lstrip("#"))
        status.font = Font(bold=True, color="1F2933" if row.status is Verdict.WARN else "FFFFFF")
        put(ws, n, 5, messages)
        url = next((f.url for f in row.findings if f.url), it.url)
        url_cell = put(ws, n, 6, url)
        if safe_href(url):
            url_cell.hyperlink = clean(url)
            url_cell.font = Font(color="1565C0", underline="single")
        put(ws, n, 7, evidence)
        put(ws, n, 8, row.first_seen.run_id if row.first_seen else None)
        put(ws, n, 9, row.first_seen.on if row.first_seen else None)
        fix = put(ws, n, 10, row.fix_by)
        if row.overdue:
            fix.font = Font(bold=True, color="C62828")
        put(ws, n, 11, "牵头" if row.lead else "配合")
        for col in (3, 5, 6, 7):
            ws.cell(row=n, column=col).alignment = Alignment(wrap_text=True, vertical="top")
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
    wb.properties.title = clean(f"{dep.name} 信息公开检查成绩单 {result.as_of.isoformat()}")
    with atomic_write(path) as tmp:
        wb.save(tmp)
    return path

