"""The whole audit of the bundled sample site: verdicts item by item against its planted defects, the
findings contract, and the README's demo command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.models import RuleKind, Verdict
from samplesite.manifest import Manifest
from samplesite.server import SampleSiteServer

SCHEMA = Path(__file__).resolve().parents[1] / "reports" / "schema" / "findings.schema.json"


@dataclass
class Audit:
    proc: subprocess.CompletedProcess[str]
    out: Path
    findings: dict[str, Any]
    manifest: Manifest


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audit]:
    tmp = tmp_path_factory.mktemp("audit")
    out = tmp / "out"
    with SampleSiteServer() as server:
        # The automation contract, exactly: the site is reached through http_proxy, as a real proxy would.
        env = {**os.environ, "http_proxy": server.proxy_url, "no_proxy": "", "XXGK_STORE_PATH": str(tmp / "a.sqlite"),
               "XXGK_CRAWL_POLITE": "false", "XXGK_CONFIG": ""}
        env.pop("HTTP_PROXY", None)
        proc = subprocess.run(
            [sys.executable, "-m", "auditor", "run", "--site", "ustb", "--as-of", "2018-11-30", "--out", str(out)],
            capture_output=True, text=True, env=env, timeout=300, cwd=tmp, check=False)
        findings = json.loads((out / "findings.json").read_text(encoding="utf-8")) if (out / "findings.json").exists() else {}
        yield Audit(proc, out, findings, server.manifest)


def test_run_exits_1_because_items_fail(audit: Audit) -> None:
    assert audit.proc.returncode == 1, audit.proc.stderr
    assert "Traceback" not in audit.proc.stderr


def test_findings_validate_against_the_schema(audit: Audit) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(audit.findings, schema)
    assert audit.findings["schema"] == "xxgk-audit/findings@1"
    assert audit.findings["as_of"] == "2018-11-30"
    assert audit.findings["state"] == "complete"
    assert len(audit.findings["items"]) == 50


def test_verdicts_match_the_planted_defects_item_by_item(audit: Audit) -> None:
    wrong = []
    by_item = {i["item"]: i for i in audit.findings["items"]}
    for expected in audit.manifest.items:
        got = by_item[expected.item]
        if got["status"] != expected.expected.overall:
            wrong.append(f"item {expected.item} ({expected.name}): {got['status']} != {expected.expected.overall}")
        for kind in RuleKind:
            want = expected.expected.kind(kind)
            statuses = [Verdict(f["status"]) for f in got["findings"] if f["kind"] == kind]
            if want is None:
                continue
            worst = max(statuses, key=[Verdict.PASS, Verdict.INCONCLUSIVE, Verdict.WARN, Verdict.FAIL].index,
                        default=None)
            if worst != want:
                wrong.append(f"item {expected.item} {kind}: {worst} != {want}")
    assert not wrong, "\n".join(wrong)


def test_messages_name_what_is_missing_and_where(audit: Audit) -> None:
    item6 = next(i for i in audit.findings["items"] if i["item"] == 6)
    message = " ".join(f["message"] for f in item6["findings"] if f["status"] == "fail")
    assert "2017~2018学年" in message and "2018年10月31日" in message and "2015~2016学年" in message
    item12 = next(i for i in audit.findings["items"] if i["item"] == 12)
    privacy = next(f for f in item12["findings"] if f["kind"] == "privacy")
    assert "******" in json.dumps(privacy, ensure_ascii=False)  # evidence is shown masked


def test_waf_column_is_inconclusive_and_not_scored(audit: Audit) -> None:
    item47 = next(i for i in audit.findings["items"] if i["item"] == 47)
    assert item47["status"] == "inconclusive"
    dept = next(d for d in audit.findings["departments"] if d["name"] == "东凌经济管理学院")
    assert dept["score"] is None


def test_reports_are_written(audit: Audit) -> None:
    assert (audit.out / "index.html").is_file()
    scorecards = list((audit.out / "scorecards").glob("*.html"))
    # one per department, and one for the office that runs the site (its findings are no department's)
    assert len(scorecards) == len(audit.findings["departments"]) + 1
    owner = (audit.out / "scorecards" / f"00-{audit.findings['site_owner']['name']}.html").read_text(encoding="utf-8")
    # each site check by its name, never by the rule id findings.json uses
    assert "学校主页入口" in owner and "网站可用性" in owner and "site." not in owner
    assert "不合格" in audit.proc.stdout  # the closing summary
    # the sample site publishes ID numbers (items 12, 44): the summary says it is a 单项否决, and whose
    said = "".join(audit.proc.stdout.split())  # the terminal wraps long lines
    veto = said[said.index("单项否决veto"):]
    assert veto.index("第12项（研究生院）") < veto.index("第44项（研究生院）") < veto.index("网站总体评定为不合格")
