"""Site-level checks: what belongs to the office that runs the disclosure site, never to a department.

The site's own requirements are judged here too, for the office that runs the site (the catalogue's
`site_owner`): five or more blank columns fail the whole site (the veto tier), the university's home
page must lead to the disclosure site within two clicks, and a host failing 5 % of its probes over the
last 7 nights is unreachable.

Every page carries the site's furniture (navigation, menus of sibling columns, breadcrumbs, sidebars,
footers). Its links are checked once per run and reported here, as are links that the content of
several columns repeats (a template block the page reader could not tell from content): a dead link in
the footer is the web office's to mend, and blaming the fifty columns that show it would be wrong.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from auditor.evidence import HomeEvidence, SiteEvidence
from auditor.models import DISCLOSURE_HINT, SITE_ITEM, Fault, Finding, Link, Page, PageCuts, RuleKind, Verdict
from auditor.nights import HostNight
from auditor.rules.base import Documented, EvidenceRecord, evidence_fields
from auditor.rules.links import LinkCheck, Target, listing
from checklist.model import NightlyPolicy

__all__ = ["SITE_ITEM", "SITE_RULES", "HomeEvidence", "SiteContext", "SiteRule"]


@dataclass(frozen=True)
class SiteContext:
    """What the site-level rules judge: tonight's furniture links, the columns judged blank tonight, how
    each host answered over the nights kept, and the home page."""

    evidence: SiteEvidence
    as_of: date
    policy: NightlyPolicy = field(default_factory=NightlyPolicy)
    blank_items: tuple[tuple[int, str], ...] = ()  # (item, short name) of columns judged blank tonight
    hosts: tuple[HostNight, ...] = ()
    home: HomeEvidence | None = None


class SiteRule(Documented, abc.ABC):
    """A documented check of the whole site; a `veto` rule's failure fails the site outright (国办's 单项否决)."""

    @abc.abstractmethod
    def check(self, ctx: SiteContext) -> Finding | None:
        """Judge the site; None when there is nothing to judge."""

    def finding(self, status: Verdict, message: str, *, url: str = "",
                evidence: EvidenceRecord | None = None) -> Finding:
        return Finding(item=SITE_ITEM, kind=self.kind, rule=self.id, status=status, message=message, url=url,
                       evidence=evidence_fields(evidence), veto=self.veto and status is Verdict.FAIL)


class FurnitureLinks(SiteRule):
    """网站公共部分（导航栏、栏目菜单、面包屑、侧栏、页脚等）的链接应有效。这些链接由网站管理部门负责，
    失效时为警告，不计入任何责任部门的得分。"""

    id = "site.furniture-links"
    kind = RuleKind.LINKS
    severity = Verdict.WARN

    def check(self, ctx: SiteContext) -> Finding | None:
        evidence = ctx.evidence
        if not evidence.links:
            return None
        targets = sorted({k.to_url: Target(k.to_url, k.status, k.http_status) for k in evidence.links}.values(),
                         key=lambda t: t.url)
        broken = [t for t in targets if t.broken]
        ok = [t for t in targets if t.ok]
        details = LinkCheck(checked=len(targets), broken=len(broken), urls=tuple(t.shown() for t in broken))
        if broken:
            return self.finding(Verdict.WARN,
                                f"网站公共部分有{len(broken)}个链接无法打开：{listing(broken)}；请网站管理部门修正",
                                url=broken[0].url, evidence=details)
        return self.finding(Verdict.PASS, f"网站公共部分的链接均可打开（共{len(ok)}个）", evidence=details)


@dataclass(frozen=True)
class TlsOptOut:
    """Evidence of `site.tls-verified`: the catalogue's opt-out, kept with the run."""

    verify_tls: str = "false"


class TlsVerified(SiteRule):
    """网站的 HTTPS 证书应有效。证书链有误时，本次检查按目录设置（policy.verify_tls: false）未验证证书，
    检查所依据的页面可能被网络中间人伪造；这是网站管理部门的问题，为警告，不计入任何责任部门的得分。"""

    id = "site.tls-verified"
    kind = RuleKind.LINKS
    severity = Verdict.WARN

    def check(self, ctx: SiteContext) -> Finding | None:
        if not ctx.evidence.tls_unverified:
            return None
        return self.finding(Verdict.WARN,
                            "本次检查未验证网站的 HTTPS 证书（目录设置 policy.verify_tls: false，因证书链有误）："
                            "检查依据的页面可能被伪造；请网站管理部门修复证书后恢复验证",
                            evidence=TlsOptOut())


@dataclass(frozen=True)
class BlankCount:
    """Evidence of `site.blank-columns`."""

    blank: int = 0
    veto_at: int = 0
    items: tuple[str, ...] = ()  # "(N) short name"


class BlankColumns(SiteRule):
    """空白栏目达到5个及以上，整个网站判为不合格（国办网站检查的单项否决指标）。空白栏目指没有任何内容或只显示
    “暂无内容”“正在建设”的栏目，逐个由“栏目不得为空白栏目”规则认定；本条只统计个数，结果由网站管理部门负责，
    单独列出，不计入任何部门得分（各栏目本身的结论仍记在各责任部门名下）。"""

    id = "site.blank-columns"
    kind = RuleKind.PRESENCE
    severity = Verdict.FAIL
    veto = True

    def check(self, ctx: SiteContext) -> Finding | None:
        blank, limit = ctx.blank_items, ctx.policy.blank_columns_veto
        if not blank:
            return None  # nothing to count: each column's own presence finding already says it is there
        names = tuple(f"({n}) {name}" for n, name in blank)
        details = BlankCount(blank=len(blank), veto_at=limit, items=names)
        if len(blank) >= limit:
            return self.finding(Verdict.FAIL, f"网站有{len(blank)}个空白栏目（达到{limit}个即整站不合格）："
                                f"{'、'.join(names)}", evidence=details)
        return self.finding(Verdict.PASS, f"空白栏目{len(blank)}个，未达到整站不合格的{limit}个", evidence=details)


@dataclass(frozen=True)
class Availability:
    """Evidence of `site.availability`: per host, failed/probes over the nights, one line each."""

    nights: int = 0
    probes: int = 0
    failed: int = 0
    share: str = ""  # of the worst host, e.g. "28.6%"
    hosts: tuple[str, ...] = ()  # "host: failed/probes (share), failing nights: dates"


class SiteAvailability(SiteRule):
    """网站应能稳定访问：按国办网站检查标准，最近7晚的检查中，某个主机的访问请求有5%以上因超时、拒绝连接、
    防火墙拦截等失败，即视为网站无法访问，为不合格，由网站管理部门负责。只有一晚故障不足以判定，需攒满7晚的记录才评判；
    页面不存在（404）等栏目自身的问题不计入。"""

    id = "site.availability"
    kind = RuleKind.LINKS
    severity = Verdict.FAIL

    def check(self, ctx: SiteContext) -> Finding | None:
        window = ctx.policy.availability_nights
        days = sorted({h.as_of for h in ctx.hosts})[-window:]
        if len(days) < window:
            return None  # a week of nights first: never judged on one bad night
        lines, worst_share, probes, failed = [], 0.0, 0, 0
        bad: list[str] = []
        for host in sorted({h.host for h in ctx.hosts}):
            rows = [h for h in ctx.hosts if h.host == host and h.as_of in days]
            p, f = sum(h.probes for h in rows), sum(h.failed for h in rows)
            if not p:
                continue
            probes, failed = probes + p, failed + f
            share = f / p
            failing = "、".join(h.as_of.isoformat() for h in rows if h.failed)
            lines.append(f"{host}: {f}/{p} ({share:.1%})" + (f"，故障日期 {failing}" if failing else ""))
            worst_share = max(worst_share, share)
            if share >= ctx.policy.availability_share:
                bad.append(f"{host}（{f}/{p}，{share:.1%}，故障日期 {failing}）")
        details = Availability(nights=len(days), probes=probes, failed=failed, share=f"{worst_share:.1%}",
                               hosts=tuple(lines))
        if bad:
            return self.finding(Verdict.FAIL,
                                f"最近{len(days)}晚（{days[0]}至{days[-1]}）有主机的访问失败率达到"
                                f"{ctx.policy.availability_share:.0%}以上：{'；'.join(bad)}；请网站管理部门排查服务器和防火墙",
                                evidence=details)
        return self.finding(Verdict.PASS, f"最近{len(days)}晚各主机访问失败率均低于{ctx.policy.availability_share:.0%}"
                            f"（{failed}/{probes}）", evidence=details)


@dataclass(frozen=True)
class HomeLink:
    """Evidence of `site.home-link`."""

    home: str = ""
    target: str = ""
    clicks: int = 0
    via: str = ""  # the page one click from the home page that links to the disclosure site
    checked: int = 0  # pages read: the home page and those one click from it


def _same_site(url: str, target: str) -> bool:
    """A link reaches the disclosure site when it points at its host (any path on it)."""
    return (urlsplit(url).hostname or "").lower() == (urlsplit(target).hostname or "").lower()


class HomePageLink(SiteRule):
    """学校主页应能在两次点击之内到达信息公开网（21世纪教育研究院的评估中，从学校主页找不到信息公开栏目的，
    清单部分记0分）。学校主页及其链接到的页面中都没有指向信息公开网的链接，为不合格；学校主页打不开，
    或提到“信息公开”的链接所指页面因网站或网络故障打不开，只记为“无法判定”。"""

    id = "site.home-link"
    kind = RuleKind.PRESENCE
    severity = Verdict.FAIL

    def check(self, ctx: SiteContext) -> Finding | None:
        home = ctx.home
        if home is None or not home.home or home.root is None:
            return None  # no home page configured, or not looked at tonight (a 复核)
        first = home.root
        if not first.status.has_content:
            # Whatever kept the page from us (the network, a firewall, a wrong address in the catalogue),
            # nothing is known about its links: never a finding against the site.
            cause = "网站或网络故障" if first.fault is Fault.SITE else "请核对目录文件中的学校主页地址"
            return self.finding(Verdict.INCONCLUSIVE,
                                f"学校主页 {home.home} 无法打开（{first.http_status or first.status.value}），"
                                f"无法检查它是否链接信息公开网（{cause}）", url=home.home,
                                evidence=HomeLink(home.home, home.target))
        pages = {p.url: p for p in home.pages}
        out = [k for k in home.links if k.from_url == first.url]
        if any(_leads_there(k, pages, home.target) for k in out):
            return self.finding(Verdict.PASS, f"学校主页直接链接信息公开网 {home.target}", url=home.home,
                                evidence=HomeLink(home.home, home.target, clicks=1, checked=1))
        read = [pages[k.to_url] for k in out if k.to_url in pages and pages[k.to_url].status.has_content]
        for page in read:
            if any(_leads_there(k, pages, home.target) for k in home.links if k.from_url == page.url):
                return self.finding(Verdict.PASS, f"从学校主页经“{page.title or page.url}”可到达信息公开网（两次点击）",
                                    url=page.url,
                                    evidence=HomeLink(home.home, home.target, clicks=2, via=page.url,
                                                      checked=1 + len(read)))
        hinted = [k for k in out if k.to_url in pages and pages[k.to_url].fault is Fault.SITE
                  and (DISCLOSURE_HINT.search(k.text) or DISCLOSURE_HINT.search(k.to_url))]
        if hinted:
            # The likeliest way there could not be read: the site may well be two clicks away.
            shown = "；".join(f"“{k.text}” {k.to_url}" for k in hinted[:3])
            return self.finding(Verdict.INCONCLUSIVE, f"学校主页上提到“公开”的链接因网站或网络故障打不开（{shown}），"
                                "无法确认能否从主页到达信息公开网", url=hinted[0].to_url,
                                evidence=HomeLink(home.home, home.target, checked=1 + len(read)))
        cut = PageCuts.of(first).links
        if cut is not None and cut.cut:
            # The reader's bound left part of the home page's links unread: the link may be among them.
            return self.finding(Verdict.INCONCLUSIVE, f"学校主页链接过多，只读取了前{cut.kept}个（共{cut.found}个），"
                                "其中及其链接的页面中没有指向信息公开网的链接；未读部分无法确认", url=home.home,
                                evidence=HomeLink(home.home, home.target, checked=1 + len(read)))
        bounded = f"；{first.error}" if first.error else ""
        return self.finding(Verdict.FAIL, f"学校主页 {home.home} 及其链接的{len(read)}个页面中都没有指向信息公开网"
                            f"（{home.target}）的链接：公众从主页找不到信息公开栏目；请在主页显著位置加上入口{bounded}",
                            url=home.home, evidence=HomeLink(home.home, home.target, checked=1 + len(read)))


def _leads_there(link: Link, pages: dict[str, Page], target: str) -> bool:
    """A link reaches the disclosure site when it points at its host, or lands there after redirects."""
    if _same_site(link.to_url, target):
        return True
    page = pages.get(link.to_url)
    return page is not None and bool(page.final_url) and _same_site(page.final_url, target)


SITE_RULES: tuple[SiteRule, ...] = (
    FurnitureLinks(), TlsVerified(), BlankColumns(), HomePageLink(), SiteAvailability(),
)
