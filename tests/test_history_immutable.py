"""A stored run is history: its reports show what they showed when it was judged, whatever the catalogue
says later; re-judging adds an evaluation beside the old one; an upgraded database keeps its runs readable.

Real `auditor` subprocesses against the sample site, a real catalogue file that is edited between
commands, and the rendered HTML, JSON and XLSX compared as text and cells.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from auditor.store import _MIGRATIONS, Store
from samplesite.server import SampleSiteServer

CATALOGUE = Path(__file__).resolve().parents[1] / "checklist" / "sites" / "ustb.yaml"
AS_OF = "2018-11-30"


def _env(tmp: Path) -> dict[str, str]:
    env = {**os.environ, "XXGK_CONFIG": "", "COLUMNS": "160", "XXGK_STORE_PATH": str(tmp / "a.sqlite")}
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        env.pop(name, None)
    return env


def auditor(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True, text=True,
                          env=_env(tmp), cwd=tmp, timeout=300, check=False)


def reassign(catalogue: Path, item: int, departments: str) -> None:
    """Edit the catalogue file as a person would: give `item` to other departments."""
    lines = catalogue.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {item}:"))
    at = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("departments:"))
    lines[at] = f"    departments: [{departments}]\n"
    catalogue.write_text("".join(lines), encoding="utf-8")


def rendered(out: Path) -> dict[str, Any]:
    """What a person reads in a report folder: every HTML page's text, the JSON, every workbook's cells."""
    pages: dict[str, Any] = {}
    for path in sorted(out.rglob("*")):
        rel = str(path.relative_to(out))
        if path.suffix == ".html":
            pages[rel] = path.read_text(encoding="utf-8")
        elif path.suffix == ".json":
            pages[rel] = json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".xlsx":
            wb = load_workbook(path)
            pages[rel] = {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}
    return pages


@dataclass
class Audited:
    tmp: Path
    catalogue: Path
    first: dict[str, Any]


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audited]:
    tmp = tmp_path_factory.mktemp("immutable")
    catalogue = tmp / "ustb.yaml"
    shutil.copy(CATALOGUE, catalogue)
    with SampleSiteServer() as site:
        proc = auditor(tmp, "run", "--site", str(catalogue), "--as-of", AS_OF, "--out", str(tmp / "out1"),
                       "--proxy", site.proxy_url, "--no-polite")
    assert proc.returncode == 1, proc.stderr  # the sample site fails items on purpose
    yield Audited(tmp, catalogue, rendered(tmp / "out1"))


def test_a_past_runs_reports_are_unchanged_after_an_item_is_reassigned(audited: Audited) -> None:
    tmp = audited.tmp
    before = audited.first["findings.json"]
    item6 = next(i for i in before["items"] if i["item"] == 6)
    assert item6["departments"] == ["党办、校办"]
    reassign(audited.catalogue, 6, "发展规划处")
    again = auditor(tmp, "report", "--run", "1", "--out", str(tmp / "out2"))
    assert again.returncode == 0, again.stderr
    after = rendered(tmp / "out2")
    assert sorted(after) == sorted(audited.first)  # the same scorecards, named after the same departments
    for name, content in audited.first.items():
        assert after[name] == content, f"{name} changed after the catalogue did"
    card = next(text for name, text in after.items() if name.endswith("党办、校办.html"))
    assert "信息公开年度报告" in card or "年度报告" in card  # item 6 is still on the office's scorecard


def test_rejudging_adds_an_evaluation_and_reports_default_to_the_newest(audited: Audited) -> None:
    tmp = audited.tmp
    reassign(audited.catalogue, 6, "发展规划处")
    proc = auditor(tmp, "evaluate", "--run", "1", "--as-of", "2018-10-31")
    assert proc.returncode == 1, proc.stderr
    with Store(tmp / "a.sqlite") as store:
        first, *rest = store.evaluations(1)
        assert rest and first.as_of.isoformat() == AS_OF  # the first judgement is still there
    newest = auditor(tmp, "report", "--run", "1", "--out", str(tmp / "newest"))
    assert newest.returncode == 0, newest.stderr
    data = json.loads((tmp / "newest" / "findings.json").read_text(encoding="utf-8"))
    assert data["as_of"] == "2018-10-31"
    assert next(i for i in data["items"] if i["item"] == 6)["departments"] == ["发展规划处"]  # judged now
    old = auditor(tmp, "report", "--run", "1", "--evaluation", str(first.id), "--out", str(tmp / "old"))
    assert old.returncode == 0, old.stderr
    assert rendered(tmp / "old")["findings.json"] == audited.first["findings.json"]
    listing = auditor(tmp, "history", "--run", "1")
    assert listing.returncode == 0, listing.stderr
    assert "2018-10-31" in listing.stdout and AS_OF in listing.stdout and "报告默认采用此次评判" in listing.stdout


def _old_database(path: Path) -> None:
    """A database as version 4 of the tool left it: one judged run, findings only, no snapshot."""
    with sqlite3.connect(path) as db:
        for version in range(1, 5):
            for statement in _MIGRATIONS[version].split(";"):
                if statement.strip():
                    db.execute(statement)
        db.execute("PRAGMA user_version=4")
        db.execute(
            "INSERT INTO runs (id, site, started_at, finished_at, state, tool_version, checklist_version,"
            " catalogue_version, as_of, evaluated_at) VALUES (1, 'ustb', '2018-11-30T10:00:00+00:00',"
            " '2018-11-30T10:09:00+00:00', 'complete', '0.0.9', 'qingdan-2014', '2018.1', '2018-11-30',"
            " '2018-11-30T10:10:00+00:00')"
        )
        for seq, item in enumerate(range(1, 51)):
            status, message = ("fail", "未找到2017~2018学年信息公开工作年度报告") if item == 6 else ("pass", "栏目可以打开")
            db.execute(
                "INSERT INTO findings (run_id, seq, item, kind, rule, status, message) VALUES (1,?,?,?,?,?,?)",
                (seq, item, "presence", "presence.catalogue-reachable", status, message),
            )


def test_an_upgraded_database_snapshots_its_runs_and_says_so(tmp_path: Path) -> None:
    _old_database(tmp_path / "a.sqlite")
    history = auditor(tmp_path, "history")
    assert history.returncode == 0, history.stderr
    assert "补记" in history.stdout  # the run's departments were taken from the catalogue at the upgrade
    with Store(tmp_path / "a.sqlite") as store:
        (evaluation,) = store.evaluations(1)
        assert evaluation.migrated and evaluation.snapshot  # frozen from now on
    report = auditor(tmp_path, "report", "--run", "1", "--out", str(tmp_path / "out"))
    assert report.returncode == 0, report.stderr
    data = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    assert data["migrated"] is True
    item6 = next(i for i in data["items"] if i["item"] == 6)
    assert item6["status"] == "fail" and item6["departments"] == ["党办、校办"]
    assert "补记" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
