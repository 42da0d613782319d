"""A finding's life after it is first seen: who must fix it, by when, and where it stands (整改 → 复核).

A follow-up is one problem (an item and the rule that failed it) from the run that first saw it. This
module holds the vocabulary every report shares (`State`, `StateChange`, `FollowUp`) and the follow-ups
a run implies on its own (`derived_follow_ups`): new, or overdue once its working-day deadline has
passed. States a person sets (已通知, 情况说明, 已整改待复核 …) come from the stored record, which the
reports receive already loaded, so a renderer never needs the store.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from auditor.calendar import add_working_days
from auditor.results import AuditResult


class State(enum.StrEnum):
    """Where a follow-up stands; the value is the word a person reads."""

    NEW = "新发现"
    NOTIFIED = "已通知"
    IN_PROGRESS = "整改中"
    AWAITING_RECHECK = "已整改待复核"
    FIXED = "已整改"
    OVERDUE = "逾期"
    EXPLAINED = "情况说明"
    ACKNOWLEDGED = "确认"


@dataclass(frozen=True)
class StateChange:
    """One change of state, kept with its time and author (the record never rewrites itself)."""

    at: datetime
    author: str
    state: State
    note: str
    until: date | None  # a 情况说明's expiry


@dataclass(frozen=True)
class FollowUp:
    """One problem to be fixed: an item, the rule that failed it, and the run that first saw it."""

    finding_id: str  # f"{item}-{rule}-{first_seen_run}"
    item: int
    rule: str
    department: str  # the lead department: the one answerable for the fix
    first_seen: date
    deadline: date  # first_seen + fix_days working days
    state: State
    days_overdue: int  # calendar days past the deadline; 0 unless overdue
    history: tuple[StateChange, ...]


def _finding_id(item: int, rule: str, first_seen_run: int) -> str:
    """The stable name of a follow-up: the same problem keeps it from night to night until it is fixed."""
    return f"{item}-{rule}-{first_seen_run}"


def derived_follow_ups(result: AuditResult, fix_days: int) -> dict[str, FollowUp]:
    """The follow-ups the run implies by itself, as of its as-of date: every warning or failure of an
    item, NEW until `fix_days` working days after it was first seen, OVERDUE after (the scorecards'
    deadline). Nothing a person set is known here; `history` is empty."""
    out: dict[str, FollowUp] = {}
    for it in result.items:
        if not it.departments:
            continue
        for f in it.findings:
            if not f.status.is_problem:
                continue
            seen_run = f.first_seen_run if f.first_seen_run is not None else result.run.id
            seen_on = f.first_seen_at if f.first_seen_at is not None else result.as_of
            deadline = add_working_days(seen_on, fix_days)
            late = max(0, (result.as_of - deadline).days)
            key = _finding_id(it.item, f.rule, seen_run)
            out[key] = FollowUp(
                finding_id=key, item=it.item, rule=f.rule, department=it.departments[0],
                first_seen=seen_on, deadline=deadline, state=State.OVERDUE if late else State.NEW,
                days_overdue=late, history=(),
            )
    return out
