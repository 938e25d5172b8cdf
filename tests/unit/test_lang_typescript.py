"""TypeScript and TSX extraction: the shared typescript/ queries and hooks."""

from __future__ import annotations

import pytest
from langtest import kinds, node, occurrences, parse, roles
from tree_sitter import Query
from tree_sitter_language_pack import get_language

from codeidx.parse import registry
from codeidx.parse.hooks import Workspace
from codeidx.parse.records import ImportedName, ImportRecord, Param, TypeParam
from codeidx.parse.resolvers.typescript import HOOKS

TYPES = """\
/** A drawable shape. */
export interface Shape<T extends object = {}> extends Base, Other<T> {
  readonly area: number;
  name?: string;
  draw(ctx: Ctx, scale?: number): void;
}
type Pair<K, V extends K> = [K, V];
export enum Color { Red, Green = 2, "Blue" }
export abstract class Figure<T> extends Root implements Shape<T>, ns.Named {
  private readonly id: number = 1;
  protected static cache?: Map<string, T>;
  public label!: string;
  #secret = 2;
  constructor(private svc: Service, public readonly size?: number) { super(); }
  abstract render(): void;
  get width(): number { return 0; }
  measure(x: string): number;
  measure(x: number): number;
  measure(x: any): number { return 0; }
}
namespace Outer.Inner { export function f(): void {} const k = 1; }
declare module "pkg" { export function g(): void; }
declare function ambient(x: number): void;
declare const VERSION: string;
function over(x: string): string;
function over(x: number): number;
function over(x: any): any { return x; }
"""


@pytest.mark.parametrize("grammar", ["typescript", "tsx"])
def test_queries_compile_against_typescript_and_tsx(grammar: str) -> None:
    lang = get_language(grammar)
    for kind in ("tags", "refs"):
        assert Query(lang, registry.query_source("typescript", kind)).pattern_count > 5


def test_every_definition_kind_with_qualified_names() -> None:
    result = parse("typescript", TYPES)
    assert kinds(result) == {
        "mod.Shape": "interface",
        "mod.Shape.area": "field",
        "mod.Shape.name": "field",
        "mod.Shape.draw": "method",
        "mod.Pair": "type_alias",
        "mod.Color": "enum",
        "mod.Color.Red": "enum_member",
        "mod.Color.Green": "enum_member",
        "mod.Color.Blue": "enum_member",
        "mod.Figure": "class",
        "mod.Figure.id": "field",
        "mod.Figure.cache": "field",
        "mod.Figure.label": "field",
        "mod.Figure.#secret": "field",
        "mod.Figure.constructor": "constructor",
        # Parameter properties are fields too.
        "mod.Figure.svc": "field",
        "mod.Figure.size": "field",
        "mod.Figure.render": "method",
        "mod.Figure.width": "property",
        "mod.Figure.measure": "method",
        "mod.Outer.Inner": "namespace",
        "mod.Outer.Inner.f": "function",
        "mod.Outer.Inner.k": "constant",
        "mod.pkg": "namespace",
        "mod.pkg.g": "function",
        "mod.ambient": "function",
        "mod.VERSION": "constant",
        "mod.over": "function",
    }


def test_overloads_are_disambiguated() -> None:
    result = parse("typescript", TYPES)
    over = [n for n in result.nodes if n.qualified_name == "mod.over"]
    assert [(n.disambiguator, n.signature) for n in over] == [
        (0, "function over(x: string): string"),
        (1, "function over(x: number): number"),
        (2, "function over(x: any): any"),
    ]
    measure = [n for n in result.nodes if n.qualified_name == "mod.Figure.measure"]
    assert [n.disambiguator for n in measure] == [0, 1, 2]
    assert all(n.parent == node(result, "mod.Figure").ordinal for n in measure)


def test_parents_name_ranges_and_signatures() -> None:
    result = parse("typescript", TYPES)
    shape = node(result, "mod.Shape")
    assert node(result, "mod.Shape.draw").parent == shape.ordinal
    assert (shape.name_span.start_line, shape.name_span.start_col) == (1, 17)
    green = node(result, "mod.Color.Green")
    assert green.parent == node(result, "mod.Color").ordinal
    assert (green.name_span.start_line, green.name_span.start_col) == (7, 25)
    assert green.signature == "Green = 2"
    assert shape.signature == "interface Shape<T extends object = {}> extends Base, Other<T>"
    assert node(result, "mod.Pair").signature == "type Pair<K, V extends K> = [K, V]"
    assert node(result, "mod.Color").signature == "enum Color"
    assert node(result, "mod.Figure").signature == (
        "abstract class Figure<T> extends Root implements Shape<T>, ns.Named"
    )
    assert node(result, "mod.Figure.render").signature == "abstract render(): void"
    assert node(result, "mod.Figure.width").signature == "get width(): number"
    assert node(result, "mod.Figure.id").signature == "private readonly id: number = 1"
    assert node(result, "mod.Outer.Inner").signature == "namespace Outer.Inner"
    assert node(result, "mod.pkg").signature == 'module "pkg"'
    assert node(result, "mod.VERSION").signature == "const VERSION: string"


def test_docs_params_type_params_and_bases() -> None:
    result = parse("typescript", TYPES)
    shape = node(result, "mod.Shape")
    assert shape.doc == "A drawable shape."
    assert shape.type_params == [TypeParam("T", "object")]
    assert shape.bases == [("inherit", "Base"), ("inherit", "Other")]
    assert node(result, "mod.Pair").type_params == [TypeParam("K"), TypeParam("V", "K")]
    assert node(result, "mod.Shape.draw").params == [
        Param("ctx", "Ctx"),
        Param("scale?", "number"),
    ]
    figure = node(result, "mod.Figure")
    assert figure.bases == [("inherit", "Root"), ("implement", "Shape"), ("implement", "ns.Named")]
    assert node(result, "mod.Figure.constructor").params == [
        Param("svc", "Service"),
        Param("size?", "number"),
    ]
    source = (
        "function f<T extends keyof U, U = {}>(this: Window, { a }: Opts = {}, n = 1,"
        " ...rest: string[]): void {}\n"
        "const g = <T,>(x: T): T => x;\n"
    )
    typed = parse("typescript", source)
    f = node(typed, "mod.f")
    assert f.type_params == [TypeParam("T", "keyof U"), TypeParam("U")]
    assert f.params == [
        Param("{ a }", "Opts", "{}"),
        Param("n", None, "1"),
        Param("rest", "string[]", None, "..."),
    ]
    g = node(typed, "mod.g")
    assert (g.kind, g.signature) == ("function", "const g = <T,>(x: T): T =>")
    assert g.type_params == [TypeParam("T")]
    assert g.params == [Param("x", "T")]


def test_visibility_modifiers_exports_and_declare() -> None:
    result = parse("typescript", "import { q } from './q';\n" + TYPES)
    assert node(result, "mod.Figure.id").visibility == "private"
    assert node(result, "mod.Figure.cache").visibility == "protected"
    assert node(result, "mod.Figure.label").visibility == "public"
    assert node(result, "mod.Figure.#secret").visibility == "private"
    assert node(result, "mod.Figure.svc").visibility == "private"
    assert node(result, "mod.Figure.size").visibility == "public"
    assert node(result, "mod.Figure.render").visibility == "public"
    assert node(result, "mod.Shape").visibility == "public"
    assert node(result, "mod.Shape.area").visibility == "public"
    assert node(result, "mod.Pair").visibility == "internal"
    assert node(result, "mod.Outer.Inner").visibility == "internal"
    assert node(result, "mod.Outer.Inner.f").visibility == "public"
    assert node(result, "mod.Outer.Inner.k").visibility == "internal"
    # Ambient declarations describe things that exist elsewhere: public.
    assert node(result, "mod.pkg").visibility == "public"
    assert node(result, "mod.pkg.g").visibility == "public"
    assert node(result, "mod.ambient").visibility == "public"
    assert node(result, "mod.VERSION").visibility == "public"
    assert {n.visibility for n in result.nodes if n.name == "over"} == {"internal"}


def test_decorators_and_their_docs() -> None:
    source = """\
@Component({ selector: 'app' })
export class AppComponent {
  @Input() value = 1;

  /** Handles clicks. */
  @HostListener('click', ['$event'])
  @Debounce
  protected onClick(e: Event): void {}

  constructor(@Inject(TOKEN) private readonly svc: Svc) {}
}
@Injectable() export class Api {}
"""
    result = parse("typescript", source)
    assert node(result, "mod.AppComponent").decorators == ["Component({ selector: 'app' })"]
    assert node(result, "mod.AppComponent.value").decorators == ["Input()"]
    click = node(result, "mod.AppComponent.onClick")
    assert click.decorators == ["HostListener('click', ['$event'])", "Debounce"]
    assert click.doc == "Handles clicks."
    assert click.visibility == "protected"
    assert click.signature == "protected onClick(e: Event): void"
    assert node(result, "mod.Api").decorators == ["Injectable()"]
    assert roles(result, "Component") == [("decorator", "")]
    assert roles(result, "HostListener") == [("decorator", "")]
    assert roles(result, "Inject") == [("decorator", "")]
    assert roles(result, "Injectable") == [("decorator", "")]


def test_reference_roles_and_receivers() -> None:
    source = """\
import fs = require('fs');
import type { Opts } from './opts';
class Repo extends base.Store<Item> implements IRepo, api.Closeable {
  items: Map<string, Item> = new Map<string, Item>();
  find(id: string, opts?: Opts): models.User | undefined {
    this.load(id);
    const found = this.items.get(id);
    return cache.get(id) as models.User;
  }
}
interface IRepo extends Readable<Item> {}
"""
    result = parse("typescript", source)
    assert roles(result, "Store") == [("inherit", "base")]
    assert roles(result, "IRepo") == [("inherit", "")]
    assert roles(result, "Closeable") == [("inherit", "api")]
    assert roles(result, "Readable") == [("inherit", "")]
    assert roles(result, "Item") == [("type", "")] * 4
    assert roles(result, "Map") == [("type", ""), ("instantiate", "")]
    assert roles(result, "User") == [("type", "models"), ("type", "models")]
    assert roles(result, "Opts") == [("import", ""), ("type", "")]
    assert roles(result, "fs") == [("import", "")]
    assert roles(result, "load") == [("call", "this")]
    assert roles(result, "get") == [("call", "this.items"), ("call", "cache")]
    assert roles(result, "items") == [("read", "this")]
    assert roles(result, "id")[:2] == [("write", ""), ("read", "")]
    assert roles(result, "opts") == [("write", "")]
    find = node(result, "mod.Repo.find")
    assert result.locals[find.ordinal] == ["id", "opts", "found"]


def test_a_pattern_key_names_a_member_not_a_local() -> None:
    # ``a`` of ``{ a: b }`` is a key (resolved by its position, never in
    # scope); the names a pattern binds are writes, nested or not.
    source = """\
function f({ a: d, e: { g } }: T, { a: h = 1 }?: T) {
  const { a: b, c } = v;
  for (const { a: x } of xs) {}
}
"""
    for grammar in ("typescript", "tsx"):
        result = parse(grammar, source)
        assert roles(result, "a") == [("key", "")] * 4
        assert roles(result, "e") == [("key", "")]
        for name in ("b", "c", "d", "g", "h", "x"):
            assert roles(result, name) == [("write", "")], name


def test_object_keys_type_literal_members_and_attributes_are_no_occurrences() -> None:
    # None of these names a variable in scope: ``retries`` below is the
    # parameter only where it is read as a value.
    source = """\
function f(retries: number, onClick: () => void) {
  const o = { retries: 1, run() {}, value: retries };
  let t: { retries: number; run(): void };
  return <Button onClick={onClick} retries disabled />;
}
"""
    result = parse("tsx", source)
    assert [o.col for o in occurrences(result, "retries")] == [11, 43]
    assert occurrences(result, "run") == []
    assert occurrences(result, "disabled") == []
    assert roles(result, "onClick") == [("write", ""), ("read", "")]
    plain = parse("typescript", source.replace("return <Button", "// <Button"))
    assert [o.col for o in occurrences(plain, "retries")] == [11, 43]


def test_keys_of_an_object_literal_of_a_stated_type_write_its_members() -> None:
    # The stated type is the receiver: ``retries`` of ``{ retries: 1 }`` is
    # ``Opts.retries``, as ``o.retries = 1`` would be.  Untyped keys stay none.
    source = """\
function make(): Opts {
  const o: Opts = { retries: 1 };
  const d = { retries: 2 } as ns.Deep;
  const b = { retries: 3 } satisfies Box<number>;
  const plain = { retries: 4 };
  return { retries: 5, run() {} };
}
const arrow = (): api.Opts => ({ retries: 6 });
class K { opts: Opts = { retries: 7 }; }
"""
    result = parse("typescript", source)
    assert roles(result, "retries") == [
        ("write", "Opts"),
        ("write", "ns.Deep"),
        ("write", "Box"),
        ("write", "Opts"),
        ("write", "api.Opts"),
        ("write", "Opts"),
    ]
    assert [o.line for o in occurrences(result, "retries")] == [1, 2, 3, 5, 7, 8]
    assert roles(result, "run") == [("write", "Opts")]


def test_keys_of_an_object_literal_passed_to_a_call_are_options_of_the_callee() -> None:
    source = """\
function main(timeoutMS: number) {
  connect("x", { timeoutMS: 5, onError(e) {} });
  new Client("y", { timeoutMS: 6 });
  c.reconnect({ timeoutMS: 7 });
  run({ timeoutMS });
}
"""
    result = parse("typescript", source)
    assert roles(result, "timeoutMS") == [
        ("write", ""),
        ("option", "connect"),
        ("option", "Client"),
        ("option", "c.reconnect"),
        ("read", ""),
    ]
    assert roles(result, "onError") == [("option", "connect")]


def test_tsx_elements_are_calls_of_components() -> None:
    source = """\
import { Button } from './button';
export const App = (props: Props) => (
  <Layout title="x">
    <ui.Icon name="home" />
    <Button onClick={() => props.go()}>Go</Button>
    <div className="plain" />
  </Layout>
);
const id = <T,>(x: T) => x;
"""
    result = parse("tsx", source)
    assert kinds(result) == {"mod.App": "function", "mod.id": "function"}
    assert node(result, "mod.App").visibility == "public"
    assert roles(result, "Layout") == [("call", ""), ("read", "")]
    assert roles(result, "Icon") == [("call", "ui")]
    assert roles(result, "Button") == [("import", ""), ("call", ""), ("read", "")]
    assert roles(result, "div") == [("read", "")]
    assert roles(result, "go") == [("call", "props")]
    assert roles(result, "Props") == [("type", "")]
    assert result.problems == []


def test_comparisons_and_type_assertions_are_not_elements() -> None:
    result = parse("typescript", "if (a < B) {}\nlet q = <Foo>bar;\nconst r = f<Baz>(1) < Qux;\n")
    assert roles(result, "B") == [("read", "")]
    assert roles(result, "Foo") == [("type", "")]
    assert roles(result, "Qux") == [("read", "")]
    assert roles(result, "f") == [("call", "")]


def test_utf16_columns_and_syntax_errors() -> None:
    result = parse("typescript", "const naïve: Ünit = 1; class Späť { m(): void {} }\n")
    cls = node(result, "mod.Späť")
    assert (cls.name_span.start_col, cls.name_span.end_col) == (29, 33)
    assert [o.col for o in occurrences(result, "Ünit")] == [13]
    broken = parse("tsx", "export function ok(): void {}\nfunction bad(x: ) {}\nclass Later {}\n")
    assert kinds(broken) == {"mod.ok": "function", "mod.bad": "function", "mod.Later": "class"}
    assert node(broken, "mod.bad").params == [Param("x")]
    assert broken.error_count >= 1
    assert [(p.reason, p.line) for p in broken.problems] == [("syntax_error", 1)]


def test_imports_of_typescript_forms() -> None:
    source = """\
import type { A, B as C } from './types';
import fs = require('fs');
import Default, * as all from '../all';
export type { T } from './t';
"""
    result = parse("typescript", source)
    assert result.imports == [
        ImportRecord(
            "import type { A, B as C } from './types';",
            "./types",
            0,
            [ImportedName("A"), ImportedName("B", "C")],
            relative=True,
        ),
        ImportRecord("import fs = require('fs');", "fs", 1, bind="fs", kind="require"),
        ImportRecord(
            "import Default, * as all from '../all';",
            "../all",
            2,
            [ImportedName("default", "Default")],
            relative=True,
            bind="all",
        ),
        ImportRecord(
            "export type { T } from './t';",
            "./t",
            3,
            [ImportedName("T")],
            relative=True,
            kind="export",
        ),
    ]
    tsx = parse("tsx", "import React from 'react';\nconst x = require('./x');\n")
    assert [(i.module, i.kind, i.bind) for i in tsx.imports] == [
        ("react", "import", None),
        ("./x", "require", "x"),
    ]


def test_module_names_and_config_files() -> None:
    ws = Workspace.of({"src/util/index.ts", "types/env.d.ts", "src/App.tsx"})
    assert HOOKS.module_name("src/util/index.ts", ws) == "src/util"
    assert HOOKS.module_name("types/env.d.ts", ws) == "types/env"
    assert HOOKS.module_name("src/App.tsx", ws) == "src/App"
    assert HOOKS.config_files == ("tsconfig.json", "jsconfig.json", "package.json")


def _imp(module: str) -> ImportRecord:
    return ImportRecord(f"import x from '{module}'", module, 0, relative=module.startswith("."))


def test_resolve_through_tsconfig_paths_extends_and_nearest_config() -> None:
    files = {
        "app/src/main.ts",
        "app/src/core/index.ts",
        "app/src/core/log.ts",
        "app/src/shared/types.d.ts",
        "app/src/views/Home.tsx",
        "libs/ui/src/index.ts",
        "tools/gen.ts",
        "tools/lib/emit.ts",
    }
    configs = {
        "tsconfig.base.json": """{
          "compilerOptions": {
            "baseUrl": ".",
            "paths": { "@ui": ["libs/ui/src/index.ts"], "@ui/*": ["libs/ui/src/*"] }, // shared
          },
        }""",
        "app/tsconfig.json": """{
          /* The app inherits module resolution from the base. */
          "extends": "../tsconfig.base",
          "compilerOptions": { "strict": true, },
        }""",
        "tools/tsconfig.json": '{"compilerOptions": {"paths": {"~/*": ["./lib/*"]}}}',
    }
    ws = Workspace.of(files, configs=configs)
    resolve = HOOKS.resolve_import
    assert resolve(_imp("./core"), "app/src/main.ts", ws) == "app/src/core/index.ts"
    assert resolve(_imp("./core/log.js"), "app/src/main.ts", ws) == "app/src/core/log.ts"
    assert resolve(_imp("./shared/types"), "app/src/main.ts", ws) == "app/src/shared/types.d.ts"
    assert resolve(_imp("./views/Home"), "app/src/main.ts", ws) == "app/src/views/Home.tsx"
    # Inherited paths and baseUrl are relative to the base config's folder.
    assert resolve(_imp("@ui"), "app/src/views/Home.tsx", ws) == "libs/ui/src/index.ts"
    assert resolve(_imp("@ui/index"), "app/src/main.ts", ws) == "libs/ui/src/index.ts"
    assert resolve(_imp("app/src/core/log"), "app/src/main.ts", ws) == "app/src/core/log.ts"
    # Without baseUrl, paths are relative to the config that declares them,
    # and the nearest config wins: tools/ does not see the base config.
    assert resolve(_imp("~/emit"), "tools/gen.ts", ws) == "tools/lib/emit.ts"
    assert resolve(_imp("@ui"), "tools/gen.ts", ws) is None
    assert resolve(_imp("rxjs"), "app/src/main.ts", ws) is None


def test_paths_prefer_the_longest_matching_prefix() -> None:
    ws = Workspace.of(
        {"src/a.ts", "src/lib/x.ts", "src/special/x.ts"},
        configs={
            "tsconfig.json": '{"compilerOptions": {"baseUrl": ".", "paths": '
            '{"@/*": ["src/lib/*"], "@/special/*": ["src/special/*"], "exact": ["src/a.ts"]}}}'
        },
    )
    resolve = HOOKS.resolve_import
    assert resolve(_imp("@/x"), "src/a.ts", ws) == "src/lib/x.ts"
    assert resolve(_imp("@/special/x"), "src/a.ts", ws) == "src/special/x.ts"
    assert resolve(_imp("exact"), "src/lib/x.ts", ws) == "src/a.ts"
    assert resolve(_imp("src/lib/x"), "src/a.ts", ws) == "src/lib/x.ts"


@pytest.mark.parametrize(
    ("annotation", "names"),
    [
        ("Foo", ["Foo"]),
        ("ns.Foo<T>", ["ns.Foo"]),
        ("Foo | null", ["Foo"]),
        ("(Foo)", ["Foo"]),
        ("Foo[]", []),
        ("(a: A) => B", []),
        ("{ a: 1 }", []),
        ("string", []),
    ],
)
def test_annotation_names_are_the_classes_of_a_type(annotation, names):
    assert HOOKS.annotation_names(annotation) == names


@pytest.mark.parametrize(
    ("signature", "result"),
    [
        ("function foo(a: A): Foo {", "Foo"),
        ("async load(x: (y: Y) => Z): Promise<Foo>", "Promise<Foo>"),
        ("get value(): Foo", "Foo"),
        ("const f = (a: A): Foo => a", "Foo"),
        ("constructor(a: A)", None),
    ],
)
def test_return_annotation_is_the_declared_result(signature, result):
    assert HOOKS.return_annotation(signature) == result


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("private readonly state = new StatusBarState()", (None, "StatusBarState()")),
        ("private client: Client | undefined", ("Client | undefined", None)),
        ("x?: Foo", ("Foo", None)),
        ("handler: (x: number) => void = noop", ("(x: number) => void", "noop")),
        ("const m: Map<string, Foo> = new Map<string, Foo>()", ("Map<string, Foo>", "Map()")),
        ("#p = new ns.Bar(1, g(2))", (None, "ns.Bar(1, g(2))")),
        ("export const y = make().build()", (None, "make().build()")),
        ("let x: Foo = null", ("Foo", None)),
        ("static ready = a == b", (None, "a == b")),
        ("const [a, b] = f()", (None, None)),
        ("let a = 1, b = new Foo()", (None, None)),
    ],
)
def test_assigned_reads_a_fields_or_variables_type_and_value(statement, expected):
    assert HOOKS.assigned(statement) == expected


def test_a_parameter_property_is_a_field_and_stays_the_parameters_binding() -> None:
    result = parse("typescript", TYPES)
    svc = node(result, "mod.Figure.svc")
    assert svc.parent == node(result, "mod.Figure").ordinal
    assert svc.signature == "private svc: Service"
    assert HOOKS.assigned(svc.signature) == ("Service", None)
    # The name is still an occurrence: the constructor's parameter binding.
    constructor = node(result, "mod.Figure.constructor")
    (binding,) = occurrences(result, "svc")
    assert (binding.role, binding.enclosing) == ("write", constructor.ordinal)


@pytest.mark.parametrize(
    ("annotation", "element"),
    [
        ("Engine[]", "Engine"),
        ("readonly Engine[] | undefined", "Engine"),
        ("Array<ns.Engine<T>>", "ns.Engine<T>"),
        ("Set<Engine> | null", "Engine"),
        ("(Engine | Other)[]", "(Engine | Other)"),
        ("Engine[][]", "Engine[]"),
        ("() => Engine[]", None),
        ("Map<string, Engine>", None),
        ("[Engine, Other]", None),
        ("Promise<Engine[]>", None),
        ("Engine", None),
    ],
)
def test_wrapped_is_an_array_or_sets_element_type(annotation, element):
    assert HOOKS.wrapped(annotation) == element


@pytest.mark.parametrize(
    ("annotation", "value"),
    [
        ("Map<string, Engine>", "Engine"),
        ("ReadonlyMap<Key, ns.Engine<T>> | undefined", "ns.Engine<T>"),
        ("Record<string, Engine>", "Engine"),
        ("Engine[]", None),
        ("Map<string>", None),
    ],
)
def test_keyed_is_a_maps_value_type(annotation, value):
    assert HOOKS.keyed(annotation) == value


def test_non_null_assertions_leave_the_receiver_chain():
    assert HOOKS.receiver_chain("this.cache.get(key)!") == "this.cache.get(key)"
    assert HOOKS.receiver_chain("a!.b[0]!") == "a.b[0]"
    assert HOOKS.receiver_chain("x != y") == "x != y"


@pytest.mark.parametrize(
    ("annotation", "result"),
    [
        ("Promise<Engine>", "Engine"),
        ("PromiseLike<Engine[]> | undefined", "Engine[]"),
        ("Promise<Map<string, Engine>>", "Map<string, Engine>"),
        ("Promised<Engine>", None),
        ("Engine", None),
    ],
)
def test_promised_is_a_promises_result_type(annotation, result):
    assert HOOKS.promised(annotation) == result


@pytest.mark.parametrize(
    ("receiver", "chain"),
    [
        ("(await load())", "load().await"),
        ("(await this.repo.find(id))", "this.repo.find(id).await"),
        ("(await new Repo())", "Repo().await"),
    ],
)
def test_an_awaited_receiver_reads_as_its_value_awaited(receiver, chain):
    assert HOOKS.receiver_chain(receiver) == chain


@pytest.mark.parametrize(
    ("signature", "bounds"),
    [
        ("function run<T extends Operation>(op: T): T", {"T": ["Operation"]}),
        (
            "function exec< T extends Base & Named, TResult = Out<T> >(op: T): TResult",
            {"T": ["Base", "Named"], "TResult": []},
        ),
        ("class Collection<TSchema extends Document = Document>", {"TSchema": ["Document"]}),
        ("interface Matcher< in I, out R = any > extends Pipeable", {"I": [], "R": []}),
        ("of<const H extends HandlersFrom<R>>(handlers: H): H", {"H": ["HandlersFrom<R>"]}),
        ("class Foo extends Bar<T>", {}),
        ("const f = <T extends A>(x: T) => x", {}),
        ("find(filter: Filter<T>): Cursor<T>", {}),
    ],
)
def test_type_bounds_are_a_declarations_own_generics(signature, bounds):
    assert HOOKS.type_bounds(signature) == bounds


@pytest.mark.parametrize(
    ("pattern", "keys"),
    [
        ("{ topology, session }", {"topology": ("topology",), "session": ("session",)}),
        ("{ session: s, retries = 3 }", {"s": ("session",), "retries": ("retries",)}),
        (
            "{ options: { timeout, signal: abort } }",
            {
                "timeout": ("options", "timeout"),
                "abort": ("options", "signal"),
            },
        ),
        ("{ a = f(x, y), ...rest }", {"a": ("a",)}),
        ("{ [key]: value, 'quoted': q, list: [first] }", {}),
        ("{ cut, short", {}),
        ("options", {}),
        ("[first, second]", {}),
    ],
)
def test_pattern_keys_are_the_members_a_pattern_takes_apart(pattern, keys):
    assert HOOKS.pattern_keys(pattern) == keys
