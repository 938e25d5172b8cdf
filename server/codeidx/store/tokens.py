"""Code-aware tokenization for the full-text index.

This module owns how code, prose and paths become search terms: words are
runs of identifier characters, each word is split into its parts at
underscores, case changes (``getHTTPResponse`` → get, http, response) and
letter/digit boundaries (``utf8Decode`` → utf, 8, decode), and everything is
lowercased.  The same functions analyse documents when they are indexed and
queries when they are searched, so both sides always agree.

The splitting happens here, in Python, because tantivy's custom analyzers are
not persisted with an index and its regex tokenizer cannot express the
acronym rule; the full-text index stores the tokens produced here as
pre-tokenized, space-separated text.  Only the glued form of a word and its
parts are emitted: a glued letter-digit run such as ``utf8`` is not kept as
an extra token, because a query for ``utf8`` is analysed into ``utf`` and
``8`` as well and matches the parts.

These are pure functions on strings.  They must not import tantivy or touch
any store, and any thread may call them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from itertools import chain

# A word is a run of identifier characters: letters, digits and underscores
# in any script.  Everything else (spaces, punctuation, "/", ".", "-")
# separates words, which is what splits paths into their components.
_WORD = re.compile(r"\w+")

# Tokens longer than this are dropped: they are almost always encoded data
# (base64 blobs, hashes) that nobody searches for, and they bloat the term
# dictionary.  Tantivy also rejects terms longer than about 65 kB.
MAX_TOKEN_CHARS = 64

_UPPER = 0
_LOWER = 1
_DIGIT = 2


def _char_class(char: str) -> int:
    """Classify a character for splitting; letters without case count as lower."""
    if char.isdecimal():
        return _DIGIT
    if char.isupper():
        return _UPPER
    return _LOWER


def _split_segment(segment: str) -> list[str]:
    """Split one underscore-free segment at case changes and letter/digit edges.

    The rules: a lowercase letter followed by an uppercase one starts a new
    part (``getHttp`` → get, Http); a run of capitals followed by a capital
    and a lowercase letter ends before that last capital, which begins the
    next word (``HTTPResponse`` → HTTP, Response); and a change between digits
    and letters starts a new part (``utf8`` → utf, 8).
    """
    parts: list[str] = []
    start = 0
    length = len(segment)
    for index in range(1, length):
        previous = _char_class(segment[index - 1])
        current = _char_class(segment[index])
        if (previous == _DIGIT) != (current == _DIGIT):
            boundary = True
        elif current == _UPPER:
            # A capital after a lowercase letter starts a word; a capital
            # after a capital starts one only when a lowercase letter follows.
            boundary = previous == _LOWER or (
                previous == _UPPER
                and index + 1 < length
                and _char_class(segment[index + 1]) == _LOWER
            )
        else:
            boundary = False
        if boundary:
            parts.append(segment[start:index])
            start = index
    if start < length:
        parts.append(segment[start:])
    return parts


def _normalize(text: str) -> str:
    """Compose accented letters so that a combining mark never splits a word."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text)


# The same rules as _split_segment for ASCII segments, as one regex: an
# acronym before a capitalized word, a capitalized or lowercase word, an
# acronym, a number.  It is several times faster than the loop, and almost
# all code is ASCII.
_ASCII_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def _segment_parts(segment: str) -> list[str]:
    """The lowercase parts of one underscore-free segment."""
    if segment.isascii():
        return [part.lower() for part in _ASCII_PART.findall(segment)]
    return [part.lower() for part in _split_segment(segment)]


def _identifier_parts(word: str) -> list[str]:
    """The parts of one already normalized word (a run of identifier characters)."""
    parts: list[str] = []
    for segment in word.split("_"):
        if segment:
            parts.extend(_segment_parts(segment))
    return [part for part in parts if part]


# Identifiers repeat endlessly in code (self, return, i, the names of a
# module), so the analysis of each word is cached.  The caches are bounded
# and thread-safe, their entries immutable, and mapping a cached function
# over a text's words keeps the per-word loop out of the interpreter.
@functools.lru_cache(maxsize=1 << 16)
def _word_terms(word: str) -> tuple[str, ...]:
    """The code_tokens terms of one normalized word: its whole form, then its parts."""
    whole = word.lower()
    parts = _word_parts(word)
    # A word of underscores alone (``_``, ``__``) names nothing worth
    # searching for and is very frequent in code, so it yields no term.
    if parts and parts != (whole,) and len(whole) <= MAX_TOKEN_CHARS:
        return (whole, *parts)
    return parts


@functools.lru_cache(maxsize=1 << 16)
def _word_parts(word: str) -> tuple[str, ...]:
    """The word_parts terms of one normalized word."""
    return tuple(part for part in _identifier_parts(word) if len(part) <= MAX_TOKEN_CHARS)


def split_identifier(word: str) -> list[str]:
    """Split one identifier into its lowercase parts.

    ``"getHTTPResponse"`` → ``["get", "http", "response"]``,
    ``"snake_case_name"`` → ``["snake", "case", "name"]``,
    ``"utf8Decode"`` → ``["utf", "8", "decode"]``, ``"__init__"`` → ``["init"]``.
    Characters that cannot be part of an identifier separate parts, so a
    dotted or slashed name is split too.  Every part is non-empty; an empty
    or separator-only word gives ``[]``.  No length limit is applied here.
    """
    parts: list[str] = []
    for match in _WORD.findall(_normalize(word)):
        parts.extend(_identifier_parts(match))
    return parts


def code_tokens(text: str) -> list[str]:
    """Analyse any text (code, prose or a path) into search terms, in order.

    Each identifier-like word yields its lowercased whole form (underscores
    kept, so an exact name such as ``__init__`` or ``snake_case_name`` is a
    term of its own) followed by its parts from :func:`split_identifier`, so
    both the exact name and its sub-words match.  A word that is its own only
    part yields one term.  Paths split on ``/``, ``.``, ``-`` and ``_``.
    Duplicates are kept: term frequency matters to BM25.  Terms longer than
    :data:`MAX_TOKEN_CHARS` and words made of underscores alone are dropped.
    """
    return list(chain.from_iterable(map(_word_terms, _WORD.findall(_normalize(text)))))


def word_parts(text: str) -> list[str]:
    """Analyse text into parts only, without the glued whole words.

    This feeds the stemmed prose field: a stemmer works on natural-language
    words, and the glued form of a compound identifier is not one.
    """
    return list(chain.from_iterable(map(_word_parts, _WORD.findall(_normalize(text)))))


def query_tokens(text: str) -> list[str]:
    """Analyse a user query like a document, without duplicates, in first-seen order.

    Any input is accepted, punctuation included: it only separates words, so
    a query can never be malformed.
    """
    return list(dict.fromkeys(code_tokens(text)))


# English function words that carry no meaning in a search sentence:
# articles, pronouns, and the prepositions and auxiliaries that never name
# anything in code.  They are left out of queries only, never out of
# documents, so BM25's statistics stay those of the real text.  The list is
# short on purpose: words such as "is", "if", "in", "for", "not", "from",
# "with" and "and" are also keywords or parts of names (``is_dir``,
# ``from_bytes``), and dropping them as well lost more than it gained on the
# search benchmark's development queries (``bench/search_bench.py``).
QUERY_STOP_WORDS = frozenset(
    {
        "a", "an", "the", "this", "that", "these", "those", "it", "its",
        "of", "to", "be", "been", "being", "by", "as", "at",
        "which", "who", "whom", "whose",
        "we", "you", "your", "our", "their", "they", "them",
        "he", "she", "his", "her", "i", "me", "my",
    }
)  # fmt: skip


def query_terms(text: str) -> list[str]:
    """The search terms of a user query: :func:`query_tokens` without stop words.

    Stop words (:data:`QUERY_STOP_WORDS`) are dropped only when other terms
    remain, so a query made of them alone ("is", "to do") still finds
    something.
    """
    tokens = query_tokens(text)
    kept = [token for token in tokens if token not in QUERY_STOP_WORDS]
    return kept or tokens
