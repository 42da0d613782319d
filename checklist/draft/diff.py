"""What a redraft would change in a catalogue: items whose column is new, moved or vanished.

A site that was reorganised is redrafted and compared with the catalogue in use before anything is
replaced. Both files are read leniently (a draft with TODOs does not validate yet, and must still be
comparable), as plain YAML: only each item's addresses and departments matter here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from checklist.draft.crawl import DraftError

__all__ = ["Change", "ItemChange", "diff_catalogues", "read_catalogue_items"]


class Change(enum.StrEnum):
    NEW = "new"  # the item had no column and now has one
    MOVED = "moved"  # its column has another address
    VANISHED = "vanished"  # it had a column and now has none
    DEPARTMENTS = "departments"  # same column, other departments

    @property
    def label(self) -> str:
        return {"new": "新增栏目 new", "moved": "栏目变动 moved", "vanished": "栏目消失 vanished",
                "departments": "部门变动 departments"}[self.value]


@dataclass(frozen=True)
class ItemChange:
    number: int
    change: Change
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True)
class _Entry:
    urls: tuple[str, ...]
    departments: tuple[str, ...]


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str | int))
    return ()


def read_catalogue_items(path: Path) -> dict[int, _Entry]:
    """Item number → addresses and departments; DraftError when the file is not a catalogue."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DraftError(f"{path}: {exc.strerror or exc}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DraftError(f"{path}: not a YAML file ({type(exc).__name__})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
        raise DraftError(f"{path}: not a catalogue (no 'items:' mapping)")
    out: dict[int, _Entry] = {}
    for key, value in data["items"].items():
        if not isinstance(key, int) and not (isinstance(key, str) and key.isdigit()):
            continue
        value = value if isinstance(value, dict) else {}
        urls = _texts(value.get("urls")) or _texts(value.get("url"))
        out[int(key)] = _Entry(urls, _texts(value.get("departments")))
    return out


def diff_catalogues(old_path: Path, new_path: Path) -> tuple[list[ItemChange], list[str], list[str]]:
    """Changed items, then the addresses no longer used anywhere, then those used for the first time."""
    old, new = read_catalogue_items(old_path), read_catalogue_items(new_path)
    changes: list[ItemChange] = []
    for number in sorted(set(old) | set(new)):
        a = old.get(number, _Entry((), ()))
        b = new.get(number, _Entry((), ()))
        if a.urls == b.urls:
            if a.departments != b.departments and b.departments:
                changes.append(ItemChange(number, Change.DEPARTMENTS, a.departments, b.departments))
            continue
        if not a.urls:
            kind = Change.NEW
        elif not b.urls:
            kind = Change.VANISHED
        else:
            kind = Change.MOVED
        changes.append(ItemChange(number, kind, a.urls, b.urls))
    old_urls = {u for e in old.values() for u in e.urls}
    new_urls = {u for e in new.values() for u in e.urls}
    return changes, sorted(old_urls - new_urls), sorted(new_urls - old_urls)
