"""The 整改 → 复核 loop as a supervision group runs it: a full audit, the departments fill in their 整改台账
(written and filled with openpyxl, as Excel would), the answers are imported, `auditor recheck` re-crawls
the items reported fixed, and the run closes the one really fixed and reopens the one still failing.
Bad ledgers are refused whole, cell by cell, and leave the database as it was.

The sample site is copied so a column can be broken before the audit and restored before the 复核,
served on loopback, and audited by real `auditor` subprocesses.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from auditor.lifecycle import State, site_follow_ups
from auditor.store import Store
from reports.xlsx import LEDGER_HEADERS, LEDGER_SHEET, SCHOOL_LEDGER, SUMMARY_SHEET
from samplesite.manifest import SITE_ROOT
from samplesite.server import SampleSiteServer

AS_OF = "2018-11-30"
RECHECK_AS_OF = "2018-12-07"
#: Item 1 (党办、校办) passes on the sample site; its column is removed before the audit and put back
#: before the 复核: the office's answer "已完成" is true.
FIXED_COLUMN = "xxgk.ustb.edu.cn/xinxigongkaimulu/jibenxinxi/jibenbanxue/index.html"
FIXED = "1-presence.catalogue-reachable-1"
#: Item 46 (研究生院) answers 404 on the sample site and stays so: its "已完成" is not true.
STILL_FAILING = "46-presence.catalogue-reachable-1"
IN_PROGRESS = "12-privacy.personal-data-1"
EXPLAINED = "44-privacy.personal-data-1"
OFFICE, GRADUATE = "01-党办、校办.xlsx", "05-研究生院.xlsx"


def auditor(tmp: Path, db: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XXGK_CONFIG": "", "COLUMNS": "200", "XXGK_STORE_PATH": str(db), **env_extra}
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True, text=True, env=env,
                          cwd=tmp, timeout=300, check=False)


def rows_by_id(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, int]:
    return {str(ws.cell(r, 1).value): r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value}


def answer(path: Path, out: Path, answers: dict[str, tuple[str, str, object, str]]) -> Path:
    """Fill a department's ledger as its clerk would: 整改措施, 责任人, 计划完成时间, 完成情况."""
    wb = openpyxl.load_workbook(path)
    ws = wb[LEDGER_SHEET]
    rows = rows_by_id(ws)
    for fid, (measures, who, planned, done) in answers.items():
        r = rows[fid]
        ws.cell(r, 8).value, ws.cell(r, 9).value, ws.cell(r, 10).value, ws.cell(r, 11).value = (
            measures, who, planned, done)
    wb.save(out)
    return out


def states(db: Path, today: date = date(2018, 12, 3)) -> dict[str, State]:
    with Store(db) as store:
        return {fid: fu.state for fid, fu in site_follow_ups(store, "ustb", today).items()}


def change_count(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as con:
        return (con.execute("SELECT count(*) FROM follow_up_changes").fetchone()[0],
                con.execute("SELECT count(*) FROM rechecks").fetchone()[0])


@dataclass
class Loop:
    tmp: Path
    db: Path
    after_audit: Path  # a copy of the database right after the first audit
    filled: list[Path]
    after_import: dict[str, State]
    imports: list[subprocess.CompletedProcess[str]]
    listing: str
    recheck: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loop]:
    tmp = tmp_path_factory.mktemp("ledger")
    root = tmp / "site"
    shutil.copytree(SITE_ROOT, root)
    db = tmp / "a.sqlite"
    saved = (root / FIXED_COLUMN).read_bytes()
    (root / FIXED_COLUMN).unlink()
    with SampleSiteServer(root=root) as site:
        first = auditor(tmp, db, "run", "--site", "ustb", "--as-of", AS_OF, "--out", str(tmp / "out1"),
                        "--proxy", site.proxy_url, "--no-polite")
        assert first.returncode == 1, first.stderr
        shutil.copy(db, tmp / "after-audit.sqlite")
        cards = tmp / "out1" / "scorecards"
        filled = [
            answer(cards / OFFICE, tmp / "returned-office.xlsx",
                   {FIXED: ("已恢复“办学基本情况”栏目页面", "王老师", datetime(2018, 12, 5), "已完成")}),
            answer(cards / GRADUATE, tmp / "returned-graduate.xlsx", {
                STILL_FAILING: ("已请网络中心恢复栏目", "李老师", "2018/12/06", "已完成"),
                IN_PROGRESS: ("正在对复试成绩表脱敏", "李老师", "2018-12-20", "整改中"),
                EXPLAINED: ("该名单为法定公示，须公示至2030年6月", "李老师", "2030-06-30", "情况说明"),
            }),
        ]
        imports = [auditor(tmp, db, "ledger", "import", *map(str, filled), "--by", "督查组")]
        after_import = states(db)
        imports.append(auditor(tmp, db, "ledger", "import", *map(str, filled), "--by", "督查组"))
        listing = auditor(tmp, db, "finding", "list", "--as-of", "2018-12-03")
        assert listing.returncode == 0, listing.stderr
        (root / FIXED_COLUMN).write_bytes(saved)  # the office really fixed its column
        # fix_days changes between the audit and the 复核: deadlines already set must not move.
        recheck = auditor(tmp, db, "recheck", "--as-of", RECHECK_AS_OF, "--out", str(tmp / "out2"),
                          "--proxy", site.proxy_url, "--no-polite", XXGK_OUTPUT_FIX_DAYS="30")
    yield Loop(tmp, db, tmp / "after-audit.sqlite", filled, after_import, imports, listing.stdout, recheck)


def test_a_filled_ledger_moves_the_findings_and_schedules_the_reported_fixes_for_recheck(loop: Loop) -> None:
    assert [p.returncode for p in loop.imports] == [0, 0], [p.stderr for p in loop.imports]
    assert loop.after_import[FIXED] is State.AWAITING_RECHECK
    assert loop.after_import[STILL_FAILING] is State.AWAITING_RECHECK
    assert loop.after_import[IN_PROGRESS] is State.IN_PROGRESS
    assert loop.after_import[EXPLAINED] is State.EXPLAINED
    assert loop.after_import["6-freshness.current-edition-1"] is State.NEW  # nobody answered it
    assert "第1、46项" in loop.imports[0].stdout
    expired = auditor(loop.tmp, loop.db, "finding", "list", "--department", "研究生院", "--as-of", "2030-07-01")
    row = next(line for line in expired.stdout.splitlines() if EXPLAINED in line)
    assert "逾期" in row  # after its expiry an explanation no longer excuses the problem
    assert "待复核事项" in loop.listing and "第1、46项" in loop.listing


def test_importing_the_same_ledgers_again_adds_nothing(loop: Loop) -> None:
    assert "0 个问题更新" in loop.imports[1].stdout and "4 条此前已导入" in loop.imports[1].stdout
    with Store(loop.db) as store:
        history = site_follow_ups(store, "ustb", date(2018, 12, 10))[IN_PROGRESS].history
    assert [c.state for c in history] == [State.IN_PROGRESS]


def test_the_recheck_closes_the_fixed_finding_and_reopens_the_one_still_failing(loop: Loop) -> None:
    assert loop.recheck.returncode == 1, loop.recheck.stderr  # item 46 still fails
    assert "本次为复核" in loop.recheck.stdout and "第1、46项" in loop.recheck.stdout
    after = states(loop.db, date(2018, 12, 10))
    assert after[FIXED] is State.FIXED
    assert after[STILL_FAILING] is State.IN_PROGRESS
    assert after[IN_PROGRESS] is State.IN_PROGRESS and after[EXPLAINED] is State.EXPLAINED
    assert after["6-freshness.current-edition-1"] is State.NEW  # not re-checked: carried, untouched
    with Store(loop.db) as store:
        followed = site_follow_ups(store, "ustb", date(2018, 12, 10))
        assert store.pending_rechecks("ustb") == []
    reopened = followed[STILL_FAILING].latest
    assert reopened is not None and reopened.note == "复核未通过：第2次检查仍发现此问题" and reopened.run_id == 2
    closed = followed[FIXED].latest
    assert closed is not None and closed.run_id == 2 and "第2次检查未再发现" in closed.note
    show = auditor(loop.tmp, loop.db, "finding", "show", STILL_FAILING, "--as-of", "2018-12-10")
    assert show.returncode == 0, show.stderr
    for text in ("已请网络中心恢复栏目", "李老师", "2018-12-06", "研究生院（李老师）", "复核未通过", "整改中"):
        assert text in show.stdout, text


def test_deadlines_stay_frozen_when_fix_days_change(loop: Loop) -> None:
    wb = openpyxl.load_workbook(loop.tmp / "out2" / "scorecards" / GRADUATE)
    ws = wb[LEDGER_SHEET]
    row = rows_by_id(ws)[STILL_FAILING]
    assert ws.cell(row, 6).value.date() == date(2018, 12, 14)  # 10 working days after 2018-11-30, as set then
    assert ws.cell(row, 7).value == "整改中"
    assert ws.cell(row, 8).value is None  # reopened by the audit: the department's old answer is not offered again
    card = wb["成绩单"]
    row46 = next(r for r in card.iter_rows(min_row=8) if r[0].value == 46)
    assert row46[9].value.date() == date(2018, 12, 14)  # the scorecard sheet says the same
    html = (loop.tmp / "out2" / "scorecards" / GRADUATE.replace(".xlsx", ".html")).read_text(encoding="utf-8")
    assert "2018-12-14" in html.split('id="item-46"')[1].split("</tr>")[0]
    with Store(loop.db) as store:
        assert {t.fix_days for t in store.tracked("ustb").values()} == {10}


def test_the_school_ledger_sums_up_per_department(loop: Loop) -> None:
    wb = openpyxl.load_workbook(loop.tmp / "out2" / SCHOOL_LEDGER)
    assert wb.sheetnames[0] == SUMMARY_SHEET
    summary = wb[SUMMARY_SHEET]
    header = [c.value for c in summary[4]]
    by_dep = {r[0]: dict(zip(header, r, strict=True)) for r in summary.iter_rows(min_row=5, values_only=True)}
    assert by_dep["党办、校办"]["累计已整改"] == 1 and by_dep["党办、校办"]["未整改"] == 1  # item 6 is still open
    graduate = by_dep["研究生院"]
    assert (graduate["未整改"], graduate["情况说明"], graduate["已整改待复核"]) == (2, 1, 0)
    assert by_dep["合计"]["累计已整改"] == 1
    assert set(by_dep) - {"合计"} <= set(wb.sheetnames)
    assert STILL_FAILING in rows_by_id(wb["研究生院"]) and FIXED not in rows_by_id(wb["党办、校办"])


def test_the_ledger_prints_and_filters_like_a_ledger(loop: Loop) -> None:
    for path, sheet in ((loop.tmp / "out1" / "scorecards" / GRADUATE, LEDGER_SHEET),
                        (loop.tmp / "out1" / SCHOOL_LEDGER, "研究生院")):
        ws = openpyxl.load_workbook(path)[sheet]
        assert tuple(c.value for c in ws[4]) == LEDGER_HEADERS
        assert ws["A2"].value == "责任部门：研究生院"
        last = ws.max_row
        assert ws.freeze_panes == "A5"
        assert ws.auto_filter.ref == f"A4:K{last}"
        assert ws.print_title_rows == "$1:$4"
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        checks = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
        choices, dates = checks[f"K5:K{last}"], checks[f"J5:J{last}"]
        assert choices.type == "list" and choices.formula1 == '"未开始,整改中,已完成,情况说明"'
        assert dates.type == "date" and dates.showErrorMessage
        assert "责任部门填写" in str(ws["H3"].value) and "学校填写" in str(ws["A3"].value)
        assert ws["H4"].fill.fgColor.rgb != ws["A4"].fill.fgColor.rgb  # the department's part stands out


# -- refusals -------------------------------------------------------------------------------------------


def _fresh(loop: Loop, name: str) -> Path:
    db = loop.tmp / f"{name}.sqlite"
    shutil.copy(loop.after_audit, db)
    return db


def test_bad_ledgers_are_refused_whole_with_every_cell_named(loop: Loop) -> None:
    db = _fresh(loop, "refused")
    before = change_count(db)
    cards = loop.tmp / "out1" / "scorecards"
    office = cards / OFFICE
    good = answer(office, loop.tmp / "good.xlsx", {FIXED: ("已恢复", "王老师", "2018-12-05", "已完成")})
    # the office answers the graduate school's finding: a row copied into its own ledger
    wb = openpyxl.load_workbook(office)
    ws = wb[LEDGER_SHEET]
    foreign_row = ws.max_row + 1
    for col, value in enumerate((STILL_FAILING, "46 学位点申报", "", "", None, None, "新发现", "已恢复", "王老师",
                                 "2018-12-05", "已完成"), start=1):
        ws.cell(foreign_row, col).value = value
    r = rows_by_id(ws)["6-freshness.current-edition-1"]
    ws.cell(r, 11).value = "搞定了"  # not one of the drop-down's words
    r1 = rows_by_id(ws)[FIXED]
    ws.cell(r1, 1).value = "1-presence.catalogue-reachable-7"  # an edited id
    ws.cell(r1, 11).value = "已完成"
    wb.create_sheet("备注")["A1"] = "本部门意见见附件"  # a sheet that is not a ledger
    wb.save(loop.tmp / "bad-office.xlsx")
    graduate = answer(cards / GRADUATE, loop.tmp / "bad-graduate.xlsx",
                      {IN_PROGRESS: ("脱敏", "李老师", "下周", "整改中")})  # not a date
    (loop.tmp / "notes.xlsx").write_text("not a workbook", encoding="utf-8")
    proc = auditor(loop.tmp, db, "ledger", "import", str(good), str(loop.tmp / "bad-office.xlsx"), str(graduate),
                   str(loop.tmp / "notes.xlsx"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    err = proc.stderr
    bad_office = f"{loop.tmp / 'bad-office.xlsx'}, {LEDGER_SHEET}"
    grad_row = rows_by_id(openpyxl.load_workbook(graduate)[LEDGER_SHEET])[IN_PROGRESS]
    expected = [
        f"{bad_office}, A{foreign_row}: 问题 {STILL_FAILING} 由研究生院负责，党办、校办不能答复",
        f"{bad_office}, A{r1}: 问题编号 '1-presence.catalogue-reachable-7' 不是本校的问题编号",
        f"{bad_office}, K{r}: 完成情况“搞定了”不是可选的值",
        f"{loop.tmp / 'bad-office.xlsx'}, 备注: 不是整改台账",
        f"{loop.tmp / 'bad-graduate.xlsx'}, {LEDGER_SHEET}, J{grad_row}: 计划完成时间“下周”不是日期",
        f"{loop.tmp / 'notes.xlsx'}: 不是 Excel 工作簿",
    ]
    flat = " ".join(err.split())
    for line in expected:
        assert " ".join(line.split()) in flat, line
    assert f"共{len(expected)}处问题" in flat
    assert "数据库未作任何更改" in flat
    assert change_count(db) == before  # the good file was not imported either
    assert states(db)[FIXED] is State.NEW


def test_an_explanation_needs_a_reason_and_an_expiry(loop: Loop) -> None:
    db = _fresh(loop, "explain")
    path = answer(loop.tmp / "out1" / "scorecards" / GRADUATE, loop.tmp / "explain.xlsx",
                  {EXPLAINED: ("", "李老师", None, "情况说明")})
    proc = auditor(loop.tmp, db, "ledger", "import", str(path))
    assert proc.returncode == 2
    flat = " ".join(proc.stderr.split())
    assert "须在整改措施中写明理由" in flat and "须在计划完成时间填写说明的有效期" in flat
    assert change_count(db) == (0, 0)


# -- the command line ------------------------------------------------------------------------------------


def test_the_command_line_moves_a_finding_along_and_keeps_who_did_what(loop: Loop) -> None:
    db = _fresh(loop, "cli")
    fid = "6-freshness.current-edition-1"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return auditor(loop.tmp, db, "finding", *args)

    assert run("ack", fid, "--by", "王老师", "--note", "已收到").returncode == 0
    again = run("ack", fid)
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and "不能改为“确认”" in again.stderr
    assert run("progress", fid, "--by", "王老师").returncode == 0
    fixed = run("fixed", fid, "--by", "王老师", "--note", "已发布2017~2018学年年度报告")
    assert fixed.returncode == 0 and "已安排复核" in fixed.stdout
    listing = run("list", "--state", "已整改待复核", "--as-of", "2018-12-03")
    assert fid in listing.stdout and "第6项" in listing.stdout
    unknown = run("show", "6-nothing-1")
    assert unknown.returncode == 2 and "不存在" in unknown.stderr
    past = run("explain", "3-links.attachments-1", "--reason", "附件已过公示期", "--until", "2018-01-01")
    assert past.returncode == 2 and "有效期" in past.stderr
    bad_date = run("explain", "3-links.attachments-1", "--reason", "附件已过公示期", "--until", "明年")
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr
    bad_state = run("list", "--state", "完成")
    assert bad_state.returncode == 2 and "--state" in bad_state.stderr
    show = run("show", fid, "--as-of", "2018-12-03")
    assert show.returncode == 0, show.stderr
    history = show.stdout.split("变更记录")[1]
    assert history.index("确认") < history.index("整改中") < history.index("已整改待复核")
    assert history.count("王老师") == 3 and "已收到" in history and "已发布2017~2018学年年度报告" in history
    overdue = run("list", "--department", "工会", "--as-of", "2018-12-20")
    assert "逾期6天" in overdue.stdout  # deadline 2018-12-14
    on_time = run("list", "--department", "工会", "--as-of", "2018-12-14")
    assert "逾期" not in on_time.stdout and "新发现" in on_time.stdout
    unknown_dep = run("list", "--department", "不存在的处")
    assert unknown_dep.returncode == 2


def test_the_annual_section_states_the_follow_up_the_record_holds(loop: Loop) -> None:
    """After one 整改 → 复核 cycle the annual draft counts what the record holds: the problems answered in
    the ledgers (so notified), the one a 复核 closed, the one still in hand, the 情况说明 and the re-check;
    before any answer, the same year's draft says notification is pending and claims no follow-up."""
    def drafted(db: Path, out: str) -> str:
        proc = auditor(loop.tmp, db, "annual", "--year", "2018-2019", "--out", str(loop.tmp / out))
        assert proc.returncode == 0, proc.stderr
        return next((loop.tmp / out).glob("*.md")).read_text(encoding="utf-8")

    after = drafted(loop.db, "annual-after")
    assert "发出整改通知4项次" in after and "已督促相关部门限期整改" in after
    for words in ("整改中2项", "已整改1项", "提交情况说明1项", "开展复核1次"):
        assert words in after, words
    before = drafted(loop.after_audit, "annual-before")
    assert "整改通知尚未发出" in before and "已督促" not in before
