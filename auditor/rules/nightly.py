"""Rules only a nightly audit can check: they compare what the column showed night after night.

They read `RuleContext.nights` (`auditor.nights`: per night, whether the list was read and how far back,
and the entries on it) and judge nothing from a gap. Absence is evidence only on a night that read the
list back to the entry's date; when the answer depends on a night the audit could not read, the verdict is
inconclusive and the message says which nights. Without earlier nights (the first audit of a site, or a
rule test that gives no history) they say nothing at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from auditor.calendar import add_working_days
from auditor.evidence import Edition
from auditor.models import Finding, RuleKind, Verdict
from auditor.nights import ItemNights, Night, Track
from auditor.rules.base import Rule, RuleContext
from checklist.model import Cycle

#: How many entries a message names before "等".
SHOWN = 3


def _claimed(edition: Edition) -> date | None:
    """The date an entry claims for itself: its list's or its page's, never the server's Last-Modified."""
    if edition.published is None or edition.published.source == "http:last-modified":
        return None
    return edition.published.value


def _gap_words(nights: ItemNights, after: date, before: date) -> str:
    unread = [n for n in nights.between(after, before) if not n.read]
    missing = (before - after).days - 1 - len(nights.between(after, before))
    parts = []
    if unread:
        parts.append(f"{len(unread)}晚未能读取栏目")
    if missing > 0:
        parts.append(f"{missing}晚没有检查")
    return "、".join(parts) or "没有读到栏目"


def _listing(lines: list[str]) -> str:
    return "；".join(lines[:SHOWN]) + ("等" if len(lines) > SHOWN else "")


def _has_history(nights: ItemNights | None) -> bool:
    return nights is not None and any(n.read for n in nights.earlier)


@dataclass(frozen=True)
class BackDating:
    """Evidence of `freshness.backdated`: the first entry, then every entry one per line."""

    claimed: date | None = None
    absent_on: date | None = None  # the last night the list, read back to the claimed date, lacked it
    first_seen: date | None = None
    checked: int = 0  # entries whose first night could be compared with their date
    entries: tuple[str, ...] = ()  # "title | claimed | absent on | first seen | url"
    urls: tuple[str, ...] = ()


class BackDated(Rule):
    """发布日期不得倒填：条目首次出现在栏目中的日期，比它标注的发布日期晚5个工作日以上，且在这之间的检查中栏目
    可以正常读取、却没有这条内容的，视为倒填日期（国办网站检查中的严重问题），为不合格。中间有未能读取栏目的夜晚、
    无法确定条目何时出现的，只记为“无法判定”，不追究。常设事项（规章制度常标注通过日期）不检查。"""

    id = "freshness.backdated"
    kind = RuleKind.FRESHNESS
    severity = Verdict.FAIL

    def check(self, ctx: RuleContext) -> Finding | None:
        nights = ctx.nights
        if nights is None or ctx.item.cycle is Cycle.STANDING or not nights.tonight.read or not _has_history(nights):
            return None
        allowance = ctx.nightly.backdated_working_days
        proven: list[tuple[Edition, date, Night, date]] = []
        unsure: list[tuple[Edition, date, Night, date]] = []
        checked = 0
        for edition in ctx.editions:
            claimed = _claimed(edition)
            track = nights.track(edition.url)
            if claimed is None or track is None or claimed > track.first:
                continue
            absent = nights.last_covering_before(track.first, claimed)
            if absent is None:
                continue  # listed since the history began: nothing to compare
            checked += 1
            allowed = add_working_days(claimed, allowance)
            if track.first <= allowed:
                continue
            if absent.as_of > allowed:
                proven.append((edition, claimed, absent, track.first))
            else:
                unsure.append((edition, claimed, absent, track.first))
        if proven:
            lines = [f"{e.title} | {c} | {a.as_of} | {f} | {e.url}" for e, c, a, f in proven]
            shown = _listing([f"《{x.title}》标注{xc}，{xa.as_of}检查时栏目中还没有，{xf}才首次出现"
                              for x, xc, xa, xf in proven])
            e, c, a, f = proven[0]
            return self.finding(
                ctx, Verdict.FAIL,
                f"{len(proven)}条内容的发布日期早于其首次出现在栏目中的日期（倒填日期）：{shown}；请按实际发布日期标注",
                url=e.url,
                evidence=BackDating(claimed=c, absent_on=a.as_of, first_seen=f, checked=checked,
                                    entries=tuple(lines), urls=tuple(x[0].url for x in proven)),
            )
        if unsure:
            e, c, a, f = unsure[0]
            since = a.as_of
            return self.finding(
                ctx, Verdict.INCONCLUSIVE,
                f"《{e.title}》标注{c}，{f}首次出现在栏目中；但{since}至{f}之间{_gap_words(nights, since, f)}"
                "（检查记录有空缺），无法确定它何时出现，不作判定",
                url=e.url,
                evidence=BackDating(claimed=c, absent_on=a.as_of, first_seen=f, checked=checked,
                                    entries=tuple(f"{x.title} | {xc} | {xa.as_of} | {xf} | {x.url}"
                                                  for x, xc, xa, xf in unsure)),
            )
        if not checked:
            return None
        return self.finding(ctx, Verdict.PASS,
                            f"新出现的{checked}条内容，发布日期与首次出现在栏目中的日期相符", evidence=BackDating(checked=checked))


@dataclass(frozen=True)
class EarlyRemoval:
    """Evidence of `presence.kept-public`: the first entry removed too early, then all, one per line."""

    required: str = ""  # "公示不少于10个工作日"
    published: date | None = None
    required_until: date | None = None
    gone_on: date | None = None  # the first night the list, read back to its date, lacked it
    nights: tuple[str, ...] = ()  # the nights it was listed
    entries: tuple[str, ...] = ()  # "title | published | listed first–last | gone on | url"
    urls: tuple[str, ...] = ()


class KeptPublic(Rule):
    """有最短公示期的名单应按期保留：拟录取研究生名单公示不少于10个工作日，特殊类型招生结果保留至当年年底。
    每晚检查时记录条目在栏目中出现的日期；公示期未满就从栏目中消失的，为不合格，证据列出它在栏目中出现的各个夜晚
    和消失的日期。发布日期不明、且此前有未能读取栏目的夜晚的，只记为“无法判定”。"""

    id = "presence.kept-public"
    kind = RuleKind.PRESENCE
    severity = Verdict.FAIL

    def check(self, ctx: RuleContext) -> Finding | None:
        nights, keep = ctx.nights, ctx.item.keep_public
        if nights is None or keep is None or not nights.tonight.read or not _has_history(nights):
            return None
        early: list[tuple[Track, date, date, Night]] = []
        unsure: list[tuple[Track, Night]] = []
        since = ctx.as_of - timedelta(days=ctx.nightly.report_days)
        for track in nights.tracks:
            if track.last == nights.tonight.as_of:
                continue
            gone = nights.first_covering_after(track.last, track.claimed)
            if gone is None or gone.as_of < since:
                continue
            start = self._start(nights, track)
            if start is None:
                if gone.as_of < self._until(keep.working_days, keep.to_year_end, track.first):
                    unsure.append((track, gone))
                continue
            until = self._until(keep.working_days, keep.to_year_end, start)
            if gone.as_of < until:
                early.append((track, start, until, gone))
        if early:
            track, start, until, gone = early[0]
            shown = _listing([f"《{t.title}》{s}发布，{g.as_of}已不在栏目中（应保留至{u}）" for t, s, u, g in early])
            return self.finding(
                ctx, Verdict.FAIL, f"{len(early)}条名单未满公示期即从栏目中撤下（{keep}）：{shown}；请恢复公示",
                url=track.url,
                evidence=EarlyRemoval(
                    required=str(keep), published=start, required_until=until, gone_on=gone.as_of,
                    nights=tuple(d.isoformat() for d in track.seen),
                    entries=tuple(f"{t.title} | {s} | {t.first}–{t.last} | {g.as_of} | {t.url}" for t, s, _, g in early),
                    urls=tuple(t.url for t, _, _, _ in early)),
            )
        if unsure:
            track, gone = unsure[0]
            return self.finding(
                ctx, Verdict.INCONCLUSIVE,
                f"《{track.title}》{track.first}至{track.last}在栏目中，{gone.as_of}已撤下；它没有标注发布日期，"
                "此前又有未能读取栏目的夜晚（检查记录有空缺），无法确定公示了多久，不作判定",
                url=track.url,
                evidence=EarlyRemoval(required=str(keep), gone_on=gone.as_of,
                                      nights=tuple(d.isoformat() for d in track.seen)),
            )
        return self.finding(ctx, Verdict.PASS, f"栏目中的名单均按要求保留（{keep}）",
                            evidence=EarlyRemoval(required=str(keep)))

    @staticmethod
    def _start(nights: ItemNights, track: Track) -> date | None:
        """The earliest the entry can have been published: the date it claims, else the day after the last
        night that read the list without it; None when neither is known (a gap, or the history's start)."""
        if track.claimed is not None and track.claimed <= track.first:
            return track.claimed
        before = nights.last_covering_before(track.first, track.claimed)
        return before.as_of + timedelta(days=1) if before else None

    @staticmethod
    def _until(working_days: int | None, to_year_end: bool, start: date) -> date:
        """The first day the entry may be gone."""
        if to_year_end:
            return date(start.year + 1, 1, 1)
        return add_working_days(start, working_days or 0)


_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_DAY = r"(?:(\d{4})\s*[年\-/.]\s*)?(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?"
_NOTICE_RANGE = re.compile(r"公示(?:期|时间)[为是:：\s]*(?:自|从)?\s*" + _DAY + r"[^至到～~—－\-]{0,12}?(?:至|到|～|~|—|－|-)\s*" + _DAY)
_NOTICE_SPAN = re.compile(r"公示(?:期|时间)[为是:：\s]*(?:不少于|不超过)?\s*(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*个?(工作日|天|日)")


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + _NUMERALS.get(text[1:], 0)
    if "十" in text:
        tens, _, units = text.partition("十")
        return _NUMERALS.get(tens, 0) * 10 + _NUMERALS.get(units, 0)
    return _NUMERALS.get(text, 0)


def notice_end(text: str, published: date | None) -> date | None:
    """The last day of the 公示 period a text states: "公示期为2018年10月8日至10月12日", or "公示期5个工作日"
    counted from the publish date; None when it states none."""
    m = _NOTICE_RANGE.search(text)
    if m:
        year = int(m[4] or m[1] or (published.year if published else 0))
        try:
            return date(year, int(m[5]), int(m[6])) if year else None
        except ValueError:
            return None
    m = _NOTICE_SPAN.search(text)
    if m and published is not None:
        n = _number(m[1])
        return add_working_days(published, n) if m[2] == "工作日" else published + timedelta(days=n)
    return None


@dataclass(frozen=True)
class Overstay:
    """Evidence of `privacy.notice-overstay`."""

    notice_ends: date | None = None
    days_over: int = 0
    entries: tuple[str, ...] = ()  # "title | notice ends | url"
    urls: tuple[str, ...] = ()


class NoticeOverstay(Rule):
    """公示名单（如奖学金、助学金、资助名单）载有学生姓名等个人信息，只应在公示期内公开：正文写明的公示期
    （“公示期为……至……”“公示期5个工作日”）结束30天后仍在网上的，为警告，请部门撤下或改为不含个人信息的结果公告
    （教财厅函〔2017〕28号）。需连续多晚检查确认其仍在网上。"""

    id = "privacy.notice-overstay"
    kind = RuleKind.PRIVACY
    severity = Verdict.WARN

    def check(self, ctx: RuleContext) -> Finding | None:
        nights = ctx.nights
        if nights is None or not ctx.item.privacy_sensitive or not nights.tonight.read or not _has_history(nights):
            return None
        grace = ctx.nightly.notice_overstay_days
        over: list[tuple[Edition, date]] = []
        stated = 0
        for edition in ctx.editions:
            text = " ".join([edition.title, *(p.text for p in edition.pages if p.status.has_content)])
            end = notice_end(text, _claimed(edition))
            if end is None:
                continue
            stated += 1
            if (ctx.as_of - end).days > grace:
                over.append((edition, end))
        if over:
            e, end = over[0]
            days = (ctx.as_of - end).days
            shown = _listing([f"《{x.title}》公示期至{d}" for x, d in over])
            return self.finding(
                ctx, Verdict.WARN,
                f"{len(over)}份公示名单在公示期结束{grace}天后仍在网上（含个人信息）：{shown}；最久的已过{days}天，"
                "请撤下名单或改为不含个人信息的结果公告",
                url=e.url,
                evidence=Overstay(notice_ends=end, days_over=days,
                                  entries=tuple(f"{x.title} | {d} | {x.url}" for x, d in over),
                                  urls=tuple(x.url for x, _ in over)),
            )
        if not stated:
            return None
        return self.finding(ctx, Verdict.PASS, f"写明公示期的{stated}份名单均未超期公开")


RULES: tuple[Rule, ...] = (KeptPublic(), BackDated(), NoticeOverstay())

__all__ = ["RULES", "BackDated", "KeptPublic", "NoticeOverstay", "notice_end"]
