"""The packed occurrence format reads blobs of older indexes the same way.

Indexes written before the ``argument`` role hold blobs tagged ``H``/``I``
with the role in three bits; until the next full run parses their files
again, every reader must decode them as it decodes current blobs.
"""

from __future__ import annotations

from array import array

import numpy as np

from codeidx.parse.records import ROLE_CODES, ROLES
from codeidx.store.navigation import occurrence_lines
from codeidx.store.occurrences import ROLE_MASK, iter_raw, pack, unpack, values_matrix

ROWS = [
    # name, role, start, line, col, enclosing, receiver
    ("x", "write", 4, 0, 4, 1, ""),
    ("x", "read", 30, 2, 9000, 1, "self"),  # a column past 13 bits
    ("x", "instantiate", 70, 5, 3, 0, "mod"),
    ("x", "call", 90, 6, 0, 2, ""),
]


def _legacy_blob(tag: str) -> bytes:
    """The blob an older index stored for ROWS: ``col << 3 | role``."""
    receivers = ["", "self", "mod"]
    values = array(tag)
    for _name, role, start, line, col, enclosing, receiver in ROWS:
        values.extend(
            (start, line, col << 3 | ROLE_CODES[role], enclosing, receivers.index(receiver))
        )
    return tag.encode() + values.tobytes()


def test_current_blobs_hold_every_role() -> None:
    roles = list(ROLE_CODES)
    rows = [("k", role, i * 10, i, i + 1, 0, "f") for i, role in enumerate(roles)]
    packed = pack(rows)
    count, blob = packed.groups["k"]
    assert count == len(roles) == len(ROLES) and blob[:1] == b"h"
    # Each role keeps its own code; ``unpack`` and ``loop`` read back as
    # the writes they are to everyone but the typing of locals.
    assert [raw[2] & ROLE_MASK for raw in iter_raw(blob)] == [ROLE_CODES[r] for r in roles]
    decoded = list(unpack(blob, packed.receivers))
    assert [o.role for o in decoded] == [r if r in ROLES else "write" for r in roles]
    assert [o.col for o in decoded] == [i + 1 for i in range(len(roles))]


def test_blobs_of_an_older_index_decode_like_current_ones() -> None:
    current = pack(ROWS)
    _count, blob = current.groups["x"]
    expected = list(unpack(blob, current.receivers))
    # A column this wide never fitted two bytes: an older index stored this
    # name's blob with four bytes per value.
    legacy = _legacy_blob("I")
    assert list(unpack(legacy, ["self", "mod"])) == expected
    assert list(iter_raw(legacy)) == list(iter_raw(blob))
    assert np.array_equal(values_matrix(legacy), values_matrix(blob).astype(np.uint32))
    assert list(occurrence_lines(legacy)) == [0, 2, 5, 6]


def test_narrow_blobs_of_an_older_index() -> None:
    rows = [("y", "decorator", 1, 0, 1, 0, ""), ("y", "inherit", 9, 1, 7, 0, "")]
    values = array("H")
    for _name, role, start, line, col, enclosing, _recv in rows:
        values.extend((start, line, col << 3 | ROLE_CODES[role], enclosing, 0))
    legacy = b"H" + values.tobytes()
    decoded = list(unpack(legacy, []))
    assert [(o.role, o.col, o.line) for o in decoded] == [("decorator", 1, 0), ("inherit", 7, 1)]
    _count, blob = pack(rows).groups["y"]
    assert np.array_equal(values_matrix(legacy), values_matrix(blob).astype(np.uint32))
