"""Python extraction: tags/refs queries and the Python hooks, over inline sources.

Positions are never hand-counted: ``at(source, needle)`` finds the needle in
the source and returns its line and UTF-16 column.
"""

from __future__ import annotations

import inspect
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langtest import kinds, node, occurrences, parse, roles

from codeidx.parse.extract import Extractor
from codeidx.parse.hooks import Workspace
from codeidx.parse.records import ImportedName, ImportRecord, Param, ParseResult, TypeParam
from codeidx.parse.resolvers.python import HOOKS, resolve_module, source_root
from codeidx.store.occurrences import pack, pack_table


def py(source: str) -> ParseResult:
    return parse("python", textwrap.dedent(source))


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

CLASSES = """\
    '''Shapes.

    Second paragraph.
    '''
    from dataclasses import dataclass

    @dataclass
    class Point(Base, pkg.mixins.Mixin, Generic[T], metaclass=Meta):
        '''A point.'''
        x: int = 0
        LIMIT = 3

        def __init__(self, x: int) -> None:
            self.x = x

        @property
        def norm(self) -> float:
            scale = 2
            return self.x * scale

        @norm.setter
        def norm(self, value: float) -> None: ...

        @staticmethod
        def origin() -> Point: ...

        @classmethod
        def parse(cls, text: str) -> Point: ...

        async def fetch(self): ...

        class Meta:
            ordering = ["x"]

    @a.b(c)
    class Other(Point): pass
"""


def test_module_node_carries_the_docstring() -> None:
    result = py(CLASSES)
    module = result.nodes[0]
    assert (module.kind, module.name, module.qualified_name) == ("module", "mod", "mod")
    assert module.parent is None
    assert module.doc == "Shapes.\n\nSecond paragraph."


def test_classes_bases_decorators_and_members() -> None:
    result = py(CLASSES)
    assert kinds(result) == {
        "mod.Point": "class",
        "mod.Point.x": "field",
        "mod.Point.LIMIT": "field",
        "mod.Point.__init__": "constructor",
        "mod.Point.norm": "method",
        "mod.Point.origin": "method",
        "mod.Point.parse": "method",
        "mod.Point.fetch": "method",
        "mod.Point.Meta": "class",
        "mod.Point.Meta.ordering": "field",
        "mod.Other": "class",
    }
    point = node(result, "mod.Point")
    assert point.parent == 0
    assert point.bases == [
        ("inherit", "Base"),
        ("inherit", "pkg.mixins.Mixin"),
        ("inherit", "Generic"),
    ]
    assert point.decorators == ["dataclass"]
    assert point.doc == "A point."
    assert point.signature == "class Point(Base, pkg.mixins.Mixin, Generic[T], metaclass=Meta)"
    assert name_at(result, "mod.Point") == at(CLASSES, "Point(")
    other = node(result, "mod.Other")
    assert other.decorators == ["a.b(c)"]
    assert other.bases == [("inherit", "Point")]
    assert node(result, "mod.Point.Meta").parent == point.ordinal
    assert node(result, "mod.Point.Meta.ordering").parent == node(result, "mod.Point.Meta").ordinal


def test_method_decorators_keep_kind_method_and_show_in_decorators() -> None:
    # Choice: @property stays a "method"; its decorator list says "property".
    # (A "property" kind would make the extractor keep its locals as nodes.)
    result = py(CLASSES)
    norms = [n for n in result.nodes if n.qualified_name == "mod.Point.norm"]
    assert [(n.kind, n.decorators, n.disambiguator) for n in norms] == [
        ("method", ["property"], 0),
        ("method", ["norm.setter"], 1),
    ]
    assert node(result, "mod.Point.origin").decorators == ["staticmethod"]
    assert node(result, "mod.Point.parse").decorators == ["classmethod"]
    assert node(result, "mod.Point.parse").params == [Param("cls"), Param("text", "str")]
    assert "mod.Point.norm.scale" not in kinds(result)
    assert result.locals[norms[0].ordinal] == ["self", "scale"]
    init = node(result, "mod.Point.__init__")
    assert init.signature == "def __init__(self, x: int) -> None"
    assert node(result, "mod.Point.fetch").signature == "async def fetch(self)"


def test_nested_functions_and_classes() -> None:
    source = """\
        def outer(a):
            def inner(b):
                def innermost(): ...
                return b
            class Local:
                attr = 1
                def m(self): ...
            value = inner(a)
            return value
    """
    result = py(source)
    assert kinds(result) == {
        "mod.outer": "function",
        "mod.outer.inner": "function",
        "mod.outer.inner.innermost": "function",
        "mod.outer.Local": "class",
        "mod.outer.Local.attr": "field",
        "mod.outer.Local.m": "method",
    }
    outer = node(result, "mod.outer")
    inner = node(result, "mod.outer.inner")
    assert inner.parent == outer.ordinal
    assert node(result, "mod.outer.inner.innermost").parent == inner.ordinal
    assert name_at(result, "mod.outer.inner") == at(source, "inner(b)")
    assert result.locals[outer.ordinal] == ["a", "value"]
    assert result.locals[inner.ordinal] == ["b"]


def test_module_variables_constants_and_first_assignment() -> None:
    source = """\
        MAX_SIZE = 10
        _PRIVATE_LIMIT = 2
        name = "x"
        name = "y"
        __all__ = ["name"]
        a, (b, c), *rest = data
        first = second = compute(seed)
        annotated: int
        TIMEOUT = 30
        '''Seconds to wait.'''
        for i in range(3):
            total = i

        def f():
            local = 1
            MAX_SIZE = 5
            return local
    """
    result = py(source)
    assert kinds(result) == {
        "mod.MAX_SIZE": "constant",
        "mod._PRIVATE_LIMIT": "constant",
        "mod.name": "variable",
        "mod.__all__": "variable",
        "mod.a": "variable",
        "mod.b": "variable",
        "mod.c": "variable",
        "mod.rest": "variable",
        "mod.first": "variable",
        "mod.second": "variable",
        "mod.annotated": "variable",
        "mod.TIMEOUT": "constant",
        "mod.total": "variable",
        "mod.f": "function",
    }
    name = node(result, "mod.name")
    assert name_at(result, "mod.name") == at(source, "name =")
    assert name.signature == 'name = "x"'
    assert roles(result, "name") == [("write", "")]  # `name = "y"` rebinds, defines nothing
    assert node(result, "mod._PRIVATE_LIMIT").visibility == "private"
    assert node(result, "mod.__all__").visibility == "public"
    assert node(result, "mod.second").parent == 0
    assert node(result, "mod.second").signature == "first = second = compute(seed)"
    assert node(result, "mod.rest").signature == "a, (b, c), *rest = data"
    assert node(result, "mod.TIMEOUT").doc == "Seconds to wait."
    assert node(result, "mod.name").doc is None
    # The right-hand side of a whole-statement variable is enclosed by it.
    compute = occurrences(result, "compute")[0]
    assert compute.role == "call"
    assert compute.enclosing == 0  # `first` spans just its name inside a chain
    assert result.locals[node(result, "mod.f").ordinal] == ["local", "MAX_SIZE"]


def test_rhs_reads_are_enclosed_by_the_variable() -> None:
    result = py("CONFIG = load(path)\n")
    config = node(result, "mod.CONFIG")
    assert [(o.name, o.role, o.enclosing) for o in result.occurrences] == [
        ("load", "call", config.ordinal),
        ("path", "read", config.ordinal),
    ]


def test_enums_protocols_and_type_aliases() -> None:
    source = """\
        import enum
        from typing import Protocol, TypeAlias

        class Color(enum.Enum):
            RED = 1
            GREEN: int = 2
            _ignore_ = ["x"]
            label: str
            def describe(self) -> str: ...

        class Named(Protocol[T]):
            name: str
            def run(self) -> None: ...

        type Alias = list[int]
        type Pair[K: str, V] = dict[K, V]
        Vector: TypeAlias = list[float]
    """
    result = py(source)
    assert kinds(result) == {
        "mod.Color": "enum",
        "mod.Color.RED": "enum_member",
        "mod.Color.GREEN": "enum_member",
        "mod.Color._ignore_": "field",
        "mod.Color.label": "field",
        "mod.Color.describe": "method",
        "mod.Named": "interface",
        "mod.Named.name": "field",
        "mod.Named.run": "method",
        "mod.Alias": "type_alias",
        "mod.Pair": "type_alias",
        "mod.Vector": "type_alias",
    }
    assert node(result, "mod.Color").bases == [("inherit", "enum.Enum")]
    assert node(result, "mod.Named").bases == [("inherit", "Protocol")]
    alias = node(result, "mod.Alias")
    assert alias.signature == "type Alias = list[int]"
    assert name_at(result, "mod.Alias") == at(source, "Alias =")
    assert node(result, "mod.Pair").type_params == [TypeParam("K", "str"), TypeParam("V")]
    assert node(result, "mod.Vector").signature == "Vector: TypeAlias = list[float]"


def test_conditional_definitions_at_module_level() -> None:
    source = """\
        if sys.version_info >= (3, 11):
            def compat(): return 1
            FLAG = True
        else:
            def compat(): return 2
            FLAG = False
        try:
            import fast as impl
            HAVE_FAST = True
        except ImportError:
            HAVE_FAST = False
    """
    result = py(source)
    compats = [n for n in result.nodes if n.name == "compat"]
    assert [(n.kind, n.parent, n.disambiguator) for n in compats] == [
        ("function", 0, 0),
        ("function", 0, 1),
    ]
    assert [n.name_span.start_line for n in compats] == [1, 4]
    assert [n.qualified_name for n in result.nodes if n.kind == "constant"] == [
        "mod.FLAG",
        "mod.HAVE_FAST",
    ]
    assert node(result, "mod.HAVE_FAST").name_span.start_line == 8


def test_async_functions_and_pep695_type_params() -> None:
    source = """\
        async def fetch(url: str) -> bytes:
            '''Fetch a URL.'''
        def first[T: int, *Ts, **P](x: T) -> T: ...
        class Box[T: (int, str)](Base[T]): ...
    """
    result = py(source)
    fetch = node(result, "mod.fetch")
    assert (fetch.kind, fetch.signature, fetch.doc) == (
        "function",
        "async def fetch(url: str) -> bytes",
        "Fetch a URL.",
    )
    assert name_at(result, "mod.fetch") == at(source, "fetch")
    first = node(result, "mod.first")
    assert first.type_params == [TypeParam("T", "int"), TypeParam("Ts"), TypeParam("P")]
    assert first.signature == "def first[T: int, *Ts, **P](x: T) -> T"
    assert first.params == [Param("x", "T")]
    box = node(result, "mod.Box")
    assert box.type_params == [TypeParam("T", "(int, str)")]
    assert box.bases == [("inherit", "Base")]
    assert roles(result, "T")[:2] == [("type", ""), ("type", "")]


def test_params_of_every_shape() -> None:
    source = """\
        def f(a, b: int, /, c=1, d: str = "x", *args: int, e, f2: bool = False, **kw) -> None: ...
        def g(*, key, **options: object): ...
        def h(*args, **kwargs): ...
    """
    result = py(source)
    assert node(result, "mod.f").params == [
        Param("a"),
        Param("b", "int"),
        Param("/"),
        Param("c", None, "1"),
        Param("d", "str", '"x"'),
        Param("args", "int", None, "*"),
        Param("e"),
        Param("f2", "bool", "False"),
        Param("kw", None, None, "**"),
    ]
    assert node(result, "mod.g").params == [
        Param("*", None, None, "*"),
        Param("key"),
        Param("options", "object", None, "**"),
    ]
    assert node(result, "mod.h").params == [
        Param("args", None, None, "*"),
        Param("kwargs", None, None, "**"),
    ]
    assert result.locals[node(result, "mod.f").ordinal] == [
        "a", "b", "c", "d", "args", "e", "f2", "kw",
    ]  # fmt: skip


DOCSTRINGS = [
    'def f():\n    """Double quoted."""\n',
    "def f():\n    '''Single quoted.'''\n",
    "def f():\n    'Short single.'\n",
    'def f():\n    r"""Raw \\n stays \\d."""\n',
    'def f():\n    """Escapes: \\"hi\\" \\x41 \\N{BULLET} \\\\ end."""\n',
    'def f():\n    """\n    Indented summary.\n\n        Code block.\n    Tail.\n    """\n',
    'def f():\n    """Line one \\\n    continued."""\n',
    'def f():  # comment\n    # comment\n    """After comments."""\n',
    'def f():\n    "Implicit " "concatenation."\n',
    'def f():\n    u"Unicode prefix é😀."\n',
]


@pytest.mark.parametrize("source", DOCSTRINGS)
def test_docstrings_match_python(source: str) -> None:
    namespace: dict[str, object] = {}
    exec(source, namespace)
    assert node(parse("python", source), "mod.f").doc == inspect.getdoc(namespace["f"])


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    f'''Not a docstring {x}.'''\n",
        "def f():\n    b'''Bytes are not docs.'''\n",
        "def f():\n    x = 1\n    '''Too late.'''\n",
        "def f(): pass\n",
    ],
)
def test_non_docstrings(source: str) -> None:
    assert node(parse("python", source), "mod.f").doc is None


def test_visibility() -> None:
    result = py(
        "def public(): ...\ndef _private(): ...\ndef __mangled(): ...\ndef __dunder__(): ...\n"
    )
    assert {n.name: n.visibility for n in result.nodes[1:]} == {
        "public": "public",
        "_private": "private",
        "__mangled": "private",
        "__dunder__": "public",
    }


def test_multiline_signatures_drop_comments_and_line_padding() -> None:
    source = """\
        def build(
            first: int,  # the first
            second: str = "a  b",
        ) -> dict[
            str, int
        ]:  # trailing
            pass
        class Wide(
            Base,
        ):  # note
            pass
    """
    result = py(source)
    assert node(result, "mod.build").signature == (
        'def build(first: int, second: str = "a b") -> dict[str, int]'
    )
    assert node(result, "mod.Wide").signature == "class Wide(Base)"


# --- Occurrences --------------------------------------------------------------

USES = """\
    counter = 0
    def work(items, obj: Optional[Foo], other: "Foo") -> pkg.Result:
        global counter
        counter += 1
        obj.size = len(items)
        obj.total += 1
        helper(key=obj.size)
        self.x.y.run(obj)
        for i, (j, k) in enumerate(items):
            pass
        with open(obj) as fh, ctx() as (m, n):
            pass
        try:
            pass
        except (ValueError, KeyError) as err:
            pass
        if (found := lookup()):
            pass
        squares = [e * e for e in items if e]
        [aa, *bb] = items
        value: int | pkg.Other | None = None
        mapping: typing.Dict[str, typing.List[Bar]] = {}
        match obj:
            case Point(x=px):
                pass
            case [head, *tail]:
                pass
        return squares
"""


def test_calls_attributes_and_receivers() -> None:
    result = py(USES)
    assert roles(result, "len") == [("call", "")]
    assert roles(result, "helper") == [("call", "")]
    assert roles(result, "run") == [("call", "self.x.y")]
    assert roles(result, "y") == [("read", "self.x")]
    assert roles(result, "size") == [("write", "obj"), ("read", "obj")]
    assert roles(result, "total") == [("write", "obj")]
    # ``helper(key=...)``: a keyword argument's name names a parameter of its callee.
    assert roles(result, "key") == [("argument", "helper")]
    assert roles(result, "lookup") == [("call", "")]


def test_a_keyword_arguments_name_names_a_parameter_of_the_callee() -> None:
    source = """\
        def initializer():
            pass


        def start(key):
            return pool(key=key, initializer=initializer, timeout=1)


        class Meta(Base, metaclass=Kind):
            self.run(flag=cache.get(k, default=None))
        """
    result = py(source)
    # The parameter ``key`` is bound, then read once (the value); the keyword
    # ``key`` is an argument of ``pool``, whatever ``key`` means in ``start``.
    assert roles(result, "key") == [("write", ""), ("argument", "pool"), ("read", "")]
    assert roles(result, "initializer") == [("argument", "pool"), ("read", "")]
    assert roles(result, "timeout") == [("argument", "pool")]
    # Each keyword belongs to the innermost call around it.
    assert roles(result, "flag") == [("argument", "self.run")]
    assert roles(result, "default") == [("argument", "cache.get")]
    # A class statement's keywords are no occurrence.
    assert roles(result, "metaclass") == []


def test_method_calls_through_self_and_objects() -> None:
    source = """\
        class Store:
            def save(self):
                self.flush()
                self._cache.clear()
                conn = connect()
                conn.commit()
                Store.reset()

            def counter(self):
                count = 0
                def bump():
                    nonlocal count
                    count += 1
                return bump
    """
    result = py(source)
    assert roles(result, "flush") == [("call", "self")]
    assert roles(result, "_cache") == [("read", "self")]
    assert roles(result, "clear") == [("call", "self._cache")]
    assert roles(result, "connect") == [("call", "")]
    assert roles(result, "commit") == [("call", "conn")]
    assert roles(result, "reset") == [("call", "Store")]
    assert roles(result, "count") == [("write", "")] * 3  # binding, nonlocal, +=
    save = node(result, "mod.Store.save")
    assert [o.enclosing for o in occurrences(result, "commit")] == [save.ordinal]
    assert result.locals[save.ordinal] == ["self", "conn"]
    assert result.locals[node(result, "mod.Store.counter").ordinal] == ["self", "count"]
    bump = node(result, "mod.Store.counter.bump")
    assert [o.enclosing for o in occurrences(result, "count")] == [
        bump.parent,
        bump.ordinal,
        bump.ordinal,
    ]


def test_bindings_are_writes() -> None:
    result = py(USES)
    for name in ["i", "j", "k", "fh", "m", "n", "err", "found", "aa", "bb", "px", "head", "tail"]:
        assert roles(result, name) == [("write", "")], name
    assert roles(result, "counter") == [("write", ""), ("write", "")]  # global, +=
    assert roles(result, "e") == [("read", ""), ("read", ""), ("write", ""), ("read", "")]
    assert roles(result, "items")[0] == ("write", "")  # the parameter
    assert roles(result, "squares") == [("write", ""), ("read", "")]


def test_type_annotations() -> None:
    result = py(USES)
    assert roles(result, "Optional") == [("type", "")]
    assert roles(result, "Foo") == [("type", "")]  # the string annotation is ignored
    assert roles(result, "Result") == [("type", "pkg")]
    assert roles(result, "int") == [("type", "")]
    assert roles(result, "Other") == [("type", "pkg")]
    assert roles(result, "Dict") == [("type", "typing")]
    assert roles(result, "str") == [("type", "")]
    assert roles(result, "List") == [("type", "typing")]
    assert roles(result, "Bar") == [("type", "")]
    assert roles(result, "Point") == [("type", "")]


def test_enclosing_ordinals_and_locals() -> None:
    result = py(USES)
    work = node(result, "mod.work")
    assert {o.enclosing for o in result.occurrences if o.line > 1} == {work.ordinal}
    assert [o.enclosing for o in occurrences(result, "counter")] == [work.ordinal] * 2
    # `global counter` makes counter a module binding, not a local of work().
    assert result.locals == {
        work.ordinal: [
            "items", "obj", "other", "i", "j", "k", "fh", "m", "n", "err",
            "found", "squares", "e", "aa", "bb", "value", "mapping", "px", "head", "tail",
        ]
    }  # fmt: skip


def test_decorators_inherit_and_imports_occurrences() -> None:
    source = """\
        import a.b as c
        from .x import y as z
        from __future__ import annotations
        @functools.wraps(fn)
        @register
        def f(): ...
        class K(Base, pkg.mod.Mixin, Generic[T], abc.Typed[T], metaclass=Meta): ...
    """
    result = py(source)
    for name in ["a", "b", "c", "x", "y", "z", "annotations"]:
        assert roles(result, name) == [("import", "")], name
    assert roles(result, "wraps") == [("decorator", "functools")]
    assert roles(result, "functools") == [("read", "")]
    assert roles(result, "register") == [("decorator", "")]
    assert roles(result, "fn") == [("read", "")]
    assert roles(result, "Base") == [("inherit", "")]
    assert roles(result, "Mixin") == [("inherit", "pkg.mod")]
    assert roles(result, "Generic") == [("inherit", "")]
    assert roles(result, "Typed") == [("inherit", "abc")]
    assert roles(result, "metaclass") == []  # a keyword argument of the class statement
    assert roles(result, "Meta") == [("read", "")]
    assert [o.enclosing for o in occurrences(result, "register")] == [0]
    klass = node(result, "mod.K")
    assert [o.enclosing for o in occurrences(result, "Mixin")] == [klass.ordinal]


def test_utf16_columns_after_non_ascii() -> None:
    source = 's = "é😀"; f(s)\nclass Ä: pass\ndef g(): return Ä\n'
    result = parse("python", source)
    assert name_at(result, "mod.s") == (0, 0)
    assert [(o.name, o.role, o.line, o.col) for o in result.occurrences] == [
        ("f", "call", *at(source, "f(")),
        ("s", "read", *at(source, "s)")),
        ("Ä", "read", *at(source, "Ä", 1)),
    ]
    assert at(source, "f(") == (0, 11)  # é is one UTF-16 unit, 😀 two
    assert name_at(result, "mod.Ä") == (1, 6)


# --- Imports ------------------------------------------------------------------


def test_import_records() -> None:
    source = """\
        from __future__ import annotations
        import os
        import a.b
        import a.b as c, d
        from a import b, c as d
        from . import x
        from ..p import *
        from .sib import (one,
                          two as deux)
        if TYPE_CHECKING:
            from typing_extensions import Self
        def late():
            import json
    """
    imports = py(source).imports
    assert [(i.module, i.line, i.kind, i.bind, i.relative, i.level) for i in imports] == [
        ("__future__", 0, "from", None, False, 0),
        ("os", 1, "import", "os", False, 0),
        ("a.b", 2, "import", "a", False, 0),
        ("a.b", 3, "import", "c", False, 0),
        ("d", 3, "import", "d", False, 0),
        ("a", 4, "from", None, False, 0),
        ("", 5, "from", None, True, 1),
        ("p", 6, "from", None, True, 2),
        ("sib", 7, "from", None, True, 1),
        ("typing_extensions", 10, "from", None, False, 0),
        ("json", 12, "import", "json", False, 0),
    ]
    assert imports[0].names == [ImportedName("annotations")]
    assert imports[0].text == "from __future__ import annotations"
    assert imports[5].names == [ImportedName("b"), ImportedName("c", "d")]
    assert imports[6].names == [ImportedName("x")]
    assert imports[7].names == [ImportedName("*")]
    assert imports[8].names == [ImportedName("one"), ImportedName("two", "deux")]
    assert imports[8].text == "from .sib import (one, two as deux)"


WORKSPACE = Workspace.of(
    {
        "pkg/__init__.py",
        "pkg/mod.py",
        "pkg/sub/__init__.py",
        "pkg/sub/deep.py",
        "pkg/sub/leaf.py",
        "pkg/sub.py",  # shadowed by the package pkg/sub/
        "ns/part/a.py",  # namespace packages: no __init__.py
        "ns/part/b.py",
        "src/app/__init__.py",
        "src/app/core.py",
        "mypkg/__init__.py",
        "mypkg/lib/__init__.py",  # a package named lib is no source root
        "mypkg/lib/helpers.py",
        "typed/__init__.pyi",
        "typed/api.pyi",
        "both.py",
        "both.pyi",
        "scripts/run.py",
        "scripts/helper.py",
        "top.py",
    }
)


@pytest.mark.parametrize(
    ("path", "module", "root"),
    [
        ("pkg/__init__.py", "pkg", ""),
        ("pkg/sub/deep.py", "pkg.sub.deep", ""),
        ("ns/part/a.py", "ns.part.a", ""),
        ("src/app/__init__.py", "app", "src"),
        ("src/app/core.py", "app.core", "src"),
        ("mypkg/lib/helpers.py", "mypkg.lib.helpers", ""),
        ("typed/api.pyi", "typed.api", ""),
        ("typed/__init__.pyi", "typed", ""),
        ("top.py", "top", ""),
    ],
)
def test_module_names(path: str, module: str, root: str) -> None:
    assert HOOKS.module_name(path, WORKSPACE) == module
    assert source_root(path, WORKSPACE) == root


@pytest.mark.parametrize(
    ("dotted", "from_path", "target"),
    [
        ("pkg", "", "pkg/__init__.py"),
        ("pkg.mod", "", "pkg/mod.py"),
        ("pkg.sub", "", "pkg/sub/__init__.py"),  # the package wins over pkg/sub.py
        ("ns.part.a", "", "ns/part/a.py"),
        ("ns.part", "", None),  # a namespace package has no file
        ("app.core", "", "src/app/core.py"),
        ("app", "pkg/mod.py", "src/app/__init__.py"),
        ("mypkg.lib.helpers", "", "mypkg/lib/helpers.py"),
        ("typed", "", "typed/__init__.pyi"),
        ("typed.api", "", "typed/api.pyi"),
        ("both", "", "both.py"),  # the source wins over its stub
        ("helper", "scripts/run.py", "scripts/helper.py"),  # the script's own folder
        ("helper", "top.py", None),
        ("os.path", "", None),
        ("", "", None),
    ],
)
def test_resolve_module(dotted: str, from_path: str, target: str | None) -> None:
    assert resolve_module(dotted, WORKSPACE, from_path) == target


@pytest.mark.parametrize(
    ("statement", "path", "base", "target"),
    [
        ("from . import leaf", "pkg/sub/deep.py", "pkg.sub", "pkg/sub/__init__.py"),
        ("from .leaf import x", "pkg/sub/deep.py", "pkg.sub.leaf", "pkg/sub/leaf.py"),
        ("from .. import mod", "pkg/sub/deep.py", "pkg", "pkg/__init__.py"),
        ("from ..mod import x", "pkg/sub/deep.py", "pkg.mod", "pkg/mod.py"),
        ("from .deep import x", "pkg/sub/__init__.py", "pkg.sub.deep", "pkg/sub/deep.py"),
        ("from ..mod import x", "pkg/sub/__init__.py", "pkg.mod", "pkg/mod.py"),
        ("from .core import x", "src/app/__init__.py", "app.core", "src/app/core.py"),
        ("from .b import x", "ns/part/a.py", "ns.part.b", "ns/part/b.py"),
        ("from ...x import y", "pkg/sub/deep.py", "", None),  # beyond the top package
        ("from .x import y", "top.py", "", None),  # no parent package
        ("import pkg.sub.deep", "top.py", "pkg.sub.deep", "pkg/sub/deep.py"),
        ("import numpy as np", "top.py", "numpy", None),
    ],
)
def test_resolve_import(statement: str, path: str, base: str, target: str | None) -> None:
    (imp,) = parse("python", statement + "\n").imports
    assert HOOKS.import_base(imp, path, WORKSPACE) == base
    assert HOOKS.resolve_import(imp, path, WORKSPACE) == target


def test_resolve_import_of_a_handmade_record() -> None:
    imp = ImportRecord("from .mod import f", "mod", 0, relative=True, level=1, kind="from")
    assert HOOKS.resolve_import(imp, "pkg/__init__.py", WORKSPACE) == "pkg/mod.py"


# --- Broken input -------------------------------------------------------------


def test_syntax_error_keeps_other_definitions() -> None:
    source = """\
        def good():
            return 1

        def broken(x):
            y = = 2
            return x +

        class Survivor:
            def m(self): ...

        LAST = 1
    """
    result = py(source)
    assert kinds(result) == {
        "mod.good": "function",
        "mod.broken": "function",
        "mod.Survivor": "class",
        "mod.Survivor.m": "method",
        "mod.LAST": "constant",
    }
    assert [(p.reason, p.line) for p in result.problems] == [("syntax_error", 4)]
    assert result.error_count == 2


def test_invalid_utf8_is_a_problem_not_an_exception() -> None:
    data = b"def ok():\n    return 1\nname = '\xff\xfe'\ndef after(): pass\n"
    result = Extractor().parse("python", data, "mod")
    assert [(p.reason, p.line) for p in result.problems] == [("invalid_utf8", 2)]
    assert [n.qualified_name for n in result.nodes[1:]] == ["mod.ok", "mod.name", "mod.after"]


# --- Properties ---------------------------------------------------------------

_TOKENS = [
    "def ", "class ", "import ", "from ", " as ", "return ", "lambda ", "self", "f", "x",
    "é", "😀", "名", "ß", "(", ")", "[", "]", ":", ",", ".", "=", "@", "*", "'", '"',
    "#", "\\", "1", " ", "    ", "\n", "\t", "if ", "for ", " in ", "type ",
]  # fmt: skip


def _utf16_position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset)
    start = data.rfind(b"\n", 0, offset) + 1
    prefix = data[start:offset].decode("utf-8", "replace")
    return line, len(prefix.encode("utf-16-le")) // 2


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=60))
def test_positions_are_utf16_for_any_text(tokens: list[str]) -> None:
    data = "".join(tokens).encode("utf-8")
    result = Extractor().parse("python", data, "mod")
    for occ in result.occurrences:
        assert (occ.line, occ.col) == _utf16_position(data, occ.start_byte)
        assert data[occ.start_byte :].decode("utf-8", "replace").startswith(occ.name)
    for record in result.nodes[1:]:
        span = record.name_span
        assert (span.start_line, span.start_col) == _utf16_position(data, span.start_byte)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*_TOKENS, "\xff", "\xc3"]), max_size=40))
def test_any_bytes_parse_without_raising(tokens: list[str]) -> None:
    data = b"".join(t.encode("latin-1") if t in {"\xff", "\xc3"} else t.encode() for t in tokens)
    result = Extractor().parse("python", data, "mod")
    try:
        data.decode("utf-8")
        assert "invalid_utf8" not in {p.reason for p in result.problems}
    except UnicodeDecodeError:
        assert "invalid_utf8" in {p.reason for p in result.problems}


def test_instance_attributes_assigned_in_methods_are_fields_of_the_class() -> None:
    result = py(
        """\
        class A:
            y = 0

            def __init__(self, v):
                self.x = v
                self.y = 2

            @classmethod
            def make(cls):
                cls.registry = {}

            def get(self):
                self.x = 3
                return self.x

        def free(self):
            self.z = 1
        """
    )
    assert kinds(result) == {
        "mod.A": "class",
        "mod.A.y": "field",
        "mod.A.__init__": "constructor",
        "mod.A.x": "field",
        "mod.A.make": "method",
        "mod.A.registry": "field",
        "mod.A.get": "method",
        "mod.free": "function",
    }
    x = node(result, "mod.A.x")
    assert x.parent == node(result, "mod.A").ordinal and x.detached
    assert (x.name_span.start_line, x.name_span.start_col) == (4, 13)
    # Later writes are occurrences, and occurrences inside a method stay
    # enclosed by the method, not by the detached field.
    get = node(result, "mod.A.get")
    assert [(o.role, o.receiver, o.enclosing) for o in occurrences(result, "x")] == [
        ("write", "self", get.ordinal),
        ("read", "self", get.ordinal),
    ]
    assert roles(result, "y") == [("write", "self")]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("self.x = Foo(a, b=2)", (None, "Foo(a, b=2)")),
        ("x: Engine = make()", ("Engine", "make()")),
        ("x: Engine", ("Engine", None)),
        ("a = b = Bar()", (None, "Bar()")),
        ("x = None", (None, None)),
        ("items = [1, 2]", (None, "list()")),
        ("name = 'n'", (None, "str()")),
        ("x == 3", (None, None)),
        ("x += 1", (None, None)),
    ],
)
def test_assigned_statement_gives_annotation_and_value(
    statement: str, expected: tuple[str | None, str | None]
) -> None:
    assert HOOKS.assigned(statement) == expected


@pytest.mark.parametrize(
    ("signature", "expected"),
    [
        ("def f(a: int = 3) -> Foo:", "Foo"),
        ('def f(a) -> "pkg.Foo":', '"pkg.Foo"'),
        ("def f(cb: Callable[[], int]) -> list[int]:", "list[int]"),
        ("def f(a):", None),
    ],
)
def test_return_annotation_is_the_text_after_the_arrow(
    signature: str, expected: str | None
) -> None:
    assert HOOKS.return_annotation(signature) == expected


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("Foo", ["Foo"]),
        ("'pkg.Foo'", ["pkg.Foo"]),
        ("Optional[pkg.Foo]", ["pkg.Foo"]),
        ("Foo | None", ["Foo"]),
        ("typing.Union[A, B]", ["A", "B"]),
        ("list[Foo]", []),
        ("Callable[..., Foo]", []),
    ],
)
def test_annotation_names_the_classes_it_stands_for(annotation: str, expected: list[str]) -> None:
    assert HOOKS.annotation_names(annotation) == expected


def test_an_attribute_assigned_inside_a_chain_is_a_field() -> None:
    result = py(
        """\
        class T:
            @classmethod
            def setUpClass(cls):
                root = cls.root = make()
        """
    )
    assert kinds(result)["mod.T.root"] == "field"
    assert node(result, "mod.T.root").signature == "root = cls.root = make()"


def test_the_occurrence_table_packs_like_its_rows() -> None:
    """Workers pack a file's occurrence table with array operations; live
    buffers pack tuples one by one.  Both must store the same blobs: narrow
    and wide (past 64 KiB) ones, receivers, UTF-16 columns after non-ASCII."""
    body = "".join(
        f"def f{i}(x):\n    café = self.obj{i % 7}.call(x)  # é\n    return café.y{i % 3}\n"
        for i in range(1500)
    )
    result = parse("python", "import os.path\n" + body)
    assert result.occurrence_table.start.max() >= 0x10000
    by_table = pack_table(result.occurrence_table)
    by_rows = pack(result.occurrence_rows)
    assert list(by_table.groups.items()) == list(by_rows.groups.items())
    assert by_table.receivers == by_rows.receivers
    assert {blob[:1] for _, blob in by_table.groups.values()} == {b"h", b"i"}
    assert all(type(blob) is bytes for _, blob in by_table.groups.values())
    cafe = [o for o in result.occurrences if o.name == "café"]
    assert cafe[1].col == len("    return ")
    y = [o for o in result.occurrences if o.name == "y0"]
    assert (y[0].receiver, y[0].col) == ("café", len("    return café."))


@pytest.mark.parametrize(
    ("annotation", "element"),
    [
        ("list[Engine]", "Engine"),
        ("typing.Sequence[pkg.Engine]", "pkg.Engine"),
        ("Optional[Iterator[Engine]]", "Engine"),
        ("set[Engine] | None", "Engine"),
        ("'list[Engine]'", "Engine"),
        ("tuple[Engine, ...]", "Engine"),
        ("Generator[Engine, None, None]", "Engine"),
        ("Annotated[list[Engine], 'doc']", "Engine"),
        ("tuple[Engine, Other]", None),
        ("dict[str, Engine]", None),
        ("list[Engine] | list[Other]", None),
        ("Optional[Engine]", None),
        ("Engine", None),
    ],
)
def test_wrapped_is_a_containers_element_type(annotation, element):
    assert HOOKS.wrapped(annotation) == element


def test_container_methods_are_the_wrappers_members():
    wrappers = HOOKS.wrappers
    assert wrappers.iterated and not wrappers.patterns
    assert {"append", "extend", "pop", "popleft", "add", "count", "index"} <= wrappers.members
    assert wrappers.opening == {"pop", "popleft", "get", "setdefault"}
    assert wrappers.keeping == {"copy"} and wrappers.values == {"values"}


@pytest.mark.parametrize(
    ("annotation", "value"),
    [
        ("dict[str, Engine]", "Engine"),
        ("Optional[Mapping[str, Engine]]", "Engine"),
        ("typing.DefaultDict[str, list[Engine]] | None", "list[Engine]"),
        ("dict[str]", None),
        ("list[Engine]", None),
    ],
)
def test_keyed_is_a_mappings_value_type(annotation, value):
    assert HOOKS.keyed(annotation) == value


@pytest.mark.parametrize(
    ("annotation", "result"),
    [
        ("Awaitable[Engine]", "Engine"),
        ("typing.Coroutine[Any, Any, Engine]", "Engine"),
        ("'asyncio.Task[Engine]'", "Engine"),
        ("Optional[Future[list[Engine]]]", "list[Engine]"),
        ("Coroutine[Any, Any]", None),
        ("list[Engine]", None),
    ],
)
def test_promised_is_an_awaitables_result_type(annotation, result):
    assert HOOKS.promised(annotation) == result


@pytest.mark.parametrize(
    ("signature", "result"),
    [
        ("def load(self) -> Engine", "Engine"),
        ("async def load(self) -> Engine", "Coroutine[Any, Any, Engine]"),
        ("async def items(self) -> AsyncIterator[Engine]", "AsyncIterator[Engine]"),
        ("async def load(self)", None),
    ],
)
def test_calling_an_async_def_gives_a_coroutine(signature, result):
    assert HOOKS.call_result(signature) == result
