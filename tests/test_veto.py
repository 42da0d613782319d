"""The 单项否决 (veto) tier: a leaked ID list or a column gone for K nights grades its lead department and
the site 不合格 whatever the score, is listed first on the scorecard, and stays as judged in history.

Evidence is written into a real Store night by night, judged by the engine as `auditor run --as-of`
does, and rendered through the real findings file and scorecard templates.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import jsonschema
from lxml import html as lxml_html

from auditor.evaluate import evaluate
from auditor.findings import load_result, write_findings
from auditor.models import FetchStatus, Finding, PageKind, PageRole, RuleKind, Verdict
from auditor.results import AuditResult
from auditor.snapshot import Snapshot
from auditor.store import Store
from checklist.model import NightlyPolicy
from reports.html import render_scorecard_html
from reports.mail import subject
from reports.scorecard import build_scorecards
from tests.test_rules_nightly import Night, days, listing
from tests.test_rules_privacy import valid_id
from tests.test_rules_support import Crawl, aid, checklist, column, open_store, site, site_item, tenders

SCHEMA = Path(__file__).resolve().parents[1] / "reports" / "schema" / "findings.schema.json"
GONE = "presence.column-gone"
PRIVACY = "privacy.personal-data"
PERSON = valid_id("11010119900307123")


def gone(item: int, http_status: int = 404) -> Night:
    """A night on which the column's address answered 404 (or 410): the page does not exist."""
    def write(crawl: Crawl) -> None:
        crawl.catalogue(item, status=FetchStatus.HTTP_ERROR, http_status=http_status, kind=PageKind.UNKNOWN)
    return write


def firewalled(item: int) -> Night:
    def write(crawl: Crawl) -> None:
        crawl.catalogue(item, status=FetchStatus.WAF, http_status=412, kind=PageKind.UNKNOWN)
    return write


def judge_nights(store: Store, plan: list[tuple[date, Night]], **nightly: int) -> AuditResult:
    """Item 18 (led by 国资处, supported by 财务处), one run per night, judged in order."""
    s = replace(site(site_item(18, departments=("国资处", "财务处"))), nightly=NightlyPolicy(**nightly))
    result: AuditResult | None = None
    for day, write in plan:
        crawl = Crawl.begin(store)
        write(crawl)
        result = evaluate(store, crawl.finish(), s, checklist(tenders()), day)
    assert result is not None
    return result


def gone_finding(result: AuditResult) -> object:
    return next((f for f in result.item(18).findings if f.rule == GONE), None)


# -- a column gone for K nights ----------------------------------------------------------------------

def test_three_nights_of_404_veto_the_lead_department_and_the_site(tmp_path: Path) -> None:
    plan = [(d, gone(18)) for d in days(date(2018, 11, 28), date(2018, 11, 30))]
    result = judge_nights(open_store(tmp_path), plan)
    f = next(f for f in result.item(18).findings if f.rule == GONE)
    assert f.status is Verdict.FAIL and f.veto
    assert "连续3晚" in f.message and "2018年11月28日" in f.message and "单项否决" in f.message
    lead, support = result.department("国资处"), result.department("财务处")
    assert lead.vetoed and lead.veto_items == (18,) and lead.grade == "不合格（单项否决）"
    assert not support.vetoed and support.grade == ""  # it did not publish the column
    assert result.vetoed
    assert lead.score == 0.0  # the score itself is the formula's, unchanged by the veto


def test_two_nights_of_404_after_a_night_it_opened_are_no_veto(tmp_path: Path) -> None:
    plan: list[tuple[date, Night]] = [(date(2018, 11, 28), listing(18, ("招标公告", date(2018, 11, 1), 1)))]
    plan += [(d, gone(18)) for d in days(date(2018, 11, 29), date(2018, 11, 30))]
    result = judge_nights(open_store(tmp_path), plan)
    assert gone_finding(result) is None and not result.vetoed
    assert result.item(18).status is Verdict.FAIL  # still missing tonight, as the reachability rule says
    assert not result.department("国资处").vetoed


def test_a_firewall_night_in_between_is_a_gap_never_a_veto(tmp_path: Path) -> None:
    plan = [(date(2018, 11, 27), gone(18)), (date(2018, 11, 28), firewalled(18)),
            (date(2018, 11, 29), gone(18)), (date(2018, 11, 30), gone(18))]
    result = judge_nights(open_store(tmp_path), plan)
    f = next(f for f in result.item(18).findings if f.rule == GONE)
    assert f.status is Verdict.INCONCLUSIVE and not f.veto and not result.vetoed
    assert "2018年11月28日" in f.message and "空缺" in f.message


def test_a_night_without_an_audit_is_a_gap_too(tmp_path: Path) -> None:
    plan = [(date(2018, 11, 26), gone(18)), (date(2018, 11, 27), gone(18)),
            (date(2018, 11, 29), gone(18)), (date(2018, 11, 30), gone(18))]
    result = judge_nights(open_store(tmp_path), plan)
    f = next(f for f in result.item(18).findings if f.rule == GONE)
    assert f.status is Verdict.INCONCLUSIVE and "2018年11月28日" in f.message and not result.vetoed


def test_the_number_of_nights_is_the_sites_policy(tmp_path: Path) -> None:
    plan = [(d, gone(18, 410)) for d in days(date(2018, 11, 29), date(2018, 11, 30))]
    result = judge_nights(open_store(tmp_path), plan, gone_nights_veto=2)
    f = next(f for f in result.item(18).findings if f.rule == GONE)
    assert f.veto and "连续2晚" in f.message
    assert "连续2晚返回404/410" in result.score_formula  # the rule beside the formula says the site's K


def test_the_first_night_of_a_site_says_nothing_over_time(tmp_path: Path) -> None:
    result = judge_nights(open_store(tmp_path), [(date(2018, 11, 30), gone(18))])
    assert gone_finding(result) is None and not result.vetoed


# -- personal data published -------------------------------------------------------------------------

def _leak(store: Store, text: str) -> int:
    crawl = Crawl.begin(store)
    crawl.catalogue(37)
    detail = crawl.entry(37, "2018年国家励志奖学金获奖学生公示", date(2018, 10, 20), n=1)
    crawl.page(f"{column(37)}list.xlsx", 37, PageRole.ATTACHMENT, kind=PageKind.FILE, parent=detail, text=text)
    return crawl.finish()


def _aid_site(lead: str = "学生工作部", **nightly: int) -> object:
    return replace(site(site_item(37, departments=(lead, "财务处"))), nightly=NightlyPolicy(**nightly))


def test_a_published_id_number_vetoes_and_the_scorecard_and_findings_file_say_so(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    run = _leak(store, f"姓名\t身份证号\n张三\t{PERSON}")
    result = evaluate(store, run, _aid_site(), checklist(aid()), date(2018, 11, 30))  # type: ignore[arg-type]
    doc = json.loads(write_findings(result, tmp_path / "out").read_text(encoding="utf-8"))
    jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")))
    item = next(it for it in doc["items"] if it["item"] == 37)
    leak = next(f for f in item["findings"] if f["rule"] == PRIVACY)
    assert leak["veto"] is True and item["veto"] is True and doc["summary"]["vetoed"] is True
    deps = {d["name"]: d for d in doc["departments"]}
    assert deps["学生工作部"]["vetoed"] is True and deps["学生工作部"]["grade"] == "不合格（单项否决）"
    assert deps["财务处"]["vetoed"] is False
    assert "单项否决" in doc["score_formula"] and "不论得分多少" in doc["score_formula"]
    assert next(r for r in doc["rules"] if r["id"] == PRIVACY)["veto"] is True

    cards = {c.department.name: c for c in build_scorecards(result)}
    page = lxml_html.fromstring(render_scorecard_html(cards["学生工作部"]))
    sections = page.xpath("//main/section")
    assert sections[0].get("id") == "veto"  # listed apart, first
    veto_text = sections[0].text_content()
    assert "(37)" in veto_text and "本部门评定为不合格（单项否决）" in veto_text
    assert page.get_element_by_id("grade").text_content() == "不合格（单项否决）"
    assert "单项否决" in page.get_element_by_id("formula").text_content()
    assert subject(result, result.department("学生工作部")).endswith("（单项否决，1项不合格）")
    assert "单项否决" not in subject(result, result.department("财务处"))
    supporting = lxml_html.fromstring(render_scorecard_html(cards["财务处"]))
    assert "不因此评定为不合格" in supporting.get_element_by_id("veto").text_content()
    assert not supporting.xpath("//*[@id='grade']")


def test_a_mobile_number_alone_fails_without_a_veto(tmp_path: Path) -> None:
    """A mobile number on a student list may be the office's hotline: a failure, never a veto."""
    store = open_store(tmp_path)
    run = _leak(store, "助学金公示：张三 13812345678")
    result = evaluate(store, run, _aid_site(), checklist(aid()), date(2018, 11, 30))  # type: ignore[arg-type]
    leak = next(f for f in result.item(37).findings if f.rule == PRIVACY)
    assert leak.status is Verdict.FAIL and not leak.veto and not result.vetoed
    page = lxml_html.fromstring(render_scorecard_html(build_scorecards(result)[0]))
    assert not page.xpath("//*[@id='veto']")


# -- history -----------------------------------------------------------------------------------------

def test_a_past_runs_veto_survives_a_catalogue_change(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    run = _leak(store, f"姓名\t身份证号\n张三\t{PERSON}")
    evaluate(store, run, _aid_site(), checklist(aid()), date(2018, 11, 30))  # type: ignore[arg-type]
    before = build_scorecards(load_result(store, run, _aid_site(), checklist(aid())))  # type: ignore[arg-type]
    # Next term item 37 moves to another office and the site counts five nights, not three.
    changed = _aid_site("资助中心", gone_nights_veto=5)
    after_result = load_result(store, run, changed, checklist(aid()))  # type: ignore[arg-type]
    after = build_scorecards(after_result)
    assert after_result.department("学生工作部").vetoed and "资助中心" not in {c.department.name for c in after}
    assert "连续3晚" in after_result.score_formula and "连续5晚" not in after_result.score_formula
    assert [render_scorecard_html(c) for c in before] == [render_scorecard_html(c) for c in after]


def test_a_partial_recheck_carries_the_veto_forward(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    s = site(site_item(37, departments=("学生工作部",)), site_item(18))
    cat = checklist(tenders(), aid())
    run = _leak(store, f"姓名\t身份证号\n张三\t{PERSON}")
    evaluate(store, run, s, cat, date(2018, 11, 30))
    recheck = Crawl(store, store.begin_run("ustb", tool_version="test", checklist_version="qingdan-2014",
                                           catalogue_version="1", items=(18,)).id)
    listing(18, ("招标公告", date(2018, 11, 20), 1))(recheck)
    result = evaluate(store, recheck.finish(), s, cat, date(2018, 11, 30) + timedelta(days=7))
    assert result.item(37).carried_from_run == run
    assert result.department("学生工作部").vetoed and result.vetoed


def test_runs_judged_before_vetoes_were_kept_show_the_blank_columns_veto_as_they_did() -> None:
    legacy = Snapshot.from_json(json.dumps({
        "site_name": "北京科技大学", "checklist_version": "qingdan-2014", "catalogue_version": "1",
        "rules_version": "2", "score_formula": "得分", "score_formula_en": "score", "points": {"pass": 100},
        "contacts": {}, "items": [], "rules": [{"id": "site.blank-columns", "kind": "presence",
                                                "severity": "fail", "explanation": "空白栏目"}]}))
    blank = Finding(item=0, kind=RuleKind.PRESENCE, rule="site.blank-columns", status=Verdict.FAIL, message="5个")
    privacy = Finding(item=37, kind=RuleKind.PRIVACY, rule=PRIVACY, status=Verdict.FAIL, message="身份证号")
    assert [f.veto for f in legacy.mark_vetoes([blank, privacy])] == [True, False]
    assert legacy.rules[0].veto
