"""What changed between two audits of a site, and the run history, for `auditor diff` and `auditor history`.

A department wants to know three things after a night's run: what broke, what it fixed, and what is still
open. Warnings count as problems as well as failures (both lose points); a problem that changes grade
(不合格→警告) stays open but is marked, so progress is visible before the item passes.
"""

from __future__ import annotations

import enum
import io
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.models import Run, RunState, Verdict
from auditor.results import AuditResult
from reports.common import TERMINAL_STYLE, carried_note, fmt_score, run_notes


class Change(enum.StrEnum):
    NEW = "new"  # a problem now, not before
    FIXED = "fixed"  # a problem before, passes now
    PERSISTING = "persisting"  # a problem in both runs (its grade may have changed)
    UNJUDGED = "unjudged"  # a problem before, and this run could not judge it: neither fixed nor open


CHANGE_WORD: dict[Change, str] = {
    Change.NEW: "新增问题",
    Change.FIXED: "已整改",
    Change.PERSISTING: "仍未整改",
    Change.UNJUDGED: "本次无法判定",
}


@dataclass(frozen=True)
class ItemChange:
    item: int
    short_name: str
    departments: tuple[str, ...]
    change: Change
    before: Verdict | None  # None: the item was not in the earlier run
    after: Verdict | None
    message: str = ""  # the newer run's first problem message, for the reader of the diff

    @property
    def grade_changed(self) -> bool:
        """A persisting problem that changed grade, e.g. 不合格→警告."""
        return self.change is Change.PERSISTING and self.before is not self.after

    @property
    def transition(self) -> str:
        before = self.before.label if self.before else "—"
        after = self.after.label if self.after else "—"
        return f"{before}→{after}"


@dataclass(frozen=True)
class DepartmentDiff:
    name: str
    score_before: float | None
    score_after: float | None
    changes: tuple[ItemChange, ...]

    def of(self, kind: Change) -> tuple[ItemChange, ...]:
        return tuple(c for c in self.changes if c.change is kind)


@dataclass(frozen=True)
class Diff:
    before: Run
    after: Run
    before_as_of: str
    after_as_of: str
    score_before: float | None
    score_after: float | None
    changes: tuple[ItemChange, ...]
    departments: tuple[DepartmentDiff, ...]

    def of(self, kind: Change) -> tuple[ItemChange, ...]:
        return tuple(c for c in self.changes if c.change is kind)

    @property
    def new(self) -> tuple[ItemChange, ...]:
        return self.of(Change.NEW)

    @property
    def fixed(self) -> tuple[ItemChange, ...]:
        return self.of(Change.FIXED)

    @property
    def persisting(self) -> tuple[ItemChange, ...]:
        return self.of(Change.PERSISTING)

    @property
    def regraded(self) -> tuple[ItemChange, ...]:
        return tuple(c for c in self.changes if c.grade_changed)


def _classify(before: Verdict | None, after: Verdict | None) -> Change | None:
    was = before is not None and before.is_problem
    now = after is not None and after.is_problem
    if now and not was:
        return Change.NEW
    if now and was:
        return Change.PERSISTING
    if was and after is Verdict.PASS:
        return Change.FIXED
    if was:
        return Change.UNJUDGED
    return None


def diff(a: AuditResult, b: AuditResult) -> Diff:
    """Changes from the earlier result `a` to the later result `b`, per item and per department."""
    before = {it.item: it for it in a.items}
    after = {it.item: it for it in b.items}
    changes: list[ItemChange] = []
    for number in sorted(set(before) | set(after)):
        old, new = before.get(number), after.get(number)
        kind = _classify(old.status if old else None, new.status if new else None)
        if kind is None:
            continue
        ref = new or old
        assert ref is not None
        message = ""
        if new is not None:
            message = next((f.message for f in new.findings if f.status is new.status), "")
            if new.carried_from_run is not None:
                message = f"（{carried_note(new)}）{message}"
        changes.append(
            ItemChange(
                item=number,
                short_name=ref.short_name,
                departments=ref.departments,
                change=kind,
                before=old.status if old else None,
                after=new.status if new else None,
                message=message,
            )
        )
    names = [d.name for d in b.departments] + [d.name for d in a.departments if d.name not in
                                                 {x.name for x in b.departments}]
    scores_a = {d.name: d.score for d in a.departments}
    scores_b = {d.name: d.score for d in b.departments}
    departments = tuple(
        DepartmentDiff(
            name=name,
            score_before=scores_a.get(name),
            score_after=scores_b.get(name),
            changes=tuple(c for c in changes if name in c.departments),
        )
        for name in names
    )
    return Diff(
        before=a.run,
        after=b.run,
        before_as_of=a.as_of.isoformat(),
        after_as_of=b.as_of.isoformat(),
        score_before=a.overall_score,
        score_after=b.overall_score,
        changes=tuple(changes),
        departments=departments,
    )


# -- renderings --------------------------------------------------------------------------------------


def verdict_text(v: Verdict | None) -> Text:
    """A verdict for the terminal: its word, coloured (the word alone says it without colour)."""
    if v is None:
        return Text("—", style="dim")
    return Text(v.label, style=TERMINAL_STYLE[v])


def history_table(runs: Sequence[AuditResult | Run]) -> Table:
    """One row per run, oldest first. A bare `Run` is a run never evaluated: state only, no counts."""
    table = Table(title="检查历史 (audit history)", title_justify="left")
    for header, justify in (("运行", "right"), ("状态", "left"), ("检查基准日", "left"),
                            ("合格", "right"), ("警告", "right"), ("不合格", "right"),
                            ("无法判定", "right"), ("得分", "right"), ("说明", "left")):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for entry in sorted(runs, key=lambda r: r.run.id if isinstance(r, AuditResult) else r.id):
        if isinstance(entry, AuditResult):
            run, c = entry.run, entry.counts
            counts = [str(c[v]) for v in (Verdict.PASS, Verdict.WARN, Verdict.FAIL, Verdict.INCONCLUSIVE)]
            as_of = entry.as_of.isoformat()
            value = entry.overall_score
        else:
            run, counts, value = entry, ["—"] * 4, None
            as_of = run.as_of.isoformat() if run.as_of else "—"
        note = run.note
        if isinstance(entry, AuditResult):
            note = "；".join(filter(None, [note, *run_notes(entry)]))
        if run.state is not RunState.COMPLETE:
            note = ("不计分。" + note).strip()
        state_style = "green" if run.state is RunState.COMPLETE else "yellow"
        table.add_row(
            f"#{run.id}", Text(run.state.label, style=state_style), as_of, *counts,
            fmt_score(value) if run.state is RunState.COMPLETE else Text("不计分", style="dim"), note,
        )
    return table


def diff_renderable(d: Diff) -> Table:
    """The item changes, worst news first, with the two scores in the title."""
    title = (
        f"#{d.before.id} ({d.before_as_of}) → #{d.after.id} ({d.after_as_of})  "
        f"得分 {fmt_score(d.score_before)} → {fmt_score(d.score_after)}"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("变化", no_wrap=True)
    table.add_column("事项", justify="right")
    table.add_column("公开事项")
    table.add_column("状态")
    table.add_column("负责部门")
    table.add_column("说明")
    order = (Change.NEW, Change.PERSISTING, Change.UNJUDGED, Change.FIXED)
    style = {Change.NEW: "bold red", Change.PERSISTING: "yellow", Change.UNJUDGED: "dim", Change.FIXED: "green"}
    for kind in order:
        for c in d.of(kind):
            word = CHANGE_WORD[kind] + ("（等级变化）" if c.grade_changed else "")
            status = Text.assemble(verdict_text(c.before), "→", verdict_text(c.after))
            table.add_row(Text(word, style=style[kind]), f"({c.item})", c.short_name, status,
                          "、".join(c.departments), c.message)
    if not d.changes:
        table.add_row("无变化", "", "两次检查均无问题", "", "", "")
    return table


def department_diff_table(d: Diff) -> Table:
    table = Table(title="各部门变化 (by department)", title_justify="left")
    for header in ("部门", "得分", "新增问题", "已整改", "仍未整改"):
        table.add_column(header)
    for dep in d.departments:
        table.add_row(
            dep.name,
            f"{fmt_score(dep.score_before)} → {fmt_score(dep.score_after)}",
            *("、".join(f"({c.item})" for c in dep.of(k)) or "—"
              for k in (Change.NEW, Change.FIXED, Change.PERSISTING)),
        )
    return table


def summary_line(d: Diff) -> str:
    return (
        f"新增问题 {len(d.new)} 项，已整改 {len(d.fixed)} 项，仍未整改 {len(d.persisting)} 项"
        f"（其中等级变化 {len(d.regraded)} 项）"
    )


def to_text(renderable: Table, width: int = 140) -> str:
    """Plain text of a Rich renderable, for logs, mail and tests."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def diff_text(d: Diff) -> str:
    return "\n".join([to_text(diff_renderable(d)), to_text(department_diff_table(d)), summary_line(d)])


def history_text(runs: Sequence[AuditResult | Run]) -> str:
    return to_text(history_table(runs))
