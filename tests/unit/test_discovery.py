"""Tests for codeidx.index.discovery: ignore rules, limits, symlinks, stopping."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codeidx.errors import UsageError
from codeidx.index import discovery
from codeidx.index.discovery import DiscoveryOptions, DiscoveryResult, discover

LANGUAGES = {".py": "python", ".js": "javascript", ".ts": "typescript"}


def language_for(path: str) -> str | None:
    return LANGUAGES.get(os.path.splitext(path)[1])


def every_file(path: str) -> str | None:
    return "text"


def make_tree(root: Path, files: dict[str, str]) -> None:
    """Write ``files`` (workspace path -> text) under ``root``."""
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def run(
    root: Path,
    options: DiscoveryOptions | None = None,
    languages: Callable[[str], str | None] = language_for,
    should_stop: Callable[[], bool] | None = None,
) -> DiscoveryResult:
    return discover(root, languages, options or DiscoveryOptions(), should_stop)


def paths(result: DiscoveryResult) -> list[str]:
    return [candidate.path for candidate in result.files]


@pytest.fixture
def listed_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every directory discovery lists, relative to ``tmp_path``."""
    listed: list[str] = []
    real_scandir = os.scandir

    def spy(path: str | os.PathLike[str]) -> Any:
        listed.append(os.path.relpath(path, tmp_path))
        return real_scandir(path)

    monkeypatch.setattr("codeidx.index.discovery.os.scandir", spy)
    return listed


def test_candidate_facts_and_sorted_output(tmp_path: Path) -> None:
    make_tree(tmp_path, {"b.py": "b = 1\n", "a/z.js": "", "a.py": "", "a/b/c.ts": "", "A.py": ""})

    result = run(tmp_path)

    assert paths(result) == ["A.py", "a.py", "a/b/c.ts", "a/z.js", "b.py"]
    b = result.files[-1]
    assert b.abs_path == tmp_path / "b.py"
    assert b.size == 6
    assert b.mtime_ns == (tmp_path / "b.py").stat().st_mtime_ns
    assert b.language == "python"
    assert result.complete
    assert not result.skipped


def test_files_without_language_are_dropped_without_counting(tmp_path: Path) -> None:
    make_tree(tmp_path, {"README.md": "", "Makefile": "", "big.bin": "x" * 100, "m.py": ""})

    result = run(tmp_path, DiscoveryOptions(max_file_bytes=10))

    assert paths(result) == ["m.py"]
    assert not result.skipped
    assert result.skipped_examples == []


def test_vcs_directories_are_never_entered(tmp_path: Path) -> None:
    make_tree(tmp_path, {".git/hooks/x.py": "", ".hg/x.py": "", "sub/.svn/x.py": "", "ok.py": ""})

    assert paths(run(tmp_path)) == ["ok.py"]


def test_root_gitignore_and_nested_gitignore(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".gitignore": "*.js\n",
            "a.js": "",
            "a.py": "",
            "pkg/.gitignore": "*.ts\nlocal.py\n",
            "pkg/a.ts": "",
            "pkg/local.py": "",
            "pkg/deep/local.py": "",
            "pkg/deep/b.js": "",
            "pkg/keep.py": "",
            "other/a.ts": "",
            "other/local.py": "",
        },
    )

    assert paths(run(tmp_path)) == ["a.py", "other/a.ts", "other/local.py", "pkg/keep.py"]


def test_negation_and_deeper_file_wins(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".gitignore": "*.py\n!keep.py\n",
            "drop.py": "",
            "keep.py": "",
            "sub/keep.py": "",
            "sub/drop.py": "",
            "sub/inner/.gitignore": "!*.py\n",
            "sub/inner/back.py": "",
        },
    )

    assert paths(run(tmp_path)) == ["keep.py", "sub/inner/back.py", "sub/keep.py"]


def test_negation_cannot_reinclude_below_an_ignored_directory(tmp_path: Path) -> None:
    make_tree(tmp_path, {".gitignore": "build/\n!build/keep.py\n", "build/keep.py": ""})

    assert paths(run(tmp_path)) == []


def test_anchored_patterns(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".gitignore": "/top.py\ndocs/*.py\n",
            "top.py": "",
            "sub/top.py": "",
            "docs/a.py": "",
            "docs/deep/b.py": "",
            "x/docs/a.py": "",
        },
    )

    assert paths(run(tmp_path)) == ["docs/deep/b.py", "sub/top.py", "x/docs/a.py"]


def test_directory_only_pattern(tmp_path: Path) -> None:
    make_tree(
        tmp_path, {".gitignore": "cache/\n", "cache/x.py": "", "a/cache/y.py": "", "b/cache": ""}
    )

    assert paths(run(tmp_path, languages=every_file)) == [".gitignore", "b/cache"]


def test_whitelist_idiom_and_double_star(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".gitignore": "*\n!*/\n!*.py\nfoo/**\n!foo/keep.py\n",
            "a.js": "",
            "a.py": "",
            "src/deep/b.py": "",
            "src/deep/b.js": "",
            "foo/keep.py": "",
            "foo/drop.py": "",
        },
    )

    assert paths(run(tmp_path)) == ["a.py", "foo/keep.py", "src/deep/b.py"]


def test_git_info_exclude_is_honoured_with_lowest_precedence(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".git/info/exclude": "secret/\n*.js\n",
            ".gitignore": "!keep.js\n",
            "secret/a.py": "",
            "a.js": "",
            "keep.js": "",
            "a.py": "",
        },
    )

    assert paths(run(tmp_path)) == ["a.py", "keep.js"]


def test_ignored_directory_is_pruned(tmp_path: Path, listed_dirs: list[str]) -> None:
    make_tree(tmp_path, {".gitignore": "node_modules/\n", "node_modules/x/y.js": "", "a.js": ""})
    assert paths(run(tmp_path)) == ["a.js"]
    assert listed_dirs == ["."]


def test_codeidxignore_reincludes_gitignored_directory_and_file(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".gitignore": "generated/\n*.gen.py\n*.tmp.py\n",
            ".codeidxignore": "!generated/api/\n!keep.gen.py\n",
            "generated/other.py": "",
            "generated/api/client.py": "",
            "generated/api/deep/models.py": "",
            "generated/api/scratch.tmp.py": "",
            "keep.gen.py": "",
            "drop.gen.py": "",
        },
    )

    assert paths(run(tmp_path)) == [
        "generated/api/client.py",
        "generated/api/deep/models.py",
        "keep.gen.py",
    ]


def test_codeidxignore_excludes_and_nests(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".codeidxignore": "fixtures/\n",
            "fixtures/a.py": "",
            "src/.codeidxignore": "*_pb2.py\n",
            "src/m_pb2.py": "",
            "src/m.py": "",
            "m_pb2.py": "",
        },
    )

    assert paths(run(tmp_path)) == ["m_pb2.py", "src/m.py"]


def test_codeidxignore_without_negation_keeps_pruning(
    tmp_path: Path, listed_dirs: list[str]
) -> None:
    make_tree(
        tmp_path,
        {
            ".gitignore": "vendor/\nbuild/\n",
            ".codeidxignore": "*.min.js\n!build/gen/\n",
            "vendor/x.js": "",
            "build/gen/a.py": "",
            "build/obj/b.py": "",
        },
    )
    assert paths(run(tmp_path)) == ["build/gen/a.py"]
    assert sorted(listed_dirs) == [".", "build", "build/gen"]


def test_include_and_exclude_options(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "src/a.py": "",
            "src/a.js": "",
            "src/vendor/v.py": "",
            "src/tests/t.py": "",
            "tools/x.py": "",
            "top.py": "",
        },
    )

    only_src = DiscoveryOptions(include=("src/",), exclude=("vendor/", "*.js"))
    assert paths(run(tmp_path, only_src)) == ["src/a.py", "src/tests/t.py"]

    py_anywhere = DiscoveryOptions(include=("*.py",), exclude=("/src/tests",))
    assert paths(run(tmp_path, py_anywhere)) == [
        "src/a.py",
        "src/vendor/v.py",
        "tools/x.py",
        "top.py",
    ]


def test_exclude_negation_and_include_pruning(tmp_path: Path, listed_dirs: list[str]) -> None:
    make_tree(
        tmp_path, {"tests/a.py": "", "tests/fixtures/f.py": "", "lib/b.py": "", "docs/c.py": ""}
    )
    excluded = DiscoveryOptions(exclude=("tests/*", "!tests/fixtures/"))
    assert paths(run(tmp_path, excluded)) == ["docs/c.py", "lib/b.py", "tests/fixtures/f.py"]

    listed_dirs.clear()
    included = DiscoveryOptions(include=("lib/**/*.py",))
    assert paths(run(tmp_path, included)) == ["lib/b.py"]
    assert sorted(listed_dirs) == [".", "lib"]


def test_extra_ignored_dirs_are_not_entered(tmp_path: Path) -> None:
    make_tree(tmp_path, {".codeidx/index.py": "", "a.py": ""})

    options = DiscoveryOptions(extra_ignored_dirs=(str(tmp_path / ".codeidx"),))
    assert paths(run(tmp_path, options)) == ["a.py"]


def test_oversize_files_are_skipped(tmp_path: Path) -> None:
    make_tree(tmp_path, {"big.py": "x" * 11, "edge.py": "x" * 10})

    result = run(tmp_path, DiscoveryOptions(max_file_bytes=10))

    assert paths(result) == ["edge.py"]
    assert result.skipped == {"oversize": 1}
    assert result.skipped_examples == [("big.py", "oversize")]
    assert result.complete


def test_skipped_examples_are_capped(tmp_path: Path) -> None:
    make_tree(tmp_path, {f"f{i:03}.py": "xx" for i in range(60)})

    result = run(tmp_path, DiscoveryOptions(max_file_bytes=1))

    assert result.skipped["oversize"] == 60
    assert len(result.skipped_examples) == discovery.MAX_SKIPPED_EXAMPLES


def test_symlinks_inside_root_are_followed(tmp_path: Path) -> None:
    make_tree(tmp_path, {"real/a.py": "", "real/sub/b.py": "", "lib/c.py": ""})
    (tmp_path / "alias").symlink_to("real", target_is_directory=True)
    (tmp_path / "linked.py").symlink_to("lib/c.py")

    result = run(tmp_path)

    # The real paths win; the aliases are counted, never listed twice.
    assert paths(result) == ["lib/c.py", "real/a.py", "real/sub/b.py"]
    assert result.skipped == {"symlink_loop": 1, "duplicate": 1}
    assert ("linked.py", "duplicate") in result.skipped_examples
    assert ("alias", "symlink_loop") in result.skipped_examples
    assert result.complete


def test_symlinked_directory_is_walked_when_its_target_is_not(tmp_path: Path) -> None:
    make_tree(tmp_path, {".gitignore": "store/\n", "store/pkg/a.py": ""})
    (tmp_path / "pkg").symlink_to("store/pkg", target_is_directory=True)

    result = run(tmp_path)

    assert paths(result) == ["pkg/a.py"]
    assert result.files[0].abs_path == tmp_path / "pkg" / "a.py"


def test_file_reached_only_through_links_is_listed_once(tmp_path: Path) -> None:
    make_tree(tmp_path, {".gitignore": "hidden/\n", "hidden/a.py": ""})
    (tmp_path / "b.py").symlink_to("hidden/a.py")
    (tmp_path / "a.py").symlink_to("hidden/a.py")

    result = run(tmp_path)

    assert paths(result) == ["a.py"]
    assert result.skipped == {"duplicate": 1}


def test_symlinks_outside_root_are_skipped(tmp_path: Path) -> None:
    workspace, outside = tmp_path / "ws", tmp_path / "outside"
    make_tree(outside, {"x.py": "", "pkg/y.py": ""})
    make_tree(workspace, {"a.py": ""})
    (workspace / "x.py").symlink_to(outside / "x.py")
    (workspace / "pkg").symlink_to(outside / "pkg", target_is_directory=True)
    (workspace / "notes.txt").symlink_to(outside / "x.py")  # No language: not counted.

    result = run(workspace)

    assert paths(result) == ["a.py"]
    assert result.skipped == {"symlink_outside": 2}
    assert result.complete


def test_dangling_symlink_counts_as_vanished(tmp_path: Path) -> None:
    (tmp_path / "gone.py").symlink_to(tmp_path / "missing.py")

    result = run(tmp_path)

    assert paths(result) == []
    assert result.skipped == {"vanished": 1}


def test_symlink_loop_terminates(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a/b/m.py": ""})
    (tmp_path / "a" / "b" / "up").symlink_to("..", target_is_directory=True)
    (tmp_path / "a" / "self").symlink_to(".", target_is_directory=True)
    (tmp_path / "root").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "x.py").symlink_to("y.py")
    (tmp_path / "y.py").symlink_to("x.py")

    result = run(tmp_path)

    assert paths(result) == ["a/b/m.py"]
    assert result.skipped == {"symlink_loop": 5}
    assert result.complete


def test_should_stop_is_polled_per_directory(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a/x.py": "", "b/y.py": "", "c/z.py": "", "top.py": ""})
    polls: list[int] = []

    def stop_after_two() -> bool:
        polls.append(1)
        return len(polls) > 2

    result = run(tmp_path, should_stop=stop_after_two)

    assert not result.complete
    assert len(polls) == 3
    assert paths(result) == ["a/x.py", "top.py"]

    assert run(tmp_path, should_stop=lambda: False).complete


def _deny_listing(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str]) -> Any:
        if os.fspath(path) == str(denied):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr("codeidx.index.discovery.os.scandir", scandir)


def test_unreadable_directory_makes_result_incomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path, {"locked/a.py": "", "open/b.py": ""})
    locked = tmp_path / "locked"
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK | os.X_OK):
            # Running as root: chmod does not deny, so simulate the refusal.
            _deny_listing(monkeypatch, locked)
        result = run(tmp_path)
    finally:
        locked.chmod(0o755)

    assert paths(result) == ["open/b.py"]
    assert result.skipped == {"unreadable_dir": 1}
    assert result.skipped_examples == [("locked", "unreadable_dir")]
    assert not result.complete


def test_vanished_file_is_counted(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": "", "b.py": ""})

    def language_then_delete(path: str) -> str | None:
        if path == "a.py":
            (tmp_path / "a.py").unlink()
        return language_for(path)

    result = run(tmp_path, languages=language_then_delete)

    assert paths(result) == ["b.py"]
    assert result.skipped == {"vanished": 1}
    assert result.complete


def test_root_must_be_a_directory(tmp_path: Path) -> None:
    (tmp_path / "file.py").write_text("")

    with pytest.raises(UsageError):
        run(tmp_path / "file.py")
    with pytest.raises(UsageError):
        run(tmp_path / "missing")


# Differential test: for .gitignore files alone, discovery must list exactly the
# files git reports as untracked and not ignored.

_GIT_TREE = [
    "a.py",
    "b.txt",
    "src/a.py",
    "src/b.txt",
    "src/gen/x.py",
    "gen/a.py",
    "gen/sub/a.py",
    "build/keep.py",
    "docs/a/b/c.py",
    "foo/keep.py",
    "foo/bar/keep.py",
    "a/b",
]
_GIT_LINES = [
    "*", "*/", "!*/", "*.py", "!*.py", "!*.txt", "gen/", "!gen/", "gen", "/gen", "!/gen",
    "src/gen/", "!src/gen/", "build/", "!build/keep.py", "foo/**", "!foo/keep.py",
    "!foo/**/keep.py", "**/keep.py", "docs/**/c.py", "docs/*", "!docs/a/", "a/", "a", "!a/",
    "keep.py", "src/*", "!src/a.py", "**/gen", "/a.py", "sub/", "?.py", "[ab].py", "gen/**/",
    "s*/", "!s*/g*/", "a.py ", "#gen", "docs/**", "!docs/**/",
]  # fmt: skip
_NESTED_LINES = ["*.txt", "!gen/", "gen/", "/a.py", "!b.txt", "x.py", "!*", "*"]


def _git_untracked(root: Path) -> set[str] | None:
    home = root.parent / "home"
    home.mkdir(exist_ok=True)
    env = dict(
        os.environ,
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home),
    )
    try:
        subprocess.run(["git", "init", "-q", str(root)], check=True, env=env)
        listed = subprocess.run(
            ["git", "ls-files", "--others", "--exclude-standard", "-z"],
            cwd=root,
            env=env,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return {path for path in listed.decode().split("\0") if path}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    root_lines=st.lists(st.sampled_from(_GIT_LINES), min_size=1, max_size=5),
    src_lines=st.lists(st.sampled_from(_NESTED_LINES), max_size=3),
)
def test_gitignore_semantics_match_git(root_lines: list[str], src_lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        make_tree(root, dict.fromkeys(_GIT_TREE, "x"))
        (root / ".gitignore").write_text("\n".join(root_lines) + "\n")
        if src_lines:
            (root / "src" / ".gitignore").write_text("\n".join(src_lines) + "\n")
        expected = _git_untracked(root)
        if expected is None:
            pytest.skip("git could not run")

        assert set(paths(run(root, languages=every_file))) == expected
