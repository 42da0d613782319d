"""E-mail each department its scorecard after a run.

A notification action in the Spidermon sense: it reads the judged result and the rendered scorecards and
knows nothing of the rules. SMTP host, port, security and sender come from a settings value (a config
file may hold them); the user name and password come ONLY from the environment (`XXGK_SMTP_USER`,
`XXGK_SMTP_PASSWORD`), so no secret is ever written to a catalogue or settings file.
"""

from __future__ import annotations

import enum
import mimetypes
import smtplib
import ssl
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from markupsafe import escape

from auditor.models import Verdict
from auditor.results import AuditResult, DepartmentResult
from reports.common import carried_note, fmt_score, safe_filename, unscored_note


class Security(enum.StrEnum):
    NONE = "none"  # plain SMTP: only for a relay on localhost
    STARTTLS = "starttls"
    SSL = "ssl"  # implicit TLS, usually port 465


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    security: Security = Security.STARTTLS
    sender: str = "xxgk-auditor@localhost"
    sender_name: str = "信息公开检查"
    timeout: float = 30.0
    #: Send the SMTP password over a connection without TLS: only for a relay on this machine, and only
    #: when the operator says so (config `smtp.allow_plain_auth`); otherwise such a login is refused.
    allow_plain_auth: bool = False
    #: From the loaded configuration, which takes them from the environment only (never from a file).
    user: str = field(default="", repr=False)
    password: str = field(default="", repr=False)


@dataclass(frozen=True)
class Sent:
    department: str
    to: str
    subject: str
    attachments: tuple[str, ...]


@dataclass(frozen=True)
class Failed:
    department: str
    to: str
    error: str


@dataclass(frozen=True)
class MailReport:
    sent: tuple[Sent, ...]
    skipped: tuple[str, ...]  # departments without a contact: reported, not an error
    failed: tuple[Failed, ...]


def _one_line(text: str) -> str:
    """A header value: line breaks and other control characters would start a header of their own."""
    return "".join(" " if unicodedata.category(c)[0] == "C" or c in "\u2028\u2029" else c for c in text)


def subject(result: AuditResult, dep: DepartmentResult) -> str:
    """`【信息公开检查】财务处 2018-11-30 得分 72.5（2项不合格）`."""
    head = f"【信息公开检查】{_one_line(dep.name)} {result.as_of.isoformat()}"
    if not result.scored:
        return f"{head} 本次检查未完成（{result.run.state.label}），不计分"
    fails, warns = dep.counts.get(Verdict.FAIL, 0), dep.counts.get(Verdict.WARN, 0)
    if fails:
        tail = f"{fails}项不合格" + (f"，{warns}项警告" if warns else "")
    elif warns:
        tail = f"{warns}项警告"
    else:
        tail = "全部合格"
    if dep.vetoed:
        tail = f"单项否决，{tail}"
    return f"{head} 得分 {fmt_score(dep.score)}（{tail}）"


def _summary(result: AuditResult, dep: DepartmentResult) -> tuple[str, str]:
    """Plain-text and HTML bodies: the problems to fix, then where the full scorecard is."""
    mine = [it for it in result.items if it.item in dep.items]
    problems = [it for it in mine if it.status.is_problem]
    lines = [f"{dep.name}：", "",
             f"{result.site_name}信息公开网第 {result.run.id} 次检查（检查基准日 {result.as_of.isoformat()}）结果如下。"]
    if result.scored:
        grade = f"，评定为{dep.grade}（第{'、'.join(map(str, dep.veto_items))}项）" if dep.vetoed else ""
        lines.append(f"得分 {fmt_score(dep.score)}{grade}。{result.score_formula}")
    else:
        lines.append(unscored_note(result.run))
    lines.append("")
    if problems:
        lines.append("需要处理的事项：")
        for it in problems:
            message = next((f.message for f in it.findings if f.status is it.status), "")
            carried = f"（{carried_note(it)}）" if it.carried_from_run else ""
            lines.append(f"  ({it.item}) {it.short_name} — {it.status.label}：{message}{carried}  {it.url}")
    else:
        lines.append("本部门负责的事项本次均无问题。")
    lines += ["", "完整成绩单（含证据、首次发现日期和整改期限）见附件。"]
    if problems:
        lines.append("附件 Excel 文件的第一张工作表是本部门的整改台账：请在黄底各列填写整改措施、责任人、计划完成时间，"
                     "并从下拉列表选择完成情况（已完成的将安排复核），问题编号请勿修改，填好后交回。")
    lines += ["", "—— xxgk-auditor 自动发送"]
    text = "\n".join(lines)
    html = "<html><body>" + "".join(
        f"<p>{escape(line)}</p>" if line else "" for line in lines
    ) + "</body></html>"
    return text, html


def files_for(result: AuditResult, paths: Sequence[Path]) -> dict[str, list[Path]]:
    """Match scorecard files to departments by the stem `render_scorecards` gives them."""
    by_stem: dict[str, list[Path]] = {}
    for p in paths:
        by_stem.setdefault(p.stem, []).append(p)
    return {
        dep.name: sorted(by_stem.get(safe_filename(i, dep.name), []), key=lambda p: p.suffix)
        for i, dep in enumerate(result.departments, start=1)
    }


def build_message(result: AuditResult, dep: DepartmentResult, to: str, attachments: Sequence[Path],
                  smtp: SmtpSettings) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject(result, dep)
    msg["From"] = formataddr((smtp.sender_name, smtp.sender))
    msg["To"] = to
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or "localhost")
    text, html = _summary(result, dep)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    for path in attachments:
        ctype, _ = mimetypes.guess_type(path.name)
        maintype, subtype = (ctype or "application/octet-stream").split("/", 1)
        # The department name is in the file name; the email package encodes it (RFC 2231).
        params = {"charset": "utf-8"} if maintype == "text" else None  # our pages are UTF-8; say so
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name,
                           params=params)
    return msg


class PlainAuthRefused(smtplib.SMTPException):
    """A password would cross the network unencrypted: refused unless explicitly allowed."""


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    user, password = smtp.user, smtp.password
    if user and smtp.security is Security.NONE and not smtp.allow_plain_auth:
        raise PlainAuthRefused("SMTP 登录需要加密连接：security = \"none\" 会明文发送密码；请改用 starttls 或 ssl，"
                               "或仅对本机中继设置 smtp.allow_plain_auth = true")
    if smtp.security is Security.SSL:
        client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        if smtp.security is Security.STARTTLS:
            client.starttls(context=ssl.create_default_context())
    if user:
        client.login(user, password)
    return client


def send_scorecards(result: AuditResult, scorecard_paths: Sequence[Path], smtp: SmtpSettings,
                    contacts: Mapping[str, str] | None = None) -> MailReport:
    """Send each department with a contact its scorecard over one SMTP session.

    `contacts` maps department to address; departments missing there fall back to the catalogue's
    contact in the result. A refused recipient is recorded and the others still get their mail."""
    files = files_for(result, scorecard_paths)
    plan: list[tuple[DepartmentResult, str]] = []
    skipped: list[str] = []
    for dep in result.departments:
        to = ((contacts or {}).get(dep.name) or dep.contact).strip()
        if to:
            plan.append((dep, to))
        else:
            skipped.append(dep.name)
    sent: list[Sent] = []
    failed: list[Failed] = []
    client: smtplib.SMTP | None = None
    try:
        for dep, to in plan:
            # Each department on its own: a bad record or a dropped connection costs that one e-mail only.
            try:
                msg = build_message(result, dep, to, files.get(dep.name, []), smtp)
                if client is None:
                    client = _connect(smtp)
                client.send_message(msg)
            except (smtplib.SMTPException, OSError, ValueError, UnicodeError) as exc:
                failed.append(Failed(dep.name, to, f"{type(exc).__name__}: {exc}"[:500]))
                if isinstance(exc, smtplib.SMTPServerDisconnected | OSError | PlainAuthRefused):
                    _closed(client)
                    client = None
                continue
            sent.append(Sent(dep.name, to, str(msg["Subject"]), tuple(p.name for p in files.get(dep.name, []))))
    finally:
        _closed(client)
    return MailReport(tuple(sent), tuple(skipped), tuple(failed))


def _closed(client: smtplib.SMTP | None) -> None:
    """Leave a session (a broken one quietly): the next department opens a fresh one."""
    if client is not None:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


#: The one way to open an SMTP session (security, credentials from the environment), shared with the
#: operator alerts (reports/alerts.py).
connect = _connect
