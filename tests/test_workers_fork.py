"""The crawl's readers are forked from it before it starts (spiders/workers.py, `forked_readers`).

Each case runs a small script in a subprocess, as the crawl runs under cron: the fork, `gc.freeze` and the
process's pool must not leak into the test process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

_PRELUDE = """
import asyncio, json, os, signal, sys, threading, time
from pathlib import Path
from spiders.workers import ExtractionFailed, Workers, forked_readers

def cmdline(pid):
    return Path(f"/proc/{pid}/cmdline").read_bytes()

def children():
    mine = str(os.getpid())
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.rindex(")") + 2:].split()[1] == mine:
            out.append(int(stat.parent.name))
    return out
"""


def _run(tmp_path: Path, body: str) -> dict[str, Any]:
    script = tmp_path / "script.py"
    script.write_text(_PRELUDE + "\nif __name__ == '__main__':\n" + body, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          check=False, cwd=tmp_path, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_the_reader_is_a_fork_of_the_crawl_and_no_resource_tracker_runs(tmp_path: Path) -> None:
    out = _run(tmp_path, """
    with forked_readers(1) as forked:
        workers = Workers(processes=1)
        async def ask():
            return await workers._run(os.getpid), await workers._run(os.getppid)
        reader, its_parent = asyncio.run(ask())
        print(json.dumps({
            "forked": forked,
            "its_parent_is_the_crawl": its_parent == os.getpid(),
            "same_command_line": cmdline(reader) == cmdline(os.getpid()),
            "children": len(children()),
        }))
        workers.close()
""")
    # A spawned reader runs `python -c 'from multiprocessing.spawn import spawn_main…'` beside a resource
    # tracker: two children. The forked one is a copy of the crawl, and the only child.
    assert out == {"forked": True, "its_parent_is_the_crawl": True, "same_command_line": True, "children": 1}


def test_with_another_thread_running_the_readers_are_spawned_as_before(tmp_path: Path) -> None:
    out = _run(tmp_path, """
    stop = threading.Event()
    threading.Thread(target=stop.wait, daemon=True).start()
    with forked_readers(1) as forked:
        workers = Workers(processes=1)
        reader = asyncio.run(workers._run(os.getpid))
        print(json.dumps({"forked": forked, "same_command_line": cmdline(reader) == cmdline(os.getpid())}))
        workers.close()
    stop.set()
""")
    assert out == {"forked": False, "same_command_line": False}


def test_a_forked_reader_stuck_on_a_page_is_stopped_and_a_fresh_one_reads_the_next(tmp_path: Path) -> None:
    # Scrapy installs its own SIGTERM handler in the crawl; a reader that kept it would survive `_kill`.
    out = _run(tmp_path, """
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    with forked_readers(1) as forked:
        workers = Workers(processes=1, timeout_s=60.0)
        async def night():
            first = await workers._run(os.getpid)
            stuck = next(iter(workers._pool._processes.values()))
            workers.timeout_s = 2.0
            try:
                await workers._run(time.sleep, 60)
                page = "read"
            except ExtractionFailed as exc:
                page = str(exc)
            workers.timeout_s = 60.0
            return first, stuck, page, await workers._run(os.getpid)
        first, stuck, page, second = asyncio.run(night())
        stuck.join(30)
        print(json.dumps({"forked": forked, "page": page.split(":")[0], "exitcode": stuck.exitcode,
                          "fresh_reader": second != first,
                          "fresh_one_spawned": cmdline(second) != cmdline(os.getpid())}))
        workers.close()
""")
    # The crawl runs threads by then, so its fresh reader is spawned, never forked.
    assert out == {"forked": True, "page": "timeout", "exitcode": -signal.SIGTERM, "fresh_reader": True,
                   "fresh_one_spawned": True}


def test_a_crawl_that_dies_leaves_its_run_lock_free_while_its_reader_still_runs(tmp_path: Path) -> None:
    # `flock` is held while any copy of the descriptor is open: the reader must not keep the crawl's.
    out = _run(tmp_path, """
    from auditor.lock import AlreadyRunning, RunLock
    lock = RunLock("audit.sqlite", "ustb").__enter__()
    with forked_readers(1) as forked:
        workers = Workers(processes=1)
        reader = asyncio.run(workers._run(os.getpid))
        os.close(lock.fd)  # what the kernel does for a crawl killed with -9, whose reader lives on a moment
        try:
            RunLock("audit.sqlite", "ustb").__enter__()
            taken = True
        except AlreadyRunning:
            taken = False
        print(json.dumps({"forked": forked, "reader_alive": reader in children(), "next_audit_locks": taken}))
        workers.close()
""")
    assert out == {"forked": True, "reader_alive": True, "next_audit_locks": True}
