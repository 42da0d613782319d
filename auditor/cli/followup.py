"""`auditor finding …`: the supervision group's 整改 → 复核 loop on the command line, one problem at a
time (`auditor ledger import` and `auditor recheck`, in ledger.py, take the departments' answers and check
again).

Every change is kept with its time and author (`--by`, default the login name) and shown by
`auditor finding show`. A wrong id or a transition the finding's state does not allow ends in exit 2: one
line, and nothing recorded.
"""

from __future__ import annotations

from datetime import date

import click
from rich.console import Console

from auditor.calendar import today_in_china
from auditor.cli.common import Context, author, by_option, db_option, parse_date
from auditor.lifecycle import State
from auditor.review import list_findings, move_finding, show_finding

__all__ = ["finding_group"]


_site_option = click.option("--site", "site_ref", default=None,
                            help="Catalogue id or file (default: the configuration's site).")
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
@db_option
@click.pass_obj
def finding_list(ctx: Context, department: str | None, state: str | None, show_all: bool, as_of: str | None,
                 site_ref: str | None, db: str | None) -> None:
    """The site's problems as they stand, overdue first, and the items waiting for a 复核."""
    with ctx.open_store(db) as store:
        list_findings(store, site_ref or ctx.config.crawl.site, parse_date("--as-of", as_of) or today_in_china(),
                      Console(), department=department, state=state, show_all=show_all,
                      fix_days=ctx.config.output.fix_days)


@finding_group.command("show")
@click.argument("finding_id")
@_today_option
@_site_option
@db_option
@click.pass_obj
def finding_show(ctx: Context, finding_id: str, as_of: str | None, site_ref: str | None, db: str | None) -> None:
    """One problem: deadline, state, the department's answer and every change with who and why."""
    with ctx.open_store(db) as store:
        show_finding(store, site_ref or ctx.config.crawl.site, finding_id.strip(),
                     parse_date("--as-of", as_of) or today_in_china(), Console(), fix_days=ctx.config.output.fix_days)


def _move(ctx: Context, finding_id: str, to: State, by: str | None, site_ref: str | None, db: str | None,
          note: str = "", until: date | None = None) -> None:
    with ctx.open_store(db) as store:
        move_finding(store, site_ref or ctx.config.crawl.site, finding_id.strip(), to, by=author(by),
                     today=today_in_china(), console=Console(), note=note, until=until,
                     fix_days=ctx.config.output.fix_days)


@finding_group.command("ack")
@click.argument("finding_id")
@click.option("--note", default="", help="Why, or what was agreed.")
@by_option
@_site_option
@db_option
@click.pass_obj
def finding_ack(ctx: Context, finding_id: str, note: str, by: str | None, site_ref: str | None,
                db: str | None) -> None:
    """确认: the department has acknowledged the problem."""
    _move(ctx, finding_id, State.ACKNOWLEDGED, by, site_ref, db, note)


@finding_group.command("progress")
@click.argument("finding_id")
@click.option("--note", default="", help="What is being done.")
@by_option
@_site_option
@db_option
@click.pass_obj
def finding_progress(ctx: Context, finding_id: str, note: str, by: str | None, site_ref: str | None,
                     db: str | None) -> None:
    """整改中: the department is fixing it."""
    _move(ctx, finding_id, State.IN_PROGRESS, by, site_ref, db, note)


@finding_group.command("fixed")
@click.argument("finding_id")
@click.option("--note", default="", help="What was changed on the site.")
@by_option
@_site_option
@db_option
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
@by_option
@_site_option
@db_option
@click.pass_obj
def finding_explain(ctx: Context, finding_id: str, reason: str, until: str, by: str | None, site_ref: str | None,
                    db: str | None) -> None:
    """情况说明: a justified exemption with its reason and expiry; after it the problem counts again."""
    _move(ctx, finding_id, State.EXPLAINED, by, site_ref, db, reason, parse_date("--until", until))
