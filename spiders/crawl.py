"""Run one crawl of one site in this process and record it as a run in the store.

The same spider, built from the same settings, as `scrapy crawl catalogue -s XXGK_SITE=…`: this function
only begins the run (so the caller knows its id even if the crawl dies), passes the command's choices as
`XXGK_*` settings and records how the crawl ended. Scrapy's reactor can start once per process, so this is
called once per `auditor` command; tests run the command in a subprocess, as cron does. Ctrl-C and
SIGTERM reach Scrapy's own handlers, which close the spider cleanly: the run is then stored as
interrupted and never scored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess

from auditor import __version__
from auditor.models import RunState
from auditor.store import Store
from checklist.model import Site
from spiders.catalogue import CatalogueSpider, stop_link_check_bodies
from spiders.progress import CrawlProgress, progress_changed
from spiders.settings import BASE_SETTINGS


@dataclass(frozen=True)
class CrawlOutcome:
    run_id: int
    state: RunState
    reason: str
    stats: dict[str, int]


def crawl(
    site: Site,
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
) -> CrawlOutcome:
    """Crawl `site` (a catalogue loaded from its file) into the store at `db_path`."""
    with Store(db_path) as store:
        run = store.begin_run(site.id, tool_version=__version__, checklist_version=site.checklist_version,
                              catalogue_version=site.version, catalogue_path=site.source_path,
                              items=item_numbers or ())
    settings = {
        **BASE_SETTINGS,
        "XXGK_SITE": site.source_path or site.id,
        "XXGK_DB": str(db_path),
        "XXGK_RUN_ID": run.id,
        "XXGK_ITEMS": sorted(item_numbers) if item_numbers else [],
        "XXGK_PROXY": proxy or "",
        "XXGK_POLITE": polite,
        "XXGK_IGNORE_ROBOTS": obey_robots is False,
        "XXGK_CONTACT": contact,
        "XXGK_WORKERS": processes or 0,
        "LOG_LEVEL": log_level,
        "LOG_INSTALL_ROOT_HANDLER": False,
        **(extra_settings or {}),
    }
    process = AsyncCrawlerProcess(settings)
    logging.getLogger("scrapy").setLevel(log_level)
    crawler = process.create_crawler(CatalogueSpider)
    crawler.signals.connect(stop_link_check_bodies, signal=signals.headers_received)
    if progress is not None:
        crawler.signals.connect(progress, signal=progress_changed)
    process.crawl(crawler)
    try:
        process.start()
    except BaseException:
        _finish(db_path, run.id, RunState.INTERRUPTED, "抓取异常终止", {})
        raise
    stats = crawler.stats.get_stats() if crawler.stats else {}
    reason = str(stats.get("finish_reason", "unknown"))
    numbers = {k.replace("/", "_"): int(v) for k, v in stats.items() if isinstance(v, int) and "/" in k}
    state = RunState.COMPLETE if reason == "finished" else RunState.INTERRUPTED
    note = "" if state is RunState.COMPLETE else f"抓取未完成（{reason}），本次运行不计分"
    _finish(db_path, run.id, state, note, numbers)
    return CrawlOutcome(run_id=run.id, state=state, reason=reason, stats=numbers)


def _finish(db_path: str | Path, run_id: int, state: RunState, note: str, stats: dict[str, int]) -> None:
    with Store(db_path) as store:
        store.finish_run(run_id, state, note=note, stats=stats)
