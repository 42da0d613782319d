"""The stored history, read back for the command line: a catalogue opened, a crawl judged, runs listed and
compared, each problem's follow-up shown and moved along.

Apart from the runner so that these commands (`auditor evaluate`, `history`, `diff`, `finding …`) start
without Scrapy or the report writers: they read the database and print.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.calendar import CHINA
from auditor.evaluate import default_as_of, evaluate
from auditor.exits import CommandError, ExitStatus
from auditor.findings import load_result
from auditor.lifecycle import (
    LifecycleError,
    RunEffects,
    State,
    change_state,
    follow_ups,
    scheduled_items,
    site_follow_ups,
    track,
)
from auditor.models import Run, RunState, Verdict
from auditor.results import SCORE_FORMULA, AuditResult
from auditor.store import Store
from checklist.loader import CatalogueError, load_checklist, load_site
from checklist.model import Checklist, Site
from reports.common import SITE_CHECK_NAMES, TERMINAL_STYLE, run_notes, state_text
from reports.history import diff, diff_renderable, history_table, verdict_text


def open_site(ref: str) -> tuple[Site, Checklist]:
    """The catalogue (an id or a file) and the 清单 it follows."""
    try:
        site = load_site(ref)
        return site, load_checklist(site.checklist_version)
    except CatalogueError as exc:
        raise CommandError(str(exc)) from exc


def site_of_run(run: Run, site_ref: str | None = None) -> tuple[Site, Checklist]:
    """The catalogue a run is judged and reported against: the one given, else the file the crawl followed
    (when it still exists), else the shipped catalogue of the run's site id."""
    if site_ref:
        return open_site(site_ref)
    if run.catalogue_path and Path(run.catalogue_path).is_file():
        return open_site(run.catalogue_path)
    return open_site(run.site)


# -- judging a stored run, and its summary ----------------------------------------------------------

def evaluate_run(store: Store, run_id: int | None, as_of: date | None, site_ref: str | None) -> AuditResult:

    run = _stored_run(store, run_id) if run_id is not None else _newest(store)
    if run.state is RunState.RUNNING:
        raise CommandError(f"run {run.id} is still crawling; judge it when it has finished")
    site, checklist = site_of_run(run, site_ref)
    if site.id != run.site:
        raise CommandError(f"run {run.id} is an audit of {run.site!r}, not of {site.id!r} (leave out --site)")
    return evaluate(store, run.id, site, checklist, as_of or default_as_of())


def _stored_run(store: Store, run_id: int) -> Run:
    try:
        return store.run(run_id)
    except KeyError:
        raise CommandError(f"run {run_id} is not in {store.path} (`auditor history` lists the runs)") from None


def _newest(store: Store) -> Run:
    runs = [r for r in store.runs() if r.state is not RunState.RUNNING]
    if not runs:
        raise CommandError("no finished run in this database yet (run `auditor crawl` first)")
    return runs[-1]


def load_evaluated(store: Store, run_id: int | None, site_ref: str | None = None, evaluation_id: int | None = None
                   ) -> tuple[AuditResult, list[AuditResult]]:
    """A stored, evaluated run (its newest evaluation unless another is asked for) and the evaluated runs
    of the same site before it (for trends)."""

    if run_id is None:
        evaluated = [r for r in store.runs() if store.evaluated(r.id)]
        if not evaluated:
            raise CommandError("no evaluated run in this database yet (run `auditor evaluate` first)")
        run = evaluated[-1]
    else:
        run = _stored_run(store, run_id)
        if not store.evaluated(run.id):
            raise CommandError(f"run {run.id} has not been evaluated yet (run `auditor evaluate --run {run.id}`)")
    site, checklist = site_of_run(run, site_ref)
    history = [
        load_result(store, r.id, site, checklist)
        for r in store.runs(run.site)
        if r.id < run.id and store.evaluated(r.id)
    ]
    if evaluation_id is not None and store.evaluation(run.id, evaluation_id) is None:
        ids = ", ".join(str(e.id) for e in store.evaluations(run.id))
        raise CommandError(f"evaluation {evaluation_id} is not one of run {run.id}'s (its evaluations: {ids}; "
                           f"`auditor history --run {run.id}` lists them)")
    return load_result(store, run.id, site, checklist, evaluation_id), history


def exit_status(result: AuditResult) -> int:
    if result.run.state is RunState.INTERRUPTED:
        return ExitStatus.INTERRUPTED
    if result.run.state is RunState.INCONCLUSIVE:
        return ExitStatus.INCONCLUSIVE
    # A partial re-check answers for the items it re-checked; the verdicts it carried are an older run's.
    judged = [i for i in result.items if i.carried_from_run is None]
    return ExitStatus.FAIL if any(i.status is Verdict.FAIL for i in judged) else ExitStatus.OK


def print_summary(result: AuditResult, console: Console) -> None:
    counts = result.counts
    state = {RunState.COMPLETE: "完成 complete", RunState.INTERRUPTED: "中断 interrupted（不计分）",
             RunState.INCONCLUSIVE: "无法判定 inconclusive（网站或网络故障，不计分）",
             RunState.RUNNING: "running"}[result.run.state]
    console.print(
        f"[bold]{result.site_name}[/] 信息公开检查 · run {result.run.id} · 截至 as of {result.as_of} · {state}",
        highlight=False,
    )
    for note in run_notes(result):
        console.print(visible(note))
    by_cat = Table(title="按类别 by category", title_justify="left")
    by_cat.add_column("类别 category")
    for v in Verdict:
        by_cat.add_column(v.label, justify="right", style=TERMINAL_STYLE[v])
    categories: dict[tuple[int, str], dict[Verdict, int]] = {}
    for it in result.items:
        row = categories.setdefault((it.category, it.category_name), {v: 0 for v in Verdict})
        row[it.status] += 1
    for (number, name), row in sorted(categories.items()):
        by_cat.add_row(f"{number} {name}", *[str(row[v]) for v in Verdict])
    by_cat.add_row("合计 total", *[str(counts[v]) for v in Verdict], style="bold")
    console.print(by_cat)
    problems = [it for it in result.items if it.status in (Verdict.FAIL, Verdict.WARN)]
    if problems:
        table = Table(title="问题事项 items with problems", title_justify="left", show_lines=False)
        table.add_column("#", justify="right")
        table.add_column("事项 item")
        table.add_column("结果")
        table.add_column("责任部门 departments")
        table.add_column("问题 problem", overflow="fold", ratio=3)
        for it in problems:
            worst = next((f for f in it.findings if f.status is it.status), None)
            # Messages quote crawled titles and URLs: shown with control characters visible, never raw.
            table.add_row(str(it.item), it.short_name, verdict_text(it.status), visible("、".join(it.departments)),
                          visible(worst.message if worst else ""))
        console.print(table)
    if result.scored and result.overall_score is not None:
        console.print(f"总体得分 overall score: [bold]{result.overall_score}[/]   ({SCORE_FORMULA})", highlight=False)
        if result.vetoed:
            vetoed = "、".join(f"第{it.item}项（{it.departments[0]}）" for it in result.items if it.vetoes)
            site_vetoes = [SITE_CHECK_NAMES.get(f.rule, f.rule) for f in result.site_findings if f.veto]
            site = f"；网站本身：{'、'.join(site_vetoes)}" if site_vetoes else ""
            console.print(f"[bold red]单项否决 veto[/]：{vetoed}{site}；网站总体评定为不合格，"
                          "牵头部门不论得分评定为“不合格（单项否决）”", highlight=False)


def visible(text: str) -> Text:
    """Crawled text for the terminal: control characters shown as escapes, never sent raw (a title with
    an escape sequence must not recolour, retitle or hyperlink the operator's terminal)."""
    return Text("".join(ch if ch.isprintable() or ch == "\n" else f"\\x{ord(ch):02x}" for ch in text))


# -- the runs listed and compared ---------------------------------------------------------------------

def show_history(store: Store, site: str | None, console: Console) -> None:
    """Every run, evaluated ones with their counts and score; interrupted and inconclusive ones unscored."""

    rows: list[AuditResult | Run] = []
    if site is not None and not store.runs(site):
        others = sorted({r.site for r in store.runs()})
        raise CommandError(f"no run of site {site!r} in {store.path}"
                           + (f"; runs are of: {', '.join(others)}" if others else " (no run at all yet)"))
    for run in store.runs(site):
        if store.evaluated(run.id):
            s, c = site_of_run(run)
            rows.append(load_result(store, run.id, s, c))
        else:
            rows.append(run)
    console.print(history_table(rows))


def show_evaluations(store: Store, run_id: int, console: Console) -> None:
    """Every judgement of one run, oldest first: re-judgements are kept beside the first, never over it."""
    run = _stored_run(store, run_id)
    evaluations = store.evaluations(run.id)
    if not evaluations:
        raise CommandError(f"run {run.id} has not been evaluated yet (run `auditor evaluate --run {run.id}`)")
    site, checklist = site_of_run(run)
    table = Table(title=f"第{run.id}次检查的评判 (evaluations of run {run.id})", title_justify="left")
    for header in ("评判", "检查基准日", "评判时间", "规则版本", "得分", "说明"):
        table.add_column(header)
    newest = evaluations[-1].id
    for e in evaluations:
        result = load_result(store, run.id, site, checklist, e.id)
        notes = run_notes(result) + (["报告默认采用此次评判"] if e.id == newest else [])
        table.add_row(str(e.id), e.as_of.isoformat(), e.evaluated_at.isoformat(sep=" "), result.rules_version,
                      "—" if result.overall_score is None else f"{result.overall_score:.1f}", "；".join(notes))
    console.print(table)


def show_diff(store: Store, run_a: int, run_b: int, console: Console) -> None:

    results = []
    for run_id in (run_a, run_b):
        run = _stored_run(store, run_id)
        if not store.evaluated(run_id):
            raise CommandError(f"run {run_id} has not been evaluated (run `auditor evaluate --run {run_id}`)")
        site, checklist = site_of_run(run)
        results.append(load_result(store, run_id, site, checklist))
    if results[0].site != results[1].site:
        raise CommandError(f"run {run_a} audits {results[0].site!r} and run {run_b} audits {results[1].site!r}: "
                           "compare two runs of one site")
    console.print(diff_renderable(diff(results[0], results[1])))


# -- a finding's life: shown, moved along -----------------------------------------------------------------

def print_effects(effects: RunEffects, console: Console) -> None:
    """What a run did to the problems followed up."""
    parts = []
    if effects.registered:
        parts.append(f"新登记 {len(effects.registered)} 个问题")
    if effects.closed:
        parts.append(f"已整改（本次未再发现）{len(effects.closed)} 个")
    if effects.reopened:
        parts.append(f"复核未通过、重新打开 {len(effects.reopened)} 个：{'、'.join(effects.reopened)}")
    if parts:
        console.print("整改跟踪 follow-up: " + "；".join(parts), highlight=False)


def followed_result(store: Store, site_ref: str, fix_days: int) -> AuditResult:
    """The site's newest scored run, whose problems are followed up (registered now if they were not:
    a database from before follow-up was kept freezes their deadlines today)."""
    site, _ = open_site(site_ref)
    scored = [r for r in store.runs(site.id) if r.state is RunState.COMPLETE and store.evaluated(r.id)]
    if not scored:
        others = sorted({r.site for r in store.runs()} - {site.id})
        raise CommandError(f"no scored run of site {site.id!r} in {store.path} (run `auditor run` first"
                           + (f", or pass --site {others[0]}" if others else "") + ")")
    run = scored[-1]
    s, checklist = site_of_run(run)
    result = load_result(store, run.id, s, checklist)
    track(store, result, fix_days)
    return result


def _parse_state(text: str | None) -> State | None:
    if text is None:
        return None
    try:
        return State.parse(text)
    except ValueError:
        raise CommandError(f"--state {text!r}: expected one of {'、'.join(s.value for s in State)}") from None


def list_findings(store: Store, site_ref: str, today: date, console: Console, *, department: str | None = None,
                  state: str | None = None, show_all: bool = False, fix_days: int = 10) -> None:
    """`auditor finding list`: the site's problems as they stand today, overdue first; closed ones only
    with --all or --state 已整改; then the items waiting for a 复核."""
    result = followed_result(store, site_ref, fix_days)
    wanted = _parse_state(state)
    current = follow_ups(store, result.site, result, today, fix_days)
    everything = site_follow_ups(store, result.site, today)
    rows = [current.get(fid, fu) for fid, fu in everything.items()]
    if department is not None:
        known = sorted({fu.department for fu in rows})
        if department not in known:
            raise CommandError(f"--department {department!r}: no problem is led by it "
                               f"(departments with problems: {'、'.join(known) or 'none'})")
        rows = [fu for fu in rows if fu.department == department]
    if wanted is not None:
        rows = [fu for fu in rows if fu.state is wanted]
    elif not show_all:
        rows = [fu for fu in rows if fu.state.is_open]
    order = {State.OVERDUE: 0, State.NEW: 1, State.NOTIFIED: 1, State.ACKNOWLEDGED: 1, State.IN_PROGRESS: 2,
             State.AWAITING_RECHECK: 3, State.EXPLAINED: 4, State.FIXED: 5}
    rows.sort(key=lambda fu: (order[fu.state], fu.deadline, fu.item, fu.finding_id))
    names = {it.item: it.short_name for it in result.items}
    table = Table(title=f"{result.site_name} 问题整改情况（截至 {today}，依据第{result.run.id}次检查）",
                  title_justify="left")
    for header in ("问题编号", "事项", "责任部门", "首次发现", "整改期限", "状态", "问题"):
        table.add_column(header, overflow="fold")
    for fu in rows:
        table.add_row(fu.finding_id, f"{fu.item} {names.get(fu.item, '')}", visible(fu.department),
                      fu.first_seen.isoformat(), fu.deadline.isoformat(),
                      Text(state_text(fu), style="bold red" if fu.state is State.OVERDUE else ""),
                      visible(fu.message))
    console.print(table)
    if not rows:
        console.print("没有符合条件的问题。", highlight=False)
    pending = scheduled_items(store, result.site)
    if pending:
        console.print(f"待复核事项 scheduled for 复核: 第{'、'.join(map(str, pending))}项"
                      "（`auditor recheck` 重新检查这些事项）", highlight=False)


def show_finding(store: Store, site_ref: str, fid: str, today: date, console: Console, fix_days: int = 10) -> None:
    """`auditor finding show ID`: the problem, its deadline and state, and every change with who and why."""
    result = followed_result(store, site_ref, fix_days)
    everything = site_follow_ups(store, result.site, today)
    fu = follow_ups(store, result.site, result, today, fix_days).get(fid) or everything.get(fid)
    if fu is None:
        raise CommandError(f"问题编号 {fid!r} 不存在（`auditor finding list --all` 列出各问题编号）")
    names = {it.item: it.short_name for it in result.items}
    head = Table.grid(padding=(0, 2))
    head.add_row("问题编号", fu.finding_id)
    head.add_row("事项", f"{fu.item} {names.get(fu.item, '')}")
    head.add_row("责任部门", visible(fu.department))
    head.add_row("问题", visible(fu.message or "（本次检查未再发现）"))
    if fu.url:
        head.add_row("证据网址", visible(fu.url))
    head.add_row("首次发现", f"{fu.first_seen}（第{fu.first_seen_run}次检查）")
    head.add_row("整改期限", fu.deadline.isoformat())
    head.add_row("状态", Text(state_text(fu), style="bold red" if fu.state is State.OVERDUE else "bold"))
    answer = fu.answer
    if answer is not None:
        head.add_row("整改措施", visible(answer.measures or "—"))
        head.add_row("责任人", visible(answer.responsible or "—"))
        head.add_row("计划完成时间", answer.planned.isoformat() if answer.planned else "—")
    if fu.item in scheduled_items(store, result.site):
        head.add_row("复核", "已安排，下次 `auditor recheck` 或完整检查时重新检查")
    console.print(head)
    history = Table(title="变更记录", title_justify="left")
    for header in ("时间", "操作人", "状态", "说明", "有效期至", "来源"):
        history.add_column(header, overflow="fold")
    for c in fu.history:
        history.add_row(c.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"), visible(c.author), c.state.value,
                        visible(c.note), c.until.isoformat() if c.until else "", visible(c.source))
    if not fu.history:
        history.add_row("—", "—", State.NEW.value, "尚无任何变更", "", "")
    console.print(history)


def move_finding(store: Store, site_ref: str, fid: str, to: State, *, by: str, today: date, console: Console,
                 note: str = "", until: date | None = None, fix_days: int = 10) -> None:
    """`auditor finding ack|progress|fixed|explain`: one change, refused with the reason when its state
    does not allow it."""
    result = followed_result(store, site_ref, fix_days)
    try:
        fu = change_state(store, result.site, fid, to, author=by, today=today, note=note, until=until)
    except LifecycleError as exc:
        raise CommandError(str(exc)) from None
    console.print(f"{fu.finding_id}: {state_text(fu)}"
                  + ("；已安排复核（`auditor recheck`）" if to is State.AWAITING_RECHECK else ""), highlight=False)
