"""Load and validate the 清单 and the universities' catalogue files.

These files are edited by people (a clerk at a university, a ministry official), so every mistake must
come back as a message that names the file, the line and the field, all mistakes of a file at once,
never a traceback. We therefore walk PyYAML's composed node tree (`yaml.compose`) instead of the
constructed Python objects: nodes keep the line of every key and value, and duplicate keys, which
PyYAML's constructor silently collapses to the last one, are still visible there.

Only validated data leaves this module, as the frozen records of `checklist.model`.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import SplitResult, urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checklist.model import (
    Absence,
    Checklist,
    CrawlPolicy,
    Cycle,
    Department,
    Item,
    KeepPublic,
    MonthDay,
    NightlyPolicy,
    Period,
    Selectors,
    Site,
    SiteItem,
    Source,
    TermMode,
    TermRule,
)

__all__ = [
    "DEFAULT_CHECKLIST",
    "CatalogueError",
    "CatalogueErrors",
    "FileReport",
    "available_checklists",
    "available_sites",
    "check_files",
    "load_checklist",
    "load_file",
    "load_site",
    "shipped_files",
    "validate",
]

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
SITES_DIR = PACKAGE_DIR / "sites"
DEFAULT_CHECKLIST = "qingdan-2014"

# The C parser is several times faster and reports the same marks; fall back when libyaml is absent.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP = (
    _T + "str",
    _T + "int",
    _T + "float",
    _T + "bool",
    _T + "null",
    _T + "timestamp",
)

_E = TypeVar("_E", bound=enum.Enum)


class CatalogueError(Exception):
    """One mistake in a 清单 or catalogue file, located by file, line and field."""

    def __init__(self, path: str, line: int | None, field: str, message: str) -> None:
        super().__init__(path, line, field, message)
        self.path = path
        self.line = line  # 1-based; None when the mistake concerns the whole file
        self.field = field  # dotted, e.g. "items.7.url"; "" for the file itself
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class CatalogueErrors(CatalogueError):
    """All the mistakes found in one load; `str()` lists them one per line."""

    def __init__(self, errors: Sequence[CatalogueError]) -> None:
        if not errors:
            raise ValueError("CatalogueErrors needs at least one error")
        first = errors[0]
        super().__init__(first.path, first.line, first.field, first.message)
        self.errors: tuple[CatalogueError, ...] = tuple(errors)
        self.args = (self.errors,)  # so that the exception pickles and reprs as what it carries

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

    def __iter__(self) -> Iterator[CatalogueError]:
        return iter(self.errors)

    def __len__(self) -> int:
        return len(self.errors)


# ── public API ──────────────────────────────────────────────────────────────────────────────────────


def available_checklists() -> list[str]:
    """Versions of the national list shipped with the package, e.g. ['qingdan-2014']."""
    return sorted(p.stem for p in DATA_DIR.glob("*.yaml"))


def available_sites() -> list[str]:
    """Ids of the catalogue files shipped with the package, e.g. ['ustb']."""
    return sorted(p.stem for p in SITES_DIR.glob("*.yaml"))


def shipped_files() -> list[Path]:
    """Every shipped file: the national lists first, then the catalogues."""
    return sorted(DATA_DIR.glob("*.yaml")) + sorted(SITES_DIR.glob("*.yaml"))


def load_checklist(path_or_version: str | Path = DEFAULT_CHECKLIST) -> Checklist:
    """Load a national list by shipped version (``qingdan-2014``) or from a file; raise CatalogueErrors."""
    path = _resolve(path_or_version, DATA_DIR, available_checklists, "national list")
    result = load_file(path)
    if not isinstance(result, Checklist):
        raise CatalogueErrors([CatalogueError(_display(path), None, "", "this is a catalogue, not a 清单")])
    return result


def load_site(path_or_id: str | Path, checklist: Checklist | None = None) -> Site:
    """Load a catalogue by shipped id (``ustb``) or from a file, checked against `checklist`.

    Without `checklist`, the list named in the file's ``checklist:`` key is loaded from the package.
    """
    path = _resolve(path_or_id, SITES_DIR, available_sites, "catalogue")
    known = {checklist.version: checklist} if checklist is not None else None
    result = load_file(path, known, expected=checklist)
    if not isinstance(result, Site):
        raise CatalogueErrors([CatalogueError(_display(path), None, "", "this is a 清单, not a catalogue")])
    return result


def load_file(
    path: str | Path,
    checklists: Mapping[str, Checklist] | None = None,
    *,
    expected: Checklist | None = None,
) -> Checklist | Site:
    """Load either kind of file, telling them apart by their keys; raise CatalogueErrors on any mistake.

    `checklists` are lists known beyond the shipped ones (a catalogue names its list by version);
    `expected`, if given, is the list the catalogue must follow.
    """
    path = Path(path)
    reader = _Reader(_display(path))
    root = reader.compose(path)
    result: Checklist | Site | None = None
    if root is not None:
        kind = _kind(root)
        if kind == "checklist":
            result = _ChecklistParser(reader).parse(root)
        elif kind == "site":
            result = _SiteParser(reader, checklists or {}, expected, path).parse(root)
        else:
            reader.error(
                root,
                "",
                "cannot tell what this file is: a 清单 has 'categories:', a catalogue has 'checklist:'",
            )
    if reader.errors or result is None:
        # In file order, as an editor walks through them; mistakes of the whole file come first.
        reader.errors.sort(key=lambda e: e.line or 0)
        raise CatalogueErrors(reader.errors or [CatalogueError(reader.display, None, "", "nothing loaded")])
    return result


@dataclasses.dataclass(frozen=True)
class FileReport:
    """The outcome of checking one file: what it loaded to, or its mistakes."""

    path: Path
    shown: str  # the name used in messages (shipped files relative to the package)
    result: Checklist | Site | None
    errors: tuple[CatalogueError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def check_files(paths: Iterable[str | Path]) -> list[FileReport]:
    """Check each file, national lists first, so that a catalogue may follow a list being written
    alongside it and not shipped yet. Reports come back in the order of `paths`.
    """
    files = [Path(p) for p in paths]
    known: dict[str, Checklist] = {}
    reports: dict[int, FileReport] = {}
    lists_first = sorted(range(len(files)), key=lambda i: 0 if _looks_like_checklist(files[i]) else 1)
    for i in lists_first:
        path = files[i]
        try:
            result = load_file(path, known)
        except CatalogueErrors as exc:
            reports[i] = FileReport(path, _display(path), None, exc.errors)
            continue
        if isinstance(result, Checklist):
            known.setdefault(result.version, result)
        reports[i] = FileReport(path, _display(path), result)
    return [reports[i] for i in range(len(files))]


def validate(paths: Iterable[str | Path]) -> list[CatalogueError]:
    """Every mistake in the given files ([] when all are good)."""
    return [error for report in check_files(paths) for error in report.errors]


# ── resolution of names and paths ───────────────────────────────────────────────────────────────────


def _resolve(arg: str | Path, folder: Path, names: Callable[[], list[str]], what: str) -> Path:
    """A shipped name (no slash, no .yaml) becomes the shipped file; anything else is a path."""
    if isinstance(arg, Path):
        return arg
    if "/" in arg or "\\" in arg or arg.endswith((".yaml", ".yml")):
        return Path(arg)
    candidate = folder / f"{arg}.yaml"
    if not candidate.is_file():
        available = ", ".join(names()) or "none"
        raise CatalogueErrors(
            [CatalogueError(arg, None, "", f"no shipped {what} '{arg}' (available: {available})")]
        )
    return candidate


def _display(path: Path) -> str:
    """Shipped files are named relative to the package (sites/ustb.yaml); others as the user gave them."""
    try:
        return path.resolve().relative_to(PACKAGE_DIR).as_posix()
    except ValueError:
        return str(path)


def _kind(root: Node) -> str:
    if not isinstance(root, MappingNode):
        return ""
    keys = {k.value for k, _ in root.value if isinstance(k, ScalarNode)}
    if "checklist" in keys or "home" in keys or "allowed_hosts" in keys:
        return "site"
    if "categories" in keys or "publish_within_working_days" in keys:
        return "checklist"
    return ""


def _looks_like_checklist(path: Path) -> bool:
    """A cheap look at the top-level keys; a file that does not parse is left to load_file to report."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8-sig"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return root is not None and _kind(root) == "checklist"


# ── the node reader: typed access that records mistakes instead of raising ──────────────────────────


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    tag = node.tag
    if tag == _STR:
        return f"text '{node.value}'"
    if tag in (_INT, _FLOAT):
        return f"a number ({node.value})"
    if tag == _BOOL:
        return f"true/false ({node.value})"
    if tag == _NULL:
        return "nothing"
    if tag == _TIMESTAMP:
        return f"a date ({node.value})"
    return f"'{node.value}'"


def _hint(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _line(node: Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


class _Reader:
    """Reads typed values from nodes of one file; each mistake is recorded and None returned."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.errors: list[CatalogueError] = []
        self.key_lines: dict[int, int | None] = {}  # id(value node) -> line of its key
        self._constructor = yaml.constructor.SafeConstructor()

    def error(self, node: Node | None, field: str, message: str, line: int | None = None) -> None:
        self.errors.append(
            CatalogueError(self.display, line if line is not None else _line(node), field, message)
        )

    def compose(self, path: Path) -> Node | None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            self.error(None, "", "no such file")
            return None
        except UnicodeDecodeError as exc:
            self.error(None, "", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")
            return None
        except OSError as exc:
            self.error(None, "", f"cannot read: {exc.strerror or exc}")
            return None
        try:
            root = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            # The problem mark is where the parser gave up; the context mark, if any, is where the
            # construct it was reading began (e.g. an unclosed quote): name both.
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or "syntax error"
            context = ""
            if exc.context and exc.context_mark is not None and exc.context_mark is not mark:
                context = f" ({exc.context}, which starts at line {exc.context_mark.line + 1})"
            elif exc.context:
                context = f" ({exc.context})"
            self.error(
                None, "", f"YAML syntax error: {problem}{context}", line=mark.line + 1 if mark else None
            )
            return None
        except yaml.YAMLError as exc:
            self.error(None, "", f"YAML syntax error: {exc}")
            return None
        if root is None:
            self.error(None, "", "the file is empty")
        return root

    def mapping(
        self, node: Node, field: str, known: Sequence[str], required: Sequence[str] = ()
    ) -> dict[str, Node] | None:
        """A mapping with text keys; duplicate, unknown and missing keys are mistakes."""
        if not isinstance(node, MappingNode):
            self.error(node, field, f"expected a mapping (key: value lines), got {_describe(node)}")
            return None
        out: dict[str, Node] = {}
        key_lines: dict[str, int | None] = {}
        prefix = f"{field}." if field else ""
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag != _STR:
                self.error(key_node, field, f"unexpected key {_describe(key_node)}")
                continue
            key = key_node.value
            if key in out:
                self.error(key_node, prefix + key, f"duplicate key '{key}' (first at line {key_lines[key]})")
                continue
            if key not in known:
                expected = ", ".join(known)
                self.error(
                    key_node,
                    prefix + key,
                    f"unknown key '{key}'{_hint(key, known)}; expected one of: {expected}",
                )
                continue
            out[key] = value_node
            key_lines[key] = self.key_lines[id(value_node)] = _line(key_node)
        for key in required:
            if key not in out:
                self.error(node, field or "(top level)", f"missing '{key}:'")
        return out

    def _scalar(self, node: Node) -> Any:
        return self._constructor.construct_object(node, deep=True)

    def text(self, node: Node, field: str, *, empty_ok: bool = False) -> str | None:
        if not isinstance(node, ScalarNode) or node.tag != _STR:
            self.error(node, field, f"expected text, got {_describe(node)}")
            return None
        value = str(node.value)
        if not value.strip() and not empty_ok:
            self.error(node, field, "must not be empty")
            return None
        return value

    def label(self, node: Node, field: str) -> str | None:
        """Text, but a bare number or date is accepted too (version: 2018 means "2018")."""
        if isinstance(node, ScalarNode) and node.tag in (_INT, _FLOAT, _TIMESTAMP):
            return str(node.value)
        return self.text(node, field)

    def integer(self, node: Node, field: str, minimum: int | None = None) -> int | None:
        if not isinstance(node, ScalarNode) or node.tag != _INT:
            self.error(node, field, f"expected a whole number, got {_describe(node)}")
            return None
        value = int(self._scalar(node))
        if minimum is not None and value < minimum:
            self.error(node, field, f"must be at least {minimum}, got {value}")
            return None
        return value

    def number(self, node: Node, field: str) -> float | None:
        if not isinstance(node, ScalarNode) or node.tag not in (_INT, _FLOAT):
            self.error(node, field, f"expected a number, got {_describe(node)}")
            return None
        value = float(self._scalar(node))
        if value < 0:
            self.error(node, field, f"must not be negative, got {node.value}")
            return None
        return value

    def boolean(self, node: Node, field: str) -> bool | None:
        if not isinstance(node, ScalarNode) or node.tag != _BOOL:
            self.error(node, field, f"expected true or false, got {_describe(node)}")
            return None
        return bool(self._scalar(node))

    def choice(self, node: Node, field: str, enum_cls: type[_E], what: str) -> _E | None:
        value = self.text(node, field)
        if value is None:
            return None
        try:
            return enum_cls(value)
        except ValueError:
            options = [str(m.value) for m in enum_cls]
            self.error(
                node,
                field,
                f"unknown {what} '{value}'{_hint(value, options)}; expected one of: {', '.join(options)}",
            )
            return None

    def text_list(self, node: Node, field: str) -> tuple[str, ...] | None:
        """A non-empty list of texts; a single text where a list is expected is a mistake, not a guess."""
        if not isinstance(node, SequenceNode):
            hint = f" (write [{node.value}])" if isinstance(node, ScalarNode) and node.tag == _STR else ""
            self.error(node, field, f"expected a list, got {_describe(node)}{hint}")
            return None
        if not node.value:
            self.error(node, field, "the list must not be empty")
            return None
        out: list[str] = []
        ok = True
        for i, child in enumerate(node.value):
            value = self.text(child, f"{field}[{i}]")
            if value is None:
                ok = False
            else:
                out.append(value)
        return tuple(out) if ok else None

    def month_day(self, node: Node, field: str) -> MonthDay | None:
        raw = node.value if isinstance(node, ScalarNode) and node.tag in (_STR, _INT) else None
        if not isinstance(raw, str):
            self.error(node, field, f'expected a month and day as "MM-DD", got {_describe(node)}')
            return None
        m = re.fullmatch(r"(\d{1,2})-(\d{1,2})", raw.strip())
        try:
            if m is None:
                raise ValueError
            date(2000, int(m[1]), int(m[2]))  # a leap year, so that 02-29 is a date
        except ValueError:
            self.error(node, field, f"'{raw}' is not a date: write the month and day as MM-DD, e.g. 10-31")
            return None
        return MonthDay(int(m[1]), int(m[2]))

    def iso_date(self, node: Node, field: str) -> date | None:
        raw = node.value if isinstance(node, ScalarNode) and node.tag in (_STR, _TIMESTAMP) else None
        if not isinstance(raw, str):
            self.error(node, field, f"expected a date YYYY-MM-DD, got {_describe(node)}")
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
                raise ValueError
            return date.fromisoformat(raw.strip())
        except ValueError:
            self.error(node, field, f"'{raw}' is not a date: write it as YYYY-MM-DD, e.g. 2019-12-31")
            return None

    def source(self, node: Node, field: str) -> Source | None:
        m = self.mapping(node, field, ("text", "confirmed"), ("text", "confirmed"))
        if m is None or "text" not in m or "confirmed" not in m:
            return None
        text = self.text(m["text"], f"{field}.text")
        confirmed = self.boolean(m["confirmed"], f"{field}.confirmed")
        if text is None or confirmed is None:
            return None
        return Source(text, confirmed)


# ── the national list ───────────────────────────────────────────────────────────────────────────────

_CHECKLIST_KEYS = ("version", "title", "issued_by", "publish_within_working_days", "categories", "items")
_ITEM_KEYS = (
    "number",
    "category",
    "wording",
    "short_name",
    "basis",
    "cycle",
    "deadline",
    "deadline_source",
    "period",
    "max_age_days",
    "required",
    "privacy_sensitive",
    "edition_name",
    "keep_public",
)
_ITEM_REQUIRED = ("number", "category", "wording", "short_name", "basis", "cycle")
_VERSION_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")


class _ChecklistParser:
    def __init__(self, reader: _Reader) -> None:
        self.r = reader

    def parse(self, root: Node) -> Checklist | None:
        r = self.r
        top = r.mapping(root, "", _CHECKLIST_KEYS, _CHECKLIST_KEYS)
        if top is None:
            return None
        version = r.text(top["version"], "version") if "version" in top else None
        if version is not None and not _VERSION_RE.fullmatch(version):
            r.error(top["version"], "version", f"'{version}' is not a version name such as qingdan-2014")
            version = None
        title = r.text(top["title"], "title") if "title" in top else None
        issued_by = r.text(top["issued_by"], "issued_by") if "issued_by" in top else None
        days = (
            r.integer(top["publish_within_working_days"], "publish_within_working_days", 1)
            if "publish_within_working_days" in top
            else None
        )
        categories = self._categories(top["categories"]) if "categories" in top else None
        items = self._items(top["items"], categories or {}) if "items" in top else None
        if None in (version, title, issued_by, days, categories, items) or r.errors:
            return None
        assert version and title and issued_by and days and items is not None
        return Checklist(version, title, issued_by, days, items)

    def _categories(self, node: Node) -> dict[int, str] | None:
        r = self.r
        if not isinstance(node, MappingNode):
            r.error(
                node, "categories", f"expected a mapping of category number to name, got {_describe(node)}"
            )
            return None
        out: dict[int, str] = {}
        for key_node, value_node in node.value:
            number = r.integer(key_node, "categories", 1)
            name = r.text(value_node, f"categories.{key_node.value}")
            if number is None or name is None:
                continue
            if number in out:
                r.error(key_node, f"categories.{number}", f"category {number} appears twice")
                continue
            out[number] = name
        return out

    def _items(self, node: Node, categories: dict[int, str]) -> tuple[Item, ...] | None:
        r = self.r
        if not isinstance(node, SequenceNode):
            r.error(node, "items", f"expected a list of items, got {_describe(node)}")
            return None
        items: dict[int, Item] = {}
        first_line: dict[int, int | None] = {}
        for index, child in enumerate(node.value):
            number, item = self._item(child, index, categories)
            if number is None:
                continue
            if number in first_line:
                r.error(
                    child,
                    f"items.{number}",
                    f"item {number} appears twice (first at line {first_line[number]})",
                )
                continue
            first_line[number] = _line(child)
            if item is not None:
                items[number] = item
        if first_line:
            gaps = sorted(set(range(1, max(first_line) + 1)) - set(first_line))
            if gaps:
                listed = ", ".join(map(str, gaps))
                r.error(node, "items", f"item numbers must run from 1 without gaps; missing: {listed}")
        return tuple(items[n] for n in sorted(items))

    def _item(self, node: Node, index: int, categories: dict[int, str]) -> tuple[int | None, Item | None]:
        r = self.r
        field = f"items[{index}]"
        m = r.mapping(node, field, _ITEM_KEYS, _ITEM_REQUIRED)
        if m is None:
            return None, None
        number = r.integer(m["number"], f"{field}.number", 1) if "number" in m else None
        if number is not None:
            field = f"items.{number}"
        errors_before = len(r.errors)
        category = r.integer(m["category"], f"{field}.category", 1) if "category" in m else None
        if category is not None and categories and category not in categories:
            known = ", ".join(map(str, sorted(categories)))
            r.error(
                m["category"], f"{field}.category", f"category {category} is not under categories: ({known})"
            )
        wording = r.text(m["wording"], f"{field}.wording") if "wording" in m else None
        short_name = r.text(m["short_name"], f"{field}.short_name") if "short_name" in m else None
        basis = r.source(m["basis"], f"{field}.basis") if "basis" in m else None
        cycle = r.choice(m["cycle"], f"{field}.cycle", Cycle, "cycle") if "cycle" in m else None
        deadline = r.month_day(m["deadline"], f"{field}.deadline") if "deadline" in m else None
        deadline_source = (
            r.source(m["deadline_source"], f"{field}.deadline_source") if "deadline_source" in m else None
        )
        period = (
            r.choice(m["period"], f"{field}.period", Period, "period")
            if "period" in m
            else Period.CALENDAR_YEAR
        )
        max_age = r.integer(m["max_age_days"], f"{field}.max_age_days", 1) if "max_age_days" in m else None
        required = self._rules(m["required"], f"{field}.required") if "required" in m else ()
        privacy = (
            r.boolean(m["privacy_sensitive"], f"{field}.privacy_sensitive")
            if "privacy_sensitive" in m
            else False
        )
        edition = r.text(m["edition_name"], f"{field}.edition_name") if "edition_name" in m else ""
        keep_public = self._keep_public(m["keep_public"], f"{field}.keep_public") if "keep_public" in m else None

        # The rule engine needs a deadline for calendar cycles and a span for age-based ones; a
        # deadline without its source would be a fact nobody can check.
        if cycle in (Cycle.ANNUAL_DEADLINE, Cycle.ADMISSIONS) and "deadline" not in m:
            r.error(node, f"{field}.deadline", f'an item with cycle {cycle} needs deadline: "MM-DD"')
        if cycle in (Cycle.ANNUAL, Cycle.EVENT) and "max_age_days" not in m:
            r.error(node, f"{field}.max_age_days", f"an item with cycle {cycle} needs max_age_days")
        if cycle is Cycle.STANDING and ("deadline" in m or "max_age_days" in m):
            r.error(node, field, "a standing item has neither deadline nor max_age_days")
        if "deadline" in m and "deadline_source" not in m:
            r.error(
                m["deadline"],
                f"{field}.deadline_source",
                "say where the deadline comes from (deadline_source)",
            )

        if len(r.errors) > errors_before or None in (
            number,
            category,
            wording,
            short_name,
            basis,
            cycle,
            period,
            required,
            privacy,
            edition,
        ):
            return number, None
        assert number and category and wording and short_name and basis and cycle and period
        assert required is not None and privacy is not None and edition is not None
        item = Item(
            number=number,
            category=category,
            category_name=categories.get(category, ""),
            wording=wording,
            short_name=short_name,
            basis=basis,
            cycle=cycle,
            deadline=deadline,
            deadline_source=deadline_source,
            period=period,
            max_age_days=max_age,
            required=required,
            privacy_sensitive=privacy,
            edition_name=edition,
            keep_public=keep_public,
        )
        return number, item

    def _keep_public(self, node: Node, field: str) -> KeepPublic | None:
        """`{working_days: 10, source: {...}}` or `{until: year-end, source: {...}}`: one of the two, with
        where the period comes from (a minimum period nobody can check would blame on hearsay)."""
        r = self.r
        m = r.mapping(node, field, ("working_days", "until", "source"), ("source",))
        if m is None:
            return None
        source = r.source(m["source"], f"{field}.source") if "source" in m else None
        if ("working_days" in m) == ("until" in m):
            r.error(node, field, "give working_days: N or until: year-end (one of the two)")
            return None
        if "until" in m:
            until = r.text(m["until"], f"{field}.until")
            if until is not None and until != "year-end":
                r.error(m["until"], f"{field}.until", f"'{until}': the only period end known is year-end")
                return None
            return KeepPublic(source, to_year_end=True) if until and source else None
        days = r.integer(m["working_days"], f"{field}.working_days", 1)
        return KeepPublic(source, working_days=days) if days and source else None

    def _rules(self, node: Node, field: str) -> tuple[TermRule, ...] | None:
        r = self.r
        if not isinstance(node, SequenceNode):
            r.error(node, field, f"expected a list of {{mode, terms, label}}, got {_describe(node)}")
            return None
        rules: list[TermRule] = []
        ok = True
        for i, child in enumerate(node.value):
            f = f"{field}[{i}]"
            m = r.mapping(child, f, ("mode", "terms", "label"), ("mode", "terms", "label"))
            if m is None or len(m) < 3:
                ok = False
                continue
            mode = r.choice(m["mode"], f"{f}.mode", TermMode, "term mode")
            terms = r.text_list(m["terms"], f"{f}.terms")
            label = r.text(m["label"], f"{f}.label")
            if mode is TermMode.PATTERN and terms is not None:
                for j, term in enumerate(terms):
                    try:
                        re.compile(term)
                    except re.error as exc:
                        r.error(m["terms"].value[j], f"{f}.terms[{j}]", f"not a regular expression: {exc}")
                        terms = None
                        break
            if mode is None or terms is None or label is None:
                ok = False
                continue
            rules.append(TermRule(mode, terms, label))
        return tuple(rules) if ok else None


# ── a university's catalogue ────────────────────────────────────────────────────────────────────────

_SITE_KEYS = ("id", "name", "version", "checklist", "home", "allowed_hosts", "policy", "departments", "items",
              "site_owner", "university_home", "nightly")
_SITE_REQUIRED = ("id", "name", "version", "checklist", "home", "allowed_hosts", "departments", "items")
_SITE_ITEM_KEYS = ("url", "urls", "departments", "selectors", "deadline", "max_age_days", "absent")
_SELECTOR_KEYS = tuple(f.name for f in dataclasses.fields(Selectors))
_POLICY_FIELDS = {f.name: type(getattr(CrawlPolicy(), f.name)) for f in dataclasses.fields(CrawlPolicy)}
_NIGHTLY_FIELDS = {f.name: type(getattr(NightlyPolicy(), f.name)) for f in dataclasses.fields(NightlyPolicy)}
_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
_HOST_RE = re.compile(r"(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?")


class _SiteParser:
    def __init__(
        self, reader: _Reader, checklists: Mapping[str, Checklist], expected: Checklist | None, path: Path
    ) -> None:
        self.r = reader
        self.checklists = checklists
        self.expected = expected
        self.path = path
        self.hosts: tuple[str, ...] | None = None
        self.departments: dict[str, Department] = {}

    def parse(self, root: Node) -> Site | None:
        r = self.r
        top = r.mapping(root, "", _SITE_KEYS, _SITE_REQUIRED)
        if top is None:
            return None
        site_id = r.text(top["id"], "id") if "id" in top else None
        if site_id is not None and not _ID_RE.fullmatch(site_id):
            r.error(
                top["id"], "id", f"'{site_id}' must be lower-case letters, digits, '-' or '_' (e.g. ustb)"
            )
        name = r.text(top["name"], "name") if "name" in top else None
        version = r.label(top["version"], "version") if "version" in top else None
        self.hosts = self._hosts(top["allowed_hosts"]) if "allowed_hosts" in top else None
        checklist = self._checklist(top["checklist"]) if "checklist" in top else None
        home = self.url(top["home"], "home") if "home" in top else None
        policy = self._policy(top["policy"]) if "policy" in top else CrawlPolicy()
        departments = self._departments(top["departments"]) if "departments" in top else None
        items = self._items(top["items"], checklist) if "items" in top and checklist is not None else None
        owner = self._owner(top["site_owner"]) if "site_owner" in top else None
        university_home = self._university_home(top["university_home"]) if "university_home" in top else ""
        nightly = self._nightly(top["nightly"]) if "nightly" in top else NightlyPolicy()
        if r.errors or None in (
            site_id,
            name,
            version,
            self.hosts,
            checklist,
            home,
            policy,
            departments,
            items,
        ):
            return None
        assert site_id and name and version and self.hosts and checklist and home and policy
        assert departments is not None and items is not None
        return Site(
            id=site_id,
            name=name,
            version=version,
            checklist_version=checklist.version,
            home=home,
            allowed_hosts=self.hosts,
            departments=departments,
            items=items,
            policy=policy,
            source_path=str(self.path.resolve()),
            site_owner=owner,
            university_home=university_home or "",
            nightly=nightly or NightlyPolicy(),
        )

    def _owner(self, node: Node) -> Department | None:
        """The office that runs the site: a name that is no department's (its findings are never theirs)."""
        r = self.r
        m = r.mapping(node, "site_owner", ("name", "contact"), ("name",))
        if m is None or "name" not in m:
            return None
        name = r.text(m["name"], "site_owner.name")
        contact = r.text(m["contact"], "site_owner.contact", empty_ok=True) if "contact" in m else ""
        if name is None or contact is None:
            return None
        if contact and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", contact):
            r.error(m["contact"], "site_owner.contact", f"'{contact}' is not an e-mail address")
            return None
        if name in self.departments:
            r.error(m["name"], "site_owner.name",
                    f"{name} is also under departments: the site's findings must not count on a department's score")
            return None
        return Department(name, contact)

    def _university_home(self, node: Node) -> str | None:
        """Any web address: the university's home page usually stands outside the hosts the crawl enters."""
        value = self.r.text(node, "university_home")
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value.strip()):
            self.r.error(node, "university_home", f"'{value}' is not a web address (http:// or https:// and a host)")
            return None
        return value.strip()

    def _nightly(self, node: Node) -> NightlyPolicy | None:
        r = self.r
        m = r.mapping(node, "nightly", tuple(_NIGHTLY_FIELDS))
        if m is None:
            return None
        values: dict[str, Any] = {}
        for key, value_node in m.items():
            f = f"nightly.{key}"
            if _NIGHTLY_FIELDS[key] is float:
                value: Any = r.number(value_node, f)
                if value is not None and value > 1:
                    r.error(value_node, f, f"a share between 0 and 1 (0.05 = 5 %), got {value}")
                    value = None
            else:
                value = r.integer(value_node, f, 1)
            if value is not None:
                values[key] = value
        return NightlyPolicy(**values) if len(values) == len(m) else None

    def _hosts(self, node: Node) -> tuple[str, ...] | None:
        hosts = self.r.text_list(node, "allowed_hosts")
        if hosts is None:
            return None
        for i, host in enumerate(hosts):
            if not _HOST_RE.fullmatch(host.lower()):
                self.r.error(
                    node.value[i],
                    f"allowed_hosts[{i}]",
                    f"'{host}' is not a host name or a '*.example.edu.cn' pattern, optionally with :port"
                    " (no scheme, no path)",
                )
                return None
        return hosts

    def _checklist(self, node: Node) -> Checklist | None:
        version = self.r.text(node, "checklist")
        if version is None:
            return None
        if self.expected is not None:
            if version != self.expected.version:
                self.r.error(
                    node, "checklist", f"this catalogue follows {version}, not {self.expected.version}"
                )
                return None
            return self.expected
        if version in self.checklists:
            return self.checklists[version]
        if version not in available_checklists():
            known = ", ".join(sorted({*available_checklists(), *self.checklists}))
            self.r.error(
                node,
                "checklist",
                f"unknown national list '{version}'{_hint(version, known.split(', '))}; available: {known}",
            )
            return None
        try:
            return load_checklist(version)
        except CatalogueErrors as exc:
            self.r.error(node, "checklist", f"the national list {version} does not load: {exc.errors[0]}")
            return None

    def url(self, node: Node, field: str) -> str | None:
        value = self.r.text(node, field)
        if value is None:
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
            self.r.error(node, field, f"'{value}' is not a web address (http:// or https:// and a host)")
            return None
        if self.hosts is not None and not _host_checker(self.hosts).host_allowed(parts.hostname, _port(parts)):
            allowed = ", ".join(self.hosts)
            self.r.error(node, field, f"host {parts.hostname} is not in allowed_hosts ({allowed})")
            return None
        return value

    def _policy(self, node: Node) -> CrawlPolicy | None:
        r = self.r
        m = r.mapping(node, "policy", tuple(_POLICY_FIELDS))
        if m is None:
            return None
        values: dict[str, Any] = {}
        for key, value_node in m.items():
            kind, f = _POLICY_FIELDS[key], f"policy.{key}"
            value: Any
            if kind is bool:
                value = r.boolean(value_node, f)
            elif kind is int:
                value = r.integer(value_node, f, 0)
            elif kind is float:
                value = r.number(value_node, f)
            else:
                value = r.text(value_node, f, empty_ok=key == "allow_internal")
                problem = _allowance_error(value) if key == "allow_internal" and value else ""
                if problem:
                    r.error(value_node, f, problem)
                    value = None
            if value is not None:
                values[key] = value
        return CrawlPolicy(**values) if len(values) == len(m) else None

    def _departments(self, node: Node) -> tuple[Department, ...] | None:
        r = self.r
        if not isinstance(node, SequenceNode) or not node.value:
            r.error(node, "departments", f"expected a list of {{name, contact}}, got {_describe(node)}")
            return None
        first_line: dict[str, int | None] = {}
        for i, child in enumerate(node.value):
            f = f"departments[{i}]"
            m = r.mapping(child, f, ("name", "contact"), ("name",))
            if m is None or "name" not in m:
                continue
            name = r.text(m["name"], f"{f}.name")
            contact = r.text(m["contact"], f"{f}.contact", empty_ok=True) if "contact" in m else ""
            if name is None or contact is None:
                continue
            if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
                # A line break in a name would split an e-mail header or a report line; direction marks
                # would disguise a file name. Names are typed by people: refuse, do not silently clean.
                r.error(m["name"], f"{f}.name", f"department name {name!r} contains a line break or an"
                        " invisible control character; remove it")
                continue
            if contact and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", contact):
                r.error(m["contact"], f"{f}.contact", f"'{contact}' is not an e-mail address")
            if name in first_line:
                r.error(
                    m["name"],
                    f"{f}.name",
                    f"department {name} is declared twice (first at line {first_line[name]})",
                )
                continue
            first_line[name] = _line(m["name"])
            self.departments[name] = Department(name, contact)
        return tuple(self.departments.values())

    def _items(self, node: Node, checklist: Checklist) -> tuple[SiteItem, ...] | None:
        r = self.r
        if not isinstance(node, MappingNode):
            r.error(node, "items", f"expected a mapping of item number to item, got {_describe(node)}")
            return None
        numbers = [it.number for it in checklist.items]
        span = f"{min(numbers)}–{max(numbers)}" if numbers else "none"
        items: dict[int, SiteItem] = {}
        first_line: dict[int, int | None] = {}
        for key_node, value_node in node.value:
            number: int | None = None
            if isinstance(key_node, ScalarNode) and (
                key_node.tag == _INT or (key_node.tag == _STR and key_node.value.isdigit())
            ):
                number = int(key_node.value)
            if number is None:
                r.error(
                    key_node, "items", f"an item is keyed by its number (1, 2, …), got {_describe(key_node)}"
                )
                continue
            field = f"items.{number}"
            if number in first_line:
                r.error(key_node, field, f"item {number} appears twice (first at line {first_line[number]})")
                continue
            first_line[number] = _line(key_node)
            if number not in numbers:
                r.error(key_node, field, f"item {number} is not in {checklist.version} ({span})")
                continue
            item = self._item(value_node, number, field)
            if item is not None:
                items[number] = item
        for number in numbers:
            if number not in first_line:
                # Reported on the 'items:' line: the item has no line of its own.
                r.error(
                    node,
                    f"items.{number}",
                    f"item {number} of {checklist.version} is missing; add it, or declare it absent: {{reason, until}}",
                    line=r.key_lines.get(id(node)),
                )
        return tuple(items[n] for n in sorted(items))

    def _item(self, node: Node, number: int, field: str) -> SiteItem | None:
        r = self.r
        m = r.mapping(node, field, _SITE_ITEM_KEYS, ("departments",))
        if m is None:
            return None
        errors_before = len(r.errors)
        urls: tuple[str, ...] | None = ()
        if "url" in m and "urls" in m:
            r.error(m["urls"], f"{field}.urls", "give url or urls, not both")
        elif "url" in m:
            url = self.url(m["url"], f"{field}.url")
            urls = (url,) if url is not None else None
        elif "urls" in m:
            raw = r.text_list(m["urls"], f"{field}.urls")
            if raw is not None:
                checked = [self.url(child, f"{field}.urls[{i}]") for i, child in enumerate(m["urls"].value)]
                urls = tuple(u for u in checked if u is not None) if None not in checked else None
        elif "absent" not in m:
            r.error(node, f"{field}.url", f"item {number} needs url (or urls, or absent: {{reason, until}})")
        departments = r.text_list(m["departments"], f"{field}.departments") if "departments" in m else None
        if departments is not None:
            for i, name in enumerate(departments):
                if name not in self.departments:
                    hint = _hint(name, self.departments)
                    r.error(
                        m["departments"].value[i],
                        f"{field}.departments",
                        f"department {name} is not declared under departments:{hint}",
                    )
            if len(set(departments)) != len(departments):
                r.error(m["departments"], f"{field}.departments", "a department is listed twice")
        selectors = self._selectors(m["selectors"], f"{field}.selectors") if "selectors" in m else Selectors()
        deadline = r.month_day(m["deadline"], f"{field}.deadline") if "deadline" in m else None
        max_age = r.integer(m["max_age_days"], f"{field}.max_age_days", 1) if "max_age_days" in m else None
        absent = self._absence(m["absent"], f"{field}.absent") if "absent" in m else None
        if len(r.errors) > errors_before or urls is None or departments is None or selectors is None:
            return None
        return SiteItem(number, urls, departments, selectors, deadline, max_age, absent)

    def _selectors(self, node: Node, field: str) -> Selectors | None:
        m = self.r.mapping(node, field, _SELECTOR_KEYS)
        if m is None:
            return None
        values = {k: self.r.text(v, f"{field}.{k}") for k, v in m.items()}
        return None if None in values.values() else Selectors(**values)

    def _absence(self, node: Node, field: str) -> Absence | None:
        m = self.r.mapping(node, field, ("reason", "until"), ("reason", "until"))
        if m is None or len(m) < 2:
            return None
        reason = self.r.text(m["reason"], f"{field}.reason")
        until = self.r.iso_date(m["until"], f"{field}.until")
        return Absence(reason, until) if reason is not None and until is not None else None


def _port(parts: SplitResult) -> int:
    """The port a URL connects to, so that `host:port` entries in allowed_hosts can be matched."""
    return parts.port or (443 if parts.scheme == "https" else 80)


def _allowance_error(value: str) -> str:
    """'' when policy.allow_internal is a comma-separated list of host patterns and networks (CIDR)."""
    for raw in value.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
            continue
        except ValueError:
            pass
        if not _HOST_RE.fullmatch(entry) or ":" in entry:
            return f"'{raw.strip()}' is neither a host name nor a network such as 10.8.0.0/16"
    return ""


def _host_checker(hosts: tuple[str, ...]) -> Site:
    """A Site carrying only the host patterns, so that the loader and the spider share one matching rule."""
    return Site(
        id="",
        name="",
        version="",
        checklist_version="",
        home="",
        allowed_hosts=hosts,
        departments=(),
        items=(),
    )
