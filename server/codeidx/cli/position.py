"""Command-line positions and paths: what users type, turned into query positions.

This module owns the one place where the CLI's conventions meet the query
layer's: ``FILE:LINE:COL`` with 1-based lines and 1-based character columns,
FILE relative to the current directory or absolute, becomes a
workspace-relative ``Position`` with a 0-based line and a UTF-16 column; and
back, for display.  It also finds the workspace root.  Every malformed input
raises UsageError with a sentence that names the problem; nothing here
touches the index.
"""

from __future__ import annotations

import re
from pathlib import Path

from codeidx.errors import UsageError
from codeidx.query.types import Position

_SPEC = re.compile(r"^(?P<file>.+):(?P<line>[^:]*):(?P<col>[^:]*)$")


def find_root(start: Path, fallback: Path) -> Path:
    """The nearest ancestor of ``start`` (itself included) holding ``.git``, else ``fallback``.

    ``.git`` may be a file (worktrees, submodules), so any entry counts.
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return fallback.resolve()


def workspace_path(file: str, root: Path, cwd: Path) -> tuple[str, Path]:
    """(workspace-relative POSIX path, absolute path) of a file the user named.

    Raises UsageError when the file is outside the workspace.  Existence is
    not checked here: an index may still answer for a file deleted since.
    """
    absolute = (cwd / file).resolve() if not Path(file).is_absolute() else Path(file).resolve()
    try:
        relative = absolute.relative_to(root.resolve())
    except ValueError:
        raise UsageError(
            f"{file} is outside the workspace {root}",
            hint="pass a file inside the workspace, or point --root at the folder that holds it",
        ) from None
    if not relative.parts:
        raise UsageError(f"{file} is the workspace folder itself, not a file in it")
    return relative.as_posix(), absolute


def split_spec(spec: str) -> tuple[str, int, int]:
    """Split ``FILE:LINE:COL`` into its parts; LINE and COL must be positive integers."""
    match = _SPEC.match(spec)
    if match is None:
        raise UsageError(
            f"expected a position as FILE:LINE:COL, got {spec!r}",
            hint="for example `src/app.py:12:5` (line and column count from 1)",
        )
    numbers: list[int] = []
    for label in ("line", "col"):
        text = match[label]
        if not text.isdigit() or int(text) < 1:
            word = "line" if label == "line" else "column"
            raise UsageError(
                f"the {word} in {spec!r} must be a whole number from 1 up, got {text!r}",
                hint="positions are FILE:LINE:COL, with line and column counting from 1",
            )
        numbers.append(int(text))
    return match["file"], numbers[0], numbers[1]


def parse_position(spec: str, root: Path, cwd: Path) -> Position:
    """Turn ``FILE:LINE:COL`` (1-based, characters) into a query ``Position``.

    Reads the file's line to convert the character column into UTF-16 code
    units.  Raises UsageError for a malformed spec, a file outside the
    workspace or missing, or a line or column past the end.
    """
    file, line, col = split_spec(spec)
    relative, absolute = workspace_path(file, root, cwd)
    try:
        data = absolute.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{file} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"{file} is a folder, not a file") from None
    except OSError as exc:
        raise UsageError(f"cannot read {file}: {exc.strerror or exc}") from None
    lines = data.decode("utf-8", "replace").split("\n")
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()  # The newline ending the last line does not start another.
    if line > max(len(lines), 1):
        raise UsageError(f"line {line} is past the end of {file}, which has {len(lines)} lines")
    text = lines[line - 1].rstrip("\r") if lines else ""
    if col > len(text) + 1:
        raise UsageError(
            f"column {col} is past the end of line {line} of {file},"
            f" which has {len(text)} characters"
        )
    return Position(relative, line - 1, utf16_units(text[: col - 1]))


def utf16_units(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def char_column(text: str, utf16_col: int) -> int:
    """The 1-based character column of a 0-based UTF-16 column within ``text``."""
    units = text.encode("utf-16-le")[: utf16_col * 2]
    return len(units.decode("utf-16-le", "ignore")) + 1 + max(0, utf16_col - len(units) // 2)
