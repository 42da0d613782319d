"""Renderers over a judged audit (`auditor.results.AuditResult`): the dashboard, department scorecards
(HTML, XLSX), run history and diffs, the annual report's inspection section (DOCX, Markdown) and e-mail.

None of them re-derives a verdict; each only lays out what the rule engine decided.
"""

from reports.annual import draft_annual
from reports.history import (
    Change,
    Diff,
    ItemChange,
    diff,
    diff_renderable,
    diff_text,
    history_table,
    history_text,
)
from reports.html import render_dashboard, render_scorecards
from reports.mail import MailReport, Security, SmtpSettings, send_scorecards

__all__ = [
    "Change",
    "Diff",
    "ItemChange",
    "MailReport",
    "Security",
    "SmtpSettings",
    "diff",
    "diff_renderable",
    "diff_text",
    "draft_annual",
    "history_table",
    "history_text",
    "render_dashboard",
    "render_scorecards",
    "send_scorecards",
]
