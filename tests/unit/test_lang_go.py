"""Go extraction: tags/refs queries and the hooks in ``parse/resolvers/go.py``."""

from __future__ import annotations

import pytest
from langtest import kinds, node, occurrences, parse, roles

from codeidx.parse.hooks import Workspace
from codeidx.parse.records import ImportRecord, Param, TypeParam
from codeidx.parse.resolvers.go import HOOKS, package_guess

DECLS = """\
// Package shapes draws things.
package shapes

// Server serves shapes.
// It has two lines.
type Server struct {
	Base
	*pkg.Logger
	// Name is shown to users.
	Name, Addr string `json:"name"`
	port       int
}

type Reader interface {
	io.Closer
	// Read fills p.
	Read(p []byte) (n int, err error)
}

type Number interface {
	~int | ~float64
}

type ID int

type Alias = string

type List[T any, K comparable] struct{ items []T }

type (
	// Grouped has its own doc.
	Grouped int
	Other   struct{}
)

// Pi is a constant.
const Pi = 3.14

const (
	X, Y = 1, 2
	Z int = iota
)

var Global = 1

var (
	shared, other = 1, "a"
	counter int
)

// Run runs the server.
//go:noinline
func (s *Server) Run(ctx context.Context, a, b int, rest ...string) (int, error) {
	return 0, nil
}

func (l List[T, K]) Len() int { return len(l.items) }

func (Server) naked() {}

func Map[T any, U ~int | ~string](xs []T, f func(T) U) []U { return nil }

func unnamed(int, string) {}
"""


@pytest.fixture(scope="module")
def decls():
    return parse("go", DECLS, "example.com/m/shapes")


def test_every_kind_with_qualified_names(decls):
    assert kinds(decls) == {
        "example.com/m/shapes.Server": "struct",
        "example.com/m/shapes.Server.Name": "field",
        "example.com/m/shapes.Server.Addr": "field",
        "example.com/m/shapes.Server.port": "field",
        "example.com/m/shapes.Reader": "interface",
        "example.com/m/shapes.Reader.Read": "method",
        "example.com/m/shapes.Number": "interface",
        "example.com/m/shapes.ID": "type_alias",
        "example.com/m/shapes.Alias": "type_alias",
        "example.com/m/shapes.List": "struct",
        "example.com/m/shapes.List.items": "field",
        "example.com/m/shapes.Grouped": "type_alias",
        "example.com/m/shapes.Other": "struct",
        "example.com/m/shapes.Pi": "constant",
        "example.com/m/shapes.X": "constant",
        "example.com/m/shapes.Y": "constant",
        "example.com/m/shapes.Z": "constant",
        "example.com/m/shapes.Global": "variable",
        "example.com/m/shapes.shared": "variable",
        "example.com/m/shapes.other": "variable",
        "example.com/m/shapes.counter": "variable",
        "example.com/m/shapes.Server.Run": "method",
        "example.com/m/shapes.List.Len": "method",
        "example.com/m/shapes.Server.naked": "method",
        "example.com/m/shapes.Map": "function",
        "example.com/m/shapes.unnamed": "function",
    }
    assert decls.nodes[0].name == "shapes"


def test_parents(decls):
    module = decls.nodes[0].ordinal
    server = node(decls, "example.com/m/shapes.Server").ordinal
    assert node(decls, "example.com/m/shapes.Server.Name").parent == server
    assert node(decls, "example.com/m/shapes.Server.Addr").parent == server
    reader = node(decls, "example.com/m/shapes.Reader").ordinal
    assert node(decls, "example.com/m/shapes.Reader.Read").parent == reader
    # Methods are declared at top level; the receiver only qualifies their name.
    assert node(decls, "example.com/m/shapes.Server.Run").parent == module
    assert node(decls, "example.com/m/shapes.Y").parent == module


def test_name_ranges(decls):
    run = node(decls, "example.com/m/shapes.Server.Run")
    assert (run.name_span.start_line, run.name_span.start_col) == (52, 17)
    assert (run.name_span.end_line, run.name_span.end_col) == (52, 20)
    addr = node(decls, "example.com/m/shapes.Server.Addr")
    assert (addr.name_span.start_line, addr.name_span.start_col) == (9, 7)
    # A later name of a grouped spec spans only itself, the first the whole spec.
    assert (addr.span.start_col, addr.span.end_col) == (7, 11)
    name = node(decls, "example.com/m/shapes.Server.Name")
    assert (name.span.start_col, name.span.end_line) == (1, 9)


def test_docs(decls):
    assert decls.nodes[0].doc == "Package shapes draws things."
    assert (
        node(decls, "example.com/m/shapes.Server").doc == "Server serves shapes.\nIt has two lines."
    )
    assert node(decls, "example.com/m/shapes.Server.Name").doc == "Name is shown to users."
    assert node(decls, "example.com/m/shapes.Reader.Read").doc == "Read fills p."
    assert node(decls, "example.com/m/shapes.Grouped").doc == "Grouped has its own doc."
    assert node(decls, "example.com/m/shapes.Pi").doc == "Pi is a constant."
    # Tool directives are not documentation.
    assert node(decls, "example.com/m/shapes.Server.Run").doc == "Run runs the server."
    assert node(decls, "example.com/m/shapes.ID").doc is None


def test_signatures(decls):
    def sig(name: str) -> str:
        return node(decls, f"example.com/m/shapes.{name}").signature

    assert sig("Server") == "type Server struct"
    assert sig("Reader") == "type Reader interface"
    assert sig("List") == "type List[T any, K comparable] struct"
    assert sig("ID") == "type ID int"
    assert sig("Alias") == "type Alias = string"
    assert sig("Reader.Read") == "Read(p []byte) (n int, err error)"
    assert sig("Server.Run") == (
        "func (s *Server) Run(ctx context.Context, a, b int, rest ...string) (int, error)"
    )
    assert sig("Server.Addr") == 'Name, Addr string `json:"name"`'
    assert sig("Y") == "const X, Y = 1, 2"
    assert sig("counter") == "var counter int"


def test_params_grouped_variadic_and_unnamed(decls):
    assert node(decls, "example.com/m/shapes.Server.Run").params == [
        Param("ctx", "context.Context"),
        Param("a", "int"),
        Param("b", "int"),
        Param("rest", "string", None, "..."),
    ]
    assert node(decls, "example.com/m/shapes.Map").params == [
        Param("xs", "[]T"),
        Param("f", "func(T) U"),
    ]
    assert node(decls, "example.com/m/shapes.unnamed").params == [
        Param("_", "int"),
        Param("_", "string"),
    ]
    assert node(decls, "example.com/m/shapes.Reader.Read").params == [Param("p", "[]byte")]


def test_type_params_with_constraints(decls):
    assert node(decls, "example.com/m/shapes.Map").type_params == [
        TypeParam("T", "any"),
        TypeParam("U", "~int | ~string"),
    ]
    assert node(decls, "example.com/m/shapes.List").type_params == [
        TypeParam("T", "any"),
        TypeParam("K", "comparable"),
    ]


@pytest.mark.parametrize(
    ("name", "visibility"),
    [
        ("Server", "public"),
        ("Server.port", "private"),
        ("Server.naked", "private"),
        ("Server.Run", "public"),
        ("shared", "private"),
        ("Pi", "public"),
    ],
)
def test_visibility(decls, name, visibility):
    assert node(decls, f"example.com/m/shapes.{name}").visibility == visibility


def test_embedding_gives_bases(decls):
    assert node(decls, "example.com/m/shapes.Server").bases == [
        ("inherit", "Base"),
        ("inherit", "pkg.Logger"),
    ]
    assert node(decls, "example.com/m/shapes.Reader").bases == [("inherit", "io.Closer")]
    assert node(decls, "example.com/m/shapes.Number").bases == []


def test_generic_and_pointer_receivers_qualify_methods():
    result = parse(
        "go", "package p\nfunc (s *Tree[K, V]) Put() {}\nfunc (t *(Node)) Get() {}\n", "p"
    )
    assert list(kinds(result)) == ["p.Tree.Put", "p.Node.Get"]


BODY = """\
package main

import (
	f "fmt"
	"example.com/m/sub"
)

type Embeds struct {
	Base
	*pkg.Other
}

func run(input string) {
	x := 1
	x, y := f.Sprintf("%d", input), 2
	var z int = 3
	s.port = 4
	y = x
	sub.Do()
	s.helper()
	t := Server{Name: "n"}
	p := &pkg.Other{}
	g := List[int]{items: nil}
	for i, v := range items {
	}
	n := Map[int, string](z)
	count++
	fn := func(q int) {}
	switch w := t.(type) {
	}
	var ctx context.Context
}
"""


@pytest.fixture(scope="module")
def body():
    return parse("go", BODY, "example.com/m/cmd")


def test_calls_with_receivers(body):
    assert roles(body, "Sprintf") == [("call", "f")]
    assert roles(body, "Do") == [("call", "sub")]
    assert roles(body, "helper") == [("call", "s")]
    assert roles(body, "Map") == [("call", "")]


def test_instantiations_types_and_inheritance(body):
    assert roles(body, "Server") == [("instantiate", "")]
    assert roles(body, "Other") == [("inherit", "pkg"), ("instantiate", "pkg")]
    assert roles(body, "List") == [("instantiate", "")]
    assert roles(body, "Base") == [("inherit", "")]
    assert roles(body, "Context") == [("type", "context")]
    assert roles(body, "int")[:2] == [("type", ""), ("type", "")]


def test_writes_reads_and_fields(body):
    assert roles(body, "input") == [("write", ""), ("read", "")]
    assert roles(body, "x") == [("write", ""), ("write", ""), ("read", "")]
    assert roles(body, "y") == [("write", ""), ("write", "")]
    assert roles(body, "port") == [("write", "s")]
    assert roles(body, "Name") == [("write", "Server")]
    assert roles(body, "items") == [("write", "List"), ("read", "")]
    assert roles(body, "count") == [("write", "")]
    assert roles(body, "w") == [("write", "")]
    run = node(body, "example.com/m/cmd.run")
    assert body.locals[run.ordinal] == [
        "input",
        "x",
        "y",
        "z",
        "t",
        "p",
        "g",
        "i",
        "v",
        "n",
        "count",
        "fn",
        "q",
        "w",
        "ctx",
    ]


def test_keys_of_elided_literals_write_the_element_types_fields() -> None:
    # ``[]T{{Name: x}}`` leaves ``T`` out of the inner literal: its keys are
    # still ``T``'s fields.  An anonymous struct's keys stay plain (its
    # fields are the function's); a map's keys are values.
    source = """package p

func f(name string) {
	a := []T{{Name: name}}
	b := map[string]*pkg.T{"k": {Name: name}}
	c := [...]T{0: {Name: name}}
	d := []struct{ name string }{{name: "a"}}
	e := map[string]int{name: 1}
}
"""
    result = parse("go", source)
    assert roles(result, "Name") == [("write", "T"), ("write", "pkg.T"), ("write", "T")]
    assert [o.line for o in occurrences(result, "name") if o.role == "read"] == [3, 4, 5, 6, 7]


def test_import_alias_is_an_import_occurrence(body):
    assert roles(body, "f") == [("import", ""), ("read", "")]
    [alias] = occurrences(body, "f")[:1]
    assert (alias.line, alias.col) == (3, 1)


def test_import_records():
    source = (
        'package p\nimport "fmt"\nimport (\n\tf "fmt"\n\t. "strings"\n\t_ "embed"\n'
        '\t"example.com/m/sub"\n\t"gopkg.in/yaml.v3"\n\t"github.com/x/y/v2"\n\t"./local"\n)\n'
    )
    got = [
        (i.text, i.module, i.line, [n.name for n in i.names], i.bind, i.relative, i.kind)
        for i in parse("go", source).imports
    ]
    assert got == [
        ('import "fmt"', "fmt", 1, [], "fmt", False, "import"),
        ('import f "fmt"', "fmt", 3, [], "f", False, "import"),
        ('import . "strings"', "strings", 4, ["*"], None, False, "import"),
        ('import _ "embed"', "embed", 5, [], None, False, "import"),
        ('import "example.com/m/sub"', "example.com/m/sub", 6, [], "sub", False, "import"),
        ('import "gopkg.in/yaml.v3"', "gopkg.in/yaml.v3", 7, [], "yaml", False, "import"),
        ('import "github.com/x/y/v2"', "github.com/x/y/v2", 8, [], "y", False, "import"),
        ('import "./local"', "./local", 9, [], "local", True, "import"),
    ]


def test_package_guess():
    assert package_guess("net/http") == "http"
    assert package_guess("github.com/x/y/v3") == "y"
    assert package_guess("gopkg.in/check.v1") == "check"


def test_utf16_columns_after_non_ascii():
    result = parse("go", 'package p\nfunc f() { s := "héllo😀"; target() }\n')
    [occ] = occurrences(result, "target")
    prefix = 'func f() { s := "héllo😀"; '
    assert occ.line == 1
    assert occ.col == len(prefix.encode("utf-16-le")) // 2 == 27
    assert len(prefix.encode("utf-8")) == 30  # The byte column differs.


def test_syntax_error_keeps_recovered_definitions():
    source = "package p\nfunc Good() {}\nvar = 3 +\ntype After struct{ X int }\n"
    result = parse("go", source, "p")
    assert kinds(result) == {"p.Good": "function", "p.After": "struct", "p.After.X": "field"}
    assert [(p.reason, p.line) for p in result.problems] == [("syntax_error", 2)]


WORKSPACE = Workspace.of(
    {
        "go.mod",
        "main.go",
        "server/b.go",
        "server/a.go",
        "server/a_test.go",
        "server/only_test/x_test.go",
        "internal/util/util.go",
        "vendor/github.com/y/z/z.go",
        "tools/go.mod",
        "tools/gen/gen.go",
        "legacy/pkg/p.go",
    },
    configs={
        "go.mod": "module example.com/m\n\ngo 1.22\n",
        "tools/go.mod": 'module "example.com/m/tools" // separate module\n',
    },
)


@pytest.mark.parametrize(
    ("path", "module"),
    [
        ("main.go", "example.com/m"),
        ("server/a.go", "example.com/m/server"),
        ("server/a_test.go", "example.com/m/server"),
        ("internal/util/util.go", "example.com/m/internal/util"),
        ("tools/gen/gen.go", "example.com/m/tools/gen"),
        ("vendor/github.com/y/z/z.go", "github.com/y/z"),
    ],
)
def test_module_names(path, module):
    assert HOOKS.config_files == ("go.mod",)
    assert HOOKS.module_name(path, WORKSPACE) == module


def test_module_name_without_go_mod_is_the_folder_or_package():
    workspace = Workspace.of({"a/b/c.go", "main.go"})
    assert HOOKS.module_name("a/b/c.go", workspace) == "a/b"
    assert HOOKS.module_name("main.go", workspace) == ""
    result = parse("go", "package tool\nfunc Run() {}\n", "")
    assert list(kinds(result)) == ["tool.Run"]


@pytest.mark.parametrize(
    ("module", "path", "target"),
    [
        ("example.com/m/server", "main.go", "server/a.go"),
        ("example.com/m", "server/a.go", "main.go"),
        ("example.com/m/internal/util", "server/b.go", "internal/util/util.go"),
        ("example.com/m/tools/gen", "main.go", "tools/gen/gen.go"),
        ("example.com/m/server/only_test", "main.go", None),
        ("example.com/m/missing", "main.go", None),
        ("github.com/y/z", "server/a.go", "vendor/github.com/y/z/z.go"),
        ("fmt", "main.go", None),
        ("legacy/pkg", "main.go", None),
        ("./util", "internal/x.go", "internal/util/util.go"),
    ],
)
def test_resolve_import(module, path, target):
    imp = ImportRecord("", module, 0, relative=module.startswith("."))
    assert HOOKS.resolve_import(imp, path, WORKSPACE) == target


def test_resolve_import_without_go_mod_uses_folder_paths():
    workspace = Workspace.of({"a/b/c.go", "a/b/a.go", "main.go"})
    imp = ImportRecord("", "a/b", 0)
    assert HOOKS.resolve_import(imp, "main.go", workspace) == "a/b/a.go"


@pytest.mark.parametrize(
    ("annotation", "names"),
    [
        ("*Command", ["Command"]),
        ("cobra.Command", ["cobra.Command"]),
        ("*cobra.Command", ["cobra.Command"]),
        ("(*T)", ["T"]),
        ("*List[K, V]", ["List"]),
        ("[]Command", []),
        ("map[string]T", []),
        ("chan T", []),
        ("func() T", []),
        ("interface{ Run() }", []),
    ],
)
def test_annotation_names_are_the_named_type(annotation, names):
    assert HOOKS.annotation_names(annotation) == names


@pytest.mark.parametrize(
    ("signature", "result"),
    [
        ("func (c *Command) Root() *Command", "*Command"),
        ("func New() *Command {", "*Command"),
        ("func F() (c *Command)", "*Command"),
        ("func F[T any](x T) List[T]", "List[T]"),
        ("func F(f func() int) (T)", "T"),
        ("func (c *Command) F(a, b int) (*Command, error)", None),
        ("func (c Command) G()", None),
    ],
)
def test_return_annotation_is_the_single_result(signature, result):
    assert HOOKS.return_annotation(signature) == result


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("x int", ("int", None)),
        ('Name, Addr string `json:"name"`', ("string", None)),
        ("var once sync.Once", ("sync.Once", None)),
        ("var x Foo = NewFoo(a, b)", ("Foo", "NewFoo(a, b)")),
        ("var srv = &http.Server{Addr: a}", (None, "http.Server()")),
        ("var l = List[int]{}", (None, "List()")),
        ("var m = map[string]int{}", (None, "map[string]int{}")),
        ("const X, Y = 1, 2", (None, None)),
        ("*Base", (None, None)),
        ("pkg.Embedded", (None, None)),
    ],
)
def test_assigned_reads_a_fields_or_variables_type_and_value(statement, expected):
    assert HOOKS.assigned(statement) == expected


@pytest.mark.parametrize(
    ("annotation", "element"),
    [
        ("[]*Item", "*Item"),
        ("[4]Item", "Item"),
        ("[][]Item", "[]Item"),
        ("map[string][]*Item", "[]*Item"),
        ("map[Key[int]]Item", "Item"),
        ("*Item", None),
        ("chan Item", None),
        ("Items", None),
    ],
)
def test_wrapped_is_what_ranging_gives_second(annotation, element):
    assert HOOKS.wrapped(annotation) == element
