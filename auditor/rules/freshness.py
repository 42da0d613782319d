"""Freshness: each item renewed on its own cycle (DOMAIN.md, "Freshness: a cycle for every item").

Standing items need only be there; items with a fixed deadline need the edition for year Y once the
deadline of year Y has passed (published late is a milder finding than missing); annual items without a
date need an edition at most ~13 months old; event-driven columns warn when they fall silent. Editions
are identified by the period in their title first, then by their dates (`RuleContext.covers`). Content
with no date at all counts as not updated (国办 检查指标), except for standing items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from datetime import date

from auditor.evidence import Edition, Unread
from auditor.models import Finding, RuleKind, Verdict
from auditor.rules.base import Rule, RuleContext, cn_date
from checklist.model import Cycle


@dataclass(frozen=True)
class EditionDue:
    """freshness.current-edition: which edition is due by when, and which one was found."""

    due: str
    deadline: dt.date
    grace_end: dt.date
    latest: str = ""
    edition: str = ""
    title: str = ""
    date: dt.date | None = None
    dated_by: str = ""  # where the date was read: list, page, http:last-modified, title
    partial: str = ""  # the list rows the crawl's per-page bound left out


@dataclass(frozen=True)
class Newest:
    """freshness.latest-age and freshness.recent-entries: the newest content and its age."""

    max_age_days: int
    date: dt.date | None = None
    dated_by: str = ""
    age_days: int | None = None
    title: str = ""
    partial: str = ""  # the list rows the crawl's per-page bound left out


class Standing(Rule):
    """常设信息（如学校章程、规章制度）只要求在栏目中公开并能打开，发布时间早不算问题。"""

    id = "freshness.standing"
    kind = RuleKind.FRESHNESS
    severity = Verdict.PASS

    def check(self, ctx: RuleContext) -> Finding | None:
        if ctx.item.cycle is not Cycle.STANDING or not ctx.editions:
            return None
        return self.finding(ctx, Verdict.PASS, "常设信息，已公开即可，不要求定期更新")


class CurrentEdition(Rule):
    """有固定期限的年度事项（如信息公开年度报告应于10月31日前发布）和招生类事项：本年度期限过后，
    栏目中应有本期内容，否则不合格；本期内容已发布但晚于期限20个工作日以上，为警告（迟报）。
    期次先按标题（如“2017~2018学年”“2018年度”）认定，标题无期次时按发布日期认定；
    既无期次又无日期的内容视为未更新。"""

    id = "freshness.current-edition"
    kind = RuleKind.FRESHNESS
    severity = Verdict.FAIL

    def check(self, ctx: RuleContext) -> Finding | None:
        if not ctx.has_deadline or not ctx.evidence.has_content:
            return None
        due = ctx.due_year
        deadline = ctx.deadline_in(due)
        grace_end = ctx.grace_end(due)
        wanted = f"{ctx.due_label(due)}{ctx.name}"
        evidence = EditionDue(due=ctx.due_label(due), deadline=deadline, grace_end=grace_end)
        current = ctx.current_edition
        if current is None:
            latest = ctx.latest
            if latest is not None:
                evidence = replace(evidence, latest=ctx.describe(latest))
            if not ctx.editions:
                tail = "栏目中没有任何内容"
            elif all(e.period is None and e.published is None for e in ctx.editions):
                tail = "栏目内容既无期次也无发布日期，按规定视为未更新"
            else:
                assert latest is not None
                tail = f"最新一期为{ctx.describe(latest)}"
            partial = ctx.evidence.unread.entries
            if partial is not None:
                # It may be among the rows our bound left out: not found is not missing.
                words = Unread(entries=partial).words()
                return self.finding(
                    ctx, Verdict.INCONCLUSIVE,
                    f"在已记录的条目中未找到{wanted}（{tail}）；但{words}，本次不判定（不是栏目的问题）",
                    url=latest.url if latest else "", evidence=replace(evidence, partial=words),
                )
            return self.finding(
                ctx, Verdict.FAIL,
                f"未找到{wanted}（应于{cn_date(deadline)}前发布）；{tail}",
                url=latest.url if latest else "", evidence=evidence,
            )
        evidence = replace(evidence, edition=ctx.describe(current), title=current.title,
                           date=current.published.value if current.published else None,
                           dated_by=current.published.source if current.published else "")
        late = (
            ctx.year_of(current) in (None, due)
            and current.published is not None
            and current.published.value > grace_end
        )
        if late:
            assert current.published is not None
            return self.finding(
                ctx, Verdict.WARN,
                f"{wanted}已发布，但发布于{cn_date(current.published.value)}，晚于规定期限"
                f"（应于{cn_date(deadline)}前发布，宽限20个工作日至{cn_date(grace_end)}）；今后请按期发布",
                url=current.url, evidence=evidence,
            )
        when = f"（{current.published.value.isoformat()}）" if current.published else ""
        return self.finding(ctx, Verdict.PASS, f"已发布{wanted}：“{current.title}”{when}",
                            url=current.url, evidence=evidence)


def _age_date(ctx: RuleContext, edition: Edition) -> tuple[date, str] | None:
    """When an edition appeared: its own date, else (titled by period only) 1 January of its year, the
    earliest it can have appeared, so an undated old edition is never taken for a fresh one."""
    if edition.published is not None:
        return edition.published.value, edition.published.source
    year = ctx.year_of(edition)
    if year is not None:
        return date(year, 1, 1), "title"
    return None


def _newest(ctx: RuleContext) -> tuple[Edition, date, str] | None:
    best: tuple[Edition, date, str] | None = None
    for e in ctx.editions:
        dated = _age_date(ctx, e)
        if dated and (best is None or dated[0] > best[1]):
            best = (e, dated[0], dated[1])
    return best


class LatestAge(Rule):
    """每年更新、但没有固定期限的事项：最新一期距检查日不得超过规定天数（默认约13个月），否则不合格；
    没有发布日期的内容视为未更新。"""

    id = "freshness.latest-age"
    kind = RuleKind.FRESHNESS
    severity = Verdict.FAIL

    def check(self, ctx: RuleContext) -> Finding | None:
        annual = ctx.item.cycle is Cycle.ANNUAL or (
            ctx.item.cycle in (Cycle.ANNUAL_DEADLINE, Cycle.ADMISSIONS) and not ctx.has_deadline
        )
        if not annual or not ctx.evidence.has_content:
            return None
        return _age_finding(self, ctx, Verdict.FAIL, "请发布最新一期")


class RecentEntries(Rule):
    """随事件发布的栏目（如招标采购、出国出境公示）：最新一条距检查日超过规定天数（默认6个月）为警告，
    提醒部门核实是否有应公开而未公开的信息；没有发布日期的内容视为未更新。"""

    id = "freshness.recent-entries"
    kind = RuleKind.FRESHNESS
    severity = Verdict.WARN

    def check(self, ctx: RuleContext) -> Finding | None:
        if ctx.item.cycle is not Cycle.EVENT or not ctx.evidence.has_content:
            return None
        return _age_finding(self, ctx, Verdict.WARN, "如确有新信息产生，请在20个工作日内公开")


def _age_finding(rule: Rule, ctx: RuleContext, stale: Verdict, fix: str) -> Finding:
    span = ctx.max_age_days
    evidence = Newest(max_age_days=span)
    newest = _newest(ctx)
    # A newer entry may stand among the rows the crawl's bound left out: "stale" would rest on them.
    cut = ctx.evidence.unread.entries
    partial = Unread(entries=cut).words() if cut is not None else ""
    if newest is None:
        tail = "栏目中没有任何内容" if not ctx.editions else "栏目内容均无发布日期，按规定视为未更新"
        if partial:
            return rule.finding(ctx, Verdict.INCONCLUSIVE, f"已记录的条目中{tail.removeprefix('栏目')}；但{partial}，"
                                "本次不判定（不是栏目的问题）", evidence=replace(evidence, partial=partial))
        return rule.finding(ctx, stale, f"{tail}；{fix}", evidence=evidence)
    edition, when, source = newest
    age = (ctx.as_of - when).days
    evidence = replace(evidence, date=when, dated_by=source, age_days=age, title=edition.title)
    if age > span and partial:
        return rule.finding(
            ctx, Verdict.INCONCLUSIVE,
            f"已记录的条目中最新为“{edition.title}”（{when.isoformat()}），距{cn_date(ctx.as_of)}已{age}天；但{partial}，"
            "其中可能有更新的内容，本次不判定（不是栏目的问题）",
            url=edition.url, evidence=replace(evidence, partial=partial),
        )
    if age > span:
        return rule.finding(
            ctx, stale,
            f"栏目最新内容为“{edition.title}”（{when.isoformat()}），距{cn_date(ctx.as_of)}已{age}天未更新（要求不超过{span}天）；{fix}",
            url=edition.url, evidence=evidence,
        )
    return rule.finding(ctx, Verdict.PASS, f"最新内容为“{edition.title}”（{when.isoformat()}），{age}天前发布",
                        url=edition.url, evidence=evidence)


RULES: tuple[Rule, ...] = (Standing(), CurrentEdition(), LatestAge(), RecentEntries())
