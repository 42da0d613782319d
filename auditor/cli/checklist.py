"""`auditor checklist …`: check the 清单 and catalogue files, and show what they say.

A thin layer over `checklist.loader`: the people who edit these files run `validate` after every change,
so its output is one line per file or per mistake (file:line: field: message) and never a traceback.
Mounted as `auditor checklist`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from auditor.exits import ExitStatus
from checklist.loader import (
    DEFAULT_CHECKLIST,
    CatalogueError,
    CatalogueErrors,
    check_files,
    load_checklist,
    load_site,
    shipped_files,
)
from checklist.model import Checklist, Cycle, Item, Site

__all__ = ["checklist_group"]

_WORDING_WIDTH = 24


@click.group(name="checklist")
def checklist_group() -> None:
    """The national 清单 and the universities' catalogue files."""


@checklist_group.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check catalogue and 清单 files (default: every shipped file); exit 2 on any mistake."""
    failed = False
    for report in check_files(list(paths) or shipped_files()):
        if report.result is not None and report.ok:
            click.echo(f"✓ {report.shown}: {len(report.result.items)} items")
            continue
        failed = True
        for error in report.errors:
            click.echo(str(error), err=True)
    if failed:
        sys.exit(ExitStatus.USAGE)


@checklist_group.command()
@click.option(
    "--site", "site_ref", metavar="ID|PATH", help="A catalogue (shipped id or file); default: the 清单."
)
@click.option("--category", type=click.IntRange(1), metavar="N", help="Only the items of category N.")
@click.option(
    "--checklist",
    "checklist_ref",
    default=DEFAULT_CHECKLIST,
    show_default=True,
    metavar="VERSION|PATH",
    help="The national list to show when no --site is given.",
)
def show(site_ref: str | None, category: int | None, checklist_ref: str) -> None:
    """Print the items of the national list, or of a university's catalogue, as a table."""
    try:
        if site_ref is not None:
            site = load_site(site_ref)
            checklist = load_checklist(site.checklist_version)
        else:
            site = None
            checklist = load_checklist(checklist_ref)
    except CatalogueError as exc:
        for error in exc.errors if isinstance(exc, CatalogueErrors) else [exc]:
            click.echo(str(error), err=True)
        sys.exit(ExitStatus.USAGE)
    if category is not None and category not in checklist.categories:
        known = ", ".join(map(str, sorted(checklist.categories)))
        raise click.BadParameter(f"{checklist.version} has categories {known}", param_hint="--category")
    items = [it for it in checklist.items if category is None or it.category == category]
    table = _site_table(site, items) if site is not None else _checklist_table(checklist, items)
    console = Console(highlight=False)
    if not console.is_terminal:
        # Piped or captured output: do not fold URLs to an 80-column guess.
        console = Console(highlight=False, width=220)
    console.print(table)


def _site_table(site: Site, items: list[Item]) -> Table:
    table = Table(title=f"{site.name} ({site.id}, {site.version}, {site.checklist_version})")
    table.add_column("项", justify="right")
    table.add_column("类别", justify="right")
    table.add_column("公开事项")
    table.add_column("负责部门")
    table.add_column("网址", no_wrap=True, overflow="ignore")
    table.add_column("周期/期限")
    for it in items:
        entry = site.item(it.number)
        if entry.absent is not None:
            where = f"本期无此类信息（至 {entry.absent.until}）：{entry.absent.reason}"
        else:
            where = "\n".join(entry.urls)
        deadline = entry.deadline or it.deadline
        max_age = entry.max_age_days or it.max_age_days
        table.add_row(
            str(it.number),
            str(it.category),
            _short(it.wording),
            "、".join(entry.departments),
            where,
            _cycle(it.cycle, str(deadline) if deadline else None, max_age),
        )
    return table


def _checklist_table(checklist: Checklist, items: list[Item]) -> Table:
    table = Table(title=f"{checklist.title} ({checklist.version})")
    table.add_column("项", justify="right")
    table.add_column("类别")
    table.add_column("公开事项")
    table.add_column("简称")
    table.add_column("周期/期限")
    table.add_column("须含")
    table.add_column("隐私")
    for it in items:
        required = "；".join(f"{r.label}" for r in it.required)
        table.add_row(
            str(it.number),
            f"{it.category} {it.category_name}",
            _short(it.wording),
            it.short_name,
            _cycle(it.cycle, str(it.deadline) if it.deadline else None, it.max_age_days),
            required,
            "是" if it.privacy_sensitive else "",
        )
    return table


def _cycle(cycle: Cycle, deadline: str | None, max_age: int | None) -> str:
    if deadline:
        return f"{cycle.label} {deadline}"
    if max_age:
        return f"{cycle.label} ≤{max_age}天"
    return cycle.label


def _short(text: str) -> str:
    return text if len(text) <= _WORDING_WIDTH else text[: _WORDING_WIDTH - 1] + "…"
