"""Static HTML: the dashboard (`index.html`) and one scorecard per department (HTML and XLSX).

Pages are single files with their CSS inlined and charts drawn as inline SVG, so they open offline from
`file://`, survive being mailed as attachments, and never call out to a CDN. Every crawled string passes
through Jinja2's autoescaping; only http(s) URLs become links.

The dashboard drives 督办: what is overdue comes first, then what is still to be fixed, failures before
passes (passes folded). Its one inline script (`static/dashboard.js`, no data in it) filters, searches
and sorts rows the page already holds; without scripts every row is shown and the controls are hidden.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from auditor.atomic import atomic_write
from auditor.lifecycle import FollowUp, State, derived_follow_ups
from auditor.models import Finding, RunState, Verdict
from auditor.results import VETO_GRADE, AuditResult, DepartmentResult, ItemResult, score
from reports.common import (
    SITE_CHECK_NAMES,
    STATUS_COLOUR,
    TrendPoint,
    carried_note,
    department_trend,
    earlier_runs,
    evidence_label,
    evidence_value,
    fmt_score,
    overall_trend,
    previous_scored,
    run_notes,
    safe_filename,
    safe_href,
    trend_svg,
    unscored_note,
)
from reports.history import Change, diff, summary_line
from reports.scorecard import DEFAULT_FIX_DAYS, Scorecard, build_scorecards
from reports.xlsx import SCHOOL_LEDGER, write_scorecard_xlsx

_HERE = Path(__file__).parent
SCORECARD_DIR = "scorecards"


def _score_colour(value: float | None) -> str:
    if value is None:
        return STATUS_COLOUR[Verdict.INCONCLUSIVE]
    if value >= 90:
        return STATUS_COLOUR[Verdict.PASS]
    if value >= 60:
        return STATUS_COLOUR[Verdict.WARN]
    return STATUS_COLOUR[Verdict.FAIL]


def _attr_json(values: Sequence[str]) -> str:
    """A list for a `data-*` attribute, read back by the script with JSON.parse; autoescaping then makes
    it safe inside the quoted attribute, whatever the strings hold."""
    return json.dumps(list(values), ensure_ascii=False)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=True,  # every template: crawled titles and messages are untrusted
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["word"] = lambda v: Verdict(v).label
    env.filters["state"] = lambda s: RunState(s).label
    env.filters["score"] = fmt_score
    env.filters["href"] = safe_href
    env.filters["colour"] = _score_colour
    env.filters["evidence_label"] = evidence_label
    env.globals["evidence_value"] = evidence_value
    env.filters["carried"] = carried_note
    env.globals["V"] = Verdict
    env.globals["C"] = Change
    env.globals["css"] = Markup((_HERE / "static" / "report.css").read_text(encoding="utf-8"))
    # Static code with no data in it: the rows it filters carry their own data attributes.
    env.globals["dashboard_js"] = Markup((_HERE / "static" / "dashboard.js").read_text(encoding="utf-8"))
    env.filters["attr_json"] = _attr_json
    return env


_ENV = _environment()


def _common(result: AuditResult) -> dict[str, object]:
    return {
        "r": result,
        "state_word": result.run.state.label,
        "unscored": unscored_note(result.run),
        "formula": result.score_formula,  # as the run was scored, not as the code scores today
        "formula_en": result.score_formula_en,
        "run_notes": run_notes(result),
    }


def render_scorecard_html(card: Scorecard) -> str:
    return _ENV.get_template("scorecard.html.j2").render(
        **_common(card.result),
        card=card,
        dep=card.department,
        trend_svg=trend_svg(card.trend, title=f"{card.department.name} 得分趋势"),
    )


def render_scorecards(result: AuditResult, history: Sequence[AuditResult], out_dir: Path | str,
                      fix_days: int = DEFAULT_FIX_DAYS,
                      follow_ups: Mapping[str, FollowUp] | None = None) -> list[Path]:
    """Write `scorecards/NN-部门.html` and `.xlsx` (its 整改台账) for each department; returns the paths
    (HTML, XLSX alternating, in catalogue order). With `follow_ups` the deadlines and states are the
    stored ones (auditor.lifecycle), else they are derived."""
    folder = Path(out_dir) / SCORECARD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for card in build_scorecards(result, history, fix_days, follow_ups):
        html_path = folder / f"{card.stem}.html"
        with atomic_write(html_path) as tmp:
            tmp.write_text(render_scorecard_html(card), encoding="utf-8")
        xlsx_path = folder / f"{card.stem}.xlsx"
        write_scorecard_xlsx(card, xlsx_path, follow_ups)
        paths += [html_path, xlsx_path]
    return paths


def split_veto(findings: Sequence[Finding]) -> tuple[list[Finding], list[Finding]]:
    """The site's findings in two tiers: its 单项否决 failures, then the others."""
    return [f for f in findings if f.veto], [f for f in findings if not f.veto]


def render_owner_card(result: AuditResult, out_dir: Path | str) -> Path | None:
    """`scorecards/00-<office>.html`: the site's own findings for the office that runs it (the catalogue's
    `site_owner`), which no department's scorecard shows; None when the catalogue names no owner."""
    owner = result.site_owner
    if owner is None:
        return None
    folder = Path(out_dir) / SCORECARD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    veto, others = split_veto(result.site_findings)
    path = folder / f"{safe_filename(0, owner.name)}.html"
    with atomic_write(path) as tmp:
        tmp.write_text(_ENV.get_template("owner.html.j2").render(**_common(result), owner=owner, veto=veto,
                                                                 others=others, check_names=SITE_CHECK_NAMES),
                       encoding="utf-8")
    return path


@dataclass(frozen=True)
class CategoryScore:
    number: int
    name: str
    items: int
    score: float | None


def category_scores(result: AuditResult) -> list[CategoryScore]:
    """The published formula over each category's items; None for unscored runs."""
    out = []
    for number in sorted({it.category for it in result.items}):
        mine = [it for it in result.items if it.category == number]
        out.append(
            CategoryScore(
                number=number, name=mine[0].category_name, items=len(mine),
                score=score([it.status for it in mine], result.points) if result.scored else None,
            )
        )
    return out


def pass_rate(result: AuditResult) -> str:
    """Passing items among those judged; '—' when the run is unscored or nothing could be judged."""
    c = result.counts
    judged = c[Verdict.PASS] + c[Verdict.WARN] + c[Verdict.FAIL]
    if not result.scored or judged == 0:
        return "—"
    return f"{100 * c[Verdict.PASS] / judged:.1f}%"


#: Runs a sparkline shows: enough to see a direction, few enough to read each point.
TREND_RUNS = 8

#: The whole-school 整改台账, written beside the dashboard by the ledger writer.

#: States in which nothing is left for the department to do: the finding is fixed or justified.
SETTLED = frozenset({State.FIXED, State.EXPLAINED})


@dataclass(frozen=True)
class FollowUpRow:
    """A follow-up with what the dashboard prints beside it: the item and the problem in words."""

    follow_up: FollowUp
    item: ItemResult
    status: Verdict  # the grade of the finding being followed up
    message: str
    url: str

    @property
    def overdue(self) -> bool:
        """Past its deadline with the department still to act: a fix awaiting 复核 is the group's turn."""
        fu = self.follow_up
        waiting = SETTLED | {State.AWAITING_RECHECK}
        return fu.state is State.OVERDUE or (fu.days_overdue > 0 and fu.state not in waiting)


@dataclass(frozen=True)
class DepartmentRow:
    department: DepartmentResult
    scorecard_href: str
    ledger_href: str
    sparkline: Markup
    overdue: int  # follow-ups it leads that are overdue
    open: int  # follow-ups it leads still to be fixed (overdue included)


@dataclass(frozen=True)
class CategoryRow:
    category: CategoryScore
    sparkline: Markup


def follow_up_rows(result: AuditResult, follow_ups: Mapping[str, FollowUp]) -> list[FollowUpRow]:
    """Each follow-up joined to its item and finding; one whose item this run does not hold is left out
    (it belongs to another run's catalogue)."""
    items = {it.item: it for it in result.items}
    rows = []
    for fu in follow_ups.values():
        item = items.get(fu.item)
        if item is None:
            continue
        finding = next((f for f in item.findings if f.rule == fu.rule and f.status.is_problem),
                       next((f for f in item.findings if f.rule == fu.rule), None))
        rows.append(FollowUpRow(
            follow_up=fu, item=item, status=finding.status if finding else item.status,
            message=finding.message if finding else "", url=finding.url if finding else item.url,
        ))
    return rows


def sparkline(points: Sequence[TrendPoint], title: str, *, width: int = 96, height: int = 22) -> Markup:
    """A line of the last runs' scores with the latest as a dot; unscored runs break the line. Inline
    SVG: no script, prints as drawn. The table cell beside it prints the number."""
    pts = list(points)[-TREND_RUNS:]
    n = len(pts)
    pad = 3

    def x_at(i: int) -> float:
        return pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 0.5)

    def y_at(v: float) -> float:
        return pad + (height - 2 * pad) * (1 - v / 100)

    tip = "；".join(f"第{p.run_id}次 {p.as_of.isoformat()} " + ("不计分" if p.score is None else f"{p.score:.1f}")
                   for p in pts)
    parts = [
        (f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
         f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'),
        f"<title>{escape(title)}：{escape(tip)}</title>",
        (f'<line x1="{pad}" x2="{width - pad}" y1="{y_at(60):.1f}" y2="{y_at(60):.1f}" stroke="#cfd8dc" '
         'stroke-dasharray="3 2"/>'),
    ]
    segment: list[str] = []
    for i, p in enumerate([*pts, None]):
        if p is None or p.score is None:
            if len(segment) > 1:
                parts.append(f'<polyline fill="none" stroke="#1565c0" stroke-width="1.5" points="{" ".join(segment)}"/>')
            segment = []
            if p is not None:
                parts.append(f'<circle cx="{x_at(i):.1f}" cy="{height - pad:.1f}" r="1.8" fill="#fff" stroke="#78909c"/>')
            continue
        segment.append(f"{x_at(i):.1f},{y_at(p.score):.1f}")
    last = pts[-1] if pts else None
    if last is not None and last.score is not None:
        parts.append(f'<circle cx="{x_at(n - 1):.1f}" cy="{y_at(last.score):.1f}" r="2.5" fill="#1565c0"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def category_trend(number: int, result: AuditResult, history: Sequence[AuditResult]) -> tuple[TrendPoint, ...]:
    """A category's score in each run up to this one, by the published formula (None when unscored)."""
    points = []
    for r in [*earlier_runs(result, history), result]:
        mine = [c for c in category_scores(r) if c.number == number]
        points.append(TrendPoint(r.run.id, r.as_of, mine[0].score if mine else None, r.run.state))
    return tuple(points)


def _worst_first(value: float | None) -> float:
    return 1000.0 if value is None else value


def render_dashboard(result: AuditResult, history: Sequence[AuditResult], out_dir: Path | str,
                     follow_ups: Mapping[str, FollowUp] | None = None, fix_days: int = DEFAULT_FIX_DAYS) -> Path:
    """Write `index.html`; links to the scorecards and workbooks written beside it.

    `follow_ups` are the stored ones (states people set); without them the run's own are derived: new,
    or overdue past `fix_days` working days."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    previous = previous_scored(result, history)
    d = diff(previous, result) if previous is not None and result.scored else None
    follow = follow_up_rows(result, derived_follow_ups(result, fix_days) if follow_ups is None else follow_ups)
    overdue = sorted((r for r in follow if r.overdue),
                     key=lambda r: (-r.follow_up.days_overdue, r.follow_up.department, r.item.item))
    to_fix = sorted((r for r in follow if not r.overdue and r.follow_up.state not in SETTLED),
                    key=lambda r: (r.follow_up.deadline, r.follow_up.department, r.item.item))
    settled = sorted((r for r in follow if r.follow_up.state in SETTLED),
                     key=lambda r: (r.follow_up.department, r.item.item))
    states_of: dict[int, list[str]] = {}
    for r in follow:
        states_of.setdefault(r.item.item, []).append(r.follow_up.state.value)
    departments = []
    for i, dep in enumerate(result.departments, start=1):
        stem = quote(safe_filename(i, dep.name))
        led = [r for r in follow if r.follow_up.department == dep.name]
        departments.append(DepartmentRow(
            department=dep, scorecard_href=f"{SCORECARD_DIR}/{stem}.html", ledger_href=f"{SCORECARD_DIR}/{stem}.xlsx",
            sparkline=sparkline(department_trend(dep.name, result, history), f"{dep.name} 得分趋势"),
            overdue=sum(r.overdue for r in led), open=sum(r.follow_up.state not in SETTLED for r in led),
        ))
    # Without a script the table is already in the order a supervisor reads it: worst first.
    departments.sort(key=lambda row: (_worst_first(row.department.score), -row.overdue, row.department.name))
    categories = [CategoryRow(c, sparkline(category_trend(c.number, result, history), f"{c.name} 得分趋势"))
                  for c in category_scores(result)]
    order = {Verdict.FAIL: 0, Verdict.WARN: 1, Verdict.INCONCLUSIVE: 2}
    problems = sorted((it for it in result.items if it.status is not Verdict.PASS),
                      key=lambda it: (order[it.status], it.item))
    page = _ENV.get_template("dashboard.html.j2").render(
        **_common(result),
        counts=result.counts,
        pass_rate=pass_rate(result),
        legend=list(Verdict),
        d=d,
        summary=summary_line(d) if d else "",
        overdue=overdue,
        to_fix=to_fix,
        settled=settled,
        states_of=states_of,
        fix_days=fix_days,
        trend_runs=TREND_RUNS,
        departments=departments,
        categories=categories,
        problems=problems,
        passes=[it for it in result.items if it.status is Verdict.PASS],
        department_names=[dep.name for dep in result.departments],
        states=list(State),
        school_ledger=quote(SCHOOL_LEDGER),
        school_ledger_name=SCHOOL_LEDGER,
        trend_svg=trend_svg(overall_trend(result, history), width=540, title="总体得分趋势"),
        site_tiers=split_veto(result.site_findings),
        item_vetoes=[(it, f) for it in result.items for f in it.vetoes],
        veto_grade=VETO_GRADE,
        owner_href=(f"{SCORECARD_DIR}/{quote(safe_filename(0, result.site_owner.name))}.html"
                    if result.site_owner else ""),
    )
    path = out / "index.html"
    with atomic_write(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path
