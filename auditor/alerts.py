"""When the audit itself is blind: the operator hears after N nights running without a scored run, and once
more when a scored run comes back.

E-mail to departments goes out only for scored runs, so a week behind a firewall (every night
inconclusive) or a job that keeps being killed (interrupted) would pass unnoticed. The decision reads
the run history in the store and nothing else, and keeps no state of its own: the alert is due on the
night the blind streak reaches N and the recovery on the first scored night after such a streak, each
only for the first run of that night (a rerun the same night sends nothing again).
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from datetime import date

from auditor.calendar import CHINA
from auditor.models import FetchStatus, Run, RunState
from auditor.store import Store


class AlertKind(enum.StrEnum):
    BLIND = "blind"  # N nights running without a scored run
    RECOVERED = "recovered"  # a scored run after such a streak


@dataclass(frozen=True)
class BlindNight:
    """One night the audit could not score, and why."""

    day: date
    state: RunState
    reason: str


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    site: str
    run_id: int
    nights: tuple[BlindNight, ...]  # the blind streak, oldest first

    @property
    def subject(self) -> str:
        if self.kind is AlertKind.BLIND:
            return f"【信息公开检查】{self.site} 已连续{len(self.nights)}晚无法完成检查（{self.nights[-1].state.label}）"
        return f"【信息公开检查】{self.site} 检查已恢复（此前{len(self.nights)}晚无法完成）"

    @property
    def body(self) -> str:
        lines = [
            f"站点 {self.site}，第 {self.run_id} 次运行。",
            "各部门的成绩单只在完成并计分的检查后发送；以下夜晚的检查没有完成，部门没有收到任何结果：" if
            self.kind is AlertKind.BLIND else "检查已恢复正常并计分。此前未能完成的夜晚：",
            "",
            *(f"  {n.day.isoformat()}  {n.state.label}：{n.reason}" for n in self.nights),
            "",
            "请检查网络、防火墙（是否拦截了检查程序的访问）、抓取代理和定时任务的日志。" if self.kind is AlertKind.BLIND
            else "无需处理。",
            "",
            "—— xxgk-auditor 自动发送",
        ]
        return "\n".join(lines)


_STATUS_WORDS = {
    FetchStatus.WAF: "防火墙拦截", FetchStatus.TIMEOUT: "超时", FetchStatus.REFUSED: "拒绝连接",
    FetchStatus.DNS: "域名解析失败", FetchStatus.TLS: "TLS 错误", FetchStatus.NETWORK: "网络错误",
}


def _reason(store: Store, run: Run) -> str:
    """The run's own note, with the most frequent failure among its pages (the firewall, the network …)."""
    failures = Counter({s: n for s, n in store.page_counts(run.id).items() if s in _STATUS_WORDS})
    common = failures.most_common(1)
    extra = f"；最多的失败：{_STATUS_WORDS[common[0][0]]} {common[0][1]} 次" if common else ""
    return (run.note or "未说明原因") + extra


def _day(run: Run) -> date:
    return run.as_of or run.started_at.astimezone(CHINA).date()


def due_alert(store: Store, site: str, run_id: int, after_nights: int) -> Alert | None:
    """The alert run `run_id` (the newest) makes due, if any."""
    runs = [r for r in store.runs(site) if r.state is not RunState.RUNNING and r.id <= run_id]
    if not runs or runs[-1].id != run_id or after_nights < 1:
        return None
    by_day: dict[date, list[Run]] = {}
    for r in runs:
        by_day.setdefault(_day(r), []).append(r)
    days = sorted(by_day)
    tonight = _day(runs[-1])
    if by_day[tonight][0].id != run_id or days[-1] != tonight:
        return None  # a rerun the same night, or a run judged for an earlier day: said already or not news

    def blind(day: date) -> bool:
        return all(r.state is not RunState.COMPLETE for r in by_day[day])

    def streak(upto: int) -> list[date]:
        out: list[date] = []
        for day in reversed(days[:upto]):
            if not blind(day):
                break
            out.append(day)
        return out[::-1]

    def night(day: date) -> BlindNight:
        last = by_day[day][-1]
        return BlindNight(day, last.state, _reason(store, last))

    if blind(tonight):
        current = streak(len(days))
        if len(current) == after_nights:
            return Alert(AlertKind.BLIND, site, run_id, tuple(night(d) for d in current))
        return None
    before = streak(len(days) - 1)
    if len(before) >= after_nights:
        return Alert(AlertKind.RECOVERED, site, run_id, tuple(night(d) for d in before))
    return None
