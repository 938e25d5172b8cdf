"""The language registry: extension → language → grammar, query files, hooks.

Adding a language is a data addition: an entry here, a folder of ``.scm``
query files under ``parse/queries/<name>/`` and a hooks module under
``parse/resolvers/<name>.py``.  This module only maps names; it never parses.

Grammars come from ``tree-sitter-language-pack`` 0.13, whose wheel carries
every compiled grammar (1.x downloads them at run time and fails offline).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import posixpath
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Language, Parser


@dataclass(frozen=True, slots=True)
class LanguageSpec:
    """Static facts about one language.

    ``identifier_types`` are the leaf node types counted as identifier
    occurrences; ``separator`` joins qualified-name parts; ``hooks`` names the
    module in ``parse.resolvers`` holding the language's code (parameters,
    docs, imports, module names, import resolution).
    """

    name: str
    grammar: str
    extensions: tuple[str, ...]
    identifier_types: tuple[str, ...]
    separator: str = "."
    hooks: str = ""
    queries: str = ""

    @property
    def hooks_module(self) -> str:
        return f"codeidx.parse.resolvers.{self.hooks or self.name}"

    @property
    def query_dir(self) -> str:
        return self.queries or self.name


LANGUAGES: dict[str, LanguageSpec] = {
    spec.name: spec
    for spec in (
        LanguageSpec(
            name="python",
            grammar="python",
            extensions=(".py", ".pyi"),
            identifier_types=("identifier",),
        ),
        LanguageSpec(
            name="javascript",
            grammar="javascript",
            extensions=(".js", ".mjs", ".cjs", ".jsx"),
            identifier_types=(
                "identifier",
                "property_identifier",
                "shorthand_property_identifier",
                "shorthand_property_identifier_pattern",
                "private_property_identifier",
            ),
        ),
        LanguageSpec(
            name="typescript",
            grammar="typescript",
            extensions=(".ts", ".mts", ".cts"),
            identifier_types=(
                "identifier",
                "property_identifier",
                "shorthand_property_identifier",
                "shorthand_property_identifier_pattern",
                "private_property_identifier",
                "type_identifier",
            ),
            hooks="typescript",
        ),
        LanguageSpec(
            name="tsx",
            grammar="tsx",
            extensions=(".tsx",),
            identifier_types=(
                "identifier",
                "property_identifier",
                "shorthand_property_identifier",
                "shorthand_property_identifier_pattern",
                "private_property_identifier",
                "type_identifier",
            ),
            hooks="typescript",
            queries="typescript",
        ),
        LanguageSpec(
            name="rust",
            grammar="rust",
            extensions=(".rs",),
            identifier_types=(
                "identifier",
                "field_identifier",
                "type_identifier",
                "shorthand_field_identifier",
            ),
            separator="::",
        ),
        LanguageSpec(
            name="go",
            grammar="go",
            extensions=(".go",),
            identifier_types=(
                "identifier",
                "field_identifier",
                "type_identifier",
                "package_identifier",
            ),
        ),
        LanguageSpec(
            name="java",
            grammar="java",
            extensions=(".java",),
            identifier_types=("identifier", "type_identifier"),
        ),
        LanguageSpec(
            name="c",
            grammar="c",
            extensions=(".c", ".h"),
            identifier_types=("identifier", "field_identifier", "type_identifier"),
            separator="::",
        ),
        LanguageSpec(
            name="cpp",
            grammar="cpp",
            extensions=(".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp", ".hxx", ".h++", ".ipp"),
            identifier_types=(
                "identifier",
                "field_identifier",
                "type_identifier",
                "namespace_identifier",
            ),
            separator="::",
        ),
    )
}

_BY_EXTENSION: dict[str, str] = {
    ext: spec.name for spec in LANGUAGES.values() for ext in spec.extensions
}


def language_for_path(path: str) -> str | None:
    """Return the language indexed for a workspace-relative path, or None."""
    ext = posixpath.splitext(path)[1].lower()
    return _BY_EXTENSION.get(ext)


def known_extensions() -> list[str]:
    """Every extension that is indexed, for file watchers and docs."""
    return sorted(_BY_EXTENSION)


@cache
@cache
def config_names() -> tuple[str, ...]:
    """The file names of every language's configuration (``tsconfig.json``, ``go.mod``).

    Import resolution reads them (``LanguageHooks.config_files``), so a
    change to one can change where an unchanged file's import points.
    """
    names = {name for spec in LANGUAGES.values() for name in hooks(spec.name).HOOKS.config_files}
    return tuple(sorted(names))


def grammar(name: str) -> Language:
    """The compiled tree-sitter grammar of a language (cached per process)."""
    from tree_sitter_language_pack import get_language

    return get_language(LANGUAGES[name].grammar)  # type: ignore[arg-type]


def new_parser(name: str) -> Parser:
    """A fresh parser: parsers hold state and are not shared across threads."""
    from tree_sitter_language_pack import get_parser

    return get_parser(LANGUAGES[name].grammar)  # type: ignore[arg-type]


@cache
def query_source(language: str, kind: str) -> str:
    """The text of ``queries/<dir>/<kind>.scm`` for a language ("" if absent)."""
    folder = resources.files("codeidx.parse").joinpath("queries", LANGUAGES[language].query_dir)
    entry = folder.joinpath(f"{kind}.scm")
    return entry.read_text(encoding="utf-8") if entry.is_file() else ""


@cache
def extraction_digest() -> str:
    """A digest of everything that decides what is extracted from a file's bytes.

    The source of the parse package (extractor, records, language hooks and
    resolvers, query files) and the versions of the tree-sitter packages (a
    grammar changes trees).  An index records it; a full run that finds
    another one parses every file again, since an unchanged file's stored
    records came from other rules.
    """
    digest = hashlib.blake2b(digest_size=12)
    package = resources.files("codeidx.parse")
    pending = [package]
    sources: list[tuple[str, bytes]] = []
    while pending:
        folder = pending.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                if entry.name != "__pycache__":
                    pending.append(entry)
            elif entry.name.endswith((".py", ".scm")):
                sources.append((str(entry), entry.read_bytes()))
    root = str(package)
    for name, data in sorted(sources):
        digest.update(name.removeprefix(root).encode("utf-8") + b"\0" + data + b"\0")
    for distribution in ("tree-sitter", "tree-sitter-language-pack"):
        try:
            version = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            version = "unknown"
        digest.update(f"{distribution}={version}\0".encode())
    return digest.hexdigest()


@cache
def hooks(language: str) -> ModuleType:
    """The hooks module of a language (parameters, docs, imports, resolution)."""
    return importlib.import_module(LANGUAGES[language].hooks_module)
