"""Measure maintained open-source page extractors against our own on real CMS pages.

Why this exists: before we lean on (or add to the crawl) htmldate, trafilatura, readability-lxml or gne
for what `spiders/extract/` does by itself, we want figures on the same real pages, per sub-problem
and per CMS, not impressions. The truth is `tests/pages/realpages/cms` (a copy of the shared corpus) (博达 VSB pages `cqjtu_*`, 南京苏迪
WebPlus pages `fudan_*`, see its README.md). This script reads every page once, runs every extractor
that is installed on it (one after the other, same process, same run), scores it, and prints one table
per sub-problem: rows are extractors, columns VSB / WebPlus / all.

Sub-problems and how each is scored (article pages only, except page kind and speed):

- title: exact after whitespace normalisation (runs collapsed, and equal once all whitespace and
  zero-width characters are gone); "dash" when equal once dash runs are unified;
  otherwise "contains" (the output holds the true title plus something, e.g. the site name) or
  "contained" (a truncated title), otherwise wrong, or none.
- publication date: exact day; a wrong date is sorted by where it can be seen: in the article body
  (an event date), elsewhere in the page source (sidebar items, footers, scripts), or nowhere.
- main content: the reference body is the template's content element (`.v_news_content` on VSB,
  `.wp_articlecontent` on WebPlus) read in document order up to the first piece of article furniture
  (VSB mirrors leave tags unclosed, so the parse tree alone would swallow the pager and footer).
  Each extractor's main text is scored by precision and recall over the sets of character 5-grams,
  all whitespace (and table pipes, which trafilatura writes around cells) removed. Pages whose reference body is shorter than 20 characters (a PDF player or a
  lone picture) are not scored and are counted apart.
- page kind: list vs article, for the extractors that offer anything comparable.
- a date where the page shows none: the same article pages with the template's date element removed
  (`div.time` on VSB, `span.arti_update` on WebPlus). Nothing is right here; a date returned is a
  plausible wrong one (an event date from the body, a sidebar date), which for an audit is worse than
  none.
- speed: CPU and wall milliseconds per call, per page, in this run (2 shared cores: compare the rows,
  not the absolute numbers with another machine).

Not a test and not imported by tests: run it by hand,

    PYTHONPATH=. python bench/extractors.py [CORPUS] [--json figures.json] [--failures]

An extractor that is not installed is reported as "not installed"; the others still run.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import logging
import re
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "tests" / "pages" / "realpages" / "cms"
CMS_OF_PREFIX = {"cqjtu": "VSB", "fudan": "WebPlus"}
COLUMNS = ("VSB", "WebPlus", "all")
MIN_BODY_CHARS = 20
NGRAM = 5

# --------------------------------------------------------------------------------------------------
# Corpus


@dataclass(frozen=True)
class Page:
    file: str
    cms: str
    kind: str  # "list" | "article"
    url: str
    html: str
    title: str | None
    publish_date: date | None
    body: str  # reference body text ("" for list pages)


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def decode(raw: bytes) -> str:
    """Decode saved HTML: a BOM, else the <meta> charset, else utf-8, falling back to gb18030."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    declared = _CHARSET.search(raw[:4096])
    candidates = [declared.group(1).decode("ascii").lower()] if declared else []
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        if enc in ("gb2312", "gbk"):
            enc = "gb18030"
        try:
            return raw.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("gb18030", errors="replace")


_BODY_START = {"VSB": "v_news_content", "WebPlus": "wp_articlecontent"}


def _is_stop(el: Any) -> bool:
    """Article furniture that ends the VSB body when the mirror left the content element unclosed."""
    cls = f" {el.get('class') or ''} "
    return (
        el.get("id") == "div_vote_id"
        or (el.tag == "dl" and " page " in cls)
        or " footer " in cls
        or el.tag == "form"
    )


def reference_body(html: str, cms: str) -> str:
    """Text of the template's content element, in document order, up to the first piece of furniture."""
    import lxml.html
    from lxml import etree

    root = lxml.html.document_fromstring(html)
    etree.strip_elements(root, "script", "style", "noscript", etree.Comment, with_tail=False)
    marker = _BODY_START[cms]
    starts = root.xpath(f'//*[contains(concat(" ", normalize-space(@class), " "), " {marker} ")]')
    if not starts:
        return ""
    start = starts[-1]  # VSB nests two; the innermost holds the text
    parts: list[str] = []
    stack_depth = 0
    for event, el in etree.iterwalk(start, events=("start", "end")):
        if event == "start":
            if el is not start and _is_stop(el):
                break
            stack_depth += 1
            if el.text:
                parts.append(el.text)
        else:
            stack_depth -= 1
            if el is start:
                break
            if el.tail:
                parts.append(el.tail)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


_DATE_ELEMENT = {
    "VSB": re.compile(r'<div class="time">.*?</div>', re.DOTALL),
    "WebPlus": re.compile(r'<span class="arti_update">[^<]*</span>'),
}


def without_date(pages: list[Page]) -> list[Page]:
    """The article pages with the template's own date element cut out (exactly one on each page)."""
    out = []
    for p in pages:
        if p.kind != "article":
            continue
        html, n = _DATE_ELEMENT[p.cms].subn("", p.html, count=1)
        if n:
            out.append(Page(p.file, p.cms, p.kind, p.url, html, p.title, p.publish_date, p.body))
    return out


def load_corpus(root: Path) -> list[Page]:
    truth: dict[str, dict[str, Any]] = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    pages: list[Page] = []
    for file, t in sorted(truth.items()):
        cms = CMS_OF_PREFIX[file.split("_", 1)[0]]
        html = decode((root / "pages" / file).read_bytes())
        pd = t.get("publish_date")
        pages.append(
            Page(
                file=file,
                cms=cms,
                kind=t["kind"],
                url=t["url"],
                html=html,
                title=t.get("title"),
                publish_date=date.fromisoformat(pd) if pd else None,
                body=reference_body(html, cms) if t["kind"] == "article" else "",
            )
        )
    return pages


# --------------------------------------------------------------------------------------------------
# Extractors: each probe turns (html, url) into a Result; a probe answers only some sub-problems.


@dataclass
class Result:
    title: str | None = None
    date: date | None = None
    date_raw: str | None = None  # what the extractor returned, when it is not already a date
    text: str | None = None
    kind: str | None = None  # "list" | "article" | other label, when the extractor says anything


Run = Callable[[str, str], Result]

_YMD = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")


def parse_ymd(raw: str | None) -> date | None:
    if not raw:
        return None
    m = _YMD.search(raw)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _html_text(fragment: str | None) -> str:
    if not fragment:
        return ""
    import lxml.html

    try:
        return str(lxml.html.fromstring(fragment).text_content())
    except Exception:  # noqa: BLE001 - an empty or odd summary reads as no text
        return ""


def load_ours() -> Run:
    from spiders.extract import extract_page

    def run(html: str, url: str) -> Result:
        p = extract_page(html, url)
        return Result(
            title=p.title or None,
            date=p.publish_date.value if p.publish_date else None,
            text=p.text,
            kind=str(p.kind.value),
        )

    return run


def load_htmldate(extensive: bool) -> Callable[[], Run]:
    def load() -> Run:
        from htmldate import find_date

        def run(html: str, url: str) -> Result:
            raw = find_date(
                html, url=url, original_date=True, extensive_search=extensive, outputformat="%Y-%m-%d"
            )
            return Result(date=parse_ymd(raw), date_raw=raw)

        return run

    return load


def load_trafilatura_metadata() -> Run:
    from trafilatura import extract_metadata

    def run(html: str, url: str) -> Result:
        doc = extract_metadata(html, default_url=url)
        if doc is None:
            return Result()
        return Result(title=doc.title, date=parse_ymd(doc.date), date_raw=doc.date, kind=doc.pagetype)

    return run


def load_trafilatura_extract() -> Run:
    from trafilatura import extract

    def run(html: str, url: str) -> Result:
        return Result(text=extract(html, url=url, include_comments=False))

    return run


def load_trafilatura_precision() -> Run:
    from trafilatura import extract

    def run(html: str, url: str) -> Result:
        return Result(text=extract(html, url=url, include_comments=False, favor_precision=True))

    return run


def load_trafilatura_bare() -> Run:
    from trafilatura import bare_extraction

    def run(html: str, url: str) -> Result:
        doc = bare_extraction(html, url=url, include_comments=False, with_metadata=True)
        if doc is None:
            return Result()
        return Result(
            title=doc.title, date=parse_ymd(doc.date), date_raw=doc.date, text=doc.text, kind=doc.pagetype
        )

    return run


def load_readability(short: bool) -> Callable[[], Run]:
    def load() -> Run:
        from readability import Document

        def run(html: str, url: str) -> Result:
            doc = Document(html, url=url)
            if short:
                return Result(title=doc.short_title())
            return Result(title=doc.title(), text=_html_text(doc.summary()))

        return run

    return load


def load_gne() -> Run:
    from gne import GeneralNewsExtractor

    extractor = GeneralNewsExtractor()

    def run(html: str, url: str) -> Result:
        out = extractor.extract(html)
        raw = out.get("publish_time") or None
        return Result(
            title=out.get("title") or None, date=parse_ymd(raw), date_raw=raw, text=out.get("content")
        )

    return run


def load_title_prefix() -> Run:
    """Not a package: a 20-line reference heuristic, to show what <title> alone is worth on these CMSs.

    The longest element text (≥ 4 characters) that the document <title> starts with, else <title>."""
    import lxml.html

    def run(html: str, url: str) -> Result:
        root = lxml.html.document_fromstring(html)
        doc_title = _nows(root.findtext(".//title"))
        best = ""
        if doc_title:
            for el in root.iter("h1", "h2", "h3", "div", "td", "span", "p", "strong", "font"):
                if el.getparent() is None or el.tag == "title":
                    continue
                t = _nows(el.text_content())
                if len(t) > len(best) and len(t) >= 4 and doc_title.startswith(t):
                    best = t
        return Result(title=best or doc_title or None)

    return run


@dataclass(frozen=True)
class Probe:
    name: str
    package: str  # distribution name, for version and licence
    load: Callable[[], Run]
    answers: frozenset[str]  # subset of {"title", "date", "text", "kind"}


PROBES: tuple[Probe, ...] = (
    Probe("ours extract_page", "xxgk-auditor", load_ours, frozenset({"title", "date", "text", "kind"})),
    Probe("htmldate extensive", "htmldate", load_htmldate(True), frozenset({"date"})),
    Probe("htmldate fast", "htmldate", load_htmldate(False), frozenset({"date"})),
    Probe(
        "trafilatura extract_metadata",
        "trafilatura",
        load_trafilatura_metadata,
        frozenset({"title", "date", "kind"}),
    ),
    Probe("trafilatura extract", "trafilatura", load_trafilatura_extract, frozenset({"text"})),
    Probe(
        "trafilatura extract favor_precision", "trafilatura", load_trafilatura_precision, frozenset({"text"})
    ),
    Probe(
        "trafilatura bare_extraction",
        "trafilatura",
        load_trafilatura_bare,
        frozenset({"title", "date", "text", "kind"}),
    ),
    Probe(
        "readability title()+summary()",
        "readability-lxml",
        load_readability(False),
        frozenset({"title", "text"}),
    ),
    Probe("readability short_title()", "readability-lxml", load_readability(True), frozenset({"title"})),
    Probe("gne", "gne", load_gne, frozenset({"title", "date", "text"})),
    Probe("(heuristic) element that <title> starts with", "lxml", load_title_prefix, frozenset({"title"})),
)


# --------------------------------------------------------------------------------------------------
# Scoring


_SPACE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")  # whitespace and the zero-width characters


def _ws(s: str | None) -> str:
    return _SPACE.sub(" ", s or "").strip()


def _nows(s: str | None) -> str:
    return _SPACE.sub("", s or "")


_DASHES = re.compile(r"[-‐‑‒–—―－]+")


def title_class(got: str | None, truth: str) -> str:
    """exact | dash (equal once dash runs are unified: readability rewrites —— as --) | contains |
    contained (a truncated title, at least half of it) | wrong (a column heading that happens to be a
    substring counts here) | none."""
    g, t = _nows(got), _nows(truth)
    if not g:
        return "none"
    if _ws(got) == _ws(truth) or g == t:
        return "exact"
    if _DASHES.sub("-", g) == _DASHES.sub("-", t):
        return "dash"
    if t in g:
        return "contains"
    if g in t and 2 * len(g) >= len(t):
        return "contained"
    return "wrong"


def _date_patterns(d: date) -> tuple[re.Pattern[str], re.Pattern[str]]:
    full = re.compile(
        rf"(?<!\d){d.year}\s*[-./年]?\s*0?{d.month}\s*[-./月]\s*0?{d.day}(?!\d)|(?<!\d){d:%Y%m%d}(?!\d)"
    )
    month_day = re.compile(rf"(?<!\d)0?{d.month}\s*[-./月]\s*0?{d.day}(?!\d)")
    return full, month_day


def date_class(got: date | None, raw: str | None, page: Page) -> str:
    assert page.publish_date is not None
    if got is None:
        return "unparsed" if raw else "none"
    if got == page.publish_date:
        return "exact"
    full, month_day = _date_patterns(got)
    if full.search(page.body) or month_day.search(page.body):
        return "body"
    if full.search(page.html) or month_day.search(page.html):
        return "page"
    return "nowhere"


def grams(text: str | None) -> set[str]:
    s = _nows(text).replace("|", "")  # trafilatura writes table cells as "| a | b |"
    if len(s) < NGRAM:
        return {s} if s else set()
    return {s[i : i + NGRAM] for i in range(len(s) - NGRAM + 1)}


def content_pr(got: str | None, ref: str) -> tuple[float, float]:
    g, r = grams(got), grams(ref)
    if not g or not r:
        return 0.0, 0.0
    inter = len(g & r)
    return inter / len(g), inter / len(r)


# --------------------------------------------------------------------------------------------------
# Running


@dataclass
class PageRun:
    file: str
    cms: str
    result: Result | None
    error: str | None
    cpu_ms: float
    wall_ms: float


@dataclass
class ProbeRun:
    probe: Probe
    status: str  # "ok" | "not installed: ..." | "load error: ..."
    version: str | None = None
    pages: list[PageRun] = field(default_factory=list)


def dist_version(name: str) -> str | None:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return None


def run_probe(probe: Probe, pages: list[Page]) -> ProbeRun:
    try:
        run = probe.load()
    except ImportError as exc:
        return ProbeRun(probe, f"not installed ({exc.name or exc})")
    except Exception as exc:  # noqa: BLE001 - an installed package that does not load is still a finding
        return ProbeRun(probe, f"load error: {type(exc).__name__}: {exc}")
    pr = ProbeRun(probe, "ok", dist_version(probe.package))
    for page in pages:
        c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
        result: Result | None
        error: str | None = None
        try:
            result = run(page.html, page.url)
        except Exception as exc:  # noqa: BLE001 - third-party code may raise anything; counted as an error
            result, error = None, f"{type(exc).__name__}: {exc}"[:200]
        c1, w1 = time.thread_time_ns(), time.perf_counter_ns()
        pr.pages.append(PageRun(page.file, page.cms, result, error, (c1 - c0) / 1e6, (w1 - w0) / 1e6))
    return pr


def _p90(xs: list[float]) -> float:
    return sorted(xs)[int(0.9 * (len(xs) - 1))]


def _cols(pages: Iterable[Page]) -> dict[str, list[Page]]:
    out: dict[str, list[Page]] = {c: [] for c in COLUMNS}
    for p in pages:
        out[p.cms].append(p)
        out["all"].append(p)
    return out


def score(runs: list[ProbeRun], pages: list[Page], ablation: list[ProbeRun]) -> dict[str, Any]:
    """All figures, as plain data: {sub-problem: {probe: {column: {...}}}}."""
    by_file = {p.file: p for p in pages}
    articles = [p for p in pages if p.kind == "article"]
    scored = [p for p in articles if len(_nows(p.body)) >= MIN_BODY_CHARS]
    figures: dict[str, Any] = {
        "corpus": {
            c: {
                "pages": len(v),
                "articles": sum(p.kind == "article" for p in v),
                "lists": sum(p.kind == "list" for p in v),
                "content_scored": sum(1 for p in v if p in scored),
            }
            for c, v in _cols(pages).items()
        },
        "title": {},
        "date": {},
        "date_removed": {},
        "content": {},
        "kind": {},
        "speed": {},
        "failures": {},
    }
    for pr in runs:
        name = pr.probe.name
        if (
            "kind" not in pr.probe.answers
            and not name.startswith("(")
            and pr.probe.package not in {r.probe.package for r in runs if "kind" in r.probe.answers}
        ):
            figures["kind"].setdefault(f"{pr.probe.package} (any call)", "no page-kind output")
        if pr.status != "ok":
            for sub in ("title", "date", "content", "kind", "speed"):
                if sub == "speed" or {"content": "text"}.get(sub, sub) in pr.probe.answers:
                    figures[sub][name] = pr.status
            continue
        res = {r.file: r for r in pr.pages}
        fails: list[dict[str, Any]] = []
        if "title" in pr.probe.answers:
            figures["title"][name] = {}
            for col, ps in _cols(articles).items():
                counts = dict.fromkeys(
                    ("exact", "dash", "contains", "contained", "wrong", "none", "error"), 0
                )
                for p in ps:
                    r = res[p.file]
                    cls = "error" if r.result is None else title_class(r.result.title, p.title or "")
                    counts[cls] += 1
                    if col == "all" and cls != "exact":
                        fails.append(
                            {
                                "file": p.file,
                                "what": f"title {cls}",
                                "got": r.result.title if r.result else r.error,
                                "truth": p.title,
                            }
                        )
                figures["title"][name][col] = {"n": len(ps), **counts}
        if "date" in pr.probe.answers:
            figures["date"][name] = {}
            for col, ps in _cols(articles).items():
                counts = dict.fromkeys(("exact", "body", "page", "nowhere", "unparsed", "none", "error"), 0)
                for p in ps:
                    r = res[p.file]
                    cls = "error" if r.result is None else date_class(r.result.date, r.result.date_raw, p)
                    counts[cls] += 1
                    if col == "all" and cls != "exact":
                        got = (
                            r.result.date.isoformat()
                            if r.result and r.result.date
                            else (r.result.date_raw if r.result else r.error)
                        )
                        fails.append(
                            {"file": p.file, "what": f"date {cls}", "got": got, "truth": str(p.publish_date)}
                        )
                figures["date"][name][col] = {"n": len(ps), **counts}
        if "text" in pr.probe.answers:
            figures["content"][name] = {}
            for col, ps in _cols(scored).items():
                prs = []
                empty = 0
                for p in ps:
                    r = res[p.file]
                    got = r.result.text if r.result else None
                    if not _nows(got):
                        empty += 1
                    prec, rec = content_pr(got, p.body)
                    prs.append((prec, rec))
                    if col == "all" and (prec < 0.9 or rec < 0.9):
                        fails.append(
                            {
                                "file": p.file,
                                "what": f"content P={prec:.2f} R={rec:.2f}",
                                "got": _ws(got)[:160],
                                "truth": p.body[:160],
                            }
                        )
                n = len(prs)
                figures["content"][name][col] = {
                    "n": n,
                    "precision": statistics.fmean(x for x, _ in prs) if n else None,
                    "recall": statistics.fmean(y for _, y in prs) if n else None,
                    "both_ge_0.9": sum(1 for x, y in prs if x >= 0.9 and y >= 0.9),
                    "recall_ge_0.9": sum(1 for _, y in prs if y >= 0.9),
                    "precision_ge_0.9": sum(1 for x, _ in prs if x >= 0.9),
                    "empty": empty,
                }
        if "kind" in pr.probe.answers:
            figures["kind"][name] = {}
            for col, ps in _cols(pages).items():
                labels: dict[str, int] = {}
                right = 0
                for p in ps:
                    r = res[p.file]
                    label = (r.result.kind if r.result else "error") or "none"
                    labels[label] = labels.get(label, 0) + 1
                    right += label == p.kind
                    if col == "all" and label != p.kind and name.startswith("ours"):
                        fails.append({"file": p.file, "what": f"kind {label}", "got": label, "truth": p.kind})
                figures["kind"][name][col] = {"n": len(ps), "right": right, "labels": labels}
        figures["speed"][name] = {}
        for col in COLUMNS:
            rs = [r for r in pr.pages if col == "all" or r.cms == col]
            cpu = [r.cpu_ms for r in rs]
            wall = [r.wall_ms for r in rs]
            figures["speed"][name][col] = {
                "n": len(rs),
                "cpu_mean": statistics.fmean(cpu),
                "cpu_median": statistics.median(cpu),
                "cpu_p90": _p90(cpu),
                "cpu_max": max(cpu),
                "wall_mean": statistics.fmean(wall),
                "errors": sum(1 for r in rs if r.error),
            }
        figures["failures"][name] = fails
    for pr in ablation:
        name = pr.probe.name
        if pr.status != "ok":
            figures["date_removed"][name] = pr.status
            continue
        figures["date_removed"][name] = {}
        for col in COLUMNS:
            rs = [r for r in pr.pages if col == "all" or r.cms == col]
            counts = dict.fromkeys(("none", "body", "page", "nowhere", "unparsed", "true date", "error"), 0)
            for r in rs:
                page = by_file[r.file]
                cls = "error" if r.result is None else date_class(r.result.date, r.result.date_raw, page)
                counts["true date" if cls == "exact" else cls] += 1
            figures["date_removed"][name][col] = {"n": len(rs), **counts}
    return figures


# --------------------------------------------------------------------------------------------------
# Versions and licences


def licence_of(dist_name: str) -> dict[str, str | None]:
    """Licence as the package declares it, and the first line of any licence file it ships."""
    try:
        dist = md.distribution(dist_name)
    except md.PackageNotFoundError:
        return {"declared": None, "file": None}
    meta = dist.metadata
    declared = (meta.get_all("License-Expression") or meta.get_all("License") or [None])[0]
    classifiers = [c.split(" :: ")[-1] for c in (meta.get_all("Classifier") or []) if c.startswith("License")]
    if classifiers:
        declared = f"{declared or ''} {classifiers}".strip()
    first_line = None
    for f in dist.files or []:
        if re.search(r"(LICEN[CS]E|COPYING)", f.name, re.IGNORECASE):
            try:
                text = (
                    f.read_text() if hasattr(f, "read_text") else Path(str(dist.locate_file(f))).read_text()
                )
            except OSError:
                continue
            first_line = next((ln.strip() for ln in text.splitlines() if ln.strip()), None)
            break
    return {"declared": declared, "file": first_line}


def environment() -> dict[str, Any]:
    pkgs = ["htmldate", "trafilatura", "readability-lxml", "gne", "lxml", "scrapy", "xxgk-auditor"]
    here = Path(__file__).resolve().parent.parent
    try:
        commit = (
            subprocess.run(
                ["git", "-C", str(here), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            or None
        )
    except OSError:
        commit = None
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "python": sys.version.split()[0],
        "commit": commit,
        "versions": {p: dist_version(p) or "not installed" for p in pkgs},
        "licences": {p: licence_of(p) for p in pkgs[:4]},
    }


# --------------------------------------------------------------------------------------------------
# Printing


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.1f}%" if n else "-"


def _table(title: str, legend: str, rows: dict[str, Any], cell: Callable[[dict[str, Any]], str]) -> str:
    out = [
        f"### {title}",
        "",
        legend,
        "",
        "| extractor | " + " | ".join(COLUMNS) + " |",
        "|---|" + "---|" * len(COLUMNS),
    ]
    for name, cols in rows.items():
        if isinstance(cols, str):
            out.append(f"| {name} | " + " | ".join([cols] * len(COLUMNS)) + " |")
        else:
            out.append(f"| {name} | " + " | ".join(cell(cols[c]) for c in COLUMNS) + " |")
    return "\n".join(out) + "\n"


def render(fig: dict[str, Any], env: dict[str, Any]) -> str:
    parts = [
        f"Run {env['date']}, Python {env['python']}, worktree commit {env['commit']}",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in env["versions"].items()),
        "Corpus: "
        + ", ".join(
            f"{c}: {v['articles']} articles + {v['lists']} lists ({v['content_scored']} with a scorable body)"
            for c, v in fig["corpus"].items()
        ),
        "",
    ]

    def title_cell(c: dict[str, Any]) -> str:
        s = (
            f"{_pct(c['exact'], c['n'])} ({c['exact']}/{c['n']}) ≈{c['dash']} ⊃{c['contains']}"
            f" ⊂{c['contained']} ✗{c['wrong']} ∅{c['none']}"
        )
        return s + (f" err{c['error']}" if c["error"] else "")

    parts.append(
        _table(
            "Article title",
            "exact % (exact/n); ≈ equal but for dashes (—— vs --); ⊃ holds the title and more (site name); "
            "⊂ a truncated title (≥ half); ✗ wrong (incl. a column heading); ∅ none",
            fig["title"],
            title_cell,
        )
    )

    def date_cell(c: dict[str, Any]) -> str:
        s = f"{_pct(c['exact'], c['n'])} ({c['exact']}/{c['n']}) body{c['body']} page{c['page']} other{c['nowhere']} ∅{c['none']}"
        if c["unparsed"]:
            s += f" unparsed{c['unparsed']}"
        return s + (f" err{c['error']}" if c["error"] else "")

    parts.append(
        _table(
            "Publication date",
            "exact-day % (exact/n); wrong dates seen in the body (event dates), "
            "elsewhere in the page (sidebar, footer, scripts), or nowhere; ∅ none",
            fig["date"],
            date_cell,
        )
    )

    def removed_cell(c: dict[str, Any]) -> str:
        wrong = c["body"] + c["page"] + c["nowhere"] + c["unparsed"]
        s = (
            f"∅ {_pct(c['none'], c['n'])} ({c['none']}/{c['n']}); a date on {wrong}: body{c['body']}"
            f" page{c['page']} other{c['nowhere']}"
        )
        if c["unparsed"]:
            s += f" unparsed{c['unparsed']}"
        if c["true date"]:
            s += f" still-true{c['true date']}"
        return s + (f" err{c['error']}" if c["error"] else "")

    parts.append(
        _table(
            "Publication date when the page shows none (template date element removed)",
            "share returning nothing (the right answer); otherwise where the date it returns is seen; "
            "still-true: the true day found elsewhere (e.g. in the body)",
            fig["date_removed"],
            removed_cell,
        )
    )

    def content_cell(c: dict[str, Any]) -> str:
        if not c["n"]:
            return "-"
        return (
            f"P {c['precision']:.2f} R {c['recall']:.2f} · both≥0.9 {_pct(c['both_ge_0.9'], c['n'])}"
            f" (R≥0.9 {c['recall_ge_0.9']}, P≥0.9 {c['precision_ge_0.9']}, empty {c['empty']}, n {c['n']})"
        )

    parts.append(
        _table(
            "Main content vs the template's body",
            "mean precision / recall of character 5-grams; "
            "share of pages with both ≥ 0.9; empty output scores 0/0",
            fig["content"],
            content_cell,
        )
    )

    def kind_cell(c: dict[str, Any]) -> str:
        labels = ", ".join(f"{k} {v}" for k, v in sorted(c["labels"].items()))
        return f"{_pct(c['right'], c['n'])} right ({labels})"

    parts.append(
        _table(
            "Page kind (list vs article, all pages)",
            "share labelled as the truth; labels returned",
            fig["kind"],
            kind_cell,
        )
    )

    def speed_cell(c: dict[str, Any]) -> str:
        return (
            f"{c['cpu_mean']:.1f} (med {c['cpu_median']:.1f}, p90 {c['cpu_p90']:.0f}, max {c['cpu_max']:.0f};"
            f" wall {c['wall_mean']:.1f})" + (f" err{c['errors']}" if c["errors"] else "")
        )

    parts.append(
        _table(
            "Speed per page (CPU ms per call)",
            "mean CPU ms per call (median, 90th percentile, max; mean wall ms). The max includes first-call "
            "warm-up (htmldate's extensive search loads dateparser's locale data on first use)",
            fig["speed"],
            speed_cell,
        )
    )
    lic = [
        "### Licences",
        "",
        "| package | declared in metadata | licence file shipped, first line |",
        "|---|---|---|",
    ]
    for p, v in env["licences"].items():
        lic.append(f"| {p} | {v['declared']} | {v['file']} |")
    parts.append("\n".join(lic) + "\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "corpus", nargs="?", type=Path, default=DEFAULT_CORPUS, help="folder with truth.json and pages/"
    )
    ap.add_argument("--json", type=Path, help="also write every figure (and per-page failures) to this file")
    ap.add_argument("--failures", action="store_true", help="list every page an extractor got wrong")
    ap.add_argument("--no-removed-dates", action="store_true", help="skip the run with date elements removed")
    ap.add_argument("--only", help="comma-separated probe names (prefix match) to run")
    args = ap.parse_args(argv)

    logging.disable(logging.CRITICAL)  # trafilatura/htmldate/readability log per page
    warnings.simplefilter("ignore")
    pages = load_corpus(args.corpus)
    probes = [
        p for p in PROBES if not args.only or any(p.name.startswith(o.strip()) for o in args.only.split(","))
    ]
    runs = []
    for probe in probes:
        t0 = time.perf_counter()
        runs.append(run_probe(probe, pages))
        print(f"# {probe.name}: {runs[-1].status} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    ablation = []
    if not args.no_removed_dates:
        stripped = without_date(pages)
        for probe in probes:
            if "date" in probe.answers and probe.name != "trafilatura bare_extraction":
                t0 = time.perf_counter()
                ablation.append(run_probe(probe, stripped))
                print(
                    f"# {probe.name}, date element removed: {time.perf_counter() - t0:.1f} s", file=sys.stderr
                )
    fig = score(runs, pages, ablation)
    env = environment()
    print(render(fig, env))
    if args.failures:
        for name, fails in fig["failures"].items():
            print(f"\n## {name}: {len(fails)} misses")
            for f in fails:
                print(f"- {f['file']}: {f['what']} got={f['got']!r} truth={f['truth']!r}")
    if args.json:
        args.json.write_text(
            json.dumps({"environment": env, "figures": fig}, ensure_ascii=False, indent=1, default=str),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
