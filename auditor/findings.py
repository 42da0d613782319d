"""The findings contract: `xxgk-audit/findings@1`, the JSON every report, dashboard and mail reads.

The engine's `AuditResult` is serialised here and nowhere else; `reports/schema/findings.schema.json`
describes the file and `docs/findings.md` explains it. Reports rebuild a result from the stored findings
with `load_result`, so they never re-judge and always show what the engine decided.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditor.atomic import atomic_write
from auditor.evaluate import assemble, item_record, judged_items, record_result, take_snapshot
from auditor.models import Finding, Verdict
from auditor.results import SCHEMA, AuditResult, ItemResult
from auditor.rules.site import SITE_ITEM
from auditor.snapshot import Snapshot
from auditor.store import Evaluation, Store
from checklist.model import Checklist, Site

FILENAME = "findings.json"


def _counts(counts: dict[Verdict, int]) -> dict[str, int]:
    return {v.value: counts.get(v, 0) for v in Verdict}


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "kind": f.kind.value,
        "rule": f.rule,
        "status": f.status.value,
        "message": f.message,
        "url": f.url,
        "evidence": dict(sorted(f.evidence.items())),
        "first_seen_run": f.first_seen_run,
        "first_seen_at": f.first_seen_at.isoformat() if f.first_seen_at else None,
        "veto": f.veto,
    }


def _item(it: ItemResult) -> dict[str, Any]:
    return {
        "item": it.item,
        "title": it.title,
        "short_name": it.short_name,
        "category": it.category,
        "category_name": it.category_name,
        "departments": list(it.departments),
        "url": it.url,
        "status": it.status.value,
        "note": it.note,
        "carried_from_run": it.carried_from_run,
        "veto": bool(it.vetoes),
        "findings": [_finding(f) for f in it.findings],
    }


def to_json(result: AuditResult) -> dict[str, Any]:
    """The result as the `xxgk-audit/findings@1` document (plain JSON types, stable key order)."""
    run = result.run
    return {
        "schema": SCHEMA,
        "site": result.site,
        "site_name": result.site_name,
        "run_id": run.id,
        "as_of": result.as_of.isoformat(),
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "state": run.state.value,
        "state_note": run.note,
        "checklist": result.checklist_version,
        "catalogue_version": run.catalogue_version,
        "tool_version": run.tool_version,
        "rules_version": result.rules_version,
        "evaluation_id": result.evaluation_id,
        "rechecked": list(result.rechecked),
        "migrated": result.migrated,
        "score_formula": result.score_formula,
        "score_formula_en": result.score_formula_en,
        "points": {v.value: p for v, p in result.points.items()},
        "rules": [
            {"id": r.id, "kind": r.kind.value, "severity": r.severity.value, "explanation": r.explanation,
             "veto": r.veto}
            for r in result.rules
        ],
        "items": [_item(it) for it in result.items],
        "site_findings": [_finding(f) for f in result.site_findings],
        "site_owner": ({"name": result.site_owner.name, "contact": result.site_owner.contact}
                       if result.site_owner else None),
        "departments": [
            {"name": d.name, "contact": d.contact, "items": list(d.items), "score": d.score,
             "counts": _counts(d.counts), "vetoed": d.vetoed, "veto_items": list(d.veto_items),
             "grade": d.grade}
            for d in result.departments
        ],
        "summary": {
            "items": len(result.items),
            "counts": _counts(result.counts),
            "score": result.overall_score,
            "scored": result.scored,
            "vetoed": result.vetoed,
            "pages": result.stats.get("pages", 0),
            "errors": result.stats.get("errors", 0),
        },
    }


def write_findings(result: AuditResult, out_dir: str | Path) -> Path:
    """Write `out_dir/findings.json` atomically: a reader sees the old file or the new one, never half."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / FILENAME
    with atomic_write(target) as tmp, tmp.open("w", encoding="utf-8") as fh:
        json.dump(to_json(result), fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    return target


def snapshot_of(store: Store, evaluation: Evaluation, site: Site, checklist: Checklist) -> Snapshot:
    """The evaluation's snapshot. An evaluation from before snapshots were kept gets one now, from the
    catalogue in use, marked migrated, and keeps it: from then on a catalogue change cannot reach it."""
    if evaluation.snapshot:
        return Snapshot.from_json(evaluation.snapshot)
    run = store.run(evaluation.run_id)
    records = [item_record(item, site_item) for item, site_item in judged_items(site, checklist)]
    snapshot = take_snapshot(site, checklist, records, catalogue_version=run.catalogue_version, migrated=True)
    store.set_snapshot(evaluation.id, snapshot.to_json(), migrated=True)
    return snapshot


def snapshot_migrated(store: Store, site: Site, checklist: Checklist) -> int:
    """Freeze every not yet snapshotted evaluation of the site's runs with `site`; returns how many."""
    done = 0
    for run in store.runs(site.id):
        for evaluation in store.evaluations(run.id):
            if not evaluation.snapshot:
                snapshot_of(store, evaluation, site, checklist)
                done += 1
    return done


def load_result(store: Store, run_id: int, site: Site, checklist: Checklist,
                evaluation_id: int | None = None) -> AuditResult:
    """Rebuild an evaluated run's result from its stored findings and snapshot, without judging anything
    again and without reading today's catalogue (`site` and `checklist` only snapshot a run judged
    before snapshots were kept). The newest evaluation unless another is asked for."""
    evaluation = store.evaluation(run_id, evaluation_id)
    if evaluation is None:
        raise ValueError(f"run {run_id} has not been evaluated yet (auditor evaluate)")
    snapshot = snapshot_of(store, evaluation, site, checklist)
    by_item: dict[int, list[Finding]] = {}
    for f in snapshot.mark_vetoes(store.findings(run_id, evaluation.id)):
        by_item.setdefault(f.item, []).append(f)
    items = tuple(record_result(record, by_item.get(record.item, [])) for record in snapshot.items)
    return assemble(store, run_id, snapshot, evaluation.as_of, items, tuple(by_item.get(SITE_ITEM, [])),
                    evaluation.id)
