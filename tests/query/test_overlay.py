"""Open buffers over the index: answers about unsaved text.

Each test indexes the saved files, then opens some of them with different
text.  Markers (``$0`` cursor, ``[[...]]`` expected ranges) are written in
the text the user sees: the buffer for an open file, the saved text for
any other file.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from querytest import Range, build, ranges_of, strip_markers

from codeidx.errors import UsageError
from codeidx.query.buffers import Buffer, buffer_of
from codeidx.query.overlay import Overlay
from codeidx.query.types import DefinitionQuery, Position, ReferencesQuery

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


class Scene:
    """Saved files, indexed, and open buffers; the cursor and ranges of what the user sees."""

    def __init__(self, tmp_path: Path, saved: dict[str, str], live: dict[str, str]) -> None:
        # Markers in a saved file that is open describe nothing the user sees.
        closed = {p: t for p, t in saved.items() if p not in live}
        opened = {p: strip_markers(p, t)[0] for p, t in saved.items() if p in live}
        self.fx = build(tmp_path, {**closed, **opened})
        self.buffers: dict[str, Buffer] = {}
        self.cursor: Position | None = self.fx.cursor
        self.ranges: list[Range] = list(self.fx.ranges)
        for path, raw in live.items():
            text, here, marked = strip_markers(path, textwrap.dedent(raw).lstrip("\n"))
            buf = buffer_of(path, text)
            assert buf is not None
            self.buffers[path] = buf
            if here is not None:
                self.cursor = here
            self.ranges.extend(marked)
        self.ranges.sort()

    def at(self) -> Position:
        assert self.cursor is not None
        return self.cursor

    def definitions(self) -> list[Range]:
        with self.fx.connect() as conn:
            result = Overlay(conn, self.fx.root, self.buffers).find_definition(
                DefinitionQuery(self.at())
            )
        return ranges_of([d.location for d in result.definitions])

    def references(self, declaration: bool = True) -> list[Range]:
        with self.fx.connect() as conn:
            result = Overlay(conn, self.fx.root, self.buffers).find_references(
                ReferencesQuery(self.at(), include_declaration=declaration)
            )
        return ranges_of(result.references)


def test_a_function_typed_but_not_saved_resolves_to_its_live_definition(tmp_path: Path) -> None:
    saved = {"app.py": "def main():\n    return 1\n"}
    live = {
        "app.py": """
        def [[helper]]():
            return 2


        def main():
            return help$0er()
        """
    }
    scene = Scene(tmp_path, saved, live)
    assert scene.definitions() == scene.ranges


def test_a_renamed_local_resolves_in_the_buffer(tmp_path: Path) -> None:
    saved = {"app.py": "def main(items):\n    total = len(items)\n    return total\n"}
    live = {"app.py": "def main(items):\n    [[count]] = len(items)\n    return co$0unt\n"}
    scene = Scene(tmp_path, saved, live)
    assert scene.definitions() == scene.ranges


def test_imports_resolve_through_the_index_on_any_line(tmp_path: Path) -> None:
    # Two lines inserted above, one with characters outside the BMP: the
    # cursor column counts UTF-16 code units on a line the index never saw.
    saved = {
        "lib.py": "def [[area]](w, h):\n    return w * h\n",
        "app.py": "from lib import area\n\nprint(area(1, 2))\n",
    }
    live = {"app.py": "# 😀 é\nfrom lib import area\n\nx = '😀'; print(ar$0ea(1, 2))\n"}
    scene = Scene(tmp_path, saved, live)
    assert scene.definitions() == scene.ranges


def test_results_in_an_open_file_are_at_live_positions(tmp_path: Path) -> None:
    saved = {
        "lib.py": "def area(w, h):\n    return w * h\n",
        "app.py": "from lib import area\n\nprint(ar$0ea(1, 2))\n",
    }
    live = {"lib.py": "import math\n\n\ndef [[area]](w, h):\n    return w * h\n"}
    scene = Scene(tmp_path, saved, live)
    assert scene.definitions() == scene.ranges


def test_a_definition_deleted_in_the_buffer_is_not_an_answer(tmp_path: Path) -> None:
    saved = {
        "lib.py": "def area(w, h):\n    return w * h\n",
        "app.py": "from lib import area\n\nprint(ar$0ea(1, 2))\n",
    }
    live = {"lib.py": "def surface(w, h):\n    return w * h\n"}
    scene = Scene(tmp_path, saved, live)
    assert scene.definitions() == []


def test_references_replace_the_stored_occurrences_of_an_open_file(tmp_path: Path) -> None:
    saved = {
        "lib.py": "def [[area]](w, h):\n    return w * h\n",
        "app.py": "from lib import area\n\nprint(area(1, 2))\n",
        "other.py": "from lib import [[area]]\n\n[[ar$0ea]](3, 4)\n",
    }
    live = {
        "app.py": """
        from lib import [[area]]

        x = [[area]](5, 6)
        print([[area]](1, 2))
        """
    }
    scene = Scene(tmp_path, saved, live)
    assert scene.references() == scene.ranges


def test_a_method_added_to_a_live_class_resolves_through_self(tmp_path: Path) -> None:
    saved = {"shapes.py": "class Box:\n    def size(self):\n        return 1\n"}
    live = {
        "shapes.py": """
        class Box:
            def size(self):
                return self.dou$0ble()

            def [[double]](self):
                return 2
        """
    }
    scene = Scene(tmp_path, saved, live)
    assert scene.definitions() == scene.ranges


def test_a_new_file_that_was_never_saved_answers_from_its_buffer(tmp_path: Path) -> None:
    saved = {"lib.py": "def [[area]](w, h):\n    return w * h\n"}
    live = {"new.py": "from lib import area\n\n\ndef run():\n    return ar$0ea(1, 2)\n"}
    scene = Scene(tmp_path, saved, live)
    assert scene.definitions() == scene.ranges


def test_typescript_function_typed_but_not_saved(tmp_path: Path) -> None:
    saved = {"src/app.ts": "export function main(): number {\n  return 1;\n}\n"}
    live = {
        "src/app.ts": """
        function [[twice]](n: number): number {
          return n * 2;
        }

        export function main(): number {
          return twi$0ce(1);
        }
        """
    }
    scene = Scene(tmp_path, saved, live)
    assert scene.definitions() == scene.ranges


def test_a_part_taken_apart_in_a_buffer_has_its_members_type(tmp_path: Path) -> None:
    # The buffer keeps the pattern's mark (``unpack``) as the index does:
    # ``topology`` is ``Options.topology``'s, so ``select`` is one method.
    model = """\
        export class Topology {
          [[select]](): number { return 0; }
        }
        export class Pool {
          select(): number { return 1; }
        }
        export interface Options {
          topology: Topology;
        }
        """
    saved = {
        "src/model.ts": textwrap.dedent(model),
        "src/app.ts": "export function main(): number {\n  return 1;\n}\n",
    }
    live = {
        "src/app.ts": """
        import { Options } from "./model";

        export function main(options: Options): number {
          const { topology } = options;
          return topology.sel$0ect();
        }
        """
    }
    scene = Scene(tmp_path, saved, live)
    assert scene.definitions() == scene.ranges


@pytest.mark.parametrize("pattern", ["{ topo$0logy } = options", "{ topo$0logy: t } = options"])
def test_a_pattern_part_in_a_buffer_goes_to_the_member(tmp_path: Path, pattern: str) -> None:
    # A shorthand part's name and a renamed part's key are the member, in
    # an unsaved buffer as in the index.
    model = """\
        export class Topology {}
        export interface Options {
          [[topology]]: Topology;
        }
        """
    saved = {
        "src/model.ts": textwrap.dedent(model),
        "src/app.ts": "export function main(): number {\n  return 1;\n}\n",
    }
    live = {
        "src/app.ts": (
            'import { Options } from "./model";\n\n'
            "export function main(options: Options): void {\n"
            f"  const {pattern};\n"
            "}\n"
        )
    }
    scene = Scene(tmp_path, saved, live)
    assert scene.definitions() == scene.ranges


def test_go_function_moved_down_in_an_open_file_of_the_package(tmp_path: Path) -> None:
    saved = {
        "go.mod": "module example.com/m\n",
        "calc/sum.go": "package calc\n\nfunc Sum(a, b int) int {\n\treturn a + b\n}\n",
        "calc/use.go": "package calc\n\nfunc Twice(a int) int {\n\treturn Su$0m(a, a)\n}\n",
    }
    live = {
        "calc/sum.go": (
            "package calc\n\n// Sum adds.\nfunc [[Sum]](a, b int) int {\n\treturn a + b\n}\n"
        )
    }
    scene = Scene(tmp_path, saved, live)
    assert scene.definitions() == scene.ranges


def test_outline_and_hover_come_from_the_buffer(tmp_path: Path) -> None:
    saved = {"app.py": "def main():\n    return 1\n"}
    text = (
        "class Tool:\n"
        "    def run(self):\n"
        '        """Runs it."""\n'
        "        return 1\n"
        "\n\n"
        "def main():\n"
        "    return Tool().run()\n"
    )
    buf = buffer_of("app.py", text)
    assert buf is not None
    fx = build(tmp_path, saved)
    with fx.connect() as conn:
        overlay = Overlay(conn, fx.root, {"app.py": buf})
        result = overlay.file_outline("app.py")
        assert result is not None
        outline = [
            (n.symbol.name, n.symbol.line, [c.symbol.name for c in n.children])
            for n in result.nodes
        ]
        assert outline == [("Tool", 0, ["run"]), ("main", 6, [])]
        found = overlay.describe(DefinitionQuery(Position("app.py", 7, 20)))
    assert found.name == "run"
    (target,) = found.targets
    assert target.doc == "Runs it." and target.symbol.line == 1


def test_a_line_past_the_end_of_a_buffer_is_a_usage_error(tmp_path: Path) -> None:
    fx = build(tmp_path, {"app.py": "x = 1\n"})
    buf = buffer_of("app.py", "x = 1\n")
    assert buf is not None
    with fx.connect() as conn, pytest.raises(UsageError):
        Overlay(conn, fx.root, {"app.py": buf}).find_definition(
            DefinitionQuery(Position("app.py", 9, 0))
        )


def test_references_in_a_buffer_include_pattern_parts_and_options(tmp_path: Path) -> None:
    # An unsaved buffer's ``const { topology } = options``, its renamed
    # part's key and an options object passed to a call are references of
    # the member, as they are in saved files.
    model = """\
        export interface Options {
          [[topo$0logy]]: number;
        }
        export function run(options: Options): void {}
        """
    saved = {
        "src/model.ts": textwrap.dedent(model),
        "src/app.ts": "export function main(): number {\n  return 1;\n}\n",
    }
    live = {
        "src/app.ts": (
            'import { Options, run } from "./model";\n\n'
            "export function main(options: Options): void {\n"
            "  const { [[topology]] } = options;\n"
            "  const { [[topology]]: t } = options;\n"
            "  run({ [[topology]]: t + topology });\n"
            "}\n"
        )
    }
    scene = Scene(tmp_path, saved, live)
    assert scene.references() == scene.ranges
