"""A temporary workspace plus read-only views of its index, for pipeline tests.

Files are written with explicit, strictly increasing mtimes so a test never
depends on the file system's timestamp granularity: two writes in the same
clock tick would otherwise look unchanged to the size + mtime fingerprint.
"""

from __future__ import annotations

import json
import os
import sqlite3
import textwrap
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codeidx.index.pipeline import IndexOptions, RunResult, run_index
from codeidx.store.edges import unpack_sites

#: The first fake mtime (2023-11-14), far from "now" so nothing races with it.
_EPOCH_NS = 1_700_000_000 * 10**9


@dataclass(frozen=True)
class Edge:
    """An edge with both ends named by qualified name."""

    src: str
    dst: str
    kind: str
    confidence: float
    resolution: str
    count: int
    sites: frozenset[tuple[int, int]]


@dataclass
class Workspace:
    """A workspace root and its index folder."""

    root: Path
    index_dir: Path
    _clock_ns: int = field(default=_EPOCH_NS)

    # Files -------------------------------------------------------------

    def _tick(self) -> int:
        self._clock_ns += 10**9
        return self._clock_ns

    def write(self, rel: str, text: str | bytes, dedent: bool = True) -> Path:
        """Write a file (text is dedented) with a new, later mtime."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            data = (textwrap.dedent(text).lstrip("\n") if dedent else text).encode()
        else:
            data = text
        path.write_bytes(data)
        self.touch(rel)
        return path

    def touch(self, rel: str) -> int:
        """Give a file a new, later mtime without changing its content."""
        ns = self._tick()
        os.utime(self.root / rel, ns=(ns, ns))
        return ns

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink()

    def rename(self, old: str, new: str) -> None:
        target = self.root / new
        target.parent.mkdir(parents=True, exist_ok=True)
        (self.root / old).rename(target)

    # Runs --------------------------------------------------------------

    def index(
        self,
        options: IndexOptions | None = None,
        should_stop: Callable[[], bool] | None = None,
        **kwargs: Any,
    ) -> RunResult:
        """Run the indexer; keyword arguments become IndexOptions fields."""
        if options is None:
            options = IndexOptions(**kwargs)
        return run_index(self.root, self.index_dir, options, should_stop=should_stop)

    def fresh(self) -> Workspace:
        """The same workspace indexed from scratch into a new index folder.

        An incremental run must leave the index as a full rebuild would.
        """
        n = 1
        while (self.index_dir.parent / f"fresh-{n}").exists():
            n += 1
        other = Workspace(self.root, self.index_dir.parent / f"fresh-{n}")
        result = other.index()
        assert result.status == "complete", result
        return other

    # Index views (each opens and closes its own read-only connection) ----

    @property
    def db_path(self) -> Path:
        return self.index_dir / "index.sqlite"

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        uri = f"{self.db_path.as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            return [tuple(r) for r in conn.execute(sql, params)]

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        rows = self.query(sql, params)
        assert len(rows) == 1, rows
        return rows[0][0]

    def nodes(self, path: str | None = None) -> dict[str, int]:
        """qualified name → node id (of one file, or of the whole index)."""
        sql = "SELECT n.qualified_name, n.node_id FROM nodes n JOIN files f USING (file_id)"
        rows = self.query(sql + " WHERE f.path = ?", (path,)) if path else self.query(sql)
        out: dict[str, int] = {}
        for qualified, nid in rows:
            assert qualified not in out, f"{qualified} defined twice"
            out[qualified] = nid
        return out

    def node_rows(self, path: str) -> list[tuple[Any, ...]]:
        """(node_id, qualified_name, kind, name) of one file's nodes, by ordinal."""
        return self.query(
            "SELECT n.node_id, n.qualified_name, n.kind, n.name FROM nodes n"
            " JOIN files f USING (file_id) WHERE f.path = ? ORDER BY n.ordinal",
            (path,),
        )

    def files(self) -> dict[str, dict[str, Any]]:
        """path → the files row as a dict."""
        out = {}
        for row in self._dicts("SELECT * FROM files"):
            out[row["path"]] = row
        return out

    def session(self, session_id: int) -> dict[str, Any]:
        rows = self._dicts("SELECT * FROM sessions WHERE session_id = ?", (session_id,))
        assert len(rows) == 1
        row = rows[0]
        row["reasons"] = json.loads(row["reasons"])
        return row

    def changes(self, session_id: int) -> list[dict[str, Any]]:
        """Change rows of one session, by path, with node id lists decoded."""
        rows = self._dicts(
            "SELECT * FROM changes WHERE session_id = ? ORDER BY path, change_id", (session_id,)
        )
        for row in rows:
            for key in ("nodes_added", "nodes_removed", "nodes_changed"):
                row[key] = json.loads(row[key])
        return rows

    def edges(self, kind: str | None = None) -> set[Edge]:
        """Every edge (or those of one kind) with qualified names at both ends.

        An end that names no stored node is shown as ``<dangling N>``.
        """
        names = {nid: qn for qn, nid in self._all_node_names()}
        sql = "SELECT src_id, dst_id, kind, confidence, resolution, count, sites FROM edges"
        rows = self.query(sql + " WHERE kind = ?", (kind,)) if kind else self.query(sql)
        return {
            Edge(
                names.get(src, f"<dangling {src}>"),
                names.get(dst, f"<dangling {dst}>"),
                k,
                conf,
                res,
                count,
                frozenset(unpack_sites(sites)),
            )
            for src, dst, k, conf, res, count, sites in rows
        }

    def pairs(self, kind: str) -> set[tuple[str, str]]:
        """(src, dst) qualified names of every edge of one kind."""
        return {(e.src, e.dst) for e in self.edges(kind)}

    def _all_node_names(self) -> list[tuple[str, int]]:
        return [(qn, nid) for qn, nid in self.query("SELECT qualified_name, node_id FROM nodes")]

    def _dicts(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        uri = f"{self.db_path.as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            cur = conn.execute(sql, params)
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r, strict=True)) for r in cur]
