"""`auditor finding …`, `auditor ledger import` and `auditor recheck`: the supervision group's 整改 → 复核
loop on the command line.

Every change is kept with its time and author (`--by`, default the login name) and shown by
`auditor finding show`. A wrong id, a transition the finding's state does not allow, or a returned
ledger that cannot be read whole ends in exit 2: one line, or for a ledger every `file, sheet, cell:
reason` line, and nothing recorded.
"""

from __future__ import annotations

import getpass
import sys
from datetime import date
from pathlib import Path

import click
from rich.console import Console

from auditor.calendar import today_in_china
from auditor.cli.common import Context, die
from auditor.lifecycle import State
from auditor.runner import (
    AuditRequest,
    import_ledger_files,
    list_findings,
    move_finding,
    recheck_items,
    run_audit,
    show_finding,
)

__all__ = ["finding_group", "ledger_group", "recheck"]


def _by(value: str | None) -> str:
    """Who made a change: --by, else the login name."""
    if value and value.strip():
        return value.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "未署名"


def _date(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        die(f"{option} {value!r}: expected a date YYYY-MM-DD")


_site_option = click.option("--site", "site_ref", default=None,
                            help="Catalogue id or file (default: the configuration's site).")
_db_option = click.option("--db", default=None, help="SQLite history file (default from config).")
_by_option = click.option("--by", default=None, help="Who makes the change (default: $USER).")
_today_option = click.option("--as-of", "as_of", default=None,
                             help="The day to judge deadlines against (default: today, Asia/Shanghai).")


@click.group("finding")
def finding_group() -> None:
    """Follow problems up: list them, show one's history, move it on (确认、整改中、已整改待复核、情况说明)."""


@finding_group.command("list")
@click.option("--department", default=None, help="Only the problems this department leads.")
@click.option("--state", default=None, help="Only this state, e.g. 逾期, 整改中, 已整改 (or overdue, in_progress).")
@click.option("--all", "show_all", is_flag=True, default=False, help="Closed (已整改) problems too.")
@_today_option
@_site_option
@_db_option
@click.pass_obj
def finding_list(ctx: Context, department: str | None, state: str | None, show_all: bool, as_of: str | None,
                 site_ref: str | None, db: str | None) -> None:
    """The site's problems as they stand, overdue first, and the items waiting for a 复核."""
    with ctx.open_store(db) as store:
        list_findings(store, site_ref or ctx.config.crawl.site, _date("--as-of", as_of) or today_in_china(),
                      Console(), department=department, state=state, show_all=show_all,
                      fix_days=ctx.config.output.fix_days)


@finding_group.command("show")
@click.argument("finding_id")
@_today_option
@_site_option
@_db_option
@click.pass_obj
def finding_show(ctx: Context, finding_id: str, as_of: str | None, site_ref: str | None, db: str | None) -> None:
    """One problem: deadline, state, the department's answer and every change with who and why."""
    with ctx.open_store(db) as store:
        show_finding(store, site_ref or ctx.config.crawl.site, finding_id.strip(),
                     _date("--as-of", as_of) or today_in_china(), Console(), fix_days=ctx.config.output.fix_days)


def _move(ctx: Context, finding_id: str, to: State, by: str | None, site_ref: str | None, db: str | None,
          note: str = "", until: date | None = None) -> None:
    with ctx.open_store(db) as store:
        move_finding(store, site_ref or ctx.config.crawl.site, finding_id.strip(), to, by=_by(by),
                     today=today_in_china(), console=Console(), note=note, until=until,
                     fix_days=ctx.config.output.fix_days)


@finding_group.command("ack")
@click.argument("finding_id")
@click.option("--note", default="", help="Why, or what was agreed.")
@_by_option
@_site_option
@_db_option
@click.pass_obj
def finding_ack(ctx: Context, finding_id: str, note: str, by: str | None, site_ref: str | None,
                db: str | None) -> None:
    """确认: the department has acknowledged the problem."""
    _move(ctx, finding_id, State.ACKNOWLEDGED, by, site_ref, db, note)


@finding_group.command("progress")
@click.argument("finding_id")
@click.option("--note", default="", help="What is being done.")
@_by_option
@_site_option
@_db_option
@click.pass_obj
def finding_progress(ctx: Context, finding_id: str, note: str, by: str | None, site_ref: str | None,
                     db: str | None) -> None:
    """整改中: the department is fixing it."""
    _move(ctx, finding_id, State.IN_PROGRESS, by, site_ref, db, note)


@finding_group.command("fixed")
@click.argument("finding_id")
@click.option("--note", default="", help="What was changed on the site.")
@_by_option
@_site_option
@_db_option
@click.pass_obj
def finding_fixed(ctx: Context, finding_id: str, note: str, by: str | None, site_ref: str | None,
                  db: str | None) -> None:
    """已整改待复核: the department reports it fixed; its item is scheduled for the next 复核, whose result
    closes (已整改) or reopens it."""
    _move(ctx, finding_id, State.AWAITING_RECHECK, by, site_ref, db, note)


@finding_group.command("explain")
@click.argument("finding_id")
@click.option("--reason", required=True, help="Why the item cannot be published as the 清单 asks.")
@click.option("--until", "until", required=True, help="The explanation holds until this date (YYYY-MM-DD).")
@_by_option
@_site_option
@_db_option
@click.pass_obj
def finding_explain(ctx: Context, finding_id: str, reason: str, until: str, by: str | None, site_ref: str | None,
                    db: str | None) -> None:
    """情况说明: a justified exemption with its reason and expiry; after it the problem counts again."""
    _move(ctx, finding_id, State.EXPLAINED, by, site_ref, db, reason, _date("--until", until))


@click.group("ledger")
def ledger_group() -> None:
    """The 整改台账 departments fill in and send back."""


@ledger_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_by_option
@_site_option
@_db_option
@click.pass_obj
def ledger_import(ctx: Context, files: tuple[str, ...], by: str | None, site_ref: str | None,
                  db: str | None) -> None:
    """Read returned ledgers (a department's workbook or the whole school's): 整改中, 已完成 (scheduled for
    复核) and 情况说明 are recorded with the measures, person and planned date. Any error refuses them all."""
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        die(f"{missing[0]}: no such file (give the .xlsx ledgers the departments sent back)")
    with ctx.open_store(db) as store:
        import_ledger_files(store, site_ref or ctx.config.crawl.site, [Path(f) for f in files], by=_by(by),
                            today=today_in_china(), console=Console(), fix_days=ctx.config.output.fix_days)


@click.command("recheck")
@_site_option
@click.option("--as-of", "as_of", default=None, help="Judge as of this date (default: today, Asia/Shanghai).")
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Folder for findings and reports.")
@_db_option
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
        AuditRequest(site_ref=site, db=ctx.db(db), out=Path(out or cfg.output.dir), as_of=_date("--as-of", as_of),
                     proxy=proxy or cfg.crawl.proxy or None, polite=cfg.crawl.polite if polite is None else polite,
                     obey_robots=cfg.crawl.obey_robots, items=items, quiet=quiet, keep=cfg.store.keep,
                     fix_days=cfg.output.fix_days, contact=cfg.crawl.contact),
        cfg,
    ))
