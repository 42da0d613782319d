"""One bad record never sinks the batch: department names that would break a file system, disguise a
file name or split an e-mail header (the security review's 61-emoji and CR/LF departments)."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from pathlib import Path

from hostile import run_auditor, write_catalogue

from auditor.models import Verdict
from reports.common import safe_filename
from reports.html import render_dashboard, render_scorecards
from reports.samples import make_result

EMOJI = "😀" * 61
RLO = "财务处\u202eslx.exe"


def test_file_names_are_bounded_stripped_and_unique() -> None:
    names = [safe_filename(i, n) for i, n in enumerate([EMOJI, EMOJI, RLO, "a\r\nb", "\u200b"], start=1)]
    assert all(len((n + ".xlsx").encode()) < 255 for n in names)
    assert len(set(names)) == len(names)  # the index keeps equal names apart
    assert "\u202e" not in names[2] and names[2] == "03-财务处slx.exe"
    assert names[3] == "04-a b" and names[4] == "05-部门"


def test_reports_are_written_for_every_department_whatever_its_name(tmp_path: Path) -> None:
    result = make_result(7, date(2018, 11, 30), {19: Verdict.FAIL})
    first, second, *rest = result.departments
    result = dataclasses.replace(result, departments=(
        dataclasses.replace(first, name=EMOJI), dataclasses.replace(second, name=RLO), *rest))
    paths = render_scorecards(result, [], tmp_path)
    assert len(paths) == 2 * len(result.departments)  # none missing after the long name
    assert all(p.exists() and "\u202e" not in p.name for p in paths)
    assert render_dashboard(result, [], tmp_path).exists()


def test_validate_refuses_a_department_name_with_a_line_break_naming_file_and_line(tmp_path: Path) -> None:
    catalogue = write_catalogue(tmp_path / "site.yaml", {n: "http://127.0.0.1/x" for n in range(1, 51)})
    doc = json.loads(catalogue.read_text(encoding="utf-8"))
    doc["departments"].append({"name": "财务处\r\nBcc: all@example.edu.cn", "contact": ""})
    catalogue.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    ran = run_auditor(["checklist", "validate", str(catalogue)], timeout=60)
    out = ran.stdout + ran.stderr
    assert ran.returncode == 2, out
    assert re.search(r"site\.yaml:\d+", out) and "line break" in out and "Traceback" not in out, out
