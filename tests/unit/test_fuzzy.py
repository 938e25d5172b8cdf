"""Tests for codeidx.query.fuzzy: tiers, in-tier order, case, Unicode, limits, and that the
index answers exactly what scoring every name one by one answers.  Timings live in
bench/fuzzy_bench.py, not here."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codeidx.query import fuzzy
from codeidx.query.fuzzy import NameIndex, rank

EXACT_CASE, EXACT, ACRONYM, PREFIX, HUMP, WORD, SUBSTRING, FUZZY = 7, 6, 5, 4, 3, 2, 1, 0

NAMES = [
    "getTokenName",
    "get_token_name",
    "TokenNameGetter",
    "HTTPServer",
    "BaseHTTPRequestHandler",
    "read_file",
    "readFile",
    "os_path_join",
    "__init__",
    "initialize",
    "getName",
    "token",
    "partner",
    "tryagain",
]


def ranked(query: str, names: list[str], limit: int = 100) -> list[tuple[str, int]]:
    """(name, tier) of each result, best first, the same from ``rank`` and an index."""
    result = rank(query, names, limit)
    assert NameIndex(names).search(query, limit) == result
    return [(names[i], int(score // 1000)) for i, score in result]


def tier_of(query: str, name: str) -> int | None:
    result = rank(query, [name])
    return int(result[0][1] // 1000) if result else None


def is_subsequence(query: str, name: str) -> bool:
    rest = iter(name.casefold())
    return all(c in rest for c in query.casefold())


# Tiers.


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # One name per tier, given worst first so that input order cannot explain the answer.
        (
            "tn",
            [
                ("tn", EXACT_CASE),
                ("tnode", PREFIX),
                ("TokenName", HUMP),
                ("get_tn_value", WORD),
                ("partner", SUBSTRING),
                ("tryagain", FUZZY),
            ],
        ),
        (
            "hs",
            [
                ("hs", EXACT_CASE),
                ("hsv_to_rgb", PREFIX),
                ("HTTPServer", HUMP),
                ("ssl_hs", WORD),
                ("paths", SUBSTRING),
                ("handlers", FUZZY),
            ],
        ),
        (
            "name",
            [
                ("Name", EXACT),
                ("named_tuple", PREFIX),
                ("get_token_name", WORD),
                ("rename", SUBSTRING),
                ("new_attribute_mode", FUZZY),
            ],
        ),
    ],
)
def test_each_tier_outranks_the_next(query: str, expected: list[tuple[str, int]]) -> None:
    names = [name for name, _ in reversed(expected)]
    assert ranked(query, names) == expected


@pytest.mark.parametrize(
    ("query", "name", "tier"),
    [
        ("gTN", "getTokenName", ACRONYM),
        ("gtn", "getTokenName", ACRONYM),
        ("GTN", "get_token_name", ACRONYM),
        ("hs", "HTTPServer", HUMP),
        ("bhrh", "BaseHTTPRequestHandler", ACRONYM),
        ("httpreq", "BaseHTTPRequestHandler", HUMP),
        ("rf", "read_file", HUMP),
        ("rf", "readFile", HUMP),
        ("tok_name", "get_token_name", HUMP),
        ("getTN", "getTokenName", HUMP),
        ("opj", "os_path_join", ACRONYM),
        ("eng.ru", "Engine.run", HUMP),
        ("e::r", "Engine::run", HUMP),
        ("path_j", "os_path_join", HUMP),
        ("u8d", "utf8Decode", ACRONYM),
        ("token", "getTokenName", WORD),
        ("name", "get_token_name", WORD),
        ("Handler", "BaseHTTPRequestHandler", WORD),
        ("join", "os_path_join", WORD),
        ("init", "__init__", PREFIX),
        ("__in", "__init__", PREFIX),
        ("oken", "getTokenName", SUBSTRING),
        ("gtkn", "getTokenName", FUZZY),
        ("tok_name", "getTokenName", None),  # The "_" must be in the name.
        ("xyz", "getTokenName", None),
    ],
)
def test_tier_of_each_kind_of_match(query: str, name: str, tier: int | None) -> None:
    assert tier_of(query, name) == tier


def test_a_whole_word_is_a_word_prefix_not_a_hump_split_at_its_last_letter() -> None:
    # "toke" + "n"(ame) would make a hump; a piece goes on while the word does.
    assert tier_of("token", "get_token_name") == WORD
    assert tier_of("tokenn", "get_token_name") == HUMP


def test_case_sensitive_exact_comes_before_case_insensitive_exact() -> None:
    names = ["getTokenNames", "GetTokenName", "gettokenname", "getTokenName"]
    assert ranked("getTokenName", names) == [
        ("getTokenName", EXACT_CASE),
        ("GetTokenName", EXACT),
        ("gettokenname", EXACT),
        ("getTokenNames", PREFIX),
    ]


# Order within a tier.


def test_fewer_skipped_words_rank_higher_among_humps() -> None:
    assert [name for name, _ in ranked("gn", ["getTokenName", "getName"])] == [
        "getName",
        "getTokenName",
    ]


def test_the_querys_case_picks_between_camel_and_snake_humps() -> None:
    names = ["get_token_name", "getTokenName"]
    assert [name for name, _ in ranked("gTN", names)] == ["getTokenName", "get_token_name"]
    assert [name for name, _ in ranked("gtn", names)] == ["get_token_name", "getTokenName"]


def test_shorter_names_rank_higher_within_a_tier() -> None:
    names = ["readFileContents", "readFiles", "readFile_"]
    assert ranked("readf", names) == [
        ("readFiles", PREFIX),
        ("readFile_", PREFIX),
        ("readFileContents", PREFIX),
    ]


def test_a_prefix_ending_on_a_word_boundary_beats_a_slightly_shorter_one() -> None:
    assert [name for name, _ in ranked("get", ["getter", "get_name"])] == ["get_name", "getter"]


def test_earlier_words_rank_higher_among_word_prefixes() -> None:
    names = ["a_b_c_name", "a_name_b_c"]
    assert [name for name, _ in ranked("name", names)] == ["a_name_b_c", "a_b_c_name"]


def test_fewer_gaps_rank_higher_among_subsequences() -> None:
    names = ["gxxxtxxxnxxx", "gxtxnxxxxxxx"]
    assert ranked("gtn", names) == [("gxtxnxxxxxxx", FUZZY), ("gxxxtxxxnxxx", FUZZY)]


def test_prefix_after_leading_underscores_ranks_below_a_plain_prefix() -> None:
    assert [name for name, _ in ranked("init", ["__init__", "initialize", "init"])] == [
        "init",
        "initialize",
        "__init__",
    ]


# Abbreviations: initials of every word, and pieces of words.


def test_initials_of_every_word_outrank_prefixes_and_longer_or_looser_humps() -> None:
    names = [
        "getToken",  # Holds g, T, N only as a subsequence.
        "gitTrackingNumberFormatter",  # Initials of three of its four words.
        "gtn_node",  # A prefix.
        "get_token_name",  # Every word's initial, in the other case.
        "gitTrackingNumber",  # Every word's initial, a longer name.
        "getTokenName",
    ]
    assert ranked("gTN", names) == [
        ("getTokenName", ACRONYM),
        ("gitTrackingNumber", ACRONYM),
        ("get_token_name", ACRONYM),
        ("gtn_node", PREFIX),
        ("gitTrackingNumberFormatter", HUMP),
        ("getToken", FUZZY),
    ]


@pytest.mark.parametrize(
    ("query", "name", "decoys"),
    [
        # Names from the standard library that used to outrank the abbreviated one.
        ("gcv", "get_config_vars", ["gcvt", "gc_visit", "get_cvar"]),
        ("suo", "set_undefined_options", ["subnet_of", "supernet_of", "SubOSError"]),
        ("tdof", "test_docstring_one_field", ["test_dotted_from", "test_double_forward"]),
        ("caw", "_cancel_and_wait", ["cr_await", "called_with", "cancel_wait"]),
        ("TUS", "ThreadingUDPServer", ["TupleSubclass", "TurtleScreen", "SEC_TO_US"]),
    ],
)
def test_snake_and_camel_initials_come_first(query: str, name: str, decoys: list[str]) -> None:
    assert ranked(query, [*decoys, name])[0] == (name, ACRONYM)


def test_two_letter_initials_stay_below_prefixes() -> None:
    # "ta" spells the initials of hundreds of test_a... functions; a prefix is likelier meant.
    assert ranked("ta", ["test_abs", "table"]) == [("table", PREFIX), ("test_abs", HUMP)]


def test_an_exact_name_still_outranks_many_acronyms() -> None:
    letters = "abcdefgh"
    names = [f"t{x}_r{y}_u{z}" for x in letters for y in letters for z in letters] + ["tru"]
    assert ranked("tru", names, limit=2) == [("tru", EXACT_CASE), ("ta_ra_ua", ACRONYM)]


def test_a_piece_may_end_inside_a_word_when_the_rest_needs_the_next_word() -> None:
    # "Tes" + "Typ": the "T" could go on in "Test", but then "yp" cannot match.
    assert tier_of("TesTyp", "TestType") == HUMP
    names = ["test_yield_future_passes_cancel", "TestTypeFunctionCalledOnDefault", "TestType"]
    assert [name for name, _ in ranked("TesTyp", names)] == [
        "TestType",
        "TestTypeFunctionCalledOnDefault",
        "test_yield_future_passes_cancel",
    ]


def test_word_prefixes_in_fewer_pieces_outrank_shorter_names_in_more() -> None:
    # "tes" + "bun" reads the query as the user typed it; "tes" + "b" + "un" does not.
    names = ["test_bin_unsigned", "test_bundled_protocol_instance_works"]
    assert [name for name, _ in ranked("tesbun", names)] == [
        "test_bundled_protocol_instance_works",
        "test_bin_unsigned",
    ]


def test_sub_word_prefixes_prefer_names_they_cover_more_of() -> None:
    names = ["test_set_getter", "test_get_raises_on_multipart", "test_get_x", "test_get"]
    assert ranked("tesget", names) == [
        ("test_get", HUMP),
        ("test_get_x", HUMP),
        ("test_get_raises_on_multipart", HUMP),
        ("test_set_getter", HUMP),
    ]


# Case, Unicode, odd characters.


def test_matching_ignores_case_in_both_directions() -> None:
    assert tier_of("HTTPSERVER", "HTTPServer") == EXACT
    assert tier_of("httpserver", "HTTPServer") == EXACT
    assert tier_of("SERVER", "HTTPServer") == WORD


@pytest.mark.parametrize(
    ("query", "name", "tier"),
    [
        ("STRASSE", "Straße", EXACT),  # casefold("ß") is "ss".
        ("größe", "GRÖSSE", EXACT),
        ("über", "getÜberName", WORD),  # "Ü" starts a word like an ASCII capital.
        ("gün", "getÜberName", ACRONYM),
        ("ΟΔΟΣ", "οδος", EXACT),  # Final sigma folds like any sigma.
        ("名称", "获取名称", SUBSTRING),
        ("tenπ", "tenπ", EXACT_CASE),
    ],
)
def test_unicode_names_and_queries(query: str, name: str, tier: int) -> None:
    assert tier_of(query, name) == tier


def test_names_with_characters_the_index_cannot_store_still_match() -> None:
    names = ["line\nbreak", "nul\0name", "𝔣𝔬𝔬_bar", "plain", "x\x01y"]
    assert [names[i] for i, _ in rank("\n", names)] == ["line\nbreak"]
    assert [names[i] for i, _ in rank("\0", names)] == ["nul\0name"]
    assert [names[i] for i, _ in rank("𝔣𝔬𝔬", names)] == ["𝔣𝔬𝔬_bar"]
    assert [names[i] for i, _ in rank("\x01", names)] == ["x\x01y"]
    assert [names[i] for i, _ in rank("lb", names)] == ["line\nbreak"]
    assert [names[i] for i, _ in rank("bar", names)] == ["𝔣𝔬𝔬_bar"]


def test_qualifiers_are_matched_literally_since_callers_strip_them() -> None:
    assert ranked("os.path", ["os_path", "os.path"]) == [("os.path", EXACT_CASE)]


# Empty query, limit, stability, duplicates.


def test_empty_query_lists_the_shortest_names_first_in_input_order() -> None:
    names = ["ccc", "a", "bb", "b", "aa"]
    assert rank("", names) == [(1, 0.0), (3, 0.0), (2, 0.0), (4, 0.0), (0, 0.0)]
    assert rank("", names, limit=2) == [(1, 0.0), (3, 0.0)]


def test_limit_caps_the_results() -> None:
    names = [f"name_{i}" for i in range(50)]
    assert len(rank("name", names, limit=7)) == 7
    assert rank("name", names, limit=0) == []
    assert rank("name", names, limit=-1) == []
    assert rank("anything", []) == []


def test_equal_scores_keep_input_order_and_duplicates_all_appear() -> None:
    names = ["init", "x_init", "init", "y_init", "init"]
    assert [i for i, _ in rank("init", names)] == [0, 2, 4, 1, 3]
    assert [i for i, _ in rank("init", names, limit=2)] == [0, 2]


def test_scores_fall_as_rank_rises_and_indices_are_unique() -> None:
    result = rank("n", NAMES)
    scores = [score for _, score in result]
    assert scores == sorted(scores, reverse=True)
    assert len({i for i, _ in result}) == len(result)


def test_an_index_answers_many_queries_like_rank_does() -> None:
    index = NameIndex(NAMES + NAMES[:3])
    for query in ["gtn", "token", "rf", "x", "", "__init__", "partner", "t"]:
        for limit in (1, 5, 100):
            assert index.search(query, limit) == rank(query, NAMES + NAMES[:3], limit)


def test_a_crowded_tier_keeps_its_shortest_names_and_better_tiers() -> None:
    names = [f"get_{i}_{w}" for i in range(3000) for w in ("a", "b")] + ["getTokenName", "get"]
    assert [name for name, _ in ranked("get", names, limit=6)] == [
        "get",
        "get_0_a",
        "get_0_b",
        "get_1_a",
        "get_1_b",
        "get_2_a",
    ]
    assert ranked("gtn", names, limit=3) == [("getTokenName", ACRONYM)]


def test_near_humps_do_not_crowd_out_a_longer_true_hump() -> None:
    # Each x_token_i passes the hump scan's quick check but is one piece (a word prefix);
    # they must not use up the scan before it reaches to|ken in the longer name.
    names = [f"x_token_{i}" for i in range(100)] + ["tomato_kennel_stuffing"]
    assert ranked("token", names, limit=1) == [("tomato_kennel_stuffing", HUMP)]


def test_a_crowded_prefix_tier_still_sees_names_after_leading_underscores() -> None:
    names = [f"initialize_everything_{i}" for i in range(200)] + ["__init__"]
    assert ranked("init", names, limit=2) == [
        ("__init__", PREFIX),
        ("initialize_everything_0", PREFIX),
    ]


def test_an_exact_match_comes_first_even_when_casefolding_lengthens_other_names() -> None:
    # "ßß?" is shorter than "ssss" but folds to five characters starting with "ssss".
    names = ["ßß" + c for c in "abcdefghijklmnopqrstuvwxyz0123456789"] + ["ssss"]
    assert ranked("SSSS", names, limit=1) == [("ssss", EXACT)]


def test_the_hump_search_over_many_candidates_misses_nothing() -> None:
    # Over _FEW names hold all the query's letters, so the index cuts the query into pieces
    # and narrows by word initials and their order before checking names one by one.
    words = ["get", "set", "token", "name", "node", "type", "tree", "next", "input", "string"]
    names = [
        name
        for a in words
        for b in words
        for c in words
        for name in (f"{a}_{b}_{c}", a + b.title() + c.title(), f"{a}{b}_{c}".upper())
    ]
    index = NameIndex(names)
    for query in ["gtn", "tn", "nt", "stn", "ttt", "gettn", "t_n", "nTT", "getin"]:
        assert index._with_all_chars(fuzzy._Query(query)).bit_count() > fuzzy._FEW
        # The subsequence tier checks a bounded number of names, so compare those above it.
        got = [hit for hit in index.search(query, len(names)) if hit[1] >= 1000]
        want = [hit for hit in score_every_name(query, names, len(names)) if hit[1] >= 1000]
        assert got == want, query


# Properties.

WORDS = ["get", "set", "token", "name", "http", "server", "read", "file", "x", "id", "ß", "über"]


@st.composite
def identifiers(draw: st.DrawFn) -> str:
    """Realistic names in the usual styles, sometimes with odd characters thrown in."""
    parts = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))
    style = draw(st.sampled_from(["snake", "camel", "pascal", "upper", "dunder"]))
    if style == "snake":
        name = "_".join(parts)
    elif style == "camel":
        name = parts[0] + "".join(p.title() for p in parts[1:])
    elif style == "pascal":
        name = "".join(p.title() for p in parts)
    elif style == "upper":
        name = "_".join(p.upper() for p in parts)
    else:
        name = "__" + "_".join(parts) + "__"
    if draw(st.booleans()):
        name += draw(st.text(max_size=3))
    return name


@st.composite
def names_and_query(draw: st.DrawFn) -> tuple[list[str], str]:
    names = draw(st.lists(st.one_of(identifiers(), st.text(max_size=8)), min_size=1, max_size=25))
    source = draw(st.sampled_from(names))
    kind = draw(st.sampled_from(["exact", "prefix", "slice", "initials", "subsequence", "text"]))
    if kind == "exact":
        query = source
    elif kind == "prefix":
        query = source[: draw(st.integers(0, len(source)))]
    elif kind == "slice":
        start = draw(st.integers(0, len(source)))
        query = source[start : start + draw(st.integers(0, 4))]
    elif kind == "initials":
        query = "".join(w[0] for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+|\d+", source))
    elif kind == "subsequence":
        query = "".join(c for c in source if draw(st.booleans()))
    else:
        query = draw(st.text(max_size=5))
    if draw(st.booleans()):
        query = query.swapcase()
    return names, query


def score_every_name(query: str, names: list[str], limit: int = 100) -> list[tuple[int, float]]:
    """The answer with no index: score each name on its own, as the index must."""
    q = fuzzy._Query(query)
    scored = []
    for i, name in enumerate(names):
        score = fuzzy._score(q, fuzzy._view_of(name, exact=q.unsafe), None)
        if score is not None:
            scored.append((-score, i))
    scored.sort()
    return [(i, -negated) for negated, i in scored[:limit]]


@settings(max_examples=400, deadline=None)
@given(names_and_query())
def test_every_result_holds_the_query_and_an_exact_match_comes_first(
    case: tuple[list[str], str],
) -> None:
    names, query = case
    for result in (rank(query, names), NameIndex(names).search(query)):
        for i, _ in result:
            assert is_subsequence(query, names[i])
        if query and query in names:
            assert names[result[0][0]] == query


@settings(max_examples=400, deadline=None)
@given(names_and_query(), st.integers(1, 30))
def test_rank_scores_every_name(case: tuple[list[str], str], limit: int) -> None:
    names, query = case
    if query:
        assert rank(query, names, limit) == score_every_name(query, names, limit)


@settings(max_examples=400, deadline=None)
@given(names_and_query())
def test_the_index_finds_what_scoring_every_name_finds(case: tuple[list[str], str]) -> None:
    names, query = case
    if query:
        assert NameIndex(names).search(query) == score_every_name(query, names)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(identifiers(), min_size=30, max_size=150),
    st.sampled_from(["n", "na", "name", "get", "gn", "tn", "sn", "e", "ie", "ken", "rd", "ß", "x"]),
    st.integers(1, 4),
)
def test_crowded_tiers_stop_early_without_dropping_a_better_tier(
    names: list[str], query: str, limit: int
) -> None:
    # With limit <= 4 every scan stops after about 24 names, so most tiers here are cut
    # short; the tiers of the answer must still be those of the exhaustive answer.
    got = [int(score // 1000) for _, score in NameIndex(names).search(query, limit)]
    want = [int(score // 1000) for _, score in score_every_name(query, names, limit)]
    assert got == want


@given(st.text(alphabet=st.characters(codec="ascii", categories=["L", "N", "P"]), max_size=20))
def test_ascii_and_unicode_word_splitting_agree(name: str) -> None:
    # A trailing non-ASCII separator sends the name down the character-by-character path.
    assert fuzzy._word_spans(name + "·") == fuzzy._word_spans(name)


@settings(max_examples=300, deadline=None)
@given(names_and_query(), st.sampled_from([0, 1, 2, 3, 4, 5, 6]), st.floats(0, 999))
def test_a_floor_leaves_out_exactly_the_weaker_matches(
    case: tuple[list[str], str], tier: int, within: float
) -> None:
    # Symbol search asks for the open documents' names that tie with a known score; the
    # tiers below that score are skipped, and nothing at or above it is lost.
    names, query = case
    floor = tier * 1000 + within
    expected = [(i, score) for i, score in score_every_name(query, names) if score >= floor]
    if query:
        assert NameIndex(names).search(query, 100, floor) == expected
