"""The `auditor` command: a thin layer over the library. Each command parses options, calls one library
function, and maps failures to documented exit statuses without tracebacks.

Exit statuses: 0 every item passes or warns; 1 some item fails; 2 usage or configuration error;
3 audit inconclusive (site or network failure: departments not scored); 4 interrupted (not scored).
"""

from __future__ import annotations

import importlib

import click
from rich.console import Console
from rich.table import Table

from auditor import __version__
from auditor.cli.common import Context, die, pass_ctx
from auditor.exits import CommandError
from auditor.store import StoreError
from checklist.loader import CatalogueError

#: Each subcommand, where it lives and its line in `auditor --help`. A subcommand is imported when it is
#: called (click's documented pattern for lazy subcommands): `auditor crawl` starts without the reports,
#: `auditor finding list` or `history` without either, and `auditor --help` without any of them.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "annual": ("auditor.cli.audit:annual", "Draft the annual report's inspection section (DOCX, Markdown)."),
    "catalogue": ("auditor.cli.catalogue:catalogue_group", "Draft a university's catalogue file; compare drafts."),
    "checklist": ("auditor.cli.checklist:checklist_group", "The national 清单 and the catalogue files."),
    "crawl": ("auditor.cli.crawl:crawl", "Crawl the catalogue and store the evidence as a run (no judging)."),
    "demo": ("auditor.cli.audit:demo", "Audit the bundled sample site (no internet) into ./audit-demo/."),
    "diff": ("auditor.cli.review:diff", "New, fixed and persisting problems between two runs."),
    "evaluate": ("auditor.cli.review:evaluate", "Judge a stored crawl (no network) and store its findings."),
    "finding": ("auditor.cli.followup:finding_group", "Follow problems up: list, show, 确认、整改、情况说明."),
    "history": ("auditor.cli.review:history", "Stored runs with their summary, or one run's evaluations."),
    "inspect": ("auditor.cli.audit:inspect", "How the auditor reads one page: kind, date, entries, furniture."),
    "ledger": ("auditor.cli.ledger:ledger_group", "The 整改台账 departments fill in and send back."),
    "recheck": ("auditor.cli.ledger:recheck", "复核: re-check the items reported fixed."),
    "report": ("auditor.cli.audit:report", "Render scorecards, the dashboard and findings.json."),
    "run": ("auditor.cli.audit:run", "The nightly audit: crawl → evaluate → report (--site A --site B)."),
}


class LazyGroup(click.Group):
    """A group whose subcommands (SUBCOMMANDS) are imported on first use, not when the program starts."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from SUBCOMMANDS' summaries: listing them must not import them all."""
        rows = []
        for name in self.list_commands(ctx):
            if name in SUBCOMMANDS:
                rows.append((name, SUBCOMMANDS[name][1]))
            elif (command := super().get_command(ctx, name)) is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *SUBCOMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in SUBCOMMANDS:
            return super().get_command(ctx, cmd_name)
        where = SUBCOMMANDS[cmd_name][0]
        module, _, name = where.partition(":")
        command = getattr(importlib.import_module(module), name)
        if not isinstance(command, click.Command):
            raise TypeError(f"{where} is not a click command")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
    ctx.obj = Context(config_path)


@cli.group()
def config() -> None:
    """Configuration."""


@config.command("show")
@pass_ctx
def config_show(ctx: Context) -> None:
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
    except CatalogueError as exc:
        die(str(exc))
    except StoreError as exc:
        die(str(exc))
    except OSError as exc:  # a full disk, an --out under a file, a read-only folder
        where = f"{exc.filename}: " if exc.filename else ""
        die(f"{where}{exc.strerror or exc}")
