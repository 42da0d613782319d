"""Peak PSS of `auditor crawl` and each process of its tree, for A/B runs of the crawl's memory.

    PYTHONPATH=$PWD .venv/bin/python bench/pss.py --pages 2000 --runs 2 A=/path/to/checkout B=$PWD

Generates the bench's site (`generate.py`), serves it with nginx (`serve.py`), then runs
`auditor crawl --site <catalogue> --db <fresh> --no-polite` once per checkout and round, interleaved
(A B A B …), each with `PYTHONPATH` pointing at that checkout. Every 0.2 s it reads
`/proc/<pid>/smaps_rollup` of every process in the crawl's tree and keeps the largest sum, with what
each process held at that moment. Prints one line per run and the per-process breakdown at the peak.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import generate
import serve


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _tree(root: int) -> list[int]:
    kids, out, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def _rollup(pid: int) -> tuple[dict[str, int], str] | None:
    """The process's smaps_rollup fields in bytes, and a short name of the process."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    fields = {}
    for line in text.splitlines()[1:]:
        key, _, rest = line.partition(":")
        fields[key] = int(rest.split()[0]) * 1024 if rest.strip() else 0
    fields["Private"] = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    name = ("crawl" if " crawl " in f" {cmd} " else
            "resource_tracker" if "resource_tracker" in cmd else
            "worker" if "multiprocessing" in cmd or "spawn_main" in cmd else cmd[:60] or "?")
    return fields, name


def measure(cmd: list[str], env: dict[str, str], log: Path) -> dict[str, Any]:
    """Run `cmd`; the peak of the tree's summed PSS, with each process's figures at that moment, and the
    peak of the summed anonymous PSS (Pss_Anon: the heap, shared only within the tree, so unlike the
    libraries' pages it does not depend on what else runs on the machine)."""
    start = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        peak = peak_anon = 0
        at_peak: dict[str, tuple[int, int, int]] = {}
        while proc.poll() is None:
            now = {pid: r for pid in _tree(proc.pid) if (r := _rollup(pid)) is not None}
            total = sum(f.get("Pss", 0) for f, _ in now.values())
            peak_anon = max(peak_anon, sum(f.get("Pss_Anon", 0) for f, _ in now.values()))
            if total > peak:
                # a forked reader shows the crawl's command line: the pid tells them apart
                peak, at_peak = total, {f"{n}:{pid}": (f.get("Pss", 0), f.get("Rss", 0), f["Private"])
                                        for pid, (f, n) in now.items()}
            time.sleep(0.2)
    return {"wall": time.perf_counter() - start, "rc": proc.returncode, "peak": peak, "peak_anon": peak_anon,
            "at_peak": at_peak}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=BENCH / "out" / "pss")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--polite", action="store_true")
    parser.add_argument("checkouts", nargs="+", help="NAME=PATH: the tree to put on PYTHONPATH")
    args = parser.parse_args(argv)
    trees = [c.split("=", 1) for c in args.checkouts]
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    port, offsite = serve.free_port(), serve.free_port()
    manifest = generate.generate(args.pages, port, offsite, out / "gen")
    print(f"site: {manifest['urls']} URLs; load {os.getloadavg()}", flush=True)
    server = serve.start(out / "gen" / "site", port, offsite, out / "server")
    auditor = str(Path(args.python).parent / "auditor")
    try:
        for rnd in range(args.runs):
            for name, path in trees:
                with tempfile.TemporaryDirectory() as tmp:
                    cmd = [auditor, "crawl", "--site", str(out / "gen" / "catalogue.yaml"), "--db",
                           str(Path(tmp) / "db.sqlite")]
                    if not args.polite:
                        cmd.append("--no-polite")
                    env = dict(os.environ, PYTHONPATH=path, NO_COLOR="1")
                    load = os.getloadavg()[0]
                    r = measure(cmd, env, out / f"{name}-{rnd}.log")
                    parts = ", ".join(f"{k} {p / 2**20:.1f}/{rss / 2**20:.0f}/{v / 2**20:.0f}"
                                      for k, (p, rss, v) in sorted(r["at_peak"].items()))
                    print(f"{name} round {rnd}: peak PSS {r['peak'] / 2**20:.1f} MB (anonymous "
                          f"{r['peak_anon'] / 2**20:.1f}), wall {r['wall']:.1f} s, exit {r['rc']}, load {load:.2f}\n"
                          f"  at peak (PSS/RSS/private MB): {parts}", flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
