"""The migrations runner: numbered SQL files are the only place the schema lives.

``migrations/NNNN_description.sql`` files are append-only.  The runner records
version, name and checksum of each applied file in ``schema_migrations``,
applies each pending file in one transaction, refuses a database that is newer
than this codeidx knows (``SchemaTooNew``) and reports a shipped migration that
was modified or is missing by number (``MigrationError``).

The folder is mapped into the wheel as ``codeidx/migrations``; a source
checkout (editable install) reads the repository's ``migrations/`` folder.
A side database with its own schema (the embedding cache) keeps its files in
a sub-folder, ``migrations/<folder>/``, and is migrated by the same rules with
``folder=<folder>``; the default is the main index's top-level files.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from codeidx.errors import MigrationError, SchemaTooNew

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One shipped migration file."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def _folder(folder: str | None = None) -> Traversable:
    packaged = resources.files("codeidx").joinpath("migrations")
    if folder is not None:
        packaged = packaged.joinpath(folder)
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parents[3] / "migrations"
    if folder is not None:
        source = source / folder
    if source.is_dir():
        return source
    raise MigrationError("the migrations folder is missing from this installation of codeidx")


def shipped_migrations(folder: str | None = None) -> list[Migration]:
    """Every migration shipped with this codeidx, in version order.

    ``folder`` names a sub-folder of ``migrations/`` holding the schema of a
    side database; ``None`` means the main index's files.
    """
    found: list[Migration] = []
    for entry in _folder(folder).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise MigrationError(f"migration {expected:04d} is missing from this installation")
    return found


def current_version(conn: sqlite3.Connection) -> int:
    """The highest applied version, 0 for an empty database."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if not exists:
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def apply_migrations(
    conn: sqlite3.Connection,
    migrations: list[Migration] | None = None,
    *,
    folder: str | None = None,
) -> list[int]:
    """Bring the schema up to date; returns the versions applied now.

    Called by the writer only (it writes).  ``folder`` selects the shipped
    files of a side database (``migrations/<folder>/``) when ``migrations``
    is not given.  Raises SchemaTooNew when the database has versions this
    codeidx does not ship, MigrationError when an applied migration's
    checksum differs from the shipped file.
    """
    migrations = shipped_migrations(folder) if migrations is None else migrations
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " checksum TEXT NOT NULL, applied_at REAL NOT NULL)"
    )
    applied = {
        int(v): c for v, c in conn.execute("SELECT version, checksum FROM schema_migrations")
    }
    known = {m.version: m for m in migrations}
    newest = max(known, default=0)
    if applied and max(applied) > newest:
        raise SchemaTooNew(
            f"the index was written by a newer codeidx (schema {max(applied)},"
            f" this codeidx knows up to {newest})",
            hint="upgrade codeidx, or delete the index folder to rebuild it",
        )
    for version, checksum in sorted(applied.items()):
        shipped = known.get(version)
        if shipped is None:
            raise MigrationError(f"migration {version:04d} was applied but is not shipped")
        if shipped.checksum != checksum:
            raise MigrationError(
                f"migration {version:04d} ({shipped.name}) was modified after it was applied",
                hint="shipped migrations are append-only; delete the index folder to rebuild",
            )
    done: list[int] = []
    for migration in migrations:
        if migration.version in applied:
            continue
        _apply_one(conn, migration)
        done.append(migration.version)
    return done


def _apply_one(conn: sqlite3.Connection, migration: Migration) -> None:
    # executescript() commits first and runs outside our control, so the
    # statements are split and run inside one explicit transaction instead.
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in _statements(migration.sql):
            conn.execute(statement)
        conn.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
            " VALUES (?, ?, ?, ?)",
            (migration.version, migration.name, migration.checksum, time.time()),
        )
    except sqlite3.Error as exc:
        conn.execute("ROLLBACK")
        raise MigrationError(
            f"migration {migration.version:04d} ({migration.name}) failed: {exc}"
        ) from exc
    conn.execute("COMMIT")


def _statements(sql: str) -> list[str]:
    """Split a migration into complete statements (comments and triggers aware)."""
    out: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            stripped = "\n".join(
                part for part in buffer.splitlines() if not part.strip().startswith("--")
            ).strip()
            if stripped:
                out.append(stripped)
            buffer = ""
    if buffer.strip() and any(
        not part.strip().startswith("--") for part in buffer.splitlines() if part.strip()
    ):
        raise MigrationError("a migration ends with an incomplete statement")
    return out
