"""What every renderer shares: the Chinese words and colours for a verdict, cleaning of untrusted strings,
safe file names, first-seen dates, trends, and the inline SVG line chart.

Kept in one place so the HTML pages, the workbook, the annual report and the e-mail say the same thing
about the same item in the same words; none of it re-derives a verdict.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from auditor.lifecycle import FollowUp, State
from auditor.models import Run, RunState, Verdict
from auditor.results import AuditResult, ItemResult

#: Terminal colours of the verdicts (the word is always printed too).
TERMINAL_STYLE: dict[Verdict, str] = {
    Verdict.PASS: "green",
    Verdict.WARN: "yellow",
    Verdict.FAIL: "bold red",
    Verdict.INCONCLUSIVE: "blue",
}
#: Background colours chosen to stay apart for the common forms of colour blindness; the word is always
#: printed too, so colour is never the only signal.
STATUS_COLOUR: dict[Verdict, str] = {
    Verdict.PASS: "#2e7d32",
    Verdict.WARN: "#e69f00",
    Verdict.FAIL: "#c62828",
    Verdict.INCONCLUSIVE: "#78909c",
}
UNSCORED_NOTE = "本次检查未完成（{state}），结果仅供参考，不计分。"

# Characters XML 1.0 (DOCX, XLSX) cannot hold; a crawled title carrying one would abort the whole file.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


#: How a clerk reads the evidence keys of the findings contract (the JSON keeps the English keys).
EVIDENCE_LABELS: dict[str, str] = {
    "age_days": "距今天数", "broken": "失效链接数", "checked": "已检查", "date": "日期", "dated_by": "日期来源",
    "deadline": "截止日期", "dns": "域名无法解析", "due": "应有版本", "edition": "最新版本", "entries": "条目数",
    "examples": "示例", "final_url": "最终地址", "found_in": "所在文件", "grace_end": "宽限截止", "http_status": "HTTP状态",
    "id_numbers": "身份证号", "kind": "类型", "latest": "最新一期", "max_age_days": "最长更新间隔（天）",
    "missing": "缺少", "mobiles": "手机号", "network": "网络错误", "not_checked": "未检查",
    "not_checked_urls": "未能检查的网址", "bank_cards": "银行卡号", "count": "发现处数", "offsite": "站外",
    "reason": "原因", "redirects": "重定向", "refused": "连接被拒", "robots": "robots禁止", "scanned": "已扫描",
    "searched": "检索页面数", "set_aside": "疑为侧栏的列表", "skipped": "跳过", "snippet": "摘录", "timeout": "超时", "title": "标题",
    "tls": "证书错误", "until": "有效期至", "urls": "网址", "waf": "防火墙拦截",
    "verify_tls": "HTTPS证书验证",
    # the rules that compare nights, and the site's own rules
    "first_seen": "首次出现", "claimed": "所标发布日期", "absent_on": "此前检查时未出现",
    "published": "发布日期", "required": "最短公开期", "required_until": "应公开至", "gone_on": "撤下日期",
    "nights": "检查的晚上", "notice_ends": "公示期截止", "days_over": "超过公示期天数",
    "blank": "空白栏目数", "veto_at": "否决线", "items": "事项", "home": "学校主页", "target": "信息公开网",
    "clicks": "点击次数", "via": "经由页面", "hosts": "主机", "probes": "请求次数", "failed": "失败次数",
    "share": "失败比例", "since": "起始日期", "gap": "记录空缺的日期",
    # what the crawl's per-page bounds left unchecked (docs/security.md, "Bounds that say so")
    "partial": "未检查部分",
    # evidence carried forward from the night that last verified it (docs/findings.md, "Carried evidence")
    "verified": "最后核实",
}

#: Evidence values that are the engine's codes rather than words, per key, in words a clerk reads.
EVIDENCE_VALUES: dict[str, dict[str, str]] = {
    "dated_by": {"list": "栏目列表上的日期", "page": "文章页上的发布日期", "http:last-modified": "服务器报告的修改时间",
                 "title": "标题中的期次"},
    "kind": {"list": "列表", "article": "文章", "empty": "空白页", "file": "文件", "unknown": "未能识别"},
    "verify_tls": {"false": "未验证", "true": "已验证"},
}


def evidence_label(key: str) -> str:
    return EVIDENCE_LABELS.get(key, key)


def evidence_value(key: str, value: str) -> str:
    """An evidence value as a clerk reads it: codes in words, anything else (dates, counts, URLs) as is."""
    return EVIDENCE_VALUES.get(key, {}).get(value, value)


def evidence_text(evidence: dict[str, str], sep: str = "；") -> str:
    """A finding's evidence in one line of labels and values, in key order (the same in every format)."""
    return sep.join(f"{evidence_label(k)}：{evidence_value(k, v)}" for k, v in sorted(evidence.items()))


def carried_note(item: ItemResult) -> str:
    """What a partial re-check (复核) says of an item it did not judge: whose verdict is shown."""
    return f"沿用第{item.carried_from_run}次检查结果" if item.carried_from_run is not None else ""


def run_notes(result: AuditResult) -> list[str]:
    """What a reader must know about how this run was judged: a partial re-check and what it carried,
    an evaluation whose snapshot was taken at an upgrade, a re-judgement."""
    notes = []
    if result.rechecked:
        items = "、".join(str(n) for n in result.rechecked)
        carried = "、".join(f"第{n}次" for n in result.carried_from)
        notes.append(f"本次为复核：只重新检查了第{items}项" + (f"，其余事项沿用{carried}检查结果" if carried else ""))
    if result.migrated:
        notes.append("本次检查早于“随检查保存责任部门与事项名称”的版本，相关信息按升级时的目录补记")
    return notes


def clean(text: str) -> str:
    """A crawled string made safe to store in XML: control characters dropped, nothing else changed."""
    return _XML_ILLEGAL.sub("", text)


def safe_href(url: object) -> str:
    """The URL if it is http(s), else empty: a crawled `javascript:` link must never become clickable."""
    text = str(url or "").strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return ""
    return text if scheme in ("http", "https") else ""


def unscored_note(run: Run) -> str:
    return UNSCORED_NOTE.format(state=run.state.label)


def fmt_score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


#: UTF-8 bytes a department's part of a file name may take: with the index and a suffix the whole name
#: stays far below the 255 bytes most file systems allow (61 emoji are 244 bytes on their own).
FILENAME_BYTES = 120


def safe_filename(index: int, name: str) -> str:
    """`03-财务处`: keeps Chinese, drops path separators, reserved, control and invisible format characters
    (bidi overrides would disguise the name), bounded in bytes, not characters.

    The index keeps two departments whose names clean to the same string apart."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text
                   if unicodedata.category(c) not in ("Cf", "Cs", "Co", "Cn"))
    text = re.sub(r'[\\/:*?"<>|]+', "_", text)
    text = re.sub(r"\s+", " ", text).strip(" ._")
    text = text.encode("utf-8")[:FILENAME_BYTES].decode("utf-8", "ignore").rstrip(" ._") or "部门"
    return f"{index:02d}-{text}"


@dataclass(frozen=True)
class FirstSeen:
    """When a problem was first seen: the run and its as-of date."""

    run_id: int
    on: date


def first_seen(item: ItemResult, result: AuditResult, history: Sequence[AuditResult]) -> FirstSeen | None:
    """The start of the item's current problem streak; None when the item has no problem now.

    The engine's own `first_seen_*` on the findings is preferred; without it, the stored history is
    walked back over runs where the item was still a problem (runs that could not judge it do not break
    the streak, since they say nothing either way)."""
    if not item.status.is_problem:
        return None
    marked = [
        (f.first_seen_at, f.first_seen_run)
        for f in item.findings
        if f.status.is_problem and f.first_seen_at is not None and f.first_seen_run is not None
    ]
    if marked:
        on, run_id = min(marked, key=lambda m: (m[0], m[1]))
        assert on is not None and run_id is not None
        return FirstSeen(run_id=run_id, on=on)
    start = FirstSeen(run_id=result.run.id, on=result.as_of)
    for earlier in sorted(history, key=lambda r: r.run.id, reverse=True):
        if earlier.run.id >= result.run.id:
            continue
        try:
            status = earlier.item(item.item).status
        except KeyError:
            break
        if status.is_problem:
            start = FirstSeen(run_id=earlier.run.id, on=earlier.as_of)
        elif status is not Verdict.INCONCLUSIVE:
            break
    return start


def earlier_runs(result: AuditResult, history: Sequence[AuditResult]) -> list[AuditResult]:
    """History of the same site before this run, oldest first (the current run itself is dropped)."""
    return sorted(
        (h for h in history if h.site == result.site and h.run.id < result.run.id), key=lambda h: h.run.id
    )


def previous_scored(result: AuditResult, history: Sequence[AuditResult]) -> AuditResult | None:
    """The latest earlier complete run: an interrupted run's blanks would show as false changes."""
    scored = [h for h in earlier_runs(result, history) if h.scored]
    return scored[-1] if scored else None


@dataclass(frozen=True)
class TrendPoint:
    run_id: int
    as_of: date
    score: float | None  # None: the run was not scored
    state: RunState


def overall_trend(result: AuditResult, history: Sequence[AuditResult]) -> tuple[TrendPoint, ...]:
    runs = [*earlier_runs(result, history), result]
    return tuple(TrendPoint(r.run.id, r.as_of, r.overall_score, r.run.state) for r in runs)


def department_trend(name: str, result: AuditResult, history: Sequence[AuditResult]) -> tuple[TrendPoint, ...]:
    points = []
    for r in [*earlier_runs(result, history), result]:
        try:
            value = r.department(name).score if r.scored else None
        except KeyError:
            continue
        points.append(TrendPoint(r.run.id, r.as_of, value, r.run.state))
    return tuple(points)


def trend_svg(points: Sequence[TrendPoint], *, width: int = 520, height: int = 160, title: str = "得分趋势"
              ) -> Markup:
    """A small line chart drawn here, so the page needs no script and no network.

    Unscored runs appear as hollow grey marks on the axis and break the line, which says plainly that
    there is no score rather than pretending it was zero."""
    left, right, top, bottom = 36, 12, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(points)
    parts: list[str] = [
        (f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'),
        f"<title>{escape(title)}</title>",
    ]
    for mark in (0, 60, 100):
        y = top + plot_h * (1 - mark / 100)
        dash = ' stroke-dasharray="4 3"' if mark == 60 else ""
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#cfd8dc"{dash}/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{mark}</text>')

    def x_at(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    segment: list[str] = []
    segments: list[list[str]] = []
    for i, p in enumerate(points):
        if p.score is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append(f"{x_at(i):.1f},{top + plot_h * (1 - p.score / 100):.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            parts.append(f'<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{" ".join(seg)}"/>')
    label_every = max(1, n // 8)
    for i, p in enumerate(points):
        x = x_at(i)
        tip = f"第{p.run_id}次 {p.as_of.isoformat()} " + (
            f"得分 {p.score:.1f}" if p.score is not None else f"{p.state.label}，不计分"
        )
        if p.score is None:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{top + plot_h:.1f}" r="4" fill="#fff" stroke="#78909c" '
                f'stroke-width="1.5"><title>{escape(tip)}</title></circle>'
            )
        else:
            y = top + plot_h * (1 - p.score / 100)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#1565c0"><title>{escape(tip)}</title></circle>')
            if n <= 12:
                parts.append(f'<text x="{x:.1f}" y="{y - 7:.1f}" text-anchor="middle" class="val">{p.score:.1f}</text>')
        if i % label_every == 0 or i == n - 1:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 18}" text-anchor="middle" class="axis">#{p.run_id}</text>'
                f'<text x="{x:.1f}" y="{height - 5}" text-anchor="middle" class="axis">{p.as_of.strftime("%m-%d")}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


#: What each site-level check is called where a person reads it (its rule id is for findings.json only).
SITE_CHECK_NAMES = {
    "site.furniture-links": "公共部分链接",
    "site.tls-verified": "HTTPS 证书",
    "site.blank-columns": "空白栏目总数",
    "site.home-link": "学校主页入口",
    "site.availability": "网站可用性",
}


def state_text(fu: FollowUp) -> str:
    """The state as the ledger and the terminal print it, with what a reader must know beside it."""
    if fu.state is State.OVERDUE:
        return f"逾期{fu.days_overdue}天"
    if fu.state is State.EXPLAINED and fu.explained_until:
        return f"情况说明（至{fu.explained_until.isoformat()}）"
    return fu.state.value
