"""Hover text: a ``query.hover.HoverResult`` as Markdown or plain text.

Each definition becomes one section: its decorators and signature as a code
block, its doc under that, then its kind, qualified name and defining file.
Markdown when the client renders it (docstrings and doc comments are
commonly written in Markdown, so they are passed through), otherwise the
same text without markup.  A local variable or parameter says where it is
first bound.

Pure functions of their arguments: no I/O, no SQL; any thread may call them.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from codeidx.lsp import convert
from codeidx.lsp.convert import ClientFeatures
from codeidx.query.types import HoverTarget


def to_lsp_hover(
    targets: list[HoverTarget],
    word_range: types.Range | None,
    root: Path,
    client: ClientFeatures,
    partial_note: str | None = None,
) -> types.Hover | None:
    """One section per definition (see module doc); None when there is none."""
    if not targets:
        return None
    markdown = client.markdown_hover
    sections = [_section(t, root, markdown) for t in targets]
    if partial_note:
        sections.append(f"(the index is partial: {partial_note})")
    separator = "\n\n---\n\n" if markdown else "\n\n"
    kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
    return types.Hover(types.MarkupContent(kind, separator.join(sections)), word_range)


def _section(target: HoverTarget, root: Path, markdown: bool) -> str:
    symbol = target.symbol
    signature = symbol.signature or f"{symbol.kind} {symbol.name}"
    code = "\n".join([*_decorators(symbol.language, target.decorators), signature])
    where = f"{symbol.path}:{symbol.line + 1}"
    doc = (target.doc or "").strip()
    if markdown:
        link = f"{convert.path_to_uri(root, symbol.path)}#L{symbol.line + 1}"
        parts = [f"```{symbol.language}\n{code}\n```"]
        if doc:
            parts.append(doc)
        parts.append(f"{symbol.kind} `{symbol.qualified_name}` in [{where}]({link})")
    else:
        parts = [code]
        if doc:
            parts.append(doc)
        parts.append(f"{symbol.kind} {symbol.qualified_name} in {where}")
    return "\n\n".join(parts)


def _decorators(language: str, decorators: list[str]) -> list[str]:
    # The index stores decorators and attributes without their sigil.
    if language == "rust":
        return [f"#[{d}]" for d in decorators]
    return [d if d.startswith("@") else f"@{d}" for d in decorators]
