"""Tests for codeidx.store.tokens: identifier splitting, document and query analysis."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codeidx.store.tokens import (
    MAX_TOKEN_CHARS,
    QUERY_STOP_WORDS,
    _split_segment,
    code_tokens,
    query_terms,
    query_tokens,
    split_identifier,
    word_parts,
)


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("getHTTPResponse", ["get", "http", "response"]),
        ("snake_case_name", ["snake", "case", "name"]),
        ("utf8Decode", ["utf", "8", "decode"]),
        ("__init__", ["init"]),
        ("HTTPServer", ["http", "server"]),
        ("XMLHttpRequest", ["xml", "http", "request"]),
        ("IOError", ["io", "error"]),
        ("ABC", ["abc"]),
        ("getX", ["get", "x"]),
        ("SCREAMING_CASE", ["screaming", "case"]),
        ("x86_64", ["x", "86", "64"]),
        ("sha256sum", ["sha", "256", "sum"]),
        ("parse2Dpoints", ["parse", "2", "dpoints"]),
        ("kebab-case-name", ["kebab", "case", "name"]),
        ("pkg.mod.Class", ["pkg", "mod", "class"]),
        ("plain", ["plain"]),
    ],
)
def test_split_identifier(word: str, parts: list[str]) -> None:
    assert split_identifier(word) == parts


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("naïveCafé", ["naïve", "café"]),
        ("ÉtéÀParis", ["été", "à", "paris"]),
        ("日本語Name", ["日本語", "name"]),
        ("größeBerechnen", ["größe", "berechnen"]),
        ("ΑλφαΒήτα", ["αλφα", "βήτα"]),
    ],
)
def test_split_identifier_unicode(word: str, parts: list[str]) -> None:
    assert split_identifier(word) == parts


def test_combining_marks_do_not_split_a_word() -> None:
    decomposed = "cafe\u0301Bar"  # "café" written with a combining acute accent
    assert split_identifier(decomposed) == ["café", "bar"]


@pytest.mark.parametrize("word", ["", "_", "___", "  ", "()", "-/."])
def test_split_identifier_without_letters_is_empty(word: str) -> None:
    assert split_identifier(word) == []


def test_code_tokens_keep_the_whole_word_and_its_parts() -> None:
    assert code_tokens("getHTTPResponse") == ["gethttpresponse", "get", "http", "response"]
    assert code_tokens("snake_case_name") == ["snake_case_name", "snake", "case", "name"]
    assert code_tokens("__init__") == ["__init__", "init"]
    # A word that is its own only part is one token, not two.
    assert code_tokens("plain") == ["plain"]


def test_code_tokens_of_code_keep_duplicates_in_order() -> None:
    tokens = code_tokens("def parse(self):\n    return self.parse_header(self.x)")
    assert tokens == [
        "def", "parse", "self", "return", "self",
        "parse_header", "parse", "header", "self", "x",
    ]  # fmt: skip


def test_code_tokens_of_a_path() -> None:
    assert code_tokens("email/_header_value_parser.py") == [
        "email", "_header_value_parser", "header", "value", "parser", "py",
    ]  # fmt: skip
    assert code_tokens("src/my-lib/HTTPClient.ts") == [
        "src", "my", "lib", "httpclient", "http", "client", "ts",
    ]  # fmt: skip


def test_code_tokens_of_prose_lowercase_words() -> None:
    assert code_tokens("Return the Parsed value, or None.") == [
        "return", "the", "parsed", "value", "or", "none",
    ]  # fmt: skip


def test_underscore_words_and_empty_text_give_no_tokens() -> None:
    assert code_tokens("") == []
    assert code_tokens("for _ in range(3): __ = _") == ["for", "in", "range", "3"]


def test_overlong_tokens_are_dropped() -> None:
    blob = "A" * (MAX_TOKEN_CHARS + 1)
    assert code_tokens(f"x = {blob}") == ["x"]
    kept = "a" * MAX_TOKEN_CHARS
    assert code_tokens(kept) == [kept]


def test_word_parts_leave_out_glued_words() -> None:
    assert word_parts("Calls getHTTPResponse on snake_case") == [
        "calls", "get", "http", "response", "on", "snake", "case",
    ]  # fmt: skip


def test_query_tokens_dedupe_and_keep_order() -> None:
    assert query_tokens("parse parseHeader header") == ["parse", "parseheader", "header"]
    assert query_tokens("") == []
    assert query_tokens("   ") == []


def test_query_terms_leave_out_stop_words() -> None:
    assert query_terms("Return the value of an attribute") == ["return", "value", "attribute"]
    # Words that are also parts of names stay: "is" in is_dir, "from" in from_bytes.
    assert query_terms("is it a dir from bytes") == ["is", "dir", "from", "bytes"]


def test_a_query_of_stop_words_alone_keeps_them() -> None:
    assert query_terms("to the") == ["to", "the"]
    assert query_terms("") == []


def test_stop_words_are_lowercase_single_terms() -> None:
    for word in QUERY_STOP_WORDS:
        assert code_tokens(word) == [word]


@pytest.mark.parametrize(
    "query", ["foo(", "a:b", '"unclosed', "x AND OR", "[1 TO", "*", "\\", "^2"]
)
def test_query_tokens_accept_any_punctuation(query: str) -> None:
    tokens = query_tokens(query)
    assert all(token.replace("_", "").isalnum() for token in tokens)


@given(st.text())
def test_parts_are_lowercase_non_empty_and_underscore_free(text: str) -> None:
    for part in split_identifier(text):
        assert part
        assert part == part.lower()
        assert "_" not in part
    for token in code_tokens(text):
        assert token
        assert token == token.lower()
        assert len(token) <= MAX_TOKEN_CHARS


@given(st.text())
def test_query_tokens_are_the_distinct_code_tokens(text: str) -> None:
    tokens = query_tokens(text)
    assert len(tokens) == len(set(tokens))
    assert set(tokens) == set(code_tokens(text))


@given(st.from_regex(r"[A-Za-z0-9]{1,30}", fullmatch=True))
def test_ascii_fast_path_matches_the_general_rules(segment: str) -> None:
    assert split_identifier(segment) == [part.lower() for part in _split_segment(segment)]
