"""Content: required terms searched in pages, attachments (PDF-only reports) and decoded GBK text."""

from datetime import date
from pathlib import Path

from test_rules_support import Crawl, budget, column, fees, findings, open_store

from auditor.models import PageKind, PageRole, Verdict

AS_OF = date(2018, 11, 30)
RULE = "content.required-terms"
TABLES = "一、收支预算总表\n二、收入预算表\n三、支出预算表\n四、财政拨款支出预算表"


def test_pdf_only_budget_has_its_tables_in_the_attachment(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(19)
    detail = crawl.entry(19, "北京科技大学2018年部门预算", date(2018, 4, 20), n=1, text="")
    # extracted PDF text: spaces and line breaks between characters, as pdfminer gives them
    crawl.page(f"{column(19)}2018.pdf", 19, PageRole.ATTACHMENT, kind=PageKind.FILE, parent=detail,
               text="一、收支预算 总表\n二、收入预 算表\n三、支出预算表\n四、财政拨款\n支出预算表")
    f = findings(crawl.store, crawl.finish(), budget(), AS_OF)[RULE]
    assert f.status is Verdict.PASS, f.message


def test_missing_table_of_the_current_edition_is_named_even_if_last_year_had_it(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(19)
    new = crawl.entry(19, "北京科技大学2018年部门预算", date(2018, 4, 20), n=1, text="详见附件")
    crawl.page(f"{column(19)}2018.pdf", 19, PageRole.ATTACHMENT, kind=PageKind.FILE, parent=new,
               text="一、收支预算总表\n二、收入预算表\n三、支出预算表")
    crawl.entry(19, "北京科技大学2017年部门预算", date(2017, 4, 20), n=2, text=TABLES)
    f = findings(crawl.store, crawl.finish(), budget(), AS_OF)[RULE]
    assert f.status is Verdict.FAIL
    assert "“财政拨款支出预算表”" in f.message and "“收入预算表”" not in f.message
    assert "2018年" in f.message  # says which edition was searched


def test_gbk_page_decoded_in_the_store_has_its_terms_found(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    raw = "收费公示：收费项目、收费依据、收费标准见下表。投诉电话：010-62332317".encode("gbk")
    crawl.catalogue(21, kind=PageKind.ARTICLE, text=raw.decode("gbk"), published=date(2018, 9, 1))
    f = findings(crawl.store, crawl.finish(), fees(), AS_OF)[RULE]
    assert f.status is Verdict.PASS, f.message


def test_fees_without_a_complaint_channel_fail_naming_it(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(21, kind=PageKind.ARTICLE, text="收费项目、收费依据、收费标准见下表。", published=date(2018, 9, 1))
    f = findings(crawl.store, crawl.finish(), fees(), AS_OF)[RULE]
    assert f.status is Verdict.FAIL
    assert "投诉方式" in f.message and f.evidence["missing"] == "投诉方式"


def test_an_off_topic_newest_entry_does_not_fail_a_column_that_publishes_the_content(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(21)
    crawl.entry(21, "关于开展冬季消防安全检查的通知", date(2018, 11, 20), n=3, text="请各单位做好消防安全自查。")
    fee = crawl.entry(21, "2018年收费公示", date(2018, 9, 1), n=2,
                      text="收费项目、收费依据、收费标准见下表。投诉电话：010-62332317")
    f = findings(crawl.store, crawl.finish(), fees(), AS_OF)[RULE]
    assert f.status is Verdict.PASS, f.message
    assert fee in f.evidence["found_in"] and "2018年收费公示" in f.evidence["found_in"]


def test_elements_may_sit_in_different_entries_and_each_is_named(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(21)
    table = crawl.entry(21, "2018年收费标准", date(2018, 9, 1), n=2, text="收费项目、收费依据、收费标准见下表。")
    channel = crawl.entry(21, "收费投诉渠道", date(2018, 3, 1), n=1, text="对收费有异议的，可拨打举报电话。")
    f = findings(crawl.store, crawl.finish(), fees(), AS_OF)[RULE]
    assert f.status is Verdict.PASS, f.message
    found = f.evidence["found_in"].splitlines()
    assert any(line.startswith("收费标准") and table in line for line in found)
    assert any(line.startswith("投诉方式") and channel in line for line in found)


def test_a_missing_element_is_named_with_how_much_was_searched(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(21)
    crawl.entry(21, "关于开展冬季消防安全检查的通知", date(2018, 11, 20), n=3, text="请各单位做好消防安全自查。")
    crawl.entry(21, "2018年收费公示", date(2018, 9, 1), n=2, text="收费项目、收费依据、收费标准见下表。")
    f = findings(crawl.store, crawl.finish(), fees(), AS_OF)[RULE]
    assert f.status is Verdict.FAIL
    assert f.evidence["missing"] == "投诉方式" and "投诉方式" in f.message
    assert "共3篇" in f.message  # the column page and its two entries were all searched


def test_a_sidebar_list_repeated_on_many_pages_is_not_a_columns_content(tmp_path: Path) -> None:
    """The page reader took a site-wide "最新公开" sidebar for three columns' lists: the run shows the same
    entries on three list pages, so none of them is judged on it, and a column left with nothing is
    inconclusive, not blank and not passed on its neighbours' articles."""
    crawl = Crawl.begin(open_store(tmp_path))
    sidebar = [("2018年收费公示", f"{column(99)}info/1.htm"), ("奖学金名单", f"{column(98)}info/2.htm")]
    for item in (19, 21, 37):
        crawl.catalogue(item)
        for n, (title, url) in enumerate(sidebar, start=1):
            crawl.entry(item, title, date(2018, 11, 1), n=n, url=url,
                        text="收费项目、收费依据、收费标准见下表。投诉电话：010-62332317")
    run_id = crawl.finish()
    judged = findings(crawl.store, run_id, fees(), AS_OF)
    assert judged["presence.not-blank"].status is Verdict.INCONCLUSIVE
    assert column(21) in judged["presence.not-blank"].evidence["set_aside"]
    assert RULE not in judged  # nothing of the column's own to search
