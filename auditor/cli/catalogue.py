"""`auditor catalogue …`: draft a university's catalogue from its site or its annual report, and review
what a redraft would change.

Each command speaks to the person who will finish the file: a table of the items, the column each was
matched to and how sure, the uncertain ones first. Exit statuses: 0 every item is mapped (diff: no
change), 1 some are left for the user (diff: something changed), 2 bad input, always with one line
saying why. Crawled text is shown as `rich.text.Text`, never as markup.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.cli.common import die
from auditor.exits import ExitStatus
from checklist.draft.crawl import DraftError
from checklist.draft.diff import diff_catalogues
from checklist.draft.drafting import draft_site
from checklist.draft.model import Draft
from checklist.draft.report import draft_from_report
from checklist.draft.text import clean_label
from checklist.draft.writer import render_yaml
from checklist.loader import DEFAULT_CHECKLIST, CatalogueError, load_checklist
from checklist.model import Checklist

__all__ = ["catalogue_group"]

_WORDING_WIDTH = 22


def _console(stderr: bool = False) -> Console:
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:
        console = Console(stderr=stderr, highlight=False, width=200)  # captured: do not fold at 80
    return console


def _checklist(ref: str) -> Checklist:
    try:
        return load_checklist(ref)
    except CatalogueError as exc:
        die(str(exc).splitlines()[0])


def _short(text: str) -> str:
    return text if len(text) <= _WORDING_WIDTH else text[: _WORDING_WIDTH - 1] + "…"


def review_table(draft: Draft) -> Table:
    """Items with their column and confidence, the ones that need a person first."""
    table = Table(title=Text(f"{draft.name}: {draft.mapped}/{len(draft.items)} items mapped"))
    table.add_column("项", justify="right")
    table.add_column("公开事项")
    table.add_column("栏目 column")
    table.add_column("置信度", justify="right")
    table.add_column("部门")
    table.add_column("网址 / 备注", overflow="fold")
    ordered = sorted(draft.items, key=lambda it: (it.mapped, it.confidence if it.unsure else 2.0, it.number))
    for it in ordered:
        if it.chosen:
            column = Text(" + ".join(clean_label(c.label) for c in it.chosen))
            where = Text("\n".join(c.url for c in it.chosen))
            if it.note:
                where.append(f"\n{it.note}", style="dim")
        else:
            column = Text("TODO", style="bold red")
            best = it.runners_up[0] if it.runners_up else None
            where = Text(f"best: {clean_label(best.label)} {best.score:.2f}" if best else it.note, style="dim")
        style = "red" if not it.mapped else "yellow" if it.unsure else "green"
        table.add_row(
            str(it.number),
            Text(_short(it.wording)),
            column,
            Text(f"{it.confidence:.2f}", style=style),
            Text("、".join(it.departments) or "—"),
            where,
        )
    return table


def _finish(draft: Draft, out: Path | None) -> NoReturn:
    text = render_yaml(draft)
    if out is not None:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            die(f"{out}: cannot write ({exc.strerror or exc})")
        console = _console()
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
        console = _console(stderr=True)
    console.print(review_table(draft))
    left = len(draft.items) - draft.mapped
    unsure = sum(1 for it in draft.items if it.mapped and it.unsure)
    summary = f"{draft.mapped}/{len(draft.items)} items mapped, {unsure} unsure, {left} left for you"
    if out is not None:
        summary += f"; written to {out} (check it with `auditor checklist validate {out}`)"
    console.print(Text(summary))
    for note in draft.notes:
        console.print(Text(f"note: {note}", style="dim"))
    sys.exit(ExitStatus.OK if left == 0 else ExitStatus.FAIL)


@click.group(name="catalogue")
def catalogue_group() -> None:
    """Draft a university's catalogue file from its site or its annual report, and compare drafts."""


@catalogue_group.command()
@click.argument("url")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the catalogue here (default: print it; the review table goes to stderr).")
@click.option("--allow", multiple=True, metavar="HOST",
              help="Also crawl this host or domain (repeatable); the start's registrable domain always is.")
@click.option("--proxy", default=None, help="Fetch through this HTTP proxy (default: http_proxy).")
@click.option("--ignore-robots", is_flag=True, default=False, help="Do not obey robots.txt.")
@click.option("--delay", type=click.FloatRange(0), default=1.0, show_default=True,
              help="Seconds between requests.")
@click.option("--max-pages", type=click.IntRange(1), default=200, show_default=True, help="Read at most N pages.")
@click.option("--checklist", "checklist_ref", default=DEFAULT_CHECKLIST, show_default=True,
              metavar="VERSION|PATH", help="The national list to map.")
def draft(url: str, out: Path | None, allow: tuple[str, ...], proxy: str | None, ignore_robots: bool,
          delay: float, max_pages: int, checklist_ref: str) -> None:
    """Draft a catalogue from a disclosure site's home or 目录 page (URL): its directory's columns are
    matched to the 清单's items by wording. Exit 0 all mapped, 1 some left (TODO), 2 bad input."""
    checklist = _checklist(checklist_ref)
    try:
        result = draft_site(url, checklist=checklist, allow=allow, proxy=proxy, obey_robots=not ignore_robots,
                            delay=delay, max_pages=max_pages)
    except DraftError as exc:
        die(str(exc))
    _finish(result, out)


@catalogue_group.command("from-report")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the catalogue here (default: print it; the review table goes to stderr).")
@click.option("--id", "site_id", default=None, help="The catalogue's id (default: from the site's domain).")
@click.option("--checklist", "checklist_ref", default=DEFAULT_CHECKLIST, show_default=True,
              metavar="VERSION|PATH", help="The national list to map.")
def from_report(file: Path, out: Path | None, site_id: str | None, checklist_ref: str) -> None:
    """Draft a catalogue from an annual disclosure report's closing table (TXT, PDF or DOCX): items,
    departments (merged cells inherited from above) and URLs. Exit 0 all mapped, 1 some left, 2 bad input."""
    checklist = _checklist(checklist_ref)
    try:
        result = draft_from_report(file, checklist, site_id=site_id)
    except DraftError as exc:
        die(str(exc))
    _finish(result, out)


@catalogue_group.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
def diff(old: Path, new: Path) -> None:
    """What replacing catalogue OLD by NEW (e.g. a redraft) would change: new, moved or vanished columns.
    Exit 0 no change, 1 changes, 2 bad input."""
    try:
        changes, gone, added = diff_catalogues(old, new)
    except DraftError as exc:
        die(str(exc))
    console = _console()
    if not changes and not gone and not added:
        console.print(Text(f"no change: {new} maps every item as {old} does"))
        sys.exit(ExitStatus.OK)
    table = Table(title=Text(f"{old} → {new}: {len(changes)} item(s) change"))
    table.add_column("项", justify="right")
    table.add_column("变化")
    table.add_column("旧 old")
    table.add_column("新 new")
    for c in changes:
        table.add_row(str(c.number), Text(c.change.label), Text("\n".join(c.old) or "—"), Text("\n".join(c.new) or "—"))
    console.print(table)
    for url in gone:
        console.print(Text(f"column no longer used: {url}"))
    for url in added:
        console.print(Text(f"column used for the first time: {url}"))
    sys.exit(ExitStatus.FAIL)
