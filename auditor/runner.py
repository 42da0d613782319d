"""The whole flow for the command line: crawl → evaluate → report, with progress, summary and exit status.

Library functions the `auditor` commands call; they print with Rich and return exit statuses, so the
CLI stays a thin parser. `run_demo` serves the bundled sample site on loopback and audits it.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import smtplib
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.alerts import due_alert
from auditor.atomic import atomic_write
from auditor.calendar import CHINA
from auditor.config import Config
from auditor.crawling import CrawlRequest, crawl_site, open_site
from auditor.evaluate import default_as_of, evaluate
from auditor.exits import CommandError, ExitStatus, worst
from auditor.findings import load_result, write_findings
from auditor.lifecycle import (
    FollowUp,
    LifecycleError,
    RunEffects,
    State,
    change_state,
    check_answers,
    derived_follow_ups,
    follow_ups,
    import_answers,
    record_notified,
    record_run,
    scheduled_items,
    site_follow_ups,
    track,
)
from auditor.lock import AlreadyRunning, RunLock
from auditor.models import Run, RunState, Verdict
from auditor.results import SCORE_FORMULA, AuditResult
from auditor.rules.nightly import RULES as NIGHTLY_RULES
from auditor.store import Store
from checklist.model import Checklist, Site
from reports.alerts import send_alert
from reports.annual import AcademicYear, draft_annual
from reports.common import SITE_CHECK_NAMES, TERMINAL_STYLE, run_notes
from reports.history import diff, diff_renderable, history_table, verdict_text
from reports.html import render_dashboard, render_owner_card, render_scorecards
from reports.mail import Security, SmtpSettings, send_scorecards
from reports.xlsx import read_ledgers, state_text, write_school_ledger
from samplesite.nightly import NightlyScenario
from samplesite.server import SampleSiteServer
from spiders.crawl import CrawlOutcome, crawl_sites
from spiders.inspect import Inspected

log = logging.getLogger("xxgk")


DEMO_AS_OF = date(2018, 11, 30)
_SPAWN = multiprocessing.get_context("spawn")
#: The demo's 复核: two failing items re-checked a week later, the others carried forward.
DEMO_RECHECK = (6, 12)
DEMO_RECHECK_AS_OF = date(2018, 12, 7)
DEMO_CONFIG = "xxgk-auditor.toml"


def site_of_run(run: Run, site_ref: str | None = None) -> tuple[Site, Checklist]:
    """The catalogue a run is judged and reported against: the one given, else the file the crawl followed
    (when it still exists), else the shipped catalogue of the run's site id."""
    if site_ref:
        return open_site(site_ref)
    if run.catalogue_path and Path(run.catalogue_path).is_file():
        return open_site(run.catalogue_path)
    return open_site(run.site)


# -- evaluate -------------------------------------------------------------------------------------------

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


# -- report -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportPaths:
    out: Path
    findings: Path
    dashboard: Path
    scorecards: list[Path]
    ledger: Path | None = None  # 全校整改台账.xlsx


def render_reports(result: AuditResult, history: list[AuditResult], out: Path, fix_days: int,
                   store: Store | None = None) -> ReportPaths:
    """Every report of the result; with the store, the 整改台账 (each department's and the whole
    school's) show the findings' stored deadlines and states."""
    out.mkdir(parents=True, exist_ok=True)
    findings = write_findings(result, out)
    tracked, fixed = tracked_follow_ups(result, fix_days, store)
    scorecards = render_scorecards(result, history, out, fix_days=fix_days, follow_ups=tracked)
    render_owner_card(result, out)
    dashboard = render_dashboard(result, history, out, tracked, fix_days=fix_days)
    return ReportPaths(out=out, findings=findings, dashboard=dashboard, scorecards=scorecards,
                       ledger=write_school_ledger(result, tracked, out, fixed))


def tracked_follow_ups(result: AuditResult, out_fix_days: int,
                       store: Store | None) -> tuple[dict[str, FollowUp], dict[str, int]]:
    """The result's problems as followed up (stored deadlines and states; derived without a store), and
    per department how many problems were closed up to this run (a past run counts only those)."""
    if store is None:
        return derived_follow_ups(result, out_fix_days), {}
    tracked = follow_ups(store, result.site, result, result.as_of, out_fix_days)
    fixed: dict[str, int] = {}
    for fu in site_follow_ups(store, result.site, result.as_of).values():
        closer = fu.latest
        if fu.state is State.FIXED and closer is not None and (closer.run_id or 0) <= result.run.id:
            fixed[fu.department] = fixed.get(fu.department, 0) + 1
    return tracked, fixed


def smtp_settings(config: Config) -> SmtpSettings:
    smtp = config.smtp
    if not smtp.host or not smtp.sender:
        raise CommandError("e-mail needs [smtp] host and sender in the configuration file")
    try:
        security = Security(smtp.security)
    except ValueError:
        choices = ", ".join(s.value for s in Security)
        raise CommandError(f"[smtp] security {smtp.security!r}: expected one of {choices}") from None
    return SmtpSettings(host=smtp.host, port=smtp.port, security=security, sender=smtp.sender,
                        allow_plain_auth=smtp.allow_plain_auth, user=smtp.user, password=smtp.password)


def alert_operator(db: str, result: AuditResult, config: Config, console: Console) -> None:
    """Tell the operator when the audit has been blind N nights running, and when it recovers. A failure
    to send is reported and logged; it never changes the audit's own exit status."""
    if not config.alerts.operator:
        return
    with Store(db) as store:
        alert = due_alert(store, result.site, result.run.id, config.alerts.after_nights)
    if alert is None:
        return
    try:
        send_alert(alert, config.alerts.operator, smtp_settings(config))
    except (CommandError, OSError, smtplib.SMTPException) as exc:
        log.warning("operator alert not sent: %s", exc)
        console.print(f"运维提醒未发送 operator alert not sent: {exc}", highlight=False)
        return
    log.info("operator alert sent to %s: %s", config.alerts.operator, alert.subject)
    console.print(f"运维提醒 operator alert → {config.alerts.operator}: {alert.subject}", highlight=False)


def send_email(result: AuditResult, paths: ReportPaths, config: Config, console: Console, *,
               db: str | Path | None = None, fix_days: int = 10) -> None:
    """Each department with a contact in the catalogue gets its scorecard; the others are listed. With the
    database, the new problems of each department whose mail actually went out become 已通知."""

    settings = smtp_settings(config)
    report = send_scorecards(result, paths.scorecards, settings)
    console.print(f"邮件 e-mail: 已发送 sent {len(report.sent)}，无联系人 no contact {len(report.skipped)}，"
                  f"失败 failed {len(report.failed)}", highlight=False)
    if db is not None and report.sent:
        with Store(db) as store:
            marked = record_notified(store, result, [s.department for s in report.sent],
                                     author=f"邮件（{settings.sender}）", fix_days=fix_days)
        console.print(f"整改跟踪: {len(marked)} 个问题记为“已通知”", highlight=False)
    for failed in report.failed:
        console.print(Text("  ✗ ") + visible(f"{failed.department} <{failed.to}>: {failed.error}"))


# -- summary ----------------------------------------------------------------------------------------------

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


def print_inspected(page: Inspected, console: Console) -> None:
    """`auditor inspect`: the page as the auditor reads it, in the words of the evidence."""
    x = page.extract
    head = Table.grid(padding=(0, 2))
    head.add_row("网址 url", visible(page.source))
    head.add_row("编码 encoding", page.encoding)
    head.add_row("类型 kind", {"list": "列表 list", "article": "文章 article", "empty": "空白 empty"}.get(
        x.kind.value, x.kind.value))
    head.add_row("标题 title", visible(x.title))
    published = (Text.assemble(x.publish_date.value.isoformat(), "  (", visible(x.publish_date.shown),
                               f"; {x.publish_date.source})") if x.publish_date else Text("—"))
    head.add_row("发布日期 published", published)
    if x.total_pages or x.total_entries:
        head.add_row("分页 pager", f"{x.total_entries or '?'} 条, {x.total_pages or '?'} 页")
    console.print(head)
    if x.entries:
        table = Table(title=f"条目 entries ({len(x.entries)})", title_justify="left")
        table.add_column("#", justify="right")
        table.add_column("日期 date")
        table.add_column("标题 title", overflow="fold")
        table.add_column("网址 url", overflow="fold")
        for i, e in enumerate(x.entries, start=1):
            table.add_row(str(i), e.date.isoformat() if e.date else visible(e.date_shown or "—"), visible(e.title),
                          visible(e.url))
        console.print(table)
    for label, urls in (("下一页 next pages", list(x.next_pages)),
                        ("附件 attachments", [f"{a.name}  {a.url}" for a in (*x.attachments, *x.embedded)]),
                        ("正文链接 content links", [f"{k.text}  {k.url}" for k in x.links])):
        if urls:
            console.print(f"[bold]{label}[/] ({len(urls)})")
            for u in urls:
                console.print(Text("  ") + visible(u))
    if x.furniture:
        console.print(f"[bold]已作为网站公共部分排除 set aside as furniture[/] ({len(x.furniture_links)} links)")
        for block in x.furniture:
            console.print(Text("  ") + visible(block))


# -- run --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditRequest:
    site_ref: str
    db: str
    out: Path
    as_of: date | None = None
    proxy: str | None = None
    polite: bool = True
    obey_robots: bool = True
    items: list[int] | None = None
    quiet: bool = False
    log_file: Path | None = None
    keep: int = 0
    email: bool = False
    fix_days: int = 10
    contact: str = ""
    full: bool = False  # --full: fetch every URL tonight


def run_audit(req: AuditRequest, config: Config, *, console: Console | None = None) -> int:
    """crawl → evaluate → report under the site's lock; returns the exit status."""

    console = console or Console(quiet=req.quiet)
    site, checklist = open_site(req.site_ref)
    _setup_logging(req.log_file)
    try:
        lock = RunLock(req.db, site.id).__enter__()
    except AlreadyRunning as exc:
        raise CommandError(str(exc)) from exc
    try:
        log.info("audit of %s started (db %s)", site.id, req.db)
        outcome = crawl_site(
            CrawlRequest(site=site, db=req.db, proxy=req.proxy, polite=req.polite, obey_robots=req.obey_robots,
                         items=req.items, contact=req.contact, quiet=req.quiet, full=req.full,
                         rotation_nights=config.crawl.rotation_nights),
            console,
        )
        with Store(req.db) as store:
            result = evaluate(store, outcome.run_id, site, checklist, req.as_of or default_as_of())
            effects = record_run(store, result, req.fix_days)
            history = _history(store, result, site, checklist)
            paths = render_reports(result, history, req.out, req.fix_days, store)
            if req.keep:
                store.prune(site.id, req.keep)
        print_summary(result, console)
        print_effects(effects, console)
        console.print(f"报告 reports: {paths.out}/  ·  看板 dashboard: {paths.dashboard}  ·  "
                      f"整改台账 ledger: {paths.ledger}", highlight=False)
        if req.email and result.scored:
            send_email(result, paths, config, console, db=req.db, fix_days=req.fix_days)
        alert_operator(req.db, result, config, console)
        code = exit_status(result)
        log.info("audit of %s finished: run %s, %s, exit %s", site.id, result.run.id, result.run.state, code)
        return code
    finally:
        lock.__exit__(None, None, None)


@dataclass(frozen=True)
class SiteNight:
    """One site of a night of several: a line of the closing summary."""

    ref: str  # as the operator gave it (an id or a catalogue file)
    code: int
    name: str = ""
    site_id: str = ""
    run_id: int | None = None
    score: float | None = None
    counts: dict[Verdict, int] | None = None
    out: Path | None = None
    error: str = ""  # why the site was not audited (its catalogue, its lock)


def run_audits(refs: list[str], req: AuditRequest, config: Config, *, console: Console | None = None) -> int:
    """Several universities in one night, one process: every catalogue opened (a broken one is reported
    with its file and line, and the others still run), every site locked, all crawled concurrently (each at
    its own catalogue's pace), then each judged and reported into `out/<site id>/`. Returns the worst
    site's exit status; the closing summary lists every site."""
    console = console or Console(quiet=req.quiet)
    _setup_logging(req.log_file)
    nights: list[SiteNight] = []
    opened: list[tuple[str, Site, Checklist]] = []
    seen: dict[str, str] = {}
    for ref in refs:
        try:
            site, checklist = open_site(ref)
        except CommandError as exc:
            nights.append(SiteNight(ref=ref, code=ExitStatus.USAGE, error=str(exc)))
            continue
        if site.id in seen:
            nights.append(SiteNight(ref=ref, code=ExitStatus.USAGE, name=site.name, site_id=site.id,
                                    error=f"与 {seen[site.id]} 是同一个站点（id {site.id}），本次只检查一次"))
            continue
        seen[site.id] = ref
        opened.append((ref, site, checklist))
    with _locks(req.db, [site for _, site, _ in opened]) as refused:
        for site_id, message in refused.items():
            ref = seen[site_id]
            nights.append(SiteNight(ref=ref, code=ExitStatus.USAGE, site_id=site_id, error=message))
        crawled = [(ref, site, checklist) for ref, site, checklist in opened if site.id not in refused]
        if crawled:
            console.print(f"抓取 crawling {len(crawled)} 个站点 sites: "
                          + "、".join(site.name for _, site, _ in crawled), highlight=False)
            log.info("audit of %s started (db %s)", ", ".join(s.id for _, s, _ in crawled), req.db)
            outcomes = crawl_sites([site for _, site, _ in crawled], req.db, item_numbers=req.items,
                                   proxy=req.proxy, polite=req.polite, obey_robots=req.obey_robots,
                                   contact=req.contact,
                                   extra_settings={"XXGK_FULL": req.full,
                                                   "XXGK_ROTATION_NIGHTS": config.crawl.rotation_nights})
            for (ref, site, checklist), outcome in zip(crawled, outcomes, strict=True):
                nights.append(_judge_night(ref, site, checklist, outcome, req, config, console))
    order = {ref: i for i, ref in enumerate(refs)}
    nights.sort(key=lambda n: order.get(n.ref, len(order)))
    print_nights(nights, console)
    code = worst([n.code for n in nights])
    log.info("night of %d sites finished: exit %s", len(nights), int(code))
    return code


@contextmanager
def _locks(db: str, sites: list[Site]) -> Iterator[dict[str, str]]:
    """Each site's run lock (one site of one database at a time, across processes); yields the sites whose
    lock another audit holds, with its message. Two sites of this process never block each other."""
    held: list[RunLock] = []
    refused: dict[str, str] = {}
    try:
        for site in sites:
            lock = RunLock(db, site.id)
            try:
                held.append(lock.__enter__())
            except AlreadyRunning as exc:
                refused[site.id] = str(exc)
        yield refused
    finally:
        for lock in held:
            lock.__exit__(None, None, None)


def _judge_night(ref: str, site: Site, checklist: Checklist, outcome: CrawlOutcome, req: AuditRequest,
                 config: Config, console: Console) -> SiteNight:
    """Judge and report one site of the night into its own folder."""
    out = req.out / site.id
    try:
        with Store(req.db) as store:
            result = evaluate(store, outcome.run_id, site, checklist, req.as_of or default_as_of())
            effects = record_run(store, result, req.fix_days)
            history = _history(store, result, site, checklist)
            paths = render_reports(result, history, out, req.fix_days, store)
            if req.keep:
                store.prune(site.id, req.keep)
    except CommandError as exc:
        return SiteNight(ref=ref, code=exc.status, name=site.name, site_id=site.id, run_id=outcome.run_id,
                         error=str(exc))
    console.print(Text(f"{site.name}: ") + Text(f"报告 reports {paths.out}/", style="dim"))
    print_effects(effects, console)
    if req.email and result.scored:
        send_email(result, paths, config, console, db=req.db, fix_days=req.fix_days)
    alert_operator(req.db, result, config, console)
    code = exit_status(result)
    log.info("audit of %s finished: run %s, %s, exit %s", site.id, result.run.id, result.run.state, code)
    return SiteNight(ref=ref, code=code, name=site.name, site_id=site.id, run_id=result.run.id,
                     score=result.overall_score if result.scored else None, counts=dict(result.counts), out=paths.out)


def print_nights(nights: list[SiteNight], console: Console) -> None:
    """The closing summary of a night of several sites: one row each, with what its exit status means; the
    sites not audited first, each with its reason on a line of its own (a catalogue's file:line: message)."""
    for n in nights:
        if n.error:
            console.print(Text("未检查 not audited: ", style="bold red") + visible(f"{n.ref}: {n.error}"))
    table = Table(title=f"本次共检查 {len(nights)} 个站点 sites audited", title_justify="left")
    table.add_column("站点 site", overflow="fold")
    table.add_column("run", justify="right")
    table.add_column("得分 score", justify="right")
    for v in Verdict:
        table.add_column(v.label, justify="right", style=TERMINAL_STYLE[v])
    table.add_column("退出码 exit", justify="right")
    table.add_column("说明 meaning", overflow="fold", ratio=2)
    for n in nights:
        status = ExitStatus(n.code)
        counts = [str(n.counts[v]) for v in Verdict] if n.counts else ["—"] * len(Verdict)
        site = f"{n.name}（{n.site_id}）" if n.name else n.ref
        table.add_row(visible(site), str(n.run_id) if n.run_id is not None else "—",
                      "—" if n.score is None else f"{n.score:.1f}", *counts, str(int(status)),
                      status.meaning)
    console.print(table)


def _history(store: Store, result: AuditResult, site: Site, checklist: Checklist) -> list[AuditResult]:

    return [
        load_result(store, r.id, site, checklist)
        for r in store.runs(site.id)
        if r.id < result.run.id and store.evaluated(r.id)
    ]


def _setup_logging(log_file: Path | None) -> None:
    if log_file is None:
        return
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("xxgk", "scrapy"):
        logging.getLogger(name).addHandler(handler)
    logging.getLogger("xxgk").setLevel(logging.INFO)


# -- demo -------------------------------------------------------------------------------------------------

@contextmanager
def _env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_demo(out: Path, config: Config, nights: int = 1) -> int:
    """Serve the bundled sample site on loopback, audit it as of 2018-11-30 into `out`, re-check two items
    a week later (a 复核, into `out/recheck`), and leave a configuration file pointing at the demo's
    database, so the README's history, diff, report and annual examples work offline as printed. With
    `nights` > 1, audit it once a night up to that day while the site changes (samplesite/nightly.py),
    then show what only the nightly audit found."""
    if nights > 1:
        return _run_demo_nights(out, config, nights)

    console = Console()
    out.mkdir(parents=True, exist_ok=True)
    db = str(out / "demo.sqlite")
    for stale in Path(out).glob("demo.sqlite*"):
        stale.unlink()
    with SampleSiteServer() as server:
        console.print(
            f"示例 demo: 内置样例站点（模拟 xxgk.ustb.edu.cn 的50个栏目）在 {server.proxy_url} 上运行；"
            f"按 {DEMO_AS_OF} 检查。", highlight=False,
        )
        code = run_audit(
            AuditRequest(site_ref="ustb", db=db, out=out, as_of=DEMO_AS_OF, proxy=server.proxy_url, polite=False),
            config,
            console=console,
        )
        if code in (ExitStatus.OK, ExitStatus.FAIL):
            console.print(f"\n复核 re-check: 第{'、'.join(map(str, DEMO_RECHECK))}项，按 {DEMO_RECHECK_AS_OF} 重新检查，"
                          "其余事项沿用上一次结果。", highlight=False)
            # Scrapy's reactor starts once per process: the second crawl is a command of its own, as under cron.
            subprocess.run(
                [sys.executable, "-m", "auditor", *(["--config", config.source] if config.source else []), "run",
                 "--site", "ustb", "--db", db, "--out", str(out / "recheck"), "--as-of", DEMO_RECHECK_AS_OF.isoformat(),
                 "--items", ",".join(map(str, DEMO_RECHECK)), "--proxy", server.proxy_url, "--no-polite"],
                check=False,
            )
    settings = write_demo_config(out)
    console.print(f"\n打开看板 open the dashboard: [bold]{(out / 'index.html').resolve()}[/]", highlight=False)
    console.print(f"演示配置 demo configuration: {settings}  —  export XXGK_CONFIG={settings}  "
                  "then `auditor history`, `auditor diff 1 2` …", highlight=False)
    # The sample site fails items on purpose: a demo that ran to the end has succeeded.
    return ExitStatus.OK if code in (ExitStatus.OK, ExitStatus.FAIL) else code


def _run_demo_nights(out: Path, config: Config, nights: int) -> int:
    console = Console()
    out.mkdir(parents=True, exist_ok=True)
    db = str(out / "demo.sqlite")
    for stale in Path(out).glob("demo.sqlite*"):
        stale.unlink()
    scenario = NightlyScenario(nights=nights)
    code: int = ExitStatus.OK
    with SampleSiteServer(scenario=scenario) as server:
        console.print(f"示例 demo: 内置样例站点在 {server.proxy_url} 上运行；连续检查{nights}晚，"
                      f"至 {DEMO_AS_OF}（其间网站内容有变化）。", highlight=False)
        for night in range(nights):
            scenario.night = night
            as_of = DEMO_AS_OF - timedelta(days=nights - 1 - night)
            last = night == nights - 1
            if not last:
                console.print(f"  第{night + 1}晚 night {night + 1}: {as_of}", highlight=False)
            # Scrapy's reactor runs once per process: each night is a process of its own, as under cron.
            night_run = _SPAWN.Process(target=_demo_night, args=(db, out, as_of, server.proxy_url, config, last))
            night_run.start()
            night_run.join()
            code = night_run.exitcode if night_run.exitcode is not None else ExitStatus.INTERRUPTED
    with Store(db) as store:
        result, _ = load_evaluated(store, None)
    print_nightly(result, console)
    console.print(f"\n打开看板 open the dashboard: [bold]{(out / 'index.html').resolve()}[/]", highlight=False)
    return ExitStatus.OK if code in (ExitStatus.OK, ExitStatus.FAIL) else code


def _demo_night(db: str, out: Path, as_of: date, proxy: str, config: Config, last: bool) -> None:
    """One night of `auditor demo --nights`, in its own process; only the last night speaks."""
    console = Console(quiet=not last)
    sys.exit(run_audit(AuditRequest(site_ref="ustb", db=db, out=out, as_of=as_of, proxy=proxy, polite=False,
                                    quiet=not last), config, console=console))


def print_nightly(result: AuditResult, console: Console) -> None:
    """What only a nightly audit finds: the rules that compare nights, and the site's own requirements."""
    nightly_ids = {r.id for r in NIGHTLY_RULES}
    rows = [(str(it.item), it.short_name, f) for it in result.items for f in it.findings if f.rule in nightly_ids]
    owner = result.site_owner.name if result.site_owner else "网站管理部门"
    rows += [("—", owner, f) for f in result.site_findings if f.rule != "site.furniture-links"]
    if not rows:
        return
    table = Table(title="逐夜检查才能发现的问题 found only by auditing night after night", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("事项 item / 负责 owner")
    table.add_column("规则 rule")
    table.add_column("结果")
    table.add_column("说明 finding", overflow="fold", ratio=3)
    for number, name, f in rows:
        table.add_row(number, name, f.rule, verdict_text(f.status), Text(f.message))
    console.print(table)


def write_demo_config(out: Path) -> Path:
    """`out/xxgk-auditor.toml`: the demo's database and report folder, absolute, so it works from anywhere."""
    path = out / DEMO_CONFIG
    folder = out.resolve()
    text = (
        "# Written by `auditor demo`: the demo's own database and reports.\n"
        f"# Use it with `auditor --config {path} history`, or `export XXGK_CONFIG={path}`.\n"
        f"[store]\npath = {json.dumps(str(folder / 'demo.sqlite'), ensure_ascii=False)}\n\n"
        f"[output]\ndir = {json.dumps(str(folder), ensure_ascii=False)}\n\n"
        '[crawl]\nsite = "ustb"\n'
    )
    with atomic_write(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


# -- history ----------------------------------------------------------------------------------------------

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


def academic_year(year: str) -> AcademicYear:
    """--year as an academic year, or the one line saying how to write it."""
    try:
        return AcademicYear.parse(year)
    except ValueError:
        raise CommandError(f"--year {year!r}: expected an academic year such as 2017-2018 "
                           "(1 Sep 2017 – 31 Aug 2018)") from None


def draft_annual_section(store: Store, year: str, site_ref: str, out: Path, console: Console) -> None:
    academic = academic_year(year)
    site, checklist = open_site(site_ref)
    results = [load_result(store, r.id, site, checklist) for r in store.runs(site.id) if store.evaluated(r.id)]
    if not any(r.as_of in academic for r in results):
        # A section saying "no audit took place" would be false when the audits are filed under another year.
        years = sorted({str(AcademicYear.of(r.as_of)) for r in results})
        raise CommandError(f"no evaluated run of {site.id} in {store.path} is dated in {academic} "
                           f"({academic.start} – {academic.end}); "
                           + (f"years with runs: {', '.join(years)}" if years else "run `auditor run` first"))
    # The year's problems as the record stands now; 逾期 counted at the year's last audit.
    last = max(r.as_of for r in results if r.as_of in academic)
    docx_path, md_path = draft_annual(results, year, site.name, out,
                                      follow_ups=site_follow_ups(store, site.id, last))
    console.print(f"年度报告检查部分 annual section: {docx_path}  {md_path}", highlight=False)


# -- a finding's life: follow-up, ledger import, 复核 -------------------------------------------------------

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


def import_ledger_files(store: Store, site_ref: str, files: list[Path], *, by: str, today: date,
                        console: Console, fix_days: int = 10) -> None:
    """`auditor ledger import`: read every file, check every answer, then record them all in one
    transaction; any refusal lists every problem (file, sheet, cell: reason) and records nothing."""
    result = followed_result(store, site_ref, fix_days)
    answers, errors = read_ledgers(files)
    errors += check_answers(store, result.site, answers, today)
    first: dict[str, str] = {}
    for a in answers:
        other = first.setdefault(a.finding_id, a.key)
        if other != a.key:
            errors.append(f"{a.cell('id')}: 问题 {a.finding_id} 在所导入的台账中有两种不同的答复，请只保留一种")
    if errors:
        raise CommandError(f"整改台账未导入（共{len(errors)}处问题，数据库未作任何更改）：\n" + "\n".join(errors))
    try:
        outcome = import_answers(store, result.site, answers, author=by, today=today,
                                 source="整改台账 " + "、".join(p.name for p in files))
    except LifecycleError as exc:
        raise CommandError(str(exc)) from None
    console.print(f"整改台账已导入: {len(outcome.changed)} 个问题更新，{len(outcome.repeated)} 条此前已导入（未重复记录），"
                  f"{len(outcome.closed)} 条所答问题已整改关闭（无需处理）", highlight=False)
    if outcome.rechecks:
        console.print(f"已安排复核: 第{'、'.join(map(str, outcome.rechecks))}项（`auditor recheck` 重新检查）",
                      highlight=False)


def recheck_items(store: Store, site_ref: str) -> list[int]:
    """The items a `auditor recheck` re-checks: those scheduled; none is a user mistake (exit 2)."""
    site, _ = open_site(site_ref)
    items = scheduled_items(store, site.id)
    if not items:
        raise CommandError(f"no item of {site.id!r} is waiting for a 复核 (an item is scheduled when a department "
                           "reports a finding fixed: `auditor finding fixed ID` or `auditor ledger import`)")
    return items
