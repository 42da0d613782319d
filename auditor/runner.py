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
from auditor.config import Config
from auditor.crawling import CrawlRequest, crawl_site
from auditor.evaluate import default_as_of, evaluate
from auditor.exits import CommandError, ExitStatus, worst
from auditor.findings import load_result, write_findings
from auditor.lifecycle import (
    FollowUp,
    LifecycleError,
    State,
    check_answers,
    derived_follow_ups,
    follow_ups,
    import_answers,
    record_notified,
    record_run,
    scheduled_items,
    site_follow_ups,
)
from auditor.lock import AlreadyRunning, RunLock
from auditor.models import Verdict
from auditor.results import AuditResult
from auditor.review import (
    exit_status,
    followed_result,
    load_evaluated,
    open_site,
    print_effects,
    print_summary,
    visible,
)
from auditor.rules.nightly import RULES as NIGHTLY_RULES
from auditor.store import Store
from checklist.model import Checklist, Site
from reports.alerts import send_alert
from reports.annual import AcademicYear, draft_annual
from reports.common import TERMINAL_STYLE
from reports.history import verdict_text
from reports.html import render_dashboard, render_owner_card, render_scorecards
from reports.mail import Security, SmtpSettings, send_scorecards
from reports.xlsx import read_ledgers, write_school_ledger
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


# -- inspect ----------------------------------------------------------------------------------------------

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


# -- the annual section -------------------------------------------------------------------------------------

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


# -- a finding's life: ledger import, 复核 -----------------------------------------------------------------

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
