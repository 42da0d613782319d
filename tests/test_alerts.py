"""Operator alerts end to end: real `auditor run` processes, night after night, against a site that refuses
every connection and then the sample site, with the alert delivered to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from auditor.models import RunState
from auditor.store import Store
from samplesite.server import SampleSiteServer
from tests.test_mail import Inbox, _free_port


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def run(tmp: Path, as_of: str, proxy: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XXGK_CONFIG": str(tmp / "xxgk.toml"), "COLUMNS": "160"}
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "auditor", "run", "--site", "ustb", "--as-of", as_of, "--out", str(tmp / "out"),
         "--db", str(tmp / "a.sqlite"), "--proxy", proxy, "--no-polite", *extra],
        capture_output=True, text=True, env=env, cwd=tmp, timeout=300, check=False)


def test_the_operator_hears_once_when_the_audit_is_blind_and_once_when_it_recovers(
        tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    (tmp_path / "xxgk.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nsender = "auditor@ustb.edu.cn"\n'
        '[alerts]\noperator = "ops@ustb.edu.cn"\nafter_nights = 2\n', encoding="utf-8")
    dead = f"http://127.0.0.1:{_free_port()}"  # nothing listens: every request is refused
    first = run(tmp_path, "2018-11-27", dead)
    assert first.returncode == 3, first.stdout + first.stderr
    with Store(tmp_path / "a.sqlite") as store:  # a night the site cannot be reached blames nobody
        blind = store.runs("ustb")[-1]
        assert blind.state is RunState.INCONCLUSIVE
        assert all(f.status.value != "fail" for f in store.findings(blind.id))
    assert handler.messages == []  # one blind night is not yet news
    assert run(tmp_path, "2018-11-28", dead).returncode == 3
    assert len(handler.messages) == 1
    to, msg = handler.messages[0]
    assert to == ["ops@ustb.edu.cn"]
    assert "已连续2晚无法完成检查" in str(msg["Subject"])
    body = msg.get_content()
    assert "2018-11-27" in body and "2018-11-28" in body and "拒绝连接" in body and "网站整体无法访问" in body
    assert run(tmp_path, "2018-11-29", dead).returncode == 3
    assert len(handler.messages) == 1  # the third blind night sends nothing more
    with SampleSiteServer() as site:
        back = run(tmp_path, "2018-11-30", site.proxy_url, "--items", "1,2,4")
    assert back.returncode == 0, back.stdout + back.stderr
    assert len(handler.messages) == 2
    assert "检查已恢复" in str(handler.messages[1][1]["Subject"])
    assert "2018-11-29" in handler.messages[1][1].get_content()
