"""Java extraction: tags/refs queries and the Java hooks, over inline sources.

Positions are never hand-counted: ``at(source, needle)`` finds the needle in
the source and returns its line and UTF-16 column.
"""

from __future__ import annotations

import textwrap

import pytest
from langtest import kinds, node, occurrences, parse, roles

from codeidx.parse.hooks import Workspace
from codeidx.parse.records import ImportedName, ImportRecord, Param, ParseResult, TypeParam
from codeidx.parse.resolvers.java import HOOKS


def java(source: str, module: str = "default.pkg") -> ParseResult:
    return parse("java", textwrap.dedent(source), module)


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
    package com.example.util;

    import java.util.List;

    /**
     * A shape.
     * With two lines.
     */
    @Deprecated
    @SuppressWarnings("unchecked")
    public abstract class Outer<T extends Comparable<T>, U> extends Base<T>
            implements Runnable, java.io.Serializable {
        private int a = 1, b;
        static final String NAME = "x";
        protected List<String> names;

        /** Makes one. */
        public Outer(int a) { this.a = a; }

        @Override
        protected <R extends Number & Comparable<R>> List<R> map(
                final String prefix, int[] xs, String... rest) throws Exception {
            return null;
        }

        // Line comment doc.
        abstract void run();

        private static class Inner {
            void deep() {}
        }
    }

    interface Shape extends Sized, Named {
        int SIDES = 4;
        double area();
        default String label() { return "shape"; }
    }

    enum Color implements Paint {
        /** Warm. */
        RED,
        GREEN(2) {
            @Override int tone() { return 2; }
        };

        Color() {}
        Color(int tone) {}
        int tone() { return 0; }
    }

    public record Point(int x, int y) implements Comparable<Point> {
        public Point {
            assert x >= 0;
        }
    }

    @interface Marker {
        String value() default "";
    }
"""


@pytest.fixture(scope="module")
def decls() -> ParseResult:
    return java(DECLS)


def test_module_is_the_package(decls):
    module = decls.nodes[0]
    assert (module.kind, module.name, module.qualified_name) == (
        "module",
        "util",
        "com.example.util",
    )


def test_every_kind_with_qualified_names(decls):
    p = "com.example.util."
    assert kinds(decls) == {
        p + "Outer": "class",
        p + "Outer.a": "field",
        p + "Outer.b": "field",
        p + "Outer.NAME": "constant",
        p + "Outer.names": "field",
        p + "Outer.Outer": "constructor",
        p + "Outer.map": "method",
        p + "Outer.run": "method",
        p + "Outer.Inner": "class",
        p + "Outer.Inner.deep": "method",
        p + "Shape": "interface",
        p + "Shape.SIDES": "constant",
        p + "Shape.area": "method",
        p + "Shape.label": "method",
        p + "Color": "enum",
        p + "Color.RED": "enum_member",
        p + "Color.GREEN": "enum_member",
        p + "Color.GREEN.tone": "method",
        p + "Color.Color": "constructor",
        p + "Color.tone": "method",
        p + "Point": "class",
        p + "Point.x": "field",
        p + "Point.y": "field",
        p + "Point.Point": "constructor",
        p + "Marker": "interface",
        p + "Marker.value": "method",
    }


def test_parents_and_overload_disambiguators(decls):
    by_ordinal = {n.ordinal: n.qualified_name for n in decls.nodes}
    p = "com.example.util."
    assert by_ordinal[node(decls, p + "Outer.Inner.deep").parent] == p + "Outer.Inner"
    assert by_ordinal[node(decls, p + "Outer.Inner").parent] == p + "Outer"
    assert by_ordinal[node(decls, p + "Color.GREEN.tone").parent] == p + "Color.GREEN"
    assert node(decls, p + "Outer").parent == 0
    overloads = [n for n in decls.nodes if n.qualified_name == p + "Color.Color"]
    assert [(n.disambiguator, len(n.params)) for n in overloads] == [(0, 0), (1, 1)]


def test_name_ranges(decls):
    p = "com.example.util."
    assert name_at(decls, p + "Outer") == at(DECLS, "Outer<")
    assert name_at(decls, p + "Outer.b") == at(DECLS, "b;")
    assert name_at(decls, p + "Outer.map") == at(DECLS, "map(")
    assert name_at(decls, p + "Color.RED") == at(DECLS, "RED")
    assert name_at(decls, p + "Point.y") == at(DECLS, "y)")


def test_signatures(decls):
    p = "com.example.util."
    assert node(decls, p + "Outer").signature == (
        "public abstract class Outer<T extends Comparable<T>, U> extends Base<T>"
        " implements Runnable, java.io.Serializable"
    )
    assert node(decls, p + "Outer.a").signature == "private int a = 1"
    assert node(decls, p + "Outer.b").signature == "private int b"
    assert node(decls, p + "Outer.map").signature == (
        "protected <R extends Number & Comparable<R>> List<R> map("
        "final String prefix, int[] xs, String... rest) throws Exception"
    )
    assert node(decls, p + "Shape.area").signature == "double area()"
    assert node(decls, p + "Color.GREEN").signature == "GREEN(2)"
    assert node(decls, p + "Point").signature == (
        "public record Point(int x, int y) implements Comparable<Point>"
    )
    assert node(decls, p + "Marker.value").signature == 'String value() default ""'


def test_docs(decls):
    p = "com.example.util."
    assert node(decls, p + "Outer").doc == "A shape.\nWith two lines."
    assert node(decls, p + "Outer.Outer").doc == "Makes one."
    assert node(decls, p + "Outer.run").doc == "Line comment doc."
    assert node(decls, p + "Color.RED").doc == "Warm."
    assert node(decls, p + "Outer.a").doc is None


def test_javadoc_between_annotations_and_declaration():
    result = java(
        """\
        class A {
            @Override
            /** Between. */
            public String toString() { return ""; }
            int x; /** Not mine. */
            int y;
        }
        """
    )
    assert node(result, "default.pkg.A.toString").doc == "Between."
    assert node(result, "default.pkg.A.y").doc is None


def test_annotations_are_decorators(decls):
    p = "com.example.util."
    assert node(decls, p + "Outer").decorators == ["Deprecated", 'SuppressWarnings("unchecked")']
    assert node(decls, p + "Outer.map").decorators == ["Override"]
    assert node(decls, p + "Outer.run").decorators == []


def test_params(decls):
    p = "com.example.util."
    assert node(decls, p + "Outer.map").params == [
        Param("prefix", "String"),
        Param("xs", "int[]"),
        Param("rest", "String", None, "..."),
    ]
    assert node(decls, p + "Point").params == [Param("x", "int"), Param("y", "int")]
    assert node(decls, p + "Point.Point").params == [Param("x", "int"), Param("y", "int")]
    assert node(decls, p + "Shape.area").params == []


def test_c_style_array_parameter():
    result = java("class A { void f(int x[], java.util.Map<String, Integer> m) {} }")
    assert node(result, "default.pkg.A.f").params == [
        Param("x", "int[]"),
        Param("m", "java.util.Map<String, Integer>"),
    ]


def test_type_params_with_bounds(decls):
    p = "com.example.util."
    assert node(decls, p + "Outer").type_params == [
        TypeParam("T", "Comparable<T>"),
        TypeParam("U", None),
    ]
    assert node(decls, p + "Outer.map").type_params == [TypeParam("R", "Number & Comparable<R>")]


@pytest.mark.parametrize(
    ("name", "visibility"),
    [
        ("Outer", "public"),
        ("Outer.a", "private"),
        ("Outer.NAME", "internal"),
        ("Outer.names", "protected"),
        ("Outer.run", "internal"),
        ("Outer.Inner", "private"),
        ("Shape", "internal"),
        ("Shape.area", "public"),  # interface members are implicitly public
        ("Shape.SIDES", "public"),
        ("Color.RED", "public"),
        ("Color.tone", "internal"),
        ("Point.x", "private"),  # a record component's field
        ("Point.Point", "public"),
        ("Marker.value", "public"),
    ],
)
def test_visibility(decls, name, visibility):
    assert node(decls, "com.example.util." + name).visibility == visibility


def test_enum_constructors_are_private(decls):
    ctors = [n for n in decls.nodes if n.kind == "constructor" and n.name == "Color"]
    assert {n.visibility for n in ctors} == {"private"}


def test_bases(decls):
    p = "com.example.util."
    assert node(decls, p + "Outer").bases == [
        ("inherit", "Base<T>"),
        ("implement", "Runnable"),
        ("implement", "java.io.Serializable"),
    ]
    assert node(decls, p + "Shape").bases == [("inherit", "Sized"), ("inherit", "Named")]
    assert node(decls, p + "Color").bases == [("implement", "Paint")]
    assert node(decls, p + "Point").bases == [("implement", "Comparable<Point>")]


def test_default_package_uses_the_given_module():
    result = java("class Lone { void f() {} }", module="app.tools")
    assert node(result, "app.tools.Lone.f").kind == "method"
    assert result.nodes[0].qualified_name == "app.tools"


# --- References ---------------------------------------------------------------

BODY = """\
    package p;

    import java.util.List;

    @Component
    class Service extends Base implements Api, pkg.Other {
        private Repo repo;

        @org.junit.Test(timeout = 5)
        List<User> load(String id, int... more) throws IOException {
            User u = repo.find(id);
            helper(u);
            this.repo = new Repo<>(u);
            Outer.Inner inner = new Outer.Inner();
            count++;
            u.name = id;
            String s = u.name;
            for (User each : users) { each.touch(); }
            Runnable r = () -> run();
            Supplier<Repo> make = Repo::new;
            list.forEach(System.out::println);
            try (var in = open()) { } catch (IOException e) { e.printStackTrace(); }
            if (u instanceof Admin admin) { admin.grant(); }
            return com.acme.Util.wrap(u);
        }
    }
"""


@pytest.fixture(scope="module")
def body() -> ParseResult:
    return java(BODY)


def test_calls_with_receivers(body):
    assert roles(body, "find") == [("call", "repo")]
    assert roles(body, "helper") == [("call", "")]
    assert roles(body, "touch") == [("call", "each")]
    assert roles(body, "wrap") == [("call", "com.acme.Util")]
    assert roles(body, "println") == [("call", "System.out")]
    assert roles(body, "grant") == [("call", "admin")]


def test_instantiations_types_and_inheritance(body):
    assert roles(body, "Repo") == [
        ("type", ""),
        ("instantiate", ""),
        ("type", ""),
        ("instantiate", ""),
    ]
    assert roles(body, "Inner") == [("type", "Outer"), ("instantiate", "Outer")]
    assert roles(body, "Base") == [("inherit", "")]
    assert roles(body, "Api") == [("inherit", "")]
    assert roles(body, "Other") == [("inherit", "pkg")]
    assert roles(body, "User")[:2] == [("type", ""), ("type", "")]
    assert roles(body, "IOException") == [("type", ""), ("type", "")]


def test_annotations_are_decorator_occurrences(body):
    assert roles(body, "Component") == [("decorator", "")]
    assert roles(body, "Test") == [("decorator", "org.junit")]


def test_writes_reads_and_fields(body):
    assert roles(body, "repo") == [("read", ""), ("write", "this")]
    assert roles(body, "u")[0] == ("write", "")
    assert roles(body, "name") == [("write", "u"), ("read", "u")]
    assert roles(body, "count") == [("write", "")]
    for local in ("id", "more", "u", "inner", "s", "each", "r", "make", "in", "e", "admin"):
        assert roles(body, local)[0] == ("write", ""), local
    load = node(body, "p.Service.load")
    assert body.locals[load.ordinal] == [
        "id",
        "more",
        "u",
        "inner",
        "count",
        "s",
        "each",
        "r",
        "make",
        "in",
        "e",
        "admin",
    ]


def test_enclosing_definitions(body):
    load = node(body, "p.Service.load")
    assert {o.enclosing for o in occurrences(body, "find")} == {load.ordinal}
    assert {o.enclosing for o in occurrences(body, "Base")} == {node(body, "p.Service").ordinal}


def test_import_occurrences(body):
    assert roles(body, "List") == [("import", "java.util"), ("type", "")]


def test_utf16_columns_after_non_ascii():
    source = 'class A { String s = "héllo😀"; int after = s.length(); }'
    result = java(source)
    assert name_at(result, "default.pkg.A.after") == at(source, "after")
    (length,) = occurrences(result, "length")
    assert (length.line, length.col) == at(source, "length")
    assert length.col == len(source[: source.index("length")].encode("utf-16-le")) // 2


def test_syntax_error_keeps_recovered_definitions():
    result = java(
        """\
        class Good {
            void ok() {}
        }
        class Broken {
            void bad( {
        }
        class After { int z; }
        """
    )
    assert node(result, "default.pkg.Good.ok").kind == "method"
    assert "default.pkg.Good" in kinds(result)
    assert any(p.reason == "syntax_error" for p in result.problems)
    assert result.error_count >= 1


# --- Imports and resolution ---------------------------------------------------


def test_import_records():
    result = java(
        """\
        package app;
        import a.b.C;
        import a.b.*;
        import static a.b.C.max;
        import static a.b.C.*;
        import a.b.C.Inner;
        class X {}
        """
    )
    assert result.imports == [
        ImportRecord("import a.b.C;", "a.b.C", 1, [ImportedName("C")]),
        ImportRecord("import a.b.*;", "a.b", 2, [ImportedName("*")]),
        ImportRecord("import static a.b.C.max;", "a.b.C", 3, [ImportedName("max")]),
        ImportRecord("import static a.b.C.*;", "a.b.C", 4, [ImportedName("*")]),
        ImportRecord("import a.b.C.Inner;", "a.b.C.Inner", 5, [ImportedName("Inner")]),
    ]


@pytest.mark.parametrize(
    ("path", "module"),
    [
        ("src/main/java/com/example/Foo.java", "com.example"),
        ("app/src/test/java/com/example/FooTest.java", "com.example"),
        ("src/main/java/com/java/util/Bar.java", "com.java.util"),
        ("lib/java/org/x/Y.java", "org.x"),
        ("tools/scripts/Run.java", "tools.scripts"),
        ("Main.java", ""),
    ],
)
def test_module_names(path, module):
    assert HOOKS.module_name(path, Workspace.of({path})) == module


WORKSPACE = Workspace.of(
    {
        "core/src/main/java/a/b/C.java",
        "core/src/main/java/a/b/D.java",
        "core/src/main/java/a/b/sub/E.java",
        "app/src/main/java/app/Main.java",
        "other/src/main/java/a/b/C.java",
        "README.md",
    }
)


def imp(module: str, *names: str) -> ImportRecord:
    return ImportRecord("", module, 0, [ImportedName(n) for n in names])


@pytest.mark.parametrize(
    ("record", "target"),
    [
        (imp("a.b.C", "C"), "core/src/main/java/a/b/C.java"),
        (imp("a.b.C.Inner", "Inner"), "core/src/main/java/a/b/C.java"),
        (imp("a.b.C", "max"), "core/src/main/java/a/b/C.java"),
        (imp("a.b", "*"), "core/src/main/java/a/b/C.java"),
        (imp("a.b.sub", "*"), "core/src/main/java/a/b/sub/E.java"),
        (imp("java.util.List", "List"), None),
        (imp("java.util", "*"), None),
        (imp("a.b.Missing", "Missing"), None),
    ],
)
def test_resolve_import(record, target):
    assert HOOKS.resolve_import(record, "app/src/main/java/app/Main.java", WORKSPACE) == target


def test_resolve_import_prefers_the_importers_own_tree():
    record = imp("a.b.C", "C")
    importer = "other/src/main/java/a/Use.java"
    assert HOOKS.resolve_import(record, importer, WORKSPACE) == "other/src/main/java/a/b/C.java"


@pytest.mark.parametrize(
    ("annotation", "names"),
    [
        ("Foo", ["Foo"]),
        ("java.util.List<T>", ["java.util.List"]),
        ("final Foo", ["Foo"]),
        ("Map<K, List<V>>", ["Map"]),
        ("int", []),
        ("Foo[]", []),
        ("String...", []),
    ],
)
def test_annotation_names_are_the_class_of_a_type(annotation, names):
    assert HOOKS.annotation_names(annotation) == names


@pytest.mark.parametrize(
    ("signature", "result"),
    [
        ("public <T> List<T> of(T t)", "List<T>"),
        ("public static Foo create(int x) throws IOException", "Foo"),
        ("private final Map<K, V> table()", "Map<K, V>"),
        ("@Override public String toString()", "String"),
        ("public Engine(int n)", None),
        ("void run()", None),
        ("int size()", None),
    ],
)
def test_return_annotation_is_the_result_type(signature, result):
    assert HOOKS.return_annotation(signature) == result


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "private static Map<Class<?>, Info> table = new HashMap<>()",
            ("Map<Class<?>, Info>", "HashMap()"),
        ),
        ("private final SubList<E> parent", ("SubList<E>", None)),
        ("@Stable private final Foo f = null", ("Foo", None)),
        (
            "static final AtomicLong gen = new AtomicLong(seed())",
            ("AtomicLong", "AtomicLong(seed())"),
        ),
        ("Foo x = Foo.make(a, b)", ("Foo", "Foo.make(a, b)")),
        ("int a, b", (None, None)),
        ("GREEN(2)", (None, None)),
    ],
)
def test_assigned_reads_a_fields_type_and_value(statement, expected):
    assert HOOKS.assigned(statement) == expected


def test_an_annotations_element_is_read_through_the_annotation() -> None:
    # ``times`` of ``@Retry(times = 3)`` is ``Retry.times()``, not the
    # field of the class it decorates.
    source = """\
class Use {
    int times = 2;
    @Retry(times = 3)
    void run() {}
    @a.Retry(times = 4)
    void go() {}
}
"""
    result = parse("java", source)
    assert roles(result, "times") == [("read", "Retry"), ("read", "a.Retry")]
