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
from auditor.evaluate import assemble, item_result, judged_items
from auditor.models import Finding, Verdict
from auditor.results import POINTS, SCHEMA, SCORE_FORMULA, SCORE_FORMULA_EN, AuditResult, ItemResult
from auditor.rules import EXPLAINED_RULES
from auditor.rules.site import SITE_ITEM, SITE_RULES
from auditor.store import Store
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
        "score_formula": SCORE_FORMULA,
        "score_formula_en": SCORE_FORMULA_EN,
        "points": {v.value: p for v, p in POINTS.items()},
        "rules": [
            {"id": r.id, "kind": r.kind.value, "severity": r.severity.value, "explanation": r.explanation()}
            for r in (*EXPLAINED_RULES, *SITE_RULES)
        ],
        "items": [_item(it) for it in result.items],
        "site_findings": [_finding(f) for f in result.site_findings],
        "site_owner": ({"name": result.site_owner.name, "contact": result.site_owner.contact}
                       if result.site_owner else None),
        "departments": [
            {"name": d.name, "contact": d.contact, "items": list(d.items), "score": d.score,
             "counts": _counts(d.counts)}
            for d in result.departments
        ],
        "summary": {
            "items": len(result.items),
            "counts": _counts(result.counts),
            "score": result.overall_score,
            "scored": result.scored,
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


def load_result(store: Store, run_id: int, site: Site, checklist: Checklist) -> AuditResult:
    """Rebuild an evaluated run's result from its stored findings, without judging anything again."""
    run = store.run(run_id)
    if run.as_of is None or not store.evaluated(run_id):
        raise ValueError(f"run {run_id} has not been evaluated yet (auditor evaluate)")
    by_item: dict[int, list[Finding]] = {}
    for f in store.findings(run_id):
        by_item.setdefault(f.item, []).append(f)
    items = tuple(
        item_result(item, site_item, by_item.get(item.number, []))
        for item, site_item in judged_items(site, checklist)
    )
    return assemble(store, run_id, site, checklist, run.as_of, items, tuple(by_item.get(SITE_ITEM, [])))
