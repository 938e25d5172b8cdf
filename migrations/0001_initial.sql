-- The index of record: files, their definitions (nodes), identifier
-- occurrences, imports, typed relationships, index sessions and the change
-- history.  Paths are workspace-relative POSIX paths so an index can be
-- copied to another machine.  Positions: byte offsets, 0-based lines and
-- 0-based UTF-16 columns.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sessions (
    session_id      INTEGER PRIMARY KEY,
    started_at      REAL NOT NULL,
    ended_at        REAL,
    mode            TEXT NOT NULL,          -- incremental | force | files
    status          TEXT NOT NULL,          -- running | complete | interrupted | failed
    saw_everything  INTEGER NOT NULL DEFAULT 0,
    files_seen      INTEGER NOT NULL DEFAULT 0,
    files_parsed    INTEGER NOT NULL DEFAULT 0,
    files_restored  INTEGER NOT NULL DEFAULT 0,
    files_unchanged INTEGER NOT NULL DEFAULT 0,
    files_skipped   INTEGER NOT NULL DEFAULT 0,
    files_failed    INTEGER NOT NULL DEFAULT 0,
    files_deleted   INTEGER NOT NULL DEFAULT 0,
    nodes           INTEGER NOT NULL DEFAULT 0,
    edges           INTEGER NOT NULL DEFAULT 0,
    reasons         TEXT NOT NULL DEFAULT '{}',   -- JSON {reason: count}
    timings         TEXT NOT NULL DEFAULT '{}',   -- JSON {phase: seconds}
    git_commit      TEXT,
    git_author      TEXT,
    git_branch      TEXT,
    error           TEXT
);

CREATE TABLE files (
    file_id       INTEGER PRIMARY KEY,
    path          TEXT NOT NULL UNIQUE,
    language      TEXT NOT NULL,
    module_name   TEXT NOT NULL,
    size          INTEGER NOT NULL,
    mtime_ns      INTEGER NOT NULL,
    content_hash  TEXT NOT NULL,
    line_count    INTEGER NOT NULL,
    error_count   INTEGER NOT NULL DEFAULT 0,   -- syntax error nodes tree-sitter recovered from
    problems      TEXT,                          -- JSON [[reason, detail, line], ...] or NULL
    locals        BLOB,                          -- marshal {ordinal: [name, ...]} of function locals
    receivers     BLOB,                          -- marshal [text, ...]: receiver texts by local index
    linked        INTEGER NOT NULL DEFAULT 0,    -- 0 while the file's edges must be (re)computed
    session_id    INTEGER NOT NULL
);
CREATE INDEX files_module ON files(module_name);
CREATE INDEX files_unlinked ON files(linked) WHERE linked = 0;

-- Definitions.  node_id is a stable 63-bit hash of (path, qualified name,
-- kind, disambiguator, parent id) so re-parsing an unchanged symbol keeps its
-- id.  Rows are keyed by a sequential node_pk (the last column) so a file's
-- nodes are appended together instead of scattered by their hashed ids.
CREATE TABLE nodes (
    node_id         INTEGER NOT NULL,
    file_id         INTEGER NOT NULL REFERENCES files(file_id) ON DELETE CASCADE,
    ordinal         INTEGER NOT NULL,
    parent_id       INTEGER,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    qualified_name  TEXT NOT NULL,
    visibility      TEXT NOT NULL,
    signature       TEXT NOT NULL,
    doc             TEXT,
    decorators      TEXT,           -- JSON [text, ...]
    params          TEXT,           -- JSON [[name, type, default, variadic], ...] in order
    type_params     TEXT,           -- JSON [[name, constraint], ...]
    bases           TEXT,           -- JSON [[role, text], ...] as written
    start_byte      INTEGER NOT NULL,
    end_byte        INTEGER NOT NULL,
    start_line      INTEGER NOT NULL,
    start_col       INTEGER NOT NULL,
    end_line        INTEGER NOT NULL,
    end_col         INTEGER NOT NULL,
    name_start_byte INTEGER NOT NULL,
    name_end_byte   INTEGER NOT NULL,
    name_line       INTEGER NOT NULL,
    name_col        INTEGER NOT NULL,
    name_end_col    INTEGER NOT NULL,
    body_hash       TEXT NOT NULL,
    disambiguator   INTEGER NOT NULL DEFAULT 0,
    node_pk         INTEGER PRIMARY KEY
);
CREATE UNIQUE INDEX nodes_id ON nodes(node_id);
CREATE INDEX nodes_file ON nodes(file_id, ordinal);
CREATE INDEX nodes_name ON nodes(name);
CREATE INDEX nodes_parent ON nodes(parent_id);

-- Interned identifier names.
CREATE TABLE names (
    name_id INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE
);

-- Identifier occurrences, one row per (name, file).  data packs five
-- little-endian unsigned integers per occurrence after a width byte ('H' for
-- 16-bit, 'I' for 32-bit values): start_byte, line, col << 3 | role,
-- enclosing node ordinal, receiver index + 1 into files.receivers (0 = none).
-- Packing keeps the millions of occurrences of a large workspace within a
-- few bytes each and lets parse workers build the rows.
-- Clustered by file so a file's rows are written and deleted together.
CREATE TABLE occurrences (
    file_id INTEGER NOT NULL REFERENCES files(file_id) ON DELETE CASCADE,
    name_id INTEGER NOT NULL,
    count   INTEGER NOT NULL,
    data    BLOB NOT NULL,
    PRIMARY KEY (file_id, name_id)
) WITHOUT ROWID;
CREATE INDEX occurrences_name ON occurrences(name_id);

-- Imports, includes, uses and requires; target_path is the resolved file.
CREATE TABLE file_deps (
    dep_id       INTEGER PRIMARY KEY,
    file_id      INTEGER NOT NULL REFERENCES files(file_id) ON DELETE CASCADE,
    line         INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL,
    module       TEXT NOT NULL,
    names        TEXT,                  -- JSON [[name, alias], ...]
    bind         TEXT,
    is_relative  INTEGER NOT NULL,
    level        INTEGER NOT NULL DEFAULT 0,
    is_external  INTEGER NOT NULL,
    target_path  TEXT
);
CREATE INDEX file_deps_file ON file_deps(file_id);
CREATE INDEX file_deps_target ON file_deps(target_path);

-- Typed relationships between nodes.  file_id is the file whose text states
-- the relationship, so re-linking a file replaces exactly its edges.
-- sites packs the (line, col) pairs of every occurrence (call sites) after a
-- width byte, like occurrences.data.
CREATE TABLE edges (
    edge_id     INTEGER PRIMARY KEY,
    file_id     INTEGER NOT NULL REFERENCES files(file_id) ON DELETE CASCADE,
    src_id      INTEGER NOT NULL,
    dst_id      INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    confidence  REAL NOT NULL,
    resolution  TEXT NOT NULL,          -- exact | by_name
    count       INTEGER NOT NULL DEFAULT 1,
    sites       BLOB
);
-- A node has few edges, so the kind is filtered after the lookup; leaving it
-- out of the indexes (and keying the table by a small rowid) keeps them small.
CREATE INDEX edges_file ON edges(file_id);
CREATE INDEX edges_src ON edges(src_id);
CREATE INDEX edges_dst ON edges(dst_id);

-- Change history: one row per file created, modified or deleted by a run.
CREATE TABLE changes (
    change_id      INTEGER PRIMARY KEY,
    session_id     INTEGER NOT NULL REFERENCES sessions(session_id),
    path           TEXT NOT NULL,
    change         TEXT NOT NULL,       -- created | modified | deleted
    content_hash   TEXT,
    previous_hash  TEXT,
    nodes_added    TEXT NOT NULL DEFAULT '[]',   -- JSON [node_id, ...]
    nodes_removed  TEXT NOT NULL DEFAULT '[]',
    nodes_changed  TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX changes_session ON changes(session_id);
CREATE INDEX changes_path ON changes(path);

-- Rows of file versions that were replaced, so switching branches back and
-- forth restores them instead of parsing again.  Bounded by the writer.
CREATE TABLE snapshots (
    content_hash TEXT NOT NULL,
    path         TEXT NOT NULL,
    created_at   REAL NOT NULL,
    data         BLOB NOT NULL,
    PRIMARY KEY (content_hash, path)
) WITHOUT ROWID;
