"""Site-level checks: what belongs to the office that runs the disclosure site, never to a department.

Every page carries the site's furniture (navigation, menus of sibling columns, breadcrumbs, sidebars,
footers). Its links are checked once per run and reported here, as are links that the content of
several columns repeats (a template block the page reader could not tell from content): a dead link in
the footer is the web office's to mend, and blaming the fifty columns that show it would be wrong.
"""

from __future__ import annotations

from auditor.evidence import SiteEvidence
from auditor.models import Finding, RuleKind, Verdict
from auditor.rules.base import Documented, evidence_fields
from auditor.rules.links import SHOWN, LinkCheck, Target

#: The item number site-level findings are stored under (清单 items are numbered from 1).
SITE_ITEM = 0


class FurnitureLinks(Documented):
    """网站公共部分（导航栏、栏目菜单、面包屑、侧栏、页脚等）的链接应有效。这些链接由网站管理部门负责，
    失效时为警告，不计入任何责任部门的得分。"""

    id = "site.furniture-links"
    kind = RuleKind.LINKS
    severity = Verdict.WARN

    def check(self, evidence: SiteEvidence) -> Finding | None:
        if not evidence.links:
            return None
        targets = sorted({k.to_url: Target(k.to_url, k.status, k.http_status) for k in evidence.links}.values(),
                         key=lambda t: t.url)
        broken = [t for t in targets if t.broken]
        ok = [t for t in targets if t.ok]
        details = LinkCheck(checked=len(targets), broken=len(broken), urls=tuple(t.shown() for t in broken))
        if broken:
            listing = "；".join(t.shown() for t in broken[:SHOWN]) + ("等" if len(broken) > SHOWN else "")
            return Finding(item=SITE_ITEM, kind=self.kind, rule=self.id, status=Verdict.WARN,
                           message=f"网站公共部分有{len(broken)}个链接无法打开：{listing}；请网站管理部门修正",
                           url=broken[0].url, evidence=evidence_fields(details))
        return Finding(item=SITE_ITEM, kind=self.kind, rule=self.id, status=Verdict.PASS,
                       message=f"网站公共部分的链接均可打开（共{len(ok)}个）", evidence=evidence_fields(details))


class TlsVerified(Documented):
    """网站的 HTTPS 证书应有效。证书链有误时，本次检查按目录设置（policy.verify_tls: false）未验证证书，
    检查所依据的页面可能被网络中间人伪造；这是网站管理部门的问题，为警告，不计入任何责任部门的得分。"""

    id = "site.tls-verified"
    kind = RuleKind.LINKS
    severity = Verdict.WARN

    def check(self, evidence: SiteEvidence) -> Finding | None:
        if not evidence.tls_unverified:
            return None
        return Finding(item=SITE_ITEM, kind=self.kind, rule=self.id, status=Verdict.WARN,
                       message="本次检查未验证网站的 HTTPS 证书（目录设置 policy.verify_tls: false，因证书链有误）："
                               "检查依据的页面可能被伪造；请网站管理部门修复证书后恢复验证",
                       evidence={"verify_tls": "false"})


SITE_RULES: tuple[FurnitureLinks | TlsVerified, ...] = (FurnitureLinks(), TlsVerified())
