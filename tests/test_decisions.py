"""Each decision the project makes lives in one place and answers the same everywhere: the order of
verdicts and their words, whose fault a failed fetch is (a broken link or not), which HTTP answers come
from a firewall, which words mean a blank column."""

from __future__ import annotations

import pytest

from auditor.models import (
    BLANK_COLUMN,
    FIREWALL_HTTP_STATUSES,
    Fault,
    FetchStatus,
    RunState,
    Verdict,
    fault_of,
    worst,
)
from auditor.rules.base import evidence_fields
from auditor.rules.links import LinkCheck, Target
from auditor.rules.presence import ColumnAddress
from spiders.outcomes import waf_reason


def test_the_worst_verdict_is_fail_then_warn_then_inconclusive_then_pass() -> None:
    assert worst([Verdict.PASS, Verdict.INCONCLUSIVE]) is Verdict.INCONCLUSIVE
    assert worst([Verdict.INCONCLUSIVE, Verdict.WARN]) is Verdict.WARN
    assert worst([Verdict.WARN, Verdict.FAIL, Verdict.PASS]) is Verdict.FAIL
    assert worst([]) is Verdict.PASS


def test_every_verdict_and_run_state_has_its_own_chinese_word() -> None:
    assert [v.label for v in Verdict] == ["合格", "警告", "不合格", "无法判定"]
    assert len({s.label for s in RunState}) == len(RunState)


@pytest.mark.parametrize(("status", "http", "fault"), [
    (FetchStatus.OK, 200, Fault.NONE),
    (FetchStatus.NOT_MODIFIED, 304, Fault.NONE),
    (FetchStatus.HTTP_ERROR, 404, Fault.DEPARTMENT),
    (FetchStatus.HTTP_ERROR, 410, Fault.DEPARTMENT),
    (FetchStatus.HTTP_ERROR, 500, Fault.DEPARTMENT),
    (FetchStatus.HTTP_ERROR, 412, Fault.SITE),  # a firewall
    (FetchStatus.HTTP_ERROR, 503, Fault.SITE),  # overloaded after our retries
    (FetchStatus.HTTP_ERROR, 429, Fault.SITE),
    (FetchStatus.TIMEOUT, None, Fault.SITE),
    (FetchStatus.WAF, 200, Fault.SITE),
    (FetchStatus.UNREADABLE, 200, Fault.SITE),  # our reader's limit, nobody's fault
    (FetchStatus.ROBOTS, None, Fault.NOT_CHECKED),
    (FetchStatus.OFFSITE, None, Fault.NOT_CHECKED),
    (FetchStatus.BOUNDED, None, Fault.NOT_CHECKED),
])
def test_whose_fault_a_fetch_is_is_decided_once_and_links_agree(status: FetchStatus, http: int | None,
                                                                 fault: Fault) -> None:
    assert fault_of(status, http) is fault
    target = Target("http://example.edu.cn/a", status, http)
    assert target.broken is (fault is Fault.DEPARTMENT)
    assert target.unknown is (fault is Fault.SITE)


def test_firewall_answers_are_recognised_by_the_crawl_and_never_blamed() -> None:
    for code in FIREWALL_HTTP_STATUSES:
        assert waf_reason(code, "")
        assert fault_of(FetchStatus.HTTP_ERROR, code) is Fault.SITE


@pytest.mark.parametrize("text", ["暂无内容", "暂无相关信息", "栏目正在建设中", "敬请期待", "没有找到相关记录"])
def test_blank_column_words(text: str) -> None:
    assert BLANK_COLUMN.search(text)


def test_a_column_that_publishes_something_is_not_blank_by_these_words() -> None:
    assert not BLANK_COLUMN.search("2018年部门预算 2018-04-20")


def test_rule_evidence_is_serialised_by_one_function_with_one_meaning_per_key() -> None:
    """Counts are digits (a zero count is kept), lists one entry a line, empty fields left out; a key
    means the same in every rule: `not_checked` a count, `*_urls` the addresses."""
    assert evidence_fields(LinkCheck(checked=3, broken=0, urls=())) == {"broken": "0", "checked": "3"}
    assert evidence_fields(LinkCheck(checked=2, broken=1, not_checked=1, urls=("HTTP 404 http://a/x",))) == {
        "broken": "1", "checked": "2", "not_checked": "1", "urls": "HTTP 404 http://a/x"}
    column = ColumnAddress(urls=("http://a/1", "http://a/2"), not_checked_urls=("http://a/2",))
    assert evidence_fields(column) == {"not_checked_urls": "http://a/2", "urls": "http://a/1\nhttp://a/2"}
