"""Tests for codeidx.store.migrate: apply, re-apply, refuse, roll back, find."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from codeidx.errors import MigrationError, SchemaTooNew
from codeidx.store import db, migrate
from codeidx.store.migrate import Migration, apply_migrations, shipped_migrations

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

REPO = Path(__file__).resolve().parents[2]

#: Every table the shipped schema must create (what the index and queries read).
TABLES = {
    "schema_migrations",
    "meta",
    "sessions",
    "files",
    "nodes",
    "names",
    "occurrences",
    "file_deps",
    "edges",
    "changes",
    "snapshots",
}


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A writer connection on an empty database, closed at the end."""
    connection = db.connect_writer(tmp_path / "index.sqlite")
    try:
        yield connection
    finally:
        connection.close()


def schema_dump(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT type, name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name"
        )
    ]


def tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def migration_rows(conn: sqlite3.Connection) -> list[tuple[int, str, str, float]]:
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"
        )
    ]


def test_empty_database_gets_every_table_and_a_row_per_migration(conn: sqlite3.Connection):
    shipped = shipped_migrations()

    applied = apply_migrations(conn)

    assert applied == [m.version for m in shipped]
    assert tables(conn) >= TABLES
    rows = migration_rows(conn)
    assert [(v, n, c) for v, n, c, _ in rows] == [(m.version, m.name, m.checksum) for m in shipped]
    assert rows[0][:2] == (1, "initial")
    assert all(re.fullmatch(r"[0-9a-f]{64}", c) for _, _, c, _ in rows)
    assert migrate.current_version(conn) == shipped[-1].version
    assert not conn.in_transaction


def test_applying_twice_changes_nothing(conn: sqlite3.Connection):
    apply_migrations(conn)
    dump, rows = schema_dump(conn), migration_rows(conn)

    assert apply_migrations(conn) == []

    assert schema_dump(conn) == dump
    assert migration_rows(conn) == rows


def test_reopened_database_is_not_migrated_again(tmp_path: Path):
    path = tmp_path / "index.sqlite"
    first = db.connect_writer(path)
    try:
        apply_migrations(first)
        dump = schema_dump(first)
    finally:
        first.close()
    second = db.connect_writer(path)
    try:
        assert apply_migrations(second) == []
        assert schema_dump(second) == dump
    finally:
        second.close()


def test_newer_database_is_refused_naming_both_versions(conn: sqlite3.Connection):
    apply_migrations(conn)
    newest = shipped_migrations()[-1].version
    future = newest + 41
    conn.execute(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
        " VALUES (?, 'from_the_future', 'x', 0)",
        (future,),
    )
    dump = schema_dump(conn)

    with pytest.raises(SchemaTooNew) as caught:
        apply_migrations(conn)

    message = str(caught.value)
    assert str(future) in message
    assert str(newest) in message
    assert caught.value.hint
    assert schema_dump(conn) == dump


def test_modified_shipped_migration_is_reported_by_number(conn: sqlite3.Connection):
    shipped = shipped_migrations()
    apply_migrations(conn, shipped)
    edited = [
        Migration(m.version, m.name, m.sql + "\n-- an edit after release\n")
        if m.version == 1
        else m
        for m in shipped
    ]

    with pytest.raises(MigrationError, match=r"\b0001\b.*modified"):
        apply_migrations(conn, edited)


def test_modified_checksum_in_database_is_reported(conn: sqlite3.Connection):
    apply_migrations(conn)
    conn.execute("UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1")

    with pytest.raises(MigrationError, match=r"\b0001\b"):
        apply_migrations(conn)


def test_applied_migration_missing_from_the_list_is_reported(conn: sqlite3.Connection):
    first = Migration(1, "one", "CREATE TABLE one (x INTEGER);")
    second = Migration(2, "two", "CREATE TABLE two (x INTEGER);")
    apply_migrations(conn, [first, second])

    # A list that still reaches version 2 but lost version 1.
    with pytest.raises(MigrationError, match=r"\b0001\b"):
        apply_migrations(conn, [second])


def test_failing_migration_rolls_back_completely(conn: sqlite3.Connection):
    good = Migration(1, "good", "CREATE TABLE kept (x INTEGER);")
    bad = Migration(
        2,
        "half_good",
        "CREATE TABLE must_vanish (x INTEGER);\n"
        "INSERT INTO must_vanish VALUES (1);\n"
        "CREATE TABLE broken (x INTEGER REFERENCES;\n",
    )

    with pytest.raises(MigrationError, match=r"\b0002\b"):
        apply_migrations(conn, [good, bad])

    assert "kept" in tables(conn)
    assert "must_vanish" not in tables(conn)
    assert [r[0] for r in migration_rows(conn)] == [1]
    assert not conn.in_transaction
    # After fixing the migration, the runner picks up where it stopped.
    fixed = Migration(2, "half_good", "CREATE TABLE must_vanish (x INTEGER);")
    assert apply_migrations(conn, [good, fixed]) == [2]


def test_failing_statement_inside_a_single_migration_leaves_nothing(conn: sqlite3.Connection):
    bad = Migration(
        1,
        "one_file",
        "CREATE TABLE first_half (x INTEGER);\nCREATE INDEX nope ON no_such_table(x);\n",
    )

    with pytest.raises(MigrationError, match=r"\b0001\b"):
        apply_migrations(conn, [bad])

    assert "first_half" not in tables(conn)
    assert migration_rows(conn) == []


def test_migration_with_trigger_and_comments_is_split_correctly(conn: sqlite3.Connection):
    sql = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE t (x INTEGER);\n"
        "CREATE TABLE log (x INTEGER);\n"
        "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN\n"
        "    INSERT INTO log VALUES (new.x);\n"
        "END;\n"
    )
    apply_migrations(conn, [Migration(1, "trigger", sql)])
    conn.execute("INSERT INTO t VALUES (7)")
    assert conn.execute("SELECT x FROM log").fetchall() == [(7,)]


def test_shipped_migrations_start_at_0001_and_match_the_repository():
    shipped = shipped_migrations()

    assert shipped[0].version == 1
    assert shipped[0].name == "initial"
    assert [m.version for m in shipped] == list(range(1, len(shipped) + 1))
    on_disk = sorted(p.name for p in (REPO / "migrations").glob("[0-9][0-9][0-9][0-9]_*.sql"))
    assert [f"{m.version:04d}_{m.name}.sql" for m in shipped] == on_disk
    assert shipped[0].sql == (REPO / "migrations" / "0001_initial.sql").read_text("utf-8")


def test_shipped_migrations_are_found_in_an_installed_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # A wheel maps migrations/ to codeidx/migrations (pyproject force-include);
    # _folder() reads it through importlib.resources.  Build that layout.
    package = tmp_path / "site" / "codeidx"
    (package / "migrations").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for source in sorted((REPO / "migrations").glob("*.sql")):
        (package / "migrations" / source.name).write_bytes(source.read_bytes())
    (package / "migrations" / "README.txt").write_text("not a migration")

    def installed_files(name: str):
        assert name == "codeidx"
        return package

    monkeypatch.setattr(migrate.resources, "files", installed_files)

    shipped = shipped_migrations()

    assert shipped[0].version == 1
    assert shipped[0].sql == (REPO / "migrations" / "0001_initial.sql").read_text("utf-8")


def test_gap_in_shipped_migrations_is_reported_by_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    package = tmp_path / "codeidx"
    (package / "migrations").mkdir(parents=True)
    (package / "migrations" / "0001_initial.sql").write_text("CREATE TABLE a (x);\n")
    (package / "migrations" / "0003_later.sql").write_text("CREATE TABLE c (x);\n")
    monkeypatch.setattr(migrate.resources, "files", lambda name: package)

    with pytest.raises(MigrationError, match=r"\b0002\b"):
        shipped_migrations()
