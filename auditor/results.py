"""The judged audit as one typed value: per item, per department, summary, and the published score formula.

The rule engine produces an `AuditResult`; the findings JSON (the stable contract) is its serialisation;
every report renders from it and never re-derives a verdict.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from auditor.models import Finding, Run, RunState, Verdict
from auditor.snapshot import RuleInfo
from checklist.model import Department

SCHEMA = "xxgk-audit/findings@1"

#: Points an item earns by its status. Inconclusive items are left out of every score.
POINTS: dict[Verdict, int] = {Verdict.PASS: 100, Verdict.WARN: 60, Verdict.FAIL: 0}

#: Printed beneath every score, so a department can recompute it by hand from its scorecard.
SCORE_FORMULA = (
    "得分 = (合格项数×100 + 警告项数×60 + 不合格项数×0) ÷ 参评项数；"
    "无法判定（网站或网络故障）的事项不参评；牵头与配合部门均按所列事项计分。"
)
SCORE_FORMULA_EN = (
    "score = (100 × pass + 60 × warn + 0 × fail) / (pass + warn + fail); inconclusive items are left out; "
    "every department listed for an item (lead or supporting) is scored on it."
)

def score(statuses: list[Verdict], points: dict[Verdict, int] | None = None) -> float | None:
    """The published formula (with the points a past run was scored by, when given); None when nothing
    could be judged."""
    table = POINTS if points is None else points
    judged = [s for s in statuses if s in table]
    if not judged:
        return None
    return round(sum(table[s] for s in judged) / len(judged), 1)


@dataclass(frozen=True)
class ItemResult:
    item: int
    title: str
    short_name: str
    category: int
    category_name: str
    departments: tuple[str, ...]
    url: str
    status: Verdict
    findings: tuple[Finding, ...]
    note: str = ""  # e.g. a declared justified absence
    carried_from_run: int | None = None  # a partial re-check did not judge it: its verdict is this run's


@dataclass(frozen=True)
class DepartmentResult:
    name: str
    contact: str
    items: tuple[int, ...]
    score: float | None
    counts: dict[Verdict, int]


@dataclass(frozen=True)
class AuditResult:
    site: str
    site_name: str
    run: Run
    as_of: date
    checklist_version: str
    items: tuple[ItemResult, ...]
    departments: tuple[DepartmentResult, ...]
    rules_version: str = "1"
    stats: dict[str, int] = field(default_factory=dict)
    site_findings: tuple[Finding, ...] = ()  # the site's own (furniture links): no department's
    site_owner: Department | None = None  # the office that runs the site: the site findings are its
    # As the run was judged (its snapshot), so a past run's reports never follow today's code or catalogue:
    score_formula: str = SCORE_FORMULA
    score_formula_en: str = SCORE_FORMULA_EN
    points: dict[Verdict, int] = field(default_factory=lambda: dict(POINTS))
    rules: tuple[RuleInfo, ...] = ()
    evaluation_id: int | None = None  # which of the run's evaluations this is (None: not stored)
    rechecked: tuple[int, ...] = ()  # a partial re-check (复核): the items it judged; () = all
    migrated: bool = False  # judged before runs kept their catalogue: snapshot taken at the upgrade

    @property
    def partial(self) -> bool:
        return bool(self.rechecked)

    @property
    def carried_from(self) -> tuple[int, ...]:
        """The earlier runs whose verdicts this partial re-check carried forward."""
        return tuple(sorted({it.carried_from_run for it in self.items if it.carried_from_run is not None}))

    @property
    def scored(self) -> bool:
        """Interrupted or inconclusive runs are shown but never scored."""
        return self.run.state is RunState.COMPLETE

    @property
    def counts(self) -> dict[Verdict, int]:
        c = Counter(i.status for i in self.items)
        return {v: c.get(v, 0) for v in Verdict}

    @property
    def overall_score(self) -> float | None:
        return score([i.status for i in self.items], self.points) if self.scored else None

    def item(self, number: int) -> ItemResult:
        for it in self.items:
            if it.item == number:
                return it
        raise KeyError(number)

    def department(self, name: str) -> DepartmentResult:
        for d in self.departments:
            if d.name == name:
                return d
        raise KeyError(name)


def department_results(items: tuple[ItemResult, ...], contacts: dict[str, str], scored: bool,
                       points: dict[Verdict, int] | None = None) -> tuple[DepartmentResult, ...]:
    """Each department is scored over every item it is listed for (in catalogue order of first mention)."""
    names: list[str] = []
    for it in items:
        for d in it.departments:
            if d not in names:
                names.append(d)
    out = []
    for name in names:
        mine = [it for it in items if name in it.departments]
        c = Counter(it.status for it in mine)
        out.append(
            DepartmentResult(
                name=name,
                contact=contacts.get(name, ""),
                items=tuple(it.item for it in mine),
                score=score([it.status for it in mine], points) if scored else None,
                counts={v: c.get(v, 0) for v in Verdict},
            )
        )
    return tuple(out)
