"""Renderers over a judged audit (`auditor.results.AuditResult`): the dashboard, department scorecards
(HTML, XLSX), run history and diffs, the annual report's inspection section (DOCX, Markdown) and e-mail.

None of them re-derives a verdict; each only lays out what the rule engine decided.
"""
