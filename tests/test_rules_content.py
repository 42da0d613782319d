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
