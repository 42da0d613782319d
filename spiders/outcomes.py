"""Turn what the network said into our one vocabulary, `FetchStatus`.

The distinction matters downstream: a 404 is the department's fault, a timeout or a WAF challenge is the
site's or the network's, and the rules must never blame a department for the latter.
"""

from __future__ import annotations

import re

from OpenSSL import SSL
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from service_identity.exceptions import VerificationError
from twisted.internet import error as twisted_error
from twisted.web.client import ResponseNeverReceived

from auditor.models import FIREWALL_HTTP_STATUSES, FetchStatus
from spiders.gate import Refused, TooManyRedirects
from spiders.resolver import InternalAddressError, refused_reason

# Markers of challenge pages served with 200 (JS cookie challenges, slider captchas, cloud WAFs).
_CHALLENGE = re.compile(
    r"__jsl_clearance|jsl_clearance_s|cf-chl|cf_chl_|challenge-platform|_waf_|waf\.js|yunsuo_session|"
    r"安全验证|人机验证|滑动验证|拖动滑块|访问验证|请开启javascript|please enable javascript|"
    r"checking your browser|ddos protection|访问被拦截|您的访问被阻断|网站防火墙|安全狗|云锁|创宇盾|知道创宇",
)  # matched against lower-cased text: far cheaper than re.IGNORECASE on every page
_SCRIPT_COOKIE_RELOAD = re.compile(r"document\.cookie\s*=.*(?:location\.(?:reload|href|replace))", re.DOTALL | re.IGNORECASE)


def waf_reason(status: int, body: str) -> str:
    """Why this answer looks like a firewall rather than the site ('' when it does not)."""
    if status in FIREWALL_HTTP_STATUSES:
        return f"HTTP {status}（防火墙/反爬虫拦截）"
    if status in (200, 403, 429, 503) and body:
        if status == 200 and len(body) >= 20000:
            return ""  # challenge pages are small; a full page that mentions 安全验证 is content
        head = body[:6000].lower()
        m = _CHALLENGE.search(head)
        if m:
            return f"挑战页面：{m.group(0)}"
        if status == 200 and len(body) < 4000 and _SCRIPT_COOKIE_RELOAD.search(head):
            return "挑战页面：脚本写入 Cookie 后重新加载"
    return ""


def _cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """The first exception of `kind` in the chain Scrapy and Twisted wrap failures in."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, kind):
            return e
        todo += [c for c in (e.__cause__, e.__context__) if c is not None]
        todo += [r.value for r in getattr(e, "reasons", None) or [] if getattr(r, "value", None) is not None]
    return None


def classify_failure(exc: BaseException, host: str = "") -> tuple[FetchStatus, str]:
    """Map a download exception to a status and a short human reason (`host`: the request's, so that a
    name our resolver refused is recorded as refused rather than as a DNS fault)."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, Refused):
        return exc.status, ("重定向到目录未允许的站点：" + exc.reason.rsplit(" ", 1)[-1]
                            if exc.status is FetchStatus.OFFSITE else exc.reason)
    internal = _cause(exc, InternalAddressError)
    if internal is not None:
        return FetchStatus.BLOCKED, str(internal.args[0] if internal.args else internal)
    tls = _cause(exc, SSL.Error) or _cause(exc, VerificationError)
    if tls is not None:
        return FetchStatus.TLS, f"证书或加密连接错误（证书无效或不属于该域名）：{tls}"[:300]
    if isinstance(exc, TooManyRedirects):
        return FetchStatus.REDIRECT_LOOP, text
    if isinstance(exc, IgnoreRequest):
        # Scrapy's own refusals carry no type of their own: robots.txt and decompression bounds say so in words.
        if "robots.txt" in text:
            return FetchStatus.ROBOTS, "robots.txt 禁止抓取"
        if "maxsize" in text.lower() or "larger than" in text.lower() or "decompress" in text.lower():
            return FetchStatus.TOO_LARGE, text
        return FetchStatus.BOUNDED, text
    if isinstance(exc, DownloadCancelledError):
        # Scrapy cancels with a message when Content-Length exceeds DOWNLOAD_MAXSIZE, and with an empty
        # one when a body without Content-Length grows past it; timeouts raise DownloadTimeoutError.
        if "size" in str(exc).lower() or not str(exc):
            return FetchStatus.TOO_LARGE, str(exc) or "超过下载大小上限（未声明 Content-Length）"
        return FetchStatus.NETWORK, text
    if isinstance(exc, DownloadTimeoutError | twisted_error.TimeoutError | TimeoutError):
        return FetchStatus.TIMEOUT, "超时：" + text
    if isinstance(exc, CannotResolveHostError | twisted_error.DNSLookupError):
        if refused_reason(host):
            return FetchStatus.BLOCKED, refused_reason(host)
        return FetchStatus.DNS, "域名无法解析：" + text
    if isinstance(exc, DownloadConnectionRefusedError | twisted_error.ConnectionRefusedError):
        return FetchStatus.REFUSED, "连接被拒绝：" + text
    if isinstance(exc, twisted_error.ConnectionLost | twisted_error.ConnectionDone | ResponseNeverReceived):
        return FetchStatus.REFUSED, "连接被重置：" + text
    # Scrapy wraps Twisted's ResponseFailed (a reset mid-answer) in DownloadFailedError; the cause says why.
    reasons = getattr(exc.__cause__, "reasons", None) or []
    if isinstance(exc, DownloadFailedError) and any(
        r.check(twisted_error.ConnectionLost, twisted_error.ConnectionDone) for r in reasons
    ):
        return FetchStatus.REFUSED, "连接被重置：" + text
    if isinstance(exc, ResponseDataLossError | DownloadFailedError):
        return FetchStatus.NETWORK, "传输中断：" + text
    name = type(exc).__name__
    if "SSL" in name or "TLS" in name or "Certificate" in name:
        return FetchStatus.TLS, "证书或加密连接错误：" + text
    return FetchStatus.NETWORK, f"{name}: {text}"
