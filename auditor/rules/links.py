"""Links: attachments open, and the links on an item's pages lead somewhere.

A budget whose PDF answers 404 is not published, so a broken attachment fails the item; any other dead
link is an annoyance (warn). Links not checked by choice (robots.txt, hosts outside the catalogue,
crawl bounds) are not broken, and a link that timed out tells nothing about the department: such
failures make the verdict inconclusive only when nothing else can be said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from auditor.evidence import ItemEvidence, Unread
from auditor.models import Fault, FetchStatus, Finding, PageRole, RuleKind, Verdict, fault_of
from auditor.rules.base import Rule, RuleContext

_FILE = re.compile(
    r"(\.(pdf|docx?|xlsx?|wps|et|pptx?|zip|rar|7z|ofd|txt|csv)(\?|#|$))|download\.jsp|DownloadAttachUrl",
    re.IGNORECASE,
)
#: How many broken URLs a message lists before "…"; the evidence keeps all of them.
SHOWN = 3


@dataclass(frozen=True)
class Target:
    """One checked URL: how it answered."""

    url: str
    status: FetchStatus
    http_status: int | None

    @property
    def broken(self) -> bool:
        return fault_of(self.status, self.http_status) is Fault.DEPARTMENT

    @property
    def unknown(self) -> bool:
        return fault_of(self.status, self.http_status) is Fault.SITE

    @property
    def ok(self) -> bool:
        return self.status.has_content

    def shown(self) -> str:
        code = f"HTTP {self.http_status}" if self.http_status else self.status.value
        return f"{code} {self.url}"


def _targets(ctx: RuleContext) -> tuple[dict[str, Target], dict[str, Target]]:
    """Attachments and other link targets of the item's pages, one per URL (the fetched page wins);
    found once an item for both links rules (neither changes them)."""
    found: tuple[dict[str, Target], dict[str, Target]] | None = ctx.shared.get(_TARGETS)
    if found is None:
        found = ctx.shared[_TARGETS] = _find_targets(ctx.evidence)
    return found


_TARGETS = "links.targets"


def _find_targets(ev: ItemEvidence) -> tuple[dict[str, Target], dict[str, Target]]:
    attachments: dict[str, Target] = {}
    others: dict[str, Target] = {}
    for p in ev.role(PageRole.ATTACHMENT):
        attachments[p.url] = Target(p.url, p.status, p.http_status)
    # entries' articles are judged by presence.details-reachable
    details = {e.url for e in ev.entries if (page := ev.page(e.url)) is not None and page.role is PageRole.DETAIL}
    readable = {p.url for p in ev.content_pages}
    for p in ev.role(PageRole.LINKED):
        if p.url not in attachments and p.url not in details:
            others[p.url] = Target(p.url, p.status, p.http_status)
    for link in ev.links:
        if link.from_url not in readable or link.to_url in attachments or link.to_url in details:
            continue
        url = link.to_url
        is_file = _FILE.search(url) is not None or ((page := ev.page(url)) is not None and page.role is PageRole.ATTACHMENT)
        targets = attachments if is_file else others
        if url not in targets:  # the first one wins
            targets[url] = Target(url, link.status, link.http_status)
    return attachments, others


@dataclass(frozen=True)
class LinkCheck:
    """links.*: how the item's attachments or other links answered."""

    checked: int
    broken: int
    not_checked: int | None = None  # the site or the network kept these from us
    skipped: int | None = None  # not checked by choice: robots.txt, other hosts, crawl bounds
    urls: tuple[str, ...] = ()
    partial: str = ""  # what the crawl's per-page bounds left unchecked (auditor.evidence.Unread)


def listing(targets: list[Target]) -> str:
    """The first few broken targets for a message ("…等" when there are more); the evidence keeps all."""
    head = "；".join(t.shown() for t in targets[:SHOWN])
    return head + ("等" if len(targets) > SHOWN else "")


def _judge(rule: Rule, ctx: RuleContext, targets: dict[str, Target], noun: str, bad: Verdict,
           fix: str, partial: str = "") -> Finding:
    """`partial`: what the crawl's bounds left unchecked. A broken target among those checked is still the
    department's (its own column's evidence); but with none broken, a pass would speak for what nobody
    checked, so the verdict is inconclusive and says why."""
    values = sorted(targets.values(), key=lambda t: t.url)
    broken = [t for t in values if t.broken]
    unknown = [t for t in values if t.unknown]
    ok = [t for t in values if t.ok]
    evidence = LinkCheck(checked=len(values), broken=len(broken), not_checked=len(unknown) or None, partial=partial)
    if broken:
        evidence = replace(evidence, urls=tuple(t.shown() for t in broken))
        among = f"（{partial}，以上为已检查部分）" if partial else ""
        return rule.finding(ctx, bad, f"{len(broken)}个{noun}无法打开：{listing(broken)}{among}；{fix}",
                            url=broken[0].url, evidence=evidence)
    if partial:
        checked = f"已检查的{len(ok)}个{noun}均可打开，" if ok else ""
        return rule.finding(ctx, Verdict.INCONCLUSIVE,
                            f"{partial}；{checked}其余{noun}未检查，本次不判定（超出本工具的每页检查上限，不是栏目的问题）",
                            evidence=evidence)
    if unknown and not ok:
        return rule.finding(ctx, Verdict.INCONCLUSIVE,
                            f"{len(unknown)}个{noun}因网站或网络故障未能检查（如 {unknown[0].shown()}），本次不判定",
                            url=unknown[0].url, evidence=evidence)
    skipped = len(values) - len(ok) - len(unknown)
    if skipped:
        evidence = replace(evidence, skipped=skipped)
    message = f"{noun}均可打开（共{len(ok)}个）" if ok else f"没有可检查的{noun}"
    if skipped:
        message += f"（另有{skipped}个位于站外或按规则未检查）"
    return rule.finding(ctx, Verdict.PASS, message, evidence=evidence)


class Attachments(Rule):
    """栏目中的附件（PDF、Word、Excel 等）应能下载；附件失效等于未公开，为不合格。
    栏目列表过长、超出本工具每页记录上限时，未记录条目的附件未检查：已检查的均可下载时记为“无法判定”。"""

    id = "links.attachments"
    kind = RuleKind.LINKS
    severity = Verdict.FAIL

    def check(self, ctx: RuleContext) -> Finding | None:
        if not ctx.evidence.has_content:
            return None
        attachments, _ = _targets(ctx)
        unread = ctx.evidence.unread
        # Files hang off the list's articles: rows not recorded are files not checked.
        partial = Unread(entries=unread.entries).words()
        if not attachments and not partial:
            return None
        return _judge(self, ctx, attachments, "附件", Verdict.FAIL, "请重新上传附件或修正链接", partial)


class BrokenLinks(Rule):
    """栏目页面上的其他链接应有效；失效链接为警告。robots.txt 禁止、站外未检查的链接不算失效；
    因网站或网络故障未能检查的链接只在没有其他结论时记为“无法判定”。
    页面链接过多、超出本工具每页检查上限时，已检查部分没有失效链接的记为“无法判定”，不记为合格。"""

    id = "links.broken-links"
    kind = RuleKind.LINKS
    severity = Verdict.WARN

    def check(self, ctx: RuleContext) -> Finding | None:
        if not ctx.evidence.has_content:
            return None
        _, others = _targets(ctx)
        return _judge(self, ctx, others, "链接", Verdict.WARN, "请修正或删除失效链接", ctx.evidence.unread.words())


RULES: tuple[Rule, ...] = (Attachments(), BrokenLinks())
