"""The Tantivy full-text index: BM25 search over indexed nodes.

This module owns one Tantivy index folder: its schema and schema version,
the documents it holds (one per indexed node, plus one manifest document per
file recording the content hash the index holds for it), per-file updates,
and BM25 search with field boosts and exact language/kind filters.  It is a
projection of the SQLite index of record: it must never be the only place a
fact lives, it knows nothing of SQL, LSP or tree-sitter, and it does not
decide when to sync (the index layer does).

Text is analysed in Python by :mod:`codeidx.store.tokens` and stored as
space-separated tokens in fields using Tantivy's built-in ``whitespace``
tokenizer, because custom Tantivy analyzers are not persisted with an index.
The word parts of the name, of the doc and of the whole definition also go
to fields using the built-in ``en_stem`` tokenizer, so that an English
query meets code: "parses headers" finds ``parse_header`` and "parsing"
finds "parses".  Queries leave out English stop words
(:func:`codeidx.store.tokens.query_terms`).

Threads: one writer thread owns the writable instance and is the only caller
of :meth:`TextIndex.replace_file`, :meth:`TextIndex.delete_file`,
:meth:`TextIndex.commit`, :meth:`TextIndex.clear` and :meth:`TextIndex.close`.
:meth:`TextIndex.search`, :meth:`TextIndex.manifest` and
:meth:`TextIndex.doc_count` may be called from any number of threads at once,
on either instance: Tantivy searchers are safe to share and release the
interpreter lock while they search, and the reload check is serialized by a
lock.  Close a read-only instance only once no search is running on it.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import tantivy

from codeidx.errors import IndexUnavailable, StoreDamaged
from codeidx.store.tokens import code_tokens, query_terms, word_parts

# Bump when the fields, their tokenizers or the token analysis change: a
# folder written with another version is refused with StoreDamaged and
# rebuilt from the index of record.
SCHEMA_VERSION = 2

# The small file that marks a folder as a codeidx full-text index and
# records the schema version that wrote it.  Tantivy's own meta.json does
# not say which application wrote an index.
VERSION_FILE = "codeidx-text.json"
_FORMAT = "codeidx-text"

_NODE = "node"
_MANIFEST = "manifest"

# Field boosts, chosen on the development queries of bench/search_bench.py
# (English sentences against docstring-free code).  The exact fields hold
# code tokens, whole identifiers and their parts; the ``*_stem`` fields hold
# the word parts stemmed, which is how an English sentence meets code
# ("parses headers" and ``parse_header``).  The stemmed name counts most,
# then the stemmed text of the whole definition (qualified name, signature,
# doc and body).  Exact terms count less than one would think: a sentence's
# words are rarely spelled as the code spells them, and a high weight on an
# exact name lifts every definition called ``date`` for "construct a date".
FIELD_BOOSTS: dict[str, float] = {
    "name": 1.0,
    "qualified_name": 1.0,
    "signature": 1.0,
    "doc": 1.5,
    "path_text": 0.8,
    "body": 1.0,
    "name_stem": 3.0,
    "doc_stem": 1.2,
    "text_stem": 2.5,
}

# The fields analysed by Tantivy's ``en_stem`` tokenizer; query words are
# stemmed the same way before they are looked up there.
_STEMMED_FIELDS = ("name_stem", "doc_stem", "text_stem")

# Per query word, the best-matching field counts in full and the others at
# this fraction, so a word repeated in many fields cannot outweigh a node
# that matches more of the query's distinct words.
_TIE_BREAKER = 0.5

# The writer's indexing memory budget.  Tantivy splits it between its
# indexing threads and flushes a segment when it fills up.
DEFAULT_WRITER_HEAP = 64_000_000


@dataclass(frozen=True, slots=True)
class TextDoc:
    """One indexed node as the full-text index sees it."""

    node_id: int
    path: str
    name: str
    qualified_name: str
    kind: str
    language: str
    signature: str
    doc: str
    body: str


@dataclass(frozen=True, slots=True)
class TextHit:
    """One search result, best first in a result list."""

    node_id: int
    score: float
    path: str


def _build_schema() -> tantivy.Schema:
    """The fields of every document, node and manifest alike.

    ``path``, ``record``, ``kind`` and ``language`` are single raw terms for
    exact deletes and filters.  Searched text fields keep frequencies but not
    positions: no query here is a phrase, and positions would double the size
    of the body postings.
    """
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("node_id", stored=True, indexed=True, fast=True)
    builder.add_text_field("path", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("record", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("content_hash", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("language", tokenizer_name="raw", index_option="basic")
    for field in ("name", "qualified_name", "signature", "doc", "path_text", "body"):
        builder.add_text_field(field, tokenizer_name="whitespace", index_option="freq")
    for field in _STEMMED_FIELDS:
        builder.add_text_field(field, tokenizer_name="en_stem", index_option="freq")
    return builder.build()


def _stem_analyzer() -> tantivy.TextAnalyzer:
    """The analysis of Tantivy's built-in ``en_stem`` tokenizer, for query words.

    Queries are built from terms, not parsed, so a query word bound for the
    stemmed field must be stemmed here exactly as the field was at indexing.
    """
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _read_version(directory: Path) -> None:
    """Raise StoreDamaged unless the folder's version file matches this schema."""
    version_path = directory / VERSION_FILE
    try:
        record = json.loads(version_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreDamaged(
            f"The full-text index at {directory} has no {VERSION_FILE}: it was not written "
            "by codeidx or its creation was interrupted; it will be rebuilt from the index."
        ) from None
    except (OSError, ValueError) as error:
        raise StoreDamaged(
            f"The full-text index at {directory} has an unreadable {VERSION_FILE} ({error}); "
            "it will be rebuilt from the index."
        ) from None
    version = record.get("schema_version") if isinstance(record, dict) else None
    if not isinstance(record, dict) or record.get("format") != _FORMAT:
        raise StoreDamaged(
            f"The full-text index at {directory} is not a codeidx full-text index; "
            "it will be rebuilt from the index."
        )
    if version != SCHEMA_VERSION:
        raise StoreDamaged(
            f"The full-text index at {directory} was written with schema version {version}, "
            f"this codeidx uses version {SCHEMA_VERSION}; it will be rebuilt from the index."
        )


def _write_version(directory: Path) -> None:
    """Record the schema version atomically, after the Tantivy index exists."""
    record = {"format": _FORMAT, "schema_version": SCHEMA_VERSION}
    temporary = directory / (VERSION_FILE + ".tmp")
    temporary.write_text(json.dumps(record) + "\n", encoding="utf-8")
    os.replace(temporary, directory / VERSION_FILE)


class TextIndex:
    """One open Tantivy index folder, writable (one writer) or read-only.

    Open with :meth:`open`; see the module docstring for which thread may
    call what.
    """

    def __init__(
        self,
        directory: Path,
        index: tantivy.Index,
        writer: tantivy.IndexWriter | None,
    ) -> None:
        """Wrap an opened index; use :meth:`open` instead."""
        self._directory = directory
        self._index = index
        self._schema = index.schema
        self._writer = writer
        self._reload_lock = threading.Lock()
        self._meta_key = self._read_meta_key()
        self._stemmer = _stem_analyzer()
        self._closed = False

    @classmethod
    def open(
        cls,
        directory: Path,
        *,
        writable: bool,
        writer_heap_bytes: int = DEFAULT_WRITER_HEAP,
        writer_threads: int = 1,
    ) -> TextIndex:
        """Open the index in ``directory``.

        A writable open creates the folder and an empty index when neither
        exists and keeps the folder's one writer until :meth:`close`; a
        second writable open of the same folder, in this process or another,
        raises IndexUnavailable.  A read-only open never creates anything.
        Raises StoreDamaged when the folder is missing (read-only), was not
        written by codeidx, was written with another schema version, or
        cannot be opened by Tantivy.  One indexing thread is the default
        because the writer shares the machine with parsing and embedding.
        """
        directory = Path(directory)
        if writable:
            directory.mkdir(parents=True, exist_ok=True)
            fresh = (
                not (directory / "meta.json").exists() and not (directory / VERSION_FILE).exists()
            )
            if fresh:
                try:
                    tantivy.Index(_build_schema(), path=str(directory), reuse=False)
                except ValueError as error:
                    raise StoreDamaged(
                        f"The full-text index at {directory} cannot be created ({error})."
                    ) from None
                _write_version(directory)
        elif not (directory / "meta.json").exists() and not (directory / VERSION_FILE).exists():
            raise StoreDamaged(
                f"There is no full-text index at {directory}; it will be built from the index."
            )
        _read_version(directory)
        try:
            index = tantivy.Index.open(str(directory))
            index.config_reader(reload_policy="manual")
        except ValueError as error:
            raise StoreDamaged(
                f"The full-text index at {directory} cannot be opened ({error}); "
                "it will be rebuilt from the index."
            ) from None
        writer: tantivy.IndexWriter | None = None
        if writable:
            try:
                writer = index.writer(heap_size=writer_heap_bytes, num_threads=writer_threads)
            except ValueError as error:
                if "LockBusy" in str(error):
                    raise IndexUnavailable(
                        f"The full-text index at {directory} is already open for writing "
                        "by another codeidx process."
                    ) from None
                raise StoreDamaged(
                    f"The full-text index at {directory} cannot be opened for writing ({error})."
                ) from None
        return cls(directory, index, writer)

    @staticmethod
    def remove(directory: Path) -> None:
        """Delete the index folder so that the next writable open starts empty.

        Used to rebuild after StoreDamaged.  No instance may be open on the
        folder.  A missing folder is not an error.
        """
        if Path(directory).exists():
            shutil.rmtree(directory)

    @property
    def directory(self) -> Path:
        """The folder this instance reads or writes."""
        return self._directory

    @property
    def writable(self) -> bool:
        """Whether this instance holds the folder's writer."""
        return self._writer is not None

    # Writes: the writer thread only.

    def replace_file(self, path: str, content_hash: str, docs: Sequence[TextDoc]) -> None:
        """Replace everything the index holds for ``path`` with ``docs``.

        Deletes every document of the path (its nodes and its manifest
        document) and adds ``docs`` plus a manifest document recording
        ``content_hash``.  Nothing is visible to searches until
        :meth:`commit`.  Every doc must have ``path`` as its path.  Writer
        thread only.
        """
        writer = self._require_writer()
        for doc in docs:
            if doc.path != path:
                raise ValueError(f"a document of {doc.path} was given to replace {path}")
        writer.delete_documents_by_term("path", path)
        for doc in docs:
            writer.add_document(self._node_document(doc))
        writer.add_document(
            tantivy.Document(path=path, record=_MANIFEST, content_hash=content_hash)
        )

    def delete_file(self, path: str) -> None:
        """Delete every document of ``path``; invisible until :meth:`commit`. Writer thread only."""
        self._require_writer().delete_documents_by_term("path", path)

    def commit(self) -> None:
        """Make every pending change durable and visible to searches. Writer thread only.

        Every instance on the same folder, this one included, sees the commit
        on its next read (meta.json changed).  Nothing is reloaded here: a
        writer is usually closed right after its commit, and reloading would
        open every segment for nothing (tens of milliseconds per save).
        """
        writer = self._require_writer()
        try:
            writer.commit()
        except ValueError as error:
            raise StoreDamaged(
                f"The full-text index at {self._directory} could not be written ({error})."
            ) from None

    def clear(self) -> None:
        """Delete every document and commit, leaving an empty index. Writer thread only."""
        writer = self._require_writer()
        writer.delete_all_documents()
        self.commit()

    def close(self) -> None:
        """Release the writer (after its merges finish) and the index; idempotent.

        Pending changes that were not committed are lost.
        """
        if self._closed:
            return
        self._closed = True
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.rollback()
            writer.wait_merging_threads()

    # Reads: any thread.

    def manifest(self) -> dict[str, str]:
        """Map each path the committed index holds to its recorded content hash. Any thread."""
        searcher = self._searcher()
        query = tantivy.Query.term_query(self._schema, "record", _MANIFEST)
        limit = max(searcher.num_docs, 1)
        result: dict[str, str] = {}
        try:
            for _score, address in searcher.search(query, limit, count=False).hits:
                document = searcher.doc(address)
                result[str(document.get_first("path"))] = str(document.get_first("content_hash"))
        except ValueError as error:
            raise self._damaged(error) from None
        return result

    def doc_count(self) -> int:
        """How many node documents the committed index holds, manifests excluded. Any thread."""
        searcher = self._searcher()
        query = tantivy.Query.term_query(self._schema, "record", _NODE)
        try:
            # The type stubs of tantivy 0.27 omit SearchResult.count.
            count = searcher.search(query, 1, count=True).count  # type: ignore[attr-defined]
            return int(count or 0)
        except ValueError as error:
            raise self._damaged(error) from None

    def search(
        self,
        query: str,
        limit: int,
        *,
        languages: Collection[str] | None = None,
        kinds: Collection[str] | None = None,
    ) -> list[TextHit]:
        """BM25 search for nodes matching ``query``, best first. Any thread.

        The query is analysed like documents (:func:`query_terms`), never
        parsed as Tantivy query syntax, so any input is valid; a query with
        no words gives ``[]``.  Each query word may match any field (with
        :data:`FIELD_BOOSTS`); a node matching more words ranks higher.
        ``languages`` and ``kinds`` filter exactly; an empty collection
        matches nothing, None does not filter.  Raises StoreDamaged when the
        index cannot be read.
        """
        words = query_terms(query)
        if not words or limit <= 0:
            return []
        if (languages is not None and not languages) or (kinds is not None and not kinds):
            return []
        text_query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, self._word_query(word)) for word in words]
        )
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = [(tantivy.Occur.Must, text_query)]
        for field, values in (("language", languages), ("kind", kinds)):
            if values is not None:
                clauses.append(
                    (
                        tantivy.Occur.Must,
                        tantivy.Query.term_set_query(self._schema, field, sorted(set(values))),
                    )
                )
        # Manifest documents have none of the searched text fields, so the
        # required text query never matches them.
        full_query = text_query if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)
        searcher = self._searcher()
        hits: list[TextHit] = []
        try:
            for score, address in searcher.search(full_query, limit, count=False).hits:
                document = searcher.doc(address)
                node_id = document.get_first("node_id")
                if not isinstance(node_id, int):
                    raise ValueError(f"a node document has no node id: {document.to_dict()}")
                hits.append(
                    TextHit(
                        node_id=node_id, score=float(score), path=str(document.get_first("path"))
                    )
                )
        except ValueError as error:
            raise self._damaged(error) from None
        return hits

    # Internals.

    def _word_query(self, word: str) -> tantivy.Query:
        """One query word against every searched field, best field first."""
        schema = self._schema
        subqueries = [
            tantivy.Query.boost_query(tantivy.Query.term_query(schema, field, word), boost)
            for field, boost in FIELD_BOOSTS.items()
            if field not in _STEMMED_FIELDS
        ]
        stems = self._stemmer.analyze(word)
        # A glued identifier such as ``snake_case_name`` stems to several
        # terms; its parts are query words of their own, so it adds none.
        if len(stems) == 1:
            subqueries.extend(
                tantivy.Query.boost_query(
                    tantivy.Query.term_query(schema, field, stems[0]), FIELD_BOOSTS[field]
                )
                for field in _STEMMED_FIELDS
            )
        return tantivy.Query.disjunction_max_query(subqueries, tie_breaker=_TIE_BREAKER)

    def _node_document(self, doc: TextDoc) -> tantivy.Document:
        """The Tantivy document for one node, with every text field pre-analysed."""
        return tantivy.Document(
            node_id=doc.node_id,
            path=doc.path,
            record=_NODE,
            kind=doc.kind,
            language=doc.language,
            name=" ".join(code_tokens(doc.name)),
            qualified_name=" ".join(code_tokens(doc.qualified_name)),
            signature=" ".join(code_tokens(doc.signature)),
            doc=" ".join(code_tokens(doc.doc)),
            name_stem=" ".join(word_parts(doc.name)),
            doc_stem=" ".join(word_parts(doc.doc)),
            text_stem=" ".join(word_parts(_whole_text(doc))),
            path_text=" ".join(code_tokens(doc.path)),
            body=" ".join(code_tokens(doc.body)),
        )

    def _require_writer(self) -> tantivy.IndexWriter:
        """The writer, or a clear error when this instance cannot write."""
        if self._writer is None:
            state = "closed" if self._closed else "opened read-only"
            raise RuntimeError(f"the full-text index at {self._directory} is {state}")
        return self._writer

    def _read_meta_key(self) -> bytes | None:
        """Identify the committed version on disk: the bytes of its meta.json.

        Tantivy rewrites meta.json on every commit (it lists the segments and
        the commit's opstamp).  Its content is compared rather than its
        inode, size and modification time, because two quick commits can
        leave all three equal (a freed inode is reused, timestamps are as
        coarse as the kernel tick).  The file is a few kilobytes, and reading
        it costs tens of microseconds, well below a search.
        """
        try:
            return (self._directory / "meta.json").read_bytes()
        except OSError:
            return None

    def _reload(self, *, force: bool) -> None:
        """Load the latest commit if meta.json changed since the last load.

        The key is read before reloading, so a commit landing in between is
        at worst loaded twice, never missed.
        """
        with self._reload_lock:
            key = self._read_meta_key()
            if not force and key == self._meta_key:
                return
            try:
                self._index.reload()
            except ValueError as error:
                raise self._damaged(error) from None
            self._meta_key = key

    def _searcher(self) -> tantivy.Searcher:
        """A searcher on the latest commit, reloading if another instance committed."""
        if self._closed:
            raise RuntimeError(f"the full-text index at {self._directory} is closed")
        self._reload(force=False)
        return self._index.searcher()

    def _damaged(self, error: Exception) -> StoreDamaged:
        """The error raised when Tantivy fails to read the folder."""
        return StoreDamaged(
            f"The full-text index at {self._directory} cannot be read ({error}); "
            "it will be rebuilt from the index."
        )


def _whole_text(doc: TextDoc) -> str:
    """Everything a node says, for the stemmed whole-text field: close to what is embedded."""
    return "\n".join((doc.qualified_name, doc.signature, doc.doc, doc.body))
