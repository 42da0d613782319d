"""The SQLite store: runs, raw evidence (pages, entries, links) and findings, kept as history.

One file, created and migrated by the tool (`PRAGMA user_version`). Extracted texts are stored once per
content hash in `blobs`, so an unchanged site costs almost nothing the second night and `prune` can drop
old evidence while keeping every run's findings. WAL mode and short transactions keep the file
consistent when a run is killed: the next open marks a run that died while RUNNING as INTERRUPTED.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Self

from auditor.models import (
    Entry,
    FetchStatus,
    Finding,
    FoundDate,
    Link,
    LinkVia,
    Page,
    PageKind,
    PageRole,
    RuleKind,
    Run,
    RunState,
    Verdict,
)

SCHEMA_VERSION = 8

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        state TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        checklist_version TEXT NOT NULL,
        catalogue_version TEXT NOT NULL,
        as_of TEXT,
        evaluated_at TEXT,
        note TEXT NOT NULL DEFAULT '',
        stats TEXT NOT NULL DEFAULT '{}',
        pid INTEGER,
        pruned INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX runs_site ON runs(site, id);
    CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        text TEXT NOT NULL
    );
    CREATE TABLE pages (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        role TEXT NOT NULL,
        status TEXT NOT NULL,
        http_status INTEGER,
        error TEXT NOT NULL DEFAULT '',
        redirects TEXT NOT NULL DEFAULT '[]',
        final_url TEXT NOT NULL DEFAULT '',
        content_type TEXT NOT NULL DEFAULT '',
        encoding TEXT NOT NULL DEFAULT '',
        size INTEGER NOT NULL DEFAULT 0,
        sha256 TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT 'unknown',
        title TEXT NOT NULL DEFAULT '',
        text_sha TEXT,
        dates TEXT NOT NULL DEFAULT '[]',
        publish_date TEXT,
        fetched_at TEXT,
        etag TEXT NOT NULL DEFAULT '',
        last_modified TEXT NOT NULL DEFAULT '',
        parent TEXT NOT NULL DEFAULT '',
        depth INTEGER NOT NULL DEFAULT 0,
        filename TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (run_id, url)
    );
    CREATE TABLE page_items (
        run_id INTEGER NOT NULL,
        url TEXT NOT NULL,
        item INTEGER NOT NULL,
        PRIMARY KEY (run_id, item, url),
        FOREIGN KEY (run_id, url) REFERENCES pages(run_id, url) ON DELETE CASCADE
    );
    CREATE TABLE entries (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        item INTEGER NOT NULL,
        list_url TEXT NOT NULL,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        url TEXT NOT NULL,
        date_shown TEXT NOT NULL DEFAULT '',
        date TEXT,
        PRIMARY KEY (run_id, item, list_url, position)
    );
    CREATE TABLE links (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        from_url TEXT NOT NULL,
        to_url TEXT NOT NULL,
        status TEXT NOT NULL,
        http_status INTEGER,
        text TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (run_id, from_url, to_url)
    );
    CREATE TABLE findings (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        item INTEGER NOT NULL,
        kind TEXT NOT NULL,
        rule TEXT NOT NULL,
        status TEXT NOT NULL,
        message TEXT NOT NULL,
        url TEXT NOT NULL DEFAULT '',
        evidence TEXT NOT NULL DEFAULT '{}',
        first_seen_run INTEGER,
        first_seen_at TEXT,
        PRIMARY KEY (run_id, seq)
    );
    CREATE INDEX findings_item ON findings(run_id, item);
    """,
    # The catalogue file a run followed, so later commands can judge and report it without --site.
    2: "ALTER TABLE runs ADD COLUMN catalogue_path TEXT NOT NULL DEFAULT ''",
    # A 304 night looks each URL up in earlier runs: without these, every lookup scans the whole history.
    3: """
    CREATE INDEX pages_url ON pages(url, run_id);
    CREATE INDEX entries_list ON entries(run_id, list_url);
    CREATE INDEX page_items_url ON page_items(run_id, url);
    """,
    # Where a link stood on its page (LinkVia): an item's evidence is its own column, furniture is the
    # site's. Older runs did not say; their structural edges are recovered from entries and target roles.
    4: """
    ALTER TABLE links ADD COLUMN via TEXT NOT NULL DEFAULT 'content';
    UPDATE links SET via='entry' WHERE EXISTS (SELECT 1 FROM entries e WHERE e.run_id=links.run_id
        AND e.list_url=links.from_url AND e.url=links.to_url);
    UPDATE links SET via='page' WHERE via='content' AND EXISTS (SELECT 1 FROM pages p WHERE
        p.run_id=links.run_id AND p.url=links.to_url AND p.role='list');
    UPDATE links SET via='attachment' WHERE via='content' AND EXISTS (SELECT 1 FROM pages p WHERE
        p.run_id=links.run_id AND p.url=links.to_url AND p.role='attachment')
    """,
    # History is immutable: each judgement of a run is an evaluation of its own (a re-judgement with
    # another as-of date or newer rules is stored beside the old one), with a snapshot of what its
    # reports show. Runs judged before this version get their evaluation here, marked migrated; their
    # snapshot is taken from the catalogue in use the first time they are read (auditor.findings).
    # A partial crawl (--items) records its items, so its evaluation can carry the others forward.
    5: """
    ALTER TABLE runs ADD COLUMN items TEXT NOT NULL DEFAULT '';
    CREATE TABLE evaluations (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        as_of TEXT NOT NULL,
        evaluated_at TEXT NOT NULL,
        rules_version TEXT NOT NULL DEFAULT '',
        tool_version TEXT NOT NULL DEFAULT '',
        snapshot TEXT NOT NULL DEFAULT '',
        migrated INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX evaluations_run ON evaluations(run_id, id);
    INSERT INTO evaluations (run_id, as_of, evaluated_at, tool_version, migrated)
        SELECT id, as_of, evaluated_at, tool_version, 1 FROM runs WHERE evaluated_at IS NOT NULL AND as_of IS NOT NULL;
    CREATE TABLE findings_v5 (
        evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        item INTEGER NOT NULL,
        kind TEXT NOT NULL,
        rule TEXT NOT NULL,
        status TEXT NOT NULL,
        message TEXT NOT NULL,
        url TEXT NOT NULL DEFAULT '',
        evidence TEXT NOT NULL DEFAULT '{}',
        first_seen_run INTEGER,
        first_seen_at TEXT,
        PRIMARY KEY (evaluation_id, seq)
    );
    INSERT INTO findings_v5 SELECT e.id, f.run_id, f.seq, f.item, f.kind, f.rule, f.status, f.message, f.url,
        f.evidence, f.first_seen_run, f.first_seen_at FROM findings f JOIN evaluations e ON e.run_id=f.run_id;
    DROP TABLE findings;
    ALTER TABLE findings_v5 RENAME TO findings;
    CREATE INDEX findings_item ON findings(evaluation_id, item);
    CREATE INDEX findings_run ON findings(run_id)
    """,
    # A finding's life (auditor.lifecycle): each problem is registered once, when first seen, with its
    # lead department and its deadline frozen then (a later change of fix_days or of the holiday
    # calendar must not move it); every change of state is appended, never updated; items a department
    # reports fixed are scheduled for a 复核. Findings of older databases are registered the first time
    # they are followed up, with the deadline of that day.
    6: """
    CREATE TABLE follow_ups (
        site TEXT NOT NULL,
        finding_id TEXT NOT NULL,
        item INTEGER NOT NULL,
        rule TEXT NOT NULL,
        first_seen_run INTEGER NOT NULL,
        first_seen_at TEXT NOT NULL,
        department TEXT NOT NULL,
        deadline TEXT NOT NULL,
        fix_days INTEGER NOT NULL,
        registered_at TEXT NOT NULL,
        PRIMARY KEY (site, finding_id)
    );
    CREATE TABLE follow_up_changes (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL,
        finding_id TEXT NOT NULL,
        at TEXT NOT NULL,
        author TEXT NOT NULL,
        state TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        until TEXT,
        measures TEXT NOT NULL DEFAULT '',
        responsible TEXT NOT NULL DEFAULT '',
        planned TEXT,
        source TEXT NOT NULL DEFAULT '',
        run_id INTEGER,
        answer_key TEXT NOT NULL DEFAULT '',
        FOREIGN KEY (site, finding_id) REFERENCES follow_ups(site, finding_id)
    );
    CREATE INDEX follow_up_changes_finding ON follow_up_changes(site, finding_id, id);
    CREATE TABLE rechecks (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL,
        item INTEGER NOT NULL,
        finding_id TEXT NOT NULL DEFAULT '',
        scheduled_at TEXT NOT NULL,
        author TEXT NOT NULL DEFAULT '',
        done_run INTEGER
    );
    CREATE INDEX rechecks_site ON rechecks(site, done_run)
    """,
    # A night fetches what changed and carries the rest: a carried page keeps the run that last verified it.
    7: """
    ALTER TABLE pages ADD COLUMN verified_run INTEGER
    """,
    # ... and refers to that run's row for what it did not read again (see _CONTENT_COLUMNS).
    8: """
    ALTER TABLE pages ADD COLUMN content_run INTEGER
    """,
}

#: What a page's row says of its content, not of tonight's answer: a record whose content is an earlier
#: run's (`Page.content_run`: a carried page, a 304) leaves these empty and is read with that run's values;
#: its links are that run's too, except those whose answer differs tonight, which it stores itself.
_CONTENT_COLUMNS = ("redirects", "final_url", "content_type", "encoding", "size", "sha256", "kind", "title",
                    "text_sha", "dates", "publish_date", "filename")

#: A Page's content fields at their defaults (its text is the row's `text_sha`).
_NO_CONTENT: dict[str, Any] = {f.name: f.default for f in fields(Page) if f.name in {*_CONTENT_COLUMNS, "text"}}

_LINK_COLUMNS = "k.from_url, k.to_url, k.status, k.http_status, k.text, k.error, k.via, k.rowid AS seq"


def _link_records(condition: str = "") -> str:
    """The links of run `:run` as the rules see them: its own rows, and for each page it stores by
    reference the content run's links from that page that it stored no answer of its own for.

    `condition` (on `k`, the links row) is applied inside both halves, where the indexes serve it: SQLite
    does not push a condition with a subquery into a UNION, and a run's every link would be read for it."""
    return (
        f"SELECT {_LINK_COLUMNS} FROM links k WHERE k.run_id=:run{condition}"
        f" UNION ALL SELECT {_LINK_COLUMNS} FROM pages p JOIN links k ON k.run_id=p.content_run AND k.from_url=p.url"
        f" WHERE p.run_id=:run{condition} AND NOT EXISTS"
        " (SELECT 1 FROM links o WHERE o.run_id=p.run_id AND o.from_url=p.url AND o.to_url=k.to_url)"
    )


#: Statements that hold a semicolon of their own (trigger bodies), run whole after a version's migration.
_MIGRATION_TRIGGERS: dict[int, tuple[str, ...]] = {
    # A finding's history is appended, never rewritten: not by this tool, nor by a hand-run UPDATE.
    6: (
        ("CREATE TRIGGER follow_up_changes_no_update BEFORE UPDATE ON follow_up_changes"
        " BEGIN SELECT RAISE(ABORT, 'the history of a finding is append-only'); END"),
        ("CREATE TRIGGER follow_up_changes_no_delete BEFORE DELETE ON follow_up_changes"
        " BEGIN SELECT RAISE(ABORT, 'the history of a finding is append-only'); END"),
        ("CREATE TRIGGER follow_ups_frozen BEFORE UPDATE OF department, deadline, first_seen_at ON follow_ups"
        " BEGIN SELECT RAISE(ABORT, 'a deadline, once set, does not move'); END"),
    ),
}


@dataclass(frozen=True)
class Evaluation:
    """One judgement of a stored run: its as-of date, when and by which rules, and its snapshot (the JSON
    of `auditor.snapshot.Snapshot`; empty for a run judged before snapshots were kept, until first read)."""

    id: int
    run_id: int
    as_of: date
    evaluated_at: datetime
    rules_version: str
    tool_version: str
    snapshot: str
    migrated: bool


@dataclass(frozen=True)
class TrackedFinding:
    """A problem registered for follow-up: who leads it and its deadline, both as on the day it was first
    followed (the deadline never moves afterwards)."""

    finding_id: str
    item: int
    rule: str
    first_seen_run: int
    first_seen_at: date
    department: str
    deadline: date
    fix_days: int


@dataclass(frozen=True)
class StoredChange:
    """One appended change of a finding's state (the state by its stable name, see auditor.lifecycle)."""

    finding_id: str
    at: datetime
    author: str
    state: str
    note: str = ""
    until: date | None = None
    measures: str = ""
    responsible: str = ""
    planned: date | None = None
    source: str = ""
    run_id: int | None = None
    answer_key: str = ""  # a returned ledger row's content, so importing it again adds nothing


@dataclass(frozen=True)
class Recheck:
    """An item scheduled for a 复核 because a department reported a finding on it fixed."""

    item: int
    finding_id: str
    scheduled_at: datetime
    author: str


@dataclass(frozen=True)
class VerifiedPages:
    """The evidence of the latest full run, as a night that fetches only what changed needs it."""

    run_id: int
    pages: dict[str, tuple[PageRole, int]]  # url → (role, run that last verified it), answered pages only
    rows: dict[tuple[int, str], tuple[str, str]]  # (item, entry url) → (title, date shown) on its lists
    nights: list[int]  # the site's full runs, oldest first: a run's night number is its place here

    def night(self, run_id: int) -> int:
        """The night number of a run: how many full runs of the site began up to it."""
        return bisect_right(self.nights, run_id)


class StoreError(Exception):
    """The database cannot be used: not an SQLite file, another tool's file, or a newer schema."""


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _iso(d: date | datetime | None) -> str | None:
    return d.isoformat() if d is not None else None


# A run's records are read by the hundred thousand (a 100,000-link column), with few distinct enum values
# and dates among them: each is looked up or parsed once.
_role = functools.cache(PageRole)
_status = functools.cache(FetchStatus)
_kind = functools.cache(PageKind)
_via = functools.cache(LinkVia)
_iso_date = functools.lru_cache(maxsize=4096)(date.fromisoformat)


def _date(s: str | None) -> date | None:
    return _iso_date(s) if s else None


def _datetime(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    """All reads and writes of the history database go through here."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists() and self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a database file")
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._check_ours()  # before anything writes: a foreign file must be left as it was
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
            self._run_columns = [d[0] for d in self.db.execute("SELECT * FROM runs LIMIT 0").description]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable xxgk-auditor database ({exc})") from exc

    # -- schema -------------------------------------------------------------------------------------

    def _check_ours(self) -> None:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this tool's ({SCHEMA_VERSION}); "
                "upgrade xxgk-auditor"
            )
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if (version == 0 and tables) or (version > 0 and "runs" not in tables):
            raise StoreError(
                f"{self.path}: an SQLite file of another application (tables: {', '.join(sorted(tables))})"
            )

    def _migrate(self) -> None:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction() as db:
                for statement in _MIGRATIONS[target].split(";"):
                    if statement.strip():
                        db.execute(statement)
                for trigger in _MIGRATION_TRIGGERS.get(target, ()):
                    db.execute(trigger)
                db.execute(f"PRAGMA user_version={target}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; inside another one it joins it (so a check and the writes it allows,
        e.g. a ledger import, happen with no other writer in between)."""
        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- runs ---------------------------------------------------------------------------------------

    def begin_run(
        self, site: str, *, tool_version: str, checklist_version: str, catalogue_version: str,
        catalogue_path: str = "", items: Iterable[int] = (),
    ) -> Run:
        """A new run; `items` names the items of a partial crawl (a 复核), empty for all of them."""
        self.recover_dead_runs()
        started = _now()
        with self.transaction():
            cur = self.db.execute(
                "INSERT INTO runs (site, started_at, state, tool_version, checklist_version, "
                "catalogue_version, pid, catalogue_path, items) VALUES (?,?,?,?,?,?,?,?,?)",
                (site, started.isoformat(), RunState.RUNNING, tool_version, checklist_version,
                 catalogue_version, os.getpid(), catalogue_path, ",".join(str(n) for n in sorted(set(items)))),
            )
        run_id = cur.lastrowid
        assert run_id is not None
        return self.run(run_id)

    def finish_run(self, run_id: int, state: RunState, *, note: str = "", stats: dict[str, int] | None = None
                   ) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE runs SET state=?, finished_at=?, note=?, stats=?, pid=NULL WHERE id=?",
                (state, _now().isoformat(), note, json.dumps(stats or {}, sort_keys=True), run_id),
            )

    def recover_dead_runs(self) -> list[int]:
        """Mark runs left RUNNING by a process that no longer exists (kill -9, power loss) as interrupted."""
        dead = [
            int(r[0])
            for r in self.db.execute("SELECT id, pid FROM runs WHERE state=?", (RunState.RUNNING,))
            if not _pid_alive(r[1])
        ]
        for run_id in dead:
            self.finish_run(run_id, RunState.INTERRUPTED, note="进程意外终止，本次运行未完成（不计分）")
        return dead

    def run(self, run_id: int) -> Run:
        row = self.db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            raise KeyError(run_id)
        return self._run(row)

    def run_stats(self, run_id: int) -> dict[str, int]:
        row = self.db.execute("SELECT stats FROM runs WHERE id=?", (run_id,)).fetchone()
        return dict(json.loads(row[0])) if row else {}

    def runs(self, site: str | None = None) -> list[Run]:
        if site is None:
            rows = self.db.execute("SELECT * FROM runs ORDER BY id").fetchall()
        else:
            rows = self.db.execute("SELECT * FROM runs WHERE site=? ORDER BY id", (site,)).fetchall()
        return [self._run(r) for r in rows]

    def latest_run(self, site: str, *, state: RunState | None = RunState.COMPLETE,
                   before: int | None = None) -> Run | None:
        sql = "SELECT * FROM runs WHERE site=?"
        args: list[object] = [site]
        if state is not None:
            sql += " AND state=?"
            args.append(state)
        if before is not None:
            sql += " AND id<?"
            args.append(before)
        row = self.db.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return self._run(row) if row else None

    def _run(self, row: Sequence[object]) -> Run:
        r = dict(zip(self._run_columns, row, strict=True))
        started = _datetime(str(r["started_at"]))
        assert started is not None
        return Run(
            id=int(str(r["id"])),
            site=str(r["site"]),
            started_at=started,
            finished_at=_datetime(r["finished_at"] if isinstance(r["finished_at"], str) else None),
            state=RunState(str(r["state"])),
            tool_version=str(r["tool_version"]),
            checklist_version=str(r["checklist_version"]),
            catalogue_version=str(r["catalogue_version"]),
            as_of=_date(r["as_of"] if isinstance(r["as_of"], str) else None),
            note=str(r["note"]),
            catalogue_path=str(r["catalogue_path"]),
            items=tuple(int(n) for n in str(r["items"]).split(",") if n),
        )

    # -- evidence -----------------------------------------------------------------------------------

    def add_pages(self, run_id: int, pages: Iterable[Page]) -> None:
        """Insert or replace pages (a page met again for another item gains that item).

        One statement per table for the whole batch (a statement per page cost most of storing a
        100,000-link page); a URL given twice ends as it would page by page: the last record wins, with
        its items only."""
        blobs: dict[str, str] = {}
        rows: list[tuple[object, ...]] = []
        items: dict[str, tuple[int, ...]] = {}
        for p in pages:
            if p.content_run is not None:  # the content is another run's row: leave it at the defaults
                p = replace(p, **_NO_CONTENT)
            text_sha = None
            if p.text:
                text_sha = text_hash(p.text)
                blobs.setdefault(text_sha, p.text)
            rows.append((
                run_id, p.url, p.role, p.status, p.http_status, p.error, json.dumps(p.redirects),
                p.final_url, p.content_type, p.encoding, p.size, p.sha256, p.kind, p.title,
                text_sha, _dates_json(p.dates),
                _dates_json((p.publish_date,)) if p.publish_date else None,
                _iso(p.fetched_at), p.etag, p.last_modified, p.parent, p.depth, p.filename,
                p.verified_run, p.content_run,
            ))
            items.pop(p.url, None)  # the last record's items, in the order the records came
            items[p.url] = p.items
        with self.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO blobs (sha256, text) VALUES (?,?)", blobs.items())
            db.executemany(
                "INSERT OR REPLACE INTO pages (run_id, url, role, status, http_status, error, redirects,"
                " final_url, content_type, encoding, size, sha256, kind, title, text_sha, dates,"
                " publish_date, fetched_at, etag, last_modified, parent, depth, filename, verified_run,"
                " content_run) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            # A page record carries every item known when it was recorded: a URL first checked as a
            # link and then read as another column's page must not keep the first one's item.
            db.executemany("DELETE FROM page_items WHERE run_id=? AND url=?", [(run_id, url) for url in items])
            db.executemany(
                "INSERT OR IGNORE INTO page_items (run_id, url, item) VALUES (?,?,?)",
                [(run_id, url, item) for url, its in items.items() for item in its],
            )

    def add_page_items(self, run_id: int, url: str, items: Iterable[int]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO page_items (run_id, url, item) VALUES (?,?,?)",
                [(run_id, url, item) for item in items],
            )

    def add_entries(self, run_id: int, entries: Iterable[Entry]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO entries (run_id, item, list_url, position, title, url, date_shown, date)"
                " VALUES (?,?,?,?,?,?,?,?)",
                [
                    (run_id, e.item, e.list_url, e.position, e.title, e.url, e.date_shown, _iso(e.date))
                    for e in entries
                ],
            )

    def add_links(self, run_id: int, links: Iterable[Link]) -> None:
        """Insert or replace links; a link standing on a page stored by reference (`Page.content_run`) is
        stored only when tonight's answer differs from the content run's (`_link_records` reads the rest)."""
        links = list(links)
        with self.transaction() as db:
            referred = self._referred_links(run_id, {k.from_url for k in links})
            same = {k for k in links if _same_answer(k, referred.get((k.from_url, k.to_url)))}
            db.executemany("DELETE FROM links WHERE run_id=? AND from_url=? AND to_url=?",
                           [(run_id, k.from_url, k.to_url) for k in same])
            db.executemany(
                "INSERT OR REPLACE INTO links (run_id, from_url, to_url, status, http_status, text, error, via)"
                " VALUES (?,?,?,?,?,?,?,?)",
                [(run_id, k.from_url, k.to_url, k.status, k.http_status, k.text, k.error, k.via)
                 for k in links if k not in same],
            )

    def _referred_links(self, run_id: int, urls: set[str]) -> dict[tuple[str, str], Link]:
        """The content run's links from those of `urls` that the run stores by reference."""
        referred: dict[tuple[str, str], Link] = {}
        for url in urls:
            row = self.db.execute("SELECT content_run FROM pages WHERE run_id=? AND url=? AND content_run IS NOT NULL",
                                  (run_id, url)).fetchone()
            if row is not None:
                for r in self.db.execute(self._LINK_SQL + " WHERE run_id=? AND from_url=?", (row[0], url)):
                    link = self._link(r)
                    referred[link.from_url, link.to_url] = link
        return referred

    # INDEXED BY: without statistics SQLite prefers the primary key (run_id, item, url) and reads every
    # page_items row of the run for every page, quadratic in a run with a 100,000-link page.
    # A row stored by reference takes its content from its content run's row (c).
    _PAGE_SQL = (
        "SELECT p.url, p.role, p.status, p.http_status, p.error, p.fetched_at, p.etag, p.last_modified, p.parent,"
        " p.depth, p.verified_run, p.content_run, "
        + ", ".join(f"COALESCE(c.{column}, p.{column}) AS {column}" for column in _CONTENT_COLUMNS)
        + ", b.text AS body, (SELECT group_concat(item) FROM page_items i INDEXED BY page_items_url"
        " WHERE i.run_id=p.run_id AND i.url=p.url) AS item_list"
        " FROM pages p LEFT JOIN pages c ON c.run_id=p.content_run AND c.url=p.url"
        " LEFT JOIN blobs b ON b.sha256=COALESCE(c.text_sha, p.text_sha)"
    )

    def pages(self, run_id: int, item: int | None = None) -> list[Page]:
        if item is None:
            cur = self.db.execute(self._PAGE_SQL + " WHERE p.run_id=? ORDER BY p.rowid", (run_id,))
        else:
            cur = self.db.execute(
                self._PAGE_SQL + " WHERE p.run_id=? AND p.url IN"
                " (SELECT url FROM page_items WHERE run_id=? AND item=?) ORDER BY p.rowid",
                (run_id, run_id, item),
            )
        cols = [d[0] for d in cur.description]
        return [_page(dict(zip(cols, row, strict=True))) for row in cur]

    def page(self, run_id: int, url: str) -> Page | None:
        cur = self.db.execute(self._PAGE_SQL + " WHERE p.run_id=? AND p.url=?", (run_id, url))
        row = cur.fetchone()
        if row is None:
            return None
        return _page(dict(zip([d[0] for d in cur.description], row, strict=True)))

    def entries(self, run_id: int, item: int | None = None) -> list[Entry]:
        sql = "SELECT item, list_url, position, title, url, date_shown, date FROM entries WHERE run_id=?"
        args: tuple[object, ...] = (run_id,)
        if item is not None:
            sql += " AND item=?"
            args += (item,)
        return [
            Entry(item=r[0], list_url=r[1], position=r[2], title=r[3], url=r[4], date_shown=r[5],
                  date=_date(r[6]))
            for r in self.db.execute(sql + " ORDER BY item, rowid", args)
        ]

    _LINK_SQL = "SELECT from_url, to_url, status, http_status, text, error, via FROM links"

    @staticmethod
    def _link(r: Sequence[object]) -> Link:
        return Link(from_url=str(r[0]), to_url=str(r[1]), status=_status(str(r[2])),
                    http_status=r[3] if isinstance(r[3], int) else None, text=str(r[4]), error=str(r[5]),
                    via=_via(str(r[6])))

    def links(self, run_id: int, item: int | None = None, *, via: LinkVia | None = None) -> list[Link]:
        """The run's links; with `item`, those standing on the item's own pages (an indexed join, so an
        item costs what it links to, not what the whole run holds)."""
        condition = ""
        if item is not None:
            condition += " AND k.from_url IN (SELECT url FROM page_items WHERE run_id=:run AND item=:item)"
        if via is not None:
            condition += " AND k.via=:via"
        args = {"run": run_id, "item": item, "via": via.value if via else None}
        return [self._link(r) for r in self.db.execute(_link_records(condition) + " ORDER BY seq", args)]

    def links_from(self, run_id: int, urls: Sequence[str]) -> list[Link]:
        """The links standing on these pages of the run (their primary key's prefix: one lookup each)."""
        out: list[Link] = []
        for url in dict.fromkeys(urls):
            out += [self._link(r) for r in self.db.execute(
                _link_records(" AND k.from_url=:url") + " ORDER BY seq", {"run": run_id, "url": url})]
        return out

    def entry_sets(self, run_id: int) -> dict[str, frozenset[str]]:
        """The entry URLs each list page of the run showed (whatever items it served)."""
        sets: dict[str, set[str]] = {}
        for list_url, url in self.db.execute("SELECT DISTINCT list_url, url FROM entries WHERE run_id=?", (run_id,)):
            sets.setdefault(list_url, set()).add(url)
        return {k: frozenset(v) for k, v in sets.items()}

    def shared_link_targets(self, run_id: int, min_items: int) -> set[str]:
        """Targets of content links that stand on the pages of at least `min_items` different items."""
        return {
            r[0]
            for r in self.db.execute(
                "SELECT k.to_url FROM (" + _link_records(" AND k.via=:via") + ") k JOIN page_items i"
                " INDEXED BY page_items_url ON i.run_id=:run AND i.url=k.from_url"
                " GROUP BY k.to_url HAVING COUNT(DISTINCT i.item) >= :least",
                {"run": run_id, "via": LinkVia.CONTENT.value, "least": min_items},
            )
        }

    def validators(self, site: str, before_run: int | None = None) -> dict[str, tuple[str, str]]:
        """ETag and Last-Modified of every page of the site's latest complete run, for conditional requests."""
        run = self.latest_run(site, before=before_run)
        if run is None:
            return {}
        return {
            r[0]: (r[1], r[2])
            for r in self.db.execute(
                "SELECT url, etag, last_modified FROM pages WHERE run_id=? AND status IN (?,?)"
                " AND (etag != '' OR last_modified != '')",
                (run.id, FetchStatus.OK, FetchStatus.NOT_MODIFIED),
            )
        }

    def previous_content_run(self, site: str, url: str, before_run: int) -> int | None:
        """The newest earlier run that stored a URL with content: the evidence a 304 Not Modified reuses."""
        row = self.db.execute(
            "SELECT p.run_id FROM pages p JOIN runs r ON r.id=p.run_id WHERE r.site=? AND p.url=?"
            " AND p.status IN (?,?) AND p.run_id<? AND r.pruned=0 ORDER BY p.run_id DESC LIMIT 1",
            (site, url, FetchStatus.OK, FetchStatus.NOT_MODIFIED, before_run),
        ).fetchone()
        return int(row[0]) if row else None

    def verified_pages(self, site: str, before_run: int) -> VerifiedPages | None:
        """What a night may carry instead of fetching: the site's latest complete full run before
        `before_run` (a 复核 holds only its items), the URLs it holds with an answer (a page that failed is
        fetched again), the run that last verified each, and each row that run's lists showed."""
        row = self.db.execute(
            "SELECT id FROM runs WHERE site=? AND state=? AND items='' AND pruned=0 AND id<? ORDER BY id DESC LIMIT 1",
            (site, RunState.COMPLETE, before_run),
        ).fetchone()
        if row is None:
            return None
        run_id = int(row[0])
        pages = {
            str(r[0]): (PageRole(str(r[1])), int(r[2]))
            for r in self.db.execute(
                "SELECT url, role, COALESCE(verified_run, run_id) FROM pages WHERE run_id=? AND status IN (?,?)",
                (run_id, FetchStatus.OK, FetchStatus.NOT_MODIFIED),
            )
        }
        rows = {
            (int(r[0]), str(r[1])): (str(r[2]), str(r[3]))
            for r in self.db.execute("SELECT item, url, title, date_shown FROM entries WHERE run_id=?", (run_id,))
        }
        # Nights are counted in full runs (a 复核 in between does not skip anyone's turn in the rotation).
        nights = [int(r[0]) for r in self.db.execute("SELECT id FROM runs WHERE site=? AND items='' ORDER BY id",
                                                      (site,))]
        return VerifiedPages(run_id, pages, rows, nights)

    def page_children(self, old: int, url: str) -> tuple[list[Entry], list[Link], dict[str, PageRole]]:
        """What a page led to in run `old`: its entries, its links, and the role each link target played
        then (so a 304 night can follow the same paths without the body)."""
        entries = [
            Entry(item=r[0], list_url=url, position=r[1], title=r[2], url=r[3], date_shown=r[4], date=_date(r[5]))
            for r in self.db.execute(
                "SELECT item, position, title, url, date_shown, date FROM entries WHERE run_id=? AND list_url=?"
                " ORDER BY position",
                (old, url),
            )
        ]
        links = self.links_from(old, [url])
        roles = {
            r[0]: PageRole(r[1])
            for r in self.db.execute(
                "SELECT url, role FROM pages WHERE run_id=:run AND url IN"
                " (SELECT to_url FROM (" + _link_records(" AND k.from_url=:url") + "))",
                {"run": old, "url": url},
            )
        }
        return entries, links, roles

    # -- findings -----------------------------------------------------------------------------------

    def save_findings(self, run_id: int, as_of: date, findings: Sequence[Finding], *, snapshot: str = "",
                      rules_version: str = "", tool_version: str = "") -> int:
        """Store one evaluation of the run, beside any earlier ones (history is never overwritten), and
        return its id. The run's `as_of` follows its newest evaluation."""
        now = _now().isoformat()
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO evaluations (run_id, as_of, evaluated_at, rules_version, tool_version, snapshot)"
                " VALUES (?,?,?,?,?,?)",
                (run_id, as_of.isoformat(), now, rules_version, tool_version, snapshot),
            )
            evaluation_id = cur.lastrowid
            assert evaluation_id is not None
            db.executemany(
                "INSERT INTO findings (evaluation_id, run_id, seq, item, kind, rule, status, message, url,"
                " evidence, first_seen_run, first_seen_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (evaluation_id, run_id, i, f.item, f.kind, f.rule, f.status, f.message, f.url,
                     json.dumps(f.evidence, ensure_ascii=False, sort_keys=True),
                     f.first_seen_run, _iso(f.first_seen_at))
                    for i, f in enumerate(findings)
                ],
            )
            db.execute("UPDATE runs SET as_of=?, evaluated_at=? WHERE id=?", (as_of.isoformat(), now, run_id))
        return evaluation_id

    _EVALUATION_SQL = ("SELECT id, run_id, as_of, evaluated_at, rules_version, tool_version, snapshot, migrated"
                       " FROM evaluations")

    @staticmethod
    def _evaluation(r: Sequence[object]) -> Evaluation:
        evaluated_at = _datetime(str(r[3]))
        assert evaluated_at is not None
        return Evaluation(id=int(str(r[0])), run_id=int(str(r[1])), as_of=date.fromisoformat(str(r[2])),
                          evaluated_at=evaluated_at, rules_version=str(r[4]), tool_version=str(r[5]),
                          snapshot=str(r[6]), migrated=bool(r[7]))

    def evaluations(self, run_id: int) -> list[Evaluation]:
        """Every judgement of the run, oldest first."""
        return [self._evaluation(r) for r in
                self.db.execute(self._EVALUATION_SQL + " WHERE run_id=? ORDER BY id", (run_id,))]

    def evaluation(self, run_id: int, evaluation_id: int | None = None) -> Evaluation | None:
        """The run's newest evaluation, or the one asked for (None when it is not one of the run's)."""
        if evaluation_id is None:
            row = self.db.execute(self._EVALUATION_SQL + " WHERE run_id=? ORDER BY id DESC LIMIT 1",
                                  (run_id,)).fetchone()
        else:
            row = self.db.execute(self._EVALUATION_SQL + " WHERE run_id=? AND id=?",
                                  (run_id, evaluation_id)).fetchone()
        return self._evaluation(row) if row else None

    def set_snapshot(self, evaluation_id: int, snapshot: str, *, migrated: bool) -> None:
        """Give an evaluation judged before snapshots were kept the snapshot it is read with from now on."""
        with self.transaction() as db:
            db.execute("UPDATE evaluations SET snapshot=?, migrated=? WHERE id=? AND snapshot=''",
                       (snapshot, int(migrated), evaluation_id))

    def findings(self, run_id: int, evaluation_id: int | None = None) -> list[Finding]:
        """The findings of the run's newest evaluation (or of the one asked for)."""
        chosen = self.evaluation(run_id, evaluation_id)
        if chosen is None:
            return []
        return [
            Finding(
                item=r[0], kind=RuleKind(r[1]), rule=r[2], status=Verdict(r[3]), message=r[4], url=r[5],
                evidence=dict(json.loads(r[6])), first_seen_run=r[7], first_seen_at=_date(r[8]),
            )
            for r in self.db.execute(
                "SELECT item, kind, rule, status, message, url, evidence, first_seen_run, first_seen_at"
                " FROM findings WHERE evaluation_id=? ORDER BY seq",
                (chosen.id,),
            )
        ]

    def evaluated(self, run_id: int) -> bool:
        row = self.db.execute("SELECT 1 FROM evaluations WHERE run_id=? LIMIT 1", (run_id,)).fetchone()
        return row is not None

    # -- follow-up (a finding's life) ------------------------------------------------------------------

    def track(self, site: str, findings: Iterable[TrackedFinding]) -> None:
        """Register problems for follow-up; one already registered keeps its department and deadline."""
        now = _now().isoformat()
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO follow_ups (site, finding_id, item, rule, first_seen_run, first_seen_at,"
                " department, deadline, fix_days, registered_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(site, t.finding_id, t.item, t.rule, t.first_seen_run, t.first_seen_at.isoformat(), t.department,
                  t.deadline.isoformat(), t.fix_days, now) for t in findings],
            )

    def tracked(self, site: str) -> dict[str, TrackedFinding]:
        """Every problem of the site registered for follow-up, by finding id."""
        return {
            str(r[0]): TrackedFinding(finding_id=str(r[0]), item=int(r[1]), rule=str(r[2]), first_seen_run=int(r[3]),
                                      first_seen_at=date.fromisoformat(str(r[4])), department=str(r[5]),
                                      deadline=date.fromisoformat(str(r[6])), fix_days=int(r[7]))
            for r in self.db.execute(
                "SELECT finding_id, item, rule, first_seen_run, first_seen_at, department, deadline, fix_days"
                " FROM follow_ups WHERE site=? ORDER BY item, first_seen_run, rule", (site,))
        }

    def record_changes(self, site: str, changes: Sequence[StoredChange], *,
                       rechecks: Sequence[Recheck] = ()) -> None:
        """Append state changes (and schedule 复核) in one transaction: all of them or none."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO follow_up_changes (site, finding_id, at, author, state, note, until, measures,"
                " responsible, planned, source, run_id, answer_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(site, c.finding_id, c.at.isoformat(), c.author, c.state, c.note, _iso(c.until), c.measures,
                  c.responsible, _iso(c.planned), c.source, c.run_id, c.answer_key) for c in changes],
            )
            db.executemany(
                "INSERT INTO rechecks (site, item, finding_id, scheduled_at, author) VALUES (?,?,?,?,?)",
                [(site, r.item, r.finding_id, r.scheduled_at.isoformat(), r.author) for r in rechecks],
            )

    def changes(self, site: str) -> dict[str, list[StoredChange]]:
        """Every finding's changes of state, oldest first."""
        out: dict[str, list[StoredChange]] = {}
        for r in self.db.execute(
            "SELECT finding_id, at, author, state, note, until, measures, responsible, planned, source, run_id,"
            " answer_key FROM follow_up_changes WHERE site=? ORDER BY id", (site,)
        ):
            at = _datetime(str(r[1]))
            assert at is not None
            out.setdefault(str(r[0]), []).append(StoredChange(
                finding_id=str(r[0]), at=at, author=str(r[2]), state=str(r[3]), note=str(r[4]), until=_date(r[5]),
                measures=str(r[6]), responsible=str(r[7]), planned=_date(r[8]), source=str(r[9]),
                run_id=r[10] if isinstance(r[10], int) else None, answer_key=str(r[11])))
        return out

    def pending_rechecks(self, site: str) -> list[Recheck]:
        """Items scheduled for a 复核 that no scored run has judged since."""
        out = []
        for r in self.db.execute("SELECT item, finding_id, scheduled_at, author FROM rechecks"
                                 " WHERE site=? AND done_run IS NULL ORDER BY item, id", (site,)):
            at = _datetime(str(r[2]))
            assert at is not None
            out.append(Recheck(item=int(r[0]), finding_id=str(r[1]), scheduled_at=at, author=str(r[3])))
        return out

    def rechecks_done(self, site: str, items: Iterable[int], run_id: int) -> None:
        """The 复核 of these items took place in run `run_id`."""
        with self.transaction() as db:
            db.executemany("UPDATE rechecks SET done_run=? WHERE site=? AND item=? AND done_run IS NULL",
                           [(run_id, site, item) for item in items])

    # -- housekeeping -------------------------------------------------------------------------------

    def prune(self, site: str, keep: int) -> list[int]:
        """Drop the raw evidence of all but the newest `keep` runs; their findings stay for history."""
        ids = [r.id for r in self.runs(site) if r.state is not RunState.RUNNING]
        doomed = ids[:-keep] if keep > 0 else ids
        with self.transaction() as db:
            for run_id in doomed:
                self._copy_referred(run_id)
                db.execute("DELETE FROM page_items WHERE run_id=?", (run_id,))
                db.execute("DELETE FROM pages WHERE run_id=?", (run_id,))
                db.execute("DELETE FROM entries WHERE run_id=?", (run_id,))
                db.execute("DELETE FROM links WHERE run_id=?", (run_id,))
                db.execute("UPDATE runs SET pruned=1 WHERE id=?", (run_id,))
            db.execute("DELETE FROM blobs WHERE sha256 NOT IN (SELECT text_sha FROM pages WHERE text_sha IS NOT NULL)")
        return doomed

    def _copy_referred(self, run_id: int) -> None:
        """Before a run's evidence goes, the later rows that refer to it for their content take a copy of
        it (its columns and its links, beneath their own answers): a kept run stays whole."""
        columns = ", ".join(_CONTENT_COLUMNS)
        self.db.execute(
            "INSERT OR IGNORE INTO links (run_id, from_url, to_url, status, http_status, text, error, via)"
            " SELECT p.run_id, k.from_url, k.to_url, k.status, k.http_status, k.text, k.error, k.via"
            " FROM pages p JOIN links k ON k.run_id=p.content_run AND k.from_url=p.url WHERE p.content_run=?",
            (run_id,),
        )
        self.db.execute(
            f"UPDATE pages AS p SET ({columns}) = (SELECT {columns} FROM pages c WHERE c.run_id=p.content_run"
            " AND c.url=p.url), content_run=NULL WHERE p.content_run=?",
            (run_id,),
        )

    # -- evaluation (added for the rule engine) ----------------------------------------------------

    def set_run_state(self, run_id: int, state: RunState, *, note: str = "") -> None:
        """Change a finished run's state (the engine marks a site-wide outage INCONCLUSIVE)."""
        with self.transaction() as db:
            db.execute("UPDATE runs SET state=?, note=? WHERE id=?", (state, note, run_id))

    def fetch_results(self, run_id: int) -> list[tuple[str, PageRole, FetchStatus, int | None, tuple[int, ...]]]:
        """Every page a run asked for as (url, role, status, HTTP status, items), without texts: what the
        rules that compare nights need (was a column read, did a host answer) at the cost of a night's
        index. A page carried forward is an earlier night's answer: it says nothing of how a host did tonight."""
        return [
            (str(r[0]), _role(str(r[1])), _status(str(r[2])), r[3] if isinstance(r[3], int) else None,
             tuple(sorted(int(i) for i in str(r[4] or "").split(",") if i)))
            for r in self.db.execute(
                "SELECT p.url, p.role, p.status, p.http_status, (SELECT group_concat(item) FROM page_items i"
                " INDEXED BY page_items_url WHERE i.run_id=p.run_id AND i.url=p.url)"
                " FROM pages p WHERE p.run_id=? AND p.verified_run IS NULL ORDER BY p.rowid",
                (run_id,),
            )
        ]

    def cut_lists(self, run_id: int) -> list[tuple[str, tuple[int, ...]]]:
        """The pages of a run whose list rows a per-page bound cut ("entries truncated at", PageCuts), with
        their items: a night that read such a list did not read all of it."""
        return [
            (str(r[0]), tuple(sorted(int(i) for i in str(r[1] or "").split(",") if i)))
            for r in self.db.execute(
                "SELECT p.url, (SELECT group_concat(item) FROM page_items i INDEXED BY page_items_url"
                " WHERE i.run_id=p.run_id AND i.url=p.url) FROM pages p"
                " WHERE p.run_id=? AND p.error LIKE '%entries truncated at%'",
                (run_id,),
            )
        ]

    def page_counts(self, run_id: int) -> dict[FetchStatus, int]:
        """How many pages of a run ended in each fetch status, without loading their texts."""
        return {
            FetchStatus(r[0]): int(r[1])
            for r in self.db.execute("SELECT status, count(*) FROM pages WHERE run_id=? GROUP BY status", (run_id,))
        }


def _same_answer(tonight: Link, then: Link | None) -> bool:
    """Whether a link's check tonight says what the content run's said: the same record, where a 304
    confirming the target and the 200 that served it are one answer (the target is there, unchanged)."""
    if then is not None and tonight.status.has_content and then.status.has_content:
        tonight = replace(tonight, status=then.status, http_status=then.http_status)
    return tonight == then


def _dates_json(dates: Iterable[FoundDate | None]) -> str:
    return json.dumps(
        [{"value": d.value.isoformat(), "shown": d.shown, "source": d.source} for d in dates if d is not None],
        ensure_ascii=False,
    )


def _dates_from_json(raw: str | None) -> tuple[FoundDate, ...]:
    if not raw or raw == "[]":
        return ()
    return tuple(
        FoundDate(value=date.fromisoformat(d["value"]), shown=d["shown"], source=d["source"])
        for d in json.loads(raw)
    )


# A run's pages are read by the hundred thousand (a 100,000-link column): an empty JSON list is not parsed.


def _json_list(raw: str) -> list[str]:
    return [] if raw == "[]" else list(json.loads(raw))


def _page(r: dict[str, object]) -> Page:
    publish = _dates_from_json(r["publish_date"] if isinstance(r["publish_date"], str) else None)
    items = str(r["item_list"] or "")
    return Page(
        url=str(r["url"]),
        role=_role(str(r["role"])),
        status=_status(str(r["status"])),
        items=tuple(sorted(int(i) for i in items.split(",") if i)),
        http_status=r["http_status"] if isinstance(r["http_status"], int) else None,
        error=str(r["error"]),
        redirects=tuple(_json_list(str(r["redirects"]))),
        final_url=str(r["final_url"]),
        content_type=str(r["content_type"]),
        encoding=str(r["encoding"]),
        size=int(str(r["size"])),
        sha256=str(r["sha256"]),
        kind=_kind(str(r["kind"])),
        title=str(r["title"]),
        text=str(r["body"] or ""),
        dates=_dates_from_json(str(r["dates"])),
        publish_date=publish[0] if publish else None,
        fetched_at=_datetime(r["fetched_at"] if isinstance(r["fetched_at"], str) else None),
        etag=str(r["etag"]),
        last_modified=str(r["last_modified"]),
        parent=str(r["parent"]),
        depth=int(str(r["depth"])),
        filename=str(r["filename"]),
        verified_run=r["verified_run"] if isinstance(r["verified_run"], int) else None,
        content_run=r["content_run"] if isinstance(r["content_run"], int) else None,
    )


