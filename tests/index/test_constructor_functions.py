"""JavaScript classes written as functions: ``function Foo`` with prototype methods.

Each workspace holds a class with a method of the same name as the
constructor function's, so a call is only exact when the receiver is known
to be a ``Foo``; a by-name guess would have two candidates.
"""

from __future__ import annotations

import pytest

from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")

QUEUE = """\
function Queue(size) {
  this.size = size;
  function check() {}
  this.reset();
}

Queue.prototype.push = function (item) {
  this.grow();
  return item;
};

Queue.prototype.grow = function () {};

Queue.prototype.reset = function () {};

Queue.from = function (list) {
  return new Queue(list.length);
};

class Stack {
  push(item) {}
  grow() {}
  reset() {}
  helper() {}
  check() {}
  from(list) {}
}
"""


def _calls_from(ws: Workspace, src: str) -> set[tuple[str, str]]:
    return {(e.dst, e.resolution) for e in ws.edges("calls") if e.src == src}


def test_calling_a_constructor_function_makes_an_instance_with_its_prototype_methods(
    ws: Workspace,
) -> None:
    ws.write("lib/queue.js", QUEUE)
    ws.write(
        "app.js",
        """\
        const { Queue, Stack } = require('./lib/queue');

        function withNew() {
          var q = new Queue(3);
          q.push(1);
          q.check();
        }

        function inline() {
          new Queue(3).grow();
          (new Queue()).reset();
          new Stack().helper();
        }

        function withoutNew() {
          const q = Queue(3);
          q.reset();
        }

        function statics() {
          return Queue.from([]);
        }
        """,
    )
    ws.index()
    # A function declared inside the constructor is its local, no member: a
    # miss, which stays the guess an unknown receiver gets.
    assert _calls_from(ws, "app.withNew") == {
        ("lib/queue.Queue.push", "exact"),
        ("lib/queue.Queue.check", "by_name"),
        ("lib/queue.Stack.check", "by_name"),
    }
    assert _calls_from(ws, "app.inline") == {
        ("lib/queue.Queue.grow", "exact"),
        ("lib/queue.Queue.reset", "exact"),
        ("lib/queue.Stack.helper", "exact"),
    }
    assert _calls_from(ws, "app.withoutNew") == {
        ("lib/queue.Queue", "exact"),
        ("lib/queue.Queue.reset", "exact"),
    }
    assert _calls_from(ws, "app.statics") == {("lib/queue.Queue.from", "exact")}


def test_this_in_a_prototype_method_and_in_its_constructor_is_an_instance(ws: Workspace) -> None:
    ws.write("queue.js", QUEUE)
    ws.index()
    assert _calls_from(ws, "queue.Queue.push") == {("queue.Queue.grow", "exact")}
    # In the constructor itself, ``this.reset()`` is the prototype's method.
    assert _calls_from(ws, "queue.Queue") == {("queue.Queue.reset", "exact")}


def test_a_plain_function_is_no_constructor(ws: Workspace) -> None:
    # Without members written beside it, a function called with ``new`` says
    # nothing of the instance, and ``this`` in it is unknown: both calls stay
    # guesses between the two classes' methods.
    ws.write(
        "app.js",
        """\
        function Plain() {
          this.start();
        }

        class Engine {
          start() {}
        }

        class Radio {
          start() {}
        }

        function run() {
          var p = new Plain();
          p.start();
        }
        """,
    )
    ws.index()
    guesses = {("app.Engine.start", "by_name"), ("app.Radio.start", "by_name")}
    assert _calls_from(ws, "app.Plain") == guesses
    assert _calls_from(ws, "app.run") - {("app.Plain", "exact")} == guesses


def test_a_member_missing_from_a_constructor_function_is_still_guessed(ws: Workspace) -> None:
    # ``util.inherits(Queue, Base)`` gives the prototype members the index
    # does not see: a miss keeps the by-name guess an unknown receiver gets.
    ws.write(
        "app.js",
        """\
        function Queue() {}
        Queue.prototype.push = function () {};

        class Emitter {
          emit() {}
        }

        function run() {
          var q = new Queue();
          q.emit();
        }
        """,
    )
    ws.index()
    assert ("app.Emitter.emit", "by_name") in _calls_from(ws, "app.run")


def test_a_method_of_an_object_literal_is_no_prototype_method(ws: Workspace) -> None:
    # ``this`` in ``o.m`` is ``o``, no function or class: the call stays a guess.
    ws.write(
        "app.js",
        """\
        var o = {
          m() {
            this.start();
          },
        };

        class Engine {
          start() {}
        }
        """,
    )
    ws.index()
    assert _calls_from(ws, "app.o.m") == {("app.Engine.start", "by_name")}
