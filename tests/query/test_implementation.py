"""Go to implementation over small indexed workspaces, one or more per language.

`$0` is the cursor; `[[...]]` marks the name of every implementation the
test expects, and nothing else may be answered.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from querytest import Fixture, build, ranges_of

from codeidx.errors import UsageError
from codeidx.query.buffers import buffer_of
from codeidx.query.implementation import (
    STRUCTURAL_CONFIDENCE,
    ImplementationQuery,
    ImplementationResult,
    find_implementations,
)
from codeidx.query.overlay import Overlay
from codeidx.query.types import Position

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def answer(fx: Fixture, include_guesses: bool = False) -> ImplementationResult:
    with fx.connect() as conn:
        return find_implementations(conn, fx.root, ImplementationQuery(fx.at(), include_guesses))


def check(tmp_path: Path, files: dict[str, str]) -> ImplementationResult:
    """The implementations found are exactly the marked names."""
    fx = build(tmp_path, files)
    result = answer(fx)
    assert ranges_of([i.location for i in result.implementations]) == fx.ranges
    return result


def names(result: ImplementationResult) -> list[tuple[str, str, int]]:
    """(qualified name, relation, depth) in the answer's order."""
    return [(i.symbol.qualified_name, i.relation, i.depth) for i in result.implementations]


BASE = """
    from abc import ABC, abstractmethod


    class {shape}(ABC):
        @abstractmethod
        def {shape_area}(self) -> float: ...

        def {shape_describe}(self) -> str:
            return "shape"


    class {polygon}(Shape):
        def {polygon_area}(self) -> float:
            return 0.0
"""

SHAPES = """
    from base import Polygon, Shape


    class {square}(Polygon):
        def {square_area}(self) -> float:
            return 1.0

        def {square_describe}(self) -> str:
            return "square"


    class {circle}(Shape):
        def {circle_area}(self) -> float:
            return 3.14


    def total(s: Shape) -> float:
        return s.{call}()
"""


def python(**marked: str) -> dict[str, str]:
    """The Python fixture with names marked as given (``shape="Sh$0ape"``), others plain."""
    names = {
        "shape": "Shape",
        "shape_area": "area",
        "shape_describe": "describe",
        "polygon": "Polygon",
        "polygon_area": "area",
        "square": "Square",
        "square_area": "area",
        "square_describe": "describe",
        "circle": "Circle",
        "circle_area": "area",
        "call": "area",
    }
    names.update(marked)
    return {"base.py": BASE.format(**names), "shapes.py": SHAPES.format(**names)}


def test_python_abc_subclasses_transitively_across_files(tmp_path: Path) -> None:
    files = python(shape="Sh$0ape", polygon="[[Polygon]]", square="[[Square]]", circle="[[Circle]]")
    fx = build(tmp_path, files)
    result = answer(fx)
    assert ranges_of([i.location for i in result.implementations]) == fx.ranges
    assert [s.qualified_name for s in result.symbols] == ["base.Shape"]
    assert names(result) == [
        ("base.Polygon", "inherits", 1),
        ("shapes.Circle", "inherits", 1),
        ("shapes.Square", "inherits", 2),
    ]
    square = result.implementations[2]
    assert square.of.qualified_name == "base.Polygon"
    assert all((i.confidence, i.resolution) == (1.0, "exact") for i in result.implementations)
    assert square.location.text == "class Square(Polygon):"
    # Without line texts (the language server's way): the same answer, no file read.
    with fx.connect() as conn:
        quiet = find_implementations(conn, fx.root, ImplementationQuery(fx.at(), line_text=False))
    assert [i.location.text for i in quiet.implementations] == ["", "", ""]
    assert [i.symbol for i in quiet.implementations] == [i.symbol for i in result.implementations]


OVERRIDERS = {
    "polygon_area": "[[area]]",
    "square_area": "[[area]]",
    "circle_area": "[[area]]",
}


def test_python_abstract_method_overriders_transitively(tmp_path: Path) -> None:
    result = check(tmp_path, python(shape_area="ar$0ea", **OVERRIDERS))
    assert names(result) == [
        ("base.Polygon.area", "overrides", 1),
        ("shapes.Circle.area", "overrides", 1),
        ("shapes.Square.area", "overrides", 2),
    ]


def test_python_concrete_method_overridden_through_a_class_that_does_not(tmp_path: Path) -> None:
    result = check(tmp_path, python(shape_describe="desc$0ribe", square_describe="[[describe]]"))
    # Polygon does not define describe: Square's override reaches Shape's
    # through an inherited member, which the linker rates a little lower.
    assert [(i.symbol.qualified_name, i.confidence) for i in result.implementations] == [
        ("shapes.Square.describe", 0.9)
    ]


def test_python_call_through_annotated_receiver_answers_its_target(tmp_path: Path) -> None:
    result = check(tmp_path, python(call="ar$0ea", **OVERRIDERS))
    assert [s.qualified_name for s in result.symbols] == ["base.Shape.area"]


def test_concrete_method_and_leaf_class_answer_nothing(tmp_path: Path) -> None:
    fx = build(tmp_path, python(circle_area="ar$0ea"))
    result = answer(fx)
    assert result.name == "area"
    assert [s.qualified_name for s in result.symbols] == ["shapes.Circle.area"]
    assert result.implementations == [] and result.guesses_left_out == 0
    with fx.connect() as conn:
        leaf = Position("shapes.py", fx.at().line - 1, 7)
        result = find_implementations(conn, fx.root, ImplementationQuery(leaf))
    assert result.name == "Circle" and result.implementations == []


def test_function_local_and_blank_answer_nothing(tmp_path: Path) -> None:
    fx = build(tmp_path, {"mod.py": "def run(x):\n    y$0 = x\n    return run(y)\n\n"})
    result = answer(fx)
    assert result.name == "y" and result.symbols == [] and result.implementations == []
    with fx.connect() as conn:
        call = find_implementations(conn, fx.root, ImplementationQuery(Position("mod.py", 2, 12)))
        blank = find_implementations(conn, fx.root, ImplementationQuery(Position("mod.py", 3, 0)))
    assert call.name == "run" and [s.kind for s in call.symbols] == ["function"]
    assert call.implementations == []
    assert blank.name is None and blank.implementations == []


def test_unknown_file_is_a_usage_error(tmp_path: Path) -> None:
    fx = build(tmp_path, {"mod.py": "class A$0:\n    pass\n"})
    with fx.connect() as conn, pytest.raises(UsageError):
        find_implementations(conn, fx.root, ImplementationQuery(Position("notes.txt", 0, 0)))


GUESSES = {
    "shapes.py": """
        class Shape:
            def perimeter(self):
                return 0


        class Square(Shape):
            def [[perimeter]](self):
                return 4


        class Runner:
            def start(self):
                return 1


        class Engine:
            def start(self):
                return 2


        def measure(thing):
            return thing.perim$0eter()


        def go(thing):
            return thing.start()
    """,
}


def test_guesses_in_one_override_family_answer_from_its_top(tmp_path: Path) -> None:
    result = check(tmp_path, GUESSES)
    assert [s.qualified_name for s in result.symbols] == ["shapes.Shape.perimeter"]
    (square,) = result.implementations
    # The call's receiver has no known type: the answer is a guess, and says so.
    assert square.resolution == "by_name" and square.confidence < 1.0


def test_guesses_among_unrelated_rivals_are_left_out_unless_asked(tmp_path: Path) -> None:
    files = {
        "shapes.py": GUESSES["shapes.py"].replace("$0", "").replace("[[", "").replace("]]", "")
    }
    files["shapes.py"] = files["shapes.py"].replace("thing.start()", "thing.st$0art()")
    fx = build(tmp_path, files)
    result = answer(fx)
    assert result.symbols == [] and result.implementations == []
    assert result.guesses_left_out == 2
    asked = answer(fx, include_guesses=True)
    assert sorted(s.qualified_name for s in asked.symbols) == [
        "shapes.Engine.start",
        "shapes.Runner.start",
    ]
    assert asked.guesses_left_out == 0 and asked.implementations == []


def test_typescript_interface_classes_and_subinterfaces(tmp_path: Path) -> None:
    source = """
        interface Sha$0pe { area(): number; }
        interface [[Named]] extends Shape { name(): string; }
        class [[Sq]] implements Shape { area() { return 1 } }
        class [[Big]] extends Sq { area() { return 2 } }
        class [[N]] implements Named { area() { return 3 } name() { return "n" } }
    """
    result = check(tmp_path, {"a.ts": source})
    assert names(result) == [
        ("a.Named", "implements", 1),
        ("a.Sq", "implements", 1),
        ("a.Big", "inherits", 2),
        ("a.N", "implements", 2),
    ]


def test_typescript_interface_method_implementations(tmp_path: Path) -> None:
    source = """
        interface Shape { ar$0ea(): number; }
        interface Named extends Shape { name(): string; }
        class Sq implements Shape { [[area]]() { return 1 } }
        class Big extends Sq { [[area]]() { return 2 } }
        class N implements Named { [[area]]() { return 3 } name() { return "n" } }
    """
    result = check(tmp_path, {"a.ts": source})
    assert names(result) == [
        ("a.Sq.area", "overrides", 1),
        ("a.Big.area", "overrides", 2),
        ("a.N.area", "overrides", 1),
    ]
    # N's area reaches Shape's through Named, an inherited member: ranked after exact ones.
    assert [i.confidence for i in result.implementations] == [1.0, 1.0, 0.9]


def test_rust_trait_impls_and_their_methods(tmp_path: Path) -> None:
    lib = """
        pub trait Sh$0ape { fn area(&self) -> f64; fn name(&self) -> String { String::new() } }
        pub struct Sq { s: f64 }
        impl Shape for [[Sq]] { fn area(&self) -> f64 { self.s } }
        pub struct Ci;
        impl Shape for [[Ci]] { fn area(&self) -> f64 { 1.0 }
            fn name(&self) -> String { String::new() } }
        impl Sq { fn new() -> Sq { Sq { s: 1.0 } } }
    """
    result = check(tmp_path, {"src/lib.rs": lib})
    assert [(i.symbol.kind, i.relation) for i in result.implementations] == [
        ("impl", "implements"),
        ("impl", "implements"),
    ]
    clean = lib.replace("$0", "").replace("[[", "").replace("]]", "")
    method = clean.replace("fn name", "fn na$0me", 1).replace("    fn name", "    fn [[name]]")
    (tmp_path / "m").mkdir()
    result = check(tmp_path / "m", {"src/lib.rs": method})
    assert names(result) == [("crate::Ci::name", "overrides", 1)]


def test_rust_struct_answers_its_impl_blocks(tmp_path: Path) -> None:
    lib = """
        pub trait Shape { fn area(&self) -> f64; }
        pub struct S$0q { s: f64 }
        impl Shape for [[Sq]] { fn area(&self) -> f64 { self.s } }
        impl [[Sq]] { fn new() -> Sq { Sq { s: 1.0 } } }
    """
    result = check(tmp_path, {"src/lib.rs": lib})
    assert {i.relation for i in result.implementations} == {"impl"}


def test_java_interface_abstract_class_and_overrides(tmp_path: Path) -> None:
    source = """
        interface Shape { double ar$0ea(); }
        abstract class Base implements Shape { public abstract double [[area]](); }
        class Sq extends Base { public double [[area]]() { return 1; } }
        class Ci implements Shape { public double [[area]]() { return 2; } }
    """
    result = check(tmp_path, {"A.java": source})
    assert names(result) == [
        ("Base.area", "overrides", 1),
        ("Ci.area", "overrides", 1),
        ("Sq.area", "overrides", 2),
    ]
    types = source.replace("$0", "").replace("[[", "").replace("]]", "")
    types = types.replace("interface Shape", "interface Sh$0ape").replace(
        "class Base", "class [[Base]]"
    )
    types = types.replace("class Sq", "class [[Sq]]").replace("class Ci", "class [[Ci]]")
    (tmp_path / "t").mkdir()
    check(tmp_path / "t", {"A.java": types})


def test_cpp_virtual_method_overrides(tmp_path: Path) -> None:
    source = """
        class Shape { public: virtual double ar$0ea() const = 0; virtual ~Shape() {} };
        class Sq : public Shape { public: double [[area]]() const override { return 1; } };
        class Big : public Sq { public: double [[area]]() const override { return 2; } };
    """
    result = check(tmp_path, {"a.cpp": source})
    assert names(result) == [("Sq::area", "overrides", 1), ("Big::area", "overrides", 2)]


GO_A = """
    package pkg

    type {shape} interface {{ {shape_area}() float64 }}
    type {sq} struct{{}}
    func (s Sq) {sq_area}() float64 {{ return 1 }}
    type {ci} struct{{}}
    func (c *Ci) {ci_area}() float64 {{ return 2 }}
    type Lonely struct{{}}
    func (l Lonely) Perimeter() float64 {{ return 0 }}
"""

GO_B = """
    package pkg

    type {named} interface {{ Shape; Name() string }}
    type {wrap} struct{{ Sq }}
    func (w Wrap) Name() string {{ return "w" }}
    type {my_int} int
    func (m MyInt) {my_int_area}() float64 {{ return 0 }}
    type {holder} struct{{ Shape }}
"""


def go(**marked: str) -> dict[str, str]:
    """The Go fixture with names marked as given, others plain."""
    names = {
        "shape": "Shape",
        "shape_area": "Area",
        "sq": "Sq",
        "sq_area": "Area",
        "ci": "Ci",
        "ci_area": "Area",
        "named": "Named",
        "wrap": "Wrap",
        "my_int": "MyInt",
        "my_int_area": "Area",
        "holder": "Holder",
    }
    names.update(marked)
    return {
        "go.mod": "module example.com/m\n",
        "pkg/a.go": GO_A.format(**names),
        "pkg/b.go": GO_B.format(**names),
    }


def test_go_interface_is_satisfied_by_method_sets(tmp_path: Path) -> None:
    marked = {k: f"[[{v}]]" for k, v in (("sq", "Sq"), ("ci", "Ci"), ("named", "Named"))}
    marked |= {k: f"[[{v}]]" for k, v in (("wrap", "Wrap"), ("my_int", "MyInt"))}
    result = check(tmp_path, go(shape="Sh$0ape", holder="[[Holder]]", **marked))
    by_name = {i.symbol.name: i for i in result.implementations}
    # Named embeds Shape and Holder embeds it: stated edges, exact.
    assert (by_name["Named"].relation, by_name["Named"].resolution) == ("implements", "exact")
    assert by_name["Holder"].relation == "implements"
    # The others have the methods (Wrap through its embedded Sq): names only.
    for name in ("Sq", "Ci", "Wrap", "MyInt"):
        assert by_name[name].resolution == "structural"
        assert by_name[name].confidence == STRUCTURAL_CONFIDENCE
    assert [i.symbol.name for i in result.implementations[:2]] == ["Named", "Holder"]


def test_go_embedded_interface_adds_its_methods(tmp_path: Path) -> None:
    check(tmp_path, go(named="Na$0med", wrap="[[Wrap]]"))


def test_go_interface_method_answers_the_methods_of_satisfying_types(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        go(shape_area="Ar$0ea", sq_area="[[Area]]", ci_area="[[Area]]", my_int_area="[[Area]]"),
    )
    assert {i.relation for i in result.implementations} == {"structural"}


def test_open_buffer_positions_and_dropped_definitions(tmp_path: Path) -> None:
    fx = build(tmp_path, python(shape="Sh$0ape"))
    text = (fx.root / "shapes.py").read_text()
    # Two lines inserted above every class, and Circle deleted from the buffer.
    edited = "# one\n# two\n" + text[: text.index("class Circle")]
    edited += text[text.index("def total") :]
    buffer = buffer_of("shapes.py", edited)
    assert buffer is not None
    with fx.connect() as conn:
        overlay = Overlay(conn, fx.root, {"shapes.py": buffer})
        result = find_implementations(conn, fx.root, ImplementationQuery(fx.at()), overlay)
    got = [
        (i.symbol.qualified_name, i.location.line, i.location.text) for i in result.implementations
    ]
    assert got == [
        ("base.Polygon", 11, "class Polygon(Shape):"),
        ("shapes.Square", 5, "class Square(Polygon):"),
    ]
