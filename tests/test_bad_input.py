"""Bad input everywhere: broken catalogue files, unknown options, databases that are not ours, a full disk,
an output folder that cannot exist. Each must give a clear message and a documented exit status (2 for
usage and configuration), no Python traceback, and leave nothing half-done behind: no run stored for a
crawl that never started, no foreign file altered, no half-written report.

Everything runs the real `auditor` command in a subprocess, as cron and users do.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import GOOD_LIST, HostileServer, Ran, run_auditor, standard_routes, write_catalogue

from auditor.store import Store

EXIT_USAGE = 2


def auditor(tmp: Path, *args: str, timeout: float = 60) -> Ran:
    return run_auditor(list(args), timeout=timeout, cwd=tmp)


def assert_clean_usage_error(ran: Ran, *must_mention: str) -> None:
    assert ran.returncode == EXIT_USAGE, f"exit {ran.returncode}\nstdout:\n{ran.stdout}\nstderr:\n{ran.stderr}"
    assert "Traceback" not in ran.stderr and "Traceback" not in ran.stdout, ran.stderr
    message = ran.stderr + ran.stdout
    for word in must_mention:
        assert word in message, f"{word!r} not in:\n{message}"


def good_catalogue(path: Path, base: str = "http://127.0.0.1:9") -> dict[str, object]:
    write_catalogue(path, {n: f"{base}/column/{n}.htm" for n in range(1, 51)})
    return json.loads(path.read_text(encoding="utf-8"))


def no_run_stored(db: Path) -> bool:
    if not db.exists():
        return True
    with Store(db) as store:
        return not store.runs()


# -- catalogue files ----------------------------------------------------------------------------------


def _broken_catalogues(tmp: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, a word the message must contain)."""
    doc = good_catalogue(tmp / "good.yaml")
    cases: dict[str, tuple[Path, str]] = {}

    def write(name: str, text: str | bytes, word: str) -> None:
        p = tmp / f"{name}.yaml"
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        cases[name] = (p, word)

    write("yaml-syntax", "id: x\nitems: [1, 2\n  name: :\n", "yaml-syntax.yaml")
    write("empty", "", "empty.yaml")
    write("a-list", "- 1\n- 2\n", "a-list.yaml")
    write("binary", bytes(range(256)) * 8, "binary.yaml")
    missing = dict(doc, items={k: v for k, v in doc["items"].items() if k != "17"})  # type: ignore[attr-defined]
    write("missing-item", json.dumps(missing, ensure_ascii=False), "17")
    foreign = json.loads(json.dumps(doc))
    foreign["items"]["3"]["url"] = "http://evil.example.com/x"
    write("host-not-allowed", json.dumps(foreign, ensure_ascii=False), "evil.example.com")
    bad_policy = json.loads(json.dumps(doc))
    bad_policy["policy"]["timeout_seconds"] = "fast"
    write("policy-type", json.dumps(bad_policy, ensure_ascii=False), "timeout_seconds")
    negative = json.loads(json.dumps(doc))
    negative["policy"]["max_pages_total"] = -5
    write("policy-negative", json.dumps(negative, ensure_ascii=False), "max_pages_total")
    unknown = json.loads(json.dumps(doc))
    unknown["polcy"] = {}
    write("unknown-key", json.dumps(unknown, ensure_ascii=False), "polcy")
    bad_url = json.loads(json.dumps(doc))
    bad_url["items"]["5"]["url"] = "javascript:alert(1)"
    write("not-a-url", json.dumps(bad_url, ensure_ascii=False), "javascript:alert(1)")
    write("yaml-bomb", "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
          "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
          "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n",
          "yaml-bomb.yaml")
    cases["does-not-exist"] = (tmp / "nope.yaml", "nope")
    return cases


BROKEN = ["yaml-syntax", "empty", "a-list", "binary", "missing-item", "host-not-allowed", "policy-type",
          "policy-negative", "unknown-key", "not-a-url", "yaml-bomb", "does-not-exist"]


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_catalogue_is_refused_with_a_located_message_and_no_run(tmp_path: Path, name: str) -> None:
    path, word = _broken_catalogues(tmp_path)[name]
    db = tmp_path / "audit.sqlite"
    ran = auditor(tmp_path, "crawl", "--site", str(path), "--db", str(db), "--no-polite", timeout=30)
    assert_clean_usage_error(ran, word)
    assert no_run_stored(db), "a crawl that never started must not leave a run behind"


@pytest.mark.parametrize("name", ["yaml-syntax", "missing-item", "yaml-bomb"])
def test_checklist_validate_reports_the_same_mistakes(tmp_path: Path, name: str) -> None:
    path, word = _broken_catalogues(tmp_path)[name]
    ran = auditor(tmp_path, "checklist", "validate", str(path), timeout=30)
    assert_clean_usage_error(ran, word)


# -- command line -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "word"), [
    (["crawl", "--bogus"], "--bogus"),
    (["frobnicate"], "frobnicate"),
    (["evaluate", "--run", "seven"], "seven"),
    (["evaluate", "--as-of", "2018-13-45"], "2018-13-45"),
    (["crawl", "--site", "ustb", "--items", "six"], "six"),
    (["report"], "--out"),
    (["--config", "/nonexistent/xxgk.toml", "history"], "/nonexistent/xxgk.toml"),
])
def test_unknown_or_malformed_options_are_usage_errors(tmp_path: Path, args: list[str], word: str) -> None:
    db = tmp_path / "audit.sqlite"
    Store(db).close()
    if args[0] == "evaluate":
        args = [*args, "--db", str(db)]
    ran = auditor(tmp_path, *args, timeout=30)
    assert_clean_usage_error(ran, word)
    assert no_run_stored(db)


def test_a_bad_config_file_is_a_usage_error(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[store\npath = 3\n", encoding="utf-8")
    ran = auditor(tmp_path, "--config", str(cfg), "history", timeout=30)
    assert_clean_usage_error(ran, "bad.toml")


# -- databases that are not ours ------------------------------------------------------------------------


def _foreign_databases(tmp: Path) -> dict[str, Path]:
    text = tmp / "notes.sqlite"
    text.write_text("这不是数据库\n" * 100, encoding="utf-8")
    other = tmp / "firefox.sqlite"
    db = sqlite3.connect(other, isolation_level=None)
    db.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    db.execute("INSERT INTO moz_places (url) VALUES ('https://example.com')")
    db.close()
    newer = tmp / "newer.sqlite"
    Store(newer).close()
    db = sqlite3.connect(newer, isolation_level=None)
    db.execute("PRAGMA user_version=99")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    folder = tmp / "a-folder.sqlite"
    folder.mkdir()
    empty_binary = tmp / "zeros.sqlite"
    empty_binary.write_bytes(b"\0" * 4096)
    return {"text": text, "other-app": other, "newer-schema": newer, "folder": folder, "zeros": empty_binary}


def _fingerprint(path: Path) -> object:
    if path.is_dir():
        return sorted(p.name for p in path.iterdir())
    return path.read_bytes()


@pytest.mark.parametrize("kind", ["text", "other-app", "newer-schema", "folder", "zeros"])
@pytest.mark.parametrize("command", ["history", "evaluate", "crawl"])
def test_a_database_that_is_not_ours_is_refused_and_left_untouched(tmp_path: Path, kind: str, command: str) -> None:
    db = _foreign_databases(tmp_path)[kind]
    before = _fingerprint(db)
    args = [command, "--db", str(db)]
    if command == "crawl":
        cat = tmp_path / "cat.yaml"
        good_catalogue(cat)
        args += ["--site", str(cat), "--no-polite"]
    ran = auditor(tmp_path, *args, timeout=30)
    assert_clean_usage_error(ran, db.name)
    assert _fingerprint(db) == before, f"{db.name} was modified"
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


def test_an_unreadable_database_is_refused(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: file permissions do not stop root from reading")
    db = tmp_path / "audit.sqlite"
    Store(db).close()
    db.chmod(0)
    try:
        ran = auditor(tmp_path, "history", "--db", str(db), timeout=30)
    finally:
        db.chmod(0o600)
    assert_clean_usage_error(ran, db.name)


def test_evaluate_without_a_database_says_so_and_creates_none(tmp_path: Path) -> None:
    db = tmp_path / "missing.sqlite"
    ran = auditor(tmp_path, "evaluate", "--db", str(db), timeout=30)
    assert_clean_usage_error(ran, "missing.sqlite")
    assert not db.exists()


# -- output folders and a full disk ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, int]]:
    """A small real crawl of a healthy site, evaluated: (db, catalogue, run id)."""
    tmp = tmp_path_factory.mktemp("evaluated")
    with HostileServer() as site:
        standard_routes(site)
        # The id of a shipped catalogue: `auditor report` finds a run's catalogue by id only (see
        # test_report_works_for_a_catalogue_given_as_a_file).
        cat = write_catalogue(tmp / "healthy.yaml", {n: site.url(GOOD_LIST) for n in range(1, 51)}, site_id="ustb")
        db = tmp / "audit.sqlite"
        ran = run_auditor(["crawl", "--site", str(cat), "--db", str(db), "--no-polite"], timeout=60, cwd=tmp)
        assert ran.returncode == 0, ran.stderr[-2000:]
    with Store(db) as store:
        run_id = store.runs()[-1].id
    ran = run_auditor(["evaluate", "--run", str(run_id), "--as-of", "2018-11-30", "--db", str(db), "--site", str(cat)],
                      timeout=60, cwd=tmp)
    assert ran.returncode in (0, 1), ran.stderr[-2000:]
    yield db, cat, run_id


def test_report_works_for_a_catalogue_given_as_a_file(tmp_path: Path) -> None:
    """A university's own catalogue lives in a file (`--site my.yaml`); crawl and evaluate take it, and
    report, history, diff and annual must too, not only shipped ids."""
    with HostileServer() as site:
        standard_routes(site)
        cat = write_catalogue(tmp_path / "mine.yaml", {n: site.url(GOOD_LIST) for n in range(1, 51)},
                              site_id="mine")
        db = tmp_path / "audit.sqlite"
        ran = auditor(tmp_path, "crawl", "--site", str(cat), "--db", str(db), "--no-polite")
        assert ran.returncode == 0, ran.stderr[-2000:]
    ran = auditor(tmp_path, "evaluate", "--as-of", "2018-11-30", "--db", str(db), "--site", str(cat))
    assert ran.returncode in (0, 1), ran.stderr[-2000:]
    ran = auditor(tmp_path, "report", "--db", str(db), "--site", str(cat), "--out", str(tmp_path / "out"))
    assert ran.returncode == 0, f"exit {ran.returncode}: {ran.stderr[-2000:]}"
    assert (tmp_path / "out" / "index.html").is_file()


def test_a_missing_output_folder_is_created(tmp_path: Path, evaluated: tuple[Path, Path, int]) -> None:
    db, _cat, run_id = evaluated
    out = tmp_path / "not" / "there" / "yet"
    ran = auditor(tmp_path, "report", "--run", str(run_id), "--db", str(db), "--out", str(out))
    assert ran.returncode == 0, ran.stderr
    assert (out / "findings.json").is_file() and (out / "index.html").is_file()


@pytest.mark.parametrize("command", ["report", "evaluate"])
def test_an_output_folder_that_cannot_exist_is_a_clean_error(tmp_path: Path, evaluated: tuple[Path, Path, int],
                                                             command: str) -> None:
    db, cat, run_id = evaluated
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    args = [command, "--run", str(run_id), "--db", str(db), "--out", str(blocker / "out")]
    if command == "evaluate":
        args += ["--as-of", "2018-11-30", "--site", str(cat)]
    ran = auditor(tmp_path, *args)
    assert_clean_usage_error(ran, "a-file")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


@pytest.fixture()
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs (a report set is ~600 KB), mounted for this test only (needs root and mount; skipped otherwise)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs for the full-disk case")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True, check=False)


def _fill(mnt: Path, leave: int) -> None:
    """Fill the small disk until about `leave` bytes are free."""
    free = os.statvfs(mnt).f_bavail * os.statvfs(mnt).f_frsize
    (mnt / "ballast").write_bytes(b"\0" * max(0, free - leave))


# 0: nothing fits; 300 KB: findings.json (~200 KB) fits and the disk fills while writing the HTML.
@pytest.mark.parametrize("leave", [0, 300 * 1024])
def test_a_full_disk_while_writing_reports_is_a_clean_error_leaving_no_half_report(
    full_disk: Path, evaluated: tuple[Path, Path, int], leave: int
) -> None:
    db, _cat, run_id = evaluated
    _fill(full_disk, leave)
    out = full_disk / "reports"
    ran = auditor(full_disk.parent, "report", "--run", str(run_id), "--db", str(db), "--out", str(out))
    assert ran.returncode != 0, "the reports cannot all have been written"
    assert "Traceback" not in ran.stderr, ran.stderr[-3000:]
    assert "space" in (ran.stderr + ran.stdout).lower() or "磁盘" in ran.stderr + ran.stdout, ran.stderr
    written = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    half = [p.name for p in written if p.suffix in (".html", ".json", ".tmp", ".xlsx") and not _complete(p)]
    assert not half, f"half-written files left behind: {half}"


def test_a_full_disk_while_writing_findings_is_a_clean_error(full_disk: Path,
                                                             evaluated: tuple[Path, Path, int]) -> None:
    db, cat, run_id = evaluated
    _fill(full_disk, 0)
    out = full_disk / "findings"
    ran = auditor(full_disk.parent, "evaluate", "--run", str(run_id), "--as-of", "2018-11-30", "--db", str(db),
                  "--site", str(cat), "--out", str(out))
    assert ran.returncode != 0
    assert "Traceback" not in ran.stderr, ran.stderr[-3000:]
    assert not [p.name for p in out.glob("*")] if out.exists() else True


def _complete(path: Path) -> bool:
    data = path.read_bytes()
    if path.suffix == ".json":
        try:
            json.loads(data)
        except ValueError:
            return False
        return True
    if path.suffix == ".html":
        return data.rstrip().lower().endswith(b"</html>")
    if path.suffix == ".xlsx":
        try:
            with zipfile.ZipFile(path) as zf:
                return zf.testzip() is None
        except (zipfile.BadZipFile, OSError):
            return False
    return False  # a .tmp file is always a leftover
