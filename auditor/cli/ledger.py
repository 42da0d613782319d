"""`auditor ledger import` and `auditor recheck`: the departments' returned 整改台账 recorded whole or not
at all, and the 复核 that checks again what they reported fixed. Every fault ends in exit 2, nothing recorded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from auditor.calendar import today_in_china
from auditor.cli.common import Context, author, by_option, db_option, die, parse_date, site_option
from auditor.runner import AuditRequest, import_ledger_files, recheck_items, run_audit

__all__ = ["ledger_group", "recheck"]


@click.group("ledger")
def ledger_group() -> None:
    """The 整改台账 departments fill in and send back."""


@ledger_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@by_option
@site_option
@db_option
@click.pass_obj
def ledger_import(ctx: Context, files: tuple[str, ...], by: str | None, site_ref: str | None,
                  db: str | None) -> None:
    """Read returned ledgers (a department's workbook or the whole school's): 整改中, 已完成 (scheduled for
    复核) and 情况说明 are recorded with the measures, person and planned date. Any error refuses them all."""
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        die(f"{missing[0]}: no such file (give the .xlsx ledgers the departments sent back)")
    with ctx.open_store(db) as store:
        import_ledger_files(store, site_ref or ctx.config.crawl.site, [Path(f) for f in files], by=author(by),
                            today=today_in_china(), console=Console(), fix_days=ctx.config.output.fix_days)


@click.command("recheck")
@site_option
@click.option("--as-of", "as_of", default=None, help="Judge as of this date (default: today, Asia/Shanghai).")
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Folder for findings and reports.")
@db_option
@click.option("--proxy", default=None, help="Send every request through this HTTP proxy.")
@click.option("--polite/--no-polite", default=None, help="Delay and per-host cap from the catalogue (default on).")
@click.option("--quiet", is_flag=True, default=False, help="For cron: print nothing but errors.")
@click.pass_obj
def recheck(ctx: Context, site_ref: str | None, as_of: str | None, out: str | None, db: str | None,
            proxy: str | None, polite: bool | None, quiet: bool) -> None:
    """复核: re-check the items departments reported fixed (a partial run of the scheduled items); the run
    closes what it no longer finds and reopens what is still there."""
    site = site_ref or ctx.config.crawl.site
    with ctx.open_store(db) as store:
        items = recheck_items(store, site)
    if not quiet:
        Console().print(f"复核 re-check: 第{'、'.join(map(str, items))}项", highlight=False)
    cfg = ctx.config
    sys.exit(run_audit(
        AuditRequest(site_ref=site, db=ctx.db(db), out=Path(out or cfg.output.dir), as_of=parse_date("--as-of", as_of),
                     proxy=proxy or cfg.crawl.proxy or None, polite=cfg.crawl.polite if polite is None else polite,
                     obey_robots=cfg.crawl.obey_robots, items=items, quiet=quiet, keep=cfg.store.keep,
                     fix_days=cfg.output.fix_days, contact=cfg.crawl.contact),
        cfg,
    ))
