"""The records of a drafted catalogue: the columns found, and for each item its match and doubts.

Both ways of drafting (from the site's directory, from an annual report's table) end in a `Draft`,
which one writer turns into catalogue YAML and one table shows to the person who will review it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["UNSURE_BELOW", "Candidate", "Column", "Draft", "ItemDraft"]

# Below this confidence an item is shown among the uncertain ones and its file entry says so.
UNSURE_BELOW = 0.6


@dataclass(frozen=True)
class Column:
    """A column (栏目) of the directory as the crawl found it."""

    url: str
    label: str  # its name where the directory lists it
    category: str = ""  # the heading or menu entry it sits under
    headings: tuple[str, ...] = ()  # what its own page calls it (breadcrumb tail, title)
    departments: tuple[str, ...] = ()  # named by the directory or the page
    depth: int = 0  # links from the start page to the page that first listed it
    listed_on: int = 1  # how many pages list it (menus repeat; an article's link rarely does)


@dataclass(frozen=True)
class Candidate:
    """One column considered for an item, with its score (0–1)."""

    url: str
    label: str
    score: float
    category: str = ""


@dataclass(frozen=True)
class ItemDraft:
    """One item of the 清单 in the draft: its column(s) if found, how sure, and what else was close."""

    number: int
    wording: str
    chosen: tuple[Candidate, ...]  # empty: left for the user (a TODO in the file)
    confidence: float  # 0–1
    runners_up: tuple[Candidate, ...] = ()
    departments: tuple[str, ...] = ()
    note: str = ""  # why it is unsure, in a few words

    @property
    def mapped(self) -> bool:
        return bool(self.chosen)

    @property
    def unsure(self) -> bool:
        return not self.chosen or self.confidence < UNSURE_BELOW


@dataclass(frozen=True)
class Draft:
    """A whole drafted catalogue, not yet reviewed."""

    site_id: str
    name: str
    home: str
    allowed_hosts: tuple[str, ...]
    checklist_version: str
    source: str  # what it was drafted from: a URL or a report file
    items: tuple[ItemDraft, ...]
    departments: tuple[str, ...] = ()  # every department named, in order of first appearance
    notes: tuple[str, ...] = field(default=())  # things the reviewer should know (pages unreadable, …)

    @property
    def mapped(self) -> int:
        return sum(1 for it in self.items if it.mapped)
