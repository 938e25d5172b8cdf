"""What a definition looks like to the search stores: its document text and its chunks.

A search document is one definition of a searchable kind (functions,
methods, classes and other types, and modules that have a docstring).
Its text is assembled from the index and the file's source bytes:

- the full-text store gets the fields separately (name, qualified name,
  kind, signature, doc, body) so it can weigh them;
- the vector store gets chunks: path, kind and qualified name (with the name
  split into words, which a sentence model reads better than ``snake_case``),
  signature, doc and the leading lines of the body, at most
  :data:`CHUNK_TOKENS` model tokens.  The machinery for overlapping windows
  of lines (each repeating the header and pointing back to its definition)
  is kept, but :data:`MAX_WINDOWS` is 1: the full-text store indexes every
  body in full, and on the search benchmark the later windows of long
  functions matched queries they do not answer more often than they helped.

A class's body is its header and the names of its members rather than its
whole text: the members are documents of their own, and repeating their
bodies would only make the class match everything its methods match.
A Python docstring is taken out of the body, since the doc field holds it.

Pure functions over plain records: no SQL, no stores, no model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from codeidx.store.projection import SEARCHABLE_KINDS, DefinitionText
from codeidx.store.tokens import split_identifier

#: Kinds whose body is summarised by their members instead of their text.
CONTAINER_KINDS = frozenset(
    {"class", "struct", "union", "enum", "interface", "trait", "namespace", "module"}
)
#: At most this many windows per definition.  One: what a definition is about
#: is in its name, signature, doc and opening lines, while a later window of a
#: long function is a stretch of code out of context that outranks the real
#: answers to queries it shares a few words with.  On the development queries
#: of ``bench/search_bench.py`` the vector MRR@10 was 0.423 with 8 windows,
#: 0.427 with 2 and 0.434 with 1; BM25 still sees the whole body.
MAX_WINDOWS = 4
#: The most model tokens a chunk holds, below the model's own limit: the
#: default model (all-MiniLM-L6-v2) was trained on 128-token texts and
#: embeds a definition's head better than its head and 250 tokens of body.
#: Development-query vector MRR@10 with one window: 0.429 at 96 tokens,
#: 0.450 at 128, 0.435 at 192, 0.434 at 254.
CHUNK_TOKENS = 128
#: The share of a window repeated at the start of the next one.
OVERLAP = 0.25
#: A doc longer than this share of the token budget is cut, so that some body fits.
DOC_SHARE = 0.5
#: Characters of a body kept for the full-text store (BM25 needs the words, not a novel).
MAX_BODY_CHARS = 20_000

#: Characters of a body searched for its signature (decorators may come first).
_SIGNATURE_SLACK = 200

_DOCSTRING = re.compile(r'^[ \t]*[rRuUbB]{0,2}("""|\'\'\'|"|\')', re.MULTILINE)

TokenCounter = Callable[[Sequence[str]], list[int]]


@dataclass(frozen=True, slots=True)
class DefinitionDoc:
    """One searchable definition with its text fields."""

    node_id: int
    path: str
    language: str
    kind: str
    name: str
    qualified_name: str
    signature: str
    doc: str
    body: str

    @property
    def header(self) -> str:
        """Kind, qualified name and the name's words: what every chunk starts with.

        The path comes first only when the qualified name does not already
        spell the module (``datetime.date.fromisoformat`` says what
        ``datetime.py`` would): a repeated line costs tokens the body needs.
        """
        words = " ".join(split_identifier(self.name))
        label = f"{self.kind} {self.qualified_name}"
        if words and words != self.name.lower():
            label += f" ({words})"
        if _names_module(self.qualified_name, self.path):
            return label
        return f"{self.path}\n{label}"

    @property
    def head(self) -> str:
        """The header and the signature, unless the body opens with the signature already."""
        signature = self.signature.strip()
        if not signature or signature in self.body[: len(signature) + _SIGNATURE_SLACK]:
            return self.header
        return f"{self.header}\n{signature}"


@dataclass(frozen=True, slots=True)
class Chunk:
    """One text the model embeds, and the definition it points back to."""

    node_id: int
    window: int
    text: str


def definition_docs(
    path: str, language: str, source: bytes, definitions: Sequence[DefinitionText]
) -> list[DefinitionDoc]:
    """The search documents of one file, in document order."""
    members: dict[int, list[str]] = {}
    for d in definitions:
        if d.parent_id is not None:
            members.setdefault(d.parent_id, []).append(d.name)
    out = []
    for d in definitions:
        if d.kind not in SEARCHABLE_KINDS:
            continue
        if d.kind == "module":
            if not d.doc.strip():
                continue  # a module is a document only for its docstring
            body = ""
        elif d.kind in CONTAINER_KINDS:
            names = members.get(d.node_id, [])
            body = d.signature + ("\nmembers: " + " ".join(names) if names else "")
        else:
            body = source[d.start_byte : d.end_byte].decode("utf-8", "replace")
            if d.doc and language == "python":
                body = _without_docstring(body)
            body = body[:MAX_BODY_CHARS]
        out.append(
            DefinitionDoc(
                d.node_id,
                path,
                language,
                d.kind,
                d.name,
                d.qualified_name,
                d.signature,
                d.doc,
                body,
            )
        )
    return out


def _names_module(qualified_name: str, path: str) -> bool:
    """Whether ``qualified_name`` starts with the dotted module name of ``path``.

    ``pkg/sub/mod.py`` is ``pkg.sub.mod``; a package's ``__init__`` file is
    the package itself.
    """
    stem = path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path
    if stem.endswith("/__init__"):
        stem = stem[: -len("/__init__")]
    module = stem.replace("/", ".")
    return bool(module) and (qualified_name == module or qualified_name.startswith(module + "."))


def _without_docstring(body: str) -> str:
    """The body with its first string literal statement (the docstring) removed."""
    # The docstring is the first statement after the signature line(s).
    colon = body.find(":\n")
    if colon < 0:
        return body
    match = _DOCSTRING.search(body, colon + 2)
    if match is None or body[colon + 2 : match.start()].strip():
        return body
    quote = match.group(1)
    end = body.find(quote, match.end())
    if end < 0:
        return body
    return body[: match.start()] + body[end + len(quote) :].lstrip("\n")


def chunks(doc: DefinitionDoc, count_tokens: TokenCounter, max_tokens: int) -> list[Chunk]:
    """The definition as one or more texts of at most ``max_tokens`` model tokens.

    Token counts come from the model's tokenizer (``count_tokens``) so nothing
    is silently cut by the model; a text that fits is one chunk.  The limit
    is at most :data:`CHUNK_TOKENS`, whatever the model accepts.
    """
    max_tokens = min(max_tokens, CHUNK_TOKENS)
    head = doc.head
    doc_text = doc.doc.strip()
    whole = "\n".join(part for part in (head, doc_text, doc.body) if part)
    counts = count_tokens([whole, head, doc_text] if doc_text else [whole, head])
    if counts[0] <= max_tokens:
        return [Chunk(doc.node_id, 0, whole)]
    head_tokens = counts[1]
    if head_tokens >= max_tokens:
        return [Chunk(doc.node_id, 0, _cut(head, count_tokens, max_tokens))]
    budget = max_tokens - head_tokens - 1
    if doc_text:
        doc_budget = int(budget * DOC_SHARE) if doc.body else budget
        if counts[2] > doc_budget:
            doc_text = _cut(doc_text, count_tokens, doc_budget)
            doc_tokens = doc_budget
        else:
            doc_tokens = counts[2]
    else:
        doc_tokens = 0
    lines = [line for line in doc.body.splitlines() if line.strip()]
    if not lines:
        text = "\n".join(part for part in (head, doc_text) if part)
        return [Chunk(doc.node_id, 0, text)]
    line_tokens = [max(1, n) + 1 for n in count_tokens(lines)]  # +1: the line break
    out: list[Chunk] = []
    start = 0
    while start < len(lines) and len(out) < MAX_WINDOWS:
        first = not out
        room = budget - (doc_tokens + 1 if first and doc_text else 0)
        room = max(room, 8)
        end, used = start, 0
        while end < len(lines) and used + line_tokens[end] <= room:
            used += line_tokens[end]
            end += 1
        if end == start:  # one line longer than a window: cut it
            piece = _cut(lines[start], count_tokens, room)
            end = start + 1
        else:
            piece = "\n".join(lines[start:end])
        parts = [head, doc_text, piece] if first else [head, piece]
        out.append(Chunk(doc.node_id, len(out), "\n".join(p for p in parts if p)))
        if end >= len(lines):
            break
        # Step back so the next window repeats the tail of this one.
        back, kept = end, 0
        while back > start + 1 and kept + line_tokens[back - 1] <= used * OVERLAP:
            back -= 1
            kept += line_tokens[back]
        start = back
    return out


def _cut(text: str, count_tokens: TokenCounter, limit: int) -> str:
    """The longest prefix of ``text`` (at a word boundary) within ``limit`` tokens."""
    if limit <= 0:
        return ""
    words = text.split(" ")
    lo, hi = 0, len(words)
    # Binary search on the number of words: a few tokenizer calls, not one per word.
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count_tokens([" ".join(words[:mid])])[0] <= limit:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo])
