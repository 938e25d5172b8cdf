"""C extraction: tags/refs queries and the C hooks, over inline sources.

Positions are never hand-counted: ``at(source, needle)`` finds the needle in
the source and returns its line and UTF-16 column.
"""

from __future__ import annotations

import textwrap

import pytest
from langtest import kinds, node, occurrences, parse, roles

from codeidx.parse.hooks import Workspace
from codeidx.parse.records import ImportRecord, Param, ParseResult
from codeidx.parse.resolvers.c import HOOKS


def c(source: str, module: str = "src/x.c") -> ParseResult:
    return parse("c", textwrap.dedent(source), module)


def at(source: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, UTF-16 column) of the nth occurrence of needle in dedented source."""
    source = textwrap.dedent(source)
    index = -1
    for _ in range(nth + 1):
        index = source.index(needle, index + 1)
    line = source.count("\n", 0, index)
    prefix = source[source.rfind("\n", 0, index) + 1 : index]
    return line, len(prefix.encode("utf-16-le")) // 2


def name_at(result: ParseResult, qualified_name: str) -> tuple[int, int]:
    span = node(result, qualified_name).name_span
    return span.start_line, span.start_col


# --- Definitions --------------------------------------------------------------

DECLS = """\
    #include "util/list.h"
    #include <stdio.h>

    #define MAX 10 /* upper bound */
    #define SQUARE(x) ((x) * (x))
    #define LOG(fmt, ...) printf(fmt, __VA_ARGS__)

    /* A point in the plane. */
    struct Point {
        int x, y;              /* coordinates */
        struct Point *next;
        void (*on_move)(struct Point *p, int dx);
        char name[16][4];
    };

    typedef struct { int a; } Anon;
    typedef struct Node Node;
    typedef struct Tree { int size; } Tree_t;
    typedef int (*compare_fn)(const void *, const void *);
    typedef unsigned long size_type;

    union Value { int i; float f; };

    enum Color {
        RED,   /**< warm */
        GREEN = 2,
    };

    static const int limit = 5;
    const char *greeting = "hi";
    int counter, *cursor = 0, table[8];
    extern int shared;

    // Adds two numbers.
    // Declared here, defined below.
    int add(int a, int b);
    char *dup(const char *s);

    static int sum(const char *fmt, ...) { return 0; }

    int add(int a, int b) {
        return a + b;
    }

    int main(int argc, char **argv) {
        int local = 1;
        return local;
    }

    void callback(void (*fn)(int), int values[], unsigned int);
    void nothing(void);
"""


@pytest.fixture(scope="module")
def decls() -> ParseResult:
    return c(DECLS)


def test_every_kind_with_bare_qualified_names(decls):
    assert kinds(decls) == {
        "MAX": "macro",
        "SQUARE": "macro",
        "LOG": "macro",
        "Point": "struct",
        "Point::x": "field",
        "Point::y": "field",
        "Point::next": "field",
        "Point::on_move": "field",
        "Point::name": "field",
        "Anon": "struct",
        "Anon::a": "field",
        "Node": "type_alias",
        "Tree": "struct",
        "Tree::size": "field",
        "Tree_t": "type_alias",
        "compare_fn": "type_alias",
        "size_type": "type_alias",
        "Value": "union",
        "Value::i": "field",
        "Value::f": "field",
        "Color": "enum",
        "Color::RED": "enum_member",
        "Color::GREEN": "enum_member",
        "limit": "constant",
        "greeting": "variable",  # a pointer to const is not itself constant
        "counter": "variable",
        "cursor": "variable",
        "table": "variable",
        "shared": "variable",
        "add": "function",
        "dup": "function",
        "sum": "function",
        "main": "function",
        "callback": "function",
        "nothing": "function",
    }


def test_module_node_is_the_path(decls):
    assert (decls.nodes[0].name, decls.nodes[0].qualified_name) == ("x.c", "src/x.c")
    assert HOOKS.module_name("src/x.h", Workspace.of({"src/x.h"})) == "src/x.h"


def test_prototype_and_definition_are_both_recorded(decls):
    adds = [n for n in decls.nodes if n.name == "add"]
    assert [(n.signature, n.disambiguator) for n in adds] == [
        ("int add(int a, int b);", 0),
        ("int add(int a, int b)", 1),
    ]


def test_parents(decls):
    point = node(decls, "Point")
    assert node(decls, "Point::next").parent == point.ordinal
    assert node(decls, "Anon::a").parent == node(decls, "Anon").ordinal
    # A tagged type defined inside a typedef is not nested under the alias.
    assert node(decls, "Tree").parent == 0
    assert node(decls, "Color::GREEN").parent == node(decls, "Color").ordinal


def test_name_ranges(decls):
    assert name_at(decls, "Point") == at(DECLS, "Point {")
    assert name_at(decls, "Point::y") == at(DECLS, "y;")
    assert name_at(decls, "Anon") == at(DECLS, "Anon;")
    assert name_at(decls, "cursor") == at(DECLS, "cursor")
    assert name_at(decls, "main") == at(DECLS, "main")
    assert name_at(decls, "SQUARE") == at(DECLS, "SQUARE")


def test_signatures(decls):
    assert node(decls, "MAX").signature == "#define MAX 10"
    assert node(decls, "SQUARE").signature == "#define SQUARE(x) ((x) * (x))"
    assert node(decls, "Point").signature == "struct Point"
    assert node(decls, "Point::on_move").signature == ("void (*on_move)(struct Point *p, int dx)")
    assert node(decls, "Point::y").signature == "int y"
    assert node(decls, "Anon").signature == "typedef struct Anon"
    assert node(decls, "Tree_t").signature == "typedef struct Tree {…} Tree_t"
    assert node(decls, "compare_fn").signature == (
        "typedef int (*compare_fn)(const void *, const void *)"
    )
    assert node(decls, "limit").signature == "static const int limit = 5"
    assert node(decls, "cursor").signature == "int *cursor = 0"
    assert node(decls, "shared").signature == "extern int shared"
    assert node(decls, "Color::GREEN").signature == "GREEN = 2"
    assert node(decls, "main").signature == "int main(int argc, char **argv)"
    assert node(decls, "dup").signature == "char *dup(const char *s);"


def test_docs(decls):
    assert node(decls, "Point").doc == "A point in the plane."
    assert node(decls, "Point::x").doc == "coordinates"
    assert node(decls, "Color::RED").doc == "warm"
    assert node(decls, "MAX").doc == "upper bound"
    adds = [n for n in decls.nodes if n.name == "add"]
    assert adds[0].doc == "Adds two numbers.\nDeclared here, defined below."
    assert adds[1].doc is None
    assert node(decls, "main").doc is None


def test_params(decls):
    assert node(decls, "main").params == [Param("argc", "int"), Param("argv", "char **")]
    assert node(decls, "sum").params == [
        Param("fmt", "const char *"),
        Param("...", None, None, "..."),
    ]
    assert node(decls, "callback").params == [
        Param("fn", "void (*)(int)"),
        Param("values", "int []"),
        Param("", "unsigned int"),
    ]
    assert node(decls, "nothing").params == []
    assert node(decls, "LOG").params == [Param("fmt"), Param("...", None, None, "...")]


@pytest.mark.parametrize(
    ("name", "visibility"),
    [("sum", "private"), ("limit", "private"), ("main", "public"), ("counter", "public")],
)
def test_static_is_private(decls, name, visibility):
    assert node(decls, name).visibility == visibility


def test_locals_inside_functions_are_not_definitions(decls):
    assert "local" not in kinds(decls)
    main = node(decls, "main")
    assert decls.locals[main.ordinal] == ["argc", "argv", "local"]


def test_prototypes_inside_functions_are_not_definitions():
    result = c("int main(void) { int helper(int); return helper(1); }")
    assert kinds(result) == {"main": "function"}


def test_extern_c_and_include_guards_keep_declarations():
    result = c(
        """\
        #ifndef API_H
        #define API_H
        #ifdef __cplusplus
        extern "C" {
        #endif
        int api_open(const char *path);
        #ifdef __cplusplus
        }
        #endif
        #endif
        """,
        module="api.h",
    )
    assert kinds(result) == {"API_H": "macro", "api_open": "function"}


# --- References ---------------------------------------------------------------

BODY = """\
    struct Point origin;

    int move(struct Point *p, Node *n) {
        int steps = 0;
        p->x = SQUARE(3);
        n->next->y = add(p->y, MAX);
        origin.x += 1;
        steps++;
        p->ops->reset(p);
        struct Point q = { .x = 1, .y = 2 };
        count_t total = sizeof(struct Point);
        return steps;
    }
"""


@pytest.fixture(scope="module")
def body() -> ParseResult:
    return c(BODY)


def test_calls_and_macro_invocations(body):
    assert roles(body, "SQUARE") == [("call", "")]
    assert roles(body, "add") == [("call", "")]
    assert roles(body, "reset") == [("call", "p->ops")]
    assert roles(body, "MAX") == [("read", "")]


def test_field_access_with_receivers(body):
    # ``{ .x = 1 }`` writes the field of the declared struct.
    assert roles(body, "x") == [("write", "p"), ("write", "origin"), ("write", "Point")]
    assert roles(body, "y") == [("write", "n->next"), ("read", "p"), ("write", "Point")]
    assert roles(body, "next") == [("read", "n")]
    assert roles(body, "ops") == [("read", "p")]


def test_types(body):
    assert roles(body, "Point") == [("type", "")] * 4
    assert roles(body, "Node") == [("type", "")]
    assert roles(body, "count_t") == [("type", "")]


def test_writes_and_locals(body):
    assert roles(body, "steps") == [("write", ""), ("write", ""), ("read", "")]
    assert roles(body, "p")[0] == ("write", "")
    assert roles(body, "q") == [("write", "")]
    move = node(body, "move")
    assert body.locals[move.ordinal] == ["p", "n", "steps", "q", "total"]
    assert {o.enclosing for o in occurrences(body, "steps")} == {move.ordinal}


def test_utf16_columns_after_non_ascii():
    source = 'const char *s = "héllo😀"; int after = 1;\n'
    result = c(source)
    assert name_at(result, "after") == at(source, "after")
    assert (
        name_at(result, "after")[1]
        == len('const char *s = "héllo😀"; int '.encode("utf-16-le")) // 2
    )


def test_syntax_error_keeps_recovered_definitions():
    result = c(
        """\
        int good(void) { return 1; }
        int broken(void) { return 1 + ; }
        struct Later { int z; };
        """
    )
    assert node(result, "good").kind == "function"
    assert node(result, "Later::z").kind == "field"
    assert any(p.reason == "syntax_error" for p in result.problems)


# --- Includes and resolution --------------------------------------------------


def test_include_records(decls):
    assert decls.imports == [
        ImportRecord('#include "util/list.h"', "util/list.h", 0, relative=True, kind="include"),
        ImportRecord("#include <stdio.h>", "stdio.h", 1, kind="include"),
    ]


def test_macro_include_is_skipped():
    assert c("#include HEADER\n").imports == []


WORKSPACE = Workspace.of(
    {
        "src/main.c",
        "src/util.h",
        "src/net/socket.c",
        "src/net/socket.h",
        "include/lib/api.h",
        "third_party/include/lib/api.h",
        "include/config.h",
    }
)


def include(module: str, relative: bool = True) -> ImportRecord:
    return ImportRecord("", module, 0, relative=relative, kind="include")


@pytest.mark.parametrize(
    ("record", "importer", "target"),
    [
        (include("util.h"), "src/main.c", "src/util.h"),
        (include("../util.h"), "src/net/socket.c", "src/util.h"),
        (include("socket.h"), "src/net/socket.c", "src/net/socket.h"),
        (include("net/socket.h"), "src/main.c", "src/net/socket.h"),
        (include("lib/api.h"), "src/main.c", "include/lib/api.h"),
        (include("lib/api.h"), "third_party/src/x.c", "third_party/include/lib/api.h"),
        (include("config.h", relative=False), "src/main.c", "include/config.h"),
        (include("stdio.h", relative=False), "src/main.c", None),
        (include("missing.h"), "src/main.c", None),
    ],
)
def test_resolve_include(record, importer, target):
    assert HOOKS.resolve_import(record, importer, WORKSPACE) == target


@pytest.mark.parametrize("language", ["c", "cpp"])
def test_designated_initializers_write_the_stated_structs_fields(language: str) -> None:
    # ``.x`` of ``struct P p = { .x = 1 }`` is ``P``'s field, not the global
    # ``x``; a nested initializer's designator names nothing in scope.
    source = """\
int x;
void f(void) {
  struct P p = { .x = 1, .s = { .y = x } };
  T q = { .x = 2 };
  struct P all[] = { { .x = 3 } };
  h((struct P){ .x = 4 });
}
"""
    result = parse(language, source)
    assert roles(result, "x") == [
        ("write", "P"),
        ("read", ""),
        ("write", "T"),
        ("write", "P"),
        ("write", "P"),
    ]
    assert roles(result, "s") == [("write", "P")]
    assert occurrences(result, "y") == []
