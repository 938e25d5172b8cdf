"""Conversions between LSP values and the plain values of the query layer.

This module owns everything the language server translates: URIs to
workspace-relative paths and back, UTF-16 positions to string offsets and
back (the only place they are computed), query results to ``lsprotocol``
types, and the client capabilities that shape answers (``ClientFeatures``:
Markdown or plain text hovers, hierarchical or flat document symbols,
``LocationLink`` or ``Location`` definitions through ``to_lsp_definitions``).

The query layer already speaks 0-based lines and UTF-16 columns, so a result
location becomes an LSP ``Range`` without touching text; only open buffers
(``lsp.documents``) and position checks need the offset conversions here.

Answers of tens of thousands of locations (references, callers of a much
used method) skip ``lsprotocol`` objects: ``json_location``, ``json_range``
and ``json_hierarchy_item`` write the JSON text directly (call answers from
the query's packed rows: ``json_hierarchy_item_of``, ``json_name_ranges``
and, for many rows at once, ``json_name_ranges_by_row``) and ``JsonAnswer``
holds the encoded answer, so the worker thread that computed the answer
also encodes it and the event loop only writes bytes (``lsp.core``).  Their
content is what the ``lsprotocol`` types would have produced.

Pure functions of their arguments: no I/O, no SQL, no threads of its own, so
the event loop and worker threads may both call them.  It must not decide
anything about symbols (ranking, resolution): that is the query layer's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from codeidx.query.types import Symbol

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency, but optional to run.
    orjson = None  # type: ignore[assignment]

# Text and positions -----------------------------------------------------------

#: LSP line breaks: ``\r\n``, ``\n`` and a lone ``\r``.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf16_to_index(line: str, character: int) -> int:
    """The string index of UTF-16 column ``character`` in ``line``.

    A column past the end is the end (LSP: "defaults back to the line
    length"); a column inside a surrogate pair is the start of its character.
    """
    if character <= 0:
        return 0
    if line.isascii():
        return min(character, len(line))
    units = 0
    for index, ch in enumerate(line):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > character:
            return index
    return len(line)


def index_to_utf16(line: str, index: int) -> int:
    """The UTF-16 column of string index ``index`` in ``line``."""
    return utf16_len(line[: max(0, index)])


def line_starts(text: str) -> list[int]:
    """The string index where each line of ``text`` starts (LSP line breaks)."""
    return [0, *(m.end() for m in _LINE_BREAK.finditer(text))]


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` without their breaks; a final break starts an empty line."""
    return _LINE_BREAK.split(text)


def offset_at(text: str, starts: list[int], line: int, character: int) -> int:
    """The string index of an LSP position in ``text`` (see ``line_starts``).

    Positions past the last line clamp to the end of the text and columns past
    a line's end clamp to the line's end, as LSP asks of incremental edits.
    """
    if line < 0:
        return 0
    if line >= len(starts):
        return len(text)
    start = starts[line]
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    content = text[start:end].rstrip("\r\n")
    return start + utf16_to_index(content, character)


def position_at(text: str, starts: list[int], offset: int) -> tuple[int, int]:
    """The (line, UTF-16 column) of string index ``offset`` in ``text``."""
    offset = max(0, min(offset, len(text)))
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo, utf16_len(text[starts[lo] : offset])


# URIs and paths -----------------------------------------------------------------


def uri_to_path(uri: str, root: Path) -> str | None:
    """The workspace-relative POSIX path of a ``file:`` URI; None outside ``root``."""
    if not uri.startswith("file:"):
        return None
    fs = to_fs_path(uri)
    if fs is None:
        return None
    path = Path(fs)
    for base, candidate in ((root, path), (root.resolve(), path.resolve())):
        try:
            rel = candidate.relative_to(base)
        except ValueError:
            continue
        posix = rel.as_posix()
        return posix if posix not in ("", ".") and ".." not in rel.parts else None
    return None


def path_to_uri(root: Path, path: str) -> str:
    """The ``file:`` URI of a workspace-relative path."""
    uri = from_fs_path(str(root / PurePosixPath(path)))
    return uri if uri is not None else (root / path).as_uri()


class UriCache:
    """``path_to_uri`` computed once per path and root, for every answer of the process.

    Answers with tens of thousands of locations name a few hundred files,
    and building a URI costs about 9 microseconds (``pathlib`` and
    ``urllib``): the references of ``setUpClass`` name 796 files, which
    took 7 ms to spell on every answer.  A path's URI never changes, so the
    URIs are kept per root for the life of the process (a few hundred bytes
    per file of the workspace; dropped past ``KEPT_URIS``).  Any thread:
    reads and writes of the dictionaries are atomic.
    """

    #: URIs kept per root before they are dropped and spelled again.
    KEPT_URIS = 200_000
    _roots: ClassVar[dict[Path, tuple[dict[str, str], dict[str, str]]]] = {}

    def __init__(self, root: Path) -> None:
        self._root = root
        kept = self._roots.get(root)
        if kept is None or len(kept[0]) > self.KEPT_URIS:
            kept = self._roots[root] = ({}, {})
        self._uris, self._json = kept

    def __call__(self, path: str) -> str:
        uri = self._uris.get(path)
        if uri is None:
            uri = self._uris[path] = path_to_uri(self._root, path)
        return uri

    def json(self, path: str) -> str:
        """The URI of ``path`` as a JSON string literal (``json_location``)."""
        text = self._json.get(path)
        if text is None:
            text = self._json[path] = json_string(self(path))
        return text


# Answers encoded on the worker ------------------------------------------------------


def _encode_with_json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("ascii")


#: JSON text (UTF-8) of plain values: lists, dicts, strings, numbers, None.
#: orjson is several times faster than ``json``; either gives the same values.
encode_json: Callable[[object], bytes] = orjson.dumps if orjson is not None else _encode_with_json


#: Whether a text is printable ASCII without quotes or backslashes: every
#: JSON encoder writes such a text as it is, and names and paths almost
#: always are.
_plain = re.compile(r"[ !#-\[\]-~]*").fullmatch


def json_string(text: str) -> str:
    """A string as a JSON string literal (quoted and escaped)."""
    if _plain(text):
        return '"' + text + '"'
    return encode_json(text).decode("utf-8")


@dataclass(frozen=True, slots=True)
class JsonAnswer:
    """A request's result already encoded as JSON, sent as it is (``lsp.core``).

    The protocol would otherwise convert every ``lsprotocol`` object of a
    large answer to a dict and then encode it, on the event loop.
    """

    body: bytes

    @classmethod
    def of(cls, value: object) -> JsonAnswer:
        """The answer ``value`` (plain JSON values in the LSP's shape), encoded."""
        return cls(encode_json(value))

    @classmethod
    def of_array(cls, elements: list[str]) -> JsonAnswer:
        """A JSON array of elements that are JSON texts already (``json_location``...)."""
        if not elements:
            return cls(b"[]")
        # Each element is encoded on its own and the bytes joined once: an
        # answer of megabytes then takes one large buffer, not three (the
        # joined text, its encoding, the bracketed copy), and writing a
        # large buffer first costs more than copying it.
        parts = [element.encode("utf-8") for element in elements]
        parts[0] = b"[" + parts[0]
        parts[-1] += b"]"
        return cls(b",".join(parts))


def response_body(msg_id: int | str, answer: JsonAnswer) -> bytes:
    """The JSON-RPC response carrying an encoded answer."""
    return b'{"jsonrpc":"2.0","id":%s,"result":%s}' % (encode_json(msg_id), answer.body)


# The JSON texts below are written with ``%`` templates rather than built as
# dicts and encoded: a large answer has tens of thousands of ranges, and
# strings, unlike dicts, cost the cyclic garbage collector nothing.  Every
# string in them passes through ``json_string``; numbers are ints.
_RANGE = '{"start":{"line":%d,"character":%d},"end":{"line":%d,"character":%d}}'
_LOCATION = '{"uri":%s,"range":' + _RANGE + "}"


def json_range(line: int, col: int, end_line: int, end_col: int) -> str:
    """An LSP ``Range`` as JSON text."""
    return _RANGE % (line, col, end_line, end_col)


def json_name_ranges_by_row(
    counts: npt.NDArray[np.int64],
    lines: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
    widths: list[int],
) -> list[str]:
    """``json_name_ranges`` of many rows at once: row i's are the next ``counts[i]`` sites.

    The names at row i's sites are ``widths[i]`` long.  One ``%`` over a
    template of every range writes tens of thousands of ranges in C, where
    a range at a time costs a Python expression each.
    """
    out = [""] * len(widths)
    total = int(lines.size)
    if total == 0:
        return out
    values = np.empty((total, 4), np.int64)
    values[:, 0] = lines
    values[:, 1] = cols
    values[:, 2] = lines
    values[:, 3] = cols + np.repeat(np.asarray(widths, np.int64), counts)
    # Ranges of one row are joined by commas, rows split at a NUL, which no
    # range contains.
    pieces = [_RANGE + ","] * total
    last = _RANGE + "\0"
    filled = np.flatnonzero(counts)
    for end in (np.cumsum(counts)[filled] - 1).tolist():
        pieces[end] = last
    texts = ("".join(pieces) % tuple(values.ravel().tolist())).split("\0")
    for index, text in zip(filled.tolist(), texts, strict=False):
        out[index] = text
    return out


def json_location(uri: str, line: int, col: int, end_col: int) -> str:
    """A one-line LSP ``Location`` as JSON text; ``uri`` is a JSON string (``UriCache.json``)."""
    return _LOCATION % (uri, line, col, line, end_col)


def json_name_ranges(sites: Iterable[tuple[int, int]], width: int) -> str:
    """The one-line ranges of names ``width`` long at (line, col) sites, as JSON array items.

    ``json_range``'s text, comma-separated.  An f-string builds each range
    about twice as fast as a ``%`` template: the callers of a much called
    method have tens of thousands of sites.
    """
    return ",".join(
        [
            f'{{"start":{{"line":{line},"character":{col}}},'
            f'"end":{{"line":{line},"character":{col + width}}}}}'
            for line, col in sites
        ]
    )


# Client capabilities --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClientFeatures:
    """The client capabilities that change the shape of answers."""

    markdown_hover: bool = False
    hierarchical_symbols: bool = False
    work_done_progress: bool = False
    #: ``linkSupport`` of ``textDocument.definition``, ``.declaration`` and ``.implementation``.
    definition_links: bool = False
    declaration_links: bool = False
    implementation_links: bool = False
    #: ``workspace.didChangeWatchedFiles.dynamicRegistration``.
    watch_registration: bool = False
    #: ``workspace.configuration``: the client answers ``workspace/configuration``.
    configuration: bool = False

    @classmethod
    def of(cls, caps: types.ClientCapabilities | None) -> ClientFeatures:
        if caps is None:
            return cls()
        document = caps.text_document
        hover = document.hover if document is not None else None
        formats = list(hover.content_format or []) if hover is not None else []
        symbols = document.document_symbol if document is not None else None
        window = caps.window
        definition = document.definition if document is not None else None
        declaration = document.declaration if document is not None else None
        implementation = document.implementation if document is not None else None
        watched = caps.workspace.did_change_watched_files if caps.workspace is not None else None
        return cls(
            markdown_hover=types.MarkupKind.Markdown in formats,
            hierarchical_symbols=bool(
                symbols is not None and symbols.hierarchical_document_symbol_support
            ),
            work_done_progress=bool(window is not None and window.work_done_progress),
            definition_links=bool(definition is not None and definition.link_support),
            declaration_links=bool(declaration is not None and declaration.link_support),
            implementation_links=bool(implementation is not None and implementation.link_support),
            watch_registration=bool(watched is not None and watched.dynamic_registration),
            configuration=bool(caps.workspace is not None and caps.workspace.configuration),
        )

    def links_for(self, method: str) -> bool:
        """Whether the client takes ``LocationLink`` answers to ``method``."""
        if method == types.TEXT_DOCUMENT_DEFINITION:
            return self.definition_links
        if method == types.TEXT_DOCUMENT_DECLARATION:
            return self.declaration_links
        if method == types.TEXT_DOCUMENT_IMPLEMENTATION:
            return self.implementation_links
        return False


# Results --------------------------------------------------------------------------


def to_lsp_range(line: int, col: int, end_line: int, end_col: int) -> types.Range:
    return types.Range(types.Position(line, col), types.Position(end_line, end_col))


def to_lsp_location(root: Path, path: str, line: int, col: int, end_col: int) -> types.Location:
    """A one-line location, as every name and reference in the index is."""
    return to_lsp_location_at(path_to_uri(root, path), line, col, end_col)


def to_lsp_location_at(uri: str, line: int, col: int, end_col: int) -> types.Location:
    """A one-line location in the file ``uri`` (see ``UriCache``)."""
    start, end = types.Position(line, col), types.Position(line, end_col)
    return types.Location(uri, types.Range(start, end))


def to_lsp_definitions(
    locations: list[types.Location],
    origin: types.Range | None,
    links: bool,
) -> list[types.Location] | list[types.LocationLink]:
    """Definition sites as the client takes them: ``LocationLink`` when ``links``.

    A link's origin selection range is ``origin`` (the identifier under the
    cursor); its target range and target selection range are the
    definition's name (the definition answer carries no full extent yet).
    """
    if not links:
        return locations
    return [
        types.LocationLink(
            target_uri=loc.uri,
            target_range=loc.range,
            target_selection_range=loc.range,
            origin_selection_range=origin,
        )
        for loc in locations
    ]


_SYMBOL_KINDS = {
    "module": types.SymbolKind.Module,
    "namespace": types.SymbolKind.Namespace,
    "class": types.SymbolKind.Class,
    "struct": types.SymbolKind.Struct,
    "union": types.SymbolKind.Struct,
    "enum": types.SymbolKind.Enum,
    "enum_member": types.SymbolKind.EnumMember,
    "interface": types.SymbolKind.Interface,
    "trait": types.SymbolKind.Interface,
    "impl": types.SymbolKind.Object,
    "function": types.SymbolKind.Function,
    "method": types.SymbolKind.Method,
    "constructor": types.SymbolKind.Constructor,
    "field": types.SymbolKind.Field,
    "property": types.SymbolKind.Property,
    "constant": types.SymbolKind.Constant,
    "variable": types.SymbolKind.Variable,
    "type_alias": types.SymbolKind.TypeParameter,
    "macro": types.SymbolKind.Function,
}


def to_lsp_symbol_kind(kind: str) -> types.SymbolKind:
    """The LSP kind of a codeidx node kind (unknown kinds are variables)."""
    return _SYMBOL_KINDS.get(kind, types.SymbolKind.Variable)


def to_lsp_highlight_kind(role: str) -> types.DocumentHighlightKind:
    """Declarations, assignments and keyword arguments are writes; the rest reads.

    A keyword argument (``f(port=80)``) binds the parameter it names, as an
    assignment binds a variable.
    """
    if role in ("definition", "write", "argument"):
        return types.DocumentHighlightKind.Write
    return types.DocumentHighlightKind.Read


def container_of(symbol: Symbol) -> str | None:
    """The qualified name of what contains a symbol (``pkg.mod.Class`` for a method)."""
    return container_named(symbol.qualified_name)


def container_named(qualified_name: str) -> str | None:
    """``container_of`` a definition with this qualified name."""
    head, _, _ = qualified_name.replace("::", ".").rpartition(".")
    return head or None


def to_lsp_workspace_symbol(root: Path, symbol: Symbol) -> types.SymbolInformation:
    """A workspace symbol with its name's location."""
    return types.SymbolInformation(
        name=symbol.name,
        kind=to_lsp_symbol_kind(symbol.kind),
        location=to_lsp_location(root, symbol.path, symbol.line, symbol.col, symbol.end_col),
        container_name=container_of(symbol),
    )


def to_lsp_hover(
    symbols: list[Symbol],
    word_range: types.Range | None,
    root: Path,
    client: ClientFeatures,
    partial_note: str | None = None,
) -> types.Hover | None:
    """One section per definition: the signature as code, then where it is defined.

    Markdown when the client renders it, otherwise the same text without
    markup.  ``partial_note`` says why the index may be incomplete.
    """
    if not symbols:
        return None
    sections = []
    for symbol in symbols:
        signature = symbol.signature or f"{symbol.kind} {symbol.name}"
        where = f"{symbol.path}:{symbol.line + 1}"
        if client.markdown_hover:
            link = f"{path_to_uri(root, symbol.path)}#L{symbol.line + 1}"
            sections.append(
                f"```{symbol.language}\n{signature}\n```\n\n"
                f"{symbol.kind} `{symbol.qualified_name}` in [{where}]({link})"
            )
        else:
            sections.append(f"{signature}\n\n{symbol.kind} {symbol.qualified_name} in {where}")
    if partial_note:
        sections.append(f"(the index is partial: {partial_note})")
    separator = "\n\n---\n\n" if client.markdown_hover else "\n\n"
    return _hover(separator.join(sections), word_range, client)


def to_lsp_local_hover(
    name: str, line: int | None, word_range: types.Range | None, client: ClientFeatures
) -> types.Hover:
    """A local variable or parameter, with the line it is first bound on."""
    where = f", first bound on line {line + 1}" if line is not None else ""
    text = f"local `{name}`{where}" if client.markdown_hover else f"local {name}{where}"
    return _hover(text, word_range, client)


def _hover(text: str, word_range: types.Range | None, client: ClientFeatures) -> types.Hover:
    kind = types.MarkupKind.Markdown if client.markdown_hover else types.MarkupKind.PlainText
    return types.Hover(types.MarkupContent(kind, text), word_range)


def hierarchy_data(symbol: Symbol) -> dict[str, object]:
    """What a hierarchy item carries back to the server: the node id and qualified name.

    The id is a string because node ids use 63 bits and JSON numbers in
    JavaScript clients lose precision past 53.
    """
    return {"nodeId": str(symbol.node_id), "name": symbol.qualified_name}


def _hierarchy_item_fields(
    root: Path, symbol: Symbol, uris: UriCache | None = None
) -> dict[str, Any]:
    """The fields call and type hierarchy items share (LSP defines them twice)."""
    where = to_lsp_range(symbol.line, symbol.col, symbol.line, symbol.end_col)
    return {
        "name": symbol.name,
        "kind": to_lsp_symbol_kind(symbol.kind),
        "uri": uris(symbol.path) if uris is not None else path_to_uri(root, symbol.path),
        "range": where,
        "selection_range": where,
        "detail": container_of(symbol),
        "data": hierarchy_data(symbol),
    }


def to_lsp_call_item(
    root: Path, symbol: Symbol, uris: UriCache | None = None
) -> types.CallHierarchyItem:
    """A call hierarchy item; ``uris`` shares URIs between the items of one answer."""
    return types.CallHierarchyItem(**_hierarchy_item_fields(root, symbol, uris))


def json_hierarchy_item(symbol: Symbol, uris: UriCache) -> str:
    """``to_lsp_call_item`` or ``to_lsp_type_item`` as JSON text (the two share their fields)."""
    return json_hierarchy_item_of(
        symbol.node_id,
        symbol.name,
        symbol.qualified_name,
        symbol.kind,
        symbol.path,
        symbol.line,
        symbol.col,
        symbol.end_col,
        uris,
    )


#: LSP symbol kinds as the numbers JSON carries.
_SYMBOL_KIND_NUMBERS = {kind: int(value) for kind, value in _SYMBOL_KINDS.items()}
_VARIABLE_NUMBER = int(types.SymbolKind.Variable)


def json_hierarchy_item_of(
    node_id: int,
    name: str,
    qualified_name: str,
    kind: str,
    path: str,
    line: int,
    col: int,
    end_col: int,
    uris: UriCache,
) -> str:
    """``json_hierarchy_item`` from a definition's fields, for answers that make no ``Symbol``.

    The callers of a much called method are tens of thousands of items.
    The fields are those of ``_hierarchy_item_fields`` in its order, and
    ``data`` is ``hierarchy_data``'s.
    """
    where = (
        f'{{"start":{{"line":{line},"character":{col}}},'
        f'"end":{{"line":{line},"character":{end_col}}}}}'
    )
    number = _SYMBOL_KIND_NUMBERS.get(kind, _VARIABLE_NUMBER)
    container = container_named(qualified_name)
    detail = "" if container is None else ',"detail":' + json_string(container)
    return (
        f'{{"name":{json_string(name)},"kind":{number},"uri":{uris.json(path)}'
        f',"range":{where},"selectionRange":{where}{detail}'
        f',"data":{{"nodeId":"{node_id}","name":{json_string(qualified_name)}}}}}'
    )


def to_lsp_type_item(
    root: Path, symbol: Symbol, uris: UriCache | None = None
) -> types.TypeHierarchyItem:
    """A type hierarchy item; ``uris`` shares URIs between the items of one answer."""
    return types.TypeHierarchyItem(**_hierarchy_item_fields(root, symbol, uris))


def from_lsp_hierarchy_data(data: object) -> tuple[int, str] | None:
    """(node id, qualified name) from an item's ``data``; None when it is not ours.

    ``data`` comes back from the client as a dict or as an attribute object
    (pygls turns unknown JSON objects into named tuples).
    """

    def field(name: str) -> object:
        if isinstance(data, dict):
            return data.get(name)
        return getattr(data, name, None)

    node_id, name = field("nodeId"), field("name")
    if not isinstance(node_id, str | int) or not isinstance(name, str):
        return None
    try:
        return int(node_id), name
    except ValueError:
        return None
