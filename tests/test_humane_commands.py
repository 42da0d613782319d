"""A user's mistake ends in one line saying what to do and exit status 2, never a traceback; what a
person reads never shows the engine's internal keys.

Real `auditor` subprocesses over a real SQLite history; the evidence labels are checked against every
evidence record the rules define, and a rendered scorecard is read for the words a clerk sees.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import pkgutil
import subprocess
import sys
import types
from datetime import date
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

import click
import pytest

import auditor.rules as rules_package
from auditor.cli import SUBCOMMANDS, cli
from auditor.models import Finding, RuleKind, RunState, Verdict
from auditor.store import Store
from reports.common import EVIDENCE_LABELS, EVIDENCE_VALUES, evidence_text
from reports.html import render_scorecard_html
from reports.samples import make_result
from reports.scorecard import build_scorecards


def auditor(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XXGK_CONFIG": "", "COLUMNS": "160", "XXGK_STORE_PATH": str(tmp / "a.sqlite")}
    return subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True, text=True, env=env,
                          cwd=tmp, timeout=120, check=False)


@pytest.fixture()
def history(tmp_path: Path) -> Path:
    """One judged run of ustb as of 2018-11-30 (academic year 2018-2019)."""
    with Store(tmp_path / "a.sqlite") as store:
        run = store.begin_run("ustb", tool_version="t", checklist_version="qingdan-2014", catalogue_version="1")
        store.save_findings(run.id, date(2018, 11, 30), [
            Finding(item=n, kind=RuleKind.PRESENCE, rule="presence.catalogue-reachable", status=Verdict.PASS,
                    message="栏目可以打开") for n in range(1, 51)
        ])
        store.finish_run(run.id, RunState.COMPLETE)
    return tmp_path


@pytest.mark.parametrize(("args", "says"), [
    (("evaluate", "--run", "99"), "run 99 is not in"),
    (("report", "--run", "99", "--out", "x"), "run 99 is not in"),
    (("diff", "1", "99"), "run 99 is not in"),
    (("annual", "--year", "2018"), "expected an academic year such as 2017-2018"),
    (("annual", "--year", "2017-2018"), "years with runs: 2018-2019"),
    (("history", "--site", "nowhere"), "runs are of: ustb"),
    (("history", "--run", "99"), "run 99 is not in"),
    (("report", "--run", "1", "--evaluation", "7", "--out", "x"), "evaluation 7 is not one of run 1's"),
])
def test_a_mistake_is_one_line_and_exit_2(history: Path, args: tuple[str, ...], says: str) -> None:
    proc = auditor(history, *args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert says in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2  # one message (Rich may wrap a long line once)


def test_the_command_list_names_every_command_without_loading_them(tmp_path: Path) -> None:
    """`auditor --help` is what a new user types first: it lists every command at once, and each listed
    command is one that loads (a summary kept beside a command that was renamed would mislead)."""
    probe = ("import sys; from auditor.cli import cli; cli.main(['--help'], prog_name='auditor', standalone_mode=False);"
             " print('LOADED', *sorted(m for m in sys.modules if m.startswith(('auditor.cli.', 'scrapy', 'reports'))))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60,
                          env={**os.environ, "COLUMNS": "160"}, check=True)
    help_text, _, loaded = proc.stdout.partition("LOADED")
    assert loaded.split() == ["auditor.cli.common"]  # the shared options, none of the commands
    for name, (_, summary) in SUBCOMMANDS.items():
        assert f"{name} " in help_text and summary in help_text
        command = cli.get_command(click.Context(cli), name)
        assert command is not None and command.name == name


def test_the_annual_section_is_drafted_for_a_year_with_runs(history: Path) -> None:
    proc = auditor(history, "annual", "--year", "2018-2019", "--out", str(history / "annual"))
    assert proc.returncode == 0, proc.stderr
    assert list((history / "annual").glob("*.docx"))


def _is_evidence_field(hint: Any) -> bool:
    """The evidence protocol: ints (counts), dates, strings or tuples of strings, optionally None."""
    if get_origin(hint) in (Union, types.UnionType):
        return all(_is_evidence_field(a) for a in get_args(hint) if a is not type(None))
    if get_origin(hint) is tuple:
        return get_args(hint) in ((str, ...),)
    return hint in (int, str, date)


def _evidence_records() -> list[type[Any]]:
    """Every evidence record the rules define: the frozen dataclasses of `auditor.rules` whose fields all
    follow the evidence protocol (helpers holding pages, statuses or kinds are not evidence)."""
    records = []
    for info in pkgutil.iter_modules(rules_package.__path__, "auditor.rules."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == module.__name__
                    and all(_is_evidence_field(h) for h in get_type_hints(value).values())):
                records.append(value)
    return records


def test_every_evidence_field_of_every_rule_has_a_label() -> None:
    records = _evidence_records()
    assert {r.__name__ for r in records} >= {"EditionDue", "Newest", "LinkCheck", "ColumnAddress", "ColumnContent",
                                            "ArticleCheck", "Declared", "PersonalDataFound", "ContentSearch"}
    missing = sorted(f"{r.__name__}.{f.name}" for r in records for f in dataclasses.fields(r)
                     if f.name not in EVIDENCE_LABELS)
    assert not missing, f"evidence fields without a label for the reports: {missing}"
    for key in EVIDENCE_VALUES:
        assert key in EVIDENCE_LABELS


def test_evidence_codes_are_shown_in_words() -> None:
    evidence = {"dated_by": "list", "date": "2018-10-28", "kind": "empty", "bank_cards": "1"}
    text = evidence_text(evidence)
    assert "栏目列表上的日期" in text and "空白页" in text and "银行卡号：1" in text
    for internal in ("dated_by", "list", "bank_cards", "empty"):
        assert internal not in text
    finding = Finding(item=6, kind=RuleKind.FRESHNESS, rule="freshness.latest-age", status=Verdict.FAIL,
                      message="最新一期已超过13个月", evidence=evidence)
    result = make_result(1, date(2018, 11, 30), findings={6: (finding,)})
    card = next(c for c in build_scorecards(result) if 6 in c.department.items)
    html = render_scorecard_html(card)
    assert "日期来源：栏目列表上的日期" in html
    assert "dated_by" not in html and "：list" not in html
