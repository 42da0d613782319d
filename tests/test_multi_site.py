"""Several universities in one night, one process: `auditor run --site A --site B ...`.

Two disclosure sites on their own loopback servers are crawled at the same time, each recorded as its own run
with its own findings and reports in OUT/<site id>/; a site whose server refuses every connection is
inconclusive, and a catalogue that does not load is reported with its file and line while the others still
run. The exit status is the worst site's, and the closing summary lists every site.
"""

from __future__ import annotations

import json
import sqlite3
from itertools import pairwise
from pathlib import Path

from hostile import HostileServer, article_page, closed_port, list_page, run_auditor, write_catalogue

AS_OF = "2018-11-30"


def _serve_university(site: HostileServer, *, missing_column: int | None = None) -> dict[int, str]:
    """A column per item, each listing three recent articles; `missing_column` answers 404."""
    urls: dict[int, str] = {}
    for n in range(1, 51):
        path = f"/col{n}/list.htm"
        entries = [(f"/info{n}/{k}.htm", f"2018年第{n}项公告{k}", f"2018-11-{20 - k:02d}") for k in range(3)]
        if n == missing_column:
            site.route(path, lambda h: h.send(404, b"<html><body>not found</body></html>"))
        else:
            body = list_page(f"栏目{n}", entries).encode()
            site.route(path, lambda h, body=body: h.send(200, body, {"Content-Type": "text/html; charset=utf-8"}))
        for href, title, day in entries:
            page = article_page(title, day).encode()
            site.route(href, lambda h, page=page: h.send(200, page, {"Content-Type": "text/html; charset=utf-8"}))
        urls[n] = site.url(path)
    site.route("/robots.txt", lambda h: h.send(200, b"User-agent: *\nAllow: /\n"))
    return urls


def _request_times(site: HostileServer) -> list[float]:
    return [t for path in {p.split("?")[0] for _, p in site.requested()} for t in site.times(path)]


def test_one_night_audits_several_sites_each_on_its_own_and_exits_with_the_worst(tmp_path: Path) -> None:
    with HostileServer() as a, HostileServer() as b:
        cat_a = write_catalogue(tmp_path / "a.yaml", _serve_university(a), site_id="uni-a",
                                allowed_hosts=(f"127.0.0.1:{a.port}",))
        cat_b = write_catalogue(tmp_path / "b.yaml", _serve_university(b, missing_column=1), site_id="uni-b",
                                allowed_hosts=(f"127.0.0.1:{b.port}",))
        dead = closed_port()
        cat_dead = write_catalogue(tmp_path / "dead.yaml", dict.fromkeys(range(1, 51), f"http://127.0.0.1:{dead}/"),
                                   site_id="uni-dead", allowed_hosts=(f"127.0.0.1:{dead}",))
        broken = tmp_path / "broken.yaml"
        lines = cat_a.read_text(encoding="utf-8").replace('"uni-a"', '"uni-broken"').splitlines()
        policy_line = next(i for i, line in enumerate(lines) if '"timeout_seconds"' in line)
        lines[policy_line] = '  "timeout_seconds": "soon",'
        broken.write_text("\n".join(lines) + "\n", encoding="utf-8")

        out, db = tmp_path / "out", tmp_path / "night.sqlite"
        ran = run_auditor(["run", "--site", str(cat_a), "--site", str(broken), "--site", str(cat_b),
                           "--site", str(cat_dead), "--db", str(db), "--out", str(out), "--as-of", AS_OF,
                           "--no-polite"], timeout=240)
        a_times, b_times = _request_times(a), _request_times(b)

    shown = ran.stdout + ran.stderr
    # the broken catalogue is reported with its file and line; the three others were still audited
    assert f"{broken}:{policy_line + 1}" in shown, shown
    assert "timeout_seconds" in shown, shown
    # exit status: the worst site's (the dead site: inconclusive), not the first's nor the last's
    assert ran.returncode == 3, shown

    # both sites were crawled at once: each site's requests began before the other's ended
    assert min(a_times) < max(b_times) and min(b_times) < max(a_times), (a_times, b_times)

    # one run per site, each with its own findings and reports in OUT/<site id>/
    runs = dict(sqlite3.connect(db).execute("SELECT site, state FROM runs").fetchall())
    assert runs == {"uni-a": "complete", "uni-b": "complete", "uni-dead": "inconclusive"}, runs
    found = {}
    for site_id in ("uni-a", "uni-b", "uni-dead"):
        findings = json.loads((out / site_id / "findings.json").read_text(encoding="utf-8"))
        assert findings["site"] == site_id
        assert (out / site_id / "index.html").is_file()
        found[site_id] = findings
    assert len({f["run_id"] for f in found.values()}) == 3
    item1 = {sid: next(i for i in f["items"] if i["item"] == 1) for sid, f in found.items()}
    reachable = {sid: next(f["status"] for f in it["findings"] if f["rule"] == "presence.catalogue-reachable")
                 for sid, it in item1.items() if sid != "uni-dead"}
    assert reachable == {"uni-a": "pass", "uni-b": "fail"}, reachable  # B's missing column is B's alone
    assert found["uni-dead"]["state"] == "inconclusive"
    assert not (out / "uni-broken").exists()

    # the closing summary lists every site, with what its exit status means
    summary = ran.stdout[ran.stdout.index("本次共检查 4 个站点"):]
    for site_id in ("uni-a", "uni-b", "uni-dead"):
        assert f"敌意测试大学（{site_id}）" in summary, summary
    assert broken.name in summary, summary
    for meaning in ("有事项不合格", "无法判定", "配置或目录有误"):
        assert meaning in summary, summary


def _one_column_site(site: HostileServer) -> dict[int, str]:
    """Every item points at one column of six articles: a whole audit in a handful of requests."""
    entries = [(f"/info/{k}.htm", f"2018年公告{k}", f"2018-11-{20 - k:02d}") for k in range(6)]
    body = list_page("栏目", entries).encode()
    site.route("/col/list.htm", lambda h: h.send(200, body, {"Content-Type": "text/html; charset=utf-8"}))
    for href, title, day in entries:
        page = article_page(title, day).encode()
        site.route(href, lambda h, page=page: h.send(200, page, {"Content-Type": "text/html; charset=utf-8"}))
    site.route("/robots.txt", lambda h: h.send(200, b"User-agent: *\nAllow: /\n"))
    return dict.fromkeys(range(1, 51), site.url("/col/list.htm"))


def test_each_site_keeps_its_own_catalogues_pace_in_the_shared_process(tmp_path: Path) -> None:
    """Politeness is per site: the slow site's delay does not slow the other, nor the other's speed it."""
    with HostileServer() as slow, HostileServer() as fast:
        cat_slow = write_catalogue(tmp_path / "slow.yaml", _one_column_site(slow), site_id="slow",
                                   allowed_hosts=(f"127.0.0.1:{slow.port}",),
                                   policy={"delay_seconds": 0.5, "concurrency_per_host": 1})
        cat_fast = write_catalogue(tmp_path / "fast.yaml", _one_column_site(fast), site_id="fast",
                                   allowed_hosts=(f"127.0.0.1:{fast.port}",),
                                   policy={"delay_seconds": 0, "concurrency_per_host": 8})
        ran = run_auditor(["run", "--site", str(cat_slow), "--site", str(cat_fast), "--db", str(tmp_path / "p.sqlite"),
                           "--out", str(tmp_path / "out"), "--as-of", AS_OF], timeout=240)
        slow_times, fast_times = sorted(_request_times(slow)), sorted(_request_times(fast))
    assert ran.returncode in (0, 1), ran.stdout + ran.stderr
    assert len(slow_times) >= 7 and len(fast_times) >= 7, (slow_times, fast_times)

    def median_gap(times: list[float]) -> float:
        gaps = sorted(b - a for a, b in pairwise(times))
        return gaps[len(gaps) // 2]

    # the slow site's requests are spaced by its delay; the fast one's, in the same process, are not
    assert median_gap(slow_times) > 10 * median_gap(fast_times), (slow_times, fast_times)
    # and the fast site was not held until the slow one had finished
    assert fast_times[-1] < slow_times[-1], (slow_times, fast_times)
