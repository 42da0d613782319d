"""The commands over the whole flow: report, inspect, run, demo, annual. They load the runner, and with it
Scrapy and the report writers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from auditor.cli.common import (
    Context,
    crawl_options,
    db_option,
    die,
    item_numbers,
    parse_as_of,
    pass_ctx,
    site_option,
)
from auditor.review import load_evaluated, open_site
from auditor.runner import (
    AuditRequest,
    academic_year,
    draft_annual_section,
    print_inspected,
    render_reports,
    run_audit,
    run_audits,
    run_demo,
    send_email,
)
from spiders.inspect import InspectError, inspect_file, inspect_url


@click.command()
@click.option("--run", "run_id", type=int, default=None, help="Run id (default: the newest evaluated run).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the reports.")
@click.option("--email", is_flag=True, default=False, help="Also e-mail each department its scorecard.")
@click.option("--fix-days", type=int, default=None, help="Working days to fix a finding (default 10).")
@click.option("--evaluation", "evaluation_id", type=int, default=None,
              help="One of the run's evaluations (default: the newest; `auditor history --run N` lists them).")
@click.option("--site", "site_ref", default=None, help="Catalogue file the run was judged against (default: the run's).")
@db_option
@pass_ctx
def report(ctx: Context, run_id: int | None, out: str, email: bool, fix_days: int | None,
           evaluation_id: int | None, site_ref: str | None, db: str | None) -> None:
    """Render scorecards, the dashboard and findings.json from stored findings."""

    with ctx.open_store(db) as store:
        result, history = load_evaluated(store, run_id, site_ref, evaluation_id)
        days = fix_days or ctx.config.output.fix_days
        paths = render_reports(result, history, Path(out), days, store)
        Console().print(f"dashboard: {paths.dashboard}  ·  整改台账 ledger: {paths.ledger}", highlight=False)
        if email:
            send_email(result, paths, ctx.config, Console(), db=store.path, fix_days=days)


# -- inspect --------------------------------------------------------------------------------------------

@click.command()
@click.argument("page")
@click.option("--url", default=None, help="The address a saved file was saved from (links resolve against it).")
@site_option
@click.option("--json", "as_json", is_flag=True, default=False, help="Print one JSON object.")
@click.option("--proxy", default=None, help="Fetch through this HTTP proxy (default: config, then http_proxy).")
@click.option("--ignore-robots", is_flag=True, default=False, help="Do not obey robots.txt.")
@pass_ctx
def inspect(ctx: Context, page: str, url: str | None, site_ref: str | None, as_json: bool, proxy: str | None,
            ignore_robots: bool) -> None:
    """How the auditor reads one page (a URL, or a saved file with --url): kind, title, date, entries,
    pages, attachments, and what was set aside as furniture."""

    site = open_site(site_ref)[0] if site_ref else None
    path = Path(page)
    try:
        if "://" not in page:
            if not path.is_file():
                die(f"{page}: no such file (give a saved page, or an http(s) address)")
            result = inspect_file(path, url or path.resolve().as_uri(), site)
        else:
            result = inspect_url(page, site=site, proxy=proxy or ctx.config.crawl.proxy or None,
                                 obey_robots=not ignore_robots and ctx.config.crawl.obey_robots,
                                 contact=ctx.config.crawl.contact)
    except InspectError as exc:
        die(str(exc))
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        print_inspected(result, Console())


# -- run / demo -----------------------------------------------------------------------------------------

@click.command()
@click.option("--site", "site_refs", multiple=True,
              help="Catalogue id or file; repeat it to audit several sites at once, each into OUT/<site id>/ "
                   "(default: [crawl] sites, else [crawl] site).")
@click.option("--as-of", "as_of", default=None, help="Judge as of this date (default: today, Asia/Shanghai).")
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Folder for findings and reports.")
@db_option
@crawl_options
@click.option("--quiet", is_flag=True, default=False, help="For cron: print nothing but errors.")
@click.option("--log-file", default=None, type=click.Path(dir_okay=False), help="Append a log here.")
@click.option("--keep", type=int, default=None, help="Keep raw evidence of the newest N runs only.")
@click.option("--email", is_flag=True, default=False, help="E-mail each department its scorecard after.")
@pass_ctx
def run(ctx: Context, site_refs: tuple[str, ...], as_of: str | None, out: str | None, db: str | None,
        proxy: str | None, polite: bool | None, ignore_robots: bool, items: str | None, full: bool,
        quiet: bool, log_file: str | None, keep: int | None, email: bool) -> None:
    """The nightly audit: crawl → evaluate → report, in one command; several sites at once with
    --site A --site B (the exit status is then the worst site's)."""

    refs = list(site_refs or ctx.config.crawl.sites or (ctx.config.crawl.site,))
    request = AuditRequest(
        site_ref=refs[0], db=ctx.db(db),
        out=Path(out or ctx.config.output.dir), as_of=parse_as_of(as_of),
        proxy=proxy or ctx.config.crawl.proxy or None,
        polite=ctx.config.crawl.polite if polite is None else polite,
        obey_robots=not ignore_robots and ctx.config.crawl.obey_robots, items=item_numbers(items),
        quiet=quiet, log_file=Path(log_file) if log_file else None,
        keep=ctx.config.store.keep if keep is None else keep, email=email,
        fix_days=ctx.config.output.fix_days, contact=ctx.config.crawl.contact, full=full,
    )
    if len(refs) > 1:
        sys.exit(run_audits(refs, request, ctx.config))
    sys.exit(run_audit(request, ctx.config))


@click.command()
@click.option("--out", default="audit-demo", type=click.Path(file_okay=False), show_default=True)
@click.option("--nights", type=click.IntRange(1, 60), default=1, show_default=True,
              help="Audit the sample site once a night for N nights up to the demo date, while it changes.")
@pass_ctx
def demo(ctx: Context, out: str, nights: int) -> None:
    """Audit the bundled sample site (no internet needed) and write reports to ./audit-demo/."""

    sys.exit(run_demo(Path(out), ctx.config, nights))


@click.command()
@click.option("--year", required=True, help="Academic year, e.g. 2017-2018 (1 Sep 2017 – 31 Aug 2018).")
@site_option
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Folder (default: output dir).")
@db_option
@pass_ctx
def annual(ctx: Context, year: str, site_ref: str | None, out: str | None, db: str | None) -> None:
    """Draft the annual report's inspection section (DOCX and Markdown) from the year's runs."""

    academic_year(year)  # a mistyped year says so before anything else is looked for
    with ctx.open_store(db) as store:
        draft_annual_section(store, year, site_ref or ctx.config.crawl.site,
                             Path(out or ctx.config.output.dir), Console())
