"""The findings contract: the JSON validates against its schema, is written atomically, and a result
rebuilt from the store equals the one the engine returned."""

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from test_rules_engine import ITEMS, full_site, healthy_crawl
from test_rules_support import Crawl, checklist, open_store

from auditor.evaluate import evaluate
from auditor.findings import load_result, to_json, write_findings
from auditor.models import FetchStatus, PageKind

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "reports" / "schema" / "findings.schema.json"
AS_OF = date(2018, 11, 30)


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_findings_json_validates_and_says_what_a_clerk_needs(tmp_path: Path, validator: jsonschema.protocols.Validator
                                                             ) -> None:
    store = open_store(tmp_path)
    run = healthy_crawl(store, report=False)
    result = evaluate(store, run, full_site(), checklist(*ITEMS), AS_OF)
    path = write_findings(result, tmp_path / "out")
    assert path == tmp_path / "out" / "findings.json"
    assert [p.name for p in path.parent.iterdir()] == ["findings.json"]  # no temp file left behind
    raw = path.read_text(encoding="utf-8")
    assert "未找到2017~2018学年信息公开工作年度报告" in raw  # UTF-8, not \\u escapes
    doc = json.loads(raw)
    validator.validate(doc)
    assert doc["schema"] == "xxgk-audit/findings@1" and doc["as_of"] == "2018-11-30" and doc["state"] == "complete"
    item6 = next(it for it in doc["items"] if it["item"] == 6)
    assert item6["status"] == "fail" and item6["departments"] == ["党办、校办", "信息中心"]
    fail = next(f for f in item6["findings"] if f["status"] == "fail")
    assert fail["kind"] == "freshness" and fail["first_seen_run"] == run and fail["first_seen_at"] == "2018-11-30"
    assert doc["summary"] == {"items": 4, "counts": {"pass": 3, "warn": 0, "fail": 1, "inconclusive": 0},
                              "score": 75.0, "scored": True, "vetoed": False, "pages": 6, "errors": 0}
    assert {r["id"] for r in doc["rules"]} >= {f["rule"] for it in doc["items"] for f in it["findings"]}


def test_outage_document_is_valid_and_unscored(tmp_path: Path, validator: jsonschema.protocols.Validator) -> None:
    store = open_store(tmp_path)
    crawl = Crawl.begin(store)
    for n in (2, 6, 18, 21):
        crawl.catalogue(n, status=FetchStatus.REFUSED, http_status=None, kind=PageKind.UNKNOWN)
    run = crawl.finish()
    doc = to_json(evaluate(store, run, full_site(), checklist(*ITEMS), AS_OF))
    validator.validate(doc)
    assert doc["state"] == "inconclusive" and doc["summary"]["score"] is None and doc["summary"]["errors"] == 4
    assert all(d["score"] is None for d in doc["departments"])


def test_load_result_rebuilds_without_rejudging(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    run = healthy_crawl(store, report=False)
    judged = evaluate(store, run, full_site(), checklist(*ITEMS), AS_OF)
    store.prune("ustb", keep=0)  # the evidence is gone; the findings stay
    rebuilt = load_result(store, run, full_site(), checklist(*ITEMS))
    assert rebuilt.items == judged.items and rebuilt.departments == judged.departments
    assert rebuilt.as_of == AS_OF and rebuilt.overall_score == judged.overall_score
    assert to_json(rebuilt)["items"] == to_json(judged)["items"]


def test_load_result_refuses_a_run_never_evaluated(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    run = healthy_crawl(store)
    with pytest.raises(ValueError, match="not been evaluated"):
        load_result(store, run, full_site(), checklist(*ITEMS))


DOC = Path(__file__).resolve().parents[1] / "docs" / "findings.md"


def test_the_documented_example_is_a_valid_document(validator: jsonschema.protocols.Validator) -> None:
    text = DOC.read_text(encoding="utf-8")
    example = text.split("```json", 1)[1].split("```", 1)[0]
    validator.validate(json.loads(example))


def test_every_rule_is_documented_with_its_scorecard_explanation() -> None:
    from auditor.rules import EXPLAINED_RULES

    text = DOC.read_text(encoding="utf-8")
    for rule in EXPLAINED_RULES:
        assert f"| `{rule.id}` | {rule.kind.value} | {rule.severity.value} | {rule.explanation()} |" in text
