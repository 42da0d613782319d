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

#: The 单项否决 (veto) rule, printed beside the formula: what a veto does to a score (nothing) and to the
#: grade (不合格 whatever the score). The numbers are the site's policy, frozen with each run.
VETO_RULE = (
    "单项否决：公开完整的身份证号或银行卡号、栏目地址连续{gone}晚返回404/410（页面不存在）的事项，其牵头部门"
    "得分照常计算，但不论得分多少均评定为“不合格（单项否决）”；出现任何单项否决问题（含空白栏目达到{blank}个），"
    "网站总体评定为不合格。"
)
VETO_RULE_EN = (
    "veto (单项否决): an item publishing a full ID or bank-card number, or whose column answered 404/410 on {gone} "
    "consecutive nights, grades its lead department 不合格 whatever its score (the score itself is computed as "
    "usual); any veto (including {blank} or more blank columns) grades the whole site 不合格."
)
VETO_GRADE = "不合格（单项否决）"


def score_formula(gone_nights: int = 3, blank_columns: int = 5) -> tuple[str, str]:
    """The formula as printed on every report, with the veto rule and the site's thresholds (Chinese,
    English)."""
    return (SCORE_FORMULA + VETO_RULE.format(gone=gone_nights, blank=blank_columns),
            SCORE_FORMULA_EN + " " + VETO_RULE_EN.format(gone=gone_nights, blank=blank_columns))


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

    @property
    def vetoes(self) -> tuple[Finding, ...]:
        """Its 单项否决 findings: they grade its lead department 不合格."""
        return tuple(f for f in self.findings if f.veto)

    @property
    def lead(self) -> str:
        return self.departments[0] if self.departments else ""


@dataclass(frozen=True)
class DepartmentResult:
    name: str
    contact: str
    items: tuple[int, ...]
    score: float | None
    counts: dict[Verdict, int]
    veto_items: tuple[int, ...] = ()  # items it leads that have a 单项否决 finding: graded 不合格 for them

    @property
    def vetoed(self) -> bool:
        return bool(self.veto_items)

    @property
    def grade(self) -> str:
        """The word beside the score: a veto fails the department whatever its score; otherwise none."""
        return VETO_GRADE if self.vetoed else ""


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
    def veto_findings(self) -> tuple[Finding, ...]:
        """Every 单项否决 finding, the items' in item order, then the site's."""
        return tuple(f for it in self.items for f in it.vetoes) + tuple(f for f in self.site_findings if f.veto)

    @property
    def vetoed(self) -> bool:
        """Any veto grades the whole site 不合格, whatever its score (runs that are not scored are not graded)."""
        return self.scored and bool(self.veto_findings)

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
    """Each department is scored over every item it is listed for (in catalogue order of first mention),
    and graded 不合格 by a veto on an item it leads (never on one it only supports)."""
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
                # The lead answers for a veto: a supporting department did not publish the column.
                veto_items=tuple(it.item for it in mine if it.vetoes and it.lead == name) if scored else (),
            )
        )
    return tuple(out)
