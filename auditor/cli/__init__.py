"""The `auditor` command: a thin layer over the library. Each command parses options, calls one library
function, and maps failures to documented exit statuses without tracebacks.

Exit statuses: 0 every item passes or warns; 1 some item fails; 2 usage or configuration error;
3 audit inconclusive (site or network failure: departments not scored); 4 interrupted (not scored).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from auditor import __version__
from auditor.cli.catalogue import catalogue_group
from auditor.cli.checklist import checklist_group
from auditor.cli.common import die
from auditor.cli.followup import finding_group, ledger_group, recheck
from auditor.config import Config, ConfigError, load_config
from auditor.exits import CommandError, ExitStatus
from auditor.findings import write_findings
from auditor.lifecycle import record_run
from auditor.runner import (
    AuditRequest,
    CrawlRequest,
    academic_year,
    crawl_site,
    draft_annual_section,
    evaluate_run,
    exit_status,
    load_evaluated,
    open_site,
    print_effects,
    print_inspected,
    print_summary,
    render_reports,
    run_audit,
    run_audits,
    run_demo,
    send_email,
    show_diff,
    show_evaluations,
    show_history,
)
from auditor.store import Store, StoreError
from checklist.loader import CatalogueError
from checklist.model import parse_item_numbers
from spiders.inspect import InspectError, inspect_file, inspect_url


def _parse_as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        die(f"--as-of {value!r}: expected a date YYYY-MM-DD")


class _Context:
    """Lazily loaded configuration shared by the commands."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(self.config_path)
            except ConfigError as exc:
                die(str(exc))
        return self._config

    def db(self, override: str | None) -> str:
        return override or self.config.store.path

    def open_store(self, override: str | None, *, must_exist: bool = True) -> Store:
        path = Path(self.db(override))
        if must_exist and not path.exists():
            die(f"{path}: no audit database here yet (run `auditor run` or `auditor crawl` first, or pass --db)")
        try:
            return Store(path)
        except StoreError as exc:
            die(str(exc))


pass_ctx = click.make_pass_decorator(_Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="xxgk-auditor")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Configuration file (TOML). Default: $XXGK_CONFIG, ./xxgk-auditor.toml, ~/.config/…")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """高校信息公开网 nightly audit against the MOE 《高等学校信息公开事项清单》.

    \b
    Exit statuses: 0 all items pass or warn · 1 some item fails · 2 usage/configuration error ·
    3 inconclusive (site or network failure; not scored) · 4 interrupted (not scored).
    """
    ctx.obj = _Context(config_path)


cli.add_command(checklist_group, "checklist")
cli.add_command(catalogue_group, "catalogue")
cli.add_command(finding_group, "finding")
cli.add_command(ledger_group, "ledger")
cli.add_command(recheck, "recheck")


# -- crawl ------------------------------------------------------------------------------------------

_site_option = click.option("--site", "site_ref", default=None,
                            help="Catalogue id (e.g. ustb) or path to a catalogue YAML file.")
_db_option = click.option("--db", default=None, help="SQLite history file (default from config).")


def _crawl_options(f: Any) -> Any:
    for option in reversed([
        click.option("--proxy", default=None, help="Send every request through this HTTP proxy."),
        click.option("--polite/--no-polite", default=None,
                     help="Delay and per-host cap from the catalogue (default on)."),
        click.option("--ignore-robots", is_flag=True, default=False, help="Do not obey robots.txt."),
        click.option("--items", default=None, help="Only these items, e.g. 6,19-21."),
        click.option("--full", is_flag=True, default=False,
                     help="Fetch every URL tonight; carry nothing forward from earlier nights."),
    ]):
        f = option(f)
    return f


def _items(value: str | None) -> list[int] | None:
    if not value:
        return None
    try:
        return parse_item_numbers(value)
    except ValueError:
        die(f"--items {value!r}: expected numbers such as 6,19-21")


@cli.command()
@_site_option
@_db_option
@_crawl_options
@pass_ctx
def crawl(ctx: _Context, site_ref: str | None, db: str | None, proxy: str | None, polite: bool | None,
          ignore_robots: bool, items: str | None, full: bool) -> None:
    """Crawl the site's catalogue and store the evidence as a new run (no judging)."""

    site, _ = open_site(site_ref or ctx.config.crawl.site)
    outcome = crawl_site(
        CrawlRequest(site=site, db=ctx.db(db), proxy=proxy or ctx.config.crawl.proxy or None,
                     polite=ctx.config.crawl.polite if polite is None else polite,
                     obey_robots=not ignore_robots and ctx.config.crawl.obey_robots,
                     items=_items(items), contact=ctx.config.crawl.contact, full=full,
                     rotation_nights=ctx.config.crawl.rotation_nights),
        Console(),
    )
    Console().print(f"run {outcome.run_id}: {outcome.state} ({ctx.db(db)})")
    sys.exit(ExitStatus.OK if outcome.state == "complete" else ExitStatus.INTERRUPTED)


# -- evaluate / report --------------------------------------------------------------------------------

@cli.command()
@click.option("--run", "run_id", type=int, default=None, help="Run id (default: the newest run).")
@click.option("--as-of", "as_of", default=None, help="Judge as of this date (default: today, Asia/Shanghai).")
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Write DIR/findings.json.")
@click.option("--site", "site_ref", default=None, help="Catalogue file to judge against (default: the run's).")
@_db_option
@pass_ctx
def evaluate(ctx: _Context, run_id: int | None, as_of: str | None, out: str | None, site_ref: str | None,
             db: str | None) -> None:
    """Judge a stored crawl (no network) and store its findings."""

    with ctx.open_store(db) as store:
        result = evaluate_run(store, run_id, _parse_as_of(as_of), site_ref)
        if len(store.evaluations(result.run.id)) == 1:
            # A crawl judged for the first time follows its problems up like `auditor run`; a re-judgement
            # (another as-of date, newer rules) is no new look at the site and closes nothing.
            print_effects(record_run(store, result, ctx.config.output.fix_days), Console())
        if out:

            path = write_findings(result, Path(out))
            Console().print(f"findings: {path}")
        print_summary(result, Console())
        sys.exit(exit_status(result))


@cli.command()
@click.option("--run", "run_id", type=int, default=None, help="Run id (default: the newest evaluated run).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the reports.")
@click.option("--email", is_flag=True, default=False, help="Also e-mail each department its scorecard.")
@click.option("--fix-days", type=int, default=None, help="Working days to fix a finding (default 10).")
@click.option("--evaluation", "evaluation_id", type=int, default=None,
              help="One of the run's evaluations (default: the newest; `auditor history --run N` lists them).")
@click.option("--site", "site_ref", default=None, help="Catalogue file the run was judged against (default: the run's).")
@_db_option
@pass_ctx
def report(ctx: _Context, run_id: int | None, out: str, email: bool, fix_days: int | None,
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

@cli.command()
@click.argument("page")
@click.option("--url", default=None, help="The address a saved file was saved from (links resolve against it).")
@_site_option
@click.option("--json", "as_json", is_flag=True, default=False, help="Print one JSON object.")
@click.option("--proxy", default=None, help="Fetch through this HTTP proxy (default: config, then http_proxy).")
@click.option("--ignore-robots", is_flag=True, default=False, help="Do not obey robots.txt.")
@pass_ctx
def inspect(ctx: _Context, page: str, url: str | None, site_ref: str | None, as_json: bool, proxy: str | None,
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

@cli.command()
@click.option("--site", "site_refs", multiple=True,
              help="Catalogue id or file; repeat it to audit several sites at once, each into OUT/<site id>/ "
                   "(default: [crawl] sites, else [crawl] site).")
@click.option("--as-of", "as_of", default=None, help="Judge as of this date (default: today, Asia/Shanghai).")
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Folder for findings and reports.")
@_db_option
@_crawl_options
@click.option("--quiet", is_flag=True, default=False, help="For cron: print nothing but errors.")
@click.option("--log-file", default=None, type=click.Path(dir_okay=False), help="Append a log here.")
@click.option("--keep", type=int, default=None, help="Keep raw evidence of the newest N runs only.")
@click.option("--email", is_flag=True, default=False, help="E-mail each department its scorecard after.")
@pass_ctx
def run(ctx: _Context, site_refs: tuple[str, ...], as_of: str | None, out: str | None, db: str | None,
        proxy: str | None, polite: bool | None, ignore_robots: bool, items: str | None, full: bool,
        quiet: bool, log_file: str | None, keep: int | None, email: bool) -> None:
    """The nightly audit: crawl → evaluate → report, in one command; several sites at once with
    --site A --site B (the exit status is then the worst site's)."""

    refs = list(site_refs or ctx.config.crawl.sites or (ctx.config.crawl.site,))
    request = AuditRequest(
        site_ref=refs[0], db=ctx.db(db),
        out=Path(out or ctx.config.output.dir), as_of=_parse_as_of(as_of),
        proxy=proxy or ctx.config.crawl.proxy or None,
        polite=ctx.config.crawl.polite if polite is None else polite,
        obey_robots=not ignore_robots and ctx.config.crawl.obey_robots, items=_items(items),
        quiet=quiet, log_file=Path(log_file) if log_file else None,
        keep=ctx.config.store.keep if keep is None else keep, email=email,
        fix_days=ctx.config.output.fix_days, contact=ctx.config.crawl.contact, full=full,
    )
    if len(refs) > 1:
        sys.exit(run_audits(refs, request, ctx.config))
    sys.exit(run_audit(request, ctx.config))


@cli.command()
@click.option("--out", default="audit-demo", type=click.Path(file_okay=False), show_default=True)
@click.option("--nights", type=click.IntRange(1, 60), default=1, show_default=True,
              help="Audit the sample site once a night for N nights up to the demo date, while it changes.")
@pass_ctx
def demo(ctx: _Context, out: str, nights: int) -> None:
    """Audit the bundled sample site (no internet needed) and write reports to ./audit-demo/."""

    sys.exit(run_demo(Path(out), ctx.config, nights))


# -- history ----------------------------------------------------------------------------------------------

@cli.command()
@click.option("--site", "site", default=None, help="Only this site's runs.")
@click.option("--run", "run_id", type=int, default=None, help="List this run's evaluations (re-judgements).")
@_db_option
@pass_ctx
def history(ctx: _Context, site: str | None, run_id: int | None, db: str | None) -> None:
    """List stored runs with their summary, or one run's evaluations."""

    with ctx.open_store(db) as store:
        if run_id is not None:
            show_evaluations(store, run_id, Console())
        else:
            show_history(store, site, Console())


@cli.command()
@click.argument("run_a", type=int)
@click.argument("run_b", type=int)
@_db_option
@pass_ctx
def diff(ctx: _Context, run_a: int, run_b: int, db: str | None) -> None:
    """New, fixed and persisting problems between two runs, per item and department."""

    with ctx.open_store(db) as store:
        show_diff(store, run_a, run_b, Console())


@cli.command()
@click.option("--year", required=True, help="Academic year, e.g. 2017-2018 (1 Sep 2017 – 31 Aug 2018).")
@_site_option
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Folder (default: output dir).")
@_db_option
@pass_ctx
def annual(ctx: _Context, year: str, site_ref: str | None, out: str | None, db: str | None) -> None:
    """Draft the annual report's inspection section (DOCX and Markdown) from the year's runs."""

    academic_year(year)  # a mistyped year says so before anything else is looked for
    with ctx.open_store(db) as store:
        draft_annual_section(store, year, site_ref or ctx.config.crawl.site,
                             Path(out or ctx.config.output.dir), Console())


@cli.group()
def config() -> None:
    """Configuration."""


@config.command("show")
@pass_ctx
def config_show(ctx: _Context) -> None:
    """Print the effective configuration (secrets masked)."""

    cfg = ctx.config
    table = Table(title=f"配置 configuration — {cfg.source or '(defaults only)'}")
    table.add_column("key")
    table.add_column("value")
    for section, values in cfg.masked().items():
        for key, value in values.items():
            table.add_row(f"{section}.{key}", str(value))
    Console().print(table)


def main() -> None:
    try:
        cli.main(prog_name="auditor", standalone_mode=True)
    except CommandError as exc:
        die(str(exc), exc.status)
    except InspectError as exc:
        die(str(exc))
    except CatalogueError as exc:
        die(str(exc))
    except StoreError as exc:
        die(str(exc))
    except OSError as exc:  # a full disk, an --out under a file, a read-only folder
        where = f"{exc.filename}: " if exc.filename else ""
        die(f"{where}{exc.strerror or exc}")
