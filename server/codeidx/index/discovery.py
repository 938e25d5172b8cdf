"""Discovery: which files under a workspace root are candidates for indexing.

This module owns the directory walk and the decision "is this path a candidate":
ignore files, include and exclude globs, size limits, symlink policy and the
reasons a path was skipped.  It reads no file contents other than ignore files,
keeps no state between calls, logs nothing, and knows nothing of SQL, parsing or
LSP; the pipeline takes the returned candidates from here.

Rules, in the order they are applied to a path.  Ignore rules see workspace
paths, so a symlink is judged by its own name, not by its target's.

1. ``.git``, ``.hg`` and ``.svn`` directories are never entered, nor is any
   directory whose real path is in ``DiscoveryOptions.extra_ignored_dirs``.
2. Ignore files are read in every directory that is entered: ``.gitignore``
   (plus ``.git/info/exclude`` at the root, with the lowest precedence) and
   ``.codeidxignore`` (same syntax).  A rule in a deeper file beats one in a
   shallower file and, within a file, the last matching rule wins, as in git.
   pathspec's ``GitIgnoreSpec`` compiles the patterns; this module applies them
   to one path at a time as it walks, which is how git applies them.  A test
   checks the outcome against ``git ls-files --others --exclude-standard``.
   Symlinked ignore files are not read, as git does not read them.
3. The nearest ``.codeidxignore`` rule that matches a path decides whether it
   is ignored.  When none matches, a matching ``.gitignore`` rule that ignores
   the path ignores it; otherwise the path has the state of its directory.  So
   a ``.gitignore`` negation cannot re-include anything below an ignored
   directory (git semantics), while a ``.codeidxignore`` negation can: with
   ``generated/`` in ``.gitignore``, ``!generated/api/`` in ``.codeidxignore``
   brings back ``generated/api`` and everything below it.
4. An ignored directory is pruned (not entered), which keeps ``node_modules``
   cheap, unless a negation in a ``.codeidxignore`` that applies to it might
   match a path inside it.  The test is conservative: an unanchored negation
   (no ``/`` inside, such as ``!*.py``) might match anywhere, an anchored one
   (``!generated/api/``) only below directories its leading segments match.
   Ignore files inside a pruned directory are never read, just as git never
   reads the ``.gitignore`` of an excluded directory.
5. ``exclude`` globs act like an ignore file at the root that nothing else can
   override; a directory they exclude is pruned unless one of their own
   negations might match inside it.  ``include`` globs, when at least one is
   given, admit a file they match or one below a directory they match; a
   directory is pruned when no include glob could match inside it.
   Ignored, excluded and not-included paths are not counted as skipped.
6. ``language_for`` decides whether a remaining file is indexed at all; files
   it returns None for are dropped without being counted.
7. A file larger than ``max_file_bytes`` is skipped as "oversize"; an entry
   whose stat fails is skipped as "vanished" (it no longer exists, including a
   dangling symlink) or "unreadable" (any other error, and special files such
   as sockets).  File contents are not opened here: the pipeline reports files
   it cannot read.
8. Symlinks are followed only when their real target lies inside the real
   root; otherwise the link is skipped as "symlink_outside".  Every directory
   is walked at most once (keyed by device and inode); a repeat is skipped as
   "symlink_loop".  Directories reached through a symlink are walked after all
   directories reachable without one, so a real path wins over an alias.  A
   file reached more than once is listed once: under its real path if that was
   reached, otherwise under the first of its paths in sorted order; the others
   are skipped as "duplicate".
9. A directory that cannot be listed is counted as "unreadable_dir" and makes
   the result incomplete; one that vanished before it was listed is counted as
   "vanished" and does not.
"""

from __future__ import annotations

import collections
import errno
import fnmatch
import heapq
import os
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec

from codeidx.errors import UsageError

MAX_SKIPPED_EXAMPLES = 50
"""How many (path, reason) pairs a result keeps; the counter keeps every skip."""

_VCS_DIRS = frozenset({".git", ".hg", ".svn"})
_GITIGNORE = ".gitignore"
_CODEIDXIGNORE = ".codeidxignore"

# pathspec's gitignore regexes capture the slash after a matched parent
# directory in this group; a match without it matched the path itself.
_PARENT_MARK = "ps_d"
_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One file to index, with the stat facts the pipeline fingerprints."""

    path: str
    abs_path: Path
    size: int
    mtime_ns: int
    language: str


@dataclass(slots=True)
class DiscoveryResult:
    """The candidates of one walk, and what was left out and why."""

    files: list[Candidate]
    skipped: collections.Counter[str]
    skipped_examples: list[tuple[str, str]]
    complete: bool


@dataclass(frozen=True, slots=True)
class DiscoveryOptions:
    """User-tunable limits of a walk; every default indexes a normal repository."""

    max_file_bytes: int = 2_000_000
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    extra_ignored_dirs: tuple[str, ...] = ()


_DEFAULT_OPTIONS = DiscoveryOptions()


def discover(
    root: Path,
    language_for: Callable[[str], str | None],
    options: DiscoveryOptions = _DEFAULT_OPTIONS,
    should_stop: Callable[[], bool] | None = None,
) -> DiscoveryResult:
    """Walk ``root`` and return the files to index, sorted by workspace path.

    ``language_for`` gets a workspace-relative POSIX path and names its language,
    or returns None for a file that is not indexed.  ``should_stop`` is polled
    once per directory; when it returns True the walk ends and the result holds
    what was found so far, with ``complete`` False.  Any thread may call this;
    it shares nothing with other calls.  The rules are in the module docstring.

    Raises UsageError when ``root`` is not a directory.
    """
    root_abs = os.path.abspath(root)
    if not os.path.isdir(root_abs):
        raise UsageError(
            f"The workspace root {root_abs} is not a directory.",
            hint="Open a folder that exists, or pass its path.",
        )
    return _Walk(root_abs, language_for, options, should_stop).run()


@dataclass(frozen=True, slots=True)
class _Rule:
    """One compiled ignore-file line."""

    regex: re.Pattern[str]
    negated: bool
    dir_only: bool
    # The glob with its leading "/" removed, split on "/"; used only to decide
    # whether the rule might match below a directory.  Unanchored rules (no "/"
    # inside) can match at any depth.
    anchored: bool
    parts: tuple[str, ...]


def _parse_rule(line: str) -> _Rule | None:
    """Compile one gitignore line, or return None for blanks and comments.

    The trailing "/" of a directory-only pattern is taken off before pathspec
    compiles it and kept as a flag, so that the regex answers "does this path
    itself match", which is the question a walk asks.
    """
    text = line
    while text.endswith(" ") and not text.endswith("\\ "):
        text = text[:-1]
    if not text or text.startswith("#"):
        return None
    negated = text.startswith("!")
    body = text[1:] if negated else text
    dir_only = body.endswith("/")
    body = body.rstrip("/")
    if not body:
        return None
    patterns = GitIgnoreSpec.from_lines([("!" if negated else "") + body]).patterns
    if len(patterns) != 1:
        return None
    regex = getattr(patterns[0], "regex", None)
    if patterns[0].include is None or not isinstance(regex, re.Pattern):
        return None
    glob = body[1:] if body.startswith("/") else body
    return _Rule(regex, negated, dir_only, "/" in body, tuple(glob.split("/")))


@dataclass(frozen=True, slots=True)
class _Layer:
    """The rules of one ignore file, which apply below the directory holding it."""

    cut: int  # Characters to strip from a workspace path to make it file-relative.
    rules: tuple[_Rule, ...]  # Last line first, because the last match wins.
    screen: re.Pattern[str] | None  # Matches whenever any rule might; a fast reject.
    negations: tuple[_Rule, ...]
    positives: tuple[_Rule, ...]


def _make_layer(base: str, lines: Iterable[str]) -> _Layer | None:
    """Compile an ignore file found in directory ``base``; None when it has no rules."""
    rules = [rule for rule in map(_parse_rule, lines) if rule is not None]
    if not rules:
        return None
    screen: re.Pattern[str] | None = None
    flags = {rule.regex.flags for rule in rules}
    if len(flags) == 1:
        # Most paths match no rule; one search over the union saves a Python
        # loop over every rule for them.
        union = "|".join(f"(?:{_NAMED_GROUP.sub('(?:', r.regex.pattern)})" for r in rules)
        try:
            screen = re.compile(union, flags.pop())
        except re.error:
            screen = None
    return _Layer(
        cut=len(base) + 1 if base else 0,
        rules=tuple(reversed(rules)),
        screen=screen,
        negations=tuple(rule for rule in rules if rule.negated),
        positives=tuple(rule for rule in rules if not rule.negated),
    )


def _verdict(layers: tuple[_Layer, ...], rel: str, is_dir: bool) -> bool | None:
    """Return True if the deciding rule matches ``rel`` itself, False if it negates, else None."""
    for layer in reversed(layers):
        sub = rel[layer.cut :]
        if layer.screen is not None and layer.screen.search(sub) is None:
            continue
        for rule in layer.rules:
            if rule.dir_only and not is_dir:
                continue
            # A match without the parent mark means the rule matched ``sub`` itself;
            # one with it matched only a parent, which the walk has judged already.
            match = rule.regex.search(sub)
            if match is not None and match.groupdict().get(_PARENT_MARK) is None:
                return not rule.negated
    return None


def _may_match_below(rules: Iterable[_Rule], layer: _Layer, rel_dir: str) -> bool:
    """Whether any of ``rules`` (from ``layer``) could match a path strictly below ``rel_dir``.

    Errs towards True: a false True costs a walk of a pruned directory, a false
    False would lose files.
    """
    segments: list[str] | None = None
    for rule in rules:
        if not rule.anchored:
            return True
        if segments is None:
            segments = rel_dir[layer.cut :].split("/")
        if _parts_may_match_below(rule.parts, segments):
            return True
    return False


def _parts_may_match_below(parts: tuple[str, ...], segments: list[str]) -> bool:
    """Whether glob ``parts`` could continue past directory ``segments``."""
    for index, segment in enumerate(segments):
        if index == len(parts):
            return False  # The glob ends above the directory: it matches an ancestor only.
        part = parts[index]
        if "**" in part:
            return True
        if "[" in part or "\\" in part:
            continue  # Classes and escapes are not worth translating; assume a match.
        if not fnmatch.fnmatchcase(segment, part):
            return False
    return len(parts) > len(segments)


def _any_may_match_below(layers: tuple[_Layer, ...], rel_dir: str, negations: bool) -> bool:
    """Run ``_may_match_below`` over the negations (or plain rules) of ``layers``."""
    for layer in layers:
        rules = layer.negations if negations else layer.positives
        if rules and _may_match_below(rules, layer, rel_dir):
            return True
    return False


def _read_lines(path: str) -> list[str] | None:
    """Read an ignore file as text lines; None if it cannot be read."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return data.decode("utf-8", "replace").removeprefix("\ufeff").splitlines()


@dataclass(frozen=True, slots=True)
class _Dir:
    """A directory waiting to be listed, with everything its entries inherit."""

    rel: str  # Workspace-relative POSIX path; "" for the root.
    path: Path  # Absolute path to list, through symlinks if it was reached by one.
    real: str  # Its real path.
    canonical: bool  # Reached without passing through a symlink.
    git: tuple[_Layer, ...]
    own: tuple[_Layer, ...]  # .codeidxignore layers.
    ignored: bool
    excluded: bool
    included: bool


class _Walk:
    """The mutable state of one ``discover`` call."""

    def __init__(
        self,
        root_abs: str,
        language_for: Callable[[str], str | None],
        options: DiscoveryOptions,
        should_stop: Callable[[], bool] | None,
    ) -> None:
        self.root_abs = root_abs
        self.root_real = os.path.realpath(root_abs)
        self.inside_prefix = os.path.join(self.root_real, "")
        self.language_for = language_for
        self.max_bytes = options.max_file_bytes
        self.should_stop = should_stop
        self.extra_ignored = frozenset(os.path.realpath(p) for p in options.extra_ignored_dirs)
        exclude = _make_layer("", options.exclude)
        include = _make_layer("", options.include)
        self.exclude = (exclude,) if exclude is not None else ()
        self.include = (include,) if include is not None else ()
        self.visited: set[tuple[int, int]] = set()
        # (candidate, real path, canonical) in walk order; deduplicated at the end.
        self.found: list[tuple[Candidate, str, bool]] = []
        self.deferred: list[tuple[str, _Dir]] = []
        self.skipped: collections.Counter[str] = collections.Counter()
        self.examples: list[tuple[str, str]] = []
        self.complete = True

    def run(self) -> DiscoveryResult:
        """Walk real directories first, then those reached through symlinks."""
        git: tuple[_Layer, ...] = ()
        exclude_path = os.path.join(self.root_abs, ".git", "info", "exclude")
        if os.path.isfile(exclude_path):
            layer = self._load_layer("", exclude_path, ".git/info/exclude")
            git = (layer,) if layer is not None else ()
        root = _Dir(
            rel="",
            path=Path(self.root_abs),
            real=self.root_real,
            canonical=True,
            git=git,
            own=(),
            ignored=False,
            excluded=False,
            included=not self.include,
        )
        stopped = not self._drain([root])
        while not stopped and self.deferred:
            _, linked = heapq.heappop(self.deferred)
            stopped = not self._drain([linked])
        if stopped:
            self.complete = False
        return DiscoveryResult(
            files=self._deduplicate(),
            skipped=self.skipped,
            skipped_examples=self.examples,
            complete=self.complete,
        )

    def _skip(self, rel: str, reason: str) -> None:
        self.skipped[reason] += 1
        if len(self.examples) < MAX_SKIPPED_EXAMPLES:
            self.examples.append((rel or ".", reason))

    def _load_layer(self, base: str, path: str, rel: str) -> _Layer | None:
        lines = _read_lines(path)
        if lines is None:
            self._skip(rel, "unreadable")
            return None
        return _make_layer(base, lines)

    def _drain(self, stack: list[_Dir]) -> bool:
        """Walk depth-first in sorted order; return False if asked to stop."""
        while stack:
            if self.should_stop is not None and self.should_stop():
                return False
            directory = stack.pop()
            children = self._list(directory)
            stack.extend(reversed(children))
        return True

    def _list(self, directory: _Dir) -> list[_Dir]:
        """List one directory: collect its files, return its subdirectories to walk."""
        try:
            info = os.stat(directory.path)
            # Device and inode, not the real path, so that bind mounts cannot loop either.
            key = (info.st_dev, info.st_ino)
            if key in self.visited:
                self._skip(directory.rel, "symlink_loop")
                return []
            self.visited.add(key)
            with os.scandir(directory.path) as iterator:
                entries = sorted(iterator, key=lambda entry: entry.name)
        except (FileNotFoundError, NotADirectoryError):
            self._skip(directory.rel, "vanished")
            return []
        except OSError:
            self._skip(directory.rel, "unreadable_dir")
            self.complete = False
            return []

        git, own = directory.git, directory.own
        for entry in entries:
            if entry.name not in (_GITIGNORE, _CODEIDXIGNORE):
                continue
            try:
                regular = entry.is_file(follow_symlinks=False)
            except OSError:
                regular = False
            if not regular:
                continue  # Like git, never follow a symlinked ignore file.
            layer = self._load_layer(directory.rel, entry.path, self._rel(directory, entry.name))
            if layer is not None and entry.name == _GITIGNORE:
                git = (*git, layer)
            elif layer is not None:
                own = (*own, layer)

        children: list[_Dir] = []
        for entry in entries:
            if entry.name in _VCS_DIRS:
                continue
            child = self._visit(directory, entry, git, own)
            if child is not None:
                children.append(child)
        return children

    @staticmethod
    def _rel(directory: _Dir, name: str) -> str:
        return f"{directory.rel}/{name}" if directory.rel else name

    def _visit(
        self,
        directory: _Dir,
        entry: os.DirEntry[str],
        git: tuple[_Layer, ...],
        own: tuple[_Layer, ...],
    ) -> _Dir | None:
        """Judge one entry: record a file, or return a real subdirectory to walk."""
        rel = self._rel(directory, entry.name)
        linked = False
        info: os.stat_result | None = None
        problem: str | None = None
        try:
            if entry.is_symlink():
                linked = True
                info = os.stat(entry.path)
                is_dir = stat.S_ISDIR(info.st_mode)
            else:
                is_dir = entry.is_dir(follow_symlinks=False)
        except FileNotFoundError:
            is_dir, problem = False, "vanished"
        except OSError as error:
            is_dir = False
            problem = "symlink_loop" if error.errno == errno.ELOOP else "unreadable"

        ignored, excluded, included = self._states(directory, rel, is_dir, git, own)
        if is_dir:
            if ignored and not _any_may_match_below(own, rel, negations=True):
                return None
            if excluded and not _any_may_match_below(self.exclude, rel, negations=True):
                return None
            if not included and not _any_may_match_below(self.include, rel, negations=False):
                return None
            child = _Dir(
                rel=rel,
                path=directory.path / entry.name,
                real=os.path.realpath(entry.path)
                if linked
                else os.path.join(directory.real, entry.name),
                canonical=directory.canonical and not linked,
                git=git,
                own=own,
                ignored=ignored,
                excluded=excluded,
                included=included,
            )
            return self._enter(child, linked)
        if ignored or excluded or not included:
            return None
        language = self.language_for(rel)
        if language is None:
            return None
        if problem is not None:
            self._skip(rel, problem)
        elif linked:
            assert info is not None  # Set by the os.stat that classified the link.
            self._take_linked(directory, entry, rel, language, info)
        else:
            self._take(directory, entry, rel, language)
        return None

    def _states(
        self,
        directory: _Dir,
        rel: str,
        is_dir: bool,
        git: tuple[_Layer, ...],
        own: tuple[_Layer, ...],
    ) -> tuple[bool, bool, bool]:
        """Return (ignored, excluded, included) for ``rel``; module docstring, rules 3-5."""
        own_verdict = _verdict(own, rel, is_dir)
        if own_verdict is not None:
            ignored = own_verdict
        elif directory.ignored:
            ignored = True
        else:
            ignored = _verdict(git, rel, is_dir) is True
        excluded = directory.excluded
        if self.exclude:
            verdict = _verdict(self.exclude, rel, is_dir)
            excluded = verdict if verdict is not None else excluded
        included = directory.included
        if self.include:
            verdict = _verdict(self.include, rel, is_dir)
            included = verdict if verdict is not None else included
        return ignored, excluded, included

    def _enter(self, child: _Dir, linked: bool) -> _Dir | None:
        """Return a real subdirectory to walk now; defer one reached through a symlink."""
        if child.real in self.extra_ignored:
            return None
        if not linked:
            return child
        if self._inside(child.real):
            heapq.heappush(self.deferred, (child.rel, child))
        else:
            self._skip(child.rel, "symlink_outside")
        return None

    def _take(self, directory: _Dir, entry: os.DirEntry[str], rel: str, language: str) -> None:
        """Record a regular file (not a symlink) unless its stat fails or it is too big."""
        try:
            info = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            self._skip(rel, "vanished")
            return
        except OSError:
            self._skip(rel, "unreadable")
            return
        real = os.path.join(directory.real, entry.name)
        self._record(directory, entry, rel, language, info, real, directory.canonical)

    def _take_linked(
        self,
        directory: _Dir,
        entry: os.DirEntry[str],
        rel: str,
        language: str,
        info: os.stat_result,
    ) -> None:
        """Record a file reached through a symlink whose target is inside the root."""
        real = os.path.realpath(entry.path)
        if not self._inside(real):
            self._skip(rel, "symlink_outside")
            return
        self._record(directory, entry, rel, language, info, real, canonical=False)

    def _record(
        self,
        directory: _Dir,
        entry: os.DirEntry[str],
        rel: str,
        language: str,
        info: os.stat_result,
        real: str,
        canonical: bool,
    ) -> None:
        if not stat.S_ISREG(info.st_mode):
            self._skip(rel, "unreadable")  # A socket, FIFO or device: nothing to read.
            return
        if info.st_size > self.max_bytes:
            self._skip(rel, "oversize")
            return
        candidate = Candidate(
            path=rel,
            abs_path=directory.path / entry.name,
            size=info.st_size,
            mtime_ns=info.st_mtime_ns,
            language=language,
        )
        self.found.append((candidate, real, canonical))

    def _inside(self, real: str) -> bool:
        return real == self.root_real or real.startswith(self.inside_prefix)

    def _deduplicate(self) -> list[Candidate]:
        """Keep one path per real file: the real one, else the first in sorted order."""
        chosen: dict[str, tuple[Candidate, bool]] = {}
        for candidate, real, canonical in self.found:
            previous = chosen.get(real)
            if previous is None:
                chosen[real] = (candidate, canonical)
                continue
            kept, kept_canonical = previous
            if canonical or (not kept_canonical and candidate.path < kept.path):
                chosen[real] = (candidate, canonical)
                self._skip(kept.path, "duplicate")
            else:
                self._skip(candidate.path, "duplicate")
        return sorted((candidate for candidate, _ in chosen.values()), key=lambda c: c.path)
