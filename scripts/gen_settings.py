"""Generate the settings docs and the VS Code settings schema from ``codeidx.config``.

``codeidx.config.describe_settings()`` is the one description of the
server's settings.  This script turns it, plus the few settings that only
the editor clients read (how to start the server), into:

- ``docs/configuration.md``, the user's reference of every setting;
- the ``contributes.configuration`` section of ``clients/vscode/package.json``
  (the rest of that file is left as it is).

``--check`` writes nothing and exits 1, naming the files, when either file
differs from what would be generated; CI runs it through
``tests/clients/test_settings_schema.py``.  ``--schema`` prints the JSON
Schema of the server's settings object (``initializationOptions``).

It must not describe settings of its own invention for the server: a
server setting is added to ``codeidx.config`` and this script is re-run.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "server"))

from codeidx.config import SettingInfo, describe_settings  # noqa: E402

DOC = ROOT / "docs" / "configuration.md"
PACKAGE = ROOT / "clients" / "vscode" / "package.json"
#: The VS Code settings section; the server reads the same name from
#: ``workspace/didChangeConfiguration``.
SECTION = "codeidx"


@dataclass(frozen=True, slots=True)
class ClientSetting:
    """A setting only the editor client reads (the server never sees it)."""

    key: str
    schema: dict[str, Any]
    description: str


#: How the VS Code extension starts and traces the server.  The Neovim plugin
#: takes the same choice as ``cmd`` in ``setup()``.
CLIENT_SETTINGS: tuple[ClientSetting, ...] = (
    ClientSetting(
        "server.python",
        {"type": "string", "default": "python3"},
        "The Python interpreter that runs `python -m codeidx serve`; it must have codeidx "
        "installed (for a source checkout: `.venv/bin/python`). Changing it restarts the server.",
    ),
    ClientSetting(
        "server.command",
        {"type": "array", "items": {"type": "string"}, "default": []},
        'The whole command that starts the server, e.g. `["codeidx", "serve"]`; when not '
        "empty it is used instead of `server.python`. Changing it restarts the server.",
    ),
    ClientSetting(
        "trace.server",
        {"type": "string", "enum": ["off", "messages", "verbose"], "default": "off"},
        "Log the messages between the editor and the server in the codeidx output channel.",
    ),
)


def json_type(info: SettingInfo) -> str | list[str]:
    """The JSON Schema ``type`` of a setting, with ``null`` when unset means the default."""
    return [info.type, "null"] if info.nullable else info.type


def property_schema(info: SettingInfo) -> dict[str, Any]:
    """A setting's JSON Schema, without its description."""
    schema: dict[str, Any] = {"type": json_type(info)}
    if info.items is not None:
        items: dict[str, Any] = {"type": info.items}
        if info.enum is not None:
            items["enum"] = list(info.enum)
        schema["items"] = items
    elif info.enum is not None:
        schema["enum"] = list(info.enum)
    if info.minimum is not None:
        schema["minimum"] = info.minimum
    schema["default"] = info.default
    return schema


def server_description(info: SettingInfo) -> str:
    """A setting's description, saying when a change needs a restart."""
    if info.restart:
        return f"{info.description} Read when the server starts (VS Code restarts it on a change)."
    return info.description


def settings_schema() -> dict[str, Any]:
    """The JSON Schema of the server's settings object, nested as the server reads it."""
    root: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "codeidx settings (initializationOptions, or the codeidx configuration section)",
        "type": "object",
        "properties": {},
        "additionalProperties": False,
    }
    for info in describe_settings():
        node = root
        *parents, leaf = info.key.split(".")
        for parent in parents:
            node = node["properties"].setdefault(
                parent,
                {"type": "object", "properties": {}, "additionalProperties": False},
            )
        node["properties"][leaf] = {**property_schema(info), "description": info.description}
    return root


def vscode_configuration() -> dict[str, Any]:
    """The ``contributes.configuration`` section of the VS Code extension."""
    properties: dict[str, Any] = {}
    order = 0
    for client in CLIENT_SETTINGS:
        properties[f"{SECTION}.{client.key}"] = {
            **client.schema,
            "markdownDescription": client.description,
            "order": order,
        }
        order += 1
    for info in describe_settings():
        properties[f"{SECTION}.{info.key}"] = {
            **property_schema(info),
            "markdownDescription": server_description(info),
            "order": order,
        }
        order += 1
    return {"title": "codeidx", "properties": properties}


def render_package(current: str) -> str:
    """``package.json`` with its configuration section replaced, formatted as npm does."""
    data = json.loads(current)
    data.setdefault("contributes", {})["configuration"] = vscode_configuration()
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _cell(value: Any) -> str:
    return f"`{json.dumps(value)}`"


def _type_text(info: SettingInfo) -> str:
    text = info.type
    if info.items is not None:
        text = f"array of {info.items}"
        if info.enum is not None:
            text += " (" + ", ".join(f"`{v}`" for v in info.enum) + ")"
    if info.minimum is not None:
        text += f" ≥ {info.minimum:g}"
    if info.nullable:
        text += " or null"
    return text


def render_doc() -> str:
    """docs/configuration.md."""
    lines = [
        "# Configuration",
        "",
        "<!-- Generated by scripts/gen_settings.py from server/codeidx/config.py: do not edit."
        " Run `.venv/bin/python scripts/gen_settings.py` after changing a setting. -->",
        "",
        "codeidx reads its settings from the client: as `initializationOptions` when the server "
        "starts, and from `workspace/didChangeConfiguration` (the `codeidx` section) while it "
        "runs.",
        "Keys are nested as the dots show: `search.model` is `model` inside the `search` object.",
        "A setting left out takes its default; a bad value is named once in the server's log "
        "and its default is used.",
        "The protocol details are in `docs/protocol-extensions.md`.",
        "",
        "## Server settings",
        "",
        "| Key | Type | Default | Meaning |",
        "|---|---|---|---|",
    ]
    for info in describe_settings():
        meaning = server_description(info).replace("|", "\\|")
        lines.append(f"| `{info.key}` | {_type_text(info)} | {_cell(info.default)} | {meaning} |")
    lines += [
        "",
        "A change of any setting but `indexDir`, `watchDisk` and `search` re-indexes the "
        "workspace incrementally: files the new settings leave out are removed, newly "
        "admitted files are indexed.",
        "",
        "## Editor settings",
        "",
        "These only tell the editor how to start the server; the server never reads them.",
        "",
        "| Key | Type | Default | Meaning |",
        "|---|---|---|---|",
    ]
    for client in CLIENT_SETTINGS:
        kind = client.schema["type"]
        if kind == "array":
            kind = f"array of {client.schema['items']['type']}"
        if "enum" in client.schema:
            kind += " (" + ", ".join(f"`{v}`" for v in client.schema["enum"]) + ")"
        default = _cell(client.schema["default"])
        lines.append(f"| `{client.key}` | {kind} | {default} | {client.description} |")
    lines += [
        "",
        "## Where to set them",
        "",
        "- **VS Code**: every key above is a setting named `codeidx.<key>` "
        "(`codeidx.search.model`), in the user or workspace `settings.json`.",
        "  Only values set explicitly are sent, so the server's own defaults and environment "
        "variables (`CODEIDX_MODEL`, `CODEIDX_INDEX_DIR`) apply otherwise.",
        '- **Neovim**: `require("codeidx").setup({ cmd = { ... }, settings = { ... } })`, with '
        "the server settings nested as above, for example "
        '`settings = { exclude = { "vendor/" }, search = { model = "hash" } }`.',
        "- **Any other LSP client**: send the object as `initializationOptions`, and as "
        '`{"codeidx": {...}}` in `workspace/didChangeConfiguration`.',
        "",
        "## JSON Schema",
        "",
        "`.venv/bin/python scripts/gen_settings.py --schema` prints the JSON Schema of the "
        "server's settings object.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when a file is out of date"
    )
    group.add_argument(
        "--schema", action="store_true", help="print the JSON Schema of the server's settings"
    )
    args = parser.parse_args(argv)
    if args.schema:
        print(json.dumps(settings_schema(), indent=2, ensure_ascii=False))
        return 0
    if not PACKAGE.is_file():
        print(f"gen_settings: error: {PACKAGE.relative_to(ROOT)} is missing", file=sys.stderr)
        return 1
    wanted = {
        DOC: render_doc(),
        PACKAGE: render_package(PACKAGE.read_text(encoding="utf-8")),
    }
    stale = [
        path
        for path, text in wanted.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    if args.check:
        if stale:
            names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
            print(
                f"gen_settings: {names} out of date with server/codeidx/config.py; "
                "run `.venv/bin/python scripts/gen_settings.py`",
                file=sys.stderr,
            )
            return 1
        return 0
    for path in stale:
        path.write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
