"""Diff and history over runs saved in a real SQLite store: items fail, get fixed, and regress."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from auditor.models import Finding, Run, RunState, Verdict
from auditor.results import AuditResult
from auditor.store import Store
from reports.history import Change, diff, diff_text, history_text
from reports.samples import make_finding, make_result

# run 1: 19 fails, 21 warns.  run 2: 19 fixed, 21 worsens to fail, 30 newly fails.
# run 3: 19 fails again (regression), 21 improves to warn, 30 fixed.  run 4: interrupted.
PLAN: list[tuple[date, RunState, dict[int, Verdict]]] = [
    (date(2018, 9, 28), RunState.COMPLETE, {19: Verdict.FAIL, 21: Verdict.WARN}),
    (date(2018, 10, 26), RunState.COMPLETE, {21: Verdict.FAIL, 30: Verdict.FAIL}),
    (date(2018, 11, 30), RunState.COMPLETE, {19: Verdict.FAIL, 21: Verdict.WARN}),
    (date(2018, 12, 7), RunState.INTERRUPTED, {}),
]


def _load(store: Store, run: Run) -> AuditResult:
    """Stand-in for the engine's load_result: group the stored findings by item."""
    grouped: dict[int, list[Finding]] = defaultdict(list)
    for f in store.findings(run.id):
        grouped[f.item].append(f)
    assert run.as_of is not None
    result = make_result(run.id, run.as_of, state=run.state,
                         findings={k: tuple(v) for k, v in grouped.items()})
    return replace(result, run=run)


@pytest.fixture()
def stored(tmp_path: Path) -> list[AuditResult]:
    with Store(tmp_path / "audit.sqlite") as store:
        for as_of, state, statuses in PLAN:
            run = store.begin_run("ustb", tool_version="t", checklist_version="qingdan-2014", catalogue_version="1")
            default = Verdict.PASS if state is RunState.COMPLETE else Verdict.INCONCLUSIVE
            findings = [make_finding(n, statuses.get(n, default), message=f"第{n}项：{statuses.get(n, default)}")
                        for n in range(1, 51)]
            store.save_findings(run.id, as_of, findings)
            store.finish_run(run.id, state, note="收到 SIGTERM" if state is RunState.INTERRUPTED else "")
        return [_load(store, r) for r in store.runs("ustb")]


def test_fixed_new_and_persisting_with_grade_change(stored: list[AuditResult]) -> None:
    r1, r2, _, _ = stored
    d = diff(r1, r2)
    assert [c.item for c in d.fixed] == [19]
    assert [c.item for c in d.new] == [30]
    assert [c.item for c in d.persisting] == [21]
    (worse,) = d.persisting
    assert (worse.before, worse.after) == (Verdict.WARN, Verdict.FAIL) and worse.grade_changed
    assert worse.transition == "警告→不合格"
    assert d.score_before == pytest.approx((48 * 100 + 60) / 50, abs=0.05)


def test_regression_counts_as_new_and_is_shown_per_department(stored: list[AuditResult]) -> None:
    _, r2, r3, _ = stored
    d = diff(r2, r3)
    assert [c.item for c in d.new] == [19]
    assert [c.item for c in d.fixed] == [30]
    assert [(c.item, c.before, c.after) for c in d.regraded] == [(21, Verdict.FAIL, Verdict.WARN)]
    finance = next(x for x in d.departments if x.name == "财务处")
    assert [c.item for c in finance.of(Change.NEW)] == [19] and [c.item for c in finance.of(Change.PERSISTING)] == [21]
    assert (finance.score_before, finance.score_after) == (75.0, 65.0)  # 15, 20 pass; 21 fail→warn; 19 pass→fail
    teaching = next(x for x in d.departments if x.name == "教务处")
    assert [c.item for c in teaching.of(Change.FIXED)] == [30]
    text = diff_text(d)
    assert "新增问题" in text and "部门预算" in text and "不合格→警告" in text
    assert "新增问题 1 项，已整改 1 项，仍未整改 1 项" in text


def test_problems_an_interrupted_run_cannot_judge_are_neither_fixed_nor_open(stored: list[AuditResult]) -> None:
    _, _, r3, r4 = stored
    d = diff(r3, r4)
    assert d.fixed == () and d.new == () and d.persisting == ()
    assert {c.item for c in d.of(Change.UNJUDGED)} == {19, 21}
    assert d.score_after is None


def test_history_table_scores_complete_runs_only(stored: list[AuditResult]) -> None:
    text = history_text(stored)
    rows = [[c.strip() for c in line.split("│")] for line in text.splitlines() if "│" in line]
    lines = {r[1]: " ".join(r) for r in rows if r[1].startswith("#")}
    assert set(lines) == {"#1", "#2", "#3", "#4"}
    assert f"{stored[0].overall_score:.1f}" in lines["#1"] and "完成" in lines["#1"]
    assert "2018-10-26" in lines["#2"]
    assert "中断" in lines["#4"] and "不计分" in lines["#4"] and "SIGTERM" in lines["#4"]
    assert stored[3].overall_score is None


def test_history_accepts_runs_never_evaluated(stored: list[AuditResult], tmp_path: Path) -> None:
    with Store(tmp_path / "other.sqlite") as store:
        run = store.begin_run("ustb", tool_version="t", checklist_version="c", catalogue_version="1")
        store.finish_run(run.id, RunState.INCONCLUSIVE, note="网站返回 HTTP 521")
        bare = store.run(run.id)
    text = history_text([stored[0], bare])
    row = next(line for line in text.splitlines() if "521" in line)
    assert "无法判定" in row and "不计分" in row
