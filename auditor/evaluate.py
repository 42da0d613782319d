"""The engine: judge every item of a stored run, remember since when each fault exists, save the findings.

Evaluation reads the store and nothing else (no network), so any run can be rejudged with another as-of
date or rule set, and the same evidence and date always give the same findings in the same order.
A site-wide outage (the catalogue pages of nearly every item failed with a site or network fault) is
not a compliance result: the run becomes INCONCLUSIVE and no item or department is scored.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date

from auditor.calendar import today_in_china
from auditor.evidence import (
    ItemEvidence,
    learn_template,
    load_evidence,
    load_site_evidence,
)
from auditor.models import Fault, FetchStatus, Finding, Run, RunState, Verdict, worst
from auditor.nights import load_history
from auditor.results import AuditResult, ItemResult, department_results
from auditor.rules import ALL_RULES, RULES_VERSION, RuleContext
from auditor.rules.presence import DECLARED_ABSENCE, SITE_OUTAGE, CatalogueReachable, NotBlank
from auditor.rules.site import SITE_ITEM, SITE_RULES, HomeEvidence, SiteAvailability, SiteContext
from auditor.store import Store
from checklist.model import Checklist, Item, Site, SiteItem

#: Share of items whose column failed by site fault from which the whole run is inconclusive.
OUTAGE_SHARE = 0.8
#: Presence rules that, failing or inconclusive, leave nothing for the later rules to judge.
GATES = frozenset({CatalogueReachable.id, NotBlank.id})
#: Rules whose message is also the item's note on the scorecard.
NOTE_RULES = (DECLARED_ABSENCE.id, SITE_OUTAGE.id)
#: Fetch results that are not errors: not fetched on purpose (robots.txt, other hosts, crawl bounds).
_NOT_ERRORS = frozenset({FetchStatus.OK, FetchStatus.NOT_MODIFIED, FetchStatus.ROBOTS, FetchStatus.OFFSITE,
                         FetchStatus.BOUNDED, FetchStatus.BLOCKED})


def default_as_of() -> date:
    """Today in Asia/Shanghai: the as-of date when none is given."""
    return today_in_china()


def judged_items(site: Site, checklist: Checklist) -> list[tuple[Item, SiteItem]]:
    """The catalogue's items in the 清单's order (items the 清单 does not know are the loader's concern)."""
    listed = {it.number: it for it in site.items}
    return [(item, listed[item.number]) for item in checklist.items if item.number in listed]


def is_outage(evidence: Sequence[ItemEvidence], site_items: Sequence[SiteItem]) -> bool:
    """Nearly every column failed by site or network fault: nothing can be said about anyone."""
    with_urls = [(ev, si) for ev, si in zip(evidence, site_items, strict=True) if si.urls]
    if len(with_urls) < 2:
        return False  # one failing column is that item's inconclusive verdict, not an outage
    down = sum(
        1 for ev, _ in with_urls
        # a column never fetched (an interrupted crawl) is no evidence that the site is down
        if ev.catalogue and not ev.has_content and all(p.fault is Fault.SITE for p in ev.catalogue)
    )
    return down >= OUTAGE_SHARE * len(with_urls)


def judge(ctx: RuleContext, outage: bool) -> list[Finding]:
    """All findings on one item, in rule order."""
    if outage:
        return [SITE_OUTAGE.check(ctx)]
    absence = DECLARED_ABSENCE.check(ctx)
    if absence is not None and DECLARED_ABSENCE.active(ctx):
        return [absence]
    findings = [absence] if absence is not None else []
    for rule in ALL_RULES:
        found = rule.check(ctx)
        if found is None:
            continue
        findings.append(found)
        if rule.id in GATES and found.status in (Verdict.FAIL, Verdict.INCONCLUSIVE):
            break  # a missing, blank or unreadable column: the other rules have nothing to judge
    return findings


def item_result(item: Item, site_item: SiteItem, findings: Sequence[Finding]) -> ItemResult:
    """An item's status is its worst finding; its note comes from the absence or outage finding."""
    note = next((f.message for f in findings if f.rule in NOTE_RULES), "")
    return ItemResult(
        item=item.number,
        title=item.wording,
        short_name=item.short_name,
        category=item.category,
        category_name=item.category_name,
        departments=site_item.departments,
        url=site_item.urls[0] if site_item.urls else "",
        status=worst([f.status for f in findings]),
        findings=tuple(findings),
        note=note,
    )


def run_stats(store: Store, run_id: int) -> dict[str, int]:
    """The spider's counters, with pages and errors recounted from the evidence while it is kept."""
    stats = dict(store.run_stats(run_id))
    counts = store.page_counts(run_id)
    if counts:
        stats["pages"] = sum(counts.values())
        stats["errors"] = sum(n for status, n in counts.items() if status not in _NOT_ERRORS)
    stats.setdefault("pages", 0)
    stats.setdefault("errors", 0)
    return stats


class _History:
    """Findings of the site's earlier evaluated runs, newest first, read only as far as needed."""

    def __init__(self, store: Store, site: str, run_id: int) -> None:
        self.store = store
        self.runs = [
            r for r in reversed(store.runs(site))
            if r.id < run_id and r.state is RunState.COMPLETE and store.evaluated(r.id)
        ]
        self._cache: dict[int, dict[int, list[Finding]]] = {}

    def __iter__(self) -> Iterator[tuple[Run, dict[int, list[Finding]]]]:
        for run in self.runs:
            if run.id not in self._cache:
                by_item: dict[int, list[Finding]] = {}
                for f in self.store.findings(run.id):
                    by_item.setdefault(f.item, []).append(f)
                self._cache[run.id] = by_item
            yield run, self._cache[run.id]


def _first_seen(finding: Finding, history: _History, run_id: int, as_of: date) -> Finding:
    """Since when this item has had this non-pass finding without interruption.

    Earlier runs that were interrupted or inconclusive are skipped, and so is an earlier run in which
    the rule could not say anything about the item (the finding was inconclusive or absent while the
    item was inconclusive): none of them shows the fault was mended."""
    if finding.status is Verdict.PASS:
        return finding
    problem = finding.status is not Verdict.INCONCLUSIVE
    for run, by_item in history:
        earlier = by_item.get(finding.item, [])
        same = next((f for f in earlier if f.rule == finding.rule), None)
        if same is None:
            if any(f.status is Verdict.INCONCLUSIVE for f in earlier):
                continue
            break
        was_problem = same.status in (Verdict.WARN, Verdict.FAIL)
        if problem and same.status is Verdict.INCONCLUSIVE:
            continue
        if problem != was_problem or same.status is Verdict.PASS:
            break
        return replace(finding, first_seen_run=same.first_seen_run or run.id,
                       first_seen_at=same.first_seen_at or run.as_of)
    return replace(finding, first_seen_run=run_id, first_seen_at=as_of)


def evaluate(store: Store, run_id: int, site: Site, checklist: Checklist, as_of: date) -> AuditResult:
    """Judge run `run_id` of `site` as of `as_of`, save the findings and return the result."""
    run = store.run(run_id)
    if run.site != site.id:
        raise ValueError(f"run {run_id} is of site {run.site!r}, not {site.id!r}")
    pairs = judged_items(site, checklist)
    template = learn_template(store, run_id)
    evidence = [load_evidence(store, run_id, item.number, template) for item, _ in pairs]
    outage = is_outage(evidence, [si for _, si in pairs])
    if outage and run.state is RunState.COMPLETE:
        store.set_run_state(run_id, RunState.INCONCLUSIVE,
                            note="网站整体无法访问（网站或网络故障），本次检查不作判定、不计分")
    history = _History(store, site.id, run_id)
    nights = load_history(store, site.id, run_id, as_of, [item.number for item, _ in pairs], site.host_allowed)
    items: list[ItemResult] = []
    for (item, site_item), ev in zip(pairs, evidence, strict=True):
        ctx = RuleContext(item=item, site_item=site_item, evidence=ev, as_of=as_of,
                          grace_working_days=checklist.publish_within_working_days,
                          nights=nights.item(item.number), nightly=site.nightly)
        findings = [_first_seen(f, history, run_id, as_of) for f in judge(ctx, outage)]
        items.append(item_result(item, site_item, findings))
    site_ctx = SiteContext(
        evidence=load_site_evidence(store, run_id, template), as_of=as_of, policy=site.nightly,
        blank_items=tuple((it.item, it.short_name) for it in items
                          if any(f.rule == NotBlank.id and f.status is Verdict.FAIL for f in it.findings)),
        hosts=nights.hosts,
        home=HomeEvidence(site.university_home, site.home, tuple(store.pages(run_id, SITE_ITEM)),
                          tuple(store.links(run_id, SITE_ITEM))) if site.university_home else None,
    )
    # On a night the whole site was down only availability (a week's record) can be judged.
    site_rules = [r for r in SITE_RULES if not outage or isinstance(r, SiteAvailability)]
    site_findings = [_first_seen(f, history, run_id, as_of) for rule in site_rules if (f := rule.check(site_ctx))]
    store.save_findings(run_id, as_of, [*(f for it in items for f in it.findings), *site_findings])
    return assemble(store, run_id, site, checklist, as_of, tuple(items), tuple(site_findings))


def assemble(store: Store, run_id: int, site: Site, checklist: Checklist, as_of: date,
             items: tuple[ItemResult, ...], site_findings: tuple[Finding, ...] = ()) -> AuditResult:
    """The result around judged items: the run as stored now, departments and statistics."""
    run = store.run(run_id)
    contacts = {d.name: d.contact for d in site.departments}
    return AuditResult(
        site=site.id,
        site_name=site.name,
        run=run,
        as_of=as_of,
        checklist_version=checklist.version,
        items=items,
        departments=department_results(items, contacts, run.state is RunState.COMPLETE),
        rules_version=RULES_VERSION,
        stats=run_stats(store, run_id),
        site_findings=site_findings,
        site_owner=site.site_owner,
    )
