"""Bytes to text, and text normalised the way the rules read it.

Decoding tries the BOM, the declared charset (HTTP, then <meta>/XML), UTF-8, GB18030, and only then the
charsets servers declare when nobody configured one. Normalising collapses whitespace but keeps cells and
rows apart, so that two numbers in adjacent cells never read as one.
"""

from __future__ import annotations

import codecs
import re

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HSPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalise_text(text: str) -> str:
    """Collapse whitespace within lines, keep line breaks, and at most one blank line in a row.

    A run containing a tab (a cell boundary) becomes a tab, any other run one space: adjacent cells
    or rows must stay apart, or two phone numbers would be glued into a digit string that looks like
    neither (or like a bank card).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n").replace("\v", "\n")
    text = _ZERO_WIDTH.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = _HSPACE.sub(lambda m: "\t" if "\t" in m.group() else " ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
# Tomcat and IIS default to these when nobody configured a charset; on a Chinese site they are
# almost never what the bytes are, so they are tried only after UTF-8 and GB18030.
_WEAK_CHARSETS = frozenset({"latin-1", "iso8859-1", "ascii", "cp1252"})


def strip_bom(data: bytes) -> bytes:
    for bom, _ in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :]
    return data


def codec_name(name: str) -> str | None:
    try:
        canonical = codecs.lookup(name.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    # GB2312 and GBK pages routinely contain characters only GB18030 (their superset) knows.
    return "gb18030" if canonical in ("gb2312", "gbk", "hz") else canonical


def decode_text(body: bytes, declared: str = "") -> str:
    """Bytes to str: BOM, then the declared charset (HTTP, then <meta>/XML), then UTF-8, then GB18030.

    `declared` is the charset parameter of the Content-Type header, if any.
    """
    return decode_with_encoding(body, declared)[0]


def decode_with_encoding(body: bytes, declared: str = "") -> tuple[str, str]:
    """`decode_text`, also saying which encoding was used (recorded with the page as evidence)."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, "replace"), codec
    candidates: list[str] = []
    head = body[:4096]
    found = [declared] if declared else []
    for pattern in (_XML_ENCODING, _META_CHARSET):
        m = pattern.search(head)
        if m:
            found.append(m.group(1).decode("ascii", "replace"))
    weak: list[str] = []
    for name in found:
        enc = codec_name(name)
        if enc is None or enc.startswith(("utf-16", "utf-32")):
            continue  # UTF-16 without a BOM is a mislabel: the bytes parsed as ASCII markup
        (weak if enc in _WEAK_CHARSETS else candidates).append(enc)
    candidates += ["utf-8", "gb18030", *weak]
    for enc in dict.fromkeys(candidates):
        try:
            return body.decode(enc), enc
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes  # noqa: PLC0415 - a worker loads a reader only for the file type it meets

        best = from_bytes(body[: 1 << 20]).best()
        if best is not None and best.encoding:
            return body.decode(best.encoding, "replace"), best.encoding
    except Exception:  # noqa: BLE001, S110 - a guess that fails is no worse than the fallback below
        pass
    return body.decode("utf-8", "replace"), "utf-8"
