"""The packed storage format of identifier occurrences.

A workspace holds millions of identifier occurrences; one SQLite row each
would dominate the database's size and write time.  They are stored one row
per (name, file) with a blob of five little-endian unsigned integers per
occurrence: ``start_byte, line, col << 4 | role, enclosing ordinal, receiver
index + 1``.  The blob's first byte is ``h`` (two bytes per value, when every
value fits) or ``i`` (four bytes).
Receiver texts live once per file in ``files.receivers``.

Indexes written before the ``argument`` role existed hold blobs tagged ``H``
and ``I``, whose third value is ``col << 3 | role``.  Readers decode both
(``raw_values``), so such an index answers correctly until the next full
run has parsed its files again (the extraction rules changed with the role).

Packing is pure and runs in parse workers; unpacking runs in readers.
``pack_table`` packs a whole file's occurrence table with array operations;
``pack`` packs tuples one by one (live buffers) and gives the same blobs.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from codeidx.parse.records import ROLE_CODES, ROLES, OccurrenceRow, OccurrenceTable

_FIELDS = 5
#: The third value of an occurrence is ``col << ROLE_BITS | role code``.
ROLE_BITS = 4
ROLE_MASK = (1 << ROLE_BITS) - 1
_SWAP = sys.byteorder != "little"
assert len(ROLES) <= 1 << ROLE_BITS
#: Blob tag → array type code: ``h``/``i`` now, ``H``/``I`` in older indexes.
TYPECODES = {ord("h"): "H", ord("i"): "I", ord("H"): "H", ord("I"): "I"}
_LEGACY_TAGS = frozenset({ord("H"), ord("I")})
_LEGACY_ROLE_BITS = 3
_LEGACY_ROLE_MASK = (1 << _LEGACY_ROLE_BITS) - 1


@dataclass(frozen=True, slots=True)
class PackedOccurrences:
    """A file's occurrences ready to store: name → (count, blob), receivers."""

    groups: dict[str, tuple[int, bytes]]
    receivers: list[str]


@dataclass(frozen=True, slots=True)
class StoredOccurrence:
    """One occurrence read back from the index."""

    start_byte: int
    line: int
    col: int
    role: str
    enclosing: int
    receiver: str


def pack(rows: Iterable[OccurrenceRow]) -> PackedOccurrences:
    """Group occurrence rows by name and pack each group into a blob."""
    arrays: dict[str, array[int]] = {}
    receivers: list[str] = []
    receiver_ids: dict[str, int] = {}
    codes = ROLE_CODES
    for name, role, start, line, col, enclosing, receiver in rows:
        values = arrays.get(name)
        if values is None:
            values = arrays[name] = array("I")
        recv = 0
        if receiver:
            recv = receiver_ids.get(receiver, 0)
            if not recv:
                receivers.append(receiver)
                recv = receiver_ids[receiver] = len(receivers)
        values.extend((start, line, (col << ROLE_BITS) | codes[role], enclosing, recv))
    groups: dict[str, tuple[int, bytes]] = {}
    for name, values in arrays.items():
        count = len(values) // _FIELDS
        if max(values) < 0x10000:
            # Most files are under 64 KiB: two bytes per value halve the size.
            values = array("H", values)
            tag = b"h"
        else:
            tag = b"i"
        if _SWAP:
            values.byteswap()
        groups[name] = (count, tag + values.tobytes())
    return PackedOccurrences(groups, receivers)


def pack_table(table: OccurrenceTable) -> PackedOccurrences:
    """Pack an occurrence table: the same groups and blobs as ``pack`` of its rows.

    Groups are in order of the names' first appearance and each blob lists
    its occurrences in document order, as ``pack`` does.
    """
    count = len(table)
    if not count:
        return PackedOccurrences({}, list(table.receivers))
    # The table numbers names by first appearance, so a stable sort by name
    # gives the groups in that order, each in document order.
    order = np.argsort(table.name, kind="stable")
    values = np.empty((count, _FIELDS), dtype=np.int64)
    values[:, 0] = table.start
    values[:, 1] = table.line
    values[:, 2] = (table.col << ROLE_BITS) | table.role
    values[:, 3] = table.enclosing
    values[:, 4] = table.receiver
    values = values[order]
    sizes = np.bincount(table.name, minlength=len(table.names))
    offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    widest = np.maximum.reduceat(values.max(axis=1), offsets[:-1])
    narrow = widest < 0x10000
    # Most files are under 64 KiB: two bytes per value halve the size.
    short = memoryview(values.astype("<u2").tobytes() if narrow.any() else b"")
    wide = memoryview(values.astype("<u4").tobytes() if not narrow.all() else b"")
    row = _FIELDS * 2
    # Each blob is its tag followed by a slice of one of the two buffers
    # (a memoryview slice is joined to the tag without an intermediate copy).
    blobs = [
        b"h" + short[start * row : end * row]
        if fits
        else b"i" + wide[start * row * 2 : end * row * 2]
        for start, end, fits in zip(
            offsets[:-1].tolist(), offsets[1:].tolist(), narrow.tolist(), strict=True
        )
    ]
    groups = dict(zip(table.names, zip(sizes.tolist(), blobs, strict=True), strict=True))
    return PackedOccurrences(groups, list(table.receivers))


def unpack(blob: bytes, receivers: list[str]) -> Iterator[StoredOccurrence]:
    """Decode one (name, file) blob; receivers is that file's receiver table."""
    roles = ROLES
    return iter(
        [
            StoredOccurrence(
                start,
                line,
                col_role >> ROLE_BITS,
                roles[col_role & ROLE_MASK],
                enclosing,
                receivers[recv - 1] if recv else "",
            )
            for start, line, col_role, enclosing, recv in iter_raw(blob)
        ]
    )


def raw_values(blob: bytes) -> array[int]:
    """A blob's values in the current layout, five per occurrence.

    A blob of an older index (tag ``H`` or ``I``) has its roles moved into
    the current layout; a current blob is decoded as it is.
    """
    tag = blob[0]
    values = array(TYPECODES[tag])
    values.frombytes(blob[1:])
    if _SWAP:
        values.byteswap()
    if tag in _LEGACY_TAGS:
        values = array("I", values)
        values[2::_FIELDS] = array(
            "I",
            (
                (v >> _LEGACY_ROLE_BITS) << ROLE_BITS | (v & _LEGACY_ROLE_MASK)
                for v in values[2::_FIELDS]
            ),
        )
    return values


def iter_raw(blob: bytes) -> Iterator[tuple[int, int, int, int, int]]:
    """Decode a blob into raw (start, line, col << 4 | role, enclosing, receiver) tuples.

    The fast path for linking: no objects per occurrence.  Use ``col_of`` and
    ``role_of`` on the third value.
    """
    values = raw_values(blob)
    return zip(
        values[0::_FIELDS],
        values[1::_FIELDS],
        values[2::_FIELDS],
        values[3::_FIELDS],
        values[4::_FIELDS],
        strict=True,
    )


def values_matrix(blob: bytes) -> np.ndarray:
    """Decode a blob into an (n, 5) array of its raw values (as ``iter_raw``).

    For readers that work on whole columns: a view on the blob, no object per
    value (a copy for a blob of an older index).
    """
    if blob[0] in _LEGACY_TAGS:
        return np.asarray(raw_values(blob), dtype=np.uint32).reshape(-1, _FIELDS)
    dtype = "<u2" if TYPECODES[blob[0]] == "H" else "<u4"
    return np.frombuffer(blob, dtype=dtype, offset=1).reshape(-1, _FIELDS)


def role_of(col_role: int) -> str:
    """The role packed in the third value."""
    return ROLES[col_role & ROLE_MASK]


def col_of(col_role: int) -> int:
    """The UTF-16 column packed in the third value."""
    return col_role >> ROLE_BITS
