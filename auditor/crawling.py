"""Crawling a catalogue from the command line, with a line of progress.

Apart from the runner so that `auditor crawl` loads Scrapy and our spiders but none of the reports
(Jinja2, openpyxl, python-docx): the nightly crawl starts in half the time and memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from rich.console import Console
from rich.live import Live
from rich.text import Text

from checklist.model import Site
from spiders.crawl import CrawlOutcome, crawl_sites
from spiders.progress import CrawlProgress
from spiders.workers import forked_readers


@dataclass(frozen=True)
class CrawlRequest:
    site: Site
    db: str
    proxy: str | None = None
    polite: bool = True
    obey_robots: bool = True
    items: list[int] | None = None
    contact: str = ""
    quiet: bool = False
    full: bool = False  # fetch every URL: carry nothing forward
    rotation_nights: int = 0  # the config's override of the catalogue's policy.rotation_nights (0: none)


def crawl_site(req: CrawlRequest, console: Console) -> CrawlOutcome:
    """The crawl, with a live line of progress on a terminal (none under cron or --quiet)."""
    site = req.site
    nights = {"XXGK_FULL": req.full, "XXGK_ROTATION_NIGHTS": req.rotation_nights}
    run = partial(crawl_sites, [site], req.db, item_numbers=req.items, proxy=req.proxy, polite=req.polite,
                  obey_robots=req.obey_robots, contact=req.contact, extra_settings=nights)
    if req.quiet or not console.is_terminal:
        return run()[0]

    def view(p: CrawlProgress) -> Text:
        return Text.assemble(
            ("抓取 crawling ", "bold"), f"{site.name}  事项 items {p.items_done}/{p.items_total}  ",
            f"页面 pages {p.pages}  ", (f"错误 errors {p.errors}", "red" if p.errors else ""),
            f"  {p.bytes / 1e6:.1f} MB",
        )

    # The readers are forked before the live line starts its refresh thread (spiders/workers.py).
    with forked_readers(), Live(view(CrawlProgress()), console=console, refresh_per_second=4,
                                transient=False) as live:
        def show(progress: CrawlProgress) -> None:  # a progress_changed handler: called by keyword
            live.update(view(progress))

        return run(progress=show)[0]
