"""Import targets kept true when the workspace around unchanged files changes.

A file's imports are resolved when it is parsed, against the workspace of
that run.  When files appear or vanish, or a language's configuration
changes (``tsconfig.json`` paths, a ``package.json``, ``go.mod``,
``Cargo.toml``), an unchanged file's import may name another file: ``./b``
resolves once ``b.ts`` is created, and no longer once it is deleted.  A run
that sees such a change resolves every stored import again against the new
workspace, stores the targets that differ and marks those files, and the
files importing them (their re-exports may differ), for linking.

The trigger is a digest of the file set and the configuration texts kept in
``meta`` (``workspace``): a save, which changes neither, costs nothing here.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Collection

from codeidx.parse import registry
from codeidx.parse.hooks import Workspace
from codeidx.store import db, edges, files

_META_KEY = "workspace"


def workspace_digest(workspace: Workspace) -> str:
    """A digest of what import resolution reads: the file set and the configuration texts."""
    digest = hashlib.blake2b(digest_size=12)
    for path in sorted(workspace.files):
        digest.update(path.encode("utf-8", "replace") + b"\0")
    digest.update(b"\1")
    for key, content in sorted(workspace.configs.items()):
        digest.update(key.encode("utf-8", "replace") + b"\0")
        digest.update(content.encode("utf-8", "replace") + b"\0")
    return digest.hexdigest()


def workspace_changed(conn: sqlite3.Connection, workspace: Workspace) -> bool:
    """Whether the workspace differs from the one the stored targets were resolved in.

    Records the new digest in the caller's transaction.  An index without a
    digest (a new one, or one from before this check) counts as unchanged:
    its files were all parsed against the workspace of their run.
    """
    found = workspace_digest(workspace)
    before = db.read_meta(conn, _META_KEY)
    if before != found:
        db.write_meta(conn, _META_KEY, found)
    return before is not None and before != found


def refresh_targets(
    conn: sqlite3.Connection, workspace: Workspace, resolved: Collection[str] = ()
) -> int:
    """Resolve the stored imports again; returns how many files' targets changed.

    ``resolved`` are the files this run parsed, against this very
    workspace: their targets are already its answers.  The caller holds
    the transaction.  A file whose targets changed is re-linked, and so are
    the files importing it.
    """
    changed: list[tuple[str | None, int]] = []
    touched: dict[int, str] = {}
    for stored in files.stored_imports(conn):
        if stored.path in resolved:
            continue
        language = registry.language_for_path(stored.path)
        if language is None:
            continue
        hooks = registry.hooks(language).HOOKS
        found = hooks.resolve_import(stored.record, stored.path, workspace)
        if found != stored.target:
            changed.append((found, stored.dep_id))
            touched[stored.file_id] = stored.path
    if not changed:
        return 0
    files.set_import_targets(conn, changed)
    edges.mark_unlinked(conn, touched)
    for path in touched.values():
        edges.mark_dependents(conn, path, (), (), imports_changed=True)
    return len(touched)
