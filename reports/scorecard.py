"""The content of one department's scorecard, assembled once and rendered as HTML, XLSX and e-mail.

Every format must show the same rows, the same first-seen runs and the same fix-by dates, so the view is
built here from the `AuditResult` and the renderers only lay it out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

# The engine's calendar: one definition of a working day (调休 included) for deadlines and fix-by dates.
from auditor.calendar import add_working_days
from auditor.lifecycle import FollowUp, State
from auditor.models import Finding, Verdict
from auditor.results import AuditResult, DepartmentResult, ItemResult
from reports.common import (
    FirstSeen,
    TrendPoint,
    department_trend,
    first_seen,
    safe_filename,
)

DEFAULT_FIX_DAYS = 10


@dataclass(frozen=True)
class Row:
    """One item on a department's scorecard."""

    item: ItemResult
    findings: tuple[Finding, ...]  # the findings that decided the status (all of them when it passes)
    first_seen: FirstSeen | None
    fix_by: date | None
    overdue: bool
    lead: bool  # the department leads this item rather than supports it

    @property
    def status(self) -> Verdict:
        return self.item.status


@dataclass(frozen=True)
class Scorecard:
    result: AuditResult
    department: DepartmentResult
    index: int  # 1-based position of the department in the catalogue: file names and ordering
    rows: tuple[Row, ...]
    trend: tuple[TrendPoint, ...]
    fix_days: int

    @property
    def stem(self) -> str:
        return safe_filename(self.index, self.department.name)

    @property
    def problems(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.status.is_problem)

    @property
    def vetoes(self) -> tuple[Row, ...]:
        """Items with a 单项否决 finding, listed apart and first: those it leads grade it 不合格; those it
        only supports are shown so it knows, and weigh only in its score."""
        return tuple(sorted((r for r in self.rows if r.item.vetoes), key=lambda r: (not r.lead, r.item.item)))

    @property
    def fails(self) -> int:
        return self.department.counts.get(Verdict.FAIL, 0)

    @property
    def warns(self) -> int:
        return self.department.counts.get(Verdict.WARN, 0)


def _deciding(item: ItemResult) -> tuple[Finding, ...]:
    if item.status is Verdict.PASS:
        return item.findings
    decisive = tuple(f for f in item.findings if f.status is item.status)
    others = tuple(f for f in item.findings if f.status.is_problem and f.status is not item.status)
    return decisive + others


def _followed(item: ItemResult, follow_ups: Mapping[str, FollowUp]) -> tuple[date | None, bool] | None:
    """The item's deadline as frozen when its problems were first followed (the earliest of them) and
    whether one is 逾期 (an explained or reported-fixed problem is not); None when none is followed."""
    mine = [fu for fu in follow_ups.values() if fu.item == item.item]
    if not mine:
        return None
    return min(fu.deadline for fu in mine), any(fu.state is State.OVERDUE for fu in mine)


def build_scorecards(result: AuditResult, history: Sequence[AuditResult] = (),
                     fix_days: int = DEFAULT_FIX_DAYS,
                     follow_ups: Mapping[str, FollowUp] | None = None) -> list[Scorecard]:
    """Every department's scorecard; with `follow_ups` (auditor.lifecycle) the fix-by dates are the
    stored, frozen deadlines and 已逾期 follows the problems' states, else both are computed here."""
    cards = []
    by_number = {it.item: it for it in result.items}
    for index, dep in enumerate(result.departments, start=1):
        rows = []
        for number in dep.items:
            item = by_number[number]
            seen = first_seen(item, result, history)
            fix_by = add_working_days(seen.on, fix_days) if seen else None
            overdue = fix_by is not None and result.as_of > fix_by
            followed = _followed(item, follow_ups) if follow_ups is not None and seen else None
            if followed is not None:
                fix_by, overdue = followed
            rows.append(
                Row(item=item, findings=_deciding(item), first_seen=seen, fix_by=fix_by,
                    overdue=overdue, lead=item.departments[0] == dep.name)
            )
        # Problems first, worst first, so the clerk reads what to do before what is fine.
        order = {Verdict.FAIL: 0, Verdict.WARN: 1, Verdict.INCONCLUSIVE: 2, Verdict.PASS: 3}
        rows.sort(key=lambda r: (order[r.status], r.item.item))
        cards.append(
            Scorecard(result=result, department=dep, index=index, rows=tuple(rows),
                      trend=department_trend(dep.name, result, history), fix_days=fix_days)
        )
    return cards
