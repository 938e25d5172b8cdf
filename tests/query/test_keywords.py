"""Keyword arguments: go to definition, references and highlights of the parameters they name.

``$0`` is the cursor, ``[[...]]`` every expected answer (see ``querytest``).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from querytest import build, ranges_of

from codeidx.query.buffers import buffer_of
from codeidx.query.definition import find_definition
from codeidx.query.hover import describe
from codeidx.query.overlay import Overlay
from codeidx.query.references import find_references
from codeidx.query.types import Definition, DefinitionQuery, Position, ReferencesQuery

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

LIB = """
    from dataclasses import dataclass


    def connect(host, port=80, *, timeout=None, **options):
        return host, port, timeout


    @dataclass
    class Point:
        x: int
        y: int = 0


    class Server:
        def __init__(self, name, *, workers=1):
            self.name = name

        def run(self, once=False):
            return once


    class Child(Server):
        pass
"""


def definitions(tmp_path: Path, files: dict[str, str]) -> list[Definition]:
    """The definitions found, checked to be exactly the marked ranges."""
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        result = find_definition(conn, fx.root, DefinitionQuery(fx.at()))
    assert ranges_of([d.location for d in result.definitions]) == fx.ranges
    return result.definitions


def test_a_keyword_argument_goes_to_the_parameter_of_the_function(tmp_path: Path) -> None:
    files = {
        "lib.py": LIB.replace("port=80", "[[port]]=80"),
        "use.py": "from lib import connect\n\nconnect('h', po$0rt=8080)\n",
    }
    found = definitions(tmp_path, files)
    (d,) = found
    assert d.symbol is None and d.parameter_of is not None
    assert d.parameter_of.qualified_name == "lib.connect"
    assert (d.location.role, d.location.resolution) == ("definition", "exact")


def test_keyword_only_parameters_and_methods(tmp_path: Path) -> None:
    files = {
        "lib.py": LIB.replace("once=False", "[[once]]=False"),
        "use.py": "from lib import Server\n\ns = Server('a')\ns.run(on$0ce=True)\n",
    }
    (d,) = definitions(tmp_path, files)
    assert d.parameter_of is not None and d.parameter_of.qualified_name == "lib.Server.run"


def test_a_class_call_goes_to_its_constructor_and_an_inherited_one(tmp_path: Path) -> None:
    lib = LIB.replace("(self, name, *", "(self, [[name]], *")
    for call in ("Server(na$0me='a')", "Child(na$0me='b')"):
        files = {"lib.py": lib, "use.py": f"from lib import Child, Server\n\n{call}\n"}
        (tmp_path / call[:5]).mkdir()
        found = definitions(tmp_path / call[:5], files)
        assert found[0].parameter_of is not None
        assert found[0].parameter_of.qualified_name == "lib.Server.__init__"


def test_a_dataclass_call_goes_to_the_field(tmp_path: Path) -> None:
    files = {
        "lib.py": LIB.replace("x: int", "[[x]]: int"),
        "use.py": "from lib import Point\n\np = Point($0x=1, y=2)\n",
    }
    found = definitions(tmp_path, files)
    (d,) = found
    assert d.symbol is not None and d.symbol.qualified_name == "lib.Point.x"


@pytest.mark.parametrize(
    "call",
    [
        "connect('h', ret$0ries=2)",  # only **options takes it
        "handlers[0](na$0me=1)",  # an expression, not a name
        "len(ob$0j=1)",  # a builtin
    ],
)
def test_keywords_nothing_declares_go_nowhere(tmp_path: Path, call: str) -> None:
    files = {"lib.py": LIB, "use.py": f"from lib import connect\nhandlers = []\n\n{call}\n"}
    assert definitions(tmp_path, files) == []


def test_a_keyword_is_not_the_same_named_local_or_function(tmp_path: Path) -> None:
    files = {
        "lib.py": LIB,
        "use.py": """
            from lib import connect


            def timeout():
                pass


            def go(port):
                return connect('h', port=port, time$0out=timeout)
        """,
    }
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        result = find_definition(conn, fx.root, DefinitionQuery(fx.at()))
        (d,) = result.definitions
        assert (d.location.path, d.location.line) == ("lib.py", 3)
        # ``timeout`` the function has no reference in ``timeout=``.
        refs = find_references(conn, fx.root, ReferencesQuery(Position("use.py", 3, 5)))
    assert [(r.path, r.line) for r in refs.references] == [("use.py", 3), ("use.py", 8)]


REFERENCES = {
    "lib.py": """
        def connect(host, [[port]]=80):
            return host, [[port]]
    """,
    "a.py": """
        import lib
        from lib import connect

        connect('h', [[port]]=1)
        lib.connect('h', [[port]]=2)
    """,
    "b.py": """
        def connect(host, port=0):
            return port


        connect('x', port=3)


        def other(port):
            return dict(port=port)
    """,
}


@pytest.mark.parametrize("at", [("lib.py", 0), ("lib.py", 1), ("a.py", 0), ("a.py", 1)])
def test_a_parameters_references_hold_its_keyword_arguments(
    tmp_path: Path, at: tuple[str, int]
) -> None:
    """From the parameter, a use of it, or a keyword argument: the same answer."""
    files = dict(REFERENCES)
    path, nth = at
    # Put the cursor on the nth marked ``port`` of that file.
    texts = files[path].split("[[port]]")
    marked = "[[port]]"
    files[path] = marked.join(texts[: nth + 1]) + "[[p$0ort]]" + marked.join(texts[nth + 1 :])
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        result = find_references(conn, fx.root, ReferencesQuery(fx.at()))
    assert ranges_of(result.references) == fx.ranges
    assert result.local and [s.qualified_name for s in result.symbols] == ["lib.connect"]
    roles = sorted({r.role for r in result.references})
    assert roles == ["argument", "definition", "read"]


def test_highlights_of_a_parameter_stay_in_the_file(tmp_path: Path) -> None:
    files = {
        **REFERENCES,
        "lib.py": """
            def connect(host, [[port]]=80):
                return host, [[po$0rt]]


            connect('h', [[port]]=1)
        """,
    }
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        query = ReferencesQuery(fx.at(), in_file_only=True)
        result = find_references(conn, fx.root, query)
    assert ranges_of(result.references) == [r for r in fx.ranges if r[0] == "lib.py"]
    # The keyword binds the parameter: editors show it as a write.
    assert [r.role for r in result.references] == ["definition", "read", "argument"]


def test_a_fields_references_hold_the_keyword_arguments_that_set_it(tmp_path: Path) -> None:
    files = {
        "lib.py": LIB.replace("x: int", "[[$0x]]: int"),
        "use.py": """
            from lib import Point

            p = Point([[x]]=1, y=2)
            print(p.[[x]])
        """,
    }
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        result = find_references(conn, fx.root, ReferencesQuery(fx.at()))
    assert ranges_of(result.references) == fx.ranges


def test_hover_on_a_keyword_describes_the_callable(tmp_path: Path) -> None:
    files = {"lib.py": LIB, "use.py": "from lib import connect\n\nconnect('h', po$0rt=1)\n"}
    fx = build(tmp_path, files)
    with fx.connect() as conn:
        result = describe(conn, fx.root, DefinitionQuery(fx.at()))
    (target,) = result.targets
    assert target.symbol.qualified_name == "lib.connect"
    assert [p.name for p in target.params][:2] == ["host", "port"]


def test_open_buffers_answer_for_keywords_typed_but_not_saved(tmp_path: Path) -> None:
    """A keyword typed in a buffer, and a parameter added in a buffer, are answered."""
    fx = build(tmp_path, {"lib.py": LIB, "use.py": "from lib import connect\n"})
    lib_text = textwrap.dedent(LIB.replace("**options", "retries=3, **options")).lstrip("\n")
    use_text = "from lib import connect\n\nconnect('h', retries=1, port=2)\n"
    buffers = {"lib.py": buffer_of("lib.py", lib_text), "use.py": buffer_of("use.py", use_text)}
    assert all(b is not None for b in buffers.values())
    with fx.connect() as conn:
        overlay = Overlay(conn, fx.root, {p: b for p, b in buffers.items() if b is not None})
        found = overlay.find_definition(DefinitionQuery(Position("use.py", 2, 15)))
        (d,) = found.definitions
        assert (d.location.path, d.location.line) == ("lib.py", 3)
        assert d.location.col == lib_text.splitlines()[3].index("retries")
        refs = overlay.find_references(ReferencesQuery(Position("use.py", 2, 26)))
    assert sorted((r.path, r.line, r.role) for r in refs.references) == [
        ("lib.py", 3, "definition"),
        ("lib.py", 4, "read"),
        ("use.py", 2, "argument"),
    ]
