"""codeidx: a code-intelligence language server over a local tree-sitter index."""

__version__ = "0.1.0"
