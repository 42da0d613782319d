"""Content: what the item's own wording says must be published is actually there.

"收支预算总表、收入预算表、支出预算表、财政拨款支出预算表" means all four tables; "收费项目、收费依据、收费标准及
投诉方式" means a complaint channel must be named (DOMAIN.md, "Required content"). The terms are data
(`Item.required`); this rule searches the item's pages, its attachments (a budget is usually a PDF) and
its entry titles. For items renewed by edition, only the current edition counts when one is identified:
last year's budget containing every table does not make this year's complete.
"""

from __future__ import annotations

import re

from auditor.evidence import department_fault, unreadable_by_site_fault
from auditor.models import Finding, Page, RuleKind, Verdict
from auditor.rules.base import Rule, RuleContext
from checklist.model import TermMode, TermRule

_SPACE = re.compile(r"\s+")


def _squash(text: str) -> str:
    # PDF extraction puts spaces and line breaks between Chinese characters: compare without them
    return _SPACE.sub("", text)


def missing(rule: TermRule, corpus: str) -> tuple[str, ...]:
    """The terms of a TermRule absent from the (squashed) corpus; () when the rule is met."""
    if rule.mode is TermMode.PATTERN:
        found = any(re.search(t, corpus) for t in rule.terms)
        return () if found else (rule.label,)
    absent = tuple(t for t in rule.terms if _squash(t) not in corpus)
    if rule.mode is TermMode.ANY:
        return () if len(absent) < len(rule.terms) else (rule.label,)
    return absent


class RequiredTerms(Rule):
    """页面及附件中应包含清单规定的内容，例如部门预算须包含收支预算总表、收入预算表、支出预算表和
    财政拨款支出预算表，收费信息须写明投诉方式。缺少任何一项为不合格；有定期版本的事项只检查本期内容。"""

    id = "content.required-terms"
    kind = RuleKind.CONTENT
    severity = Verdict.FAIL

    def check(self, ctx: RuleContext) -> Finding | None:
        if not ctx.item.required or not ctx.evidence.has_content:
            return None
        edition = ctx.current_edition
        scope: tuple[Page, ...]
        titles: tuple[str, ...]
        if edition is not None and any(
                p.status.has_content or department_fault(p) or unreadable_by_site_fault(p) for p in edition.pages):
            # an unreadable current edition makes the verdict inconclusive below, not last year's pass
            scope, titles, where = edition.pages, (edition.title,), f"本期“{edition.title}”"
        else:
            scope = ctx.evidence.content_pages
            titles = tuple(e.title for e in ctx.evidence.entries)
            where = "栏目页面及附件"
        readable = [p for p in scope if p.status.has_content]
        corpus = _squash("\n".join([*(p.title for p in readable), *(p.text for p in readable), *titles]))
        gaps: list[str] = []
        for rule in ctx.item.required:
            absent = missing(rule, corpus)
            if not absent:
                continue
            if rule.mode is TermMode.ALL:
                gaps.append(f"{rule.label}（缺少{'、'.join(f'“{t}”' for t in absent)}）")
            else:
                gaps.append(rule.label)
        evidence = {"searched": str(len(readable)), "urls": "\n".join(p.url for p in readable)}
        url = edition.url if edition else ""
        if not gaps:
            labels = "、".join(r.label for r in ctx.item.required)
            return self.finding(ctx, Verdict.PASS, f"{where}包含规定内容：{labels}", url=url, evidence=evidence)
        evidence["missing"] = "；".join(gaps)
        unread = [p for p in scope if not p.status.has_content]
        if unread and all(unreadable_by_site_fault(p) for p in unread) and not any(
                department_fault(p) for p in unread):
            evidence["not_checked"] = "\n".join(p.url for p in unread)
            return self.finding(
                ctx, Verdict.INCONCLUSIVE,
                f"{where}未找到：{evidence['missing']}；但有{len(unread)}个页面或附件因网站或网络故障未能读取，本次不判定",
                url=url, evidence=evidence,
            )
        return self.finding(
            ctx, Verdict.FAIL,
            f"{where}未找到清单规定的内容：{evidence['missing']}；请在{ctx.name}的页面或附件中补充",
            url=url, evidence=evidence,
        )


RULES: tuple[Rule, ...] = (RequiredTerms(),)
