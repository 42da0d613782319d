"""Scorecards mailed through a real local SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from auditor.config import load_config
from auditor.models import Verdict
from auditor.results import AuditResult
from reports.html import render_scorecards
from reports.mail import Security, SmtpSettings, send_scorecards
from reports.samples import make_result


@dataclass
class Inbox:
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


@dataclass
class Authenticator:
    seen: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        creds = (auth_data.login.decode(), auth_data.password.decode())
        self.seen.append(creds)
        return AuthResult(success=creds == ("robot", "s3cret"))


def _free_port() -> int:
    # Controller.start() checks the server by connecting to it, so it needs a real port up front.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(controller: Controller) -> Iterator[Controller]:
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture()
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    port = _free_port()
    for _ in _start(Controller(box, hostname="127.0.0.1", port=port)):
        yield box, port


@pytest.fixture()
def scorecards(tmp_path: Path) -> tuple[AuditResult, list[Path]]:
    result = make_result(7, date(2018, 11, 30), {19: Verdict.FAIL, 20: Verdict.WARN, 21: Verdict.FAIL},
                         contacts={"工会": "gonghui@example.edu.cn"})
    return result, render_scorecards(result, [], tmp_path)


def test_each_department_with_a_contact_gets_its_scorecard(
        inbox: tuple[Inbox, int], scorecards: tuple[AuditResult, list[Path]], monkeypatch: pytest.MonkeyPatch) -> None:
    box, port = inbox
    result, paths = scorecards
    settings = SmtpSettings(host="127.0.0.1", port=port, security=Security.NONE, sender="xxgk@example.edu.cn")
    report = send_scorecards(result, paths, settings,
                             {"财务处": "caiwu@example.edu.cn", "研究生院": "yjs@example.edu.cn"})
    assert {s.department for s in report.sent} == {"财务处", "研究生院", "工会"}  # 工会 from the catalogue
    assert "资产管理处" in report.skipped and "财务处" not in report.skipped and report.failed == ()
    assert len(report.skipped) == len(result.departments) - 3

    by_rcpt = {rcpts[0]: msg for rcpts, msg in box.messages}
    assert set(by_rcpt) == {"caiwu@example.edu.cn", "yjs@example.edu.cn", "gonghui@example.edu.cn"}
    finance = by_rcpt["caiwu@example.edu.cn"]
    assert finance["Subject"] == "【信息公开检查】财务处 2018-11-30 得分 40.0（2项不合格，1项警告）"
    assert by_rcpt["yjs@example.edu.cn"]["Subject"] == "【信息公开检查】研究生院 2018-11-30 得分 100.0（全部合格）"
    body = finance.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "(19) 部门预算 — 不合格" in text and "(15)" not in text
    attached = {part.get_filename(): part.get_content() for part in finance.iter_attachments()}
    assert set(attached) == {"06-财务处.html", "06-财务处.xlsx"}
    assert attached["06-财务处.xlsx"] == (paths[0].parent / "06-财务处.xlsx").read_bytes()
    assert attached["06-财务处.html"] == (paths[0].parent / "06-财务处.html").read_text(encoding="utf-8")


# A plain-text AUTH server is what a test on 127.0.0.1 needs; aiosmtpd warns about it, rightly, elsewhere.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_credentials_come_from_the_loaded_configuration_which_takes_them_only_from_the_environment(
        scorecards: tuple[AuditResult, list[Path]], tmp_path: Path) -> None:
    box, auth = Inbox(), Authenticator()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=auth,
                            auth_required=True, auth_require_tls=False)
    result, paths = scorecards
    for _ in _start(controller):
        def settings(environ: dict[str, str]) -> SmtpSettings:
            (tmp_path / "empty.toml").write_text("", encoding="utf-8")
            smtp = load_config(tmp_path / "empty.toml", environ=environ).smtp
            return SmtpSettings(host="127.0.0.1", port=port, security=Security.NONE, allow_plain_auth=True,
                                user=smtp.user, password=smtp.password)

        refused = send_scorecards(result, paths, settings({}), {"财务处": "caiwu@example.edu.cn"})
        assert refused.sent == () and {f.department for f in refused.failed} == {"财务处", "工会"}

        ok = send_scorecards(result, paths, settings({"XXGK_SMTP_USER": "robot", "XXGK_SMTP_PASSWORD": "s3cret"}),
                             {"财务处": "caiwu@example.edu.cn"})
        assert {s.department for s in ok.sent} == {"财务处", "工会"} and ok.failed == ()
    assert auth.seen == [("robot", "s3cret")]  # one login for the whole batch
    assert len(box.messages) == 2


def test_unscored_run_says_so_in_the_subject(inbox: tuple[Inbox, int], tmp_path: Path) -> None:
    from auditor.models import RunState

    box, port = inbox
    result = make_result(8, date(2018, 12, 7), state=RunState.INTERRUPTED)
    paths = render_scorecards(result, [], tmp_path)
    send_scorecards(result, paths, SmtpSettings("127.0.0.1", port, Security.NONE), {"财务处": "c@example.edu.cn"})
    (_, msg), = box.messages
    assert msg["Subject"] == "【信息公开检查】财务处 2018-12-07 本次检查未完成（中断），不计分"


def test_auditor_run_email_sends_each_contact_its_scorecard(inbox: tuple[Inbox, int], tmp_path: Path) -> None:
    """The nightly command end to end: a catalogue file with contacts, SMTP from the config file."""
    import os
    import subprocess
    import sys

    from checklist.loader import load_site
    from samplesite.server import SampleSiteServer

    box, port = inbox
    ustb = Path(load_site("ustb").source_path).read_text(encoding="utf-8")
    catalogue = tmp_path / "ustb-contacts.yaml"
    catalogue.write_text(
        ustb.replace('{name: 财务处, contact: ""}', '{name: 财务处, contact: "cwc@ustb.example"}')
        .replace('{name: 研究生院, contact: ""}', '{name: 研究生院, contact: "yjsy@ustb.example"}'),
        encoding="utf-8",
    )
    config = tmp_path / "xxgk.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nsender = "audit@ustb.example"\n',
                      encoding="utf-8")
    with SampleSiteServer() as site:
        proc = subprocess.run(
            [sys.executable, "-m", "auditor", "--config", str(config), "run", "--site", str(catalogue),
             "--as-of", "2018-11-30", "--out", str(tmp_path / "out"), "--db", str(tmp_path / "a.sqlite"),
             "--proxy", site.proxy_url, "--no-polite", "--items", "12,19-21", "--email"],
            capture_output=True, text=True, timeout=240, check=False,
            env={**os.environ, "COLUMNS": "160", "XXGK_CONFIG": ""},
        )
    assert proc.returncode == 1, proc.stderr
    got = {tuple(rcpt): msg for rcpt, msg in box.messages}
    assert set(got) == {("cwc@ustb.example",), ("yjsy@ustb.example",)}
    finance = got[("cwc@ustb.example",)]
    assert "财务处" in str(finance["Subject"]) and "不合格" in str(finance["Subject"])
    names = [part.get_filename() for part in finance.iter_attachments()]
    assert any(n and n.endswith(".xlsx") for n in names) and any(n and n.endswith(".html") for n in names)
    assert "已发送 sent 2" in proc.stdout


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_a_password_is_never_sent_without_tls_unless_explicitly_allowed(
        scorecards: tuple[AuditResult, list[Path]], monkeypatch: pytest.MonkeyPatch) -> None:
    box, auth = Inbox(), Authenticator()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=auth,
                            auth_required=True, auth_require_tls=False)
    result, paths = scorecards
    for _ in _start(controller):
        report = send_scorecards(result, paths, SmtpSettings(host="127.0.0.1", port=port, security=Security.NONE,
                                                             user="robot", password="s3cret"),
                                 {"财务处": "caiwu@example.edu.cn"})
    assert report.sent == () and {f.department for f in report.failed} == {"财务处", "工会"}
    assert all("allow_plain_auth" in f.error for f in report.failed)
    assert auth.seen == [] and box.messages == []  # the password never left


def test_one_bad_department_name_does_not_stop_the_others(inbox: tuple[Inbox, int], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A name with CR/LF (from an older catalogue, before validate refused it) costs nobody their e-mail."""
    box, port = inbox
    result = make_result(7, date(2018, 11, 30), {19: Verdict.FAIL},
                         contacts={"工会": "gonghui@example.edu.cn"})
    bad = result.departments[0]
    result = dataclasses.replace(result, departments=(
        dataclasses.replace(bad, name="财务处\r\nBcc: all@example.edu.cn"), *result.departments[1:]))
    paths = render_scorecards(result, [], tmp_path)
    contacts = {d.name: f"d{i}@example.edu.cn" for i, d in enumerate(result.departments)}
    contacts[result.departments[1].name] = "bad\r\naddress"
    report = send_scorecards(result, paths, SmtpSettings(host="127.0.0.1", port=port, security=Security.NONE),
                             contacts)
    assert [f.department for f in report.failed] == [result.departments[1].name]
    assert len(report.sent) == len(result.departments) - 1 == len(box.messages)
    subjects = [msg["Subject"] for _, msg in box.messages]
    assert any("财务处  Bcc" in s for s in subjects) and not any("\n" in s for s in subjects)
    assert all(rcpts != ["all@example.edu.cn"] for rcpts, _ in box.messages)
