"""Text out of the files a disclosure site links to (PDF, DOCX, XLSX, XLS, HTML, plain text).

The rule engine looks for required terms (收支预算总表) and privacy leaks (a full 身份证号 in a list of
names), and most of that content lives in attachments rather than in the HTML. Attachments are
untrusted input served by dozens of departments' CMSs: wrong Content-Types, no file extension
(博达 VSB's ``download.jsp``), truncated downloads, encrypted or corrupt files, and the odd
compression bomb. So every function here is bounded (characters, pages, rows, inflated size, time)
and never raises on bad input: a failure is a short ``error`` string on the result, which the
spider records and the rules read as "could not inspect", not as "absent".

The steps live in one module each: `sniff` (what a body is), `disposition` (the file name a server gives
it), `charsets` (bytes to normalised text) and `readers` (the text of each file type).
"""

from spiders.attachments.charsets import decode_text, decode_with_encoding, normalise_text
from spiders.attachments.disposition import filename_from_content_disposition
from spiders.attachments.readers import AttachmentText, extract_text
from spiders.attachments.sniff import FileKind, sniff_kind

__all__ = [
    "AttachmentText",
    "FileKind",
    "decode_text",
    "decode_with_encoding",
    "extract_text",
    "filename_from_content_disposition",
    "normalise_text",
    "sniff_kind",
]
