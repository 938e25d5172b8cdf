"""C++ extraction: tags/refs queries and the C++ hooks, over inline sources.

Positions are never hand-counted: ``at(source, needle)`` finds the needle in
the source and returns its line and UTF-16 column.
"""

from __future__ import annotations

import textwrap

import pytest
from langtest import kinds, node, occurrences, parse, roles

from codeidx.parse.hooks import Workspace
from codeidx.parse.records import ImportedName, ImportRecord, Param, ParseResult, TypeParam
from codeidx.parse.resolvers.cpp import HOOKS


def cpp(source: str, module: str = "src/x.cpp") -> ParseResult:
    return parse("cpp", textwrap.dedent(source), module)


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
    #include "shape.hpp"
    #include <vector>

    namespace geo {
    namespace detail { int helper(int x); }

    /// A closed figure.
    class Shape : public Base, protected virtual Named<Shape> {
        int secret;
    public:
        Shape(int sides);
        explicit Shape(const Shape& other) = default;
        virtual ~Shape();
        virtual double area() const = 0;
        [[nodiscard]] int sides() const { return sides_; }
        Shape& operator=(const Shape& o);
        static int count;
    protected:
        template <typename T, int N = 3>
        T scaled(T&& factor, Args... rest) const noexcept;
    private:
        int sides_ = 0, *cache;
        struct Cache { int hits; };
    };

    struct Point { double x, y; };

    template <typename T> requires Printable<T>
    struct Box { T value; };

    enum class Mode : int { Fast, Safe };
    using Names = std::vector<std::string>;
    typedef Point Vec2;
    constexpr int kMax = 8;
    }

    geo::Shape::Shape(int sides) : sides_(sides) {}
    geo::Shape::~Shape() {}
    double geo::Shape::area() const { return 0.0; }

    template <std::integral I, typename U>
    requires Small<U> && Signed<I>
    U convert(I value, const std::string& label = "x") { return U(value); }

    namespace { int hidden_counter; }
    namespace a::b { void nested(); }
    static void internal_helper() {}
    union Bits { int i; float f; };
"""


@pytest.fixture(scope="module")
def decls() -> ParseResult:
    return cpp(DECLS)


def test_every_kind_with_qualified_names(decls):
    assert kinds(decls) == {
        "geo": "namespace",
        "geo::detail": "namespace",
        "geo::detail::helper": "function",
        "geo::Shape": "class",
        "geo::Shape::secret": "field",
        "geo::Shape::Shape": "constructor",
        "geo::Shape::~Shape": "constructor",
        "geo::Shape::area": "method",
        "geo::Shape::sides": "method",
        "geo::Shape::operator=": "method",
        "geo::Shape::count": "field",
        "geo::Shape::scaled": "method",
        "geo::Shape::sides_": "field",
        "geo::Shape::cache": "field",
        "geo::Shape::Cache": "struct",
        "geo::Shape::Cache::hits": "field",
        "geo::Point": "struct",
        "geo::Point::x": "field",
        "geo::Point::y": "field",
        "geo::Box": "struct",
        "geo::Box::value": "field",
        "geo::Mode": "enum",
        "geo::Mode::Fast": "enum_member",
        "geo::Mode::Safe": "enum_member",
        "geo::Names": "type_alias",
        "geo::Vec2": "type_alias",
        "geo::kMax": "constant",
        "convert": "function",
        "hidden_counter": "variable",
        "a::b": "namespace",
        "a::b::nested": "function",
        "internal_helper": "function",
        "Bits": "union",
        "Bits::i": "field",
        "Bits::f": "field",
    }


def test_out_of_line_definitions_share_the_declarations_names(decls):
    shapes = [n for n in decls.nodes if n.qualified_name == "geo::Shape::Shape"]
    assert [(n.parent, n.signature) for n in shapes] == [
        (node(decls, "geo::Shape").ordinal, "Shape(int sides);"),
        (node(decls, "geo::Shape").ordinal, "explicit Shape(const Shape& other) = default;"),
        (0, "geo::Shape::Shape(int sides)"),
    ]
    areas = [n for n in decls.nodes if n.qualified_name == "geo::Shape::area"]
    assert [n.kind for n in areas] == ["method", "method"]
    assert areas[1].parent == 0
    dtors = [n for n in decls.nodes if n.qualified_name == "geo::Shape::~Shape"]
    assert [n.kind for n in dtors] == ["constructor", "constructor"]


def test_parents(decls):
    shape = node(decls, "geo::Shape")
    assert node(decls, "geo::Shape::Cache::hits").parent == node(decls, "geo::Shape::Cache").ordinal
    assert node(decls, "geo::Shape::scaled").parent == shape.ordinal
    assert shape.parent == node(decls, "geo").ordinal
    assert node(decls, "a::b::nested").parent == node(decls, "a::b").ordinal


def test_name_ranges(decls):
    assert name_at(decls, "geo::Shape") == at(DECLS, "Shape :")
    assert name_at(decls, "geo::Shape::operator=") == at(DECLS, "operator=")
    assert name_at(decls, "geo::Shape::cache") == at(DECLS, "cache")
    assert name_at(decls, "convert") == at(DECLS, "convert")
    assert name_at(decls, "a::b") == at(DECLS, "a::b")


def test_signatures(decls):
    assert node(decls, "geo::Shape").signature == (
        "class Shape : public Base, protected virtual Named<Shape>"
    )
    assert node(decls, "geo::Shape::sides").signature == "int sides() const"
    assert node(decls, "geo::Shape::scaled").signature == (
        "template <typename T, int N = 3> T scaled(T&& factor, Args... rest) const noexcept;"
    )
    assert node(decls, "geo::Box").signature == (
        "template <typename T> requires Printable<T> struct Box"
    )
    assert node(decls, "geo::Mode").signature == "enum class Mode : int"
    assert node(decls, "geo::Names").signature == "using Names = std::vector<std::string>"
    assert node(decls, "geo::kMax").signature == "constexpr int kMax = 8"
    assert node(decls, "geo").signature == "namespace geo"
    assert node(decls, "convert").signature == (
        "template <std::integral I, typename U> requires Small<U> && Signed<I>"
        ' U convert(I value, const std::string& label = "x")'
    )


def test_virtual_and_pure_markers_stay_in_signatures(decls):
    areas = [n for n in decls.nodes if n.qualified_name == "geo::Shape::area"]
    assert areas[0].signature == "virtual double area() const = 0;"
    assert areas[1].signature == "double geo::Shape::area() const"


def test_docs(decls):
    assert node(decls, "geo::Shape").doc == "A closed figure."
    assert node(decls, "geo::Point").doc is None


def test_attributes_are_decorators(decls):
    assert node(decls, "geo::Shape::sides").decorators == ["nodiscard"]
    assert node(decls, "geo::Shape::count").decorators == []


def test_params(decls):
    assert node(decls, "geo::Shape::scaled").params == [
        Param("factor", "T&&"),
        Param("rest", "Args", None, "..."),
    ]
    assert node(decls, "geo::Shape::operator=").params == [Param("o", "const Shape&")]
    assert node(decls, "convert").params == [
        Param("value", "I"),
        Param("label", "const std::string&", '"x"'),
    ]


def test_type_params_with_constraints(decls):
    assert node(decls, "geo::Shape::scaled").type_params == [
        TypeParam("T"),
        TypeParam("N", "int"),
    ]
    assert node(decls, "geo::Box").type_params == [TypeParam("T", "Printable<T>")]
    assert node(decls, "convert").type_params == [
        TypeParam("I", "std::integral && Signed<I>"),
        TypeParam("U", "Small<U>"),
    ]


@pytest.mark.parametrize(
    ("name", "visibility"),
    [
        ("geo::Shape::secret", "private"),  # a class starts private
        ("geo::Shape::sides", "public"),
        ("geo::Shape::count", "public"),
        ("geo::Shape::scaled", "protected"),
        ("geo::Shape::sides_", "private"),
        ("geo::Shape::Cache", "private"),
        ("geo::Point::x", "public"),  # a struct starts public
        ("geo::Shape", "public"),
        ("hidden_counter", "private"),  # anonymous namespace
        ("internal_helper", "private"),  # static
        ("convert", "public"),
    ],
)
def test_visibility(decls, name, visibility):
    assert node(decls, name).visibility == visibility


def test_bases(decls):
    assert node(decls, "geo::Shape").bases == [("inherit", "Base"), ("inherit", "Named<Shape>")]
    assert node(decls, "geo::Point").bases == []


def test_specializations_operators_and_friends():
    result = cpp(
        """\
        template <> struct hash<Key> { int operator()(const Key& k) const; };
        template <> void swap<Key>(Key& a, Key& b) {}
        struct S {
            friend void peek(S&);
            S& operator+=(int n);
            int *find(int key);
        };
        bool operator==(const S& a, const S& b) { return true; }
        """
    )
    assert kinds(result) == {
        "hash": "struct",
        "hash::operator()": "method",
        "swap": "function",
        "S": "struct",
        "S::operator+=": "method",
        "S::find": "method",
        "operator==": "function",
    }


# --- References ---------------------------------------------------------------

BODY = """\
    #include "shape.hpp"
    using namespace std;
    using geo::Shape;
    namespace fs = std::filesystem;

    class Square : public geo::Shape, public Printable {
    public:
        double area() const override;
    };

    double Square::area() const {
        auto *s = new Square(2);
        auto p = std::make_unique<geo::Point>();
        geo::detail::helper(1);
        s->resize(3);
        obj.draw();
        this->side = 4;
        counter++;
        for (auto& item : items) { item.touch(); }
        auto [lo, hi] = bounds();
        vector<int> values{1, 2};
        return std::sqrt(side);
    }
"""


@pytest.fixture(scope="module")
def body() -> ParseResult:
    return cpp(BODY)


def test_calls_with_receivers(body):
    assert roles(body, "resize") == [("call", "s")]
    assert roles(body, "draw") == [("call", "obj")]
    assert roles(body, "make_unique") == [("call", "std")]
    assert roles(body, "helper") == [("call", "detail")]
    assert roles(body, "sqrt") == [("call", "std")]
    assert roles(body, "touch") == [("call", "item")]
    assert roles(body, "bounds") == [("call", "")]


def test_instantiate_types_and_inheritance(body):
    assert roles(body, "Square")[-1] == ("instantiate", "")
    assert roles(body, "Shape") == [("import", "geo"), ("inherit", "geo")]
    assert roles(body, "Printable") == [("inherit", "")]
    assert roles(body, "Point") == [("type", "geo")]
    assert roles(body, "vector") == [("type", "")]


def test_using_namespace_is_an_import(body):
    assert roles(body, "std")[0] == ("import", "")


def test_writes_and_locals(body):
    assert roles(body, "side") == [("write", "this"), ("read", "")]
    assert roles(body, "counter") == [("write", "")]
    area = [n for n in body.nodes if n.qualified_name == "Square::area"][-1]
    assert body.locals[area.ordinal] == ["s", "p", "counter", "item", "lo", "hi", "values"]
    assert {o.enclosing for o in occurrences(body, "resize")} == {area.ordinal}


def test_utf16_columns_after_non_ascii():
    source = 'auto s = u8"héllo😀"; int after = 1;\n'
    result = cpp(source)
    assert name_at(result, "after") == at(source, "after")
    assert name_at(result, "after")[1] == len('auto s = u8"héllo😀"; int '.encode("utf-16-le")) // 2


def test_syntax_error_keeps_recovered_definitions():
    result = cpp(
        """\
        class Good { public: void ok(); };
        void broken() { int x = ; }
        struct Later { int z; };
        """
    )
    assert node(result, "Good::ok").kind == "method"
    assert node(result, "Later::z").kind == "field"
    assert any(p.reason == "syntax_error" for p in result.problems)


# --- Imports and resolution ---------------------------------------------------


def test_import_records(body):
    assert body.imports == [
        ImportRecord('#include "shape.hpp"', "shape.hpp", 0, relative=True, kind="include"),
        ImportRecord("using namespace std;", "std", 1, [ImportedName("*")], kind="use"),
        ImportRecord("using geo::Shape;", "geo", 2, [ImportedName("Shape")], kind="use"),
        ImportRecord(
            "namespace fs = std::filesystem;", "std::filesystem", 3, bind="fs", kind="use"
        ),
    ]


WORKSPACE = Workspace.of(
    {"src/app/main.cpp", "src/app/shape.hpp", "include/geo/point.h", "lib/util.hpp"}
)


@pytest.mark.parametrize(
    ("record", "target"),
    [
        (ImportRecord("", "shape.hpp", 0, relative=True, kind="include"), "src/app/shape.hpp"),
        (ImportRecord("", "geo/point.h", 0, relative=True, kind="include"), "include/geo/point.h"),
        (ImportRecord("", "util.hpp", 0, kind="include"), "lib/util.hpp"),
        (ImportRecord("", "vector", 0, kind="include"), None),
        (ImportRecord("", "std", 0, [ImportedName("*")], kind="use"), None),
    ],
)
def test_resolve_import(record, target):
    assert HOOKS.resolve_import(record, "src/app/main.cpp", WORKSPACE) == target
