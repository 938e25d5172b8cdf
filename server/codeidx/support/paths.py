"""Where a workspace's index lives, and the lock that makes one writer.

By default the index of a workspace is a folder under the user cache
directory named after the workspace and a hash of its absolute path, so two
checkouts never share an index by accident.  ``--index-dir`` and
``CODEIDX_INDEX_DIR`` override it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from platformdirs import user_cache_dir

ENV_INDEX_DIR = "CODEIDX_INDEX_DIR"


def index_dir_for(root: Path, override: str | os.PathLike[str] | None = None) -> Path:
    """The index folder of a workspace root."""
    chosen = override or os.environ.get(ENV_INDEX_DIR)
    if chosen:
        return Path(chosen).expanduser().resolve()
    return Path(user_cache_dir("codeidx")) / "workspaces" / root_label(root)


def root_label(root: Path) -> str:
    """A folder name for a workspace root: its name and a hash of its absolute path."""
    resolved = root.resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    label = re.sub(r"[^A-Za-z0-9._-]+", "_", resolved.name or "root")
    return f"{label}-{digest}"


class WriterLock:
    """An exclusive lock on ``<index>/writer.lock``: one writing process per index.

    The operating system releases it when the process dies, so a killed
    writer never blocks the next one.
    """

    def __init__(self, index_dir: Path) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        self._path = index_dir / "writer.lock"
        self._fd: int | None = None

    def acquire(self, on_wait: Callable[[], None] | None = None) -> None:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        self._fd = fd

    def try_acquire(self) -> bool:
        """Take the lock if free; False when another process writes."""
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
