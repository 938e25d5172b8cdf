"""A field's declared type or constructed value types the calls made through it.

Each workspace holds two classes with a method of the same name, so a call
through the field is only exact when the field's type is read; a by-name
guess would have two candidates.
"""

from __future__ import annotations

import pytest

from helpers.workspace import Workspace

pytestmark = pytest.mark.usefixtures("sqlite_leak_check")


def _calls_from(ws: Workspace, src: str) -> set[tuple[str, str]]:
    return {(e.dst, e.resolution) for e in ws.edges("calls") if e.src == src}


def test_typescript_fields_typed_by_annotation_and_by_new(ws: Workspace) -> None:
    ws.write(
        "src/app.ts",
        """\
        class Engine {
          start(): void {}
        }

        class Radio {
          start(): void {}
          tune(): void {}
        }

        export class Car {
          private readonly engine = new Engine();
          private radio: Radio | undefined;
          private spare: Map<string, Engine> = new Map<string, Engine>();

          drive(): void {
            this.engine.start();
            this.radio?.tune();
          }
        }

        const shared: Radio = new Radio();

        export function play(): void {
          shared.start();
        }
        """,
    )
    ws.index()
    assert _calls_from(ws, "src/app.Car.drive") == {
        ("src/app.Engine.start", "exact"),
        ("src/app.Radio.tune", "exact"),
    }
    assert _calls_from(ws, "src/app.play") == {("src/app.Radio.start", "exact")}


def test_typescript_parameter_properties_are_typed_fields(ws: Workspace) -> None:
    # `constructor(private readonly engine: Engine)` declares a field, and its
    # name stays the parameter's binding inside the constructor.
    ws.write(
        "src/app.ts",
        """\
        class Engine {
          start(): void {}
        }

        class Radio {
          start(): void {}
        }

        export class Car {
          constructor(private readonly engine: Engine, public radio?: Radio) {
            radio?.start();
          }

          drive(): void {
            this.engine.start();
          }
        }
        """,
    )
    ws.index()
    assert _calls_from(ws, "src/app.Car.drive") == {("src/app.Engine.start", "exact")}
    assert _calls_from(ws, "src/app.Car.constructor") == {("src/app.Radio.start", "exact")}


def test_typescript_a_field_of_unknown_type_stays_a_guess(ws: Workspace) -> None:
    ws.write(
        "src/app.ts",
        """\
        import { Socket } from "net";

        class Engine {
          start(): void {}
        }

        class Radio {
          start(): void {}
        }

        export class Car {
          private socket: Socket;
          private handle = makeHandle();

          drive(): void {
            this.handle.start();
          }
        }

        function makeHandle() {
          return null;
        }
        """,
    )
    ws.index()
    assert {r for _, r in _calls_from(ws, "src/app.Car.drive")} <= {"by_name"}


def test_javascript_fields_and_module_constants_typed_by_new(ws: Workspace) -> None:
    ws.write(
        "src/app.js",
        """\
        class Engine {
          start() {}
        }

        class Radio {
          start() {}
        }

        export class Car {
          engine = new Engine();

          drive() {
            this.engine.start();
          }
        }

        const shared = new Radio();

        export function play() {
          shared.start();
        }
        """,
    )
    ws.index()
    assert _calls_from(ws, "src/app.Car.drive") == {("src/app.Engine.start", "exact")}
    assert _calls_from(ws, "src/app.play") == {("src/app.Radio.start", "exact")}


def test_javascript_fields_assigned_in_a_method_are_fields(ws: Workspace) -> None:
    ws.write(
        "src/car.js",
        """\
        class Engine {
          start() {}
        }

        class Radio {
          start() {}
        }

        export class Car {
          constructor(radio) {
            this.engine = new Engine();
            this.radio = radio;
            this.engine = null;
            [radio].forEach(() => {
              this.spare = new Engine();
            });
            function detached() {
              this.stray = 1;
            }
          }

          drive() {
            this.engine.start();
          }
        }
        """,
    )
    ws.index()
    fields = {
        (name, signature, visibility)
        for name, signature, visibility in ws.query(
            "SELECT qualified_name, signature, visibility FROM nodes WHERE kind = 'field'"
        )
    }
    # The first assignment per class is the field; an arrow callback's
    # ``this`` is the method's, a nested function's is not the instance.
    assert fields == {
        ("src/car.Car.engine", "this.engine = new Engine()", "public"),
        ("src/car.Car.radio", "this.radio = radio", "public"),
        ("src/car.Car.spare", "this.spare = new Engine()", "public"),
    }
    assert _calls_from(ws, "src/car.Car.drive") == {("src/car.Engine.start", "exact")}


def test_java_fields_typed_by_declaration_and_by_new(ws: Workspace) -> None:
    ws.write(
        "src/main/java/com/example/Engine.java",
        """\
        package com.example;

        public class Engine {
            public void start() {}
        }
        """,
    )
    ws.write(
        "src/main/java/com/example/Radio.java",
        """\
        package com.example;

        public class Radio {
            public void start() {}
            public void tune() {}
        }
        """,
    )
    ws.write(
        "src/main/java/com/example/Car.java",
        """\
        package com.example;

        import java.util.List;

        public class Car {
            private final Engine engine = new Engine();
            @Deprecated
            private Radio radio;
            private List<Radio> radios;

            public void drive() {
                engine.start();
                this.radio.tune();
            }
        }
        """,
    )
    ws.index()
    assert _calls_from(ws, "com.example.Car.drive") == {
        ("com.example.Engine.start", "exact"),
        ("com.example.Radio.tune", "exact"),
    }


def test_go_struct_fields_and_package_variables(ws: Workspace) -> None:
    ws.write("go.mod", "module example.com/car\n\ngo 1.21\n")
    ws.write(
        "car.go",
        """\
        package car

        type Engine struct{}

        func (e *Engine) Start() {}

        type Radio struct{}

        func (r *Radio) Start() {}

        func (r *Radio) Tune() {}

        type Car struct {
        \tengine     *Engine `json:"engine"`
        \tfront, rear Radio
        }

        func (c *Car) Drive() {
        \tc.engine.Start()
        \tc.rear.Tune()
        }

        var shared = &Radio{}

        func Play() {
        \tshared.Start()
        }
        """,
    )
    ws.index()
    assert _calls_from(ws, "example.com/car.Car.Drive") == {
        ("example.com/car.Radio.Tune", "exact"),
        ("example.com/car.Engine.Start", "exact"),
    }
    assert _calls_from(ws, "example.com/car.Play") == {("example.com/car.Radio.Start", "exact")}


def test_rust_a_reference_has_the_type_it_refers_to(ws: Workspace) -> None:
    """``let r = &car;`` and ``let m = &mut self.engine;`` type ``r`` and ``m``."""
    ws.write("Cargo.toml", '[package]\nname = "garage"\nversion = "0.1.0"\n')
    ws.write(
        "src/lib.rs",
        """\
        pub struct Engine;

        impl Engine {
            pub fn start(&mut self) {}
        }

        pub struct Car {
            engine: Engine,
        }

        impl Car {
            pub fn drive(&self) -> u32 { 1 }

            pub fn ignite(&mut self) {
                let m = &mut self.engine;
                m.start();
            }
        }

        pub fn lend(car: Car) -> u32 {
            let r = &car;
            let pair = (car.drive(), 2);
            r.drive() + pair.1
        }
        """,
    )
    ws.index()
    assert _calls_from(ws, "garage::Car::ignite") == {("garage::Engine::start", "exact")}
    assert _calls_from(ws, "garage::lend") == {("garage::Car::drive", "exact")}


def test_rust_a_match_arm_binds_the_content_of_the_matched_value(ws: Workspace) -> None:
    """``match opt { Some(c) => c.drive() }`` as ``if let Some(c) = opt`` does."""
    ws.write("Cargo.toml", '[package]\nname = "garage"\nversion = "0.1.0"\n')
    ws.write(
        "src/lib.rs",
        """\
        pub struct Car;

        impl Car {
            pub fn drive(&self) -> u32 { 1 }
        }

        pub struct Bike;

        impl Bike {
            pub fn drive(&self) -> u32 { 2 }
        }

        pub fn first(cars: Vec<Car>) -> u32 {
            match cars.into_iter().next() {
                Some(c) => c.drive(),
                None => 0,
            }
        }

        pub fn parsed(res: Result<Car, String>) -> u32 {
            match res {
                Ok(car) => car.drive(),
                Err(_) => 0,
            }
        }

        pub fn shadowed(car: Option<Car>) -> u32 {
            match car {
                Some(car) => car.drive(),
                None => 0,
            }
        }

        pub enum Content {
            Some(Box<Content>),
            Unit,
        }

        impl Content {
            pub fn unexpected(&self) -> u32 { 0 }
        }

        pub fn held(value: Option<Content>) -> u32 {
            match value {
                Some(other) => other.unexpected(),
                None => 1,
            }
        }
        """,
    )
    ws.index()
    for function in ("garage::first", "garage::parsed", "garage::shadowed"):
        assert _calls_from(ws, function) == {("garage::Car::drive", "exact")}, function
    # ``Some`` is the Option's variant, not the content's of the same name.
    assert _calls_from(ws, "garage::held") == {("garage::Content::unexpected", "exact")}
    refs = {e.dst for e in ws.edges("references") if e.src == "garage::held"}
    assert "garage::Content::Some" not in refs
