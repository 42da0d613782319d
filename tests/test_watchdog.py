"""The night always ends: a crawl that makes no progress is closed by the watchdog (spiders/watchdog.py).

The unexplained nine-minute stall is reproduced synthetically: a column whose server says nothing for
far longer than the watchdog allows, with a download timeout longer still, so only the watchdog can end
the crawl. A server that asks us to wait (Retry-After) is not a stall.
"""

from __future__ import annotations

import threading
from pathlib import Path

from hostile import (
    GOOD_LIST,
    MAX_STALL_S,
    Handler,
    HostileServer,
    article_page,
    flaky,
    run_auditor,
    write_catalogue,
)

from auditor.models import RunState
from auditor.store import Store


def test_a_crawl_without_progress_is_ended_as_interrupted_with_exit_4(tmp_path: Path) -> None:
    answered = threading.Event()

    def silent(h: Handler) -> None:
        h.wait(MAX_STALL_S)
        answered.set()
        h.send(200, article_page("迟到", "2018-06-12").encode())

    with HostileServer() as site:
        site.route("/silent/list.htm", silent)
        site.route(GOOD_LIST, silent)
        site.route("/robots.txt", lambda h: h.send(404, b""))
        catalogue = write_catalogue(tmp_path / "site.yaml", {n: site.url("/silent/list.htm") for n in range(1, 51)},
                                    policy={"timeout_seconds": 10 * MAX_STALL_S, "retries": 0, "stall_seconds": 1.5})
        ran = run_auditor(["crawl", "--site", str(catalogue), "--db", str(tmp_path / "a.sqlite"), "--no-polite"],
                          timeout=10 * MAX_STALL_S)
        ended_before_the_server_answered = not answered.is_set()
    assert ran.returncode == 4, (ran.returncode, ran.stderr[-2000:])
    assert ended_before_the_server_answered  # only the watchdog could have ended it
    assert "Traceback" not in ran.stderr, ran.stderr[-2000:]
    with Store(tmp_path / "a.sqlite") as store:
        run = store.runs()[-1]
    assert run.state is RunState.INTERRUPTED, run.note
    assert "stalled" in run.note or "停滞" in run.note, run.note


def test_a_long_retry_after_wait_is_not_a_stall(tmp_path: Path) -> None:
    with HostileServer() as site:
        site.route("/busy/list.htm", flaky(503, 1, retry_after="3"))  # once 503 "come back in 3 s", then fine
        site.route("/robots.txt", lambda h: h.send(404, b""))
        catalogue = write_catalogue(tmp_path / "site.yaml", {n: site.url("/busy/list.htm") for n in range(1, 51)},
                                    policy={"timeout_seconds": 5, "retries": 1, "stall_seconds": 1.5})
        ran = run_auditor(["crawl", "--site", str(catalogue), "--db", str(tmp_path / "a.sqlite"), "--no-polite"],
                          timeout=120)
        assert site.hits("/busy/list.htm") == 2
    assert ran.returncode == 0, (ran.returncode, ran.stderr[-2000:])
    with Store(tmp_path / "a.sqlite") as store:
        assert store.runs()[-1].state is RunState.COMPLETE


def test_the_systemd_unit_has_a_start_timeout() -> None:
    """A oneshot unit waits forever by default: the unit bounds the night itself."""
    unit = (Path(__file__).parent.parent / "deploy" / "xxgk-auditor.service").read_text(encoding="utf-8")
    values = [line.split("=", 1)[1].strip() for line in unit.splitlines() if line.startswith("TimeoutStartSec=")]
    assert values and values[0] not in ("0", "infinity"), values
