"""What reaches the operator's terminal and the sites' logs is plain: crawled text with control characters
made visible (never raw escape sequences), and an ASCII User-Agent naming the operator's contact."""

from __future__ import annotations

from pathlib import Path

from hostile import Handler, HostileServer, article_page, list_page, run_auditor, write_catalogue

from auditor import __version__

#: Sets the terminal's window title, starts a hyperlink and turns the text red, if sent raw.
ESCAPES = "\x1b]0;pwned\x07\x1b]8;;http://evil.example\x07\x1b[31m"


def test_escape_sequences_in_a_crawled_title_are_shown_not_sent(tmp_path: Path) -> None:
    agents: list[str] = []

    def column(h: Handler) -> None:
        agents.append(h.headers.get("User-Agent") or "")
        h.send(200, list_page("栏目", [("/a1.htm", f"2016年部门预算{ESCAPES}", "2016-04-01")]).encode())

    with HostileServer() as site:
        site.route("/col/list.htm", column)
        site.route("/a1.htm", lambda h: h.send(200, article_page("预算", "2016-04-01").encode()))
        catalogue = write_catalogue(tmp_path / "site.yaml", {n: site.url("/col/list.htm") for n in range(1, 51)})
        ran = run_auditor(["run", "--site", str(catalogue), "--db", str(tmp_path / "a.sqlite"), "--out",
                           str(tmp_path / "out"), "--as-of", "2018-11-30", "--no-polite"], timeout=180,
                          env={"XXGK_CRAWL_CONTACT": "webmaster@example.edu.cn\r\nX-Injected: 1"})
    assert ran.returncode in (0, 1), ran.stderr[-2000:]
    assert "\x1b" not in ran.stdout and "\x07" not in ran.stdout and "\x1b" not in ran.stderr
    assert "\\x1b]0;pwned" in ran.stdout  # the title is still there, made visible
    assert agents, "the column was never requested"
    assert set(agents) == {f"xxgk-auditor/{__version__} (+webmaster@example.edu.cnX-Injected: 1)"}
    assert all(agent.isascii() for agent in agents)
