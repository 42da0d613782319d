"""Static HTML: the dashboard (`index.html`) and one scorecard per department (HTML and XLSX).

Pages are single files with their CSS inlined and charts drawn as inline SVG, so they open offline from
`file://`, survive being mailed as attachments, and never call out to a CDN. Every crawled string passes
through Jinja2's autoescaping; only http(s) URLs become links.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from auditor.atomic import atomic_write
from auditor.models import Finding, RunState, Verdict
from auditor.results import AuditResult, score
from auditor.rules.site import SITE_RULES
from reports.common import (
    STATUS_COLOUR,
    carried_note,
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
from reports.xlsx import write_scorecard_xlsx

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
                      fix_days: int = DEFAULT_FIX_DAYS) -> list[Path]:
    """Write `scorecards/NN-部门.html` and `.xlsx` for each department; returns the paths (HTML, XLSX
    alternating, in catalogue order)."""
    folder = Path(out_dir) / SCORECARD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for card in build_scorecards(result, history, fix_days):
        html_path = folder / f"{card.stem}.html"
        with atomic_write(html_path) as tmp:
            tmp.write_text(render_scorecard_html(card), encoding="utf-8")
        xlsx_path = folder / f"{card.stem}.xlsx"
        write_scorecard_xlsx(card, xlsx_path)
        paths += [html_path, xlsx_path]
    return paths


#: Site rules that fail the whole site (国办's 单项否决): shown apart, first.
VETO_RULES = frozenset(r.id for r in SITE_RULES if r.veto)


def split_veto(findings: Sequence[Finding]) -> tuple[list[Finding], list[Finding]]:
    """The site's findings in two tiers: the veto rules, then the others."""
    return [f for f in findings if f.rule in VETO_RULES], [f for f in findings if f.rule not in VETO_RULES]


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
                                                                 others=others), encoding="utf-8")
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


def render_dashboard(result: AuditResult, history: Sequence[AuditResult], out_dir: Path | str) -> Path:
    """Write `index.html`; links to the scorecards that `render_scorecards` writes beside it."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    previous = previous_scored(result, history)
    d = diff(previous, result) if previous is not None and result.scored else None
    departments = [
        (dep, f"{SCORECARD_DIR}/{quote(safe_filename(i, dep.name))}.html")
        for i, dep in enumerate(result.departments, start=1)
    ]
    page = _ENV.get_template("dashboard.html.j2").render(
        **_common(result),
        counts=result.counts,
        pass_rate=pass_rate(result),
        legend=list(Verdict),
        d=d,
        summary=summary_line(d) if d else "",
        departments=departments,
        categories=category_scores(result),
        trend_svg=trend_svg(overall_trend(result, history), width=540, title="总体得分趋势"),
        site_tiers=split_veto(result.site_findings),
        owner_href=(f"{SCORECARD_DIR}/{quote(safe_filename(0, result.site_owner.name))}.html"
                    if result.site_owner else ""),
    )
    path = out / "index.html"
    with atomic_write(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path

