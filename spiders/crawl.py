"""Run the crawls of one or several sites in this process and record each as a run in the store.

The same spider, built from the same settings, as `scrapy crawl catalogue -s XXGK_SITE=…`: this module
only begins the runs (so the caller knows their ids even if a crawl dies), passes the command's choices as
`XXGK_*` settings and records how each crawl ended. Scrapy's reactor can start once per process, so this is
called once per `auditor` command; several sites share that one reactor (one Scrapy crawler each, with its
own settings, politeness and run), which is how a night of many universities costs the wall time of the
longest rather than the sum. Tests run the command in a subprocess, as cron does. Ctrl-C and SIGTERM reach
Scrapy's own handlers, which close every spider cleanly: the runs are then stored as interrupted and never
scored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import BaseSettings, Settings
from scrapy.utils.misc import load_object

from auditor import __version__
from auditor.models import RunState
from auditor.store import Store
from checklist.model import Site
from spiders.catalogue import CatalogueSpider, stop_link_check_bodies
from spiders.progress import CrawlProgress, progress_changed
from spiders.settings import BASE_SETTINGS
from spiders.workers import forked_readers


@dataclass(frozen=True)
class CrawlOutcome:
    run_id: int
    state: RunState
    reason: str
    stats: dict[str, int]


def crawl_sites(
    sites: Sequence[Site],
    db_path: str | Path,
    *,
    item_numbers: Iterable[int] | None = None,
    proxy: str | None = None,
    polite: bool = True,
    obey_robots: bool | None = None,
    contact: str = "",
    progress: Callable[[CrawlProgress], None] | None = None,
    log_level: str = "WARNING",
    processes: int | None = None,
    extra_settings: dict[str, Any] | None = None,
) -> list[CrawlOutcome]:
    """Crawl every site concurrently in this process, each its own run; outcomes in the order given.

    Each site is its own Scrapy crawler: its catalogue's politeness (delay, per-host cap) applies to it
    alone, and one site's slow server never holds another's requests back."""
    items = sorted(item_numbers) if item_numbers else []
    with Store(db_path) as store:
        runs = [store.begin_run(site.id, tool_version=__version__, checklist_version=site.checklist_version,
                                catalogue_version=site.version, catalogue_path=site.source_path, items=items)
                for site in sites]
    common = {
        **BASE_SETTINGS,
        "XXGK_DB": str(db_path),
        "XXGK_ITEMS": items,
        "XXGK_PROXY": proxy or "",
        "XXGK_POLITE": polite,
        "XXGK_IGNORE_ROBOTS": obey_robots is False,
        "XXGK_CONTACT": contact,
        "XXGK_WORKERS": processes or 0,
        "LOG_LEVEL": log_level,
        "LOG_INSTALL_ROOT_HANDLER": False,
        **(extra_settings or {}),
    }
    refs = [site.source_path or site.id for site in sites]
    # The process's settings build the reactor-wide resolver, which gates names for every site crawled here.
    process = AsyncCrawlerProcess({**common, "XXGK_SITE": refs[0] if len(refs) == 1 else "", "XXGK_SITES": refs})
    logging.getLogger("scrapy").setLevel(log_level)
    # The readers are forked now, while this process is one thread and the reactor, installed, does not run yet
    # (spiders/workers.py). What the crawls will import when they start is imported first: the readers then
    # share it, where imports after the fork write to pages the two share, which each then holds a copy of.
    import_components(process.settings)
    with forked_readers(processes or None):
        crawlers: list[Crawler] = []
        for ref, run in zip(refs, runs, strict=True):
            settings = Settings(common)
            # Above the process's own priority: create_crawler merges the process's settings into each crawler.
            settings.setdict({"XXGK_SITE": ref, "XXGK_RUN_ID": run.id}, priority="cmdline")
            crawler = process.create_crawler(Crawler(CatalogueSpider, settings))
            crawler.signals.connect(stop_link_check_bodies, signal=signals.headers_received)
            if progress is not None:
                crawler.signals.connect(progress, signal=progress_changed)
            process.crawl(crawler)
            crawlers.append(crawler)
        try:
            process.start()
        except BaseException:
            for run in runs:
                _finish(db_path, run.id, RunState.INTERRUPTED, "抓取异常终止", {})
            raise
    return [_outcome(db_path, run.id, crawler) for run, crawler in zip(runs, crawlers, strict=True)]


#: Component dicts and classes Scrapy loads when a crawl starts (the dicts with their `_BASE`).
_COMPONENT_DICTS = ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES")
_COMPONENTS = ("DOWNLOADER", "SCHEDULER", "SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_MEMORY_QUEUE",
               "SCHEDULER_DISK_QUEUE", "SCHEDULER_START_MEMORY_QUEUE", "SCHEDULER_START_DISK_QUEUE",
               "DUPEFILTER_CLASS", "STATS_CLASS", "LOG_FORMATTER", "REQUEST_FINGERPRINTER_CLASS",
               "ROBOTSTXT_PARSER", "DOWNLOADER_CLIENTCONTEXTFACTORY", "ITEM_PROCESSOR")


def import_components(settings: BaseSettings) -> None:
    """Import the module of every component the settings name, as each crawl will when it starts. Only
    imports, after the reactor is installed (a module may import it): nothing is built, and a component that
    fails to import is left for Scrapy to report where it always does."""
    paths: list[Any] = [*settings.getwithbase("DOWNLOAD_HANDLERS").values(), *map(settings.get, _COMPONENTS)]
    for name in _COMPONENT_DICTS:
        with suppress(Exception):
            paths.extend(settings.get_component_priority_dict_with_base(name))  # the enabled ones
    for path in paths:
        if isinstance(path, str) and path:
            with suppress(Exception):
                load_object(path)


def _outcome(db_path: str | Path, run_id: int, crawler: Crawler) -> CrawlOutcome:
    stats = crawler.stats.get_stats() if crawler.stats else {}
    reason = str(stats.get("finish_reason", "unknown"))
    numbers = {k.replace("/", "_"): int(v) for k, v in stats.items() if isinstance(v, int) and "/" in k}
    state = RunState.COMPLETE if reason == "finished" else RunState.INTERRUPTED
    note = "" if state is RunState.COMPLETE else f"抓取未完成（{reason}），本次运行不计分"
    _finish(db_path, run_id, state, note, numbers)
    return CrawlOutcome(run_id=run_id, state=state, reason=reason, stats=numbers)


def _finish(db_path: str | Path, run_id: int, state: RunState, note: str, stats: dict[str, int]) -> None:
    with Store(db_path) as store:
        store.finish_run(run_id, state, note=note, stats=stats)
