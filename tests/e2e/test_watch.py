"""Files changed outside the editor, reported by the client's file watcher, and definition links."""

# The fixtures come from watchtest; pytest passes them by parameter name.
# ruff: noqa: F811

from __future__ import annotations

from lsprotocol import types
from lsptest import field_of
from watchtest import notify_files, sessions_by_kind, watch_client, wws  # noqa: F401

from codeidx.parse.registry import known_extensions

Created, Changed, Deleted = (
    types.FileChangeType.Created,
    types.FileChangeType.Changed,
    types.FileChangeType.Deleted,
)


async def symbols(session, query: str) -> list[str]:
    found = await session.client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
    return sorted(f"{s.name}@{s.location.uri.rsplit('/', 1)[-1]}" for s in found or [])


async def test_watcher_is_registered_for_indexed_extensions(watch_client, wws) -> None:
    registrations = watch_client.codeidx_registrations
    await wws.events.wait_until(lambda: bool(registrations))
    (registration,) = registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    watchers = field_of(registration.register_options, "watchers")
    glob = field_of(watchers[0], "globPattern")
    for ext in known_extensions():
        assert ext.lstrip(".") in glob
    # And the configuration files import resolution reads.
    configs = field_of(watchers[1], "globPattern")
    for name in ("tsconfig.json", "package.json", "go.mod", "Cargo.toml"):
        assert name in configs


async def test_a_changed_configuration_file_points_unchanged_imports_anew(wws) -> None:
    (wws.root / "web" / "util").mkdir(parents=True)
    (wws.root / "web" / "util" / "g.ts").write_text("export function g(): number { return 2; }\n")
    (wws.root / "web" / "a.ts").write_text('import { g } from "@util/g";\nexport const x = g();\n')
    notify_files(wws, [("web/util/g.ts", Created), ("web/a.ts", Created)])
    await wws.events.wait_for("watch")
    position = wws.find("web/a.ts", "g();")
    params = types.DefinitionParams(wws.doc("web/a.ts"), position)
    assert not await wws.client.text_document_definition_async(params)

    # No source file changes: the configuration alone makes the import resolve.
    (wws.root / "tsconfig.json").write_text(
        '{"compilerOptions": {"paths": {"@util/*": ["web/util/*"]}}}', encoding="utf-8"
    )
    notify_files(wws, [("tsconfig.json", Created)])
    run = await wws.events.wait_for("configfile")
    assert field_of(field_of(run, "run"), "filesParsed") == 0
    found = await wws.client.text_document_definition_async(params)
    assert [link.target_uri for link in found or []] == [wws.uri("web/util/g.ts")]


async def test_created_then_deleted_file_is_seen_by_symbols_and_definition(wws) -> None:
    (wws.root / "app" / "circles.py").write_text(
        "from app.shapes import Shape\n\n\nclass Circle(Shape):\n    pass\n", encoding="utf-8"
    )
    (wws.root / "app" / "use.py").write_text(
        "from app.circles import Circle\n\nc = Circle()\n", encoding="utf-8"
    )
    (wws.root / "notes.txt").write_text("not indexed\n", encoding="utf-8")
    notify_files(
        wws, [("app/circles.py", Created), ("app/use.py", Created), ("notes.txt", Created)]
    )
    run = await wws.events.wait_for("watch")
    assert field_of(run, "paths") == ["app/circles.py", "app/use.py"]
    assert await symbols(wws, "Circle") == ["Circle@circles.py"]

    found = await wws.client.text_document_definition_async(
        types.DefinitionParams(wws.doc("app/use.py"), wws.find("app/use.py", "Circle()"))
    )
    assert [link.target_uri for link in found] == [wws.uri("app/circles.py")]

    (wws.root / "app" / "circles.py").unlink()
    notify_files(wws, [("app/circles.py", Deleted)])
    await wws.events.wait_for("watch", 2)
    assert await symbols(wws, "Circle") == []
    found = await wws.client.text_document_definition_async(
        types.DefinitionParams(wws.doc("app/use.py"), wws.find("app/use.py", "Circle()"))
    )
    assert [link.target_uri for link in found or []] == []


async def test_a_burst_of_fifty_changes_is_one_index_run(wws) -> None:
    before = sessions_by_kind(wws.index_dir)
    paths = [f"gen/mod_{i:02d}.py" for i in range(50)]
    (wws.root / "gen").mkdir()
    for i, rel in enumerate(paths):
        (wws.root / rel).write_text(f"def generated_{i:02d}() -> int:\n    return {i}\n")
    # As a checkout would: many notifications, a few files each, in quick succession.
    for start in range(0, 50, 5):
        notify_files(wws, [(rel, Created) for rel in paths[start : start + 5]])
    run = await wws.events.wait_for("watch")
    assert field_of(run, "paths") == paths
    assert field_of(field_of(run, "run"), "filesParsed") == 50
    after = sessions_by_kind(wws.index_dir)
    assert sum(after.values()) == sum(before.values()) + 1
    assert len(wws.events.ended("watch")) == 1
    assert len(await symbols(wws, "generated_")) == 50


async def test_definition_answers_location_links_when_supported(wws) -> None:
    position = wws.find("app/report.py", "make_square(i)", offset=3)
    found = await wws.client.text_document_definition_async(
        types.DefinitionParams(wws.doc("app/report.py"), position)
    )
    assert len(found) == 1
    link = found[0]
    assert isinstance(link, types.LocationLink)
    assert link.target_uri == wws.uri("app/report.py")
    name = wws.find("app/report.py", "make_square(side")
    assert link.target_selection_range.start == name
    assert link.target_selection_range.end.character == name.character + len("make_square")
    origin = wws.find("app/report.py", "make_square(i)")
    assert link.origin_selection_range == types.Range(
        origin, types.Position(origin.line, origin.character + len("make_square"))
    )
    assert link.target_range.start.line <= name.line <= link.target_range.end.line


async def test_references_stay_locations(wws) -> None:
    position = wws.find("app/report.py", "make_square(i)")
    found = await wws.client.text_document_references_async(
        types.ReferenceParams(
            context=types.ReferenceContext(include_declaration=True),
            text_document=wws.doc("app/report.py"),
            position=position,
        )
    )
    assert found and all(isinstance(loc, types.Location) for loc in found)
