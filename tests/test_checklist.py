"""The 清单 and the 北京科技大学 catalogue as shipped, and what a clerk sees when a catalogue file is wrong.

The shipped data is compared with the seed (the closing table of USTB's 2017~2018 annual report),
parsed here independently of the data files; broken files are checked through the real command, so
that the file:line: field: message lines and the exit status are what a user would get.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli.checklist import checklist_group
from checklist import (
    CatalogueError,
    CatalogueErrors,
    Cycle,
    Period,
    TermMode,
    available_sites,
    load_checklist,
    load_site,
    shipped_files,
    validate,
)
from checklist.loader import DATA_DIR, SITES_DIR

SEED = Path(__file__).resolve().parent / "data" / "seed" / "000_074c46209a94675a.txt"  # see its README.md
REPO = Path(__file__).resolve().parents[1]
USTB_TEXT = (SITES_DIR / "ustb.yaml").read_text(encoding="utf-8")
QINGDAN_TEXT = (DATA_DIR / "qingdan-2014.yaml").read_text(encoding="utf-8")


# ── the seed table ──────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class SeedRow:
    number: int
    category: int
    category_name: str
    wording: str
    departments: tuple[str, ...]
    url: str


def _parse_seed(text: str) -> list[SeedRow]:
    """The table after the header cell 公开网址: rows separated by empty lines, a tab opens a cell,
    an untabbed line continues the cell before it; an empty cell inherits the one above (merged cells).
    """
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "公开网址")
    blocks: list[list[str]] = []
    cells: list[str] = []
    for line in lines[start + 1 :]:
        if line == "":
            if cells:
                blocks.append(cells)
                cells = []
        elif line.startswith("\t"):
            cells.append(line[1:].strip())
        elif cells:
            cells[-1] += "\n" + line.strip()
    if cells:
        blocks.append(cells)
    rows: list[SeedRow] = []
    category, category_name = 0, ""
    departments: tuple[str, ...] = ()
    for cells in blocks:
        assert len(cells) == 5, cells
        if cells[0]:
            category = int(cells[0])
            category_name = re.sub(r"（\d+项）$", "", cells[1].replace("\n", ""))
        m = re.fullmatch(r"（(\d+)）(.*)", cells[2], re.DOTALL)
        assert m, cells[2]
        if cells[3]:
            departments = tuple(cells[3].split("\n"))
        rows.append(SeedRow(int(m[1]), category, category_name, m[2], departments, cells[4].strip()))
    return rows


@pytest.fixture(scope="module")
def seed() -> list[SeedRow]:
    rows = _parse_seed(SEED.read_text(encoding="utf-8"))
    assert [r.number for r in rows] == list(range(1, 51))
    return rows


# ── shipped data ────────────────────────────────────────────────────────────────────────────────────


def test_shipped_files_validate_and_load() -> None:
    assert validate(shipped_files()) == []
    assert "ustb" in available_sites()
    checklist = load_checklist()
    assert checklist.version == "qingdan-2014"
    assert checklist.publish_within_working_days == 20
    assert [it.number for it in checklist.items] == list(range(1, 51))
    assert len(checklist.categories) == 10
    site = load_site("ustb")
    assert site.checklist_version == "qingdan-2014"
    assert site.source_path == str(SITES_DIR / "ustb.yaml")
    assert site.host_allowed("xxgk.ustb.edu.cn") and not site.host_allowed("example.com")
    assert "{version}" in site.policy.user_agent  # left as a template for the spider to fill in


def test_checklist_wording_and_categories_equal_the_seed(seed: list[SeedRow]) -> None:
    checklist = load_checklist()
    for row in seed:
        item = checklist.item(row.number)
        assert item.wording == row.wording, row.number
        assert (item.category, item.category_name) == (row.category, row.category_name), row.number


def test_ustb_urls_and_departments_equal_the_seed(seed: list[SeedRow]) -> None:
    site = load_site("ustb")
    assert [it.number for it in site.items] == list(range(1, 51))
    for row in seed:
        entry = site.item(row.number)
        assert entry.urls == (row.url,), row.number
        assert entry.departments == row.departments, row.number
        assert entry.absent is None
    declared = {d.name for d in site.departments}
    assert declared == {d for row in seed for d in row.departments}
    assert "党办、校办" in declared and "党办" not in declared  # one joint office
    assert all(d.contact == "" for d in site.departments)
    # Merged cells in the seed: the brief's resolution, spelled out.
    assert site.item(2).lead == "党办、校办"
    assert site.item(29).departments == ("教务处", "研究生院")
    assert site.item(33).departments == ("招生就业处",)
    assert {site.item(n).departments for n in (12, 13, 14, 45, 46)} == {("研究生院",)}


def test_cycles_deadlines_and_sources_follow_domain_facts() -> None:
    checklist = load_checklist()
    by_cycle: dict[Cycle, set[int]] = {c: set() for c in Cycle}
    for it in checklist.items:
        by_cycle[it.cycle].add(it.number)
    assert by_cycle[Cycle.STANDING] == {2, 10, 14, 15, 24, 26, 31, *range(36, 44), 45, 48, 50}
    assert by_cycle[Cycle.ANNUAL_DEADLINE] == {6, 19, 20, 32, 33, 34, 35}
    assert by_cycle[Cycle.ADMISSIONS] == {7, 8, 9, 11, 12, 13}
    assert by_cycle[Cycle.EVENT] == {18, 22, 23, 25, 44, 46, 49}
    assert all(checklist.item(n).max_age_days == 395 for n in by_cycle[Cycle.ANNUAL])
    assert {n: checklist.item(n).max_age_days for n in by_cycle[Cycle.EVENT]} == {
        18: 92,
        22: 365,
        23: 365,
        25: 183,
        44: 365,
        46: 365,
        49: 365,
    }
    report = checklist.item(6)
    assert (str(report.deadline), report.period, report.edition_name) == (
        "10-31",
        Period.ACADEMIC_YEAR,
        "信息公开工作年度报告",
    )
    assert "〔2018〕80号" in report.basis.text
    assert checklist.item(20).period is Period.PREVIOUS_YEAR
    assert checklist.item(11).period is Period.NEXT_YEAR
    # Only DOMAIN.md's [C] deadlines are confirmed; the defaults are not.
    confirmed = {it.number for it in checklist.items if it.deadline_source and it.deadline_source.confirmed}
    assert confirmed == {6, 32, 33}
    assert "教财厅函〔2017〕28号" in checklist.item(37).basis.text


def test_required_content_and_privacy() -> None:
    checklist = load_checklist()
    (budget,) = checklist.item(19).required
    assert budget.mode is TermMode.ALL
    assert budget.terms == ("收支预算总表", "收入预算表", "支出预算表", "财政拨款支出预算表")
    (accounts,) = checklist.item(20).required
    assert accounts.mode is TermMode.ALL and len(accounts.terms) == 4
    fees = {r.label: r for r in checklist.item(21).required}
    assert fees["投诉方式"].mode is TermMode.ANY and "投诉" in fees["投诉方式"].terms
    assert any(
        r.mode is TermMode.ALL and set(r.terms) == {"收费项目", "收费依据", "收费标准"} for r in fees.values()
    )
    assert any(r.mode is TermMode.ANY and "查询" in r.terms for r in checklist.item(9).required)
    assert re.search(
        checklist.item(6).required[0].terms[0], "北京科技大学2017~2018学年度信息公开工作年度报告"
    )
    sensitive = {it.number for it in checklist.items if it.privacy_sensitive}
    assert {8, 12, 13, 25, 37, 44} <= sensitive
    assert not {2, 19, 20, 35} & sensitive


# ── broken files ────────────────────────────────────────────────────────────────────────────────────


def _edit(text: str, old: str, new: str, after: str = "") -> tuple[str, int]:
    """Replace the first `old` after the unique `after` anchor; return the text and the edited line."""
    start = 0
    if after:
        assert text.count(after) == 1, after
        start = text.index(after)
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old) :], text.count("\n", 0, at) + 1


def _line_of(text: str, needle: str) -> int:
    assert text.count(needle) == 1, needle
    return text.count("\n", 0, text.index(needle)) + 1


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    line: int
    field: str
    message: str  # a part of the message
    checklist: bool = False  # a broken 清单 rather than a broken catalogue


def _cases() -> list[Case]:
    cases: list[Case] = []
    text, line = _edit(USTB_TEXT, "name: 北京科技大学\n", "name: 北京科技大学: 信息公开网\n")
    cases.append(Case("yaml-syntax", text, line, "", "YAML syntax error: mapping values are not allowed"))

    text = USTB_TEXT + "  51:\n    url: http://xxgk.ustb.edu.cn/extra/\n    departments: [教务处]\n"
    cases.append(
        Case(
            "unknown-item", text, _line_of(text, "  51:"), "items.51", "item 51 is not in qingdan-2014 (1–50)"
        )
    )

    text, line = _edit(USTB_TEXT, "  8:", "  7:")
    first = _line_of(USTB_TEXT, "  7:")
    cases.append(
        Case("duplicate-item", text, line, "items.7", f"item 7 appears twice (first at line {first})")
    )

    text, _ = _edit(USTB_TEXT, USTB_TEXT[USTB_TEXT.index("  12:") : USTB_TEXT.index("  13:")], "")
    cases.append(
        Case(
            "missing-item",
            text,
            _line_of(text, "\nitems:") + 1,
            "items.12",
            "item 12 of qingdan-2014 is missing",
        )
    )

    text, line = _edit(USTB_TEXT, "url: http://", "url: htp://", after="  3:")
    cases.append(Case("bad-scheme", text, line, "items.3.url", "'htp://xxgk.ustb.edu.cn/"))

    text, line = _edit(
        USTB_TEXT, "url: http://xxgk.ustb.edu.cn/", "url: http://xxgk.example.com/", after="  4:"
    )
    cases.append(
        Case("host-not-allowed", text, line, "items.4.url", "host xxgk.example.com is not in allowed_hosts")
    )

    text, line = _edit(USTB_TEXT, "[人事处, 教务处]", "[人事处, 教务部]", after="  27:")
    cases.append(
        Case("undeclared-department", text, line, "items.27.departments", "department 教务部 is not declared")
    )

    text, line = _edit(
        USTB_TEXT,
        "    departments: [研究生院]\n",
        "    departments: [研究生院]\n    absent: {reason: 本期无新增学位点, until: 2019-02-30}\n",
        after="  46:",
    )
    cases.append(Case("bad-until", text, line + 1, "items.46.absent.until", "'2019-02-30' is not a date"))

    text, line = _edit(
        USTB_TEXT,
        "    departments: [招生就业处]\n",
        '    departments: [招生就业处]\n    deadline: "13-01"\n',
        after="  7:",
    )
    cases.append(Case("bad-deadline", text, line + 1, "items.7.deadline", "'13-01' is not a date"))

    text, line = _edit(
        USTB_TEXT, "departments: [党办、校办, 发展规划处]", "departments: 党办、校办", after="  5:"
    )
    cases.append(
        Case("string-for-list", text, line, "items.5.departments", "expected a list, got text '党办、校办'")
    )

    text, line = _edit(USTB_TEXT, "    url:", "    ulr:", after="  9:")
    cases.append(Case("typo-key", text, line, "items.9.ulr", "unknown key 'ulr' (did you mean 'url'?)"))

    text, line = _edit(QINGDAN_TEXT, "cycle: annual\n", "cycle: anual\n", after="  - number: 16\n")
    cases.append(
        Case(
            "unknown-cycle",
            text,
            line,
            "items.16.cycle",
            "unknown cycle 'anual' (did you mean 'annual'?)",
            True,
        )
    )

    text, line = _edit(QINGDAN_TEXT, "period: calendar-year", "period: fiscal-year", after="  - number: 19\n")
    cases.append(Case("unknown-period", text, line, "items.19.period", "unknown period 'fiscal-year'", True))

    text, line = _edit(QINGDAN_TEXT, "{mode: all,", "{mode: every,", after="  - number: 21\n")
    cases.append(
        Case("unknown-term-mode", text, line, "items.21.required[0].mode", "unknown term mode 'every'", True)
    )
    return cases


CASES = _cases()


def _write(tmp_path: Path, case: Case) -> Path:
    path = tmp_path / f"{case.name}.yaml"
    path.write_text(case.text, encoding="utf-8")
    return path


def _expected(path: Path, case: Case) -> str:
    field = f" {case.field}:" if case.field else ""
    return f"{path}:{case.line}:{field} {case.message}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_reports_file_line_field_and_exits_2(tmp_path: Path, case: Case) -> None:
    path = _write(tmp_path, case)
    result = CliRunner().invoke(checklist_group, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # an orderly exit, not a crash
    assert _expected(path, case) in result.stderr, result.stderr
    assert "✓" not in result.stdout
    # The library reports the same, as a located error object.
    errors = validate([path])
    assert any(e.line == case.line and e.field == case.field and case.message in e.message for e in errors)


def test_validate_in_a_real_process(tmp_path: Path) -> None:
    """Exit status 2, every mistake of every file on stderr, the good file acknowledged, no traceback."""
    good = tmp_path / "good.yaml"
    good.write_text(USTB_TEXT, encoding="utf-8")
    broken = [(_write(tmp_path, c), c) for c in CASES]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "checklist", "validate", str(good), *(str(p) for p, _ in broken)],
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"✓ {good}: 50 items" in proc.stdout
    for path, case in broken:
        assert _expected(path, case) in proc.stderr


def test_all_mistakes_of_a_file_are_reported_together(tmp_path: Path) -> None:
    text, typo = _edit(USTB_TEXT, "    url:", "    ulr:", after="  9:")
    text, host = _edit(text, "url: http://xxgk.ustb.edu.cn/", "url: http://example.com/", after="  40:")
    text, dept = _edit(text, "[组织部]", "[组织处]", after="  22:")
    path = tmp_path / "three.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueErrors) as caught:
        load_site(path)
    lines = {e.line for e in caught.value.errors}
    assert {typo, host, dept} <= lines
    assert isinstance(caught.value, CatalogueError)
    assert str(caught.value).count("\n") + 1 == len(caught.value)


def test_declared_absence_replaces_the_url(tmp_path: Path) -> None:
    block = USTB_TEXT[USTB_TEXT.index("  46:") : USTB_TEXT.index("  47:")]
    absent = "  46:\n    departments: [研究生院]\n    absent: {reason: 本期无拟新增学位授权点, until: 2019-12-31}\n"
    path = tmp_path / "absent.yaml"
    path.write_text(USTB_TEXT.replace(block, absent), encoding="utf-8")
    entry = load_site(path).item(46)
    assert entry.urls == ()
    assert entry.absent is not None and entry.absent.until.isoformat() == "2019-12-31"
    assert entry.lead == "研究生院"


def test_policy_overrides_are_typed(tmp_path: Path) -> None:
    text = USTB_TEXT.replace(
        "\ndepartments:", "\npolicy:\n  delay_seconds: 1\n  obey_robots: yes please\n\ndepartments:", 1
    )
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    (error,) = validate([path])
    assert (error.field, error.line) == ("policy.obey_robots", _line_of(text, "  obey_robots: yes"))
    assert "expected true or false" in error.message
    path.write_text(text.replace("obey_robots: yes please", "max_depth: 2"), encoding="utf-8")
    policy = load_site(path).policy
    assert (policy.delay_seconds, policy.max_depth, policy.obey_robots) == (1.0, 2, True)


def test_a_catalogue_must_follow_the_given_checklist() -> None:
    checklist = load_checklist()
    assert load_site("ustb", checklist).checklist_version == checklist.version
    with pytest.raises(CatalogueErrors, match="no shipped catalogue 'nosuch' \\(available: .*ustb"):
        load_site("nosuch")


def test_error_line_format() -> None:
    error = CatalogueError("sites/ustb.yaml", 57, "items.51", "item 51 is not in qingdan-2014 (1–50)")
    assert str(error) == "sites/ustb.yaml:57: items.51: item 51 is not in qingdan-2014 (1–50)"


# ── the command ─────────────────────────────────────────────────────────────────────────────────────


def test_validate_without_paths_checks_every_shipped_file() -> None:
    result = CliRunner().invoke(checklist_group, ["validate"])
    assert result.exit_code == 0, result.output
    assert "✓ data/qingdan-2014.yaml: 50 items" in result.stdout
    assert "✓ sites/ustb.yaml: 50 items" in result.stdout


def test_show_site_lists_all_fifty_items(seed: list[SeedRow]) -> None:
    result = CliRunner().invoke(checklist_group, ["show", "--site", "ustb"])
    assert result.exit_code == 0, result.output
    for row in seed:
        assert row.url in result.stdout, row.number
    rows = [line for line in result.stdout.splitlines() if re.match(r"│\s*\d+\s*│", line)]
    assert [int(line.split("│")[1]) for line in rows] == list(range(1, 51))


def test_show_national_list_by_category() -> None:
    result = CliRunner().invoke(checklist_group, ["show", "--category", "3"])
    assert result.exit_code == 0, result.output
    numbers = [
        int(line.split("│")[1]) for line in result.stdout.splitlines() if re.match(r"│\s*\d+\s*│", line)
    ]
    assert numbers == list(range(15, 22))
    assert "收支预算总表" in result.stdout
    bad = CliRunner().invoke(checklist_group, ["show", "--category", "11"])
    assert bad.exit_code == 2 and "categories 1, 2" in bad.stderr
