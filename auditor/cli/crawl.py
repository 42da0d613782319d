"""`auditor crawl`: the crawl alone, stored as a new run. It loads Scrapy and the spiders, not the reports."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from auditor.cli.common import Context, crawl_options, db_option, item_numbers, pass_ctx, site_option
from auditor.crawling import CrawlRequest, crawl_site
from auditor.exits import ExitStatus
from auditor.review import open_site


@click.command()
@site_option
@db_option
@crawl_options
@pass_ctx
def crawl(ctx: Context, site_ref: str | None, db: str | None, proxy: str | None, polite: bool | None,
          ignore_robots: bool, items: str | None, full: bool) -> None:
    """Crawl the site's catalogue and store the evidence as a new run (no judging)."""

    site, _ = open_site(site_ref or ctx.config.crawl.site)
    outcome = crawl_site(
        CrawlRequest(site=site, db=ctx.db(db), proxy=proxy or ctx.config.crawl.proxy or None,
                     polite=ctx.config.crawl.polite if polite is None else polite,
                     obey_robots=not ignore_robots and ctx.config.crawl.obey_robots,
                     items=item_numbers(items), contact=ctx.config.crawl.contact, full=full,
                     rotation_nights=ctx.config.crawl.rotation_nights),
        Console(),
    )
    Console().print(f"run {outcome.run_id}: {outcome.state} ({ctx.db(db)})")
    sys.exit(ExitStatus.OK if outcome.state == "complete" else ExitStatus.INTERRUPTED)
