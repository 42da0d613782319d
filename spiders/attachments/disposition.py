"""The file name a Content-Disposition header carries, however the server spelled it.

Chinese servers send RFC 6266/5987 ``filename*=``, percent-encoded plain ``filename=`` (Java's URLEncoder)
and raw UTF-8 or GBK bytes, which an HTTP library may already have read as latin-1; the header is parsed
leniently (unquoted spaces, unterminated quotes) and only a base name ever comes out.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from spiders.attachments.charsets import codec_name

_TOKEN_PARAM = re.compile(r'\s*([^\s=;"]+)\s*=\s*')


def _cd_params(value: str) -> dict[str, str]:
    """Parse `; name=value` pairs, tolerating unquoted spaces and unterminated quotes."""
    params: dict[str, str] = {}
    parts = value.split(";", 1)
    rest = parts[1] if len(parts) > 1 else ""
    pos = 0
    while pos < len(rest):
        m = _TOKEN_PARAM.match(rest, pos)
        if not m:
            nxt = rest.find(";", pos)
            if nxt < 0:
                break
            pos = nxt + 1
            continue
        name = m.group(1).lower()
        pos = m.end()
        if pos < len(rest) and rest[pos] == '"':
            out: list[str] = []
            pos += 1
            while pos < len(rest) and rest[pos] != '"':
                if rest[pos] == "\\" and pos + 1 < len(rest):
                    pos += 1
                out.append(rest[pos])
                pos += 1
            val = "".join(out)
            nxt = rest.find(";", pos)
            pos = len(rest) if nxt < 0 else nxt + 1
        else:
            nxt = rest.find(";", pos)
            end = len(rest) if nxt < 0 else nxt
            val = rest[pos:end].strip()
            pos = end + 1
        params.setdefault(name, val)
    return params


def _unmojibake(text: str) -> str:
    """Undo an HTTP library's latin-1 reading of raw UTF-8 or GBK header bytes."""
    for codec in ("latin-1", "cp1252"):
        try:
            raw = text.encode(codec)
            break
        except UnicodeEncodeError:
            continue
    else:
        return text  # already real Unicode
    if raw.isascii():
        return text
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return text


def _decode_percent(text: str, charset: str = "utf-8") -> str:
    raw = unquote_to_bytes(text)
    for codec in (charset, "utf-8", "gb18030"):
        try:
            return raw.decode(codec_name(codec) or "utf-8")
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("utf-8", "replace")


_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


def filename_from_content_disposition(value: str | bytes) -> str:
    """The file name a Content-Disposition header carries, or "" if none.

    Handles RFC 6266/5987 (``filename*=UTF-8''%E9%A2%84%E7%AE%97.pdf``, preferred over
    ``filename=``), percent-encoded plain ``filename=`` (Java's URLEncoder, common on Chinese
    servers), and raw UTF-8 or GBK bytes, whether passed as bytes (Scrapy's headers) or as a str
    that an HTTP library decoded as latin-1. Only the base name is returned: old IE uploads carry
    full ``C:\\`` paths, and a name must never be usable as a path.
    """
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if len(value) > 8192:  # a header this long is not a file name
        value = value[:8192]
    params = _cd_params(value)
    name = ""
    extended = params.get("filename*")
    if extended:
        charset, sep, rest = extended.partition("'")
        if sep:
            _lang, _sep2, encoded = rest.partition("'")
            # Some servers put raw bytes after the charset instead of percent-escapes.
            name = (
                _decode_percent(encoded, charset.strip() or "utf-8")
                if encoded.isascii()
                else _unmojibake(encoded)
            )
        else:
            name = _decode_percent(extended)
    if not name:
        plain = params.get("filename", "")
        if _PERCENT.search(plain) and plain.isascii():
            name = _decode_percent(plain)
        else:
            name = _unmojibake(plain)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return _UNSAFE_NAME.sub("", name).strip().strip(".") if name not in ("..", ".") else ""
