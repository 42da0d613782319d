"""Drafting a university's catalogue file, for `auditor catalogue`: from the disclosure site's own
信息公开目录 (`drafting.draft_site`) or from an annual report's closing table
(`report.draft_from_report`), written with review notes (`writer.render_yaml`) and compared with the
catalogue in use (`diff.diff_catalogues`).

It reads the web, so it sits beside the data it produces rather than under it: nothing in `checklist`
outside this package imports it.
"""

from checklist.draft.crawl import DraftError
from checklist.draft.diff import diff_catalogues
from checklist.draft.drafting import draft_site
from checklist.draft.model import Candidate, Column, Draft, ItemDraft
from checklist.draft.report import draft_from_report
from checklist.draft.writer import render_yaml

__all__ = [
    "Candidate",
    "Column",
    "Draft",
    "DraftError",
    "ItemDraft",
    "diff_catalogues",
    "draft_from_report",
    "draft_site",
    "render_yaml",
]
