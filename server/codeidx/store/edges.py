"""Typed edges between nodes: written per file by the linker, read by queries.

The writer replaces a file's edges in a transaction it holds; readers use
the ``load_*`` functions on their own connections.
"""

from __future__ import annotations

import sqlite3
import struct
import sys
from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

_SWAP = sys.byteorder != "little"


class EdgeRow(NamedTuple):
    """One aggregated relationship stated by a file.

    A named tuple, so that linking workers can send plain tuples to the
    writer (a fraction of the cost of pickling records).
    """

    src_id: int
    dst_id: int
    kind: str
    confidence: float
    resolution: str
    site_count: int
    sites: bytes  # see pack_sites


#: An ``EdgeRow`` as a plain tuple, in the same order.
EdgeValues = tuple[int, int, str, float, str, int, bytes]


def replace_many_edges(
    conn: sqlite3.Connection, batch: Sequence[tuple[int, Sequence[EdgeValues]]]
) -> int:
    """Replace the edges stated by each file of a batch and mark the files linked.

    The caller holds the transaction.  ``batch`` holds (file id, rows), each
    file once; rows are ``EdgeRow``s or the same values as plain tuples.
    Three statements for the whole batch, not three per file.  Returns the
    change in the number of edges, so writers can keep totals without
    counting the table.
    """
    file_ids = [file_id for file_id, _rows in batch]
    removed = 0
    for i in range(0, len(file_ids), 500):
        chunk = file_ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        removed += conn.execute(f"DELETE FROM edges WHERE file_id IN ({marks})", chunk).rowcount
    values = [
        (src, dst, kind, file_id, confidence, resolution, count, sites)
        for file_id, rows in batch
        for src, dst, kind, confidence, resolution, count, sites in rows
    ]
    conn.executemany(
        "INSERT INTO edges (src_id, dst_id, kind, file_id, confidence, resolution, count, sites)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        values,
    )
    for i in range(0, len(file_ids), 500):
        chunk = file_ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        conn.execute(f"UPDATE files SET linked = 1 WHERE file_id IN ({marks})", chunk)
    return len(values) - removed


def mark_dependents(
    conn: sqlite3.Connection,
    path: str,
    removed: Iterable[int],
    added_names: Iterable[str],
    max_definitions: int = 5,
    *,
    bases_changed: bool = False,
    imports_changed: bool = False,
) -> int:
    """Mark files for re-linking whose edges may change (caller holds the transaction).

    A file depends on another when one of its edges points at a definition
    that vanished; when it imports the file and the file's names or imports
    (re-exports) changed; when it holds a subclass, direct or not, of a class
    whose bases changed; or when it mentions a newly defined name that is rare
    enough for a by-name resolution to pick it (common names never resolve by
    name alone).
    """
    marked = 0
    added = list(added_names)
    removed = list(removed)
    # Importers of a removed definition have an edge to it (handled below).
    if imports_changed or bases_changed:
        marked += conn.execute(
            "UPDATE files SET linked = 0 WHERE linked = 1 AND file_id IN"
            " (SELECT file_id FROM file_deps WHERE target_path = ?)",
            (path,),
        ).rowcount
    elif added:
        # Only importers that mention a new name can resolve differently.
        for i in range(0, len(added), 500):
            chunk = added[i : i + 500]
            marks = ",".join("?" * len(chunk))
            marked += conn.execute(
                f"UPDATE files SET linked = 0 WHERE linked = 1 AND file_id IN"
                f" (SELECT d.file_id FROM file_deps d WHERE d.target_path = ?)"
                f" AND file_id IN (SELECT o.file_id FROM occurrences o"
                f" JOIN names m ON m.name_id = o.name_id WHERE m.name IN ({marks}))",
                (path, *chunk),
            ).rowcount
    if bases_changed:
        marked += conn.execute(
            "WITH RECURSIVE sub(node_id) AS ("
            " SELECT node_id FROM nodes"
            "  WHERE file_id = (SELECT file_id FROM files WHERE path = ?)"
            " UNION SELECT e.src_id FROM edges e JOIN sub ON e.dst_id = sub.node_id"
            "  WHERE e.kind IN ('inherits', 'implements'))"
            " UPDATE files SET linked = 0 WHERE linked = 1 AND file_id IN"
            " (SELECT n.file_id FROM nodes n JOIN sub ON n.node_id = sub.node_id"
            "  UNION SELECT e.file_id FROM edges e JOIN sub ON e.dst_id = sub.node_id)",
            (path,),
        ).rowcount
    for i in range(0, len(removed), 500):
        ids = removed[i : i + 500]
        marks = ",".join("?" * len(ids))
        marked += conn.execute(
            f"UPDATE files SET linked = 0 WHERE linked = 1 AND file_id IN"
            f" (SELECT file_id FROM edges WHERE dst_id IN ({marks}))",
            ids,
        ).rowcount
    names = [
        n
        for n in added
        if conn.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM nodes WHERE name = ? LIMIT ?)",
            (n, max_definitions + 1),
        ).fetchone()[0]
        <= max_definitions
    ]
    for i in range(0, len(names), 500):
        chunk = names[i : i + 500]
        marks = ",".join("?" * len(chunk))
        marked += conn.execute(
            f"UPDATE files SET linked = 0 WHERE linked = 1 AND file_id IN"
            f" (SELECT o.file_id FROM occurrences o JOIN names m ON m.name_id = o.name_id"
            f" WHERE m.name IN ({marks}))",
            chunk,
        ).rowcount
    return marked


def mark_unlinked(conn: sqlite3.Connection, file_ids: Iterable[int]) -> int:
    """Mark files for re-linking (caller holds the transaction); returns how many."""
    return conn.executemany(
        "UPDATE files SET linked = 0 WHERE linked = 1 AND file_id = ?",
        [(fid,) for fid in file_ids],
    ).rowcount


def unlinked_files(conn: sqlite3.Connection) -> list[int]:
    """Files whose edges must be computed (new, changed, or dependents)."""
    return [
        int(r[0]) for r in conn.execute("SELECT file_id FROM files WHERE linked = 0 ORDER BY path")
    ]


def unlink_all(conn: sqlite3.Connection) -> int:
    """Mark every file for linking (caller holds the transaction); returns how many.

    For an index whose edges were made by other linking rules: the next
    link step computes every file's edges again, and until then a file
    keeps its old edges, so readers never see a file without any.
    """
    return conn.execute("UPDATE files SET linked = 0 WHERE linked = 1").rowcount


def file_sizes(conn: sqlite3.Connection, file_ids: Sequence[int]) -> dict[int, int]:
    """file id → size in bytes, to share linking work out evenly."""
    wanted = set(file_ids)
    return {
        int(fid): int(size)
        for fid, size in conn.execute("SELECT file_id, size FROM files")
        if fid in wanted
    }


def pack_sites(values: Sequence[int]) -> bytes:
    """Pack (line, col) pairs: a width byte (``H`` or ``I``) then the values."""
    try:
        # Two bytes per value when every value fits (almost always): the
        # array refuses a value that does not, which is cheaper than max().
        packed = array("H", values)
        tag = b"H"
    except OverflowError:
        packed = array("I", values)
        tag = b"I"
    if _SWAP:
        packed.byteswap()
    return tag + packed.tobytes()


#: A decoder per (width byte, blob length): the callers of a much called
#: method are tens of thousands of edges of a few sites each, and a compiled
#: ``struct`` decodes such a blob in a third less time than an ``array``.
_DECODERS: dict[tuple[int, int], Callable[[bytes, int], tuple[int, ...]]] = {}
_MAX_DECODERS = 4096


def unpack_sites(blob: bytes | None) -> list[tuple[int, int]]:
    """(line, col) of every site packed in an edge."""
    if not blob:
        return []
    key = (blob[0], len(blob))
    decode = _DECODERS.get(key)
    if decode is None:
        code = chr(blob[0])
        pairs, odd = divmod(len(blob) - 1, 2 * struct.calcsize("<" + code))
        if odd:
            raise ValueError(f"packed sites of {len(blob)} bytes do not hold whole pairs")
        if len(_DECODERS) >= _MAX_DECODERS:
            _DECODERS.clear()
        # Little-endian whatever the machine, as ``pack_sites`` writes.
        decode = _DECODERS[key] = struct.Struct(f"<{2 * pairs}{code}").unpack_from
    values = iter(decode(blob, 1))
    return list(zip(values, values, strict=True))


def unpack_site_columns(
    blobs: Sequence[bytes | None],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(counts, lines, cols) of many packed site lists, decoded at once.

    Blob i holds ``counts[i]`` sites: the next ``counts[i]`` values of
    ``lines`` and ``cols``, in packed order.  The callers of a much called
    method are tens of thousands of blobs of a few sites each; when every
    blob is two bytes a value (almost always) one array operation decodes
    them all, otherwise each is decoded on its own (``unpack_sites``, which
    raises ValueError for a blob of a partial pair).
    """
    sizes = np.fromiter((len(b) if b else 0 for b in blobs), np.int64, len(blobs))
    joined = b"".join([b for b in blobs if b])
    raw = np.frombuffer(joined, np.uint8)
    filled = sizes > 0
    starts = (np.cumsum(sizes) - sizes)[filled]
    whole = bool(np.all((sizes[filled] - 1) % 4 == 0))
    if raw.size and whole and bool(np.all(raw[starts] == ord("H"))):
        counts = np.where(sizes > 0, (sizes - 1) // 4, 0)
        keep = np.ones(raw.size, bool)
        keep[starts] = False
        values = raw[keep].view("<u2").astype(np.int64)
        return counts, values[0::2], values[1::2]
    pairs = [unpack_sites(b) for b in blobs]
    counts = np.fromiter((len(p) for p in pairs), np.int64, len(pairs))
    flat = np.array([v for p in pairs for pair in p for v in pair], np.int64)
    return counts, flat[0::2], flat[1::2]


def share_a_site(a: bytes | None, b: bytes | None) -> bool:
    """Whether two packed site lists (``pack_sites``) have a (line, col) in common."""
    if not a or not b:
        return False
    if a == b:
        # The same calls, packed the same way (rival guesses of one call).
        return len(a) > 1
    return not set(unpack_sites(a)).isdisjoint(unpack_sites(b))
