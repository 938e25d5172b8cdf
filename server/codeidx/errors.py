"""The exception taxonomy shared by every layer.

Each error carries a message a user can act on.  The CLI prints it on one
line; the language server turns it into an error response.  Exceptions are
for unavailable resources and misuse; a bad input file is never an exception
but a counted problem in the parse result.
"""

from __future__ import annotations


class CodeidxError(Exception):
    """Base class: ``str(error)`` is a complete sentence for the user."""

    hint: str | None = None

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class UsageError(CodeidxError):
    """The user asked for something malformed (bad argument, bad position)."""


class ConfigError(CodeidxError):
    """A configuration value is invalid."""


class SchemaTooNew(CodeidxError):
    """The index was written by a newer codeidx than this one."""


class MigrationError(CodeidxError):
    """A shipped migration is missing or was modified after it was applied."""


class IndexUnavailable(CodeidxError):
    """There is no index for the workspace yet, or it cannot be opened."""


class Cancelled(CodeidxError):
    """The work was cancelled by the user (Ctrl-C, $/cancelRequest)."""


class ContentModified(CodeidxError):
    """The document changed while an answer was being computed."""


class StoreDamaged(CodeidxError):
    """A store on disk cannot be read (corrupted or deleted files); rebuild it."""


class EmbedderUnavailable(CodeidxError):
    """The embedding model cannot be loaded or stopped working; search falls back to BM25."""
