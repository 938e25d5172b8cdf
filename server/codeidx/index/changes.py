"""What the workspace's git checkout says about HEAD, for change tracking.

Read with one ``git log`` call when git is installed; without git, or
outside a repository, every field is None.  Never fails an index run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from codeidx.store.sessions import GitHead


def git_head(root: Path) -> GitHead:
    """The commit, author and branch checked out in the workspace, when known."""
    git = shutil.which("git")
    if git is None:
        return GitHead(None, None, None)
    try:
        out = subprocess.run(
            [git, "-C", str(root), "log", "-1", "--format=%H%x00%an <%ae>"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        branch = subprocess.run(
            [git, "-C", str(root), "rev-parse", "--abbrev-ref", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return GitHead(None, None, None)
    if out.returncode != 0 or "\0" not in out.stdout:
        return GitHead(None, None, None)
    commit, author = out.stdout.strip().split("\0", 1)
    name = branch.stdout.strip() if branch.returncode == 0 else None
    return GitHead(commit or None, author or None, name if name and name != "HEAD" else None)


_NO_REPOSITORY: tuple[float, ...] = (-1.0,)


class GitCache:
    """``git_head`` for repeated runs: asks git again only when HEAD moved.

    HEAD moves when ``.git/HEAD`` or the ref it points to changes, which
    their modification times tell without starting a process.
    """

    def __init__(self, root: Path) -> None:
        self._root = root
        self._key: tuple[float, ...] | None = None
        self._head = GitHead(None, None, None)

    def head(self) -> GitHead:
        key = self._stamp()
        if key != self._key:
            self._head = (
                git_head(self._root) if key != _NO_REPOSITORY else GitHead(None, None, None)
            )
            self._key = key
        return self._head

    def _stamp(self) -> tuple[float, ...]:
        git_dir = self._root / ".git"
        stamps: list[float] = []
        for name in ("HEAD", "packed-refs"):
            try:
                stamps.append((git_dir / name).stat().st_mtime)
            except OSError:
                stamps.append(0.0)
        try:
            ref = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        except OSError:
            return _NO_REPOSITORY
        if ref.startswith("ref: "):
            try:
                stamps.append((git_dir / ref[5:]).stat().st_mtime)
            except OSError:
                stamps.append(0.0)
        return tuple(stamps)
