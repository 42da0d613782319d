"""What a judged run's reports show, frozen when it was judged: the run's own record of the catalogue.

A stored run is history (DESIGN.md): who owned each item then, its wording and short name, the 清单 and
catalogue versions, the rules and their explanations, the score formula, and which findings were
单项否决 (vetoes). `auditor.findings.load_result`
rebuilds every past report from this snapshot, never from today's catalogue, so reassigning an item to
another department next term does not rewrite last term's scorecards. A partial re-check (复核) also
records which items it judged and, for the others, the run whose verdict it carried forward.

Plain data with a JSON form: the store keeps the JSON and knows nothing of its shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from auditor.models import Finding, RuleKind, Verdict

#: Before vetoes were kept with each run, the one veto reports showed was five or more blank columns.
LEGACY_VETO_RULES = frozenset({"site.blank-columns"})


@dataclass(frozen=True)
class ItemRecord:
    """One item as the 清单 and the catalogue described it when the run was judged."""

    item: int
    title: str
    short_name: str
    category: int
    category_name: str
    departments: tuple[str, ...]  # the first leads, the others support (as the catalogue said then)
    url: str
    carried_from_run: int | None = None  # a partial re-check did not judge it: the run its verdict is from
    unchecked: bool = False  # a partial re-check neither judged it nor had a verdict to carry


@dataclass(frozen=True)
class RuleInfo:
    """A rule as it was explained on the scorecards of the run."""

    id: str
    kind: RuleKind
    severity: Verdict
    explanation: str
    veto: bool = False  # some of its failures are 单项否决


@dataclass(frozen=True)
class Snapshot:
    """Everything outside the findings that a run's reports print."""

    site_name: str
    checklist_version: str
    catalogue_version: str
    rules_version: str
    score_formula: str
    score_formula_en: str
    points: dict[Verdict, int]
    contacts: dict[str, str]  # department name → e-mail address
    items: tuple[ItemRecord, ...]
    rules: tuple[RuleInfo, ...]
    rechecked: tuple[int, ...] = ()  # the items a partial re-check judged; () when every item was judged
    migrated: bool = False  # taken from the catalogue in use when an older database was upgraded
    site_owner: tuple[str, str] | None = None  # (name, contact) of the office that runs the site
    # The 单项否决 findings as (item, rule): an item has one finding per rule. None: judged before vetoes
    # were kept, when the only veto shown was the blank-columns one.
    vetoes: tuple[tuple[int, str], ...] | None = None

    def mark_vetoes(self, findings: Iterable[Finding]) -> list[Finding]:
        """The stored findings with their 单项否决 flags as judged (the store keeps them here, with the run)."""
        if self.vetoes is None:
            return [replace(f, veto=f.rule in LEGACY_VETO_RULES and f.status is Verdict.FAIL) for f in findings]
        marked = set(self.vetoes)
        return [replace(f, veto=(f.item, f.rule) in marked) for f in findings]

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "site_name": self.site_name,
            "checklist_version": self.checklist_version,
            "catalogue_version": self.catalogue_version,
            "rules_version": self.rules_version,
            "score_formula": self.score_formula,
            "score_formula_en": self.score_formula_en,
            "points": {v.value: p for v, p in self.points.items()},
            "contacts": self.contacts,
            "items": [
                {"item": r.item, "title": r.title, "short_name": r.short_name, "category": r.category,
                 "category_name": r.category_name, "departments": list(r.departments), "url": r.url,
                 "carried_from_run": r.carried_from_run, "unchecked": r.unchecked}
                for r in self.items
            ],
            "rules": [
                {"id": r.id, "kind": r.kind.value, "severity": r.severity.value, "explanation": r.explanation,
                 "veto": r.veto}
                for r in self.rules
            ],
            "rechecked": list(self.rechecked),
            "migrated": self.migrated,
            "site_owner": list(self.site_owner) if self.site_owner else None,
        }
        if self.vetoes is not None:
            data["vetoes"] = [[item, rule] for item, rule in self.vetoes]
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Snapshot:
        d = json.loads(text)
        return cls(
            site_name=d["site_name"],
            checklist_version=d["checklist_version"],
            catalogue_version=d["catalogue_version"],
            rules_version=d["rules_version"],
            score_formula=d["score_formula"],
            score_formula_en=d["score_formula_en"],
            points={Verdict(k): int(v) for k, v in d["points"].items()},
            contacts=dict(d["contacts"]),
            items=tuple(
                ItemRecord(item=int(r["item"]), title=r["title"], short_name=r["short_name"],
                           category=int(r["category"]), category_name=r["category_name"],
                           departments=tuple(r["departments"]), url=r["url"],
                           carried_from_run=r.get("carried_from_run"), unchecked=bool(r.get("unchecked")))
                for r in d["items"]
            ),
            rules=tuple(
                RuleInfo(id=r["id"], kind=RuleKind(r["kind"]), severity=Verdict(r["severity"]),
                         explanation=r["explanation"],
                         veto=bool(r.get("veto", r["id"] in LEGACY_VETO_RULES and "vetoes" not in d)))
                for r in d["rules"]
            ),
            rechecked=tuple(int(n) for n in d.get("rechecked", ())),
            migrated=bool(d.get("migrated")),
            site_owner=(str(d["site_owner"][0]), str(d["site_owner"][1])) if d.get("site_owner") else None,
            vetoes=tuple((int(i), str(r)) for i, r in d["vetoes"]) if "vetoes" in d else None,
        )

    def item(self, number: int) -> ItemRecord | None:
        return next((r for r in self.items if r.item == number), None)
