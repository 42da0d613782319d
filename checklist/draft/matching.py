"""Map each item of the 清单 to the directory's column(s) by wording, with a confidence.

A column can serve several items (财务信息 holds the budget, the final accounts and the rules) and an
item can have several columns, so this is not a one-to-one assignment: each item takes the column(s)
that name it best. What makes a guess sure is the distance to the next-best column, not the score
alone: 年度报告 names items 4 and 6 equally well, and the draft must say so. Two facts of the
directory weigh in besides the names: the heading a column sits under (a column under 招生考试 is
more likely an admissions item), and a numbering that follows the 清单 ("（12）复试成绩"), trusted
only when most numbered names agree with their number by wording.
"""

from __future__ import annotations

from collections.abc import Sequence

from checklist.draft.model import Candidate, Column, ItemDraft
from checklist.draft.text import ItemMatcher, clean_label, label_number
from checklist.model import Checklist

__all__ = ["ACCEPT_AT", "match_columns"]

ACCEPT_AT = 0.5  # below this score a column is only a candidate, never written as the item's url
_ACCEPT_OWN = 0.4  # …unless the column names this item better than any other (then it is kept, unsure)
_TAKEN_PENALTY = 0.15  # a column that clearly names another item is a weaker choice for this one
_TIE = 0.05
_SECOND_COLUMN = 0.04  # another column within this of the best, and best for this item, is kept too
_CATEGORY_BONUS = 0.1
_NUMBER_BONUS = 0.25
_HEADING_WEIGHT = 0.9
_MAX_HEADING = 15
_STRAY_PENALTY = 0.25  # listed once, deep in the site: an article's or a content link, not a menu's  # a longer page title is an article's, not the column's name


def _numbering_trusted(columns: Sequence[Column], matcher: ItemMatcher) -> bool:
    """True when the directory numbers its columns after the 清单: most numbered names agree by wording."""
    numbered = [(label_number(c.label), c.label) for c in columns]
    checked = [(n, lab) for n, lab in numbered if n is not None]
    if len(checked) < 5:
        return False
    agree = 0
    for n, lab in checked:
        scores = matcher.scores(lab)
        if scores and max(scores, key=lambda k: scores[k]) == n:
            agree += 1
    return agree >= 0.6 * len(checked)


def _without_headings(columns: Sequence[Column], matcher: ItemMatcher) -> list[Column]:
    """Drop the links that head other columns (a category's own page is no item's column).

    A column's list page also heads its articles and its pager, so only children that are columns
    themselves (they name an item) make a heading.
    """
    under: dict[str, list[Column]] = {}
    for c in columns:
        if c.category:
            under.setdefault(clean_label(c.category), []).append(c)

    def heads_others(c: Column) -> bool:
        children = [
            o for o in under.get(clean_label(c.label), [])
            if o.url != c.url and o.depth <= c.depth + 1 and max(matcher.scores(o.label).values(), default=0.0) >= ACCEPT_AT
        ]
        return len(children) >= 2

    return [c for c in columns if not heads_others(c)]


def _column_scores(column: Column, matcher: ItemMatcher, numbered: bool) -> dict[int, float]:
    scores = dict(matcher.scores(column.label))
    for heading in column.headings:
        if len(clean_label(heading)) > _MAX_HEADING:
            continue
        for number, s in matcher.scores(heading).items():
            scores[number] = max(scores.get(number, 0.0), round(s * _HEADING_WEIGHT, 4))
    if not scores:
        return {}
    category = matcher.category_of(column.category) if column.category else None
    shown_number = label_number(column.label) if numbered else None
    out: dict[int, float] = {}
    for item_number, s in scores.items():
        item = matcher.checklist.item(item_number)
        if category is not None and category[1] >= 0.2:
            s += _CATEGORY_BONUS if category[0] == item.category else -_CATEGORY_BONUS
        if shown_number is not None:
            s += _NUMBER_BONUS if shown_number == item_number else -_NUMBER_BONUS / 2
        if column.depth >= 2 and column.listed_on <= 1:
            s -= _STRAY_PENALTY
        out[item_number] = max(0.0, round(s, 4))  # not capped yet: a bonus still tells two 1.0s apart
    return out


def match_columns(checklist: Checklist, columns: Sequence[Column], matcher: ItemMatcher | None = None) -> list[ItemDraft]:
    """One `ItemDraft` per item of `checklist`, in its order."""
    matcher = matcher or ItemMatcher(checklist)
    columns = _without_headings(columns, matcher)
    numbered = _numbering_trusted(columns, matcher)
    # One column per URL; a URL listed twice keeps its best reading.
    table: dict[str, tuple[Column, dict[int, float]]] = {}
    for column in columns:
        scores = _column_scores(column, matcher, numbered)
        if not scores:
            continue
        known = table.get(column.url)
        if known is None or max(scores.values()) > max(known[1].values()):
            table[column.url] = (column, scores)
    best_item_of = {url: _sole_best(s) for url, (_, s) in table.items()}
    drafts: list[ItemDraft] = []
    for item in checklist.items:
        ranked = sorted(
            ((_adjusted(item.number, s, best_item_of[c.url]), c) for c, s in table.values() if s.get(item.number, 0.0) > 0),
            # on a tie, the column that names this item alone, then the shorter address
            key=lambda pair: (-pair[0], best_item_of[pair[1].url] != item.number, len(pair[1].url)),
        )
        ranked = [(score, c) for score, c in ranked if score > 0]
        candidates = [Candidate(c.url, c.label, min(1.0, score), c.category) for score, c in ranked]
        chosen: list[Candidate] = []
        departments: list[str] = []
        if candidates and (
            candidates[0].score >= ACCEPT_AT
            or (candidates[0].score >= _ACCEPT_OWN and best_item_of[candidates[0].url] == item.number)
        ):
            top = candidates[0].score
            for cand, (_, column) in zip(candidates, ranked):
                if cand is candidates[0] or (
                    cand.score >= max(ACCEPT_AT, top - _SECOND_COLUMN) and best_item_of[cand.url] == item.number
                    and best_item_of[candidates[0].url] == item.number
                ):
                    chosen.append(cand)
                    departments.extend(d for d in column.departments if d not in departments)
        rest = [c for c in candidates if c not in chosen][:3]
        confidence, note = _confidence(chosen, rest)
        drafts.append(
            ItemDraft(item.number, item.wording, tuple(chosen), confidence, tuple(rest), tuple(departments), note)
        )
    return drafts


def _adjusted(number: int, scores: dict[int, float], best: int | None) -> float:
    """A column's score for item `number`, less when it clearly names another item."""
    own = scores.get(number, 0.0)
    if best is not None and best != number and scores[best] - own > _TIE:
        own -= _TAKEN_PENALTY
    return round(max(0.0, own), 4)


def _sole_best(scores: dict[int, float]) -> int | None:
    """The item a column names best, or None when two items tie for it (年度报告: items 4 and 6)."""
    ranked = sorted(scores.values(), reverse=True)
    if len(ranked) > 1 and ranked[0] - ranked[1] <= _TIE:
        return None
    return max(scores, key=lambda k: scores[k])


def _confidence(chosen: Sequence[Candidate], rest: Sequence[Candidate]) -> tuple[float, str]:
    """The best score, discounted by how close the runner-up comes: a tie halves it."""
    if not chosen:
        best = rest[0].score if rest else 0.0
        return round(best / 2, 2), "no column names this item" if not rest else "no column names it well enough"
    top = chosen[0].score
    second = rest[0].score if rest else 0.0
    margin = top - second
    confidence = top * (0.5 + 0.5 * min(1.0, margin / 0.3))
    note = ""
    if margin < 0.3 and rest:
        note = f"close to {clean_label(rest[0].label)}"
    elif top < 0.75:
        note = "weak match"
    return round(confidence, 2), note
