"""JavaScript extraction: tags.scm, refs.scm and the JavaScript hooks."""

from __future__ import annotations

import pytest
from langtest import kinds, node, occurrences, parse, roles
from tree_sitter import Query
from tree_sitter_language_pack import get_language

from codeidx.parse import registry
from codeidx.parse.extract import Extractor
from codeidx.parse.hooks import Workspace
from codeidx.parse.records import ImportedName, ImportRecord, Param
from codeidx.parse.resolvers.javascript import HOOKS
from codeidx.parse.resolvers.javascript_imports import parse_jsonc

DEFINITIONS = """\
function plain(a) { return a; }
function* gen() { yield 1; }
const arrow = async (x) => x + 1;
let expr = function named(y) {};
var Anon = class { m() {} };
class Shape extends Base {
  static count = 0;
  #secret = 1;
  label;
  handler = () => this.label;
  constructor(x) { super(x); }
  get area() { return 0; }
  set area(v) {}
  static make() {}
  #hide() {}
}
const LIMIT = 10;
let counter = 0;
var legacy;
const { left, right: renamed, ...rest } = pair;
const [first, , third = 3] = list;
const api = { get() {}, put: () => 1 };
export default function () {}
"""


def test_queries_compile_against_the_javascript_grammar() -> None:
    lang = get_language("javascript")
    for kind in ("tags", "refs"):
        assert Query(lang, registry.query_source("javascript", kind)).pattern_count > 5


def test_every_definition_kind_with_qualified_names() -> None:
    result = parse("javascript", DEFINITIONS)
    assert kinds(result) == {
        "mod.plain": "function",
        "mod.gen": "function",
        "mod.arrow": "function",
        "mod.expr": "function",
        "mod.Anon": "class",
        "mod.Anon.m": "method",
        "mod.Shape": "class",
        "mod.Shape.count": "field",
        "mod.Shape.#secret": "field",
        "mod.Shape.label": "field",
        "mod.Shape.handler": "method",
        "mod.Shape.constructor": "constructor",
        "mod.Shape.area": "property",
        "mod.Shape.make": "method",
        "mod.Shape.#hide": "method",
        "mod.LIMIT": "constant",
        "mod.counter": "variable",
        "mod.legacy": "variable",
        "mod.left": "constant",
        "mod.renamed": "constant",
        "mod.rest": "constant",
        "mod.first": "constant",
        "mod.third": "constant",
        "mod.api": "constant",
        "mod.api.get": "method",
        "mod.api.put": "method",
        "mod.default": "function",
    }


def test_getter_and_setter_are_told_apart_by_disambiguator() -> None:
    result = parse("javascript", DEFINITIONS)
    area = [n for n in result.nodes if n.qualified_name == "mod.Shape.area"]
    assert [(n.signature, n.disambiguator) for n in area] == [
        ("get area()", 0),
        ("set area(v)", 1),
    ]


def test_parents_and_name_ranges() -> None:
    result = parse("javascript", DEFINITIONS)
    shape = node(result, "mod.Shape")
    ctor = node(result, "mod.Shape.constructor")
    assert ctor.parent == shape.ordinal
    assert node(result, "mod.api.get").parent == node(result, "mod.api").ordinal
    assert shape.parent == 0
    assert (shape.name_span.start_line, shape.name_span.start_col) == (5, 6)
    assert (shape.name_span.end_line, shape.name_span.end_col) == (5, 11)
    secret = node(result, "mod.Shape.#secret")
    assert (secret.name_span.start_line, secret.name_span.start_col) == (7, 2)
    renamed = node(result, "mod.renamed")
    assert (renamed.name_span.start_line, renamed.name_span.start_col) == (19, 21)


def test_signatures_stop_at_the_body() -> None:
    result = parse("javascript", DEFINITIONS)
    assert node(result, "mod.plain").signature == "function plain(a)"
    assert node(result, "mod.gen").signature == "function* gen()"
    assert node(result, "mod.arrow").signature == "const arrow = async (x) =>"
    assert node(result, "mod.expr").signature == "let expr = function named(y)"
    assert node(result, "mod.Anon").signature == "var Anon = class"
    assert node(result, "mod.Shape").signature == "class Shape extends Base"
    assert node(result, "mod.Shape.count").signature == "static count = 0"
    assert node(result, "mod.Shape.handler").signature == "handler = () =>"
    assert node(result, "mod.Shape.make").signature == "static make()"
    assert node(result, "mod.LIMIT").signature == "const LIMIT = 10"
    assert node(result, "mod.legacy").signature == "var legacy"
    assert node(result, "mod.rest").signature == "const { left, right: renamed, ...rest } = pair"
    multi = parse("javascript", "const table = {\n  a: 1,\n};\n")
    assert node(multi, "mod.table").signature == "const table = { …"


def test_object_keys_and_attributes_are_no_occurrences() -> None:
    source = (
        "function f(retries, onClick) {\n"
        "  const o = { retries: 1, run() {}, value: retries };\n"
        "  return <Button onClick={onClick} retries />;\n"
        "}\n"
    )
    result = parse("javascript", source)
    assert [o.col for o in occurrences(result, "retries")] == [11, 43]
    assert occurrences(result, "run") == []
    assert roles(result, "onClick") == [("write", ""), ("read", "")]


def test_a_pattern_key_names_a_member_not_a_local() -> None:
    source = "function f({ a: d }) {\n  const { a: b, c } = v;\n}\n"
    result = parse("javascript", source)
    assert roles(result, "a") == [("key", ""), ("key", "")]
    assert roles(result, "b") == [("write", "")]
    assert roles(result, "d") == [("write", "")]


def test_params_destructuring_defaults_and_rest() -> None:
    result = parse(
        "javascript",
        "function f(a, { b, c } = {}, [d], e = 1, ...args) {}\nconst g = x => x;\n",
    )
    assert node(result, "mod.f").params == [
        Param("a"),
        Param("{ b, c }", default="{}"),
        Param("[d]"),
        Param("e", default="1"),
        Param("args", variadic="..."),
    ]
    assert node(result, "mod.g").params == [Param("x")]


def test_jsdoc_directly_above_and_above_export() -> None:
    source = """\
/**
 * Adds numbers.
 * @param {number} a
 */
export function add(a) {}

/** Detached by a blank line. */

function detached() {}

// A line comment is not documentation.
function lined() {}

/** The limit. */
export const LIMIT = 3;

class K {
  /** Runs it. */
  run() {}
}
"""
    result = parse("javascript", source)
    assert node(result, "mod.add").doc == "Adds numbers.\n@param {number} a"
    assert node(result, "mod.detached").doc is None
    assert node(result, "mod.lined").doc is None
    assert node(result, "mod.LIMIT").doc == "The limit."
    assert node(result, "mod.K.run").doc == "Runs it."
    assert result.nodes[0].doc is None


def test_module_doc_needs_a_file_tag_or_a_blank_line() -> None:
    tagged = parse("javascript", "/** @file Helpers for dates. */\nfunction f() {}\n")
    assert tagged.nodes[0].doc == "@file Helpers for dates."
    assert node(tagged, "mod.f").doc == "@file Helpers for dates."
    detached = parse("javascript", "/**\n * Date helpers.\n */\n\nimport x from 'x';\n")
    assert detached.nodes[0].doc == "Date helpers."
    licence = parse("javascript", "/**\n * Copyright (c) Someone\n */\n\nimport x from 'x';\n")
    assert licence.nodes[0].doc is None


def test_visibility_of_exported_unexported_and_private_names() -> None:
    source = """\
import x from './x';
export function shown() {}
function hidden() {}
function listed() {}
const dflt = 1;
export { listed };
export default dflt;
class C { #p = 1; q = 2; #m() {} }
"""
    result = parse("javascript", source)
    assert node(result, "mod.shown").visibility == "public"
    assert node(result, "mod.hidden").visibility == "internal"
    assert node(result, "mod.listed").visibility == "public"
    assert node(result, "mod.dflt").visibility == "public"
    assert node(result, "mod.C").visibility == "internal"
    assert node(result, "mod.C.#p").visibility == "private"
    assert node(result, "mod.C.q").visibility == "public"
    assert node(result, "mod.C.#m").visibility == "private"


def test_visibility_in_commonjs_and_script_files() -> None:
    commonjs = parse(
        "javascript",
        "const fs = require('fs');\nfunction a() {}\nfunction b() {}\nmodule.exports = { a };\n",
    )
    assert node(commonjs, "mod.a").visibility == "public"
    assert node(commonjs, "mod.b").visibility == "internal"
    single = parse("javascript", "class Tool {}\nmodule.exports = Tool;\n")
    assert node(single, "mod.Tool").visibility == "public"
    # A script (no import, export or require) declares globals.
    script = parse("javascript", "function onLoad() {}\nvar state = {};\n")
    assert node(script, "mod.onLoad").visibility == "public"
    assert node(script, "mod.state").visibility == "public"


def test_decorators_and_bases() -> None:
    source = "@sealed\n@ns.register('x')\nclass A extends mixin(B) {\n  @bound run() {}\n}\n"
    result = parse("javascript", source)
    cls = node(result, "mod.A")
    assert cls.decorators == ["sealed", "ns.register('x')"]
    assert cls.bases == [("inherit", "mixin(B)")]
    assert cls.signature == "class A extends mixin(B)"
    assert node(result, "mod.A.run").decorators == ["bound"]
    assert roles(result, "sealed") == [("decorator", "")]
    assert roles(result, "register") == [("decorator", "ns")]
    assert roles(result, "bound") == [("decorator", "")]
    assert roles(result, "mixin") == [("call", "")]


def test_locals_and_reassignments_are_not_definitions() -> None:
    source = """\
const fs = require('fs');
const { join } = require('path');
let total = 0;
total = 5;
describe('suite', () => {
  const inCallback = 1;
  function helper() { const deep = 2; return deep; }
});
function outer() { let local = 1; local += 1; return local; }
"""
    result = parse("javascript", source)
    assert kinds(result) == {
        "mod.total": "variable",
        "mod.helper": "function",
        "mod.outer": "function",
    }
    assert roles(result, "total") == [("write", "")]
    assert roles(result, "inCallback") == [("write", "")]
    assert roles(result, "local") == [("write", ""), ("write", ""), ("read", "")]
    assert result.locals[node(result, "mod.outer").ordinal] == ["local"]
    assert roles(result, "fs") == [("import", "")]


def test_reference_roles_and_receivers() -> None:
    source = """\
import React, { useState as useS } from 'react';
import * as path from 'path';
class View extends Component {
  render() {
    this.update();
    helper(path.sep);
    const w = new Widget();
    const v = new ui.Panel();
    obj.field = 1;
    this.count += 1;
    return <Layout><ui.Item /><div /></Layout>;
  }
}
"""
    result = parse("javascript", source)
    assert roles(result, "Component") == [("inherit", "")]
    assert roles(result, "update") == [("call", "this")]
    assert roles(result, "helper") == [("call", "")]
    assert roles(result, "sep") == [("read", "path")]
    assert roles(result, "path") == [("import", ""), ("read", "")]
    assert roles(result, "Widget") == [("instantiate", "")]
    assert roles(result, "Panel") == [("instantiate", "ui")]
    assert roles(result, "field") == [("write", "obj")]
    assert roles(result, "count") == [("write", "this")]
    assert roles(result, "w") == [("write", "")]
    assert roles(result, "React") == [("import", "")]
    assert roles(result, "useState") == [("import", "")]
    assert roles(result, "useS") == [("import", "")]
    # JSX: a component element is a call; closing tags and HTML elements read.
    assert roles(result, "Layout") == [("call", ""), ("read", "")]
    assert roles(result, "Item") == [("call", "ui")]
    assert roles(result, "div") == [("read", "")]
    render = node(result, "mod.View.render")
    assert {o.enclosing for o in occurrences(result, "update")} == {render.ordinal}


def test_utf16_columns_on_non_ascii_lines() -> None:
    source = 'const café = "é"; function après() { café(); }\n'
    result = parse("javascript", source)
    fn = node(result, "mod.après")
    assert (fn.name_span.start_line, fn.name_span.start_col) == (0, 27)
    assert fn.name_span.end_col == 32
    assert [(o.role, o.col) for o in occurrences(result, "café")] == [("call", 37)]
    emoji = parse("javascript", "const s = '😀'; function f() {}\n")
    assert node(emoji, "mod.f").name_span.start_col == 25


def test_syntax_error_keeps_recovered_definitions() -> None:
    source = "function good() {}\nfunction broken() { if ( }\nclass Kept { m() {} }\n"
    result = parse("javascript", source)
    assert kinds(result) == {
        "mod.good": "function",
        "mod.broken": "function",
        "mod.Kept": "class",
        "mod.Kept.m": "method",
    }
    assert result.error_count == 1
    assert [(p.reason, p.line) for p in result.problems] == [("syntax_error", 1)]


def test_invalid_utf8_is_reported_not_raised() -> None:
    data = b"const label = '\xff';\nconst dep = require('./d\xff');\nfunction ok() {}\n"
    result = Extractor().parse("javascript", data, "mod")
    assert kinds(result) == {"mod.label": "constant", "mod.ok": "function"}
    assert [(p.reason, p.line) for p in result.problems] == [("invalid_utf8", 0)]
    assert [(i.kind, i.bind, i.line) for i in result.imports] == [("require", "dep", 1)]


def test_imports_requires_and_reexports() -> None:
    source = """\
import def, { a as b, c } from './mod';
import * as ns from "../lib/ns";
import './side-effect.css';
export { q as r, s } from './re';
export * from './all';
export * as bundle from './bundle';
const fs = require('fs');
const { join, resolve: res } = require('path');
async function load() { return import('./lazy'); }
"""
    result = parse("javascript", source)
    assert result.imports == [
        ImportRecord(
            "import def, { a as b, c } from './mod';",
            "./mod",
            0,
            [ImportedName("default", "def"), ImportedName("a", "b"), ImportedName("c")],
            relative=True,
        ),
        ImportRecord('import * as ns from "../lib/ns";', "../lib/ns", 1, relative=True, bind="ns"),
        ImportRecord("import './side-effect.css';", "./side-effect.css", 2, relative=True),
        ImportRecord(
            "export { q as r, s } from './re';",
            "./re",
            3,
            [ImportedName("q", "r"), ImportedName("s")],
            relative=True,
            kind="export",
        ),
        ImportRecord(
            "export * from './all';", "./all", 4, [ImportedName("*")], relative=True, kind="export"
        ),
        ImportRecord(
            "export * as bundle from './bundle';",
            "./bundle",
            5,
            [ImportedName("*", "bundle")],
            relative=True,
            kind="export",
        ),
        ImportRecord("const fs = require('fs');", "fs", 6, bind="fs", kind="require"),
        ImportRecord(
            "const { join, resolve: res } = require('path');",
            "path",
            7,
            [ImportedName("join"), ImportedName("resolve", "res")],
            kind="require",
        ),
        ImportRecord("import('./lazy')", "./lazy", 8, relative=True),
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("src/app.js", "src/app"),
        ("src/util/index.js", "src/util"),
        ("index.mjs", "index"),
        ("lib/types.d.ts", "lib/types"),
        ("src/view.jsx", "src/view"),
    ],
)
def test_module_names(path: str, expected: str) -> None:
    assert HOOKS.module_name(path, Workspace.of({path})) == expected


def _imp(module: str) -> ImportRecord:
    return ImportRecord(f"import x from '{module}'", module, 0, relative=module.startswith("."))


def test_resolve_relative_imports() -> None:
    ws = Workspace.of(
        {
            "src/app.js",
            "src/util.js",
            "src/comp/index.jsx",
            "src/data.json.js",
            "lib/helper.cjs",
            "src/typed.ts",
            "index.js",
        }
    )
    resolve = HOOKS.resolve_import
    assert resolve(_imp("./util"), "src/app.js", ws) == "src/util.js"
    assert resolve(_imp("./util.js"), "src/app.js", ws) == "src/util.js"
    assert resolve(_imp("./comp"), "src/app.js", ws) == "src/comp/index.jsx"
    assert resolve(_imp("../lib/helper"), "src/app.js", ws) == "lib/helper.cjs"
    assert resolve(_imp("./typed.js"), "src/app.js", ws) == "src/typed.ts"
    assert resolve(_imp(".."), "src/app.js", ws) == "index.js"
    assert resolve(_imp("./missing"), "src/app.js", ws) is None
    assert resolve(_imp("../../outside"), "src/app.js", ws) is None
    assert resolve(_imp("react"), "src/app.js", ws) is None


def test_resolve_bare_imports_through_jsconfig() -> None:
    ws = Workspace.of(
        {"web/src/app.js", "web/src/lib/fmt.js", "web/src/components/Button.jsx", "other/x.js"},
        configs={
            "web/jsconfig.json": """{
  // Comments and trailing commas are allowed here.
  "compilerOptions": {
    "baseUrl": "src",
    "paths": { "@ui/*": ["components/*"], "fmt": ["lib/fmt"], },
    /* block comment */
  },
}""",
        },
    )
    resolve = HOOKS.resolve_import
    assert resolve(_imp("@ui/Button"), "web/src/app.js", ws) == "web/src/components/Button.jsx"
    assert resolve(_imp("fmt"), "web/src/app.js", ws) == "web/src/lib/fmt.js"
    assert resolve(_imp("lib/fmt"), "web/src/app.js", ws) == "web/src/lib/fmt.js"
    assert resolve(_imp("lodash"), "web/src/app.js", ws) is None
    # A file outside the configured folder has no config and no bare resolution.
    assert resolve(_imp("lib/fmt"), "other/x.js", ws) is None


def test_broken_config_resolves_nothing_and_does_not_raise() -> None:
    ws = Workspace.of({"src/a.js", "src/b.js"}, configs={"jsconfig.json": "{ not json"})
    assert HOOKS.resolve_import(_imp("src/b"), "src/a.js", ws) is None
    assert HOOKS.resolve_import(_imp("./b"), "src/a.js", ws) == "src/b.js"
    assert parse_jsonc('{"a": "// kept", "b": [1, 2,],}') == {"a": "// kept", "b": [1, 2]}
    assert parse_jsonc("[1]") == {}


MEMBER_ASSIGNMENTS = """\
function Queue(size) { this.size = size; }
/** Adds an item. */
Queue.prototype.push = function (item) { return item; };
Queue.prototype.peek = () => null;
Queue.from = function (list) { return new Queue(list.length); };
Queue.prototype = { drain() {}, clear: function (all) {}, get length() { return 0; } };
class Box {}
Box.of = (value) => new Box();
const Plain = function () {};
Plain.prototype.run = function* () {};
Array.prototype.last = function () {};
fs.patched = function () {};
Missing.prototype.gone = function () {};
"""


def test_members_assigned_to_a_function_or_class_of_the_file() -> None:
    result = parse("javascript", MEMBER_ASSIGNMENTS)
    assert kinds(result) == {
        "mod.Queue": "function",
        "mod.Queue.push": "method",
        "mod.Queue.peek": "method",
        "mod.Queue.from": "method",
        "mod.Queue.drain": "method",
        "mod.Queue.clear": "method",
        # An accessor of a prototype object stays a method, so it is no
        # module-level name.
        "mod.Queue.length": "method",
        "mod.Box": "class",
        "mod.Box.of": "method",
        "mod.Plain": "function",
        "mod.Plain.run": "method",
    }
    push = node(result, "mod.Queue.push")
    # Written outside their owner, at module level: the module is the parent
    # and the qualified name says whose member it is (as Go methods).
    assert push.parent == 0
    assert push.signature == "Queue.prototype.push = function (item)"
    assert push.params == [Param("item")]
    assert push.doc == "Adds an item."
    assert push.visibility == "public"
    assert (push.name_span.start_line, push.name_span.start_col) == (2, 16)
    assert node(result, "mod.Queue.peek").signature == "Queue.prototype.peek = () =>"
    assert node(result, "mod.Queue.from").params == [Param("list")]
    assert node(result, "mod.Queue.clear").signature == "clear: function (all)"
    assert node(result, "mod.Box.of").signature == "Box.of = (value) =>"


def test_assigned_member_names_are_no_occurrences_and_the_left_side_still_reads() -> None:
    result = parse("javascript", MEMBER_ASSIGNMENTS)
    assert occurrences(result, "push") == []
    assert occurrences(result, "from") == []
    assert occurrences(result, "drain") == []
    assert roles(result, "Queue") == [
        ("read", ""),
        ("read", ""),
        ("read", ""),
        ("instantiate", ""),
        ("read", ""),
    ]
    assert roles(result, "prototype")[:2] == [("read", "Queue"), ("read", "Queue")]
    # Assignments that define nothing keep their written names.
    assert roles(result, "last") == [("write", "Array.prototype")]
    assert roles(result, "patched") == [("write", "fs")]
    assert roles(result, "gone") == [("write", "Missing.prototype")]


def test_members_assigned_beside_their_owner_inside_a_function() -> None:
    source = """\
(function (root) {
  function Hidden() {}
  Hidden.prototype.show = function () {};
})(this);
function factory() {
  function Made() {}
  Made.make = function () {};
  if (ready) { Made.prototype.late = function () {}; }
  Outer.prototype.far = function () {};
  return Made;
}
function Outer() {}
"""
    result = parse("javascript", source)
    assert kinds(result) == {
        "mod.Hidden": "function",
        "mod.Hidden.show": "method",
        "mod.factory": "function",
        "mod.factory.Made": "function",
        "mod.factory.Made.make": "method",
        "mod.Outer": "function",
    }
    made = node(result, "mod.factory.Made.make")
    assert made.parent == node(result, "mod.factory").ordinal
    # An owner declared in another block is not beside the assignment.
    assert roles(result, "late") == [("write", "Made.prototype")]
    assert roles(result, "far") == [("write", "Outer.prototype")]


def test_commonjs_exports_of_functions_and_classes() -> None:
    source = """\
/** Greets. */
exports.greet = function (name) { return name; };
module.exports.shout = async (text) => text;
exports.Client = class Client extends Base { send() {} };
module.exports.Server = class {};
exports.helper = helper;
exports.reset = void 0;
exports.count = 3;
function helper() {}
function later() {
  exports.inner = function () {};
}
"""
    result = parse("javascript", source)
    assert kinds(result) == {
        "mod.greet": "function",
        "mod.shout": "function",
        "mod.Client": "class",
        "mod.Client.send": "method",
        "mod.Server": "class",
        "mod.helper": "function",
        "mod.later": "function",
    }
    greet = node(result, "mod.greet")
    assert (greet.parent, greet.visibility) == (0, "public")
    assert greet.signature == "exports.greet = function (name)"
    assert greet.params == [Param("name")]
    assert greet.doc == "Greets."
    assert node(result, "mod.shout").signature == "module.exports.shout = async (text) =>"
    client = node(result, "mod.Client")
    assert client.signature == "exports.Client = class Client extends Base"
    assert client.bases == [("inherit", "Base")]
    assert node(result, "mod.Client.send").parent == client.ordinal
    # Exported names are definitions, not occurrences; `exports` and `module` read.
    assert occurrences(result, "greet") == []
    assert roles(result, "exports")[:3] == [("read", ""), ("read", "module"), ("read", "")]
    assert roles(result, "module") == [("read", ""), ("read", "")]
    # A re-export, a reset and a value keep their names as writes, so the
    # function `helper` is the one definition of its name.
    assert roles(result, "helper") == [("write", "exports"), ("read", "")]
    assert roles(result, "reset") == [("write", "exports")]
    assert roles(result, "count") == [("write", "exports")]
    assert roles(result, "inner") == [("write", "exports")]


def test_methods_of_a_module_exports_object_are_module_functions() -> None:
    source = """\
function shared() {}
module.exports = {
  parse(text) { return text; },
  format: function (value) {},
  quick: (x) => x,
  get version() { return 1; },
  shared,
  alias: shared,
};
"""
    result = parse("javascript", source)
    assert kinds(result) == {
        "mod.shared": "function",
        "mod.parse": "function",
        "mod.format": "function",
        "mod.quick": "function",
        "mod.version": "property",
    }
    parse_ = node(result, "mod.parse")
    assert (parse_.parent, parse_.visibility, parse_.signature) == (0, "public", "parse(text)")
    assert node(result, "mod.format").params == [Param("value")]
    assert node(result, "mod.shared").visibility == "public"
    nested = parse("javascript", "function f() {\n  module.exports = { g() {} };\n}\n")
    assert kinds(nested) == {"mod.f": "function"}


def test_typescript_shares_the_member_assignments() -> None:
    source = """\
export function debounce(fn: () => void): () => void { return fn; }
debounce.cancel = (id: number): void => {};
class Shape {}
Shape.unit = function (): Shape { return new Shape(); };
exports.plain = function () {};
"""
    for language in ("typescript", "tsx"):
        result = parse(language, source)
        assert kinds(result) == {
            "mod.debounce": "function",
            "mod.debounce.cancel": "method",
            "mod.Shape": "class",
            "mod.Shape.unit": "method",
        }, language
        assert node(result, "mod.debounce.cancel").params == [Param("id", type="number")]


@pytest.mark.parametrize(
    ("receiver", "chain"),
    [
        ("new Queue(3)", "Queue(3)"),
        ("(new Queue())", "Queue()"),
        ("new lib.Queue(a, b)", "lib.Queue(a, b)"),
        ("queue.items", "queue.items"),
        ("(a)(b)", "(a)(b)"),
    ],
)
def test_a_constructed_receiver_reads_as_a_call_of_its_class(receiver: str, chain: str) -> None:
    assert HOOKS.receiver_chain(receiver) == chain
