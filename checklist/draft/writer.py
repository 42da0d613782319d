"""Write a `Draft` as a catalogue file in the project's format, with the review notes as comments.

The file is for a person to finish: each item says which column it was matched to, how sure, and what
came close; an item left open has no `url` and no `absent:`, only a TODO with its best candidates, so
that `auditor checklist validate` lists exactly what is left. Text that came from the web (column
names, departments) is written as quoted YAML scalars or flattened into one comment line, so that no
page can add keys to the file.
"""

from __future__ import annotations

import json
import re
from datetime import date

from checklist.draft.model import Candidate, Draft, ItemDraft
from checklist.draft.text import clean_label

__all__ = ["render_yaml"]

_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9._~:/?\[\]@!$&()*+,;=%-]+")
_PLAIN_NAME = re.compile(r"[\u4e00-\u9fff（）A-Za-z0-9]+(、[\u4e00-\u9fff（）A-Za-z0-9]+)*")
_WORDING_WIDTH = 30


def _scalar(value: str, plain: re.Pattern[str]) -> str:
    return value if plain.fullmatch(value) else json.dumps(value, ensure_ascii=False)


def _comment(text: str) -> str:
    """One line of untrusted text, safe inside a comment."""
    return re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", text).strip()


def _short(text: str, width: int = _WORDING_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _candidate(c: Candidate) -> str:
    where = f"{clean_label(c.category)} › " if c.category else ""
    return _comment(f"{c.score:.2f} {where}{clean_label(c.label)}  {c.url}")


def _item(it: ItemDraft) -> list[str]:
    lines = [f"  {it.number}:  # {_comment(_short(it.wording))}"]
    if it.chosen:
        names = " + ".join(_comment(f"{clean_label(c.category)} › {clean_label(c.label)}" if c.category
                                    else clean_label(c.label)) for c in it.chosen)
        flag = "  UNSURE" if it.unsure else ""
        note = f" ({_comment(it.note)})" if it.note else ""
        lines.append(f"    # 栏目: {names}; confidence {it.confidence:.2f}{flag}{note}")
        for c in it.runners_up:
            lines.append(f"    #   also: {_candidate(c)}")
        if len(it.chosen) == 1:
            lines.append(f"    url: {_scalar(it.chosen[0].url, _PLAIN_URL)}")
        else:
            lines.append("    urls:")
            lines.extend(f"      - {_scalar(c.url, _PLAIN_URL)}" for c in it.chosen)
    else:
        lines.append(f"    # TODO: no column found for this item ({_comment(it.note)}); give url, or absent: {{reason, until}}")
        if it.runners_up:
            lines.append("    # best candidates:")
            lines.extend(f"    #   {_candidate(c)}" for c in it.runners_up)
    if it.departments:
        names = ", ".join(_scalar(d, _PLAIN_NAME) for d in it.departments)
        lines.append(f"    departments: [{names}]")
    else:
        lines.append("    departments: []  # TODO: the lead department first (not named where this was read)")
    return lines


def render_yaml(draft: Draft, today: date | None = None) -> str:
    """The catalogue file's text."""
    today = today or date.today()
    unsure = sum(1 for it in draft.items if it.unsure and it.mapped)
    left = len(draft.items) - draft.mapped
    out = [
        f"# {_comment(draft.name)}'s catalogue, DRAFTED by `auditor catalogue` from {_comment(draft.source)}",
        (
            f"# on {today.isoformat()}: {draft.mapped} of {len(draft.items)} items have a column, {unsure} of them"
            f" unsure, {left} left to you (TODO)."
        ),
        "# Review every item marked UNSURE or TODO, fill in the departments' contacts, then check the file with",
        "# `auditor checklist validate FILE`. The fields are described at the top of checklist/sites/ustb.yaml.",
    ]
    out.extend(f"# Note: {_comment(n)}" for n in draft.notes)
    hosts = ", ".join(json.dumps(h) for h in draft.allowed_hosts)
    out += [
        "",
        f"id: {draft.site_id}",
        f"name: {_scalar(draft.name, _PLAIN_NAME)}",
        f'version: "{today:%Y-%m}-draft"',
        f"checklist: {draft.checklist_version}",
        f"home: {_scalar(draft.home, _PLAIN_URL)}",
        f"allowed_hosts: [{hosts}]",
        "",
    ]
    if draft.departments:
        out.append("departments:")
        out.extend(f'  - {{name: {_scalar(d, _PLAIN_NAME)}, contact: ""}}' for d in draft.departments)
    else:
        out.append("departments: []  # TODO: every department, once: {name, contact} (none is named on the site)")
    out += ["", "items:"]
    for it in draft.items:
        out.extend(_item(it))
    return "\n".join(out) + "\n"
