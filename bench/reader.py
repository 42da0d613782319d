"""What reading one page costs the reader worker, and proof that a change to it left its output alone.

The reader (`spiders.workers._extract`: decode the bytes, then `spiders.extract.extract_page`) is about a
quarter of a crawl's CPU. This script times exactly that call, in this process, on two page sets:

- `real`: the 219 real CMS pages with truth (`tests/pages/realpages/cms`, a copy of
  /work/shared/realpages/cms: 博达 VSB and WebPlus) and the 6 other real pages beside them
  (`tests/pages/realpages/*.html`, sources in their MANIFEST.tsv);
- `gen`: the bench's generated site (`bench/out/gen`, written by `bench/generate.py` with its default
  arguments when missing: 5,000 detail pages, 5,273 HTML pages); every page for `snapshot`/`check`, an
  evenly spaced sample for `time` (`--sample`, default 500, list pages in their share);
- `hand`: the hand-made pages of `tests/pages/*.html` (snapshot and check only).

Commands (from the repository root):

    PYTHONPATH=$PWD .venv/bin/python bench/reader.py time [--repeats 7] [--sample 500] [--set real,gen]
    PYTHONPATH=$PWD .venv/bin/python bench/reader.py snapshot bench/out/reader-before.json
    PYTHONPATH=$PWD .venv/bin/python bench/reader.py check bench/out/reader-before.json
    PYTHONPATH=$PWD .venv/bin/python bench/reader.py profile [--set gen] [--top 30]
    PYTHONPATH=$PWD .venv/bin/python bench/reader.py attachments [--repeats 7]
    PYTHONPATH=$PWD .venv/bin/python bench/reader.py instructions [--set real,gen]   # needs valgrind

`time` reports process CPU milliseconds per page: each repeat reads every page of the set once (as the
crawl does: charset "utf-8" as the server declares it, the policy's default bounds 2,000 links and 5,000
entries), its CPU time is divided by the pages, and the median (and spread) of the repeats is printed;
the first pass is a warm-up and is not counted. `snapshot` writes `repr()` of every `PageExtract` (all its
fields: kind, title, text, entries, dates, links, furniture, counts…) under three bounds (the crawl's,
tight ones that make the pull parser prune, and none); `check` reads the pages again and reports every
page whose output differs, with the first differing field. `attachments` times `extract_text` on the
generated site's PDF, DOCX and XLSX files. `instructions` counts the instructions one pass over a set
costs (valgrind's cachegrind; a few minutes): CPU time on a shared 2-core machine moves by ±20 % from run
to run, the instruction count by well under 1 %, so it is the figure to compare a change by.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "pages" / "realpages"
HAND = ROOT / "tests" / "pages"
GEN = ROOT / "bench" / "out" / "gen"
HAND_URL = "https://xxgk.example.edu.cn/col/page.htm"

#: (name, max_links, max_entries): the crawl's bounds (checklist.model.Policy's defaults), bounds low enough
#: that the pull parser prunes most pages' rows, and none.
BOUNDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("crawl", 2000, 5000),
    ("tight", 12, 5),
    ("none", None, None),
)

Page = tuple[str, bytes, str]  # key, body, url


def real_pages() -> list[Page]:
    truth = json.loads((REAL / "cms" / "truth.json").read_text(encoding="utf-8"))
    out: list[Page] = [(f"cms/{name}", (REAL / "cms" / "pages" / name).read_bytes(), truth[name]["url"])
                       for name in sorted(truth)]
    with (REAL / "MANIFEST.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            out.append((row["file"], (REAL / row["file"]).read_bytes(), _manifest_url(row["source"])))
    return out


def _manifest_url(source: str) -> str:
    """The page's own URL from MANIFEST.tsv's source: "(page: https://…)", "(itsc.nju.edu.cn/main.htm)",
    "(itsc.nju.edu.cn article 536579)" (a WebPlus article, whose path is not given: any article path will do)."""
    inner = source[source.rfind("(") + 1:].rstrip(")").removeprefix("page: ").strip()
    host, _, rest = inner.removeprefix("https://").removeprefix("http://").partition("/")
    if " article " in inner:
        return f"https://{inner.split()[0]}/28/f1/c21558a{inner.split()[-1]}/page.htm"
    return f"https://{host}/{rest}"


def hand_pages() -> list[Page]:
    return [(p.name, p.read_bytes(), HAND_URL) for p in sorted(HAND.glob("*.html"))]


def gen_pages(sample: int | None = None) -> list[Page]:
    if not (GEN / "pages.txt").exists():
        spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
        assert spec is not None and spec.loader is not None
        generate = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(generate)
        generate.generate(5000, 18080, 18081, GEN)
    urls = (GEN / "pages.txt").read_text(encoding="utf-8").split()
    if sample is not None and sample < len(urls):
        step = len(urls) / sample
        urls = [urls[int(i * step)] for i in range(sample)]
    out: list[Page] = []
    for url in urls:
        path = url.split("/", 3)[3] if url.count("/") > 3 else ""
        file = GEN / "site" / "main" / (path or "index.htm")
        out.append((path or "/", file.read_bytes(), url))
    return out


def pages_of(name: str, sample: int | None) -> list[Page]:
    return {"real": real_pages, "hand": hand_pages}[name]() if name != "gen" else gen_pages(sample)


def read(body: bytes, url: str, max_links: int | None, max_entries: int | None) -> object:
    """What the reader worker runs for one HTML page (spiders.workers._extract)."""
    from spiders.workers import _extract

    return _extract(body, "utf-8", url, None, max_links, max_entries)


# ------------------------------------------------------------------------------------------------ time


def cpu_ms_per_page(pages: list[Page], repeats: int) -> list[float]:
    """Process CPU ms per page, one figure per repeat (after one uncounted warm-up pass)."""
    out: list[float] = []
    for r in range(repeats + 1):
        start = time.process_time()
        for _key, body, url in pages:
            read(body, url, 2000, 5000)
        spent = time.process_time() - start
        if r:
            out.append(1000 * spent / len(pages))
    return out


def cmd_time(args: argparse.Namespace) -> int:
    import os

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name in args.set.split(","):
        pages = pages_of(name, args.sample)
        figures = cpu_ms_per_page(pages, args.repeats)
        print(f"{name}: {len(pages)} pages, {args.repeats} repeats: median {statistics.median(figures):.3f} ms/page"
              f" (min {min(figures):.3f}, max {max(figures):.3f}; all {' '.join(f'{f:.3f}' for f in figures)})")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def cmd_instructions(args: argparse.Namespace) -> int:
    """Instructions per page, counted by valgrind (cachegrind): unlike CPU time, the same on a busy machine.

    Two runs per set under valgrind, both reading the first 20 pages once (imports, compiled patterns), the
    second then every page once more: the difference is one pass."""
    import re
    import subprocess
    import tempfile

    for name in args.set.split(","):
        count = len(pages_of(name, args.sample))
        irs: list[int] = []
        for passes in (0, 1):
            with tempfile.NamedTemporaryFile(suffix=".cg") as out:
                subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out.name}",
                                sys.executable, __file__, "passes", name, str(passes), "--sample", str(args.sample)],
                               check=True, capture_output=True)
                summary = re.search(r"^summary: (\d+)", Path(out.name).read_text(), re.MULTILINE)
                assert summary is not None
                irs.append(int(summary.group(1)))
        print(f"{name}: {count} pages: {(irs[1] - irs[0]) / count / 1e6:.2f} million instructions per page")
    return 0


def cmd_passes(args: argparse.Namespace) -> int:
    """What `instructions` runs under valgrind: a warm-up on 20 pages, then `passes` passes over the set."""
    pages = pages_of(args.set, args.sample)
    for _key, body, url in pages[:20]:
        read(body, url, 2000, 5000)
    for _ in range(args.passes):
        for _key, body, url in pages:
            read(body, url, 2000, 5000)
    return 0


def cmd_attachments(args: argparse.Namespace) -> int:
    from spiders.attachments import extract_text
    from spiders.attachments.sniff import sniff_kind

    gen_pages(1)  # writes the site when missing
    files = sorted(p for p in (GEN / "site" / "files").iterdir() if p.suffix in (".pdf", ".docx", ".xlsx"))
    for p in files:
        body = p.read_bytes()
        kind = sniff_kind(body, filename=p.name)
        figures: list[float] = []
        for r in range(args.repeats + 1):
            start = time.process_time()
            extract_text(body, kind, max_chars=2_000_000)
            if r:
                figures.append(1000 * (time.process_time() - start))
        print(f"{p.relative_to(GEN)} ({len(body):,} bytes, {kind}): median {statistics.median(figures):.2f} ms"
              f" (min {min(figures):.2f})")
    return 0


# ------------------------------------------------------------------------------------- snapshot, check


def outputs(sets: list[str]) -> Iterator[tuple[str, object]]:
    for name in sets:
        for key, body, url in pages_of(name, None):
            for bound, max_links, max_entries in BOUNDS:
                yield f"{name}:{bound}:{key}", read(body, url, max_links, max_entries)


def cmd_snapshot(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    snap = {key: repr(x) for key, x in outputs(args.set.split(","))}
    Path(args.file).parent.mkdir(parents=True, exist_ok=True)
    Path(args.file).write_text(json.dumps(snap, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
    print(f"{len(snap)} outputs written to {args.file} in {time.perf_counter() - started:.1f} s")
    return 0


def _first_difference(x: object, want: str) -> str:
    """The first field whose repr differs, for the report (the whole repr is compared)."""
    for f in fields(x):  # type: ignore[arg-type]
        shown = f"{f.name}={getattr(x, f.name)!r}"
        if shown not in want:
            return f"{f.name}: now {shown[:300]}"
    return "(field order or separators)"


def cmd_check(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    snap: dict[str, str] = json.loads(Path(args.file).read_text(encoding="utf-8"))
    sets = sorted({key.split(":", 1)[0] for key in snap})
    same = differ = 0
    seen: set[str] = set()
    for key, x in outputs(sets):
        seen.add(key)
        if snap.get(key) == repr(x):
            same += 1
        else:
            differ += 1
            if differ <= 20:
                print(f"DIFFERS {key}: {_first_difference(x, snap.get(key, ''))}")
    missing = set(snap) - seen
    print(f"{same + differ} outputs compared ({', '.join(sets)}): {same} identical, {differ} differ,"
          f" {len(missing)} in the snapshot not produced; {time.perf_counter() - started:.1f} s")
    return 1 if differ or missing else 0


# ----------------------------------------------------------------------------------------------- profile


def cmd_profile(args: argparse.Namespace) -> int:
    # bench/profile.py would shadow the standard library's `profile`, which cProfile imports.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    import cProfile

    pages = pages_of(args.set, args.sample)
    for _key, body, url in pages:  # warm-up: imports and compiled XPaths out of the profile
        read(body, url, 2000, 5000)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(args.repeats):
        for _key, body, url in pages:
            read(body, url, 2000, 5000)
    profiler.disable()
    stats = pstats.Stats(profiler)
    for order in ("tottime", "cumulative"):
        print(f"---- {args.set}: {len(pages)} pages × {args.repeats}, by {order}")
        stats.sort_stats(order).print_stats(args.top)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    commands: dict[str, Callable[[argparse.Namespace], int]] = {}
    for name, fn in (("time", cmd_time), ("snapshot", cmd_snapshot), ("check", cmd_check),
                     ("profile", cmd_profile), ("attachments", cmd_attachments),
                     ("instructions", cmd_instructions), ("passes", cmd_passes)):
        p = sub.add_parser(name)
        commands[name] = fn
        if name in ("snapshot", "check"):
            p.add_argument("file")
        if name == "snapshot":
            p.add_argument("--set", default="real,hand,gen")
        if name == "passes":
            p.add_argument("set")
            p.add_argument("passes", type=int)
            p.add_argument("--sample", type=int, default=500)
        if name == "instructions":
            p.add_argument("--sample", type=int, default=500)
            p.add_argument("--set", default="real,gen")
        if name in ("time", "profile", "attachments"):
            p.add_argument("--repeats", type=int, default=7 if name != "profile" else 3)
            p.add_argument("--sample", type=int, default=500)
            p.add_argument("--set", default="real,gen" if name == "time" else "gen")
            p.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    return commands[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
