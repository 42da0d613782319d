"""Where the crawl's CPU goes: py-spy's raw samples of one crawl, put into the buckets bench/README.md reports.

    bench/.tools/pyspy/bin/py-spy record --subprocesses -r 200 -f raw -o crawl.raw -- \\
        .venv/bin/python -m auditor crawl --site bench/out/gen/catalogue.yaml --db /tmp/p.sqlite --no-polite
    .venv/bin/python bench/profile.py crawl.raw

py-spy (`pip install py-spy` into bench/.tools/pyspy; not committed) samples the crawl process and its reader
worker; each stack goes to the first bucket that matches, so the shares add up to 100 %. The top self-time
functions follow, for what the buckets hide.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

Rule = Callable[[str, str], bool]

BUCKETS: list[tuple[str, Rule]] = [
    ("reader worker process (page, PDF, XLSX extraction)", lambda st, leaf: "spawn_main" in st),
    ("idle: the reactor waiting in select/epoll", lambda st, leaf: ".select (selectors" in leaf),
    ("other threads waiting (executor, DNS threads)",
     lambda st, leaf: bool(re.search(r"Condition\.wait|_worker \(concurrent/futures/thread|Queue\.get|Thread\.run", st))),
    ("start-up: imports", lambda st, leaf: "_call_with_frames_removed" in st),
    ("handing pages to the workers (pickle, pipe)",
     lambda st, leaf: bool(re.search(r"Connection\._send|Connection\._recv|_send_bytes|ForkingPickler", st))),
    ("store pipeline (SQLite writes)", lambda st, leaf: "spiders/pipelines.py" in st),
    ("our spider: parse, observe, follow, records", lambda st, leaf: "spiders/catalogue.py" in st),
    ("our middlewares (gate, retry, redirect, robots)",
     lambda st, leaf: bool(re.search(r"spiders/(gate|middlewares|robots|resolver)\.py", st))),
    ("Scrapy downloader and Twisted's HTTP/1.1 client",
     lambda st, leaf: bool(re.search(r"scrapy/core/downloader|twisted/web", st))),
    ("Scrapy engine, scheduler, signals, middleware chains", lambda st, leaf: "scrapy/" in st),
    ("Twisted reactor, asyncio loop (callbacks, transport)", lambda st, leaf: bool(re.search(r"twisted/|asyncio/", st))),
]


def main(argv: list[str]) -> int:
    buckets: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in Path(argv[1]).read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        leaf = stack.split(";")[-1]
        leaves[re.sub(r":\d+\)", ")", leaf)] += n
        name = next((b for b, matches in BUCKETS if matches(stack, leaf)), "other")
        buckets[name] += n
    print(f"{total} samples")
    for name, n in buckets.most_common():
        print(f"{100 * n / total:5.1f} %  {name}")
    print("top self time:")
    for name, n in leaves.most_common(15):
        print(f"{100 * n / total:5.1f} %  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
