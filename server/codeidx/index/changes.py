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
