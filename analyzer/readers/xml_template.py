"""The GPX and TCX readers' fast path: records of one shape read by one regular expression.

A device writes every track point (``trkpt``, ``Trackpoint``) of a file in the same shape.
The richest of a few records from all through the file is parsed and becomes a pattern: its
tags literally, its field texts as capture groups, each child optional. ``re.split`` then
reads every record that fits the pattern in C, and the document with each run of such records
replaced by one placeholder element (the skeleton) goes through the ordinary ElementTree
reader, which reads the tracks, laps, names and every record that did not fit, and takes a
run's columns where it meets its placeholder. An hour of GPX went from 28 ms to about 6.

Only what ElementTree would read the same way is matched: ASCII texts without markup,
references or CR, the learned tag spellings, prefixes declared on the root or in the record,
no element the reader acts on inside a record. The rest of the document is checked by
ElementTree on the skeleton; when that finds it not well-formed, the reader starts again on the
original, so a damaged file gets the same notes as always. A record-like text in a comment, a
CDATA section or processing instruction inside the root, and UTF-16 turn the fast path off.
"""

from __future__ import annotations

import pyexpat
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Protocol, TypeVar

import numpy as np

from analyzer.readers.xml_parse import XmlDamage, XmlDocument, declare_prefixes, local_name

#: The placeholder's element name; a document that already uses it is read the ordinary way.
PLACEHOLDER = "_calfguard_rows"
_PLACEHOLDER_BYTES = PLACEHOLDER.encode()
#: Records sampled for the pattern (at most; spread through the document), and the largest
#: record (bytes) worth parsing for it.
_SAMPLE_RECORDS = 8
_MAX_RECORD_BYTES = 16_384
#: The deepest record sampled (a point's extensions are four levels deep): the pattern is
#: built, and compiled, by recursion.
_MAX_DEPTH = 16
#: The document is read in windows of about this size, so the texts of millions of records
#: are never held at once (ColumnBuilder's bound), nor a copy of a window that did not fit.
_WINDOW_BYTES = 1 << 18
_SMALL_BYTES = 1 << 16  # a window this small is taken apart whatever it holds

_SPACE = b" \t\r\n"  # XML's whitespace; bytes.strip() would also take \x0b and \x0c
_WS = rb"[ \t\r\n]*+"
#: Character data ElementTree returns unchanged: no markup, no references, no control
#: characters, no CR (it turns CR LF into LF), ASCII (the same in every encoding the readers
#: accept but UTF-16); in attribute values no tab or LF either (it turns those into spaces).
_TEXT = rb"[^<>&\r\x00-\x08\x0b\x0c\x0e-\x1f\x80-\xff]*+"
_VALUE = rb'[^"<>&\x00-\x1f\x80-\xff]*+'
_VALUE_RE = re.compile(_VALUE.removesuffix(b"*+") + rb"*", re.ASCII)
#: A namespace declaration's value, as expat accepts it: never one of the two reserved names,
#: for a prefix never empty, and never holding "}", ElementTree's namespace separator.
_RESERVED = rb'(?!http://www\.w3\.org/(?:XML/1998/namespace|2000/xmlns/)")'
_NAMESPACE_CHAR = rb'[^"<>&}\x00-\x1f\x80-\xff]'
_DEFAULT_NAMESPACE = _RESERVED + _NAMESPACE_CHAR + rb"*+"
_PREFIX_NAMESPACE = _RESERVED + _NAMESPACE_CHAR + rb"++"
_NAME = re.compile(r"[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?", re.ASCII)


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive records read by the pattern: one list of texts per field, None for a
    field the pattern has no group for."""

    n_rows: int
    columns: list[list[bytes | None] | None]


@dataclass(frozen=True, slots=True)
class RecordSpec:
    """What a reader takes from each record: ``element_slots`` maps a descendant's local
    name to its field, as ``field_texts`` does; ``attribute_slots`` the record's own
    attributes; ``structure``, every element name the reader acts on when it ends (tracks,
    laps, the record itself), which a pattern must never swallow inside a record."""

    name: str
    element_slots: Mapping[str, int]
    attribute_slots: Mapping[str, int]
    n_fields: int
    structure: frozenset[str]


@dataclass(frozen=True, slots=True)
class Skeleton:
    doc: XmlDocument  # the document with a <_calfguard_rows i="N"/> for each run
    runs: list[Run]


class _Read(Protocol):
    @property
    def damage(self) -> XmlDamage | None: ...


ReadT = TypeVar("ReadT", bound=_Read)


def read_document(
    doc: XmlDocument, read: Callable[[XmlDocument, Sequence[Run]], ReadT], spec: RecordSpec
) -> ReadT:
    """``read`` over the skeleton when there is one and it is well-formed, else over the
    document itself (declaring prefixes an exporter used without declaring, if that is what
    broke it). ``read`` takes a run's rows where it meets its placeholder."""
    fast = skeleton(doc, spec)
    if fast is not None:
        result = read(fast.doc, fast.runs)
        if result.damage is None:
            return result
    result = read(doc, ())
    damage = result.damage
    if damage is not None and damage.unbound_prefix and (declared := declare_prefixes(doc)):
        result = read(declared, ())
    return result


def skeleton(doc: XmlDocument, spec: RecordSpec) -> Skeleton | None:
    """The document with the records that fit one learned pattern taken out, or None when
    the fast path does not apply (then read ``doc`` itself)."""
    data = doc.data
    if b"\x00" in data[:4]:
        return None
    pattern = _learn(doc, spec)
    if pattern is None:
        return None
    regex, fields, start_tag = pattern
    pieces: list[bytes | memoryview] = []
    runs: list[Run] = []
    view = memoryview(data)  # windows and unmatched text are not copied
    start = 0
    while start < len(data):
        end = data.find(start_tag, start + _WINDOW_BYTES)
        end = len(data) if end < 0 else end
        _split_window(view[start:end], regex, fields, spec.n_fields, pieces, runs)
        start = end
    if not runs:
        return None
    text = b"".join(pieces)
    # Until the first match the skeleton is the document itself; a match before the root (in
    # a comment or PI of the prolog) would shift the root, and is not worth the thought.
    if text.find(_PLACEHOLDER_BYTES) < doc.root_offset:
        return None
    # A match cannot cross the edge of a comment, CDATA section or processing instruction
    # (its texts hold no "<" or ">"), but it can lie wholly inside one: in a CDATA section it
    # would change an element's text, in a comment hide a "--" from expat (below), and a PI
    # is not worth the thought. Each turns the fast path off.
    if text.find(b"<![CDATA[", doc.root_offset) >= 0 or text.find(b"<?", doc.root_offset) >= 0:
        return None
    if text.count(_PLACEHOLDER_BYTES) != len(runs):  # the document uses the name itself
        return None
    # A comment may not hold "--", which a record in it could: expat must see such a comment.
    if _placeholder_in_comment(text, doc.root_offset) is not False:
        return None
    return Skeleton(doc._replace(data=text), runs)


def _placeholder_in_comment(text: bytes, start: int) -> bool | None:
    """Whether a comment after ``start`` holds a placeholder; None when one is never closed
    (not well-formed: ElementTree's to report). One pass: a lazy ``<!--.*?-->`` searched the
    rest of the text again for each unclosed ``<!--``, seconds for a few kB of them."""
    opening = text.find(b"<!--", start)
    while opening >= 0:
        closing = text.find(b"-->", opening + 4)
        if closing < 0:
            return None
        if text.find(_PLACEHOLDER_BYTES, opening, closing) >= 0:
            return True
        opening = text.find(b"<!--", closing + 3)
    return False


def _split_window(
    window: memoryview,
    regex: re.Pattern[bytes],
    fields: list[int],
    n_fields: int,
    pieces: list[bytes | memoryview],
    runs: list[Run],
) -> None:
    """Appends the window's skeleton text to ``pieces`` and its runs of records to ``runs``."""
    parts = regex.split(window)
    stride = regex.groups + 1
    gaps = parts[::stride]  # the text before each matched record, and after the last one
    n_records = len(gaps) - 1
    if n_records == 0 or (len(window) > _SMALL_BYTES and 2 * sum(map(len, gaps)) > len(window)):
        # Mostly records of other shapes (or none): the skeleton would be a second copy of the
        # window for little gain, so they are all left to ElementTree.
        pieces.append(window)
        return
    columns: list[list[bytes | None] | None] = [None] * n_fields
    for group, slot in enumerate(fields):
        columns[slot] = parts[group + 1 :: stride]
    # Whitespace between records is dropped with them; anything else ends a run.
    between = gaps[1:n_records]
    distinct = set(between)  # a few texts: the indentation
    blank = {gap for gap in distinct if not gap.strip(_SPACE)}
    breaks: list[int] = []
    if len(blank) < len(distinct):
        is_blank = np.fromiter(map(blank.__contains__, between), bool, len(between))
        breaks = (np.flatnonzero(~is_blank) + 1).tolist()
    pieces.append(gaps[0])
    for first, stop in pairwise([0, *breaks, n_records]):
        if first:
            pieces.append(gaps[first])
        pieces.append(b'<%s i="%d"/>' % (_PLACEHOLDER_BYTES, len(runs)))
        run_columns = [None if c is None else c[first:stop] for c in columns]
        runs.append(Run(stop - first, run_columns))
    pieces.append(gaps[n_records])


# --- learning the pattern ----------------------------------------------------------------


@dataclass(slots=True)
class _Element:
    name: str  # as written, prefix included
    attributes: list[tuple[str, str]]
    tag: bytes  # the start tag exactly as written
    children: list[_Element] = field(default_factory=list)

    def count(self) -> int:
        return 1 + sum(child.count() for child in self.children)


class _RecordEnd(Exception):
    pass


class _TooDeep(Exception):
    pass


def _learn(doc: XmlDocument, spec: RecordSpec) -> tuple[re.Pattern[bytes], list[int], bytes] | None:
    """(pattern, the field of each group, the record's start tag's opening bytes), from the
    richest of a few records that gives a sound one; None when none does.

    The records are taken from all through the document, not only its start: a heart-rate
    strap or a GPS fix often joins after the first points, which then lack its fields."""
    data, root = doc.data, doc.root_offset
    name = re.escape(spec.name.encode())
    starts = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?%s[ \t\r\n/>]" % name, re.ASCII)
    positions = {root + (len(data) - root) * k // _SAMPLE_RECORDS for k in range(_SAMPLE_RECORDS)}
    found = {match.start() for at in positions if (match := starts.search(data, at))}
    sampled = [e for start in sorted(found) if (e := _parse_record(data, start)) is not None]
    if not sampled:
        return None
    declared = {name[6:] for name in doc.root_attributes if name.startswith("xmlns:")}
    for element in sorted(sampled, key=_Element.count, reverse=True):  # the richest that can
        fields: list[int] = []
        source = _pattern(element, True, spec, declared, fields)
        if source is not None and len(set(fields)) == len(fields):  # a field twice: later wins
            return re.compile(source, re.ASCII), fields, b"<" + element.name.encode()
    return None


def _parse_record(data: bytes, start: int) -> _Element | None:
    """The record starting at ``start`` as a small tree (expat, names as written), or None."""
    chunk = data[start : start + _MAX_RECORD_BYTES]
    parser = pyexpat.ParserCreate()
    parser.ordered_attributes = True
    stack: list[_Element] = []
    found: list[_Element] = []

    def begin(name: str, attributes: list[str]) -> None:
        at = parser.CurrentByteIndex
        tag_end = chunk.find(b">", at)
        pairs = list(zip(attributes[::2], attributes[1::2], strict=True))
        element = _Element(name, pairs, chunk[at : tag_end + 1])
        if len(stack) >= _MAX_DEPTH:
            raise _TooDeep
        if stack:
            stack[-1].children.append(element)
        else:
            found.append(element)
        stack.append(element)

    def end(_: str) -> None:
        stack.pop()
        if not stack:
            raise _RecordEnd

    parser.StartElementHandler = begin
    parser.EndElementHandler = end
    try:
        parser.Parse(chunk, True)
    except _RecordEnd:
        return found[0]
    except (pyexpat.ExpatError, _TooDeep):
        return None
    return None


def _pattern(
    element: _Element, is_record: bool, spec: RecordSpec, declared: set[str], fields: list[int]
) -> bytes | None:
    """The element's pattern, appending the field of each capture group to ``fields``; None
    when the element is not in a form the pattern reads exactly as ElementTree would."""
    name = element.name
    if not _NAME.fullmatch(name) or not _literal_tag(element):
        return None
    declared = declared | {key[6:] for key, _ in element.attributes if key.startswith("xmlns:")}
    if not _prefix_declared(name, declared) or local_name(name) == PLACEHOLDER:
        return None
    if not is_record and local_name(name) in spec.structure:
        return None  # a point inside a point, a track inside a point: ElementTree's to read
    slot = spec.element_slots.get(local_name(name))
    if slot is not None and (is_record or element.children or element.tag.endswith(b"/>")):
        return None  # ElementTree's .text would be None or partial there
    # Names are literals in the pattern: "." in one must not match any character.
    tag = b"<" + re.escape(name.encode())
    for key, value in element.attributes:
        if not _attribute_ok(key, value, element, declared):
            return None
        attribute_slot = spec.attribute_slots.get(key) if is_record else None
        key_literal = re.escape(key.encode())
        if key == "xmlns" or key.startswith("xmlns:"):
            tag += b' %s="%s"' % (
                key_literal,
                _PREFIX_NAMESPACE if ":" in key else _DEFAULT_NAMESPACE,
            )
        elif attribute_slot is None:
            tag += b' %s="%s"' % (key_literal, _VALUE)
        else:
            tag += b' %s="(%s)"' % (key_literal, _VALUE)
            fields.append(attribute_slot)
    if element.tag.endswith(b"/>"):
        return tag + (b" />" if element.tag.endswith(b" />") else b"/>")
    end_tag = b"</" + re.escape(name.encode()) + b">"
    if not element.children:
        if slot is None:
            return tag + b">" + _TEXT + end_tag
        fields.append(slot)
        return tag + b">(" + _TEXT + b")" + end_tag
    names = [child.name for child in element.children]
    if len(set(names)) < len(names):
        # K children of one name are K optional groups in a row: where one fails late (a long
        # text, then an element), the next scans that text again, K times over.
        return None
    inner = []
    for child in element.children:
        part = _pattern(child, False, spec, declared, fields)
        if part is None:
            return None
        inner.append(b"(?:" + part + _WS + b")?+")
    return tag + b">" + _WS + b"".join(inner) + end_tag


def _attribute_ok(key: str, value: str, element: _Element, declared: set[str]) -> bool:
    """Whether ElementTree takes this attribute as written and as the pattern spells it."""
    if not _NAME.fullmatch(key) or not _VALUE_RE.fullmatch(value.encode()):
        return False
    if key.startswith("xmlns:"):  # a declaration: not of a reserved prefix, not empty
        return bool(value) and key[6:] not in ("xml", "xmlns") and "}" not in value
    if key == "xmlns":
        return "}" not in value
    if ":" not in key:
        return True
    # Two prefixes bound to one namespace would make one attribute twice: keep it simple.
    others = [k for k, _ in element.attributes if k != key and ":" in k]
    return _prefix_declared(key, declared) and local_name(key) not in map(local_name, others)


def _literal_tag(element: _Element) -> bool:
    """Whether the start tag is written the way the pattern spells tags: one space before
    each attribute, double quotes, no reference in a value."""
    attributes = b"".join(b' %s="%s"' % (k.encode(), v.encode()) for k, v in element.attributes)
    canonical = b"<" + element.name.encode() + attributes
    return element.tag in (canonical + b">", canonical + b"/>", canonical + b" />")


def _prefix_declared(name: str, declared: set[str]) -> bool:
    prefix, colon, _ = name.partition(":")
    return not colon or prefix == "xml" or prefix in declared
