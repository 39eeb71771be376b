"""What a file is, from its first bytes rather than its name, and bounded gzip decompression."""

from __future__ import annotations

import re
import zlib

from analyzer.model import Format

_XML_ROOT = re.compile(rb"<(?:[\w.-]+:)?(gpx|TrainingCenterDatabase)[\s>/]")
_GZIP_MAGIC = b"\x1f\x8b"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


#: How far into a file its XML root element is looked for: exporters put licence texts and
#: other comments before it (a kilobyte was too little for some).
SNIFF_BYTES = 64 * 1024


def sniff(head: bytes) -> Format | None:
    """FIT, GPX or TCX from the first bytes (up to SNIFF_BYTES of them are looked at); None
    for anything else.

    Gzipped content is looked into, so ``run.gpx.gz`` and a gzipped file without a suffix
    both sniff as what they hold.
    """
    if head.startswith(_GZIP_MAGIC):
        try:
            head = zlib.decompressobj(wbits=47).decompress(head, SNIFF_BYTES)
        except zlib.error:
            return None
    if len(head) >= 12 and head[0] in (12, 14) and head[8:12] == b".FIT":
        return Format.FIT
    text = head[:SNIFF_BYTES]
    for bom in _BOMS:
        if text.startswith(bom):
            text = text[len(bom) :]
    if text.startswith((b"\xff", b"\xfe")) or b"\x00" in text[:4]:
        text = text.replace(b"\x00", b"")  # UTF-16: the tag names are ASCII once NULs go
    match = _XML_ROOT.search(text)
    if match is None or not text.lstrip().startswith(b"<"):
        return None
    return Format.GPX if match.group(1) == b"gpx" else Format.TCX


def gunzip_bounded(data: bytes, max_bytes: int) -> tuple[bytes, str | None]:
    """Decompresses (possibly concatenated) gzip members, refusing more than ``max_bytes``.

    A truncated stream keeps what decompressed before the cut, with a note saying so: the
    readers then recover the whole part of the file inside. The input is fed in bounded chunks,
    so a file of many tiny members costs time in proportion to its size (handing zlib all the
    rest each time would copy it once per member).
    """
    out = bytearray()
    view = memoryview(data)
    pos = _skip_padding(data, 0)
    while pos < len(data):
        stream = zlib.decompressobj(wbits=47)
        while not stream.eof and pos < len(data):
            chunk = view[pos : pos + _CHUNK_BYTES]
            try:
                out += stream.decompress(chunk, max_bytes + 1 - len(out))
            except zlib.error as exc:
                if not out:
                    raise
                return bytes(out), f"gzip data damaged after {len(out)} bytes ({exc})"
            if len(out) > max_bytes or stream.unconsumed_tail:
                raise OverflowError(f"gzip content expands beyond {max_bytes // 2**20} MiB")
            pos += len(chunk) - len(stream.unused_data)
        if not stream.eof:
            out += stream.flush()
            if not out:
                raise zlib.error("the stream ends before any data")
            return bytes(out), f"gzip stream truncated after {len(out)} bytes"
        pos = _skip_padding(data, pos)
    return bytes(out), None


_CHUNK_BYTES = 1 << 16
_NOT_NUL = re.compile(rb"[^\x00]")


def _skip_padding(data: bytes, pos: int) -> int:
    """The position of the next byte that is not a NUL (tape-style padding between members)."""
    found = _NOT_NUL.search(data, pos)
    return len(data) if found is None else found.start()
