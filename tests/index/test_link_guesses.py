"""Edges that need more than one statement of evidence: decorators and by-name guesses."""

from __future__ import annotations

import pytest

from codeidx.index.targets import MIN_CONFIDENCE
from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def test_applying_a_decorator_is_a_call_of_it(ws: Workspace) -> None:
    ws.write(
        "app.py",
        """\
        def retry(times):
            def wrap(f):
                return f
            return wrap

        @retry(3)
        def fetch():
            return 1
        """,
    )
    ws.index()
    calls = {(e.src, e.dst) for e in ws.edges("calls")}
    assert ("app", "app.retry") in calls
    decorates = {(e.src, e.dst) for e in ws.edges("decorates")}
    assert decorates == {("app.retry", "app.fetch")}


def test_a_by_name_guess_prefers_the_nearest_definition(ws: Workspace) -> None:
    # Nothing tells which `dispatch` `obj.dispatch()` calls; the one in the
    # caller's own package is the better guess and comes with more confidence.
    ws.write("net/handler.py", "class Handler:\n    def dispatch(self):\n        return 1\n")
    ws.write("gui/redirect.py", "class Redirector:\n    def dispatch(self):\n        return 2\n")
    ws.write("gui/app.py", "def run(obj):\n    return obj.dispatch()\n")
    ws.index()
    guesses = sorted(
        (e for e in ws.edges("calls") if e.src == "gui.app.run"),
        key=lambda e: -e.confidence,
    )
    assert [e.dst for e in guesses] == [
        "gui.redirect.Redirector.dispatch",
        "net.handler.Handler.dispatch",
    ]
    assert all(e.resolution == "by_name" for e in guesses)
    assert guesses[0].confidence > guesses[1].confidence


def test_keyword_arguments_leave_a_constructed_receivers_type_alone(ws: Workspace) -> None:
    # ``parser = ArgumentParser(prog=...)``: the keyword's name sits where the
    # value's chain would end; it must not be read as ``ArgumentParser.prog``.
    ws.write(
        "cli.py",
        """\
        class ArgumentParser:
            def __init__(self, prog=None):
                self.prog = prog

            def parse_args(self):
                return []


        class Other:
            def parse_args(self):
                return None


        def main():
            parser = ArgumentParser(prog="x")
            return parser.parse_args()
        """,
    )
    ws.index()
    calls = [e for e in ws.edges("calls") if e.src == "cli.main"]
    assert {(e.dst, e.resolution) for e in calls} == {("cli.ArgumentParser.parse_args", "exact")}


def test_a_builtin_method_name_on_an_unknown_receiver_is_a_hidden_guess(ws: Workspace) -> None:
    # ``line.rstrip()`` is almost always str.rstrip: the workspace's one
    # ``rstrip`` stays a guess, but below MIN_CONFIDENCE, while a method name
    # no built-in type has keeps its single-candidate confidence.
    ws.write(
        "text.py",
        """\
        class Rope:
            def rstrip(self):
                return self

            def rebalance(self):
                return self
        """,
    )
    ws.write("use.py", "def clean(line, rope):\n    rope.rebalance()\n    return line.rstrip()\n")
    ws.index()
    calls = {e.dst: e for e in ws.edges("calls") if e.src == "use.clean"}
    assert calls["text.Rope.rstrip"].resolution == "by_name"
    assert calls["text.Rope.rstrip"].confidence < MIN_CONFIDENCE
    assert calls["text.Rope.rebalance"].confidence >= MIN_CONFIDENCE


def test_javascript_globals_and_builtin_methods_are_not_workspace_guesses(ws: Workspace) -> None:
    ws.write(
        "lib/timers.js",
        """\
        export function setTimeout(fn, ms) {
          return fn;
        }

        export class Container {
          split() {
            return [];
          }

          walk() {
            return [];
          }
        }
        """,
    )
    ws.write(
        "app.js",
        """\
        export function run(text, node) {
          setTimeout(() => 1, 10);
          node.walk();
          return text.split(",");
        }
        """,
    )
    ws.index()
    calls = {e.dst: e for e in ws.edges("calls") if e.src == "app.run"}
    # The bare global is never another module's export of the same name.
    assert "lib/timers.setTimeout" not in calls
    assert calls["lib/timers.Container.split"].confidence < MIN_CONFIDENCE
    assert calls["lib/timers.Container.walk"].confidence >= MIN_CONFIDENCE
