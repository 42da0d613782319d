"""Chinese text similarity between a column's name and an item of the 清单.

Column names on 信息公开网 are short (预算, 收费公示, 学术委员会) while the 清单's wording is long, so the
question asked is "how much of the column name does this item explain, and how much of one of the
item's names is in the column name", not a symmetric distance. Words are compared as character
bigrams, which needs no dictionary (Chinese has no spaces, and a segmenter's dictionary is the wrong
one for 收支决算总表); each bigram weighs by how rare it is across the 50 items (an IDF), so 预算,
found in one item, outweighs 信息 or 情况, found everywhere. Known synonyms (收费 ↔ 收费公示, 招标 ↔
采购) count as matches. The vocabulary comes from the 清单 and `aliases-<version>.yaml`, never from a
site.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from checklist.model import Checklist

__all__ = ["ItemMatcher", "Vocabulary", "bigrams", "clean_label", "label_number", "load_aliases"]

_ALIASES_DIR = Path(__file__).resolve().parent

# Words that every disclosure column may carry: they say nothing about which item it is.
GENERIC_WORDS: tuple[str, ...] = (
    "信息公开", "公开信息", "信息", "公开", "公示", "公告", "通知", "情况", "相关", "有关", "专栏", "栏目",
    "工作", "学校", "我校", "本校", "高校", "高等学校", "各类", "各项", "其他", "其它", "管理", "制度",
    "办法", "规定", "文件", "动态", "事项",
)
_GENERIC_GRAMS = frozenset(g for w in GENERIC_WORDS for g in (w[i : i + 2] for i in range(len(w) - 1)))
# Separators inside a name: a bigram never spans them.
_SPLIT = re.compile(r"[\s、，,；;：:。.（）()\[\]【】《》<>“”\"'‘’/|·\-—_及和与或等的]+")
# "（12）", "(12)", "12.", "12、", "一、", "1-" before a column name
_NUMBER = re.compile(r"^\s*(?:[（(]\s*(\d{1,3})\s*[)）]|(\d{1,3})\s*[.．、:：\-]|[一二三四五六七八九十]+\s*[、.．])\s*")
_UNKNOWN_WEIGHT = 0.6  # a bigram no item uses (often one spanning two words: 费公 in 收费公示)
_GENERIC_WEIGHT = 0.0


def clean_label(text: str) -> str:
    """A column name as compared: full-width folded, numbering and surrounding clutter removed."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    while True:
        stripped = _NUMBER.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return text.strip(">»›·•-—_|/:：")


def label_number(text: str) -> int | None:
    """The number a directory puts before a column name ("（12）招投标" → 12), if any."""
    m = _NUMBER.match(unicodedata.normalize("NFKC", text))
    if m is None or not (m.group(1) or m.group(2)):
        return None
    return int(m.group(1) or m.group(2))


def bigrams(text: str) -> set[str]:
    """Character bigrams of each run between separators; a one-character run stands for itself."""
    grams: set[str] = set()
    for run in _SPLIT.split(unicodedata.normalize("NFKC", text)):
        if len(run) == 1:
            grams.add(run)
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def load_aliases(version: str) -> tuple[tuple[tuple[str, ...], ...], dict[int, tuple[str, ...]]]:
    """The synonym groups and per-item column names for a 清单 version (empty when none is shipped)."""
    path = _ALIASES_DIR / f"aliases-{version}.yaml"
    if not path.is_file():
        return (), {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups = tuple(tuple(str(w) for w in group) for group in data.get("synonyms") or ())
    items = {int(k): tuple(str(w) for w in v) for k, v in (data.get("items") or {}).items()}
    return groups, items


@dataclass(frozen=True)
class _ItemNames:
    number: int
    category: int
    text: str  # everything the item is called, joined: for synonym look-ups
    grams: frozenset[str]
    names: tuple[frozenset[str], ...]  # the bigrams of each of its names (short name, clauses, aliases)


class Vocabulary:
    """Bigram weights learnt from the 清单 itself: rare across items means telling."""

    def __init__(self, documents: Sequence[Iterable[str]]) -> None:
        df: dict[str, int] = {}
        for doc in documents:
            for g in set(doc):
                df[g] = df.get(g, 0) + 1
        n = len(documents)
        self._idf = {g: math.log((n + 1) / (c + 1)) + 0.3 for g, c in df.items()}

    def weight(self, gram: str) -> float:
        if gram in _GENERIC_GRAMS:
            return _GENERIC_WEIGHT
        return self._idf.get(gram, _UNKNOWN_WEIGHT)


class ItemMatcher:
    """Scores how well a name (a column's, a page heading's) fits each item of a 清单, from 0 to 1."""

    def __init__(
        self,
        checklist: Checklist,
        aliases: Mapping[int, Sequence[str]] | None = None,
        synonyms: Sequence[Sequence[str]] = (),
    ) -> None:
        if aliases is None:
            synonyms, aliases = load_aliases(checklist.version)
        self.checklist = checklist
        self.synonyms = tuple(tuple(g) for g in synonyms)
        self.items: list[_ItemNames] = []
        for it in checklist.items:
            clauses = [c for c in re.split(r"[、，,；;。]", it.wording) if c]
            names = [it.short_name, it.wording, *clauses, *aliases.get(it.number, ())]
            grams = frozenset().union(*(bigrams(n) for n in names))
            self.items.append(
                _ItemNames(
                    it.number,
                    it.category,
                    "|".join(names),
                    grams,
                    tuple(frozenset(bigrams(n)) for n in names if bigrams(n)),
                )
            )
        self.vocabulary = Vocabulary([i.grams for i in self.items])
        self._categories = {n: frozenset(bigrams(name)) for n, name in checklist.categories.items()}

    def scores(self, label: str) -> dict[int, float]:
        """Item number → how well `label` names that item (only items scoring above 0)."""
        core = clean_label(label)
        grams = bigrams(core)
        w = self.vocabulary.weight
        total = sum(w(g) for g in grams)
        if not grams or total <= 0:
            return {}
        out: dict[int, float] = {}
        for item in self.items:
            covered = set(grams & item.grams)
            for group in self.synonyms:
                present = [t for t in group if t in core]
                if present and any(t in item.text for t in group):
                    for t in present:
                        covered |= bigrams(t)
            label_share = sum(w(g) for g in covered & grams) / total
            if label_share <= 0:
                continue
            name_share = 0.0
            for name in item.names:
                name_total = sum(w(g) for g in name)
                if name_total > 0:
                    name_share = max(name_share, sum(w(g) for g in name & covered) / name_total)
            out[item.number] = round(0.6 * label_share + 0.4 * name_share, 4)
        return out

    def category_of(self, heading: str) -> tuple[int, float] | None:
        """The 清单 category a directory heading most resembles (基本信息公开 → 1), and how closely."""
        grams = bigrams(clean_label(heading))
        if not grams:
            return None
        best: tuple[int, float] | None = None
        for number, cat in self._categories.items():
            if not cat:
                continue
            union = len(grams | cat)
            sim = len(grams & cat) / union if union else 0.0
            if best is None or sim > best[1]:
                best = (number, sim)
        return best if best is not None and best[1] > 0 else None
