"""Incremental indexing: what a re-run parses, records and keeps.

Each test builds a small Python workspace, indexes it, changes it the way a
user or ``git`` would, indexes again and checks the counts, the change rows
and the stored nodes and edges.  ``check_consistent`` runs after every run:
every file is linked, no edge points at a node that is gone, and the nodes
and edges equal those of a from-scratch index of the same files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from codeidx.index.pipeline import RunResult
from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

A = textwrap.dedent("""
    def alpha():
        return 1


    def beta(x):
        return alpha() + x


    class Gamma:
        def method(self):
            return beta(2)
""").lstrip()

B = textwrap.dedent("""
    from a import alpha


    def uses_alpha():
        return alpha()
""").lstrip()

C = textwrap.dedent("""
    VALUE = 3


    def gamma_value():
        return VALUE
""").lstrip()


def index(ws: Workspace, **options: object) -> RunResult:
    result = ws.index(**options)
    assert result.status == "complete", result
    check_consistent(ws)
    return result


def check_consistent(ws: Workspace) -> None:
    """Every file linked, no dangling edge, no orphan rows."""
    unlinked = ws.query("SELECT path FROM files WHERE linked = 0")
    assert unlinked == [], f"files left unlinked: {unlinked}"
    dangling = ws.query(
        "SELECT e.kind, e.src_id, e.dst_id FROM edges e"
        " WHERE e.src_id NOT IN (SELECT node_id FROM nodes)"
        " OR e.dst_id NOT IN (SELECT node_id FROM nodes)"
    )
    assert dangling == [], f"edges pointing at nodes that are gone: {dangling}"
    for table in ("nodes", "occurrences", "file_deps", "edges"):
        orphans = ws.scalar(
            f"SELECT COUNT(*) FROM {table} WHERE file_id NOT IN (SELECT file_id FROM files)"
        )
        assert orphans == 0, f"{table} rows of deleted files"
    fresh = ws.fresh()
    assert ws.nodes() == fresh.nodes()
    stale, missing = ws.edges() - fresh.edges(), fresh.edges() - ws.edges()
    assert (stale, missing) == (set(), set()), "incremental edges differ from a rebuild"
    targets = (
        "SELECT f.path, d.line, d.module, d.target_path FROM file_deps d"
        " JOIN files f ON f.file_id = d.file_id ORDER BY 1, 2, 3"
    )
    assert ws.query(targets) == fresh.query(targets), "import targets differ from a rebuild"


@pytest.fixture
def indexed(ws: Workspace) -> Workspace:
    """a.py, b.py and c.py, indexed once."""
    ws.write("a.py", A)
    ws.write("b.py", B)
    ws.write("c.py", C)
    first = index(ws)
    assert first.counts.files_parsed == 3
    return ws


def only_change(ws: Workspace, result: RunResult) -> dict[str, object]:
    rows = ws.changes(result.session_id)
    assert len(rows) == 1, rows
    return rows[0]


# Modifications ------------------------------------------------------------


def test_body_edit_parses_one_file_and_lists_the_changed_node(indexed: Workspace):
    ws = indexed
    before = ws.nodes()
    ws.write("a.py", A.replace("return alpha() + x", "return alpha() * x"))

    result = index(ws)

    assert result.counts.files_parsed == 1
    assert result.counts.files_unchanged == 2
    assert result.counts.files_restored == 0
    change = only_change(ws, result)
    assert change["path"] == "a.py"
    assert change["change"] == "modified"
    assert change["content_hash"] != change["previous_hash"]
    assert change["nodes_changed"] == [before["a.beta"]]
    assert change["nodes_added"] == []
    assert change["nodes_removed"] == []
    assert ws.nodes() == before
    assert result.changed_paths == ["a.py"]


def test_method_edit_lists_the_method_and_at_most_its_class(indexed: Workspace):
    ws = indexed
    before = ws.nodes("a.py")
    ws.write("a.py", A.replace("return beta(2)", "return beta(3)"))

    change = only_change(ws, index(ws))

    changed = set(change["nodes_changed"])
    assert before["a.Gamma.method"] in changed
    assert changed <= {before["a.Gamma.method"], before["a.Gamma"]}
    assert change["nodes_added"] == change["nodes_removed"] == []


def test_added_function_is_listed_by_its_stable_id(indexed: Workspace):
    ws = indexed
    before = ws.nodes("a.py")
    ws.write("a.py", A + "\n\ndef delta():\n    return alpha()\n")

    change = only_change(ws, index(ws))

    after = ws.nodes("a.py")
    assert set(after) - set(before) == {"a.delta"}
    assert change["nodes_added"] == [after["a.delta"]]
    assert change["nodes_removed"] == []
    assert change["nodes_changed"] == []
    assert ("a.delta", "a.alpha") in ws.pairs("calls")


def test_renamed_function_is_one_removed_and_one_added_id(indexed: Workspace):
    ws = indexed
    before = ws.nodes("a.py")
    # beta is renamed; its caller Gamma.method is not edited in this step.
    ws.write("a.py", A.replace("def beta(x)", "def bravo(x)"))

    change = only_change(ws, index(ws))

    after = ws.nodes("a.py")
    assert change["nodes_removed"] == [before["a.beta"]]
    assert change["nodes_added"] == [after["a.bravo"]]
    assert before["a.beta"] not in after.values()
    assert ("a.Gamma.method", "a.beta") not in ws.pairs("calls")


def test_unchanged_symbols_keep_their_ids_when_code_above_them_moves(indexed: Workspace):
    ws = indexed
    before = ws.nodes("a.py")
    ws.write("a.py", "import os\n\n\ndef first():\n    return os.sep\n\n" + A)

    change = only_change(ws, index(ws))

    after = ws.nodes("a.py")
    for name, nid in before.items():
        assert after[name] == nid, name
    assert change["nodes_added"] == [after["a.first"]]
    assert change["nodes_changed"] == []
    line = ws.scalar("SELECT start_line FROM nodes WHERE node_id = ?", (before["a.alpha"],))
    assert line == 6


# Files appearing, vanishing and moving -------------------------------------


def test_added_file_is_a_created_change(indexed: Workspace):
    ws = indexed
    ws.write("d.py", "from c import gamma_value\n\n\ndef delta():\n    return gamma_value()\n")

    result = index(ws)

    assert result.counts.files_parsed == 1
    change = only_change(ws, result)
    assert change["path"] == "d.py"
    assert change["change"] == "created"
    assert change["previous_hash"] is None
    added = ws.nodes("d.py")
    assert sorted(change["nodes_added"]) == sorted(added.values())
    assert ("d.delta", "c.gamma_value") in ws.pairs("calls")


def test_deleted_file_is_a_deleted_change_and_its_rows_are_gone(indexed: Workspace):
    ws = indexed
    old = ws.nodes("a.py")
    file_id = ws.files()["a.py"]["file_id"]
    assert ("b.uses_alpha", "a.alpha") in ws.pairs("calls")
    ws.remove("a.py")

    result = index(ws)

    assert result.counts.files_deleted == 1
    assert result.counts.files_parsed == 0
    change = only_change(ws, result)
    assert (change["path"], change["change"]) == ("a.py", "deleted")
    assert change["content_hash"] is None
    assert sorted(change["nodes_removed"]) == sorted(old.values())
    assert "a.py" not in ws.files()
    for table in ("nodes", "occurrences", "file_deps", "edges"):
        assert ws.scalar(f"SELECT COUNT(*) FROM {table} WHERE file_id = ?", (file_id,)) == 0
    marks = ",".join("?" * len(old))
    sql = f"SELECT COUNT(*) FROM edges WHERE dst_id IN ({marks}) OR src_id IN ({marks})"
    assert ws.scalar(sql, (*old.values(), *old.values())) == 0
    # b.py still calls alpha, which no longer exists anywhere.
    assert not any(dst.startswith("a.") for _, dst in ws.pairs("calls"))


def test_renamed_file_is_one_deleted_and_one_created_change(indexed: Workspace):
    ws = indexed
    ws.rename("c.py", "pkg/c_moved.py")

    result = index(ws)

    rows = [(r["path"], r["change"]) for r in ws.changes(result.session_id)]
    assert sorted(rows) == [("c.py", "deleted"), ("pkg/c_moved.py", "created")]
    assert result.counts.files_deleted == 1
    assert result.counts.files_parsed == 1
    assert set(ws.files()) == {"a.py", "b.py", "pkg/c_moved.py"}
    assert "pkg.c_moved.gamma_value" in ws.nodes("pkg/c_moved.py")
    assert ws.nodes("c.py") == {}


# Runs that should do nothing -------------------------------------------------


def test_unchanged_run_parses_nothing_and_records_no_change(indexed: Workspace):
    ws = indexed
    before = ws.nodes()
    edges_before = ws.edges()

    result = index(ws)

    assert result.counts.files_parsed == 0
    assert result.counts.files_unchanged == 3
    assert result.counts.files_restored == 0
    assert ws.changes(result.session_id) == []
    assert result.changed_paths == []
    assert ws.nodes() == before
    assert ws.edges() == edges_before
    session = ws.session(result.session_id)
    assert session["status"] == "complete"
    assert session["files_parsed"] == 0


def test_touched_file_is_not_parsed_and_its_mtime_is_recorded(indexed: Workspace):
    ws = indexed
    before = ws.files()["a.py"]
    new_mtime = ws.touch("a.py")

    result = index(ws)

    assert result.counts.files_parsed == 0
    assert result.counts.files_restored == 0
    assert ws.changes(result.session_id) == []
    row = ws.files()["a.py"]
    assert row["mtime_ns"] == new_mtime != before["mtime_ns"]
    assert row["content_hash"] == before["content_hash"]
    # Recorded, so a third run does not even read the file.
    third = index(ws)
    assert third.counts.files_unchanged == 3


def test_force_parses_everything_and_keeps_every_id(indexed: Workspace):
    ws = indexed
    before = ws.nodes()
    edges_before = ws.edges()

    result = index(ws, force=True)

    assert result.counts.files_parsed == 3
    assert result.counts.files_unchanged == 0
    assert ws.session(result.session_id)["mode"] == "force"
    assert ws.nodes() == before
    assert ws.edges() == edges_before
    assert ws.changes(result.session_id) == []


# Git and cross-file relinking ---------------------------------------------------


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada Lovelace",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada Lovelace",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
    "GIT_AUTHOR_DATE": "2024-01-02T03:04:05Z",
    "GIT_COMMITTER_DATE": "2024-01-02T03:04:05Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", "-C", str(root), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_sessions_and_changes_carry_the_git_head(ws: Workspace):
    ws.write("a.py", A)
    git(ws.root, "init", "-q", "-b", "main")
    git(ws.root, "add", "a.py")
    git(ws.root, "commit", "-q", "-m", "first")
    commit = git(ws.root, "rev-parse", "HEAD")

    first = index(ws)

    session = ws.session(first.session_id)
    assert session["git_commit"] == commit
    assert session["git_author"] == "Ada Lovelace <ada@example.com>"
    assert session["git_branch"] == "main"
    # The change rows of a session are attributed to its commit.
    assert [(r["path"], r["change"]) for r in ws.changes(first.session_id)] == [("a.py", "created")]
    ws.write("a.py", A + "\n\ndef later():\n    return 2\n")
    git(ws.root, "commit", "-q", "-am", "second")
    second = index(ws)
    assert ws.session(second.session_id)["git_commit"] == git(ws.root, "rev-parse", "HEAD")
    assert ws.session(second.session_id)["git_commit"] != commit
    joined = ws.query(
        "SELECT c.path, c.change, s.git_commit, s.git_author FROM changes c"
        " JOIN sessions s USING (session_id) WHERE c.session_id = ?",
        (second.session_id,),
    )
    assert joined == [
        ("a.py", "modified", git(ws.root, "rev-parse", "HEAD"), "Ada Lovelace <ada@example.com>")
    ]


def test_workspace_without_git_has_no_git_head(indexed: Workspace):
    session = indexed.session(1)
    assert session["git_commit"] is None
    assert session["git_author"] is None


def test_renaming_a_callee_relinks_its_callers(indexed: Workspace):
    ws = indexed
    old_id = ws.nodes("a.py")["a.alpha"]
    assert ("b.uses_alpha", "a.alpha") in ws.pairs("calls")
    ws.write("a.py", A.replace("alpha", "apex"))

    # Only a.py is re-indexed (an editor save); b.py is not re-parsed.
    result = index(ws, only=("a.py",))

    assert result.counts.files_parsed == 1
    assert ws.files()["b.py"]["session_id"] == 1
    assert ws.scalar("SELECT COUNT(*) FROM edges WHERE dst_id = ?", (old_id,)) == 0
    assert not {dst for src, dst in ws.pairs("calls") if src == "b.uses_alpha"}

    calls_apex = B.replace("import alpha", "import apex").replace("return alpha()", "return apex()")
    ws.write("b.py", calls_apex)
    index(ws, only=("b.py",))

    new_id = ws.nodes("a.py")["a.apex"]
    calls = {e for e in ws.edges("calls") if e.src == "b.uses_alpha"}
    assert [(e.dst, e.resolution, e.confidence) for e in calls] == [("a.apex", "exact", 1.0)]
    callers = ws.query("SELECT src_id FROM edges WHERE dst_id = ? AND kind = 'calls'", (new_id,))
    assert len(callers) == 2  # a.beta and b.uses_alpha


def test_new_definition_is_linked_from_files_that_already_name_it(indexed: Workspace):
    ws = indexed
    ws.write("d.py", "def caller():\n    return not_yet_written()\n")
    index(ws)
    assert not {dst for src, dst in ws.pairs("calls") if src == "d.caller"}

    ws.write("c.py", C + "\n\ndef not_yet_written():\n    return 0\n")
    index(ws, only=("c.py",))

    calls = {(e.src, e.dst, e.resolution) for e in ws.edges("calls") if e.src == "d.caller"}
    assert calls == {("d.caller", "c.not_yet_written", "by_name")}


def test_a_new_file_resolves_the_imports_that_named_it_before(indexed: Workspace):
    ws = indexed
    ws.write("e.py", "from later import helper\n\n\ndef use():\n    return helper()\n")
    index(ws)
    assert ws.query("SELECT target_path FROM file_deps WHERE module = 'later'") == [(None,)]

    # e.py is unchanged, yet its import now names a file of the workspace.
    ws.write("later.py", "def helper():\n    return 1\n")
    result = index(ws)
    assert result.counts.files_parsed == 1
    assert ws.query("SELECT target_path FROM file_deps WHERE module = 'later'") == [("later.py",)]
    calls = {(e.src, e.dst, e.resolution) for e in ws.edges("calls") if e.src == "e.use"}
    assert calls == {("e.use", "later.helper", "exact")}

    ws.remove("later.py")
    index(ws)
    assert ws.query("SELECT target_path FROM file_deps WHERE module = 'later'") == [(None,)]
    assert not {e for e in ws.edges("calls") if e.src == "e.use"}


def test_a_file_created_by_a_save_resolves_the_imports_that_named_it(indexed: Workspace):
    # The language server indexes a created file alone (``only``).
    ws = indexed
    ws.write("e.py", "import later\n\n\ndef use():\n    return later.helper()\n")
    index(ws)
    ws.write("later.py", "def helper():\n    return 1\n")
    index(ws, only=("later.py",))
    calls = {(e.src, e.dst, e.resolution) for e in ws.edges("calls") if e.src == "e.use"}
    assert calls == {("e.use", "later.helper", "exact")}


def test_a_changed_configuration_resolves_unchanged_imports_again(ws: Workspace):
    ws.write("src/util/g.ts", "export function g(): number { return 2; }\n")
    ws.write("src/a.ts", 'import { g } from "@util/g";\nexport const x = g();\n')
    index(ws)
    assert ws.query("SELECT target_path FROM file_deps WHERE module = '@util/g'") == [(None,)]

    ws.write("tsconfig.json", '{"compilerOptions": {"paths": {"@util/*": ["src/util/*"]}}}')
    result = index(ws)
    # No source changed: only the import's target and the edges through it.
    assert result.counts.files_parsed == 0
    assert ws.query("SELECT target_path FROM file_deps WHERE module = '@util/g'") == [
        ("src/util/g.ts",)
    ]
    assert ("src/a.x", "src/util/g.g") in ws.pairs("calls")


def test_switching_back_to_a_branch_restores_without_parsing(ws: Workspace):
    ws.write("lib.py", "def shared():\n    return 1\n\n\ndef only_v1():\n    return shared()\n")
    ws.write("user.py", "from lib import only_v1\n\n\ndef use():\n    return only_v1()\n")
    index(ws)
    v1_bytes = (ws.root / "lib.py").read_bytes()
    v1_nodes = ws.node_rows("lib.py")
    v1_edges = ws.edges()

    ws.write("lib.py", "def shared():\n    return 2\n\n\ndef only_v2(x):\n    return x\n")
    second = index(ws)
    assert second.counts.files_parsed == 1
    assert "lib.only_v1" not in ws.nodes("lib.py")

    ws.write("lib.py", v1_bytes)
    third = index(ws)

    assert third.counts.files_restored == 1
    assert third.counts.files_parsed == 0
    assert ws.node_rows("lib.py") == v1_nodes
    assert ws.edges() == v1_edges
    row = ws.files()["lib.py"]
    (v1_hash,) = ws.query(
        "SELECT content_hash FROM changes WHERE session_id = 1 AND path = ?", ("lib.py",)
    )
    assert row["content_hash"] == v1_hash[0]
    assert row["mtime_ns"] == (ws.root / "lib.py").stat().st_mtime_ns
    change = only_change(ws, third)
    assert change["change"] == "modified"
    ids = {qn: nid for nid, qn, _, _ in v1_nodes}
    assert change["nodes_added"] == [ids["lib.only_v1"]]
    assert len(change["nodes_removed"]) == 1
    assert change["nodes_changed"] == [ids["lib.shared"]]


def test_file_deleted_and_put_back_is_restored_with_its_ids(indexed: Workspace):
    ws = indexed
    before = ws.node_rows("c.py")
    data = (ws.root / "c.py").read_bytes()
    ws.remove("c.py")
    index(ws)
    assert ws.node_rows("c.py") == []

    ws.write("c.py", data)
    result = index(ws)

    assert result.counts.files_restored == 1
    assert result.counts.files_parsed == 0
    assert ws.node_rows("c.py") == before
    change = only_change(ws, result)
    assert change["change"] == "created"
    assert sorted(change["nodes_added"]) == sorted(nid for nid, *_ in before)


# Dependents whose edges change although none of their targets was removed.


def test_changing_a_base_class_relinks_subclasses_in_other_files(ws: Workspace):
    ws.write(
        "bases.py",
        """
        class First:
            def helper(self):
                return 1


        class Second:
            def helper(self):
                return 2


        class Middle(First):
            pass
        """,
    )
    ws.write(
        "sub.py",
        """
        from bases import Middle


        class Leaf(Middle):
            def helper(self):
                return 3

            def run(self):
                return super().helper() + self.other()

            def other(self):
                return 0
        """,
    )
    index(ws)
    assert ("sub.Leaf.helper", "bases.First.helper") in ws.pairs("overrides")

    # Only the bases of Middle change: no definition appears or disappears.
    text = (ws.root / "bases.py").read_text().replace("class Middle(First)", "class Middle(Second)")
    ws.write("bases.py", text, dedent=False)
    index(ws)

    assert ws.pairs("overrides") == {("sub.Leaf.helper", "bases.Second.helper")}


def test_changing_a_reexport_relinks_importers_of_the_package(ws: Workspace):
    ws.write("pkg/__init__.py", "from .one import run\n")
    ws.write("pkg/one.py", "def run():\n    return 1\n")
    ws.write("pkg/two.py", "def run():\n    return 2\n")
    ws.write("app.py", "from pkg import run\n\n\ndef main():\n    return run()\n")
    index(ws)
    assert {d for s, d in ws.pairs("calls") if s == "app.main"} == {"pkg.one.run"}

    # pkg/__init__.py defines nothing itself; only what it re-exports changes.
    ws.write("pkg/__init__.py", "from .two import run\n")
    index(ws)

    assert {d for s, d in ws.pairs("calls") if s == "app.main"} == {"pkg.two.run"}


def test_copied_index_is_brought_up_to_date_without_parsing(indexed: Workspace, tmp_path: Path):
    # An index built elsewhere (CI) and copied next to a checkout of the same
    # files: paths are workspace-relative, so nothing needs parsing again.
    ws = indexed
    before = ws.nodes()
    edges_before = ws.edges()
    later = ws._clock_ns + 1000 * 10**9  # touch() below must give new mtimes
    moved = Workspace(tmp_path / "elsewhere" / "ws", tmp_path / "elsewhere" / "index", later)
    shutil.copytree(ws.root, moved.root)  # keeps mtimes
    shutil.copytree(ws.index_dir, moved.index_dir)

    same_mtimes = index(moved)

    assert same_mtimes.counts.files_parsed == 0
    assert same_mtimes.counts.files_unchanged == 3
    assert moved.changes(same_mtimes.session_id) == []
    assert moved.nodes() == before
    assert moved.edges() == edges_before

    # A fresh clone has new mtimes: files are hashed, still not parsed.
    for path in ("a.py", "b.py", "c.py"):
        moved.touch(path)
    new_mtimes = index(moved)
    assert new_mtimes.counts.files_parsed == 0
    assert moved.changes(new_mtimes.session_id) == []
    assert moved.nodes() == before
    assert {p: r["mtime_ns"] > later for p, r in moved.files().items()} == dict.fromkeys(
        ("a.py", "b.py", "c.py"), True
    )
