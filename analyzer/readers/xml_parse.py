"""XML plumbing the GPX and TCX readers (and writers) share.

Parsing is the standard library's C ElementTree ``iterparse``, hardened and kept bounded:

* a first expat pass reads only the prolog and refuses any DOCTYPE, so no DTD, entity
  declaration (billion laughs) or external entity (``SYSTEM "file:///etc/passwd"``) ever
  reaches the real parser; it also checks the root element and returns its attributes;
* the encoding the XML declaration names must be one expat reads (UTF-8, UTF-16 or a
  single-byte one): other names would reach Python's codecs (rot13, zlib, utf-7, ...);
* elements are matched by local name, so ``gpxtpx:hr``, ``ns3:hr`` and a bare ``hr`` are one;
* each record (track point, lap, ...) is dropped from the tree once the reader has seen it,
  and its texts become numbers a few thousand rows at a time (``ColumnBuilder``), so memory
  grows by a few dozen bytes a point, not with the text.
"""

from __future__ import annotations

import codecs
import io
import math
import pyexpat
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pyexpat import errors as expat_errors
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from analyzer.errors import ReadError
from analyzer.model import Activity, FloatArray

Element = ET.Element
IntArray = npt.NDArray[np.int64]

#: Expat errors that mean "the text stopped", as opposed to "the text is wrong".
_TRUNCATION_ERRORS = frozenset(
    expat_errors.codes[message]
    for message in (
        expat_errors.XML_ERROR_NO_ELEMENTS,
        expat_errors.XML_ERROR_UNCLOSED_TOKEN,
        expat_errors.XML_ERROR_PARTIAL_CHAR,
        expat_errors.XML_ERROR_UNCLOSED_CDATA_SECTION,
    )
)


_UNBOUND_PREFIX = expat_errors.codes[expat_errors.XML_ERROR_UNBOUND_PREFIX]
_PREFIX_USED = re.compile(rb"[<\s/]([A-Za-z_][\w.-]*):[A-Za-z_]")
_PREFIX_DECLARED = re.compile(rb"xmlns:([A-Za-z_][\w.-]*)\s*=")
_ROOT_NAME = re.compile(rb"<[^\s/>]+")
_DECLARED_ENCODING = re.compile(rb"""<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"'>]*)""")
#: Encodings expat reads itself, and single-byte ones it reads through Python's codecs. Other
#: names would reach Python's codec registry, where some are not text encodings at all (rot13,
#: zlib, base64) and others are multi-byte ones expat cannot use: those are refused by name.
_READABLE_ENCODINGS = re.compile(
    r"utf-8|utf-16(-[lb]e)?|ascii|iso8859-\d+|cp125\d|koi8-[ru]|mac-roman"
)


class _LocalNames(dict[str, str]):
    """``{ns}name`` or ``prefix:name`` -> ``name``, memoized: it runs once per element."""

    def __missing__(self, tag: str) -> str:
        if len(self) > 10_000:  # a hostile file could invent endless tags
            self.clear()
        name = self[tag] = tag.rpartition("}")[2].rpartition(":")[2]
        return name


local_name = _LocalNames().__getitem__


class XmlDocument(NamedTuple):
    data: bytes  # what the parser reads: leading whitespace before the prolog removed
    root_attributes: dict[str, str]
    root_offset: int  # byte offset of the root element's "<" in data
    lines_skipped: int  # newlines removed in front, to report the file's own line numbers


class XmlDamage(Exception):
    """The XML broke off or went bad at ``line``; everything before it was delivered."""

    def __init__(self, code: int, line: int, column: int, open_elements: Sequence[Element]):
        self.truncated = code in _TRUNCATION_ERRORS
        self.unbound_prefix = code == _UNBOUND_PREFIX
        self.line = line
        self.column = column
        self.message = pyexpat.ErrorString(code)
        #: Elements started but never ended (root first): the record being written when it broke.
        self.open_elements = tuple(open_elements)
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        return f"not well-formed XML at line {self.line}, column {self.column}: {self.message}"

    def note(self, n_read: int, what: str) -> str:
        read = f"read the {_count(n_read, what)} before it"
        if self.truncated:
            return f"file truncated at line {self.line}; {read}"
        return f"file damaged at line {self.line}, column {self.column} ({self.message}); {read}"

    def open_element(self, name: str) -> Element | None:
        return next((el for el in self.open_elements if local_name(el.tag) == name), None)


class _RootReached(Exception):
    def __init__(self, name: str, attributes: dict[str, str], offset: int) -> None:
        self.name = name
        self.attributes = attributes
        self.offset = offset


class _DoctypeFound(Exception):
    pass


def open_document(data: bytes, path: str, root: str) -> XmlDocument:
    """Checks the prolog and the root element; raises ReadError for a DTD or a wrong root."""
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    body = data[len(bom) :]
    # Some web exports put a newline before "<?xml", which expat rejects (UTF-16 left alone).
    stripped = body.lstrip(b" \t\r\n") if body[1:2] != b"\x00" else body
    if not stripped:
        raise ReadError(path, "file is empty")
    skipped = body[: len(body) - len(stripped)].count(b"\n")
    # The BOM stays: it may be what tells expat the encoding.
    body = bom + stripped if len(stripped) < len(body) else data
    encoding_problem = _unreadable_encoding(body)
    if encoding_problem is not None:
        raise ReadError(path, encoding_problem)
    try:
        _scan_prolog(body)
    except _DoctypeFound:
        raise ReadError(path, _doctype_reason(body)) from None
    except (LookupError, ValueError) as exc:  # the codec machinery, should a name get past
        raise ReadError(path, f"cannot decode the declared text encoding: {exc}"[:200]) from None
    except _RootReached as found:
        if local_name(found.name) != root:
            reason = f"root element is <{found.name}>, expected <{root}>"
            raise ReadError(path, reason) from None
        return XmlDocument(body, found.attributes, found.offset, skipped)
    except pyexpat.ExpatError as err:
        line = (err.lineno or 1) + skipped
        raise ReadError(
            path,
            f"not well-formed XML at line {line}, column {(err.offset or 0) + 1}: "
            f"{pyexpat.ErrorString(err.code)}",
        ) from None
    raise ReadError(path, "no root element: the file holds no XML document")


def _unreadable_encoding(data: bytes) -> str | None:
    """Why the encoding named in the XML declaration cannot be read, or None when it can."""
    head = data[:1024]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        head = head.removeprefix(bom)
    if b"\x00" in head[:4]:
        head = head.replace(b"\x00", b"")  # UTF-16: the declaration is ASCII once NULs go
    declared = _DECLARED_ENCODING.match(head)
    if declared is None:
        return None  # UTF-8, or UTF-16 by its byte-order mark
    name = declared.group(1).decode("ascii", "replace")
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError):
        codec = ""
    if _READABLE_ENCODINGS.fullmatch(codec):
        return None
    return (
        f"refused: unsupported text encoding {name[:40]!r} declared (GPX and TCX are UTF-8,"
        " UTF-16 or a single-byte encoding such as ISO-8859-1)"
    )


def _scan_prolog(data: bytes) -> None:
    """Runs expat up to the root element only; raises _RootReached or _DoctypeFound."""
    parser = pyexpat.ParserCreate()

    def doctype(*_: object) -> None:
        raise _DoctypeFound  # before expat reads a single declaration of the DTD

    def start(name: str, attributes: dict[str, str]) -> None:
        raise _RootReached(name, attributes, parser.CurrentByteIndex)

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = start
    parser.Parse(data, True)


def _doctype_reason(data: bytes) -> str:
    if b"<!ENTITY" in data:
        return (
            "refused: the XML declares entities in a DOCTYPE (an entity-expansion "
            "or external-entity attack); GPX and TCX never need a DTD"
        )
    return "refused: the XML has a DOCTYPE/DTD, which GPX and TCX never need"


def declare_prefixes(doc: XmlDocument) -> XmlDocument | None:
    """The document with every prefix it uses but never declares declared on the root.

    Some exporters copy Garmin's ``gpxtpx:hr`` without its xmlns, which a namespace-aware
    parser refuses; matching is by local name anyway. None when there is nothing to add or
    the text is not ASCII-compatible (UTF-16), where bytes cannot be spliced in.
    """
    data = doc.data
    root = _ROOT_NAME.match(data, doc.root_offset)
    if root is None or b"\x00" in root.group():
        return None
    missing = set(_PREFIX_USED.findall(data)) - set(_PREFIX_DECLARED.findall(data))
    missing -= {b"xml", b"xmlns"}
    if not missing:
        return None
    declarations = b"".join(b' xmlns:%s="urn:undeclared:%s"' % (p, p) for p in sorted(missing))
    patched = data[: root.end()] + declarations + data[root.end() :]
    return doc._replace(data=patched)


def iter_records(doc: XmlDocument, records: frozenset[str]) -> Iterator[tuple[str, Element]]:
    """Yields (local name, element) as each element named in ``records`` ends, then drops it.

    The element is complete when yielded (children included) and removed from its parent
    afterwards, so a 100,000-point track costs the memory of one parse chunk. Raises XmlDamage
    where the XML stops being well-formed, after yielding everything before that point.
    """
    open_elements: list[Element] = []
    try:
        for event, el in ET.iterparse(io.BytesIO(doc.data), events=("start", "end")):
            if event == "start":
                open_elements.append(el)
                continue
            open_elements.pop()
            name = local_name(el.tag)
            if name in records:
                yield name, el
                if open_elements:  # near the front: earlier records are gone already
                    open_elements[-1].remove(el)
    except ET.ParseError as err:
        line, column = err.position
        raise XmlDamage(err.code, line + doc.lines_skipped, column + 1, open_elements) from None


def field_texts(el: Element, slots: Mapping[str, int], n_fields: int) -> list[str | None]:
    """The text of ``el``'s descendants by local name -> slot (later wins), None where absent."""
    row: list[str | None] = [None] * n_fields
    for sub in el.iter():
        slot = slots.get(local_name(sub.tag))
        if slot is not None:
            row[slot] = sub.text
    return row


def child_text(el: Element | None, name: str) -> str | None:
    """Stripped text of the first direct child with this local name (None if absent/empty)."""
    if el is None:
        return None
    for child in el:
        if local_name(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def child(el: Element | None, name: str) -> Element | None:
    if el is None:
        return None
    return next((c for c in el if local_name(c.tag) == name), None)


# --- timestamps --------------------------------------------------------------------------


def parse_time(text: str | None) -> datetime | None:
    """ISO 8601 -> aware datetime: Z, offsets, fractional seconds; no zone means UTC."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:  # lower-case "t"/"z" and stray whitespace, seen in hand-edited files
            moment = datetime.fromisoformat(text.strip().upper())
        except ValueError:
            return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def format_time(posix_s: float) -> str:
    """POSIX seconds -> ``2024-05-01T06:30:00Z``, with milliseconds only when there are some."""
    total_ms = round(posix_s * 1000)
    seconds, ms = divmod(total_ms, 1000)
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    fraction = f".{ms:03d}" if ms else ""
    return f"{moment:%Y-%m-%dT%H:%M:%S}{fraction}Z"


def decimal_text(value: float) -> str | None:
    """Shortest text that reads back as the same float, never in exponent notation (XSD
    decimals have none); None for NaN, so writers can leave the element out."""
    if not math.isfinite(value):
        return None
    return np.format_float_positional(value, unique=True, trim="-")


def integer_text(value: float) -> str | None:
    return str(round(value)) if math.isfinite(value) else None


# --- records -> columns ------------------------------------------------------------------

#: GPS week 0 began here; no satellite fix can carry an earlier time.
GPS_EPOCH = datetime(1980, 1, 6, tzinfo=UTC)
_GPS_EPOCH_S = GPS_EPOCH.timestamp()


@dataclass(frozen=True, slots=True)
class Columns:
    """Records converted once, at the end: timed rows only, sorted by time."""

    time_s: FloatArray
    values: dict[str, FloatArray]  # field name -> values; non-finite and absent are NaN
    utc_offset_s: int | None
    notes: tuple[str, ...]


#: Rows become arrays this many at a time: a file of millions of points then holds numbers
#: (8 bytes a field), not texts and lists (hundreds of bytes a point, and an untimed point
#: costs nothing). Without it, 128 MiB of "<trkpt/>" unzipped from 190 kB took 4 GB.
_CHUNK_ROWS = 4096


class ColumnBuilder:
    """Collects rows of field texts (``fields[0]`` is the time), converting them to float
    columns a chunk at a time; ``finish`` gives the timed rows sorted by time, with notes."""

    def __init__(self, fields: Sequence[str], what: str) -> None:
        self._fields = tuple(fields)
        self._what = what
        self._rows: list[Sequence[str | None]] = []  # appended, not yet converted
        self._columns: list[list[str | bytes | None]] = [[] for _ in self._fields]  # extended
        self._n_column_rows = 0
        self._n_rows = 0
        self._times: list[FloatArray] = []
        self._values: dict[str, list[FloatArray]] = {field: [] for field in self._fields[1:]}
        self._n_untimed = self._n_placeholder = self._n_bad = 0
        self._first: datetime | None = None  # the first usable time: it may state the offset

    def append(self, row: Sequence[str | None]) -> None:
        if self._n_column_rows:
            self._convert()  # rows given before this one come first
        self._rows.append(row)
        self._n_rows += 1
        if len(self._rows) >= _CHUNK_ROWS:
            self._convert()

    def extend(self, n_rows: int, columns: Sequence[Texts | None]) -> None:
        """Adds ``n_rows`` rows given field by field (None: the field is absent from all)."""
        if self._rows:
            self._convert()
        for pending, column in zip(self._columns, columns, strict=True):
            pending.extend([None] * n_rows if column is None else column)
        self._n_column_rows += n_rows
        self._n_rows += n_rows
        if self._n_column_rows >= _CHUNK_ROWS:
            self._convert()

    def __len__(self) -> int:
        """Rows appended, timed or not."""
        return self._n_rows

    def _convert(self) -> None:
        """Turns what waits into arrays (only one of the two buffers is ever filled)."""
        rows, self._rows = self._rows, []
        if rows:
            self._add(len(rows), list(zip(*rows, strict=True)))
        if self._n_column_rows:
            columns, self._columns = self._columns, [[] for _ in self._fields]
            self._add(self._n_column_rows, columns)
            self._n_column_rows = 0

    def _add(self, n_rows: int, columns: Sequence[Texts | None]) -> None:
        time_s, n_untimed, n_placeholder = _posix_s(columns[0], n_rows)
        self._n_untimed += n_untimed
        self._n_placeholder += n_placeholder
        timed = ~np.isnan(time_s)
        if self._first is None and timed.any():
            texts = columns[0]
            assert texts is not None
            self._first = parse_time(_text(texts[int(np.argmax(timed))]))
        self._times.append(time_s[timed])
        for field, column in zip(self._fields[1:], columns[1:], strict=True):
            if column is None:
                self._values[field].append(np.full(int(timed.sum()), math.nan))
                continue
            array, bad = _floats(column)
            self._values[field].append(array[timed])
            self._n_bad += bad

    def finish(self) -> Columns:
        self._convert()
        what = self._what
        time_s = _joined(self._times)
        values = {field: _joined(parts) for field, parts in self._values.items()}
        notes: list[str] = []
        if self._n_untimed:
            notes.append(f"dropped {_count(self._n_untimed, what)} without a time")
        if self._n_placeholder:
            n = self._n_placeholder
            notes.append(f"dropped {_count(n, what)} dated before 1980 (placeholder times)")
        if self._n_bad:
            notes.append(f"left out {_count(self._n_bad, 'non-numeric value')}")
        n_backward = int(np.count_nonzero(np.diff(time_s) < 0))
        if n_backward:
            order = np.argsort(time_s, kind="stable")
            steps = _count(n_backward, "step")
            notes.append(f"{what}s were out of time order ({steps} back); sorted by time")
            time_s = time_s[order]
            values = {field: array[order] for field, array in values.items()}
        return Columns(time_s, values, _utc_offset_s([self._first]), tuple(notes))


#: Field texts as the readers give them: str from ElementTree, ASCII bytes from the record
#: patterns (xml_template), None where the element is absent.
Texts = Sequence[str | bytes | None]


def _text(value: str | bytes | None) -> str | None:
    return value.decode("ascii") if isinstance(value, bytes) else value


def _posix_s(texts: Texts | None, n_rows: int) -> tuple[FloatArray, int, int]:
    """Times as POSIX seconds, NaN where there is none or a placeholder; and those counts."""
    if texts is None:
        return np.full(n_rows, math.nan), n_rows, 0
    time_s = _iso_utc_s(texts)
    if time_s is not None:
        n_untimed = 0
    else:
        moments = [parse_time(_text(t)) for t in texts]
        time_s = np.array([math.nan if m is None else m.timestamp() for m in moments])
        n_untimed = moments.count(None)
    # GPS time starts in 1980: earlier stamps are placeholders (GPSBabel writes 1901-12-13,
    # the 32-bit minimum), so those points are as untimed as if they had no <time>.
    placeholder = time_s < _GPS_EPOCH_S
    time_s[placeholder] = math.nan
    return time_s, n_untimed, int(np.count_nonzero(placeholder))


_MONTH_DAYS: IntArray = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_DIGITS = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)
_SEPARATORS = {4: ord("-"), 7: ord("-"), 10: ord("T"), 13: ord(":"), 16: ord(":")}
#: Microseconds beyond which int64 -> float64 is inexact (about the years 1685 and 2255).
_EXACT_US = 2**53


def _iso_utc_s(texts: Texts) -> FloatArray | None:
    """``YYYY-MM-DDTHH:MM:SS[.f]Z`` texts of one length, all valid, as POSIX seconds, equal to
    what ``parse_time(t).timestamp()`` gives for each; None for anything else.

    What watches write, converted in numpy: parsing each text took most of a GPX read.
    """
    try:
        if not texts or len(set(map(len, texts))) != 1:  # type: ignore[arg-type]
            return None
    except TypeError:  # a None: some row has no time
        return None
    array = np.array(texts)
    if array.dtype.kind not in "SU":
        return None
    width = array.dtype.itemsize // (4 if array.dtype.kind == "U" else 1)
    fraction_digits = width - 21
    if width != 20 and not 1 <= fraction_digits <= 6:
        return None
    raw = array.view(np.uint32 if array.dtype.kind == "U" else np.uint8).reshape(-1, width)
    codes: IntArray = raw.astype(np.int64)
    digits = codes[:, list(_DIGITS)] - ord("0")
    ok = bool(((digits >= 0) & (digits <= 9)).all()) and bool((codes[:, -1] == ord("Z")).all())
    for position, code in _SEPARATORS.items():
        ok = ok and bool((codes[:, position] == code).all())
    if not ok:
        return None
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month, day, hour, minute, second = (
        digits[:, i] * 10 + digits[:, i + 1] for i in (4, 6, 8, 10, 12)
    )
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month, 0, 12)] + (leap & (month == 2))
    valid = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    valid &= (hour <= 23) & (minute <= 59) & (second <= 59)
    if not valid.all():
        return None
    microseconds: IntArray = np.zeros(len(codes), dtype=np.int64)
    if fraction_digits > 0:
        if not bool((codes[:, 19] == ord(".")).all()):
            return None
        fraction = codes[:, 20:-1] - ord("0")
        if not bool(((fraction >= 0) & (fraction <= 9)).all()):
            return None
        for column in range(fraction_digits):
            microseconds = microseconds * 10 + fraction[:, column]
        microseconds *= 10 ** (6 - fraction_digits)
    # Days since 1970-01-01 in the proleptic Gregorian calendar (years counted from March).
    shifted = year - (month <= 2)
    era = shifted // 400
    year_of_era = shifted - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146_097 + day_of_era - 719_468
    total_us = (days * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000 + microseconds
    if not bool((np.abs(total_us) < _EXACT_US).all()):
        return None
    # Both exact in float64, so one correctly rounded division: timedelta.total_seconds().
    seconds: FloatArray = total_us.astype(np.float64) / 1e6
    return seconds


def _joined(parts: list[FloatArray]) -> FloatArray:
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.float64)


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"


def _floats(texts: Texts) -> tuple[FloatArray, int]:
    """Texts -> float64 (NaN where absent, not a number, or not finite) and the bad count."""
    try:  # numpy takes each text as float() does, and None as NaN
        array = np.array(texts, dtype=np.float64)
        n_bad = 0
    except ValueError:  # rare: a damaged or hand-edited value somewhere in the column
        array = np.array([number(t) for t in texts], dtype=np.float64)
        n_bad = sum(t is not None and bool(t.strip()) and _float_or_none(t) is None for t in texts)
    array[~np.isfinite(array)] = math.nan
    return array, n_bad


def number(text: str | bytes | None) -> float:
    """One value as float; NaN when absent, not a number or not finite."""
    value = _float_or_none(text)
    return value if value is not None and math.isfinite(value) else math.nan


def _float_or_none(text: str | bytes | None) -> float | None:
    try:
        return None if text is None else float(text)
    except ValueError:
        return None


def _utc_offset_s(moments: Sequence[datetime | None]) -> int | None:
    """The local offset when the first timestamp states a non-zero one (Z says nothing)."""
    first = next((m for m in moments if m is not None), None)
    offset = first.utcoffset() if first is not None else None
    return int(offset.total_seconds()) if offset else None


def with_file_notes(activities: list[Activity], notes: Sequence[str]) -> list[Activity]:
    """File-level notes go on the last activity: that is where a damaged tail cut in."""
    if not notes:
        return activities
    last = activities[-1]
    return [*activities[:-1], replace(last, notes=(*last.notes, *notes))]
