"""Privacy: published lists must not expose ID numbers, mobile numbers or bank cards (DOMAIN.md, "Privacy").

No official masking format exists, so the rule flags only what is unmistakably complete: an 18-digit
身份证号 with a plausible region code, a real birth date and a valid GB 11643-1999 check digit; an
11-digit mobile number standing alone; a 16–19 digit card number passing Luhn. Masked forms
(110101********1234, 138****5678) and landlines (010-62332317) pass. An 18-digit ID can also pass
Luhn: it is reported as an ID, never twice. Evidence is shown masked, so the findings file does not
spread what it reports.

Verdicts (our decision, documented in docs/findings.md): an ID or bank-card number fails on any item,
because all personal data in disclosures must be de-identified (国办 2018 政务公开要点), and is a 单项否决
(veto): nobody can mistake it for anything else. A mobile number
fails on privacy-sensitive items (lists of students or applicants) but only warns elsewhere, where it is
most often an office's published contact number.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import date

from auditor.evidence import Unread
from auditor.models import Finding, RuleKind, Verdict
from auditor.rules.base import Rule, RuleContext

_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![\d\-])1[3-9]\d{9}(?!\d|\.\d)")
_CARD = re.compile(r"(?<!\d)[3-69]\d{15,18}(?!\d|\.\d)")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
#: First two digits of a 身份证号: provinces (GB/T 2260), 71 Taiwan, 81–83 residence permits, 91 foreigners.
_REGIONS = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
     61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
)
#: How many masked examples a finding shows.
EXAMPLES = 3


def id_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def is_id_number(s: str, as_of: date) -> bool:
    """A complete, plausible resident ID: region, birth date not after `as_of`, check digit."""
    if len(s) != 18 or not s[:17].isdigit() or int(s[:2]) not in _REGIONS:
        return False
    try:
        born = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > as_of:
        return False
    return id_check_digit(s[:17]) == s[17].upper()


def luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


class Kind(enum.StrEnum):
    ID = "身份证号"
    MOBILE = "手机号"
    CARD = "银行卡号"


def mask(kind: Kind, value: str) -> str:
    """Keep enough to find the number in the file, never enough to use it."""
    if kind is Kind.ID:
        return value[:10] + "******" + value[-2:]
    if kind is Kind.MOBILE:
        return value[:3] + "****" + value[-4:]
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


@dataclass(frozen=True)
class Hit:
    kind: Kind
    masked: str
    url: str


def scan(text: str, url: str, as_of: date) -> list[Hit]:
    """Every unmasked personal number in a text, each reported once under its strongest reading."""
    hits: list[Hit] = []
    ids: set[str] = set()
    for m in _ID.finditer(text):
        if is_id_number(m.group(0), as_of):
            ids.add(m.group(0)[:17])
            hits.append(Hit(Kind.ID, mask(Kind.ID, m.group(0).upper()), url))
    for m in _CARD.finditer(text):
        value = m.group(0)
        if len(value) == 18 and value[:17] in ids:
            continue
        if luhn(value):
            hits.append(Hit(Kind.CARD, mask(Kind.CARD, value), url))
    for m in _MOBILE.finditer(text):
        hits.append(Hit(Kind.MOBILE, mask(Kind.MOBILE, m.group(0)), url))
    return hits


@dataclass(frozen=True)
class PersonalDataFound:
    """privacy.personal-data: what was scanned and what was found (masked examples only)."""

    scanned: int
    count: int | None = None
    id_numbers: int | None = None
    mobiles: int | None = None
    bank_cards: int | None = None
    examples: str = ""
    urls: tuple[str, ...] = ()


class PersonalData(Rule):
    """公开的名单和附件中不得出现完整的身份证号、手机号、银行卡号（学生资助名单只能公布姓名、学校、院系、
    年级、专业、班级）。身份证号、银行卡号在任何事项中出现均为不合格；手机号在涉及个人信息的事项中为不合格，
    在其他事项中为警告（多为办公联系电话，请核实）。已脱敏的号码（如 110101********1234、138****5678）
    和办公座机不受影响。公开完整的身份证号或银行卡号为单项否决：该事项的牵头部门和整个网站不论得分多少均评定为不合格。"""

    id = "privacy.personal-data"
    kind = RuleKind.PRIVACY
    severity = Verdict.FAIL
    veto = True  # an ID or bank-card number: a mobile number may be an office's, so it never vetoes

    def check(self, ctx: RuleContext) -> Finding | None:
        pages = ctx.evidence.content_pages
        if not pages:
            return None
        hits: list[Hit] = []
        for p in pages:
            hits.extend(scan(f"{p.title}\n{p.text}", p.url, ctx.as_of))
        for e in ctx.evidence.entries:
            hits.extend(scan(e.title, e.list_url, ctx.as_of))
        evidence = PersonalDataFound(scanned=len(pages))
        if not hits:
            # A pass names what was scanned; when the crawl's bound left rows out, it says so (no blame
            # follows from a pass, so it need not be withheld).
            unread = ctx.evidence.unread  # rows left out are pages not scanned (links are never scanned)
            partial = Unread(entries=unread.entries).words()
            tail = f"（{partial}）" if partial else ""
            return self.finding(ctx, Verdict.PASS,
                                f"在{len(pages)}个页面及附件中未发现未脱敏的身份证号、手机号或银行卡号{tail}",
                                evidence=evidence)
        counts = {k: sum(1 for h in hits if h.kind is k) for k in Kind}
        urls = list(dict.fromkeys(h.url for h in hits))
        serious = counts[Kind.ID] or counts[Kind.CARD] or ctx.item.privacy_sensitive
        status = Verdict.FAIL if serious else Verdict.WARN
        examples = list(dict.fromkeys(h.masked for h in hits))[:EXAMPLES]
        what = "、".join(f"{k.value}{n}处" for k, n in counts.items() if n)
        evidence = replace(evidence, count=len(hits), id_numbers=counts[Kind.ID], mobiles=counts[Kind.MOBILE],
                           bank_cards=counts[Kind.CARD], examples="；".join(examples), urls=tuple(urls))
        fix = "请删除或脱敏后重新发布（附件须一并替换）" if status is Verdict.FAIL else "如非办公电话，请删除或脱敏"
        return self.finding(
            ctx, status,
            f"在{len(urls)}个页面或附件中发现未脱敏的个人信息：{what}（如 {examples[0]}，见 {urls[0]}）；{fix}",
            url=urls[0], evidence=evidence, veto=bool(counts[Kind.ID] or counts[Kind.CARD]),
        )


RULES: tuple[Rule, ...] = (PersonalData(),)
