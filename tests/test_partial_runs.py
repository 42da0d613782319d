"""A 复核 (`auditor run --items 1,46`) re-checks two items and carries the other 48 forward: the score,
the trend and the next full run's new/fixed lists keep comparing like with like.

The sample site is copied so that a column can break between runs, served on loopback, and audited by
real `auditor` subprocesses: full run, a column breaks, partial re-check, full run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auditor.findings import load_result
from auditor.store import Store
from checklist.loader import load_checklist, load_site
from reports.history import diff
from samplesite.manifest import SITE_ROOT
from samplesite.server import SampleSiteServer

AS_OF = "2018-11-30"
#: Item 1 (办学规模等) passes on the sample site; its column is removed before the re-check.
BROKEN = 1
BROKEN_COLUMN = "xxgk.ustb.edu.cn/xinxigongkaimulu/jibenxinxi/jibenbanxue/index.html"
#: Item 46 fails on the sample site (its column answers 404) and is re-checked unchanged.
UNCHANGED = 46
RECHECKED = {BROKEN, UNCHANGED}


def auditor(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XXGK_CONFIG": "", "COLUMNS": "160", "XXGK_STORE_PATH": str(tmp / "a.sqlite")}
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True, text=True, env=env,
                          cwd=tmp, timeout=300, check=False)


@dataclass
class Runs:
    tmp: Path
    procs: list[subprocess.CompletedProcess[str]]
    findings: list[dict[str, Any]]

    def items(self, n: int) -> dict[int, dict[str, Any]]:
        return {i["item"]: i for i in self.findings[n]["items"]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    tmp = tmp_path_factory.mktemp("partial")
    root = tmp / "site"
    shutil.copytree(SITE_ROOT, root)
    procs = []
    with SampleSiteServer(root=root) as site:
        def run(out: str, *extra: str) -> None:
            procs.append(auditor(tmp, "run", "--site", "ustb", "--as-of", AS_OF, "--out", str(tmp / out),
                                 "--proxy", site.proxy_url, "--no-polite", *extra))

        run("full1")
        (root / BROKEN_COLUMN).unlink()  # the column disappears: a 404 from now on
        run("recheck", "--items", ",".join(map(str, sorted(RECHECKED))))
        run("full2")
    findings = [json.loads((tmp / out / "findings.json").read_text(encoding="utf-8"))
                for out in ("full1", "recheck", "full2")]
    yield Runs(tmp, procs, findings)


def test_every_run_finished_and_the_recheck_answers_for_its_items(runs: Runs) -> None:
    assert [p.returncode for p in runs.procs] == [1, 1, 1], [p.stderr for p in runs.procs]
    assert all("Traceback" not in p.stderr for p in runs.procs)
    assert "本次为复核" in runs.procs[1].stdout


def test_the_recheck_keeps_the_untouched_items_and_changes_only_the_rechecked_ones(runs: Runs) -> None:
    full, recheck = runs.items(0), runs.items(1)
    assert full[BROKEN]["status"] == "pass" and recheck[BROKEN]["status"] == "fail"
    assert recheck[UNCHANGED]["status"] == full[UNCHANGED]["status"] == "fail"
    for number, item in recheck.items():
        if number in RECHECKED:
            assert item["carried_from_run"] is None
            continue
        assert item["carried_from_run"] == 1, number
        assert item["status"] == full[number]["status"], number
        assert item["findings"] == full[number]["findings"], number  # first-seen runs and dates included
    assert runs.findings[1]["rechecked"] == sorted(RECHECKED)


def test_the_recheck_is_scored_over_all_items_like_a_full_run(runs: Runs) -> None:
    full, recheck = runs.findings[0]["summary"], runs.findings[1]["summary"]
    assert recheck["scored"] and recheck["score"] is not None
    assert recheck["counts"]["inconclusive"] == full["counts"]["inconclusive"]
    assert (recheck["counts"]["pass"], recheck["counts"]["fail"]) == (full["counts"]["pass"] - 1,
                                                                      full["counts"]["fail"] + 1)
    assert 0 < full["score"] - recheck["score"] < 5  # one item of fifty went from pass to fail


def test_the_dashboard_and_the_scorecards_mark_carried_items(runs: Runs) -> None:
    out = runs.tmp / "recheck"
    dashboard = (out / "index.html").read_text(encoding="utf-8")
    assert "本次为复核" in dashboard and "沿用第1次检查结果" in dashboard
    # the office leads item 1 (re-checked) and item 6 (carried): its card says which is which
    card = next((out / "scorecards").glob("*党办、校办.html")).read_text(encoding="utf-8")
    row1 = card.split('id="item-1"')[1].split("</tr>")[0]
    row6 = card.split('id="item-6"')[1].split("</tr>")[0]
    assert "沿用" not in row1 and "沿用第1次检查结果" in row6


def test_the_next_full_run_lists_only_real_changes(runs: Runs) -> None:
    with Store(runs.tmp / "a.sqlite") as store:
        site = load_site("ustb")
        checklist = load_checklist(site.checklist_version)
        first, recheck, full = (load_result(store, n, site, checklist) for n in (1, 2, 3))
    since_recheck = diff(recheck, full)
    assert since_recheck.new == () and since_recheck.fixed == ()  # long-standing problems are not news
    assert [c.item for c in since_recheck.persisting if c.item == BROKEN] == [BROKEN]
    since_first = diff(first, full)
    assert [c.item for c in since_first.new] == [BROKEN]
    dashboard = (runs.tmp / "full2" / "index.html").read_text(encoding="utf-8")
    new_list = dashboard.split('id="new-problems"')[1].split("</ul>")[0]
    assert "无" in new_list and "(1)" not in new_list
    assert runs.findings[2]["summary"]["score"] == runs.findings[1]["summary"]["score"]
    history = auditor(runs.tmp, "history")
    assert history.returncode == 0, history.stderr
    row = next(line for line in history.stdout.splitlines() if "#2" in line)
    assert "复核" in row and "沿用第1次" in row
