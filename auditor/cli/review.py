"""The commands that read the stored history: evaluate (judge a stored crawl again, offline), history,
diff. They load the database and the rules, not Scrapy or the report writers."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from auditor.cli.common import Context, db_option, parse_as_of, pass_ctx
from auditor.findings import write_findings
from auditor.lifecycle import record_run
from auditor.review import (
    evaluate_run,
    exit_status,
    print_effects,
    print_summary,
    show_diff,
    show_evaluations,
    show_history,
)


@click.command()
@click.option("--run", "run_id", type=int, default=None, help="Run id (default: the newest run).")
@click.option("--as-of", "as_of", default=None, help="Judge as of this date (default: today, Asia/Shanghai).")
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Write DIR/findings.json.")
@click.option("--site", "site_ref", default=None, help="Catalogue file to judge against (default: the run's).")
@db_option
@pass_ctx
def evaluate(ctx: Context, run_id: int | None, as_of: str | None, out: str | None, site_ref: str | None,
             db: str | None) -> None:
    """Judge a stored crawl (no network) and store its findings."""

    with ctx.open_store(db) as store:
        result = evaluate_run(store, run_id, parse_as_of(as_of), site_ref)
        if len(store.evaluations(result.run.id)) == 1:
            # A crawl judged for the first time follows its problems up like `auditor run`; a re-judgement
            # (another as-of date, newer rules) is no new look at the site and closes nothing.
            print_effects(record_run(store, result, ctx.config.output.fix_days), Console())
        if out:

            path = write_findings(result, Path(out))
            Console().print(f"findings: {path}")
        print_summary(result, Console())
        sys.exit(exit_status(result))


@click.command()
@click.option("--site", "site", default=None, help="Only this site's runs.")
@click.option("--run", "run_id", type=int, default=None, help="List this run's evaluations (re-judgements).")
@db_option
@pass_ctx
def history(ctx: Context, site: str | None, run_id: int | None, db: str | None) -> None:
    """List stored runs with their summary, or one run's evaluations."""

    with ctx.open_store(db) as store:
        if run_id is not None:
            show_evaluations(store, run_id, Console())
        else:
            show_history(store, site, Console())


@click.command()
@click.argument("run_a", type=int)
@click.argument("run_b", type=int)
@db_option
@pass_ctx
def diff(ctx: Context, run_a: int, run_b: int, db: str | None) -> None:
    """New, fixed and persisting problems between two runs, per item and department."""

    with ctx.open_store(db) as store:
        show_diff(store, run_a, run_b, Console())
