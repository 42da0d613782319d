"""Score a page extractor against the real CMS corpus (tests/pages/realpages/cms), per CMS.

Importable on its own (no pytest) so that a benchmark can score other readers the same way:

    from tests.realpages import score_corpus
    figures = score_corpus(extract_page)          # {"cqjtu": Figures, "fudan": Figures}

The truth is `truth.json` beside the pages (see its README.md for how it was read). A page's CMS is the
prefix of its file name (cqjtu = 博达 VSB, fudan = 南京苏迪 WebPlus), so that a reader strong on one
template cannot hide a weakness on the other behind an average.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.models import PageKind
from spiders.extract import PageExtract

CORPUS = Path(__file__).resolve().parent / "pages" / "realpages" / "cms"
CMS_NAMES = {"cqjtu": "重庆交通大学 (博达 VSB)", "fudan": "复旦大学 计算机学院 (WebPlus)"}

Extractor = Callable[[str, str], PageExtract]

_WS = re.compile(r"[\s\xa0\u3000\u200b\u2002\u2003]+")


def norm_title(text: str) -> str:
    """Titles compare after whitespace (including ideographic and zero-width spaces) is collapsed."""
    return _WS.sub(" ", text).strip()


@dataclass
class Ratio:
    """Right out of checked, with the files that went wrong (for the failure message)."""

    right: int = 0
    checked: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, ok: bool, name: str, why: str = "") -> None:
        self.checked += 1
        if ok:
            self.right += 1
        else:
            self.wrong.append(f"{name}: {why}" if why else name)

    @property
    def share(self) -> float:
        return self.right / self.checked if self.checked else 1.0

    def __str__(self) -> str:
        return f"{self.right}/{self.checked} ({100 * self.share:.1f}%)"


@dataclass
class Figures:
    """One CMS's scores; each Ratio counts only the pages where the truth says something."""

    pages: int = 0
    kind: Ratio = field(default_factory=Ratio)
    title: Ratio = field(default_factory=Ratio)  # article pages
    date: Ratio = field(default_factory=Ratio)  # article pages
    entries: Ratio = field(default_factory=Ratio)  # list pages: the exact set of (title, url, date)
    next_page: Ratio = field(default_factory=Ratio)  # list pages
    total_pages: Ratio = field(default_factory=Ratio)  # list pages whose truth prints a total
    attachments: Ratio = field(default_factory=Ratio)  # article pages whose truth lists attachments
    seconds: float = 0.0

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.seconds / self.pages if self.pages else 0.0

    def rows(self) -> Iterator[tuple[str, Ratio]]:
        yield from (
            ("kind", self.kind),
            ("title", self.title),
            ("date", self.date),
            ("entries", self.entries),
            ("next page", self.next_page),
            ("total pages", self.total_pages),
            ("attachments", self.attachments),
        )


def load_truth() -> dict[str, dict[str, Any]]:
    truth: dict[str, dict[str, Any]] = json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))
    return truth


def cms_of(name: str) -> str:
    return name.split("_", 1)[0]


def _entry_key(title: str, url: str, day: str) -> tuple[str, str, str]:
    return norm_title(title), url, day


def score_page(name: str, truth: dict[str, Any], x: PageExtract, figures: Figures) -> None:
    """Add one page's outcome to its CMS's figures."""
    want = PageKind.LIST if truth["kind"] == "list" else PageKind.ARTICLE
    figures.kind.add(x.kind is want, name, f"read as {x.kind.name}")
    if want is PageKind.ARTICLE:
        figures.title.add(
            norm_title(x.title) == norm_title(truth["title"]), name, f"{x.title!r} != {truth['title']!r}"
        )
        got = x.publish_date.value.isoformat() if x.publish_date else None
        figures.date.add(got == truth["publish_date"], name, f"{got} != {truth['publish_date']}")
        if truth.get("attachments"):
            want_urls = {a["url"] for a in truth["attachments"]}
            got_urls = {a.url for a in x.attachments} | {e.url for e in x.embedded}
            figures.attachments.add(
                want_urls == got_urls,
                name,
                f"missing {sorted(want_urls - got_urls)[:2]}, extra {sorted(got_urls - want_urls)[:2]}",
            )
        return
    wanted = {_entry_key(e["title"], e["url"], e["date"]) for e in truth["entries"]}
    got_entries = {_entry_key(e.title, e.url, e.date.isoformat() if e.date else "") for e in x.entries}
    figures.entries.add(
        wanted == got_entries,
        name,
        f"missing {sorted(wanted - got_entries)[:2]}, extra {sorted(got_entries - wanted)[:2]}",
    )
    got_next = x.next_pages[0] if x.next_pages else None
    figures.next_page.add(got_next == truth["next_page"], name, f"{got_next} != {truth['next_page']}")
    if truth.get("total_pages"):
        figures.total_pages.add(
            x.total_pages == truth["total_pages"], name, f"{x.total_pages} != {truth['total_pages']}"
        )


def score_corpus(extract: Extractor, repeat: int = 1) -> dict[str, Figures]:
    """Run `extract(html, url)` over every page of the corpus and score it per CMS.

    The time counts only the calls to `extract` (the best of `repeat` runs per page), not reading files.
    """
    truth = load_truth()
    out: dict[str, Figures] = {}
    for name in sorted(truth):
        page = truth[name]
        html = (CORPUS / "pages" / name).read_text(encoding="utf-8")
        best = float("inf")
        x: PageExtract | None = None
        for _ in range(max(1, repeat)):
            start = time.perf_counter()
            x = extract(html, page["url"])
            best = min(best, time.perf_counter() - start)
        assert x is not None
        figures = out.setdefault(cms_of(name), Figures())
        figures.pages += 1
        figures.seconds += best
        score_page(name, page, x, figures)
    return out


def report(figures: dict[str, Figures], wrong: int = 5) -> str:
    """A table people read, with up to `wrong` failing files per figure."""
    lines: list[str] = []
    for cms, f in figures.items():
        lines.append(f"{CMS_NAMES.get(cms, cms)}: {f.pages} pages, {f.ms_per_page:.1f} ms/page")
        for label, ratio in f.rows():
            if ratio.checked:
                lines.append(f"  {label:<12} {ratio}")
                lines.extend(f"      {w}" for w in ratio.wrong[:wrong])
    return "\n".join(lines)


if __name__ == "__main__":
    from spiders.extract import extract_page

    print(report(score_corpus(extract_page, repeat=3), wrong=50))
