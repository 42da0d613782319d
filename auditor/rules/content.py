"""Content: what the item's own wording says must be published is actually there, in the item's column.

"收支预算总表、收入预算表、支出预算表、财政拨款支出预算表" means all four tables; "收费项目、收费依据、收费标准及
投诉方式" means a complaint channel must be named (DOMAIN.md, "Required content"). The terms are data
(`Item.required`). Offices post into the nearest column, so the newest entry is often off-topic: each
required element is looked for across the documents of the column (its entries, their pages and
attachments, the column page itself), and may sit in a different document from the next. Items renewed
by a deadline are the exception: when this period's edition is identified by its title, only this
period's documents count, so last year's complete budget does not make this year's complete. The
finding names the document that holds each element, and the element that none holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from auditor.evidence import Edition, Unread
from auditor.models import Fault, Finding, Page, PageRole, RuleKind, Verdict
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


@dataclass(frozen=True)
class ContentSearch:
    """content.required-terms: where each required element was found, and what none holds."""

    searched: int
    urls: tuple[str, ...] = ()
    found_in: tuple[str, ...] = ()  # "element：“document” (url)", one per element found
    missing: str = ""
    not_checked: int | None = None
    not_checked_urls: tuple[str, ...] = ()
    partial: str = ""  # the list rows the crawl's per-page bound left out


@dataclass(frozen=True)
class _Document:
    """One publication searched as a whole: an entry's page with its attachments, or the column page."""

    title: str
    url: str
    pages: tuple[Page, ...]
    corpus: str

    @classmethod
    def of(cls, title: str, url: str, pages: tuple[Page, ...]) -> _Document:
        readable = [p for p in pages if p.status.has_content]
        text = "\n".join([title, *(p.title for p in readable), *(p.text for p in readable)])
        return cls(title, url, pages, _squash(text))

    @property
    def readable(self) -> bool:
        return any(p.status.has_content for p in self.pages)

    def shown(self) -> str:
        return f"“{self.title or self.url}”（{self.url}）"


def _edition_document(edition: Edition) -> _Document:
    return _Document.of(edition.title, edition.url, edition.pages)


def _column_documents(ctx: RuleContext) -> list[_Document]:
    """Every document of the column: its editions, then the column's own pages (a standing item is often
    the column page itself, and a list page's text holds its entry titles)."""
    docs = [_edition_document(e) for e in ctx.editions]
    shown = {d.url for d in docs}
    for page in ctx.evidence.content_pages:
        if page.url not in shown and page.role in (PageRole.CATALOGUE, PageRole.LIST):
            docs.append(_Document.of(page.title, page.url, (page, *ctx.evidence.attachments_of(page.url))))
    return docs


def _due_documents(ctx: RuleContext) -> tuple[list[_Document], str] | None:
    """This period's documents of an item renewed by a deadline, when its titles identify them."""
    if not ctx.has_deadline:
        return None
    due = ctx.due_year
    exact = [e for e in ctx.editions if ctx.year_of(e) == due]
    if not exact:
        return None
    touched = [e for e in exact if any(
        p.status.has_content or p.fault is Fault.DEPARTMENT or p.fault is Fault.SITE for p in e.pages)]
    if not touched:
        return None
    return [_edition_document(e) for e in touched], f"本期（{ctx.due_label(due)}）"


def _search(rule: TermRule, docs: list[_Document]) -> tuple[dict[str, _Document], tuple[str, ...]]:
    """Which document holds each part of a rule (one per term for ALL, one for the rule otherwise), and
    the parts none holds."""
    if rule.mode is TermMode.ALL:
        found: dict[str, _Document] = {}
        for term in rule.terms:
            holder = next((d for d in docs if _squash(term) in d.corpus), None)
            if holder is not None:
                found[term] = holder
        return found, tuple(t for t in rule.terms if t not in found)
    for d in docs:
        if not missing(rule, d.corpus):
            return {rule.label: d}, ()
    return {}, (rule.label,)


class RequiredTerms(Rule):
    """栏目中应能找到清单规定的内容，例如部门预算须包含收支预算总表、收入预算表、支出预算表和财政拨款支出预算表，
    收费信息须写明投诉方式。各项内容可以分别在栏目的不同文章或附件中；栏目最新一条与本事项无关不影响判定。
    有截止日期的事项只检查本期（标题写明年度的）各篇。缺少任何一项为不合格，并写明缺少哪一项。"""

    id = "content.required-terms"
    kind = RuleKind.CONTENT
    severity = Verdict.FAIL

    def check(self, ctx: RuleContext) -> Finding | None:
        if not ctx.item.required or not ctx.evidence.has_content:
            return None
        due = _due_documents(ctx)
        docs, where = due if due is not None else (_column_documents(ctx), "栏目各篇及附件")
        satisfied: list[str] = []
        gaps: list[str] = []
        for rule in ctx.item.required:
            found, absent = _search(rule, docs)
            satisfied.extend(f"{part}：{doc.shown()}" for part, doc in found.items())
            if not absent:
                continue
            if rule.mode is TermMode.ALL:
                gaps.append(f"{rule.label}（缺少{'、'.join(f'“{t}”' for t in absent)}）")
            else:
                gaps.append(rule.label)
        searched = [d for d in docs if d.readable]
        evidence = ContentSearch(searched=len(searched), urls=tuple(d.url for d in searched),
                                 found_in=tuple(satisfied))
        url = docs[0].url if due is not None and docs else ""
        if not gaps:
            labels = "、".join(r.label for r in ctx.item.required)
            return self.finding(ctx, Verdict.PASS, f"{where}包含规定内容：{labels}", url=url, evidence=evidence)
        missing_text = "；".join(gaps)
        evidence = replace(evidence, missing=missing_text)
        cut = ctx.evidence.unread.entries
        if cut is not None and due is None:
            # What is missing may be in the rows our bound left out (a due edition found by its title is
            # judged on its own documents, which were read).
            words = Unread(entries=cut).words()
            return self.finding(
                ctx, Verdict.INCONCLUSIVE,
                f"{where}（已检查{len(searched)}篇）未找到：{missing_text}；但{words}，本次不判定（不是栏目的问题）",
                url=url, evidence=replace(evidence, partial=words),
            )
        unread = [p for d in docs for p in d.pages if not p.status.has_content]
        if unread and all(p.fault is Fault.SITE for p in unread):
            return self.finding(
                ctx, Verdict.INCONCLUSIVE,
                f"{where}未找到：{missing_text}；但有{len(unread)}个页面或附件因网站或网络故障未能读取，本次不判定",
                url=url, evidence=replace(evidence, not_checked=len(unread), not_checked_urls=tuple(p.url for p in unread)),
            )
        return self.finding(
            ctx, Verdict.FAIL,
            f"{where}（共{len(searched)}篇）未找到清单规定的内容：{missing_text}；请在{ctx.name}栏目中补充",
            url=url, evidence=evidence,
        )


RULES: tuple[Rule, ...] = (RequiredTerms(),)
