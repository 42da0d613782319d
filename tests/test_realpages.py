"""The extractor against the truth of 219 real CMS pages (博达 VSB and WebPlus), each CMS on its own.

The scoring lives in `realpages.py` so that a benchmark can reuse it; here only the bars are set:
kind, list entries, next page and total pages must all be right; article title and date ≥ 95% per CMS.
"""

from __future__ import annotations

import pytest
from realpages import CMS_NAMES, Figures, report, score_corpus

from spiders.extract import extract_page


@pytest.fixture(scope="module")
def figures() -> dict[str, Figures]:
    return score_corpus(extract_page)


def test_the_corpus_has_both_cmses(figures: dict[str, Figures]) -> None:
    assert set(figures) == set(CMS_NAMES)
    assert sum(f.pages for f in figures.values()) == 219


@pytest.mark.parametrize("cms", sorted(CMS_NAMES))
def test_every_page_is_read_as_its_kind(figures: dict[str, Figures], cms: str) -> None:
    f = figures[cms]
    assert f.kind.share == 1.0, report({cms: f})


@pytest.mark.parametrize("cms", sorted(CMS_NAMES))
def test_article_title_and_date(figures: dict[str, Figures], cms: str) -> None:
    f = figures[cms]
    assert f.title.checked and f.date.checked
    assert f.title.share >= 0.95 and f.date.share >= 0.95, report({cms: f})


@pytest.mark.parametrize("cms", sorted(CMS_NAMES))
def test_list_entries_and_pages(figures: dict[str, Figures], cms: str) -> None:
    f = figures[cms]
    assert f.entries.checked and f.next_page.checked
    assert f.entries.share == 1.0, report({cms: f})
    assert f.next_page.share == 1.0, report({cms: f})
    assert f.total_pages.share == 1.0, report({cms: f})


@pytest.mark.parametrize("cms", sorted(CMS_NAMES))
def test_attachments_inside_the_article(figures: dict[str, Figures], cms: str) -> None:
    f = figures[cms]
    assert f.attachments.share >= 0.95, report({cms: f})
