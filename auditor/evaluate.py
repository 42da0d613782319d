"""The engine: judge every item of a stored run, remember since when each fault exists, save the findings.

Evaluation reads the store and nothing else (no network), so any run can be rejudged with another as-of
date or rule set, and the same evidence and date always give the same findings in the same order.
A site-wide outage (the catalogue pages of nearly every item failed with a site or network fault) is
not a compliance result: the run becomes INCONCLUSIVE and no item or department is scored.

Each evaluation is stored beside the run's earlier ones with a snapshot of what its reports show (who
owned each item then, wordings, versions, rules, the score formula), so history is never rewritten. A
partial run (`--items`, a 复核) judges only its items and carries every other item's verdict forward
from the newest complete evaluation before it, marked with the run it comes from, so scores, trends and
the new/fixed lists keep comparing like with like.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date

from auditor import __version__
from auditor.calendar import CHINA, today_in_china
from auditor.evidence import (
    ItemEvidence,
    learn_template,
    load_evidence,
    load_home_evidence,
    load_site_evidence,
)
from auditor.models import SITE_ITEM, Fault, FetchStatus, Finding, Run, RunState, Verdict, worst
from auditor.nights import load_history
from auditor.results import (
    POINTS,
    AuditResult,
    ItemResult,
    department_results,
    score_formula,
)
from auditor.rules import ALL_RULES, EXPLAINED_RULES, RULES_VERSION, RuleContext
from auditor.rules.presence import DECLARED_ABSENCE, SITE_OUTAGE, CatalogueReachable, NotBlank
from auditor.rules.site import SITE_RULES, SiteAvailability, SiteContext
from auditor.snapshot import ItemRecord, RuleInfo, Snapshot
from auditor.store import Store
from checklist.model import Checklist, Department, Item, Site, SiteItem

#: Share of items whose column failed by site fault from which the whole run is inconclusive.
OUTAGE_SHARE = 0.8
#: Presence rules that, failing or inconclusive, leave nothing for the later rules to judge.
GATES = frozenset({CatalogueReachable.id, NotBlank.id})
#: Rules whose message is also the item's note on the scorecard.
NOTE_RULES = (DECLARED_ABSENCE.id, SITE_OUTAGE.id)
#: The note of an item a partial re-check neither judged nor could carry forward.
UNCHECKED_NOTE = "本次复核未包括此事项，之前也没有完整检查结果可以沿用，不作判定"
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


def last_verified(findings: Sequence[Finding], evidence: ItemEvidence) -> list[Finding]:
    """A finding whose page was carried forward, not fetched tonight, says when it was last verified
    (最后核实): the rules saw the same evidence as on that night, and the reader should know its date."""
    carried = {p.url: p.fetched_at.astimezone(CHINA).date() for p in evidence.pages
               if p.carried and p.fetched_at is not None}
    return [replace(f, evidence={**f.evidence, "verified": carried[f.url].isoformat()}) if f.url in carried else f
            for f in findings]


def judge(ctx: RuleContext, outage: bool) -> list[Finding]:
    """All findings on one item, in rule order."""
    if outage:
        return [SITE_OUTAGE.check(ctx)]
    absence = DECLARED_ABSENCE.check(ctx)
    if absence is not None and DECLARED_ABSENCE.active(ctx):
        return [absence]
    findings = [absence] if absence is not None else []
    closed = False  # a missing, blank or unreadable column: the other rules have nothing to judge
    for rule in ALL_RULES:
        if closed and not rule.judges_missing_column:
            continue
        found = rule.check(ctx)
        if found is None:
            continue
        findings.append(found)
        if rule.id in GATES and found.status in (Verdict.FAIL, Verdict.INCONCLUSIVE):
            closed = True
    return findings


def item_record(item: Item, site_item: SiteItem, *, carried_from_run: int | None = None,
                unchecked: bool = False) -> ItemRecord:
    """The item as the 清单 and the catalogue describe it now, for the snapshot of this evaluation."""
    return ItemRecord(item=item.number, title=item.wording, short_name=item.short_name, category=item.category,
                      category_name=item.category_name, departments=site_item.departments,
                      url=site_item.urls[0] if site_item.urls else "", carried_from_run=carried_from_run,
                      unchecked=unchecked)


def record_result(record: ItemRecord, findings: Sequence[Finding]) -> ItemResult:
    """An item's status is its worst finding; its note comes from the absence or outage finding."""
    note = next((f.message for f in findings if f.rule in NOTE_RULES), "")
    return ItemResult(
        item=record.item,
        title=record.title,
        short_name=record.short_name,
        category=record.category,
        category_name=record.category_name,
        departments=record.departments,
        url=record.url,
        status=Verdict.INCONCLUSIVE if record.unchecked else worst([f.status for f in findings]),
        findings=tuple(findings),
        note=UNCHECKED_NOTE if record.unchecked else note,
        carried_from_run=record.carried_from_run,
    )


def item_result(item: Item, site_item: SiteItem, findings: Sequence[Finding]) -> ItemResult:
    """The result of an item judged against the catalogue as it is now."""
    return record_result(item_record(item, site_item), findings)


def take_snapshot(site: Site, checklist: Checklist, records: Sequence[ItemRecord], *,
                  catalogue_version: str, rechecked: Sequence[int] = (), migrated: bool = False,
                  vetoes: Sequence[Finding] | None = None) -> Snapshot:
    """What this evaluation's reports will show for as long as the run is kept (`vetoes`: its findings
    that are 单项否决; None for a run judged before vetoes were kept)."""
    formula, formula_en = score_formula(site.nightly.gone_nights_veto, site.nightly.blank_columns_veto)
    return Snapshot(
        site_name=site.name,
        checklist_version=checklist.version,
        catalogue_version=catalogue_version,
        rules_version=RULES_VERSION,
        score_formula=formula,
        score_formula_en=formula_en,
        points=dict(POINTS),
        contacts={d.name: d.contact for d in site.departments},
        items=tuple(records),
        rules=tuple(RuleInfo(id=r.id, kind=r.kind, severity=r.severity, explanation=r.explanation(), veto=r.veto)
                    for r in (*EXPLAINED_RULES, *SITE_RULES)),
        rechecked=tuple(sorted(rechecked)),
        migrated=migrated,
        site_owner=(site.site_owner.name, site.site_owner.contact) if site.site_owner else None,
        vetoes=None if vetoes is None else tuple((f.item, f.rule) for f in vetoes if f.veto),
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
        if not earlier:
            continue  # a partial run that neither judged nor carried the item says nothing either way
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


@dataclass(frozen=True)
class _Carried:
    """An item's verdict from the newest complete evaluation, and the run that judged it."""

    origin: int
    findings: tuple[Finding, ...]


def carried_verdicts(store: Store, site: str, run_id: int) -> dict[int, _Carried]:
    """What a partial run carries forward: per item, the findings of the newest complete evaluation
    before it (an item that evaluation itself carried keeps the run it first came from)."""
    source = next(
        (r for r in reversed(store.runs(site))
         if r.id < run_id and r.state is RunState.COMPLETE and store.evaluated(r.id)),
        None,
    )
    if source is None:
        return {}
    chosen = store.evaluation(source.id)
    assert chosen is not None
    snapshot = Snapshot.from_json(chosen.snapshot) if chosen.snapshot else None
    by_item: dict[int, list[Finding]] = {}
    stored = store.findings(source.id, chosen.id)
    for f in snapshot.mark_vetoes(stored) if snapshot else stored:
        by_item.setdefault(f.item, []).append(f)
    carried: dict[int, _Carried] = {}
    for number, findings in by_item.items():
        if number == SITE_ITEM:
            continue
        record = snapshot.item(number) if snapshot else None
        if snapshot is not None and (record is None or record.unchecked):
            continue
        origin = record.carried_from_run if record and record.carried_from_run else source.id
        carried[number] = _Carried(origin, tuple(findings))
    return carried


def evaluate(store: Store, run_id: int, site: Site, checklist: Checklist, as_of: date) -> AuditResult:
    """Judge run `run_id` of `site` as of `as_of`, store it as a new evaluation and return the result.

    A partial run judges only the items it crawled; the others are carried forward (see the module)."""
    run = store.run(run_id)
    if run.site != site.id:
        raise ValueError(f"run {run_id} is of site {run.site!r}, not {site.id!r}")
    pairs = judged_items(site, checklist)
    scope = set(run.items)
    judged = [(item, si) for item, si in pairs if not scope or item.number in scope]
    template = learn_template(store, run_id)
    evidence = {item.number: load_evidence(store, run_id, item.number, template) for item, _ in judged}
    outage = is_outage([evidence[item.number] for item, _ in judged], [si for _, si in judged])
    if outage and run.state is RunState.COMPLETE:
        store.set_run_state(run_id, RunState.INCONCLUSIVE,
                            note="网站整体无法访问（网站或网络故障），本次检查不作判定、不计分")
    carried = carried_verdicts(store, site.id, run_id) if scope else {}
    history = _History(store, site.id, run_id)
    nights = load_history(store, site.id, run_id, as_of, [item.number for item, _ in pairs], site.host_allowed)
    items: list[ItemResult] = []
    records: list[ItemRecord] = []
    for item, site_item in pairs:
        ev = evidence.get(item.number)
        if ev is not None:
            ctx = RuleContext(item=item, site_item=site_item, evidence=ev, as_of=as_of,
                              grace_working_days=checklist.publish_within_working_days,
                              nights=nights.item(item.number), nightly=site.nightly)
            findings = [_first_seen(f, history, run_id, as_of) for f in last_verified(judge(ctx, outage), ev)]
            record = item_record(item, site_item)
        elif (kept := carried.get(item.number)) is not None:
            findings = list(kept.findings)
            record = item_record(item, site_item, carried_from_run=kept.origin)
        else:
            findings = []
            record = item_record(item, site_item, unchecked=True)
        records.append(record)
        items.append(record_result(record, findings))
    site_ctx = SiteContext(
        evidence=load_site_evidence(store, run_id, template), as_of=as_of, policy=site.nightly,
        blank_items=tuple((it.item, it.short_name) for it in items
                          if any(f.rule == NotBlank.id and f.status is Verdict.FAIL for f in it.findings)),
        hosts=nights.hosts,
        home=load_home_evidence(store, run_id, site.university_home, site.home) if site.university_home else None,
    )
    # On a night the whole site was down only availability (a week's record) can be judged.
    site_rules = [r for r in SITE_RULES if not outage or isinstance(r, SiteAvailability)]
    site_findings = [_first_seen(f, history, run_id, as_of) for rule in site_rules if (f := rule.check(site_ctx))]
    every_finding = [*(f for it in items for f in it.findings), *site_findings]
    snapshot = take_snapshot(site, checklist, records, catalogue_version=run.catalogue_version,
                             rechecked=sorted(scope), vetoes=every_finding)
    evaluation_id = store.save_findings(
        run_id, as_of, every_finding,
        snapshot=snapshot.to_json(), rules_version=RULES_VERSION, tool_version=__version__,
    )
    return assemble(store, run_id, snapshot, as_of, tuple(items), tuple(site_findings), evaluation_id)


def assemble(store: Store, run_id: int, snapshot: Snapshot, as_of: date, items: tuple[ItemResult, ...],
             site_findings: tuple[Finding, ...] = (), evaluation_id: int | None = None) -> AuditResult:
    """The result around judged items, as the snapshot says: the run as stored, departments, statistics."""
    run = store.run(run_id)
    return AuditResult(
        site=run.site,
        site_name=snapshot.site_name,
        run=run,
        as_of=as_of,
        checklist_version=snapshot.checklist_version,
        items=items,
        departments=department_results(items, snapshot.contacts, run.state is RunState.COMPLETE,
                                       snapshot.points),
        rules_version=snapshot.rules_version,
        stats=run_stats(store, run_id),
        site_findings=site_findings,
        site_owner=Department(*snapshot.site_owner) if snapshot.site_owner else None,
        score_formula=snapshot.score_formula,
        score_formula_en=snapshot.score_formula_en,
        points=dict(snapshot.points),
        rules=snapshot.rules,
        evaluation_id=evaluation_id,
        rechecked=snapshot.rechecked,
        migrated=snapshot.migrated,
    )
