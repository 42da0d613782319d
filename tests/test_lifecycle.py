"""A finding's life in the store: deadlines frozen when first followed, runs that close and reopen only
what they judged, e-mail that marks 已通知 only for the departments actually reached, an older database
upgraded in place, and the ledger's sheet names and cells safe whatever the departments are called.

Real SQLite files, results built with `reports.samples`, a real SMTP server (aiosmtpd) on loopback,
workbooks written and read back with openpyxl.
"""

from __future__ import annotations

import email
import email.policy
import socket
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from rich.console import Console

from auditor.calendar import add_working_days
from auditor.config import load_config
from auditor.lifecycle import (
    State,
    change_state,
    derived_follow_ups,
    follow_ups,
    record_run,
    site_follow_ups,
)
from auditor.models import Finding, RuleKind, RunState, Verdict
from auditor.results import AuditResult, department_results
from auditor.runner import ReportPaths, send_email
from auditor.store import _MIGRATIONS, SCHEMA_VERSION, Store
from reports.html import render_scorecards
from reports.samples import make_finding, make_result
from reports.xlsx import (
    LEDGER_MAX_BYTES,
    LEDGER_SHEET,
    SCHOOL_LEDGER,
    SUMMARY_SHEET,
    read_ledgers,
    sheet_name,
    write_school_ledger,
)

BUDGET = "19-presence.sample-1"


def _runs(store: Store, n: int, states: dict[int, RunState] | None = None) -> None:
    """`n` more finished, evaluated runs, so that record_run knows which one is the newest scored."""
    for _ in range(n):
        run_id = store.begin_run("ustb", tool_version="t", checklist_version="qingdan-2014",
                                 catalogue_version="1").id
        store.save_findings(run_id, date(2018, 11, 30), [])
        store.finish_run(run_id, (states or {}).get(run_id, RunState.COMPLETE))


def _failing(run_id: int, as_of: date, *, first: tuple[int, date], **kw: Any) -> AuditResult:
    """Item 19 (财务处) failing since `first`, every other item passing unless `kw` says otherwise."""
    findings = {19: (make_finding(19, Verdict.FAIL, "栏目中找不到2018年部门预算", first_seen=first),),
                **kw.pop("findings", {})}
    return make_result(run_id, as_of, findings=findings, **kw)


def test_the_deadline_counts_working_days_and_never_moves_once_set(tmp_path: Path) -> None:
    with Store(tmp_path / "a.sqlite") as store:
        _runs(store, 2)
        first = _failing(1, date(2018, 9, 28), first=(1, date(2018, 9, 28)))
        record_run(store, first, fix_days=10)
        # 10 working days from Friday 28 Sep 2018: the make-up Saturday and Sunday count, 国庆 does not
        assert follow_ups(store, "ustb", first, date(2018, 10, 1))[BUDGET].deadline == date(2018, 10, 17)
        later = _failing(2, date(2018, 10, 26), first=(1, date(2018, 9, 28)), findings={
            20: (make_finding(20, Verdict.FAIL, "决算缺表", first_seen=(2, date(2018, 10, 26))),)})
        record_run(store, later, fix_days=20)  # the configuration changed in between
        now = follow_ups(store, "ustb", later, date(2018, 10, 26))
    assert now[BUDGET].deadline == date(2018, 10, 17)
    assert (now[BUDGET].state, now[BUDGET].days_overdue) == (State.OVERDUE, 9)
    assert now["20-presence.sample-2"].deadline == add_working_days(date(2018, 10, 26), 20)
    assert now["20-presence.sample-2"].state is State.NEW


def test_without_a_store_follow_ups_are_derived_from_the_result() -> None:
    result = _failing(4, date(2018, 11, 30), first=(1, date(2018, 9, 28)))
    (only,) = derived_follow_ups(result, 10).values()
    assert only.finding_id == BUDGET and only.department == "财务处" and only.first_seen_run == 1
    assert only.deadline == date(2018, 10, 17) and only.state is State.OVERDUE and only.days_overdue == 44
    assert only.history == () and only.message == "栏目中找不到2018年部门预算"


def _gate_fail(item: int) -> Finding:
    return Finding(item=item, kind=RuleKind.PRESENCE, rule="presence.catalogue-reachable", status=Verdict.FAIL,
                   message="栏目地址无法打开（HTTP 404）")


def test_only_a_scored_run_that_judged_the_item_closes_a_finding(tmp_path: Path) -> None:
    fresh = make_finding(20, Verdict.WARN, "栏目半年未更新", kind=RuleKind.FRESHNESS, first_seen=(1, date(2018, 11, 2)))
    since = (1, date(2018, 11, 2))
    with Store(tmp_path / "a.sqlite") as store:
        _runs(store, 1)
        record_run(store, _failing(1, date(2018, 11, 2), first=since, findings={20: (fresh,)}))
        # run 2: the site was down; nothing can be said about anyone
        _runs(store, 1, {2: RunState.INCONCLUSIVE})
        down = make_result(2, date(2018, 11, 9), state=RunState.INCONCLUSIVE)
        assert record_run(store, down).closed == ()
        # run 3: item 19 could not be judged; item 20's column is gone, so its freshness was not judged
        _runs(store, 1)
        blind = make_result(3, date(2018, 11, 16), {19: Verdict.INCONCLUSIVE}, findings={20: (_gate_fail(20),)})
        effects = record_run(store, blind)
        assert effects.closed == () and effects.registered == ("20-presence.catalogue-reachable-3",)
        # run 4: a 复核 of item 20 only, which passes now; item 19 is carried from run 1, still failing
        _runs(store, 1)
        partial = make_result(4, date(2018, 11, 23))
        carried = tuple(replace(it, carried_from_run=1, status=Verdict.FAIL) if it.item == 19 else it
                        for it in partial.items)
        partial = replace(partial, items=carried, rechecked=(20,))
        assert set(record_run(store, partial).closed) == {"20-freshness.sample-1", "20-presence.catalogue-reachable-3"}
        assert site_follow_ups(store, "ustb", date(2018, 11, 23))[BUDGET].state.is_open
        # run 5 judges everything and item 19 passes at last
        _runs(store, 1)
        effects = record_run(store, make_result(5, date(2018, 11, 30)))
        assert effects.closed == (BUDGET,)
        closer = site_follow_ups(store, "ustb", date(2018, 11, 30))[BUDGET].latest
        assert closer is not None and closer.state is State.FIXED and closer.run_id == 5
        # an older run judged again afterwards is no news about the site
        assert record_run(store, _failing(3, date(2018, 11, 16), first=(3, date(2018, 11, 16)))).closed == ()
        assert site_follow_ups(store, "ustb", date(2018, 11, 30))[BUDGET].state is State.FIXED


def test_an_explanation_or_a_claimed_fix_is_kept_with_its_author(tmp_path: Path) -> None:
    with Store(tmp_path / "a.sqlite") as store:
        _runs(store, 2)
        result = _failing(1, date(2018, 11, 30), first=(1, date(2018, 11, 30)))
        record_run(store, result)
        change_state(store, "ustb", BUDGET, State.EXPLAINED, author="王老师", today=date(2018, 12, 1),
                     note="预算尚未批复", until=date(2018, 12, 31))
        on = follow_ups(store, "ustb", result, date(2018, 12, 20))[BUDGET]
        after = follow_ups(store, "ustb", result, date(2019, 1, 2))[BUDGET]
        change_state(store, "ustb", BUDGET, State.AWAITING_RECHECK, author="王老师", today=date(2019, 1, 2))
        assert [r.item for r in store.pending_rechecks("ustb")] == [19]
        # the 复核 still finds it: reopened, and the item is no longer waiting
        effects = record_run(store, replace(_failing(2, date(2019, 1, 4), first=(1, date(2018, 11, 30))),
                                            rechecked=(19,)))
        reopened = site_follow_ups(store, "ustb", date(2019, 1, 4))[BUDGET]
        assert store.pending_rechecks("ustb") == []
    assert on.state is State.EXPLAINED and on.explained_until == date(2018, 12, 31) and on.days_overdue == 0
    assert on.latest is not None and (on.latest.author, on.latest.note) == ("王老师", "预算尚未批复")
    assert after.state is State.OVERDUE  # the explanation expired: the problem counts again
    assert effects.reopened == (BUDGET,) and reopened.state is State.OVERDUE  # 整改中, past its deadline
    assert [c.state for c in reopened.history] == [State.EXPLAINED, State.AWAITING_RECHECK, State.IN_PROGRESS]
    assert reopened.history[-1].note == "复核未通过：第2次检查仍发现此问题"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Inbox:
    def __init__(self) -> None:
        self.to: list[str] = []
        self.bodies: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.to += list(envelope.rcpt_tos)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        body = msg.get_body(("plain",))
        self.bodies.append(body.get_content() if isinstance(body, EmailMessage) else "")
        return "250 OK"


@pytest.fixture()
def smtp() -> Iterator[tuple[_Inbox, int]]:
    inbox, port = _Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_a_sent_mail_marks_the_departments_new_findings_notified(tmp_path: Path, smtp: tuple[_Inbox, int]) -> None:
    inbox, port = smtp
    (tmp_path / "c.toml").write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                                     'sender = "xxgk@example.edu.cn"\n', encoding="utf-8")
    config = load_config(tmp_path / "c.toml", environ={})
    result = _failing(1, date(2018, 11, 30), first=(1, date(2018, 11, 30)), contacts={"财务处": "cw@example.edu.cn"},
                      findings={21: (make_finding(21, Verdict.FAIL, "缺少投诉方式", first_seen=(1, date(2018, 11, 30))),),
                                12: (make_finding(12, Verdict.FAIL, "复试成绩未公开", first_seen=(1, date(2018, 11, 30))),)})
    db = tmp_path / "a.sqlite"
    with Store(db) as store:
        _runs(store, 1)
        record_run(store, result)
        change_state(store, "ustb", "21-presence.sample-1", State.IN_PROGRESS, author="财务处", today=date(2018, 12, 1))
    paths = render_scorecards(result, [], tmp_path / "out")
    send_email(result, ReportPaths(out=tmp_path / "out", findings=tmp_path / "f.json", dashboard=tmp_path / "i.html",
                                   scorecards=paths), config, Console(quiet=True), db=db)
    assert inbox.to == ["cw@example.edu.cn"]
    assert "整改台账" in inbox.bodies[0] and "交回" in inbox.bodies[0]  # the mail says what to do with it
    with Store(db) as store:
        now = site_follow_ups(store, "ustb", date(2018, 12, 3))
    assert now[BUDGET].state is State.NOTIFIED and now[BUDGET].latest is not None
    assert "财务处" in now[BUDGET].latest.note and now[BUDGET].latest.source == "邮件"
    assert now["21-presence.sample-1"].state is State.IN_PROGRESS  # an answer is not undone by a mail
    assert now["12-presence.sample-1"].state is State.NEW  # 研究生院 has no address: not notified


def test_a_version_5_database_is_upgraded_and_its_findings_followed_up(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    with sqlite3.connect(db) as con:
        for version in range(1, 6):
            if version == 5:
                con.execute(
                    "INSERT INTO runs (id, site, started_at, finished_at, state, tool_version, checklist_version,"
                    " catalogue_version, as_of, evaluated_at) VALUES (1, 'ustb', '2018-11-30T10:00:00+00:00',"
                    " '2018-11-30T10:09:00+00:00', 'complete', '0.1.0', 'qingdan-2014', '2018.1', '2018-11-30',"
                    " '2018-11-30T10:10:00+00:00')")
                for seq, item in enumerate(range(1, 51)):
                    failing = item == 6
                    con.execute(
                        "INSERT INTO findings (run_id, seq, item, kind, rule, status, message, first_seen_run,"
                        " first_seen_at) VALUES (1,?,?,?,?,?,?,?,?)",
                        (seq, item, "presence", "presence.catalogue-reachable", "fail" if failing else "pass",
                         "未找到年度报告" if failing else "栏目可以打开", 1 if failing else None,
                         "2018-11-30" if failing else None))
            for statement in _MIGRATIONS[version].split(";"):
                if statement.strip():
                    con.execute(statement)
        con.execute("PRAGMA user_version=5")
    proc = subprocess.run([sys.executable, "-m", "auditor", "finding", "list", "--db", str(db), "--as-of",
                           "2018-12-17"], capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False,
                          env={"PATH": "/usr/bin:/bin", "XXGK_CONFIG": "", "COLUMNS": "200",
                               "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert proc.returncode == 0, proc.stderr
    assert "6-presence.catalogue-reachable-1" in proc.stdout and "逾期3天" in proc.stdout
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    with Store(db) as store:
        (tracked,) = store.tracked("ustb").values()
        assert len(store.findings(1)) == 50
    assert (tracked.department, tracked.deadline, tracked.fix_days) == ("党办、校办", date(2018, 12, 14), 10)


def test_history_and_deadlines_cannot_be_rewritten_even_by_hand(tmp_path: Path) -> None:
    with Store(tmp_path / "a.sqlite") as store:
        _runs(store, 1)
        result = _failing(1, date(2018, 11, 30), first=(1, date(2018, 11, 30)))
        record_run(store, result)
        change_state(store, "ustb", BUDGET, State.ACKNOWLEDGED, author="王老师", today=date(2018, 12, 1))
    with sqlite3.connect(tmp_path / "a.sqlite") as con:
        for sql in ("UPDATE follow_up_changes SET author='别人'", "DELETE FROM follow_up_changes",
                    "UPDATE follow_ups SET deadline='2019-12-31'"):
            with pytest.raises(sqlite3.DatabaseError):
                con.execute(sql)


def test_sheet_names_are_what_excel_accepts_whatever_a_department_is_called(tmp_path: Path) -> None:
    taken: set[str] = set()
    names = [sheet_name(n, taken) for n in ("财务处", "财务处", "汇总", "a/b:c*d?e[f]g\\h",
                                             "马克思主义学院" * 6, "马克思主义学院" * 6, "'引号'", "", "History")]
    assert len({n.casefold() for n in names}) == len(names)
    assert all(0 < len(n.encode("utf-16-le")) // 2 <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert names[0] == "财务处" and names[1] != "财务处" and names[2] != "汇总" and names[8] != "History"
    odd = "../信息化/办公室:*?[一]" + "很长的名字" * 8
    result = _failing(1, date(2018, 11, 30), first=(1, date(2018, 11, 30)))
    items = tuple(replace(it, departments=(odd,)) if it.item == 19 else it for it in result.items)
    result = replace(result, items=items, departments=department_results(items, {}, True))
    path = write_school_ledger(result, derived_follow_ups(result), tmp_path)
    assert path == tmp_path / SCHOOL_LEDGER
    wb = openpyxl.load_workbook(path)
    sheet = next(ws for ws in wb.worksheets if ws["A2"].value == f"责任部门：{odd}")
    assert sheet.title in [c.value for c in wb[SUMMARY_SHEET]["G"]]
    assert sheet["A5"].value == BUDGET


def test_crawled_text_in_the_ledger_stays_text(tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://evil.example/","点我")'
    result = make_result(1, date(2018, 11, 30), findings={
        19: (make_finding(19, Verdict.FAIL, "-2+3 栏目异常", url=formula, first_seen=(1, date(2018, 11, 30))),)})
    paths = render_scorecards(result, [], tmp_path)
    xlsx = next(p for p in paths if p.name == "06-财务处.xlsx")
    ws = openpyxl.load_workbook(xlsx)[LEDGER_SHEET]
    assert ws["D5"].value == formula and ws["D5"].data_type == "s" and ws["D5"].quotePrefix
    assert ws["D5"].hyperlink is None  # not an http(s) address: never a link
    with zipfile.ZipFile(xlsx) as z:
        assert all("<f>" not in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_a_workbook_that_would_unpack_to_gigabytes_is_refused_before_it_is_read(tmp_path: Path) -> None:
    bomb = tmp_path / "05-研究生院.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for _ in range(LEDGER_MAX_BYTES // 1_000_000 + 1):
                part.write(b" " * 1_000_000)
    answers, errors = read_ledgers([bomb])
    assert answers == [] and errors == [f"{bomb}: 解压后超过 50 MB，不是学校下发的整改台账"]
