"""A finding's life: 新发现 → 已通知 → 整改中 → 已整改待复核 → 已整改, or 逾期 past its deadline, with
情况说明 (a justified exemption that expires) and 确认 (acknowledged) as explicit states.

A problem (a warn or fail finding) is known by a stable, typable id, `6-freshness.current-edition-12`
(item, rule, the run it was first seen in). It is registered when first followed up, with the lead
department of its item at first sight and a deadline of `fix_days` working days after first sight,
both frozen then: a later change of fix_days, of the holiday calendar or of the catalogue never moves
an existing deadline or hands a problem to another department.

Every change of state is appended with its time, author and note (the store never updates one), from
three sources: a person (`auditor finding …`, a returned 整改台账), the e-mail that notified the
department, and the next scored run, which closes what it no longer finds and reopens what a
department reported fixed but is still there. 逾期 is never stored: it is derived from the deadline
and the day asked about. Inconclusive runs, and items a run could not judge, never close or reopen
anything: blaming or clearing a department on evidence that was not there is the worst mistake.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum

from auditor.calendar import add_working_days
from auditor.evaluate import GATES
from auditor.models import Finding, RunState, Verdict
from auditor.results import AuditResult, ItemResult
from auditor.snapshot import Snapshot
from auditor.store import Recheck, Store, StoredChange, TrackedFinding

#: Working days a department has to fix a problem when the configuration says nothing.
DEFAULT_FIX_DAYS = 10
#: Who the audit itself is, in a finding's history.
AUDIT_AUTHOR = "自动检查"


class State(StrEnum):
    """Where a finding stands; the value is what a person reads."""

    NEW = "新发现"
    NOTIFIED = "已通知"
    IN_PROGRESS = "整改中"
    AWAITING_RECHECK = "已整改待复核"
    FIXED = "已整改"
    OVERDUE = "逾期"
    EXPLAINED = "情况说明"
    ACKNOWLEDGED = "确认"

    @property
    def is_open(self) -> bool:
        return self is not State.FIXED

    @classmethod
    def parse(cls, text: str) -> State:
        """A state as a person types it: its Chinese word or its English name (`overdue`, `in_progress`)."""
        word = text.strip()
        for state in cls:
            if word in (state.value, state.name, state.name.lower(), state.name.lower().replace("_", "-")):
                return state
        raise ValueError(word)


#: States in which a problem still waits on its department: past the deadline they are 逾期.
WAITING = frozenset({State.NEW, State.NOTIFIED, State.IN_PROGRESS, State.ACKNOWLEDGED})


@dataclass(frozen=True)
class StateChange:
    """One step of a finding's life, as kept: when, who, to which state, why, and until when (情况说明)."""

    at: datetime
    author: str
    state: State
    note: str
    until: date | None
    measures: str = ""  # 整改措施, from a returned ledger
    responsible: str = ""  # 责任人
    planned: date | None = None  # 计划完成时间
    source: str = ""  # where the change came from: the command line, an e-mail, a run, a ledger file
    run_id: int | None = None  # the run that made it (closed or reopened the finding)


@dataclass(frozen=True)
class FollowUp:
    """A problem followed up to its closure."""

    finding_id: str  # stable, human-typable key: f"{item}-{rule}-{first_seen_run}"
    item: int
    rule: str
    department: str  # lead department of the item at first sight
    first_seen: date
    deadline: date  # first_seen + fix_days WORKING days, frozen when first followed
    state: State
    days_overdue: int  # 0 unless past deadline and not fixed/explained
    history: tuple[StateChange, ...]  # every change: time, author, state, note, expiry
    first_seen_run: int = 0
    message: str = ""  # the finding's sentence in the result it was read with ("" when not in it)
    url: str = ""
    status: Verdict | None = None  # its verdict in that result
    explained_until: date | None = None  # while 情况说明: the date it holds until

    @property
    def latest(self) -> StateChange | None:
        return self.history[-1] if self.history else None

    @property
    def answer(self) -> StateChange | None:
        """The department's latest answer from a ledger (measures, responsible, planned date)."""
        return next((c for c in reversed(self.history) if c.measures or c.responsible or c.planned), None)


class LifecycleError(ValueError):
    """A change that cannot be made (unknown id, a transition the finding's state does not allow)."""


def finding_id(item: int, rule: str, first_seen_run: int) -> str:
    return f"{item}-{rule}-{first_seen_run}"


def id_of(finding: Finding, run_id: int) -> str:
    """The id of a problem finding of run `run_id` (a problem first seen in this run has no earlier run)."""
    return finding_id(finding.item, finding.rule, finding.first_seen_run or run_id)


def _problems(result: AuditResult) -> Iterable[tuple[ItemResult, Finding]]:
    for it in result.items:
        for f in it.findings:
            if f.status.is_problem:
                yield it, f


def recorded_state(history: Sequence[StateChange], today: date) -> State:
    """The state the changes leave, before 逾期 is derived; an expired 情况说明 counts no more (the
    finding is back where it was before it)."""
    state = State.NEW
    for change in history:
        if change.state is State.EXPLAINED and change.until is not None and change.until < today:
            continue
        state = change.state
    return state


def current_state(history: Sequence[StateChange], deadline: date, today: date) -> tuple[State, int]:
    """The state a person reads on `today`, and the calendar days past the deadline (0 unless 逾期)."""
    state = recorded_state(history, today)
    if state in WAITING and today > deadline:
        return State.OVERDUE, (today - deadline).days
    return state, 0


def _change(c: StoredChange) -> StateChange:
    return StateChange(at=c.at, author=c.author, state=State[c.state], note=c.note, until=c.until,
                       measures=c.measures, responsible=c.responsible, planned=c.planned, source=c.source,
                       run_id=c.run_id)


def derived_follow_ups(result: AuditResult, fix_days: int = DEFAULT_FIX_DAYS) -> dict[str, FollowUp]:
    """The follow-ups of a result without a store: nobody has answered, deadlines from `fix_days`, as of
    the result's own date. What a report shows for a result that was never stored."""
    out: dict[str, FollowUp] = {}
    for it, f in _problems(result):
        fid = id_of(f, result.run.id)
        if fid in out:
            continue
        first = f.first_seen_at or result.as_of
        deadline = add_working_days(first, fix_days)
        state, late = current_state((), deadline, result.as_of)
        out[fid] = FollowUp(finding_id=fid, item=it.item, rule=f.rule,
                            department=it.departments[0] if it.departments else "", first_seen=first,
                            deadline=deadline, state=state, days_overdue=late, history=(),
                            first_seen_run=f.first_seen_run or result.run.id, message=f.message, url=f.url,
                            status=f.status)
    return out


def _lead_at(store: Store, run_id: int, item: int) -> str | None:
    """The lead department of the item as the run that first saw the problem recorded it."""
    evaluation = store.evaluation(run_id)
    if evaluation is None or not evaluation.snapshot:
        return None
    record = Snapshot.from_json(evaluation.snapshot).item(item)
    return record.departments[0] if record and record.departments else None


def track(store: Store, result: AuditResult, fix_days: int) -> list[str]:
    """Register the result's problems not yet followed up (deadline frozen now); returns their ids."""
    known = store.tracked(result.site)
    new: dict[str, TrackedFinding] = {}
    for it, f in _problems(result):
        fid = id_of(f, result.run.id)
        if fid in known or fid in new:
            continue
        first_run = f.first_seen_run or result.run.id
        first = f.first_seen_at or result.as_of
        lead = _lead_at(store, first_run, it.item) or (it.departments[0] if it.departments else "")
        new[fid] = TrackedFinding(finding_id=fid, item=it.item, rule=f.rule, first_seen_run=first_run,
                                  first_seen_at=first, department=lead,
                                  deadline=add_working_days(first, fix_days), fix_days=fix_days)
    if new:
        store.track(result.site, new.values())
    return list(new)


def _explained_until(history: Sequence[StateChange], today: date) -> date | None:
    """The expiry of the 情况说明 in force on `today`, if the finding stands explained."""
    if recorded_state(history, today) is not State.EXPLAINED:
        return None
    return next((c.until for c in reversed(history)
                 if c.state is State.EXPLAINED and (c.until is None or c.until >= today)), None)


def _follow_up(t: TrackedFinding, history: Sequence[StateChange], today: date,
               finding: Finding | None = None) -> FollowUp:
    state, late = current_state(history, t.deadline, today)
    return FollowUp(finding_id=t.finding_id, item=t.item, rule=t.rule, department=t.department,
                    first_seen=t.first_seen_at, deadline=t.deadline, state=state, days_overdue=late,
                    history=tuple(history), first_seen_run=t.first_seen_run,
                    message=finding.message if finding else "", url=finding.url if finding else "",
                    status=finding.status if finding else None,
                    explained_until=_explained_until(history, today))


def follow_ups(store: Store, site_id: str, result: AuditResult, today: date,
               fix_days: int = DEFAULT_FIX_DAYS) -> dict[str, FollowUp]:
    """The follow-ups of the result's problems as they stand on `today`: stored deadline, department and
    history; a problem not registered yet (a past run reported again) is shown as `derived_follow_ups`
    would show it."""
    tracked = store.tracked(site_id)
    changes = store.changes(site_id)
    derived = derived_follow_ups(result, fix_days)
    out: dict[str, FollowUp] = {}
    for _it, f in _problems(result):
        fid = id_of(f, result.run.id)
        if fid in out:
            continue
        t = tracked.get(fid)
        if t is None:
            d = derived[fid]
            state, late = current_state((), d.deadline, today)
            out[fid] = replace(d, state=state, days_overdue=late)
            continue
        out[fid] = _follow_up(t, [_change(c) for c in changes.get(fid, [])], today, f)
    return out


def site_follow_ups(store: Store, site_id: str, today: date,
                    findings: Mapping[str, Finding] | None = None) -> dict[str, FollowUp]:
    """Every problem of the site ever followed up (closed ones too), as it stands on `today`."""
    changes = store.changes(site_id)
    return {fid: _follow_up(t, [_change(c) for c in changes.get(fid, [])], today, (findings or {}).get(fid))
            for fid, t in store.tracked(site_id).items()}


def findings_by_id(result: AuditResult) -> dict[str, Finding]:
    return {id_of(f, result.run.id): f for _it, f in _problems(result)}


# -- changes from a run -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RunEffects:
    """What a run did to the findings followed up: registered, closed (已整改) and reopened (复核未通过)."""

    registered: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()
    reopened: tuple[str, ...] = ()
    rechecked: tuple[int, ...] = ()


def _covered(item: ItemResult, rule: str) -> bool:
    """Did the run judge `rule` on the item? Not when the rule could not see (inconclusive), nor when a
    gate (a missing, blank or unreadable column) stopped the rules after it."""
    mine = [f for f in item.findings if f.rule == rule]
    if any(f.status is Verdict.INCONCLUSIVE for f in mine):
        return False
    if any(f.status is Verdict.PASS for f in mine):
        return True
    if rule in GATES:
        return True
    return not any(f.rule in GATES and f.status in (Verdict.FAIL, Verdict.INCONCLUSIVE) for f in item.findings)


def judged_items(result: AuditResult) -> dict[int, ItemResult]:
    """The items the run itself judged, with a verdict: a 复核's carried items and inconclusive ones say
    nothing about a fix."""
    return {it.item: it for it in result.items
            if it.carried_from_run is None and it.status is not Verdict.INCONCLUSIVE}


def _newest_scored(store: Store, site: str) -> int | None:
    runs = [r.id for r in store.runs(site) if r.state is RunState.COMPLETE and store.evaluated(r.id)]
    return runs[-1] if runs else None


def record_run(store: Store, result: AuditResult, fix_days: int = DEFAULT_FIX_DAYS) -> RunEffects:
    """After a run is judged: register its new problems; then, for a scored run that is the site's newest,
    close each open problem of an item it judged that it no longer finds (已整改), and reopen each one
    reported fixed that it still finds (整改中, 复核未通过). Partial runs touch only their items."""
    registered = tuple(track(store, result, fix_days))
    if not result.scored or _newest_scored(store, result.site) != result.run.id:
        return RunEffects(registered=registered)
    with store.transaction():  # no answer slips in between reading the states and closing
        return _close_and_reopen(store, result, registered)


def _close_and_reopen(store: Store, result: AuditResult, registered: tuple[str, ...]) -> RunEffects:
    judged = judged_items(result)
    present = set(findings_by_id(result))
    now = datetime.now(UTC).replace(microsecond=0)
    n = result.run.id
    changes: list[StoredChange] = []
    closed: list[str] = []
    reopened: list[str] = []
    for fid, fu in site_follow_ups(store, result.site, result.as_of).items():
        item = judged.get(fu.item)
        if item is None or not fu.state.is_open:
            continue
        if fid in present:
            if recorded_state(fu.history, result.as_of) is State.AWAITING_RECHECK:
                changes.append(StoredChange(finding_id=fid, at=now, author=AUDIT_AUTHOR, state=State.IN_PROGRESS.name,
                                            note=f"复核未通过：第{n}次检查仍发现此问题", source=f"第{n}次检查",
                                            run_id=n))
                reopened.append(fid)
        elif _covered(item, fu.rule):
            changes.append(StoredChange(finding_id=fid, at=now, author=AUDIT_AUTHOR, state=State.FIXED.name,
                                        note=f"第{n}次检查未再发现此问题", source=f"第{n}次检查", run_id=n))
            closed.append(fid)
    if changes:
        store.record_changes(result.site, changes)
    store.rechecks_done(result.site, judged, n)
    return RunEffects(registered=registered, closed=tuple(closed), reopened=tuple(reopened),
                      rechecked=tuple(sorted(judged)))


def record_notified(store: Store, result: AuditResult, departments: Iterable[str], *, author: str,
                    fix_days: int = DEFAULT_FIX_DAYS) -> list[str]:
    """A department's mail went out: its new problems become 已通知 (those already answered keep their
    state). Returns the ids marked."""
    track(store, result, fix_days)
    sent = set(departments)
    now = datetime.now(UTC).replace(microsecond=0)
    changes = [
        StoredChange(finding_id=fid, at=now, author=author, state=State.NOTIFIED.name,
                     note=f"第{result.run.id}次检查的成绩单已发送至{fu.department}", source="邮件")
        for fid, fu in follow_ups(store, result.site, result, result.as_of, fix_days).items()
        if fu.department in sent and recorded_state(fu.history, result.as_of) is State.NEW
    ]
    if changes:
        store.record_changes(result.site, changes)
    return [c.finding_id for c in changes]


# -- changes by a person ----------------------------------------------------------------------------------

#: The states a person may move a finding to, and the recorded states each may come from.
ALLOWED_FROM: dict[State, frozenset[State]] = {
    State.ACKNOWLEDGED: frozenset({State.NEW, State.NOTIFIED}),
    State.IN_PROGRESS: frozenset({State.NEW, State.NOTIFIED, State.ACKNOWLEDGED, State.EXPLAINED,
                                  State.AWAITING_RECHECK}),
    State.AWAITING_RECHECK: frozenset({State.NEW, State.NOTIFIED, State.ACKNOWLEDGED, State.IN_PROGRESS,
                                       State.EXPLAINED}),
    State.EXPLAINED: frozenset({State.NEW, State.NOTIFIED, State.ACKNOWLEDGED, State.IN_PROGRESS,
                                State.EXPLAINED, State.AWAITING_RECHECK}),
}


def lookup(store: Store, site: str, fid: str, today: date) -> FollowUp:
    found = site_follow_ups(store, site, today).get(fid.strip())
    if found is None:
        raise LifecycleError(f"问题编号 {fid!r} 不存在（`auditor finding list` 列出各问题编号）")
    return found


def change_state(store: Store, site: str, fid: str, to: State, *, author: str, today: date, note: str = "",
                 until: date | None = None, source: str = "命令行") -> FollowUp:
    """A person moves a finding on; a transition its state does not allow is refused with the reason.
    已整改待复核 also schedules the item for the next 复核 (`auditor recheck`)."""
    with store.transaction():  # the state checked is the state changed
        return _change_state(store, site, fid, to, author=author, today=today, note=note, until=until,
                             source=source)


def _change_state(store: Store, site: str, fid: str, to: State, *, author: str, today: date, note: str,
                  until: date | None, source: str) -> FollowUp:
    fu = lookup(store, site, fid, today)
    if not fu.state.is_open:
        closer = fu.latest.note if fu.latest else ""
        raise LifecycleError(f"{fu.finding_id} 已整改（{closer}），不能再更改；问题如再次出现，会以新的问题编号记录")
    now_state = recorded_state(fu.history, today)
    if now_state not in ALLOWED_FROM[to]:
        raise LifecycleError(f"{fu.finding_id} 现为“{now_state.value}”，不能改为“{to.value}”"
                             f"（可从{'、'.join(s.value for s in State if s in ALLOWED_FROM[to])}改为{to.value}）")
    if to is State.EXPLAINED:
        if not note.strip():
            raise LifecycleError("情况说明须写明理由（--reason）")
        if until is None or until <= today:
            raise LifecycleError(f"情况说明须有晚于今天（{today}）的有效期（--until YYYY-MM-DD）")
    now = datetime.now(UTC).replace(microsecond=0)
    rechecks = ([Recheck(item=fu.item, finding_id=fu.finding_id, scheduled_at=now, author=author)]
                if to is State.AWAITING_RECHECK else [])
    store.record_changes(site, [StoredChange(finding_id=fu.finding_id, at=now, author=author, state=to.name,
                                             note=note.strip(), until=until, source=source)],
                         rechecks=rechecks)
    return lookup(store, site, fu.finding_id, today)


# -- answers from a returned ledger -----------------------------------------------------------------------

@dataclass(frozen=True)
class LedgerAnswer:
    """One row a department filled in a returned 整改台账, read but not yet checked against the store."""

    where: str  # "file, sheet" for error lines
    row: int
    department: str  # the department the sheet is for
    finding_id: str
    item: int | None  # the item the row's 事项 cell names
    state: State  # 整改中, 已整改待复核 (已完成) or 情况说明
    measures: str
    responsible: str
    planned: date | None
    cells: Mapping[str, str] = field(default_factory=dict)  # column role → cell reference, for errors

    def cell(self, role: str) -> str:
        return f"{self.where}, {self.cells.get(role, f'row {self.row}')}"

    @property
    def key(self) -> str:
        """The answer's content: the same row imported twice is one change."""
        text = "\x1f".join([self.finding_id, self.state.name, self.measures, self.responsible,
                            self.planned.isoformat() if self.planned else ""])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ImportOutcome:
    changed: tuple[str, ...]  # finding ids that moved
    repeated: tuple[str, ...]  # rows already imported before: nothing added
    closed: tuple[str, ...]  # answers about problems a run has since closed: nothing to do
    rechecks: tuple[int, ...]  # items scheduled for 复核


def check_answers(store: Store, site: str, answers: Sequence[LedgerAnswer], today: date) -> list[str]:
    """Every reason to refuse the answers, as `file, sheet, cell: reason` lines (empty: all acceptable)."""
    known = site_follow_ups(store, site, today)
    errors: list[str] = []
    for a in answers:
        fu = known.get(a.finding_id)
        if fu is None:
            errors.append(f"{a.cell('id')}: 问题编号 {a.finding_id!r} 不是本校的问题编号（被修改过，或不是本工具生成的台账）")
            continue
        if a.item is not None and a.item != fu.item:
            errors.append(f"{a.cell('id')}: 问题编号 {a.finding_id} 属于第{fu.item}项，与本行事项（第{a.item}项）不符："
                          "问题编号被修改过")
            continue
        if fu.department != a.department:
            errors.append(f"{a.cell('id')}: 问题 {a.finding_id} 由{fu.department}负责，{a.department}不能答复")
            continue
        if a.state is State.EXPLAINED:
            if not a.measures.strip():
                errors.append(f"{a.cell('measures')}: 完成情况为“情况说明”时，须在整改措施中写明理由")
            if a.planned is None or a.planned <= today:
                errors.append(f"{a.cell('planned')}: 完成情况为“情况说明”时，须在计划完成时间填写说明的有效期"
                              f"（晚于{today}的日期）")
    return errors


def import_answers(store: Store, site: str, answers: Sequence[LedgerAnswer], *, author: str, today: date,
                   source: str = "整改台账") -> ImportOutcome:
    """Record checked answers in one transaction (call `check_answers` first: this raises on the first
    refusal so that nothing is ever half-imported). 已完成 schedules the item for 复核. The check and
    the writes are one transaction: no run closes a problem in between."""
    with store.transaction():
        return _import_answers(store, site, answers, author=author, today=today, source=source)


def _import_answers(store: Store, site: str, answers: Sequence[LedgerAnswer], *, author: str, today: date,
                    source: str) -> ImportOutcome:
    errors = check_answers(store, site, answers, today)
    if errors:
        raise LifecycleError(errors[0])
    known = site_follow_ups(store, site, today)
    seen = {c.answer_key for cs in store.changes(site).values() for c in cs if c.answer_key}
    now = datetime.now(UTC).replace(microsecond=0)
    changes: list[StoredChange] = []
    rechecks: list[Recheck] = []
    repeated: list[str] = []
    closed: list[str] = []
    for a in answers:
        fu = known[a.finding_id]
        if a.key in seen:
            repeated.append(a.finding_id)
            continue
        if not fu.state.is_open:
            closed.append(a.finding_id)
            continue
        seen.add(a.key)
        by = a.responsible.strip() or a.department
        changes.append(StoredChange(
            finding_id=a.finding_id, at=now, author=f"{a.department}（{by}）" if by != a.department else by,
            state=a.state.name, note=a.measures.strip(),
            until=a.planned if a.state is State.EXPLAINED else None, measures=a.measures.strip(),
            responsible=a.responsible.strip(), planned=a.planned, source=f"{source}（{author}导入）",
            answer_key=a.key))
        if a.state is State.AWAITING_RECHECK:
            rechecks.append(Recheck(item=fu.item, finding_id=a.finding_id, scheduled_at=now, author=author))
    store.record_changes(site, changes, rechecks=rechecks)
    return ImportOutcome(changed=tuple(c.finding_id for c in changes), repeated=tuple(repeated),
                         closed=tuple(closed), rechecks=tuple(sorted({r.item for r in rechecks})))


def scheduled_items(store: Store, site: str) -> list[int]:
    """Items waiting for a 复核, in order."""
    return sorted({r.item for r in store.pending_rechecks(site)})
