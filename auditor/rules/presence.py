"""Presence: the column the catalogue names opens, is not blank, and its articles open.

An unreachable or blank column is the first thing an inspector sees (国办: 空白栏目 is a fault of its own;
21世纪教育研究院 scored an unfindable column 0). A failure of the site or the network is not the
department's fault: it makes the verdict inconclusive, never fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlsplit

from auditor.evidence import Unread, url_key
from auditor.models import BLANK_COLUMN, Fault, Finding, Page, PageKind, PageRole, RuleKind, Verdict
from auditor.nights import ItemNights, Night
from auditor.rules.base import Rule, RuleContext, cn_date

#: A page with a placeholder and little else is blank; a long article merely mentioning 建设中 is not.
PLACEHOLDER_PAGE_MAX_CHARS = 200
#: Fewer visible characters than this and no attachment: nothing is published.
MIN_ARTICLE_CHARS = 10
_HOME_PATHS = frozenset({"", "/", "/index.htm", "/index.html", "/index.jsp", "/index.php", "/main.htm",
                         "/default.htm", "/default.aspx"})
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ColumnAddress:
    """presence.catalogue-reachable: the column's addresses and how they answered."""

    urls: tuple[str, ...]
    redirects: tuple[str, ...] = ()
    http_status: int | None = None
    final_url: str = ""
    not_checked_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColumnContent:
    """presence.not-blank: what the column shows."""

    entries: int | None = None
    snippet: str = ""
    kind: str = ""
    set_aside: tuple[str, ...] = ()  # list pages whose entries were the site's template


@dataclass(frozen=True)
class ArticleCheck:
    """presence.details-reachable: the column's articles opened."""

    checked: int
    broken: int
    not_checked: int | None = None  # articles the site or the network kept from us
    urls: tuple[str, ...] = ()
    partial: str = ""  # the list rows the crawl's per-page bound left out


@dataclass(frozen=True)
class Declared:
    """presence.declared-absence and presence.site-outage: why the item is not judged."""

    reason: str
    until: date | None = None


def describe_failure(page: Page) -> str:
    """What went wrong with a fetch, in words a clerk can repeat to the web team."""
    if page.http_status:
        return f"HTTP {page.http_status}"
    return {
        "timeout": "连接超时",
        "refused": "连接被拒绝",
        "dns": "域名无法解析",
        "tls": "证书或加密连接错误",
        "waf": "被网站防火墙拦截",
        "redirect-loop": "重定向循环或次数过多",
        "blocked": "内网或本机地址，为安全起见未访问",
        "robots": "robots.txt 禁止访问",
        "offsite": "不在允许检查的域名内",
        "bounded": "超出本次抓取范围",
        "too-large": "文件过大未下载",
        "network": "网络错误",
    }.get(page.status.value, page.status.value)


def _redirected_home(page: Page) -> bool:
    if not page.redirects or not page.final_url:
        return False
    return urlsplit(page.final_url).path in _HOME_PATHS and urlsplit(page.url).path not in _HOME_PATHS


class CatalogueReachable(Rule):
    """信息公开目录所列的栏目地址应能正常打开。
    返回 404、410 等错误或被重定向到网站首页，视为栏目缺失（不合格）；网站或网络故障（超时、防火墙拦截）
    只记为“无法判定”，不扣分。"""

    id = "presence.catalogue-reachable"
    kind = RuleKind.PRESENCE
    severity = Verdict.FAIL

    def check(self, ctx: RuleContext) -> Finding:
        if not ctx.site_item.urls:
            return self.finding(ctx, Verdict.FAIL, f"信息公开目录未给出“{ctx.item.short_name}”的栏目地址；"
                                "请设置栏目并在目录中登记地址")
        fetched = {url_key(p.url): p for p in ctx.evidence.catalogue}
        broken: list[Page] = []
        blocked: list[Page] = []
        unfetched: list[str] = []
        moved_home: list[Page] = []
        for url in ctx.site_item.urls:
            page = fetched.get(url_key(url))
            if page is None:
                unfetched.append(url)
            elif page.status.has_content:
                if _redirected_home(page):
                    moved_home.append(page)
            elif page.fault is Fault.DEPARTMENT:
                broken.append(page)
            else:
                blocked.append(page)
        evidence = ColumnAddress(
            urls=ctx.site_item.urls,
            redirects=tuple(f"{p.url} → {' → '.join(p.redirects)} → {p.final_url}" for p in ctx.evidence.catalogue
                            if p.redirects),
        )
        n = len(ctx.site_item.urls)
        if broken or moved_home:
            first = (broken or moved_home)[0]
            if broken:
                evidence = replace(evidence, http_status=first.http_status)
                what = f"栏目地址无法打开（{describe_failure(first)}）：{first.url}"
            else:
                evidence = replace(evidence, final_url=first.final_url)
                what = f"栏目地址被重定向到网站首页（{first.url} → {first.final_url}），栏目可能已撤销"
            bad = len(broken) + len(moved_home)
            status = Verdict.FAIL if bad == n else Verdict.WARN
            tail = "；请恢复该栏目，或在信息公开目录中更新为现在的地址"
            if status is Verdict.WARN:
                tail = f"（共{n}个地址，其中{bad}个失效）" + tail
            return self.finding(ctx, status, what + tail, url=first.url, evidence=evidence)
        if blocked or unfetched:
            reason = describe_failure(blocked[0]) if blocked else "本次未抓取"
            url = blocked[0].url if blocked else unfetched[0]
            if len(blocked) + len(unfetched) == n:
                return self.finding(ctx, Verdict.INCONCLUSIVE,
                                    f"栏目暂时无法检查（{reason}）：{url}；可能是网站或网络故障，本次不判定",
                                    url=url, evidence=evidence)
            evidence = replace(evidence, not_checked_urls=(*(p.url for p in blocked), *unfetched))
        message = "栏目可以正常打开"
        if any(hop.split(" ", 1)[0] in ("301", "308") for p in ctx.evidence.catalogue for hop in p.redirects):
            message += f"（经过重定向，现地址 {ctx.evidence.catalogue[0].final_url or ctx.url}；建议在目录中更新）"
        return self.finding(ctx, Verdict.PASS, message, evidence=evidence)


def _visible(text: str) -> str:
    return _SPACE.sub("", text)


def _blank_reason(ctx: RuleContext, page: Page) -> str | None:
    """Why one readable catalogue page publishes nothing, or None if it publishes something."""
    text = _visible(page.text)
    if len(text) <= PLACEHOLDER_PAGE_MAX_CHARS:
        word = BLANK_COLUMN.search(text)
        if word:
            return f"栏目仅显示“{word.group(0)}”"
    if page.kind is PageKind.EMPTY:
        return "栏目为空"
    if page.kind is PageKind.LIST:
        return "栏目列表中没有任何条目"
    if page.kind is PageKind.FILE:
        return None if text else "文件中没有可读取的内容"
    if len(text) < MIN_ARTICLE_CHARS and not ctx.evidence.attachments_of(page.url):
        return "栏目页面没有正文"
    return None


@dataclass(frozen=True)
class GoneNights:
    """presence.column-gone: the nights the column's address answered 404/410, running up to tonight."""

    nights: int = 0  # how many consecutive nights, tonight included
    veto_at: int = 0
    since: date | None = None  # the first of those nights
    gap: date | None = None  # the night before them that the audit could not read (no blame across it)


def _gone_on(night: Night, keys: frozenset[str]) -> bool:
    return bool(keys) and keys <= night.gone


class ColumnGone(Rule):
    """栏目地址连续3晚（晚数可在学校目录文件中设置）返回404或410（页面不存在），说明栏目已被撤销而非偶然故障，
    为单项否决：该事项的牵头部门和整个网站不论得分多少均评定为不合格。每一晚都须实际检查到该地址并得到404或410；
    中间有未检查或因网站、网络故障未能打开的夜晚，不跨越空缺连续计算，只记为“无法判定”。"""

    id = "presence.column-gone"
    kind = RuleKind.PRESENCE
    severity = Verdict.FAIL
    veto = True
    judges_missing_column = True

    def check(self, ctx: RuleContext) -> Finding | None:
        nights: ItemNights | None = ctx.nights
        keys = frozenset(url_key(u) for u in ctx.site_item.urls)
        if nights is None or not nights.nights or not _gone_on(nights.tonight, keys):
            return None  # the column answers (or was not asked tonight): nothing to count
        limit = ctx.nightly.gone_nights_veto
        run: list[Night] = []
        gap: date | None = None  # the night that stopped the count without answering: no blame across it
        while len(run) < limit:
            day = nights.tonight.as_of - timedelta(days=len(run))
            night = nights.night(day)
            if night is not None and _gone_on(night, keys):
                run.append(night)
                continue
            if night is None or not night.read:
                gap = day  # no audit that night, or the column could not be read (a fault, not an answer)
            break  # the column answered with content that night: it was there
        since = run[-1].as_of
        evidence = GoneNights(nights=len(run), veto_at=limit, since=since, gap=gap)
        if len(run) >= limit:
            return self.finding(ctx, Verdict.FAIL,
                                f"栏目地址自{cn_date(since)}起连续{len(run)}晚返回404/410（页面不存在），栏目已不存在："
                                f"单项否决；请立即恢复该栏目，或在信息公开目录中更新为现在的地址",
                                evidence=evidence, veto=True)
        if gap is not None and len(nights.nights) > 1:  # the first audit of a site says nothing yet
            why = ("此前没有检查记录" if gap < nights.nights[0].as_of
                   else f"{cn_date(gap)}的检查记录有空缺（未检查或未能打开栏目）")
            return self.finding(ctx, Verdict.INCONCLUSIVE,
                                f"栏目地址已连续{len(run)}晚返回404/410；{why}，无法确定是否已连续{limit}晚，不作单项否决",
                                evidence=evidence)
        return None  # fewer nights than the veto needs: the reachability finding says the rest


class NotBlank(Rule):
    """栏目不得为空白栏目：没有任何条目或正文，或只显示“暂无内容”“正在建设”“敬请期待”等字样，视为未公开（不合格）。"""

    id = "presence.not-blank"
    kind = RuleKind.PRESENCE
    severity = Verdict.FAIL

    def check(self, ctx: RuleContext) -> Finding | None:
        readable = ctx.evidence.readable_catalogue
        if not readable:
            return None
        if ctx.evidence.entries:
            cut = ctx.evidence.unread.entries
            count = len(ctx.evidence.entries) + (cut.found - cut.kept if cut is not None else 0)
            return self.finding(ctx, Verdict.PASS, f"栏目共有{count}条内容",
                                evidence=ColumnContent(entries=count))
        if ctx.evidence.set_aside:
            # The only list we read on the column is one the site repeats on many pages: a sidebar, not
            # the column's own. Whether the column has content of its own we cannot tell.
            url = ctx.evidence.set_aside[0]
            return self.finding(
                ctx, Verdict.INCONCLUSIVE,
                f"栏目页面上读到的条目与网站其他多个页面完全相同（疑为侧栏或导航），无法确认本栏目自己的内容，本次不判定："
                f"{url}；可在信息公开目录中为该栏目设置条目选择器（selectors）",
                url=url, evidence=ColumnContent(set_aside=ctx.evidence.set_aside))
        reasons = [(p, _blank_reason(ctx, p)) for p in readable]
        blank = [(p, r) for p, r in reasons if r is not None]
        if len(blank) < len(readable):
            return self.finding(ctx, Verdict.PASS, "栏目有正文内容")
        page, reason = blank[0]
        snippet = _visible(page.text)[:80]
        return self.finding(
            ctx, Verdict.FAIL,
            f"空白栏目：{reason}（{page.url}）；请发布“{ctx.item.short_name}”的内容，"
            "确属本期无此类信息的，请在栏目中说明并在信息公开目录中登记",
            url=page.url, evidence=ColumnContent(snippet=snippet, kind=page.kind.value),
        )


class DetailsReachable(Rule):
    """栏目中的文章应能打开：部分文章链接失效为警告，大多数（超过一半）或全部失效为不合格。
    附件（PDF、Word 等）由“链接”类规则检查。栏目列表超出本工具每页记录上限时，已检查的文章均可打开的记为
    “无法判定”；“大多数失效”按列表全部条目计算。"""

    id = "presence.details-reachable"
    kind = RuleKind.PRESENCE
    severity = Verdict.FAIL

    def check(self, ctx: RuleContext) -> Finding | None:
        if not ctx.evidence.has_content:
            return None
        targets: dict[str, Page] = {}
        for e in ctx.evidence.entries:
            page = ctx.evidence.page(e.url)
            if page is not None and page.role is PageRole.DETAIL:
                targets.setdefault(e.url, page)
        if not targets:
            return None
        broken = [p for p in targets.values() if p.fault is Fault.DEPARTMENT]
        blocked = [p for p in targets.values() if p.fault is Fault.SITE]
        judged = [p for p in targets.values() if p.status.has_content or p.fault is Fault.DEPARTMENT]
        cut = ctx.evidence.unread.entries
        partial = Unread(entries=cut).words() if cut is not None else ""
        evidence = ArticleCheck(checked=len(judged), broken=len(broken), not_checked=len(blocked) or None,
                                partial=partial)
        if not judged and not blocked:
            return None  # articles elsewhere (WeChat) or beyond the crawl's bounds: nothing to say
        if not judged:
            return self.finding(ctx, Verdict.INCONCLUSIVE,
                                f"栏目中的{len(blocked)}篇文章暂时无法打开（{describe_failure(blocked[0])}），"
                                "可能是网站或网络故障，本次不判定", url=blocked[0].url, evidence=evidence)
        if not broken and partial:
            return self.finding(ctx, Verdict.INCONCLUSIVE,
                                f"{partial}；已检查的{len(judged)}篇文章均可打开，本次不判定"
                                "（超出本工具的每页检查上限，不是栏目的问题）", evidence=evidence)
        if not broken:
            return self.finding(ctx, Verdict.PASS, f"栏目中的{len(judged)}篇文章均可打开", evidence=evidence)
        evidence = replace(evidence, urls=tuple(f"{describe_failure(p)} {p.url}" for p in broken))
        # "Most of the articles" is a claim about the whole list: with rows left out it holds only when the
        # broken ones are most of all the rows the list had.
        whole = len(judged) + (cut.found - cut.kept if cut is not None else 0)
        status = Verdict.FAIL if len(broken) * 2 > whole else Verdict.WARN
        return self.finding(
            ctx, status,
            f"栏目中{len(broken)}/{len(judged)}篇文章无法打开（如 {broken[0].url}，{describe_failure(broken[0])}）"
            f"{f'（{partial}）' if partial else ''}；请恢复文章或删除失效条目",
            url=broken[0].url, evidence=evidence,
        )


class DeclaredAbsence(Rule):
    """学校在信息公开目录中声明“本期无此类信息”并写明理由和有效期的事项，有效期内视为合格、不再检查；
    有效期过后按常规检查，并注明声明已过期。"""

    id = "presence.declared-absence"
    kind = RuleKind.PRESENCE
    severity = Verdict.PASS

    def active(self, ctx: RuleContext) -> bool:
        absent = ctx.site_item.absent
        return absent is not None and absent.until >= ctx.as_of

    def check(self, ctx: RuleContext) -> Finding | None:
        absent = ctx.site_item.absent
        if absent is None:
            return None
        evidence = Declared(reason=absent.reason, until=absent.until)
        if self.active(ctx):
            return self.finding(ctx, Verdict.PASS,
                                f"已声明本期无此类信息：{absent.reason}（有效期至{cn_date(absent.until)}）",
                                evidence=evidence)
        return self.finding(ctx, Verdict.PASS,
                            f"所声明的“本期无此类信息”（{absent.reason}）已于{cn_date(absent.until)}到期，本事项按常规检查；"
                            "如仍无此类信息，请更新声明",
                            evidence=evidence)


class SiteOutage(Rule):
    """几乎所有栏目都因网站或网络故障（超时、拒绝连接、防火墙拦截）无法打开时，整次检查记为“无法判定”，
    所有事项都不判定、不计分，待网站恢复后重新检查。"""

    id = "presence.site-outage"
    kind = RuleKind.PRESENCE
    severity = Verdict.INCONCLUSIVE

    def check(self, ctx: RuleContext) -> Finding:
        page = next((p for p in ctx.evidence.catalogue if not p.status.has_content), None)
        reason = describe_failure(page) if page else "本次未抓取"
        return self.finding(ctx, Verdict.INCONCLUSIVE,
                            f"网站整体无法访问（{reason}），本次检查不作判定、不计分",
                            evidence=Declared(reason=reason))


RULES: tuple[Rule, ...] = (CatalogueReachable(), ColumnGone(), NotBlank(), DetailsReachable())
#: Rules the engine applies itself, before the others: they decide whether the others run at all.
DECLARED_ABSENCE = DeclaredAbsence()
SITE_OUTAGE = SiteOutage()
