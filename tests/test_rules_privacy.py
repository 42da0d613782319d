"""Privacy: full ID, mobile and bank-card numbers are found and shown masked; masked forms pass."""

from datetime import date
from pathlib import Path

from test_rules_support import Crawl, aid, column, findings, open_store, tenders

from auditor.models import PageKind, PageRole, Verdict
from auditor.rules.privacy import id_check_digit, is_id_number, luhn, scan

AS_OF = date(2018, 11, 30)
RULE = "privacy.personal-data"


def valid_id(first17: str) -> str:
    """GB 11643-1999: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11, 10 written X."""
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(first17))
    check = (12 - total % 11) % 11
    return first17 + ("X" if check == 10 else str(check))


def luhn_complete(prefix: str) -> str:
    """The Luhn check digit appended, computed here independently of the code under test."""
    for d in "0123456789":
        digits = [int(c) for c in prefix + d]
        total = 0
        for i, n in enumerate(reversed(digits)):
            total += (n * 2 - 9 if n * 2 > 9 else n * 2) if i % 2 else n
        if total % 10 == 0:
            return prefix + d
    raise AssertionError


def test_check_digit_matches_gb_11643() -> None:
    # the standard's worked example: 11010519491231002X
    assert id_check_digit("11010519491231002") == "X"
    assert is_id_number("11010519491231002X", AS_OF)
    assert not is_id_number("110105194912310021", AS_OF)  # wrong check digit
    assert not is_id_number(valid_id("99010519491231002"), AS_OF)  # no such region
    assert not is_id_number(valid_id("11010519491331002"), AS_OF)  # month 13


def test_full_id_in_an_xlsx_attachment_fails_and_is_shown_masked(tmp_path: Path) -> None:
    person = valid_id("11010119900307123")
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(37)
    detail = crawl.entry(37, "2018年国家励志奖学金获奖学生公示", date(2018, 10, 20), n=1)
    xlsx = f"{column(37)}list.xlsx"
    crawl.page(xlsx, 37, PageRole.ATTACHMENT, kind=PageKind.FILE, parent=detail,
               text=f"姓名\t学院\t身份证号\n张三\t材料学院\t{person}\n李四\t冶金学院\t110101********1234")
    f = findings(crawl.store, crawl.finish(), aid(), AS_OF)[RULE]
    assert f.status is Verdict.FAIL
    assert f.evidence["id_numbers"] == "1" and f.evidence["count"] == "1"
    assert f.evidence["examples"] == "1101011990******" + person[-2:]
    assert xlsx in f.message and xlsx == f.url
    assert person not in f.message and all(person not in v for v in f.evidence.values())


def test_masked_numbers_and_landlines_pass(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(37, kind=PageKind.ARTICLE,
                    text="获奖名单：张三 110101********1234 138****5678；咨询电话 010-62332317、62332317")
    f = findings(crawl.store, crawl.finish(), aid(), AS_OF)[RULE]
    assert f.status is Verdict.PASS


def test_mobile_fails_on_a_privacy_sensitive_item_and_warns_elsewhere(tmp_path: Path) -> None:
    crawl = Crawl.begin(open_store(tmp_path))
    crawl.catalogue(37, kind=PageKind.ARTICLE, text="助学金公示：张三 13812345678")
    crawl.catalogue(18, kind=PageKind.ARTICLE, text="采购联系人：王老师，电话13812345678")
    run = crawl.finish()
    sensitive = findings(crawl.store, run, aid(), AS_OF)[RULE]
    assert sensitive.status is Verdict.FAIL and "138****5678" in sensitive.message
    assert findings(crawl.store, run, tenders(), AS_OF)[RULE].status is Verdict.WARN


def test_an_id_passing_luhn_is_reported_once_as_an_id() -> None:
    ids = [valid_id(f"11010119900307{n:03d}") for n in range(200)]
    both = next(i for i in ids if i[-1] != "X" and luhn(i))
    hits = scan(f"身份证号：{both}", "u", AS_OF)
    assert [h.kind.value for h in hits] == ["身份证号"]


def test_bank_card_passing_luhn_is_found_and_long_digit_runs_are_not_mobiles() -> None:
    card = luhn_complete("622202020000123456")  # 19 digits, UnionPay
    hits = scan(f"银行卡号 {card}；订单号 2018113013812345678901", "u", AS_OF)
    assert [(h.kind.value, h.masked) for h in hits] == [("银行卡号", "6222" + "*" * 11 + card[-4:])]
    assert scan(f"卡号 {card[:-1]}{(int(card[-1]) + 1) % 10}", "u", AS_OF) == []  # Luhn fails
