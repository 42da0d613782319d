"""The annual report's inspection section: the academic year's runs summed up in DOCX and Markdown."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from auditor.models import Finding, RuleKind, RunState, Verdict
from auditor.results import AuditResult
from reports.annual import AcademicYear, SupervisionRecord, draft_annual, summarise
from reports.samples import item_url, make_finding, make_result

XSS = "<script>alert(1)</script>"


def _year() -> list[AuditResult]:
    return [
        make_result(1, date(2017, 8, 31), {1: Verdict.FAIL}),  # previous academic year: left out
        make_result(2, date(2017, 9, 29), {19: Verdict.FAIL, 33: Verdict.WARN}),
        make_result(3, date(2017, 10, 20), {19: Verdict.FAIL}),  # 33 fixed
        make_result(4, date(2017, 11, 3), state=RunState.INCONCLUSIVE),
        make_result(5, date(2018, 3, 2), {20: Verdict.FAIL},  # 19 fixed; 20 still open at year end
                    findings={20: (make_finding(20, Verdict.FAIL, f"决算页面标题为 {XSS}"),)}),
        make_result(6, date(2018, 9, 1), {2: Verdict.FAIL}),  # next academic year: left out
    ]


@pytest.fixture()
def drafted(tmp_path: Path) -> tuple[Path, Path]:
    return draft_annual(_year(), "2017-2018", "示例大学", tmp_path)


def test_academic_year_bounds() -> None:
    y = AcademicYear.parse("2017~2018")
    assert (y.start, y.end) == (date(2017, 9, 1), date(2018, 8, 31))
    with pytest.raises(ValueError):
        AcademicYear.parse("2017-2019")


def test_markdown_sums_up_the_year(drafted: tuple[Path, Path]) -> None:
    _, md_path = drafted
    text = md_path.read_text(encoding="utf-8")
    assert "## 一、信息公开监督检查情况" in text and "### （一）检查开展情况" in text
    assert "共4次" in text and "完整检查3次" in text and "1次因网站或网络故障未能完成" in text
    assert "10大类50项" in text
    # Last complete run: 49 pass, 1 fail.
    assert "合格49项" in text and "不合格1项" in text and "合格率98.0%" in text
    assert "财务处（第19项部门预算、第20项部门决算）" in text and "招生就业处（第33项就业质量年度报告）" in text
    # 33: 2017-09-29 → 2017-10-20 is 11 working days: 调休 Saturday 9-30 counts, 国庆 10-1..10-8 does not.
    assert "（33）就业质量年度报告于2017-09-29发现、2017-10-20整改到位（11个工作日）" in text
    assert "（19）部门预算于2017-09-29发现、2018-03-02整改到位" in text
    assert "尚有1项未整改到位：（20）部门决算" in text
    assert "第1项" not in text and "（2）章程及规章制度](<" in text  # runs outside the year ignored
    assert "| 党办、校办 | 合格 |" in text


def test_markdown_table_links_each_item_name_and_quotes_no_crawled_text(drafted: tuple[Path, Path]) -> None:
    text = drafted[1].read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "序号" not in line]
    assert len(rows) == 50
    assert all(f"(<{item_url(n)}>)" in row for n, row in zip(range(1, 51), rows, strict=True))
    row20 = rows[19]
    assert "[（20）部门决算](<" in row20  # the item's name is the link: no address printed in full
    assert row20.count(" | ") == 4  # 序号, 类别, 公开事项, 负责部门, 检查结果
    # The finding's message (a crawled title inside) is for the clerk; the public draft says it in our words.
    assert "script" not in text and row20.endswith("| 不合格：栏目存在问题 |")


def test_docx_has_the_prose_and_a_real_item_table_with_links(drafted: tuple[Path, Path]) -> None:
    docx_path, _ = drafted
    doc = Document(str(docx_path))
    prose = "\n".join(p.text for p in doc.paragraphs)
    assert "信息公开监督检查情况" in prose and "完整检查3次" in prose
    (table,) = doc.tables
    assert [c.text for c in table.rows[0].cells] == ["序号", "类别", "公开事项", "负责部门", "检查结果"]
    assert len(table.rows) == 51
    row20 = [c.text for c in table.rows[20].cells]
    assert row20[1].startswith("财务、资产及收费信息（7项）")  # merged category cell
    assert row20[2] == "（20）部门决算" and row20[3] == "财务处"
    assert row20[4] == "不合格：栏目存在问题"
    assert table.rows[1].cells[0].text == "1" and table.rows[7].cells[0].text == "2"
    targets = {r.target_ref for r in doc.part.rels.values() if r.is_external}
    assert {item_url(n) for n in range(1, 51)} <= targets
    with zipfile.ZipFile(docx_path) as z:
        xml = z.read("word/document.xml").decode()
    assert "script" not in xml and xml.count("<w:hyperlink") == 50


def test_the_draft_claims_follow_up_only_when_the_record_shows_notices(tmp_path: Path) -> None:
    silent = draft_annual(_year(), "2017-2018", "示例大学", tmp_path / "a")[1].read_text(encoding="utf-8")
    assert "督促" not in silent and "整改通知尚未发出（待通知）" in silent
    record = SupervisionRecord(notified=3, in_progress=1, fixed=2, rechecked=1, explained=0, overdue=1)
    told = draft_annual(_year(), "2017-2018", "示例大学", tmp_path / "b", record)[1].read_text(encoding="utf-8")
    assert "已向相关部门发出整改通知3项次，已督促相关部门限期整改，其中整改中1项、已整改2项" in told
    assert "逾期未整改1项" in told and "开展复核1次" in told and "待通知" not in told


def test_the_default_record_counts_what_the_runs_show() -> None:
    record = SupervisionRecord.from_runs(summarise(_year(), "2017-2018", "示例大学"))
    # 19 and 33 failed earlier and pass in the last run; nothing was notified, so nothing is overdue.
    assert record == SupervisionRecord(notified=0, in_progress=0, fixed=2, rechecked=0, explained=0, overdue=0)


def test_a_recheck_is_counted_as_one_and_not_as_a_full_audit(tmp_path: Path) -> None:
    year = [*_year(), replace(make_result(7, date(2018, 3, 9), {20: Verdict.PASS}), rechecked=(20,))]
    s = summarise(year, "2017-2018", "示例大学")
    assert SupervisionRecord.from_runs(s).rechecked == 1
    text = draft_annual(year, "2017-2018", "示例大学", tmp_path)[1].read_text(encoding="utf-8")
    assert "共5次" in text and "完整检查3次、对个别事项的复核1次" in text
    assert "最后一次检查（2018-03-09，为复核，未复核的事项沿用此前结果）" in text


def test_the_sites_own_veto_is_reported_for_the_office_that_runs_it(tmp_path: Path) -> None:
    blank = Finding(item=0, kind=RuleKind.PRESENCE, rule="site.blank-columns", status=Verdict.FAIL,
                    message="网站有5个空白栏目", evidence={"blank": "5", "veto_at": "5"}, veto=True)
    year = [replace(make_result(2, date(2017, 10, 9)), site_findings=(blank,))]
    text = draft_annual(year, "2017-2018", "示例大学", tmp_path)[1].read_text(encoding="utf-8")
    assert "单项否决问题1项：网站空白栏目5个，达到整站不合格的数量（由网站管理部门负责）" in text
    assert "网站总体评定为不合格" in text


def test_the_table_names_what_is_missing_in_the_qingdans_words_only(tmp_path: Path) -> None:
    missing = replace(make_finding(21, Verdict.FAIL, f"收费公示 {XSS} 未找到投诉方式", kind=RuleKind.CONTENT,
                                   evidence={"missing": "投诉方式", "urls": "http://x/a.htm"}),
                      rule="content.required-terms")
    late = replace(make_finding(6, Verdict.FAIL, kind=RuleKind.FRESHNESS, evidence={"due": "2016~2017学年"}),
                   rule="freshness.current-edition")
    text = draft_annual([make_result(2, date(2017, 11, 9), findings={21: (missing,), 6: (late,)})], "2017-2018",
                        "示例大学", tmp_path)[1].read_text(encoding="utf-8")
    assert "| 不合格：缺少清单规定的内容：投诉方式 |" in text and "| 不合格：2016~2017学年信息未按期发布 |" in text
    assert "script" not in text and "http://x/" not in text


def test_a_veto_is_reported_in_our_words_without_the_number_or_the_file(tmp_path: Path) -> None:
    leak = replace(make_finding(37, Verdict.FAIL, "发现身份证号 1101011990******34，见 http://x/files/list.xlsx",
                                url="http://x/files/list.xlsx", kind=RuleKind.PRIVACY,
                                evidence={"examples": "1101011990******34"}),
                   rule="privacy.personal-data", veto=True)
    year = [make_result(2, date(2017, 10, 9), findings={37: (leak,)})]
    docx_path, md_path = draft_annual(year, "2017-2018", "示例大学", tmp_path)
    text = md_path.read_text(encoding="utf-8")
    assert "单项否决问题1项：第37项" in text and "页面或附件含未脱敏的个人身份信息" in text
    assert "网站总体评定为不合格" in text
    assert "（四）问题整改情况" in text
    row37 = next(line for line in text.splitlines() if "（37）" in line and line.startswith("|"))
    assert "不合格（单项否决）" in row37 and "](<" not in row37  # no link leads readers to the leak
    with zipfile.ZipFile(docx_path) as z:
        whole = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith((".xml", ".rels")))
    assert "1101011990" not in whole and "list.xlsx" not in whole and item_url(37) not in whole


def test_year_without_runs_still_yields_a_draft(tmp_path: Path) -> None:
    docx_path, md_path = draft_annual(_year(), "2015-2016", "示例大学", tmp_path)
    assert "未开展信息公开网站自动监督检查" in md_path.read_text(encoding="utf-8")
    assert Document(str(docx_path)).tables == []
