"""What every rule shares: the context it judges, the `Rule` base class, and how editions are dated.

A rule is a class with an id (`presence.catalogue-reachable`), a kind, a severity (the worst verdict it
can give) and a docstring that the scorecard prints as its explanation. `check` returns one finding, or
None when the rule does not apply to the item (no required terms, or nothing readable to judge: the
presence rules already say why). Rules never touch the network or the store: they read `RuleContext`.
"""

from __future__ import annotations

import abc
import inspect
from dataclasses import dataclass, field, fields
from datetime import date
from functools import cached_property
from typing import Any, ClassVar, Protocol

from auditor.calendar import add_working_days
from auditor.editions import edition_year, found_label, period_label
from auditor.evidence import Edition, ItemEvidence
from auditor.models import Finding, RuleKind, Verdict
from auditor.nights import ItemNights
from checklist.model import Cycle, Item, MonthDay, NightlyPolicy, SiteItem

#: ANNUAL items without a span of their own: about 13 months (DOMAIN.md, "latest edition at most ~13 months old").
DEFAULT_ANNUAL_MAX_AGE_DAYS = 395
#: EVENT items without a span of their own: the 6 months 国办 allows notice and policy columns.
DEFAULT_EVENT_MAX_AGE_DAYS = 183


def cn_date(d: date) -> str:
    """A date as a clerk writes it: 2018年10月31日."""
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class RuleContext:
    """One item of one run, with its 清单 entry, the university's catalogue entry and the as-of date."""

    item: Item
    site_item: SiteItem
    evidence: ItemEvidence
    as_of: date
    grace_working_days: int = 20  # the 清单: publish within 20 working days of the information arising
    nights: ItemNights | None = None  # the column over the nights kept (None: judged without history)
    nightly: NightlyPolicy = field(default_factory=NightlyPolicy)

    @property
    def name(self) -> str:
        """How messages name one edition of the item."""
        return self.item.edition_name or self.item.short_name

    @property
    def url(self) -> str:
        return self.site_item.urls[0] if self.site_item.urls else ""

    @property
    def deadline(self) -> MonthDay | None:
        """The university's own deadline wins over the 清单's default."""
        return self.site_item.deadline or self.item.deadline

    @property
    def max_age_days(self) -> int:
        span = self.site_item.max_age_days or self.item.max_age_days
        if span:
            return span
        return DEFAULT_EVENT_MAX_AGE_DAYS if self.item.cycle is Cycle.EVENT else DEFAULT_ANNUAL_MAX_AGE_DAYS

    @property
    def has_deadline(self) -> bool:
        return self.item.cycle in (Cycle.ANNUAL_DEADLINE, Cycle.ADMISSIONS) and self.deadline is not None

    @cached_property
    def shared(self) -> dict[str, Any]:
        """Views of the evidence that several rules derive alike (links.*: the item's link targets), kept
        by the first rule that builds one: a 100,000-link column is walked once, not once a rule."""
        return {}

    # -- editions -----------------------------------------------------------------------------------

    @cached_property
    def editions(self) -> tuple[Edition, ...]:
        """Editions that existed on the as-of day: rejudging a stored run for an earlier day must not
        count what was published after it."""
        return tuple(
            e for e in self.evidence.editions() if e.published is None or e.published.value <= self.as_of
        )

    def year_of(self, edition: Edition) -> int | None:
        """The year Y whose edition this is, by its title; None when the title names no period."""
        return edition_year(edition.period, self.item.period) if edition.period else None

    def deadline_in(self, year: int) -> date:
        assert self.deadline is not None
        return self.deadline.in_year(year)

    def grace_end(self, year: int) -> date:
        """The last day an edition for year Y counts as on time: the deadline + 20 working days."""
        return add_working_days(self.deadline_in(year), self.grace_working_days)

    @property
    def due_year(self) -> int:
        """Once the deadline of this year has passed the edition for this year is due, before it last year's."""
        year = self.as_of.year
        return year if self.as_of > self.deadline_in(year) else year - 1

    def covers(self, edition: Edition, year: int) -> bool:
        """Whether an edition is the one for year Y (or newer): by its title, else by its date.

        A date-only edition counts for Y when it appeared after last year's edition was due (deadline of
        Y-1 plus the grace), so last year's late report is not mistaken for this year's."""
        titled = self.year_of(edition)
        if titled is not None:
            return titled >= year
        if edition.published is not None:
            return edition.published.value > self.grace_end(year - 1)
        return False

    def sort_key(self, edition: Edition) -> tuple[int, date]:
        titled = self.year_of(edition)
        published = edition.published.value if edition.published else date.min
        return (titled if titled is not None else published.year, published)

    @property
    def latest(self) -> Edition | None:
        """The newest edition by its period, then by its date (ties: first listed)."""
        best: Edition | None = None
        for e in self.editions:
            if best is None or self.sort_key(e) > self.sort_key(best):
                best = e
        return best

    @property
    def current_edition(self) -> Edition | None:
        """The edition the freshness rule accepts as current (due year's for deadline items, else the
        newest); None for standing items or when none is there."""
        if self.item.cycle is Cycle.STANDING:
            return None
        if not self.has_deadline:
            return self.latest
        due = self.due_year
        exact = [e for e in self.editions if self.year_of(e) == due]
        if exact:
            return exact[0]
        covering = [e for e in self.editions if self.covers(e, due)]
        return covering[0] if covering else None

    def describe(self, edition: Edition) -> str:
        """An edition as a clerk recognises it: its period (or title) and its date, e.g. "2015~2016学年（2016-10-28）"."""
        label = found_label(edition.period) if edition.period else (edition.title or edition.url)
        when = edition.published.value.isoformat() if edition.published else "无发布日期"
        return f"{label}（{when}）"

    def due_label(self, year: int) -> str:
        return period_label(year, self.item.period)


class EvidenceRecord(Protocol):
    """A rule's evidence: a frozen dataclass of its own, whose fields are ints (counts), dates, strings
    or tuples of strings (URLs, lines)."""

    __dataclass_fields__: ClassVar[dict[str, Any]]


def evidence_fields(record: EvidenceRecord | None) -> dict[str, str]:
    """The one serialisation of evidence into the findings contract's string map: counts as digits,
    dates as YYYY-MM-DD, lists one entry per line; empty fields left out (a zero count is kept)."""
    out: dict[str, str] = {}
    if record is None:
        return out
    for f in fields(record):
        value = getattr(record, f.name)
        if value is None or value == "" or value == ():
            continue
        if isinstance(value, tuple):
            out[f.name] = "\n".join(str(v) for v in value)
        elif isinstance(value, date):
            out[f.name] = value.isoformat()
        else:
            out[f.name] = str(value)
    return dict(sorted(out.items()))


class Documented:
    """A named check whose docstring is its explanation for the people who read the findings."""

    id: ClassVar[str]
    kind: ClassVar[RuleKind]
    severity: ClassVar[Verdict]  # the worst verdict the rule can give
    #: Some of its failures are 单项否决 (veto): each such finding says so itself (`Finding.veto`).
    veto: ClassVar[bool] = False

    @classmethod
    def explanation(cls) -> str:
        """The docstring, printed on the scorecard beside the rule's findings (one paragraph: Chinese
        text wrapped in the source must not gain spaces)."""
        return "".join(line.strip() for line in inspect.cleandoc(cls.__doc__ or "").splitlines())


class Rule(Documented, abc.ABC):
    """A named, documented check of one item; subclasses set the class attributes and `check`."""

    #: Judged even when the column is missing or unreadable (the engine stops the others there): a rule
    #: about the column being missing.
    judges_missing_column: ClassVar[bool] = False

    @abc.abstractmethod
    def check(self, ctx: RuleContext) -> Finding | None:
        """Judge one item; None when the rule does not apply."""

    def finding(self, ctx: RuleContext, status: Verdict, message: str, *, url: str = "",
                evidence: EvidenceRecord | None = None, veto: bool = False) -> Finding:
        assert not veto or (self.veto and status is Verdict.FAIL), "only a veto rule's failure is a veto"
        return Finding(
            item=ctx.item.number,
            kind=self.kind,
            rule=self.id,
            status=status,
            message=message,
            url=url or ctx.url,
            evidence=evidence_fields(evidence),
            veto=veto,
        )
