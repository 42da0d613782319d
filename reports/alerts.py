"""The operator's alert e-mail: one plain-text message per alert (`auditor.alerts` decides when)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from auditor.alerts import Alert
from reports.mail import SmtpSettings, connect


def alert_message(alert: Alert, to: str, smtp: SmtpSettings) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = alert.subject
    msg["From"] = formataddr((smtp.sender_name, smtp.sender))
    msg["To"] = to
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or "localhost")
    msg.set_content(alert.body)
    return msg


def send_alert(alert: Alert, to: str, smtp: SmtpSettings) -> None:
    """Send one alert; SMTP errors propagate (the caller reports them and the audit's exit status stands)."""
    with connect(smtp) as client:
        client.send_message(alert_message(alert, to, smtp))
