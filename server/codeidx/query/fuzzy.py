"""Fuzzy ranking of symbol names: the matcher behind workspace symbol search.

This module owns one decision: given a query and a fixed list of names, which names match
and in what order.  It knows nothing of SQL, LSP, paths or symbol kinds; callers pass plain
strings and map the returned indices back to symbols.  Qualifiers get no special meaning:
``.`` and ``:`` are separators that the query must contain literally, so a qualified query
suits qualified names (``eng.ru`` is a hump of ``Engine.run``) and a caller searching simple
names strips ``pkg.mod.`` or ``ns::`` from the query first.

``rank`` answers one query by scoring every name that could match; ``NameIndex`` is built
once for many queries (workspace symbol requests) and answers each in milliseconds.

Matching ignores case (``str.casefold``).  Tiers, best first:

1. exact, same case;  2. exact, other case;
3. acronym: the query is the initials of every word of the name, three or more
   (``gcv`` → ``get_config_vars``, ``gTN`` → ``getTokenName``).  Such a query is rarely
   met by chance, so it outranks prefixes; two letters, though, are the initials of too
   many names (``ta``: hundreds of ``test_a…``) and stay in the hump tier;
4. prefix of the name, or of the name after leading separators (``init`` → ``__init__``);
5. camel hump: two or more pieces, each a prefix of a word of the name, in order
   (``hs`` → ``HTTPServer``, ``tok_name`` → ``get_token_name``, ``tesget`` →
   ``test_get_raises``); a separator in the query must appear in the name;
6. word prefix: the query starts a word other than the first (``name`` → ``get_token_name``);
7. substring;  8. subsequence, the gaps penalised.

Words come from camelCase, acronyms (``HTTPServer`` is ``http`` + ``server``), digit runs and
any non-alphanumeric separator.  Within a tier a match scores higher when it skips fewer
characters or words, ends at a word boundary, keeps the query's case, starts earlier and
sits in a shorter name.  Humps are ranked by how the query is cut, as fzf, VS Code and
IntelliJ rank runs at word starts: fewer pieces, fewer skipped words and more of the name's
words reached come first, and length only breaks near-ties.  Were length to weigh as in the
other tiers, ``test_bin_unsigned`` (``tes`` + ``b`` + ``un``) would outrank
``test_bundled_protocol`` (``tes`` + ``bun``) for ``tesbun``.  A score is
``tier * 1000 + quality``, quality in ``[0, 999]``; ties keep input order.  The empty query
gives the first ``limit`` names, shortest first (repeats of a name right after its first
appearance).  Queries over 64 characters skip the hump tier and over 256 the subsequence
tier: they are pasted names, and those tiers' work grows with the query.

Design, for 100k+ names at interactive speed.  Identical names share one entry, and entries
are numbered by length, so walking any set of entries in number order meets the shortest
names first.  The index keeps the casefolded names joined into one newline-separated string,
and a copy with ``\\x01`` before each word, so that C code (``str.find``, compiled regular
expressions) checks a line; and bitsets (Python ints, bit ``r`` for entry ``r``) of the
entries holding each character and each two-character slice, having a word that starts with
a given letter or two letters, and a word starting with one letter before one starting with
another; and a table from the initials of three or more words to the entries they spell,
which answers the acronym tier in one look-up.  A query ANDs bitsets into a small superset
per tier, checks its members in C, and scores the survivors in Python.  Tiers run best
first and stop once ``limit`` plus some slack names are in, so within a crowded tier the
shortest matches are the ones compared, and the last tier checks a bounded number of names,
those sharing most of the query's two-character slices first.  Building is linear, about
15 µs per distinct name, so callers build off the event loop and swap the new index in
whole.

Threads: a ``NameIndex`` is immutable once built, so any thread may search it, also
concurrently.  Nothing here raises for a ``str`` query.
"""

from __future__ import annotations

import re
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from functools import lru_cache
from heapq import heapify, heappush, heappushpop, nlargest
from itertools import chain, pairwise
from operator import add

__all__ = ["NameIndex", "rank"]

_EXACT_CASE, _EXACT, _ACRONYM, _PREFIX, _HUMP, _WORD, _SUBSTRING, _FUZZY = 7, 6, 5, 4, 3, 2, 1, 0
# Penalties within a tier, in units of name length: each extra character costs 1.
_CASE = 4.0  # The query's case differs from the name's where it matched.
_BOUNDARY = 3.0  # The match ends inside a word.
_SIGIL = 6.0  # The prefix only matches after leading separators such as "__".
_MIN_ACRONYM = 3  # Shorter initials are too common to outrank prefixes ("ta": test_a...).
# Hump penalties.  How the query is cut decides, and length only breaks near-ties: a
# name of many words that the query abbreviates in few pieces is a better match than a
# short name that needs more pieces, as in fzf and VS Code, which score runs and word
# starts and leave length to the tie-break.
_HUMP_STEP = 12.0  # Per unit of hump cost (a piece, a skipped word, a case change).
_HUMP_TRAIL = 2.0  # Per word after the last one the query reaches.
_HUMP_LENGTH = 0.2  # Per character of the name beyond the query's length.
_GAP = 4.0  # Per character skipped inside a subsequence match.
_MISSED_START = 3.0  # Per subsequence character that does not start a word.
_INF = float("inf")
_ONE_PIECE = 1e9  # A hump cost meaning "the whole query fits one piece": no hump.

_MIN_SLACK = 20  # Scan for limit + max(_MIN_SLACK, limit) names, so in-tier order is
# decided by score among twice as many names as asked for, not only by length.
_MAX_HUMP_QUERY = 64  # Longer queries are pasted names; they skip the hump tier,
_MAX_SUBSEQUENCE_QUERY = 256  # and past this the subsequence tier, whose regex grows with them.
_REGEX_MAX_WORDS = 12  # The hump regex backtracks exponentially over same-initial words.
_HUMP_NODE_BUDGET = 1024  # Ways to cut the query tried before settling for a looser filter.
_FEW = 500  # Candidates few enough to check one by one without narrowing them first.
_SUBSEQUENCE_BUDGET = 2500  # Names the last tier checks before giving up on the rest.
_DENSE = 32  # A bitset holding more than one entry in this many stays an int.

# Characters that cannot live in the joined text: the line separator, the word marker and
# code points that would make every string four bytes per character.  Names holding them
# are indexed with NUL in their place (NUL, standing in for them, counts as unsafe too);
# queries holding them search only those names.
_UNSAFE = re.compile("[\0\n\x01\U00010000-\U0010ffff]")
_ASCII_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_DIGITS = bytes.maketrans(b"\0\1", b"01")


def rank(query: str, names: Sequence[str], limit: int = 100) -> list[tuple[int, float]]:
    """(index into names, score) of the best matches, best first.

    For one-off queries: scores every name that holds the query's characters in order (a
    compiled regex decides, in C) without building an index, which takes tens to hundreds
    of milliseconds for 150k names where building a ``NameIndex`` takes seconds.  The
    answer is exact; a ``NameIndex`` gives the same one unless a tier is crowded.  Any
    thread may call this; it never raises.
    """
    if limit <= 0 or not names:
        return []
    if not query:
        heads, repeats, _ = _distinct_by_length(names)
        return _shortest(heads, repeats, limit)
    q = _Query(query)
    if q.k <= _MAX_SUBSEQUENCE_QUERY:
        holds = re.compile("".join(f"[^{c}]*+{c}" for c in map(re.escape, q.folded))).match
    else:
        holds = re.compile(re.escape(q.folded)).search  # Such queries only match as substrings.
    scores: dict[str, float | None] = {}
    hits: list[tuple[float, int]] = []
    for i, name in enumerate(names):
        if name not in scores:
            folded = name.casefold()
            held = holds(folded) is not None
            scores[name] = _score(q, _view_of(name, q.unsafe, folded), None) if held else None
        score = scores[name]
        if score is not None:
            hits.append((-score, i))
    hits.sort()
    return [(i, -negated) for negated, i in hits[:limit]]


class NameIndex:
    """Precomputed structure over a fixed list of names for repeated fast queries."""

    def __init__(self, names: Sequence[str]) -> None:
        self._names = tuple(names)
        heads, self._repeats, folds = _distinct_by_length(self._names)
        self._heads = array("q", heads)
        n = len(self._heads)
        lines: list[str] = []
        marked: list[str] = []
        words: set[str] = set()
        singles, grams, initials, bigrams, pairs = (
            defaultdict[str, list[int]](list) for _ in range(5)
        )
        unsafe: list[int] = []
        acronyms = defaultdict[str, list[int]](list)
        sigils: list[tuple[str, int, int]] = []
        for r, i in enumerate(self._heads):
            name, folded = self._names[i], folds.pop(i)
            spans = _folded_spans(name, folded)
            if _UNSAFE.search(folded):
                unsafe.append(r)
                folded = _UNSAFE.sub("\0", folded)
            lines.append(folded)
            if len(folded) > 1:
                for g in set(map(add, folded, folded[1:])):
                    grams[g].append(r)
            elif folded:
                singles[folded].append(r)
            cuts = [0]
            for x, (s, e) in enumerate(spans):
                cuts.append(s)
                words.add(folded[s:e])
                initials[folded[s]].append(r)
                bigrams[folded[s : s + 2]].append(r)
                for t, _ in spans[x + 1 :]:
                    pairs[folded[s] + folded[t]].append(r)
            cuts.append(len(folded))
            if len(spans) >= _MIN_ACRONYM:
                acronyms["".join([folded[s] for s, _ in spans])].append(r)
            marked.append("\x01".join([folded[a:b] for a, b in pairwise(cuts)]))
            if spans and spans[0][0]:
                sigils.append((folded[spans[0][0] :], r, spans[0][0]))
        self._plain = "\n" + "\n".join(lines) + "\n"
        self._marked = "\n" + "\n".join(marked) + "\n"
        self._line = _line_starts(lines)
        self._mline = _line_starts(marked)
        self._lex = array("q", sorted(range(n), key=lines.__getitem__))
        sigils.sort()
        self._sigil_ids = array("q", [r for _, r, _ in sigils])
        self._sigil_leads = array("q", [lead for _, _, lead in sigils])
        self._words = sorted(words)
        self._unsafe = tuple(unsafe)
        self._acronyms = {key: array("q", ids) for key, ids in acronyms.items()}
        self._grams = {key: _pack(ids, n) for key, ids in grams.items()}
        self._initials = {key: _pack(ids, n) for key, ids in initials.items()}
        self._bigrams = {key: _pack(ids, n) for key, ids in bigrams.items()}
        self._pairs = {key: _pack(ids, n) for key, ids in pairs.items()}
        # A character's entries are those of the two-character slices holding it, which
        # saves listing every character of every name a second time.
        chars: defaultdict[str, int] = defaultdict(int)
        for c, ids in singles.items():
            chars[c] |= _unpack(_pack(ids, n), cache=False)
        for g, packed in self._grams.items():
            for c in set(g):
                chars[c] |= _unpack(packed, cache=False)
        self._chars = {c: _repack(bits, n) for c, bits in chars.items()}

    def search(self, query: str, limit: int = 100, floor: float = 0.0) -> list[tuple[int, float]]:
        """(index into names, score) of the best matches, best first.

        ``floor`` leaves out matches scoring below it, and skips the scans of tiers that
        cannot reach it: a caller that only wants names tying with a known score
        (``query.symbols`` merging the open documents' names) pays for those tiers only.
        Any thread may call this, also concurrently; it never raises.
        """
        if limit <= 0:
            return []
        if not query:
            return _shortest(self._heads, self._repeats, limit) if floor <= 0 else []
        found: dict[int, float] = {}
        if (q := _Query(query)).unsafe:
            for r in self._unsafe:
                self._consider(q, r, found, None, _view_of(self._names[self._heads[r]], exact=True))
        elif every := self._with_all_chars(q):
            target = limit + max(_MIN_SLACK, limit)
            lowest = int(floor // 1000)
            # Exact matches outrank acronyms, so the prefix scan, which finds them, runs
            # even when the acronym scan alone has found enough names.
            self._acronyms_of(q, every, found, target)
            # Each scan with the best tier it finds (the prefix scan finds exact names).
            scans = (
                (self._prefixes, _EXACT_CASE),
                (self._humps, _HUMP),
                (self._word_prefixes, _WORD),
                (self._substrings, _SUBSTRING),
            )
            for scan, tier in scans:
                if tier < lowest:
                    break
                scan(q, every, found, target)
                if len(found) >= target:
                    break
            else:
                if 1 < q.k <= _MAX_SUBSEQUENCE_QUERY and lowest <= _FUZZY:
                    self._subsequences(q, every, found, target)
        hits: list[tuple[float, int]] = []
        for r, score in found.items():
            if score < floor:
                continue
            head = self._heads[r]
            hits.append((-score, head))
            hits.extend((-score, i) for i in self._repeats.get(head, ())[: limit - 1])
        hits.sort()
        return [(i, -negated) for negated, i in hits[:limit]]

    # Tier scans: each walks its candidates in entry order and stops at ``target`` entries.

    def _acronyms_of(self, q: _Query, every: int, found: dict[int, float], target: int) -> None:
        if q.k >= _MIN_ACRONYM:
            for r in self._acronyms.get(q.folded, ())[:target]:
                self._consider(q, r, found, False)

    def _prefixes(self, q: _Query, every: int, found: dict[int, float], target: int) -> None:
        plain, line, text, k = self._plain, self._line, q.folded, q.k

        def head(r: int) -> str:
            return plain[line[r] : min(line[r] + k, line[r + 1] - 1)]

        lo, hi = bisect_left(self._lex, text, key=head), bisect_right(self._lex, text, key=head)
        ids = self._lex[lo:hi]
        if q.alnum[0]:

            def after_sigil(j: int) -> str:
                r = self._sigil_ids[j]
                return plain[line[r] + self._sigil_leads[j] : line[r + 1] - 1][:k]

            span = range(len(self._sigil_ids))
            lo, hi = (
                bisect_left(span, text, key=after_sigil),
                bisect_right(span, text, key=after_sigil),
            )
            ids.extend(self._sigil_ids[lo:hi])
        for r in sorted(ids)[:target]:
            self._consider(q, r, found, False)

    def _humps(self, q: _Query, every: int, found: dict[int, float], target: int) -> None:
        if q.letters < 2 or q.k > _MAX_HUMP_QUERY:
            return
        # Hump scores hang on the cut more than on length, so the scan does not stop at the
        # first ``target`` matches: it goes on until no longer name could beat the
        # ``target`` best scores so far (``top``, a min-heap), or until it has scored
        # ``target // 2`` names past those, which bounds its cost.  A name with a two-piece
        # cut may score up to two pieces' cost, any other at most three pieces', so names a
        # cheap regex finds two-piece cuts in go first, and the rest stop sooner.
        pattern, marked, mline, line = q.hump_pattern(), self._marked, self._mline, self._line
        top = nlargest(target, found.values())
        heapify(top)
        rest = _members(self._hump_candidates(q, every))
        two = q.two_piece_pattern()
        phases = [(two, 2.0), (None, 3.0)] if two is not None else [(None, 2.0)]
        budget = target // 2
        for needed, pieces in phases:
            # The first phase defers the names without a two-piece cut to the second, which
            # walks them and then the names the first did not reach, in entry order still.
            deferred: list[int] = []
            best = _HUMP * 1000 + 999.0 - pieces * _HUMP_STEP + _HUMP_LENGTH * q.k
            for r in rest:
                length = line[r + 1] - 1 - line[r]
                if len(top) >= target and (budget <= 0 or top[0] > best - _HUMP_LENGTH * length):
                    deferred.append(r)
                    break
                if r in found:
                    continue
                a, b = mline[r], mline[r + 1] - 1
                if needed is not None and not needed.search(marked, a, b):
                    deferred.append(r)
                    continue
                if marked.count("\x01", a, b) <= _REGEX_MAX_WORDS and not pattern.search(
                    marked, a, b
                ):
                    continue
                if len(top) >= target:
                    budget -= 1
                self._consider(q, r, found, True, floor=_HUMP)
                if r in found:
                    (heappush if len(top) < target else heappushpop)(top, found[r])
            rest = chain(deferred, rest)

    def _word_prefixes(self, q: _Query, every: int, found: dict[int, float], target: int) -> None:
        text, words = q.folded, self._words
        head = text[: q.alnum.index(False)] if False in q.alnum else text
        at = bisect_left(words, head)
        if not head or at == len(words) or not words[at].startswith(head):
            return  # The query's leading letters start no word of any name.
        if q.k > 1:
            bits = self._bits(self._bigrams, text[:2]) & self._with_all_grams(q, every)
        else:
            bits = self._bits(self._initials, text) & every
        needle, marked, mline = "\x01" + text, self._marked, self._mline
        for r in _members(bits):
            if r not in found and marked.find(needle, mline[r], mline[r + 1] - 1) >= 0:
                self._consider(q, r, found, False)
                if len(found) >= target:
                    return

    def _substrings(self, q: _Query, every: int, found: dict[int, float], target: int) -> None:
        plain, line, text = self._plain, self._line, q.folded
        for r in _members(self._with_all_grams(q, every)):
            if r not in found and plain.find(text, line[r], line[r + 1] - 1) >= 0:
                self._consider(q, r, found, False)
                if len(found) >= target:
                    return

    def _subsequences(self, q: _Query, every: int, found: dict[int, float], target: int) -> None:
        # No bitset records order, so this last tier checks names one by one, and at most
        # _SUBSEQUENCE_BUDGET of them.  A typo keeps most of the query's two-character
        # slices, so names holding more of them go first: levels[t] holds the entries with
        # at least t slices.  Within a level, shorter names go first.
        levels = [every]
        for g in {q.folded[x : x + 2] for x in range(q.k - 1)}:
            bits = self._bits(self._grams, g) & every
            levels.append(0)
            for t in range(len(levels) - 1, 0, -1):
                levels[t] |= levels[t - 1] & bits
        pattern, plain, line = q.subsequence_pattern(), self._plain, self._line
        budget, above = _SUBSEQUENCE_BUDGET, 0
        for level in reversed(levels):
            for r in _members(level & ~above):
                if r not in found and pattern.match(plain, line[r], line[r + 1] - 1):
                    self._consider(q, r, found, False)
                    if len(found) >= target:
                        return
                budget -= 1
                if not budget:
                    return
            above |= level

    # Helpers.

    def _consider(
        self,
        q: _Query,
        r: int,
        found: dict[int, float],
        hump: bool | None,
        view: _View | None = None,
        floor: int = _FUZZY,
    ) -> None:
        """Score entry ``r`` into ``found`` if it matches in tier ``floor`` or better.

        ``hump`` False skips the hump tier (an earlier scan ruled it out), None decides.
        A scan that can meet weaker matches sets ``floor``, so that they do not count
        towards its stop and a later scan, which looks at them in order, adds them.
        """
        score = _score(q, view or self._view(r), hump)
        if score is not None and score >= floor * 1000:
            found[r] = score

    def _view(self, r: int) -> _View:
        """Entry ``r`` as the scorer sees it, read back from the joined text."""
        text = self._marked[self._mline[r] : self._mline[r + 1] - 1]
        starts: list[int] = []
        at = text.find("\x01")
        while at >= 0:
            starts.append(at - len(starts))
            at = text.find("\x01", at + 1)
        folded = self._plain[self._line[r] : self._line[r + 1] - 1]
        return _View(self._names[self._heads[r]], folded, tuple(starts))

    def _with_all_chars(self, q: _Query) -> int:
        """Entries holding every character of the query: a superset of its matches."""
        bits = -1
        for c in set(q.folded):
            bits &= self._bits(self._chars, c)
            if not bits:
                break
        return bits

    def _with_all_grams(self, q: _Query, bits: int) -> int:
        """``bits`` narrowed to entries holding every two-character slice of the query."""
        for g in {q.folded[x : x + 2] for x in range(q.k - 1)}:
            bits &= self._bits(self._grams, g)
            if not bits:
                break
        return bits

    @staticmethod
    def _bits(table: dict[str, int | bytes], key: str) -> int:
        return _unpack(table.get(key, 0))

    def _hump_candidates(self, q: _Query, every: int) -> int:
        """Entries among ``every`` that may hold the query as word-prefix pieces (a superset).

        Tries the ways to cut the query into two or more pieces that each start some word,
        narrowing ``every`` to entries with a word starting like each piece (first letter, or
        first two) and, for each piece after the first, a word starting like the previous
        piece before one starting like this one; ORs what each way leaves.  A long query has
        few entries holding all its characters and many ways to be cut, hence ``_FEW``.
        """
        text, alnum, k, words = q.folded, q.alnum, q.k, self._words
        if every.bit_count() <= _FEW:
            return every & self._bits(self._initials, text[alnum.index(True)])
        cache: dict[str, int] = {}
        result, budget = 0, _HUMP_NODE_BUDGET
        stack: list[tuple[int, int, int, str]] = [(0, every, 0, "")]
        while stack:
            pos, bits, pieces, initial = stack.pop()
            while pos < k and not alnum[pos]:
                pos += 1
            if pos == k:
                if pieces >= 2:
                    result |= bits
                continue
            end = pos
            while end < k and alnum[end]:
                end += 1
            for e in range(pos + 1, end + 1):  # Pushed short first, so long ones pop first.
                piece = text[pos:e]
                at = bisect_left(words, piece)
                if at == len(words) or not words[at].startswith(piece):
                    break
                budget -= 1
                if budget < 0:  # Every match not yet ORed extends this way or a stacked one.
                    for pending in stack:
                        result |= pending[1]
                    return result | bits
                key, pair = piece[:2], "\0" + initial + piece[0]
                if key not in cache:
                    cache[key] = self._bits(self._bigrams if e > pos + 1 else self._initials, key)
                if initial and pair not in cache:
                    cache[pair] = self._bits(self._pairs, pair[1:])
                narrowed = bits & cache[key] & (cache[pair] if initial else -1)
                if narrowed:
                    stack.append((e, narrowed, pieces + 1, piece[0]))
        return result


class _Query:
    """A query with what every scan needs: its casefolded text and per-character facts."""

    __slots__ = ("aligned", "alnum", "folded", "k", "letters", "text", "unsafe")

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = text.casefold()
        self.k = len(self.folded)
        self.alnum = tuple(c.isalnum() for c in self.folded)
        self.letters = sum(self.alnum)
        # Case compares position by position only when folding kept the length.
        self.aligned = len(text) == self.k
        self.unsafe = _UNSAFE.search(self.folded) is not None

    def hump_pattern(self) -> re.Pattern[str]:
        """Matches a marked line holding the query as in-order word-prefix pieces."""
        parts = []
        for i, c in enumerate(self.folded):
            gap = "" if i == 0 else "[^\n]*?"
            if not self.alnum[i]:
                parts.append(gap + re.escape(c))
            elif i == 0 or not self.alnum[i - 1]:
                parts.append(gap + "\x01" + re.escape(c))
            else:
                # Go on in this word, or hop whole words to one starting with c; the hops
                # are possessive, so a failing line backtracks per word, not per character.
                parts.append("(?:[^\x01\n]*+\x01)*?" + re.escape(c))
        return re.compile("".join(parts))

    def two_piece_pattern(self) -> re.Pattern[str] | None:
        """Matches a marked line holding the query as two word-prefix pieces, or None when
        the query holds a separator (and its pieces are not plain slices of it)."""
        if not all(self.alnum) or self.k < 2:
            return None
        cuts = (
            "\x01" + re.escape(self.folded[:x]) + "[^\n]*?\x01" + re.escape(self.folded[x:])
            for x in range(1, self.k)
        )
        return re.compile("|".join(cuts))

    def subsequence_pattern(self) -> re.Pattern[str]:
        """Matches a line holding the query as a subsequence, without backtracking."""
        return re.compile("".join(f"[^{re.escape(c)}\n]*+{re.escape(c)}" for c in self.folded))


class _View:
    """One name as scored: its text, its casefolded text and the word starts in the latter."""

    __slots__ = ("folded", "name", "starts")

    def __init__(self, name: str, folded: str, starts: tuple[int, ...]) -> None:
        self.name = name
        self.folded = folded
        self.starts = starts


def _view_of(name: str, exact: bool, folded: str | None = None) -> _View:
    """A view built from scratch; unless ``exact``, unsafe characters read as in the index."""
    folded = name.casefold() if folded is None else folded
    starts = tuple(s for s, _ in _folded_spans(name, folded))
    return _View(name, folded if exact else _UNSAFE.sub("\0", folded), starts)


def _distinct_by_length(
    names: Sequence[str],
) -> tuple[list[int], dict[int, list[int]], dict[int, str]]:
    """Index of each distinct name's first appearance, by casefolded length then by index
    (so an exact match precedes every other prefix match); the later indices of repeated
    names by first index; each distinct name casefolded, by first index."""
    first: dict[str, int] = {}
    repeats: defaultdict[int, list[int]] = defaultdict(list)
    for i, name in enumerate(names):
        head = first.setdefault(name, i)
        if head != i:
            repeats[head].append(i)
    folds = {i: names[i].casefold() for i in first.values()}
    return sorted(folds, key=lambda i: len(folds[i])), dict(repeats), folds


def _shortest(
    heads: Sequence[int], repeats: dict[int, list[int]], limit: int
) -> list[tuple[int, float]]:
    """The empty query's answer: names shortest first, repeats right after their first."""
    out: list[tuple[int, float]] = []
    for head in heads:
        if len(out) >= limit:
            break
        out.append((head, 0.0))
        out.extend((i, 0.0) for i in repeats.get(head, ())[: limit - len(out)])
    return out


def _score(q: _Query, v: _View, hump: bool | None) -> float | None:
    """Tier and quality of one name as a score, or None when it does not match."""
    f, text, k, starts = v.folded, q.folded, q.k, v.starts
    extra = len(f) - k
    if extra < 0:
        return None
    if f.startswith(text) and not extra:
        return (_EXACT_CASE if v.name == q.text else _EXACT) * 1000 + 999.0
    if k >= _MIN_ACRONYM and len(starts) == k and all(map(f.startswith, text, starts)):
        return _tiered(_ACRONYM, _HUMP_LENGTH * extra + _CASE * _case_changes(q, v, starts))
    if f.startswith(text):
        case = 0.0 if v.name.startswith(q.text) else _CASE
        return _tiered(_PREFIX, extra + case + _end_penalty(f, starts, k))
    lead = starts[0] if starts else 0
    if lead and q.alnum[0] and f.startswith(text, lead):
        return _tiered(_PREFIX, extra + _SIGIL + lead + _end_penalty(f, starts, lead + k))
    if hump is not False and q.letters >= 2 and k <= _MAX_HUMP_QUERY:
        cost = _hump_cost(q, v)
        if cost is not None:
            return _tiered(_HUMP, _HUMP_LENGTH * extra + cost)
    same_length = q.aligned and len(v.name) == len(f)
    for index, s in enumerate(starts[1:], 1):
        if f.startswith(text, s):
            case = 0.0 if same_length and v.name.startswith(q.text, s) else _CASE
            return _tiered(_WORD, extra + 3.0 * index + case + _end_penalty(f, starts, s + k))
    at = f.find(text)
    if at >= 0:
        case = 0.0 if q.text in v.name else _CASE
        return _tiered(_SUBSTRING, extra + at + case + _end_penalty(f, starts, at + k))
    shape = _subsequence_shape(text, f, starts) if k <= _MAX_SUBSEQUENCE_QUERY else None
    if shape is None:
        return None
    gaps, first, on_starts = shape
    return _tiered(_FUZZY, extra + _GAP * gaps + first + _MISSED_START * (k - on_starts))


def _tiered(tier: int, penalty: float) -> float:
    return tier * 1000 + max(0.0, 999.0 - penalty)


def _end_penalty(f: str, starts: tuple[int, ...], end: int) -> float:
    """Zero when a match ending at ``end`` ends a word, as ``get`` does in ``get_x``."""
    return 0.0 if end >= len(f) or end in starts or not f[end].isalnum() else _BOUNDARY


def _hump_cost(q: _Query, v: _View) -> float | None:
    """Penalty of the cheapest cut of the query into two or more in-order word-prefix
    pieces, or None when there is no such cut.

    A piece goes on while the name's word does (``token`` is one piece of ``get_token_name``,
    not ``toke`` + ``n``), unless the rest of the query then cannot match (``TesTyp`` is
    ``Tes`` + ``Typ`` of ``TestType``).  In units of ``_HUMP_STEP``, each piece costs 1, each
    word skipped between pieces 2 (1 before the first piece) and each character in the
    other case than the name's 0.5, so ``gTN`` prefers ``getTokenName`` and ``gtn`` prefers
    ``get_token_name``; each word after the last one reached costs ``_HUMP_TRAIL``, so of
    two cuts alike the name the query covers more of wins.  Memoised over (query position,
    name position, pieces so far), so polynomial even for odd names.
    """
    f, starts, text, k, alnum = v.folded, v.starts, q.folded, q.k, q.alnum
    n = len(f)
    aligned = q.aligned and len(v.name) == n
    memo: dict[tuple[int, int, int], float] = {}

    def case(i: int, p: int) -> float:
        return 0.5 if aligned and q.text[i] != v.name[p] else 0.0

    def new_piece(i: int, j: int, pieces: int) -> float:
        result, c = _INF, text[i]
        first = bisect_right(starts, j)
        for index in range(first, len(starts)):
            s = starts[index]
            if f[s] == c:
                skipped = (index - first) * (2.0 if pieces else 1.0)
                step = (1.0 + skipped + case(i, s)) * _HUMP_STEP
                result = min(result, step + best(i + 1, s, min(pieces + 1, 2)))
        return result

    def best(i: int, j: int, pieces: int) -> float:
        if i == k:
            # A single piece is a prefix or a word prefix, which other tiers rank; it is
            # _ONE_PIECE, not _INF, so that it does not send the cut back to split a word.
            trail = len(starts) - bisect_right(starts, j)
            return _HUMP_TRAIL * trail if pieces >= 2 else _ONE_PIECE
        key = (i, j, pieces)
        if key in memo:
            return memo[key]
        c, result, p = text[i], _INF, j + 1
        if not alnum[i]:
            p = f.find(c, p)
            while p >= 0:
                result = min(result, best(i + 1, p, pieces))
                p = f.find(c, p + 1)
        elif i and alnum[i - 1] and p < n and f[p] == c and p not in starts:
            result = best(i + 1, p, pieces) + case(i, p) * _HUMP_STEP
            if result == _INF:
                result = new_piece(i, j, pieces)
        else:
            result = new_piece(i, j, pieces)
        memo[key] = result
        return result

    cost = best(0, -1, 0)
    return None if cost >= _ONE_PIECE else cost


def _case_changes(q: _Query, v: _View, starts: Sequence[int]) -> int:
    """Query characters whose case differs from the name's at ``starts``, one per character."""
    if not q.aligned or len(v.name) != len(v.folded):
        return 0
    return sum(a != v.name[s] for a, s in zip(q.text, starts, strict=True))


def _subsequence_shape(text: str, f: str, starts: tuple[int, ...]) -> tuple[int, int, int] | None:
    """(characters skipped, first position, characters on word starts) of a tight match.

    Matches forward greedily for the earliest end, then backward from it for the latest
    start: the shortest window that ends first, as fzf's first algorithm does.
    """
    p = -1
    for c in text:
        p = f.find(c, p + 1)
        if p < 0:
            return None
    end, on_starts = p, 0
    p += 1
    for c in reversed(text):
        p = f.rfind(c, 0, p)
        on_starts += p in starts
    return end - p + 1 - len(text), p, on_starts


def _word_spans(name: str) -> list[tuple[int, int]]:
    """Word spans of ``name``: camelCase and acronym humps and digit runs, between separators."""
    if name.isascii():
        return [m.span() for m in _ASCII_WORD.finditer(name)]
    spans, i, n = [], 0, len(name)
    while i < n:
        if not name[i].isalnum():
            i += 1
            continue
        j = i + 1
        while j < n and name[j].isalnum() and not _starts_word(name, j):
            j += 1
        spans.append((i, j))
        i = j
    return spans


def _starts_word(name: str, j: int) -> bool:
    """Whether alphanumeric ``name[j]`` starts a word after alphanumeric ``name[j - 1]``.

    ``_ASCII_WORD``'s rule for any script: a change between letter and digit, lower to upper
    case, and the last capital of an acronym when a lowercase letter follows (``HTTPServer``).
    """
    prev, cur = name[j - 1], name[j]
    if prev.isalpha() != cur.isalpha():
        return True
    if not cur.isupper():
        return False
    if not prev.isupper():
        return True
    return j + 1 < len(name) and name[j + 1].isalpha() and not name[j + 1].isupper()


def _folded_spans(name: str, folded: str) -> list[tuple[int, int]]:
    """Word spans of ``name`` as offsets into ``folded``, which casefolding may lengthen."""
    spans = _word_spans(name)
    if len(folded) == len(name):
        return spans
    ends = [0]
    for ch in name:
        ends.append(ends[-1] + len(ch.casefold()))
    return [(ends[s], ends[e]) for s, e in spans]


def _line_starts(lines: list[str]) -> array[int]:
    """Offset of each line in ``"\\n" + "\\n".join(lines) + "\\n"``, then one past the end."""
    starts, at = array("q", bytes(8 * (len(lines) + 1))), 1
    for r, text in enumerate(lines):
        starts[r] = at
        at += len(text) + 1
    starts[len(lines)] = at
    return starts


def _pack(ids: list[int], n: int) -> int | bytes:
    """A bitset of entries: an int when dense, else compressed, as an int costs n / 8 bytes."""
    if len(ids) * _DENSE >= n:
        flags = bytearray(n)  # A byte per entry, which C turns into binary digits.
        for i in ids:
            flags[i] = 1
        return int(flags.translate(_DIGITS)[::-1], 2)
    raw = bytearray((n >> 3) + 1)
    for i in ids:
        raw[i >> 3] |= 1 << (i & 7)
    return zlib.compress(raw, 1)


def _repack(bits: int, n: int) -> int | bytes:
    dense = bits.bit_count() * _DENSE >= n
    return bits if dense else zlib.compress(bits.to_bytes((n >> 3) + 1, "little"), 1)


def _unpack(packed: int | bytes, cache: bool = True) -> int:
    if isinstance(packed, int):
        return packed
    return _inflate(packed) if cache else int.from_bytes(zlib.decompress(packed), "little")


@lru_cache(maxsize=512)
def _inflate(packed: bytes) -> int:
    """A compressed bitset as an int, cached: queries keep using the same few hundred.

    At most 512 ints of ``n / 8`` bytes each (under 10 MB for 150k names), shared by all
    indexes; a hit saves 20 to 60 µs.
    """
    return int.from_bytes(zlib.decompress(packed), "little")


def _members(bits: int) -> Iterator[int]:
    """Entries in ``bits`` in increasing order, so shorter names come first."""
    digits = f"{bits:b}"[::-1]
    at = digits.find("1")
    while at >= 0:
        yield at
        at = digits.find("1", at + 1)
