"""File dependencies: imports, importers, summary figures and circular dependencies."""

from __future__ import annotations

from pathlib import Path

import pytest
from querytest import build

from codeidx.errors import IndexUnavailable, UsageError
from codeidx.query.deps import dependency_cycles, deps_summary, file_deps

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

FILES = {
    "a.py": "import b\nimport os\n",
    "b.py": "import c\n",
    "c.py": "import a\nimport json\nimport os\n",
    "d.py": "import e\nimport a\n",
    "e.py": "import d\n",
    "f.py": "import f\n",
    "g.py": "x = 1\n",
}


def test_file_imports_and_importers(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        deps = file_deps(conn, "a.py")
    assert [(i.line, i.text, i.module, i.target) for i in deps.imports] == [
        (0, "import b", "b", "b.py"),
        (1, "import os", "os", None),
    ]
    assert [(i.path, i.line, i.text) for i in deps.importers] == [
        ("c.py", 0, "import a"),
        ("d.py", 1, "import a"),
    ]
    assert deps.cycles == []


def test_file_cycles_on_request(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        deps = file_deps(conn, "b.py", with_cycles=True)
    assert [(c.members, c.path) for c in deps.cycles] == [
        (["a.py", "b.py", "c.py"], ["a.py", "b.py", "c.py", "a.py"])
    ]


def test_every_cycle_once_and_no_self_import(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        cycles = dependency_cycles(conn)
    assert [(c.members, c.path) for c in cycles] == [
        (["a.py", "b.py", "c.py"], ["a.py", "b.py", "c.py", "a.py"]),
        (["d.py", "e.py"], ["d.py", "e.py", "d.py"]),
    ]


def test_summary(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        summary = deps_summary(conn)
    assert summary.files == 7
    assert summary.importing_files == 6
    assert (summary.internal, summary.external) == (7, 3)
    assert summary.most_imported[0] == ("a.py", 2)
    assert summary.most_used_external == [("os", 2), ("json", 1)]
    assert len(summary.cycles) == 2
    assert not summary.coverage.partial


def test_unknown_files(tmp_path: Path) -> None:
    fx = build(tmp_path, FILES)
    with fx.connect() as conn:
        with pytest.raises(UsageError):
            file_deps(conn, "README.md")
        with pytest.raises(IndexUnavailable):
            file_deps(conn, "h.py")
