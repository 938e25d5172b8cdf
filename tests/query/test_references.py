"""Find references over small indexed workspaces: `$0` is the cursor, `[[...]]` every answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from querytest import build, ranges_of

from codeidx.query.references import find_references
from codeidx.query.types import ReferencesQuery, ReferencesResult

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def check(
    tmp_path: Path, files: dict[str, str], include_declaration: bool = True
) -> ReferencesResult:
    """The references found are exactly the marked ranges."""
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        result = find_references(conn, fx.root, ReferencesQuery(fx.at(), include_declaration))
    assert ranges_of(result.references) == fx.ranges
    return result


HELPERS = {
    "pkg/__init__.py": "",
    "pkg/a.py": """
        def [[helper]](x):
            if x:
                return [[helper]](x - 1)
            return 0
    """,
    "pkg/b.py": """
        def helper(x):
            return x
    """,
    "main.py": """
        from pkg.a import [[helper]]
        from pkg import b


        def go():
            return [[hel$0per]](1) + b.helper(2)
    """,
}


def test_function_references_across_files_skip_a_same_named_function(tmp_path: Path) -> None:
    result = check(tmp_path, HELPERS)
    assert [s.qualified_name for s in result.symbols] == ["pkg.a.helper"]
    roles = {(r.path, r.role) for r in result.references}
    assert roles == {
        ("pkg/a.py", "definition"),
        ("pkg/a.py", "call"),
        ("main.py", "import"),
        ("main.py", "call"),
    }
    # pkg/b.py only defines the name (no occurrence), so two files were searched.
    assert result.files_searched == 2
    call = next(r for r in result.references if r.path == "main.py" and r.role == "call")
    assert call.text == "    return helper(1) + b.helper(2)"


def test_no_declaration_leaves_the_definition_out(tmp_path: Path) -> None:
    files = dict(HELPERS)
    files["pkg/a.py"] = HELPERS["pkg/a.py"].replace("def [[helper]]", "def helper")
    result = check(tmp_path, files, include_declaration=False)
    assert all(r.role != "definition" for r in result.references)


def test_method_references_exclude_an_unrelated_class(tmp_path: Path) -> None:
    files = {
        "a.py": """
            class Base:
                def [[st$0ep]](self):
                    return 1

                def run(self):
                    return self.[[step]]()


            class Other:
                def step(self):
                    return 2


            Other.step(None)
            Base.[[step]](None)
        """
    }
    check(tmp_path, files)


def test_local_references_stay_in_their_function(tmp_path: Path) -> None:
    files = {
        "a.py": """
            def f(items):
                [[total]] = 0
                for item in items:
                    [[total]] += item
                return [[tot$0al]]


            def g():
                total = 5
                return total
        """
    }
    result = check(tmp_path, files)
    assert result.local and result.symbols == []
    assert result.references[0].role == "definition"


def test_local_references_without_declaration(tmp_path: Path) -> None:
    # The parameter is the declaration; only the two reads remain.
    files = {"a.py": "def f(n):\n    m = [[n]]\n    return [[n$0]] + m\n"}
    check(tmp_path, files, include_declaration=False)


def test_class_references_include_instantiation_and_inheritance(tmp_path: Path) -> None:
    files = {
        "shapes.py": "class [[Sha$0pe]]:\n    pass\n\n\nclass Square([[Shape]]):\n    pass\n",
        "use.py": "from shapes import [[Shape]]\n\ns = [[Shape]]()\n",
    }
    result = check(tmp_path, files)
    assert {r.role for r in result.references} == {"definition", "inherit", "import", "call"}


def test_javascript_references(tmp_path: Path) -> None:
    files = {
        "util.js": "export function [[greet]](name) {\n  return 'hi ' + name;\n}\n",
        "main.js": (
            "import { [[greet]] } from './util.js';\n\n"
            "function run() {\n  return [[gr$0eet]]('x') + [[greet]]('y');\n}\n"
        ),
    }
    check(tmp_path, files)


def test_rust_references(tmp_path: Path) -> None:
    files = {
        "Cargo.toml": '[package]\nname = "demo"\n',
        "src/lib.rs": (
            "mod util;\nuse crate::util::[[add]];\n\n"
            "pub fn total(a: i32) -> i32 {\n    [[add]](a, 1) + [[add]](a, 2)\n}\n"
        ),
        "src/util.rs": "pub fn [[a$0dd]](a: i32, b: i32) -> i32 {\n    a + b\n}\n",
    }
    check(tmp_path, files)


def test_nothing_at_the_position(tmp_path: Path) -> None:
    fx = build(tmp_path, {"a.py": "x = 1\n$0\n"})
    with fx.connect() as conn:
        result = find_references(conn, fx.root, ReferencesQuery(fx.at()))
    assert result.name is None and result.references == []


def test_a_guess_among_several_same_named_methods_is_left_out(tmp_path: Path) -> None:
    # `thing` has no known type and two classes define `flush`: the call is
    # no reference of either unless guesses are asked for.
    files = {
        "a.py": "class Store:\n    def [[fl$0ush]](self):\n        pass\n",
        "b.py": "class Cache:\n    def flush(self):\n        pass\n",
        "c.py": """
            from a import Store


            def run(thing):
                thing.flush()
                Store().[[flush]]()
        """,
    }
    check(tmp_path, files)
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        query = ReferencesQuery(fx.at(), include_declaration=False, include_guesses=True)
        found = find_references(conn, fx.root, query)
    guessed = [r for r in found.references if r.resolution == "by_name"]
    assert [(r.path, r.line) for r in guessed] == [("c.py", 4)]


def test_a_guess_with_a_single_candidate_stays(tmp_path: Path) -> None:
    files = {
        "a.py": "class Store:\n    def [[flush_al$0l]](self):\n        pass\n",
        "c.py": "def run(thing):\n    thing.[[flush_all]]()\n",
    }
    result = check(tmp_path, files)
    assert [r.resolution for r in result.references if r.path == "c.py"] == ["by_name"]


def test_a_parameter_property_is_its_field_from_the_signature(tmp_path: Path) -> None:
    # From the signature, `engine` is the field (its uses through `this`);
    # from the constructor's body, a use of the parameter is the parameter.
    files = {
        "car.ts": """
            class Engine {
              start(): void {}
            }

            export class Car {
              constructor(private readonly [[eng$0ine]]: Engine) {
                engine.start();
              }

              drive(): void {
                this.[[engine]].start();
              }
            }
        """
    }
    result = check(tmp_path, files)
    assert [s.qualified_name for s in result.symbols] == ["car.Car.engine"]
    files["car.ts"] = (
        files["car.ts"]
        .replace("[[eng$0ine]]", "[[engine]]")
        .replace("                engine.start();", "                [[eng$0ine]].start();")
        .replace("this.[[engine]]", "this.engine")
    )
    (tmp_path / "body").mkdir()
    result = check(tmp_path / "body", files)
    assert result.local


def test_a_member_taken_out_by_a_pattern_is_referenced_there(tmp_path: Path) -> None:
    # ``const { topology } = opts`` reads ``opts.topology``: it is a reference
    # of the field, in another file too, and so is a parameter's pattern
    # (``({ topology }: RetryOptions)``), and so is a rename's key
    # (``{ topology: t }``); ``{ topology } = other`` of another type, a
    # rename's binding and the local's own later uses are not.
    files = {
        "model.ts": """
            export class Topology {
              select(): number { return 0; }
            }
            export interface RetryOptions {
              [[topo$0logy]]: Topology;
            }
            export interface Other {
              topology: Topology;
            }
        """,
        "run.ts": """
            import { Other, RetryOptions } from "./model";

            export function run(opts: RetryOptions, other: Other): number {
              const { [[topology]] } = opts;
              const {
                [[topology]]: t,
              } = opts;
              const { topology: u } = other;
              return topology.select() + opts.[[topology]].select();
            }

            export function several(opts: RetryOptions): number {
              const {
                [[topology]],
              } = opts;
              return topology.select();
            }

            export function param({ [[topology]] }: RetryOptions): number {
              return topology.select();
            }

            export function again(other: Other): number {
              const { topology } = other;
              return topology.select();
            }
        """,
    }
    result = check(tmp_path, files)
    roles = {(r.path, r.line, r.role) for r in result.references if r.path == "run.ts"}
    assert ("run.ts", 3, "read") in roles
    # Resolving every occurrence again gives the same answer.
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        query = ReferencesQuery(fx.at(), True)
        again = find_references(conn, fx.root, query, from_edges=False)
    assert ranges_of(again.references) == fx.ranges


def test_object_keys_are_no_references_of_names_in_scope(tmp_path: Path) -> None:
    # ``{ helper: 2 }`` sets a property: it reads neither the function nor
    # the parameter named like it; ``{ helper }`` and ``value: retries`` do.
    files = {
        "b.ts": """
            export function [[hel$0per]](): number { return 1; }
            export function make(retries: number) {
              const o = { helper: 2, retries: retries, run() {} };
              return { [[helper]], o, value: retries };
            }
            export class K { helper = 3; other() { return { helper: this.helper }; } }
        """,
    }
    check(tmp_path, files)


def test_keys_of_an_object_literal_of_a_stated_type_are_references(tmp_path: Path) -> None:
    # ``const o: Opts = { retries: 1 }`` writes ``Opts.retries``, in another
    # file too; a literal of another or no stated type does not.
    files = {
        "opts.ts": """
            export interface Opts {
              [[retr$0ies]]: number;
            }
            export interface Other {
              retries: number;
            }
        """,
        "use.ts": """
            import { Opts, Other } from "./opts";

            export function make(): Opts {
              const o: Opts = { [[retries]]: 1 };
              const p = { retries: 2 };
              const q: Other = { retries: 3 };
              return { [[retries]]: o.[[retries]] + p.retries + q.retries };
            }
            export const arrow = (): Opts => ({ [[retries]]: 4 });
        """,
    }
    result = check(tmp_path, files)
    roles = {r.role for r in result.references if r.path == "use.ts"}
    assert roles == {"write", "read"}


def test_rust_a_struct_patterns_field_names_are_references(tmp_path: Path) -> None:
    # ``P { x: v, .. }`` reads ``P.x``; the local ``x`` a shorthand binds is
    # no reference of the field, and a pattern of another struct is not.
    files = {
        "Cargo.toml": '[package]\nname = "demo"\n',
        "src/lib.rs": """
            pub struct P {
                pub [[$0x]]: i32,
            }
            pub struct Q {
                pub x: i32,
            }

            pub fn f(p: P, q: Q) -> i32 {
                let P { [[x]]: v, .. } = p;
                let Q { x: w } = q;
                v + w + p.[[x]]
            }
        """,
    }
    check(tmp_path, files)


def test_go_keys_of_elided_literals_are_references_of_the_field(tmp_path: Path) -> None:
    # ``[]T{{Name: "a"}}`` sets ``T.Name`` though the inner literal leaves
    # ``T`` out; the parameter ``Name`` is not what it names.
    files = {
        "go.mod": "module example.com/m\n",
        "m.go": """
            package m

            type T struct {
                [[Na$0me]] string
            }

            func f(Name string) []T {
                return []T{{[[Name]]: Name}, {[[Name]]: "b"}}
            }
        """,
    }
    check(tmp_path, files)


def test_keys_of_an_options_object_are_references_of_the_parameters_type(
    tmp_path: Path,
) -> None:
    # ``connect(url, { timeoutMS: 5 })`` sets ``ClientOptions.timeoutMS``
    # through ``connect``'s parameter, and so does a constructor's and a
    # method's; a callee of another or no parameter type does not.
    files = {
        "client.ts": """
            export interface ClientOptions {
              [[timeo$0utMS]]?: number;
            }
            export interface Other {
              timeoutMS?: number;
            }
            export class Client {
              constructor(url: string, options?: ClientOptions) {}
              reconnect(options: ClientOptions): void {}
            }
            export function connect(url: string, options: ClientOptions): Client {
              return new Client(url, options);
            }
            export function other(options: Other): void {}
        """,
        "main.ts": """
            import { Client, connect, other } from "./client";

            export function main(): void {
              const c = connect("x", { [[timeoutMS]]: 5 });
              new Client("y", { [[timeoutMS]]: 6 });
              c.reconnect({ [[timeoutMS]]: 7 });
              other({ timeoutMS: 8 });
              console.log({ timeoutMS: 9 });
            }
        """,
    }
    result = check(tmp_path, files)
    assert {r.role for r in result.references if r.path == "main.ts"} == {"write"}


def test_c_designated_initializers_are_references_of_the_field(tmp_path: Path) -> None:
    # ``{ .open = f }`` sets ``ops.open``; the global of the same name is
    # not what a designator names.
    files = {
        "ops.h": """
            struct ops {
                int (*[[op$0en]])(void);
            };
        """,
        "main.c": """
            #include "ops.h"

            int open;
            static int my_open(void) { return open; }
            static const struct ops o = { .[[open]] = my_open };
            struct ops all[] = { { .[[open]] = my_open } };
        """,
    }
    check(tmp_path, files)
