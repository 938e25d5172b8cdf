"""Bare specifiers resolved to packages: ``node_modules`` above, then the workspace's own.

``resolve_import`` of the JavaScript and TypeScript hooks reads the
``package.json`` files of ``Workspace.configs``: a package's ``exports``
(conditions, subpaths and ``*`` patterns), else its entry fields, and the
sources of a package built to ``dist/``.
"""

from __future__ import annotations

import json

import pytest

from codeidx.parse.hooks import Workspace
from codeidx.parse.records import ImportRecord
from codeidx.parse.resolvers.javascript import HOOKS as JS
from codeidx.parse.resolvers.javascript_packages import split_specifier
from codeidx.parse.resolvers.typescript import HOOKS as TS


def _imp(module: str) -> ImportRecord:
    return ImportRecord(f'import x from "{module}"', module, 0)


def _manifest(**fields: object) -> str:
    return json.dumps(fields)


@pytest.mark.parametrize(
    ("spec", "parts"),
    [
        ("lodash", ("lodash", ".")),
        ("lodash/fp/map", ("lodash", "./fp/map")),
        ("@trpc/server", ("@trpc/server", ".")),
        ("@trpc/server/http", ("@trpc/server", "./http")),
        ("@broken", ("", ".")),
    ],
)
def test_a_specifier_is_a_package_name_and_a_subpath(spec: str, parts: tuple[str, str]) -> None:
    assert split_specifier(spec) == parts


def test_node_modules_nearest_first_with_main_and_index() -> None:
    files = {
        "app/src/main.js",
        "app/node_modules/left/lib/left.js",
        "node_modules/left/index.js",
        "node_modules/plain/index.js",
        "node_modules/plain/util/helpers.js",
    }
    ws = Workspace.of(
        files,
        configs={
            "app/node_modules/left/package.json": _manifest(name="left", main="lib/left.js"),
            "node_modules/left/package.json": _manifest(name="left"),
        },
    )
    resolve = JS.resolve_import
    assert resolve(_imp("left"), "app/src/main.js", ws) == "app/node_modules/left/lib/left.js"
    assert resolve(_imp("left"), "tools/run.js", ws) == "node_modules/left/index.js"
    # No manifest: a path inside the folder.
    assert resolve(_imp("plain"), "app/src/main.js", ws) == "node_modules/plain/index.js"
    assert resolve(_imp("plain/util/helpers"), "app/src/main.js", ws) == (
        "node_modules/plain/util/helpers.js"
    )
    assert resolve(_imp("missing"), "app/src/main.js", ws) is None


def test_exports_conditions_subpaths_and_patterns_prefer_sources() -> None:
    files = {
        "zod/src/v4/index.ts",
        "zod/v4/index.js",
        "zod/v4/index.d.ts",
        "zod/index.d.ts",
        "zod/src/v4/core/tests/string.test.ts",
        "kit/src/features/auth.ts",
        "kit/package.json",
    }
    exports = {
        "./package.json": "./package.json",
        ".": {"types": "./index.d.ts", "import": "./index.js"},
        "./v4": {"@zod/source": "./src/v4/index.ts", "import": "./v4/index.js"},
        "./internal": None,
    }
    ws = Workspace.of(
        files,
        configs={
            "zod/package.json": _manifest(name="zod", exports=exports),
            "kit/package.json": _manifest(
                name="kit", exports={"./features/*": {"import": "./dist/features/*.mjs"}}
            ),
        },
    )
    resolve = TS.resolve_import
    test_file = "zod/src/v4/core/tests/string.test.ts"
    # A package importing itself by name: the source its custom condition names.
    assert resolve(_imp("zod/v4"), test_file, ws) == "zod/src/v4/index.ts"
    # Only a declaration file: that one.
    assert resolve(_imp("zod"), test_file, ws) == "zod/index.d.ts"
    # ``null`` closes a subpath; a subpath ``exports`` does not list is closed.
    assert resolve(_imp("zod/internal"), test_file, ws) is None
    assert resolve(_imp("zod/v3"), test_file, ws) is None
    # A pattern's build output read from its sources.
    assert resolve(_imp("kit/features/auth"), "app/main.ts", ws) == "kit/src/features/auth.ts"


def test_workspace_packages_of_a_monorepo_and_tsconfig_paths_first() -> None:
    files = {
        "packages/server/src/index.ts",
        "packages/server/src/http/index.ts",
        "packages/client/src/link.ts",
        "packages/client/src/shim.ts",
        "node_modules/@trpc/server/dist/index.d.ts",
    }
    ws = Workspace.of(
        files,
        configs={
            "packages/server/package.json": _manifest(
                name="@trpc/server", main="./dist/index.js", types="./dist/index.d.ts"
            ),
            "packages/client/tsconfig.json": json.dumps(
                {"compilerOptions": {"paths": {"shimmed": ["./src/shim.ts"]}}}
            ),
            # The copy in node_modules is a build of the same package: nearer, so first.
            "node_modules/@trpc/server/package.json": _manifest(
                name="@trpc/server", types="./dist/index.d.ts"
            ),
            "broken/package.json": "{ not json",
        },
    )
    resolve = TS.resolve_import
    client = "packages/client/src/link.ts"
    assert resolve(_imp("@trpc/server"), client, ws) == "node_modules/@trpc/server/dist/index.d.ts"
    assert resolve(_imp("@trpc/server/http"), client, ws) == "packages/server/src/http/index.ts"
    assert resolve(_imp("shimmed"), client, ws) == "packages/client/src/shim.ts"
    alone = Workspace.of(
        files - {"node_modules/@trpc/server/dist/index.d.ts"},
        configs={
            "packages/server/package.json": _manifest(name="@trpc/server", main="./dist/index.js"),
        },
    )
    # ``dist/index.js`` is not in the workspace: its source ``src/index.ts`` is.
    assert resolve(_imp("@trpc/server"), client, alone) == "packages/server/src/index.ts"


def test_the_importer_decides_between_implementation_and_declarations() -> None:
    files = {
        "node_modules/width/index.js",
        "node_modules/width/index.d.ts",
        "node_modules/width/width.min.js",
        "node_modules/typescript/dist/enums/syntaxKind.js",
        "node_modules/typescript/dist/enums/syntaxKind.d.ts",
        "node_modules/typescript/dist/parser.js",
        "node_modules/typescript/dist/parser.d.ts",
    }
    ws = Workspace.of(
        files,
        configs={
            "node_modules/width/package.json": _manifest(name="width"),
            "node_modules/typescript/package.json": _manifest(
                name="typescript", imports={"#enums/*": "./dist/enums/*.js"}
            ),
        },
    )
    assert JS.resolve_import(_imp("width"), "lib/a.js", ws) == "node_modules/width/index.js"
    assert TS.resolve_import(_imp("width"), "lib/a.ts", ws) == "node_modules/width/index.d.ts"
    # ``#internal`` specifiers: the nearest manifest's ``imports``.
    parser_js, parser_ts = (
        "node_modules/typescript/dist/parser.js",
        "node_modules/typescript/dist/parser.d.ts",
    )
    kind = "#enums/syntaxKind"
    assert JS.resolve_import(_imp(kind), parser_js, ws) == (
        "node_modules/typescript/dist/enums/syntaxKind.js"
    )
    assert TS.resolve_import(_imp(kind), parser_ts, ws) == (
        "node_modules/typescript/dist/enums/syntaxKind.d.ts"
    )
    assert JS.resolve_import(_imp("#missing"), parser_js, ws) is None
    assert JS.resolve_import(_imp("#enums/x"), "lib/a.js", ws) is None
