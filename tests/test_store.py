"""The history database: migration of older files, crash recovery, pruning that keeps findings."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from auditor.models import FetchStatus, Finding, Link, LinkVia, Page, PageRole, RuleKind, RunState, Verdict
from auditor.store import _MIGRATIONS, SCHEMA_VERSION, Store


def _begin(store: Store) -> int:
    return store.begin_run("ustb", tool_version="t", checklist_version="qingdan-2014", catalogue_version="1").id


def test_an_older_database_is_migrated_in_place_keeping_its_runs(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as con:
        for statement in _MIGRATIONS[1].split(";"):
            if statement.strip():
                con.execute(statement)
        con.execute("INSERT INTO runs (site, started_at, state, tool_version, checklist_version, catalogue_version)"
                    " VALUES ('ustb', '2018-11-30T02:30:00+00:00', 'complete', '0.0', 'qingdan-2014', '2018-11')")
        con.execute("PRAGMA user_version=1")
    with Store(db) as store:
        (run,) = store.runs("ustb")
        assert run.state is RunState.COMPLETE and run.catalogue_path == ""
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_run_whose_process_died_is_marked_interrupted(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    # A real process starts a run and exits without finishing it, as kill -9 would leave it.
    code = (f"from auditor.store import Store; s = Store({str(db)!r}); "
            "s.begin_run('ustb', tool_version='t', checklist_version='q', catalogue_version='c')")
    subprocess.run([sys.executable, "-c", code], check=True)
    with Store(db) as store:
        assert store.runs()[0].state is RunState.RUNNING
        assert store.recover_dead_runs() == [1]
        assert store.run(1).state is RunState.INTERRUPTED


def test_prune_drops_old_evidence_and_keeps_findings(tmp_path: Path) -> None:
    with Store(tmp_path / "a.sqlite") as store:
        ids = []
        for text in ("第一晚", "第二晚", "第三晚"):
            run_id = _begin(store)
            store.add_pages(run_id, [Page(url="http://x/", role=PageRole.CATALOGUE, status=FetchStatus.OK,
                                          items=(1,), text=text)])
            store.save_findings(run_id, date(2018, 11, 30), [
                Finding(item=1, kind=RuleKind.PRESENCE, rule="presence.catalogue-reachable",
                        status=Verdict.PASS, message="栏目可以正常打开")])
            store.finish_run(run_id, RunState.COMPLETE)
            ids.append(run_id)
        assert store.prune("ustb", keep=1) == ids[:2]
        assert [len(store.pages(i)) for i in ids] == [0, 0, 1]
        assert all(store.findings(i) for i in ids)
        texts = {r[0] for r in store.db.execute("SELECT text FROM blobs")}
        assert texts == {"第三晚"}  # no orphaned text left behind


def test_a_page_whose_content_is_an_earlier_runs_is_stored_by_reference_and_survives_its_pruning(
        tmp_path: Path) -> None:
    """An unchanged night stores what it learned tonight, not the site again: a carried or 304 page's row
    refers to the run that read it, and so do its links, but for those whose answer changed. Pruning that
    run copies what the later run needs first: the kept run reads the same before and after."""
    article, kept, confirmed, gone = "http://x/info/1.htm", "http://x/a.pdf", "http://x/b.pdf", "http://x/c.pdf"
    with Store(tmp_path / "a.sqlite") as store:
        first = _begin(store)
        store.add_pages(first, [Page(url=article, role=PageRole.DETAIL, status=FetchStatus.OK, items=(7,),
                                     title="通知", text="正文" * 50, etag='"v1"', sha256="ab" * 32)])
        store.add_links(first, [Link(article, target, FetchStatus.OK, 200, text=f"附件{n}", via=LinkVia.ATTACHMENT)
                                for n, target in enumerate((kept, confirmed, gone))])
        store.finish_run(first, RunState.COMPLETE)

        second = _begin(store)
        read = store.page(first, article)
        assert read is not None
        store.add_pages(second, [replace(read, status=FetchStatus.NOT_MODIFIED, http_status=304, content_run=first)])
        store.add_links(second, [
            Link(article, kept, FetchStatus.OK, 200, text="附件0", via=LinkVia.ATTACHMENT),  # as then
            Link(article, confirmed, FetchStatus.NOT_MODIFIED, 304, text="附件1", via=LinkVia.ATTACHMENT),  # confirmed
            Link(article, gone, FetchStatus.HTTP_ERROR, 404, text="附件2", via=LinkVia.ATTACHMENT),  # gone tonight
        ])
        store.finish_run(second, RunState.COMPLETE)

        def evidence(run_id: int) -> tuple[object, ...]:
            page = store.page(run_id, article)
            assert page is not None
            links = sorted((k.to_url, k.status, k.http_status, k.text) for k in store.links(run_id, 7))
            return page.title, page.text, page.sha256, page.status, page.etag, page.items, links

        before = evidence(second)
        assert before[:3] == ("通知", "正文" * 50, "ab" * 32) and before[3] is FetchStatus.NOT_MODIFIED
        assert before[-1] == [(kept, FetchStatus.OK, 200, "附件0"), (confirmed, FetchStatus.OK, 200, "附件1"),
                              (gone, FetchStatus.HTTP_ERROR, 404, "附件2")]
        stored = store.db.execute("SELECT title, text_sha FROM pages WHERE run_id=?", (second,)).fetchone()
        assert stored == ("", None)  # the text is not stored twice
        assert store.db.execute("SELECT to_url FROM links WHERE run_id=?", (second,)).fetchall() == [(gone,)]

        assert store.prune("ustb", keep=1) == [first]
        assert evidence(second) == before
