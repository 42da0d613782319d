"""Nightly operation: exit statuses, the run lock, Ctrl-C/SIGTERM, kill -9, pruning, and the history
commands, all on real `auditor` subprocesses against the sample site."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.lock import RunLock
from auditor.models import RunState
from auditor.store import Store
from samplesite.server import SampleSiteServer

AS_OF = "2018-11-30"


def _env(tmp: Path) -> dict[str, str]:
    env = {**os.environ, "XXGK_CONFIG": "", "COLUMNS": "160", "XXGK_STORE_PATH": str(tmp / "a.sqlite")}
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        env.pop(name, None)
    return env


def auditor(tmp: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True, text=True,
                          env=_env(tmp), cwd=tmp, timeout=timeout, check=False)


def start(tmp: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "auditor", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env(tmp), cwd=tmp)


def _wait_for_pages(db: Path, minimum: int, timeout: float = 60) -> None:
    """Until the running crawl has stored some evidence (so a signal lands mid-crawl)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as con:
                    if con.execute("SELECT count(*) FROM pages").fetchone()[0] >= minimum:
                        return
            except sqlite3.OperationalError:
                pass
        time.sleep(0.1)
    raise AssertionError("the crawl stored no pages in time")


@pytest.fixture(scope="module")
def site() -> SampleSiteServer:
    with SampleSiteServer() as server:
        yield server


# Exit 3 (the site cannot be reached: inconclusive, no item blamed) is asserted on test_alerts.py's blind
# nights, which are such runs already.
def run_args(site: SampleSiteServer, tmp: Path, *extra: str) -> list[str]:
    return ["run", "--site", "ustb", "--as-of", AS_OF, "--out", str(tmp / "out"), "--proxy", site.proxy_url,
            "--no-polite", *extra]


def test_exit_0_when_every_audited_item_passes_and_quiet_prints_nothing_and_logs_to_a_file(
        site: SampleSiteServer, tmp_path: Path) -> None:
    """One run for both (each a run of its own cost a crawl): the exit status of a night whose items all
    pass, and --quiet for cron."""
    log = tmp_path / "logs" / "audit.log"
    proc = auditor(tmp_path, *run_args(site, tmp_path, "--items", "1,2,4", "--quiet", "--log-file", str(log)))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "finished" in log.read_text(encoding="utf-8")


def test_exit_2_for_an_unknown_site(tmp_path: Path) -> None:
    proc = auditor(tmp_path, "run", "--site", "nowhere")
    assert proc.returncode == 2
    assert "nowhere" in proc.stderr and "Traceback" not in proc.stderr


def test_a_second_run_is_refused_while_one_holds_the_lock(site: SampleSiteServer, tmp_path: Path) -> None:
    with RunLock(tmp_path / "a.sqlite", "ustb"):
        proc = auditor(tmp_path, *run_args(site, tmp_path))
    assert proc.returncode == 2
    assert "另一个审计正在运行" in proc.stderr
    assert not (tmp_path / "out" / "findings.json").exists()


def test_sigterm_stores_an_interrupted_run_that_is_never_scored(tmp_path: Path) -> None:
    with SampleSiteServer(delay=0.05) as slow:
        proc = start(tmp_path, *run_args(slow, tmp_path))
        _wait_for_pages(tmp_path / "a.sqlite", 5)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 4, stderr
    assert "Traceback" not in stderr
    with Store(tmp_path / "a.sqlite") as store:
        run = store.runs("ustb")[-1]
        assert run.state is RunState.INTERRUPTED
    findings = (tmp_path / "out" / "findings.json").read_text(encoding="utf-8")
    assert '"state": "interrupted"' in findings
    assert '"scored": false' in findings


def test_kill_9_leaves_a_consistent_history_and_the_next_run_works(site: SampleSiteServer, tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    with SampleSiteServer(delay=0.05) as slow:
        proc = start(tmp_path, *run_args(slow, tmp_path))
        _wait_for_pages(db, 5)
        proc.kill()
        proc.communicate(timeout=30)
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    good = auditor(tmp_path, *run_args(site, tmp_path))
    assert good.returncode == 1, good.stderr  # the sample site fails items on purpose
    with Store(db) as store:
        killed, finished = store.runs("ustb")
        assert killed.state is RunState.INTERRUPTED  # found dead, marked so; never scored
        assert finished.state is RunState.COMPLETE
    history = auditor(tmp_path, "history", "--site", "ustb")
    assert history.returncode == 0, history.stderr
    assert "中断" in history.stdout or "interrupted" in history.stdout


def test_keep_prunes_old_evidence_but_keeps_findings(site: SampleSiteServer, tmp_path: Path) -> None:
    for _ in range(2):
        proc = auditor(tmp_path, *run_args(site, tmp_path, "--items", "6,12", "--keep", "1"))
        assert proc.returncode == 1, proc.stderr
    with Store(tmp_path / "a.sqlite") as store:
        first, second = store.runs("ustb")
        assert store.pages(first.id) == [] and store.findings(first.id)
        assert store.pages(second.id)
    diff = auditor(tmp_path, "diff", str(first.id), str(second.id))
    assert diff.returncode == 0, diff.stderr
    assert "6" in diff.stdout


def test_evaluate_rejudges_a_stored_run_offline_with_another_date(site: SampleSiteServer, tmp_path: Path) -> None:
    proc = auditor(tmp_path, *run_args(site, tmp_path, "--items", "6"))
    assert proc.returncode == 1  # 2017~2018 annual report missing after 31 Oct 2018
    before_deadline = auditor(tmp_path, "evaluate", "--run", "1", "--as-of", "2018-10-31")
    assert before_deadline.returncode == 1  # its 2016~2017 edition is missing as well
    assert "2016~2017" in before_deadline.stdout
    report = auditor(tmp_path, "report", "--run", "1", "--out", str(tmp_path / "again"))
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "again" / "index.html").is_file()
    annual = auditor(tmp_path, "annual", "--year", "2018-2019", "--out", str(tmp_path / "annual"))
    assert annual.returncode == 0, annual.stderr
    assert list((tmp_path / "annual").glob("*.docx"))
