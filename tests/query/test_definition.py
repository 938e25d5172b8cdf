"""Go to definition over small indexed workspaces: `$0` is the cursor, `[[...]]` the answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from querytest import build, ranges_of

from codeidx.errors import IndexUnavailable, UsageError
from codeidx.query.definition import find_definition
from codeidx.query.types import DefinitionQuery, DefinitionResult, Position

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def definition(tmp_path: Path, files: dict[str, str]) -> tuple[DefinitionResult, list]:
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        result = find_definition(conn, fx.root, DefinitionQuery(fx.at()))
    return result, fx.ranges


def check(tmp_path: Path, files: dict[str, str]) -> DefinitionResult:
    """The definitions found are exactly the marked ranges."""
    result, expected = definition(tmp_path, files)
    assert ranges_of([d.location for d in result.definitions]) == expected
    return result


def test_imported_class_resolves_through_the_package_reexport(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "from .core import Engine\n",
        "pkg/core.py": "class [[Engine]]:\n    pass\n",
        "main.py": "from pkg import Engine\n\ne = Eng$0ine()\n",
    }
    result = check(tmp_path, files)
    assert result.name == "Engine" and not result.local
    (d,) = result.definitions
    assert d.symbol is not None
    assert (d.symbol.kind, d.symbol.qualified_name) == ("class", "pkg.core.Engine")
    assert d.location.text == "class Engine:"
    assert (d.location.role, d.location.resolution) == ("definition", "exact")
    assert not result.coverage.partial


def test_module_alias_member(tmp_path: Path) -> None:
    files = {
        "util.py": "def [[helper]](x):\n    return x\n",
        "main.py": "import util as u\n\nu.hel$0per(1)\n",
    }
    check(tmp_path, files)


def test_self_call_resolves_in_the_enclosing_class(tmp_path: Path) -> None:
    files = {
        "a.py": """
            class Base:
                def [[step]](self):
                    return 1

                def run(self):
                    return self.st$0ep()


            class Other:
                def step(self):
                    return 2
        """
    }
    check(tmp_path, files)


def test_inherited_method_through_self(tmp_path: Path) -> None:
    files = {
        "base.py": "class Base:\n    def [[run]](self):\n        return 0\n",
        "child.py": """
            from base import Base


            class Child(Base):
                def go(self):
                    return self.r$0un()
        """,
    }
    check(tmp_path, files)


def test_local_variable_goes_to_the_assignment_before_the_use(tmp_path: Path) -> None:
    # The binding a use sees is the last assignment before it in the
    # function, as jedi answers, not the first one.
    files = {
        "a.py": """
            value = 0


            def f():
                value = 1
                [[value]] = 2
                return val$0ue


            def g():
                value = 3
                return value
        """
    }
    result = check(tmp_path, files)
    assert result.local and result.definitions[0].symbol is None
    assert result.definitions[0].location.resolution == "local"


def test_parameter_is_its_own_binding(tmp_path: Path) -> None:
    check(tmp_path, {"a.py": "def f([[count]]):\n    return count$0 + 1\n"})


def test_cursor_on_a_definition_name_returns_that_definition(tmp_path: Path) -> None:
    result = check(tmp_path, {"a.py": "def [[hel$0per]]():\n    pass\n"})
    assert result.definitions[0].symbol is not None
    assert result.definitions[0].symbol.kind == "function"


def test_cursor_just_after_the_identifier_counts(tmp_path: Path) -> None:
    files = {"a.py": "def [[helper]]():\n    pass\n\n\nhelper$0()\n"}
    check(tmp_path, files)


def test_position_between_identifiers_finds_nothing(tmp_path: Path) -> None:
    result, _ = definition(tmp_path, {"a.py": "x = 1\n\n$0\ny = x\n"})
    assert result.name is None and result.definitions == []


def test_unknown_name_has_no_definition(tmp_path: Path) -> None:
    result, _ = definition(tmp_path, {"a.py": "pri$0nt('hi')\n"})
    assert result.name == "print" and result.definitions == []


def test_method_on_an_unknown_receiver_resolves_by_name(tmp_path: Path) -> None:
    files = {
        "a.py": "class Store:\n    def [[flush_all]](self):\n        pass\n",
        "b.py": "def run(thing):\n    thing.flush_$0all()\n",
    }
    result = check(tmp_path, files)
    (d,) = result.definitions
    assert d.location.resolution == "by_name"
    assert 0 < d.location.confidence < 1


def test_columns_count_utf16_code_units(tmp_path: Path) -> None:
    # "😀" is two UTF-16 code units: the marker helper counts them that way too.
    files = {"a.py": "[[s]] = '😀'\nt = ('😀', s$0)\n"}
    fx = build(tmp_path, files)
    assert fx.at().col == 12
    with fx.connect() as conn:
        result = find_definition(conn, fx.root, DefinitionQuery(fx.at()))
    assert ranges_of([d.location for d in result.definitions]) == fx.ranges


def test_javascript_import_across_files(tmp_path: Path) -> None:
    files = {
        "util.js": "export function [[greet]](name) {\n  return 'hi ' + name;\n}\n",
        "main.js": (
            "import { greet } from './util.js';\n\nfunction run() {\n  return gre$0et('x');\n}\n"
        ),
    }
    result = check(tmp_path, files)
    assert result.definitions[0].symbol is not None
    assert result.definitions[0].symbol.language == "javascript"


def test_javascript_commonjs_export_across_files(tmp_path: Path) -> None:
    files = {
        "util.js": "exports.[[greet]] = function (name) {\n  return 'hi ' + name;\n};\n",
        "main.js": "const util = require('./util');\n\nutil.gre$0et('x');\n",
    }
    result = check(tmp_path, files)
    (d,) = result.definitions
    assert d.symbol is not None
    assert (d.symbol.kind, d.symbol.qualified_name) == ("function", "util.greet")
    assert (d.location.role, d.location.resolution) == ("definition", "exact")


def test_javascript_static_member_assigned_to_a_class(tmp_path: Path) -> None:
    files = {
        "box.js": (
            "class Box {}\n"
            "Box.[[of]] = (value) => new Box();\n\n"
            "function make() {\n  return Box.o$0f(1);\n}\n"
        ),
    }
    result = check(tmp_path, files)
    (d,) = result.definitions
    assert d.symbol is not None
    assert (d.symbol.kind, d.symbol.qualified_name) == ("method", "box.Box.of")
    assert d.location.resolution == "exact"


def test_javascript_prototype_method_of_a_constructed_function(tmp_path: Path) -> None:
    # A function with prototype methods is a constructor: ``new Queue()`` is
    # a Queue, and the call is its method.
    files = {
        "queue.js": (
            "function Queue() {}\n"
            "Queue.prototype.[[enqueue]] = function (item) {};\n\n"
            "const q = new Queue();\n"
            "q.enque$0ue(1);\n"
        ),
    }
    result = check(tmp_path, files)
    (d,) = result.definitions
    assert d.symbol is not None
    assert d.symbol.qualified_name == "queue.Queue.enqueue"
    assert d.location.resolution == "exact"


def test_rust_use_across_modules(tmp_path: Path) -> None:
    files = {
        "Cargo.toml": '[package]\nname = "demo"\n',
        "src/lib.rs": (
            "mod util;\nuse crate::util::add;\n\n"
            "pub fn total(a: i32) -> i32 {\n    ad$0d(a, 1)\n}\n"
        ),
        "src/util.rs": "pub fn [[add]](a: i32, b: i32) -> i32 {\n    a + b\n}\n",
    }
    result = check(tmp_path, files)
    assert result.definitions[0].symbol is not None
    assert result.definitions[0].symbol.qualified_name.endswith("add")


def test_go_call_into_another_file_of_the_package(tmp_path: Path) -> None:
    files = {
        "go.mod": "module example.com/demo\n\ngo 1.21\n",
        "main.go": "package main\n\nfunc main() {\n\tHel$0per()\n}\n",
        "util.go": "package main\n\nfunc [[Helper]]() int {\n\treturn 1\n}\n",
    }
    check(tmp_path, files)


GO_COMMAND = (
    "package cmd\n\n"
    "type Command struct{ name string }\n\n"
    "func New() *Command {\n\treturn &Command{}\n}\n\n"
    "func (c *Command) Root() *Command {\n\treturn c\n}\n\n"
    "func (c *Command) [[Run]]() int {\n\treturn 1\n}\n"
)


def _go(main: str) -> dict[str, str]:
    return {
        "go.mod": "module example.com/demo\n\ngo 1.21\n",
        "cmd/cmd.go": GO_COMMAND,
        "main.go": f'package main\n\nimport "example.com/demo/cmd"\n\n{main}',
    }


@pytest.mark.parametrize(
    "main",
    [
        # The method's receiver, inside another method (written outside the struct).
        None,
        # A parameter whose type names the struct through its package.
        "func use(c *cmd.Command) int {\n\treturn c.R$0un()\n}\n",
        # A local assigned a constructor's result, a composite literal, or its address.
        "func use() int {\n\tc := cmd.New()\n\treturn c.R$0un()\n}\n",
        "func use() int {\n\tc := &cmd.Command{}\n\treturn c.R$0un()\n}\n",
        "func use() int {\n\tvar c = cmd.Command{}\n\treturn c.R$0un()\n}\n",
        # A chain through a method's declared result.
        "func use() int {\n\treturn cmd.New().Root().R$0un()\n}\n",
    ],
)
def test_go_method_calls_resolve_through_the_receiver_type(
    tmp_path: Path, main: str | None
) -> None:
    files = _go(main or "func main() {}\n")
    if main is None:
        files["cmd/cmd.go"] = GO_COMMAND + (
            "\nfunc (c *Command) Execute() int {\n\treturn c.R$0un()\n}\n"
        )
    result = check(tmp_path, files)
    (d,) = result.definitions
    assert d.symbol is not None
    assert d.symbol.kind == "method"
    assert d.symbol.qualified_name == "example.com/demo/cmd.Command.Run"
    assert d.location.resolution == "exact"


GO_UTIL_METHODS = (
    "package util\n\n"
    "type Table struct{}\n\n"
    "func (t *Table) len() int { return 0 }\n\n"
    "func (t *Table) True() bool { return true }\n\n"
    "func (t *Table) Read() int { return 0 }\n"
)


@pytest.mark.parametrize(
    ("util", "main"),
    [
        # A package member: the function, not the method of the same name.
        (
            "func [[True]]() bool { return true }\n",
            'package main\n\nimport "example.com/demo/util"\n\nvar x = util.Tr$0ue()\n',
        ),
        # A bare call inside the package: the function, not the method.
        ("func [[Read]]() int { return 1 }\n\nfunc other() int { return Re$0ad() }\n", None),
        # A builtin: nothing in the workspace, not the method ``len``.
        ('func count() int { return le$0n("x") }\n', None),
    ],
)
def test_go_methods_are_not_module_level_names(tmp_path: Path, util: str, main: str | None) -> None:
    # Go methods sit at module level in the tree but are reached only
    # through their type.
    files = {
        "go.mod": "module example.com/demo\n\ngo 1.21\n",
        "util/util.go": f"{GO_UTIL_METHODS}\n{util}",
        "main.go": main or "package main\n\nfunc main() {}\n",
    }
    result = check(tmp_path, files)
    assert all(d.symbol is not None and d.symbol.kind == "function" for d in result.definitions)


def test_a_file_codeidx_does_not_index_is_a_usage_error(tmp_path: Path) -> None:
    fx = build(tmp_path, {"a.py": "x = 1\n"})
    (fx.root / "notes.txt").write_text("hello\n")
    with fx.connect() as conn, pytest.raises(UsageError, match="not a source file"):
        find_definition(conn, fx.root, DefinitionQuery(Position("notes.txt", 0, 0)))


def test_a_source_file_not_indexed_yet_says_to_index(tmp_path: Path) -> None:
    fx = build(tmp_path, {"a.py": "x = 1\n"})
    (fx.root / "new.py").write_text("y = 2\n")
    with fx.connect() as conn, pytest.raises(IndexUnavailable) as info:
        find_definition(conn, fx.root, DefinitionQuery(Position("new.py", 0, 0)))
    assert "codeidx index" in (info.value.hint or "")


def test_instance_attribute_resolves_to_its_first_assignment_in_a_method(tmp_path: Path) -> None:
    files = {
        "a.py": """
            class Wave:
                def __init__(self):
                    self.[[channels]] = 0

                def setup(self, n):
                    self.channels = n

                def report(self):
                    return self.chan$0nels
            """,
    }
    result = check(tmp_path, files)
    (d,) = result.definitions
    assert d.symbol is not None
    assert (d.symbol.kind, d.symbol.qualified_name) == ("field", "a.Wave.channels")


def test_inherited_instance_attribute_resolves_in_the_base_class(tmp_path: Path) -> None:
    files = {
        "base.py": "class Base:\n    def __init__(self):\n        self.[[size]] = 1\n",
        "sub.py": (
            "from base import Base\n\n"
            "class Sub(Base):\n    def grow(self):\n        return self.si$0ze + 1\n"
        ),
    }
    check(tmp_path, files)


def test_a_rebound_parameter_goes_to_the_rebinding(tmp_path: Path) -> None:
    files = {
        "a.py": """
            def clean(s):
                [[s]] = s.strip()
                return s$0.lower()
            """,
    }
    check(tmp_path, files)


def test_a_use_before_any_assignment_goes_to_the_first_one(tmp_path: Path) -> None:
    files = {
        "a.py": """
            def f():
                print(cou$0nt)
                [[count]] = 1
                count = 2
            """,
    }
    check(tmp_path, files)


def test_local_assigned_from_a_constructor_resolves_in_its_class(tmp_path: Path) -> None:
    files = {
        "a.py": """
            class Reader:
                def [[read]](self):
                    return 1


            class Writer:
                def read(self):
                    return 2


            def main():
                r = Reader()
                return r.re$0ad()
        """
    }
    check(tmp_path, files)


def test_annotated_parameter_resolves_in_its_class(tmp_path: Path) -> None:
    files = {
        "model.py": "class Engine:\n    def [[start]](self):\n        pass\n",
        "other.py": "class Car:\n    def start(self):\n        pass\n",
        "main.py": """
            from typing import Optional

            from model import Engine


            def run(e: Optional[Engine]):
                e.sta$0rt()
        """,
    }
    check(tmp_path, files)


def test_with_statement_target_takes_the_context_type(tmp_path: Path) -> None:
    files = {
        "z.py": """
            class Archive:
                def [[add]](self, name):
                    pass


            class Other:
                def add(self, name):
                    pass


            def pack():
                with Archive() as arc:
                    arc.a$0dd("x")
        """
    }
    check(tmp_path, files)


def test_field_assigned_from_a_constructor_resolves_its_methods(tmp_path: Path) -> None:
    files = {
        "q.py": """
            class Condition:
                def [[wait]](self):
                    pass


            class Event:
                def wait(self):
                    pass


            class Queue:
                def __init__(self):
                    self.done = Condition()

                def join(self):
                    self.done.wa$0it()
        """
    }
    check(tmp_path, files)


def test_return_annotation_types_the_result_of_a_call(tmp_path: Path) -> None:
    files = {
        "f.py": """
            class Conn:
                def [[close]](self):
                    pass


            class Door:
                def close(self):
                    pass


            def connect() -> "Conn":
                return Conn()


            def main():
                c = connect()
                c.clo$0se()
        """
    }
    check(tmp_path, files)


def test_call_on_a_constructed_receiver(tmp_path: Path) -> None:
    files = {
        "c.py": """
            class Codec:
                def [[encode]](self, s):
                    return s


            class Base:
                def encode(self, s):
                    return s


            entry = Codec().enc$0ode
        """
    }
    check(tmp_path, files)


def test_super_call_resolves_in_the_bases(tmp_path: Path) -> None:
    files = {
        "c.py": """
            class Base:
                def [[encode]](self, s):
                    return s


            class Other:
                def encode(self, s):
                    return s


            class Child(Base):
                def encode(self, s):
                    return super().enc$0ode(s)
        """
    }
    check(tmp_path, files)


def test_method_of_a_builtin_value_is_not_guessed(tmp_path: Path) -> None:
    files = {
        "w.py": """
            class Table:
                def append(self, row):
                    pass


            def collect():
                rows = list()
                rows.app$0end(1)
                return rows
        """
    }
    result, _ = definition(tmp_path, files)
    assert result.name == "append" and result.definitions == []


def test_package_submodule_through_a_dotted_import(tmp_path: Path) -> None:
    files = {
        "urllib/__init__.py": "",
        "urllib/parse.py": "def [[unquote]](s):\n    return s\n",
        "main.py": "import urllib.parse\n\nurllib.parse.unq$0uote('a')\n",
    }
    check(tmp_path, files)
    files["main.py"] = "import urllib.parse\n\nurl$0lib.parse.unquote('a')\n"
    files["urllib/parse.py"] = "def unquote(s):\n    return s\n"
    (tmp_path / "second").mkdir()
    result, _ = definition(tmp_path / "second", files)
    (d,) = result.definitions
    assert d.location.path == "urllib/__init__.py"


def test_imported_name_missing_from_the_workspace_is_not_guessed_by_name(tmp_path: Path) -> None:
    files = {
        "coll/__init__.py": "from _speedups import deque\n",
        "test_x.py": "class deque:\n    pass\n",
        "main.py": "from coll import deque\n\nd = de$0que()\n",
    }
    result, _ = definition(tmp_path, files)
    assert all(d.location.path != "test_x.py" for d in result.definitions)


def test_name_reexported_from_a_c_module_goes_to_the_reexport(tmp_path: Path) -> None:
    files = {
        "coll/__init__.py": """
            try:
                from _speedups import [[deque]]
            except ImportError:
                pass
        """,
        "main.py": "from coll import de$0que\n",
    }
    result = check(tmp_path, files)
    (d,) = result.definitions
    assert d.symbol is None and d.location.text.strip() == "from _speedups import deque"


def test_aliased_import_name_goes_to_the_submodule(tmp_path: Path) -> None:
    files = {
        "email/__init__.py": "",
        "email/charset.py": "ALIASES = {}\n",
        "email/policy.py": "from email import char$0set as _charset\n",
    }
    result, _ = definition(tmp_path, files)
    (d,) = result.definitions
    assert (d.location.path, d.location.line) == ("email/charset.py", 0)
    assert d.symbol is not None and d.symbol.kind == "module"


def test_value_from_a_function_imported_from_outside_is_not_guessed(tmp_path: Path) -> None:
    # `csvlike.writer` is the C function `_csv.writer`: the method called on
    # its result is not the workspace's only `writerow`.
    files = {
        "csvlike.py": "from _csv import writer\n\n\nclass DictWriter:\n"
        "    def writerow(self, row):\n        pass\n",
        "main.py": "import csvlike\n\n\ndef dump(fp):\n    w = csvlike.writer(fp)\n"
        "    w.write$0row(1)\n",
    }
    result, _ = definition(tmp_path, files)
    assert result.name == "writerow" and result.definitions == []


def test_a_use_on_the_right_of_its_own_rebinding_sees_the_binding_before(tmp_path: Path) -> None:
    files = {
        "h.py": """
            def escape(s):
                [[s]] = s.replace("&", "&amp;")
                s = s$0.replace("<", "&lt;")
                return s
        """
    }
    check(tmp_path, files)


def test_a_lambda_parameter_used_on_its_line_is_that_parameter(tmp_path: Path) -> None:
    files = {
        "l.py": """
            def patch(obj):
                args = ()
                obj.search = lambda *[[args]]: ("b", ar$0gs)
                return args
        """
    }
    check(tmp_path, files)


_PATTERNS = """
    export class Topology {
      select(): number { return 0; }
    }
    export interface RetryOptions {
      {topology}: Topology;
    }
"""


@pytest.mark.parametrize(
    ("model", "run"),
    [
        # The name of a shorthand part is the member it takes out, as
        # TypeScript's own server answers.
        (
            "[[topology]]",
            "const { topo$0logy } = opts;\n  return topology.select();",
        ),
        # So is a renamed part's key, in a local's pattern and a parameter's.
        ("[[topology]]", "const { topo$0logy: t } = opts;\n  return t.select();"),
        ("[[topology]]", "const { other, topo$0logy: t } = opts;\n  return t.select();"),
        # The renamed part's own name is the local it binds.
        ("topology", "const { topology: [[t$0]] } = opts;\n  return t.select();"),
        # A later use of the local goes to the pattern, which binds it.
        ("topology", "const { [[topology]] } = opts;\n  return topo$0logy.select();"),
        # A value of unknown type leaves the local as the answer.
        ("topology", "const { [[topo$0logy]] } = unknown;\n  return topology.select();"),
    ],
)
def test_a_pattern_part_goes_to_the_member_it_takes_out(
    tmp_path: Path, model: str, run: str
) -> None:
    files = {
        "model.ts": _PATTERNS.replace("{topology}", model),
        "run.ts": (
            'import { RetryOptions } from "./model";\n\n'
            "export function run(opts: RetryOptions, unknown: any): number {\n"
            f"  {run}\n"
            "}\n"
        ),
    }
    result = check(tmp_path, files)
    assert result.local == ("[[topology]]" not in model)


def test_a_parameter_pattern_key_goes_to_the_member(tmp_path: Path) -> None:
    files = {
        "model.ts": _PATTERNS.replace("{topology}", "[[topology]]"),
        "run.ts": """
            import { RetryOptions } from "./model";

            export function run({ topo$0logy: t }: RetryOptions): number {
              const topology = 1;
              return t.select() + topology;
            }
        """,
    }
    result = check(tmp_path, files)
    assert not result.local
    assert [d.symbol.qualified_name for d in result.definitions if d.symbol] == [
        "model.RetryOptions.topology"
    ]


def test_rust_a_struct_patterns_shorthand_field_is_a_local(tmp_path: Path) -> None:
    # ``Expr::Call { func, args }`` binds ``args``: its use in the arm is the
    # local, not the function of the same name.
    files = {
        "Cargo.toml": '[package]\nname = "demo"\n',
        "src/lib.rs": (
            "pub fn args() -> i32 {\n    0\n}\n\n"
            "pub enum Expr {\n    Call { func: i32, args: i32 },\n}\n\n"
            "pub fn f(e: Expr) -> i32 {\n"
            "    match e {\n"
            "        Expr::Call { func, [[args]] } => func + ar$0gs,\n"
            "    }\n"
            "}\n"
        ),
    }
    result = check(tmp_path, files)
    assert result.local


def test_an_options_objects_key_goes_to_the_member_it_sets(tmp_path: Path) -> None:
    files = {
        "client.ts": """
            export interface ClientOptions {
              [[timeoutMS]]?: number;
            }
            export function connect(url: string, options: ClientOptions): void {}
        """,
        "main.ts": """
            import { connect } from "./client";

            export function main(timeoutMS: number): void {
              connect("x", { timeo$0utMS: timeoutMS });
            }
        """,
    }
    result = check(tmp_path, files)
    assert not result.local
