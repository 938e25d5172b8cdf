"""The VS Code extension: it builds, its node tests pass, and it drives the real server.

The extension is copied to a temporary folder, its locked dependencies are
installed with ``npm ci`` (from npm's cache when it holds them) and it is
compiled with ``tsc``, once for the module.  Node's built-in test runner then
runs the tests of its pure modules (settings, search items, status text).
``vscode_host.js`` stands in for the VS Code API and runs the compiled
extension against a real ``codeidx serve`` on a copy of
``tests/workspaces/shapes``: activation, the status bar following the index
run, "Search Code" through to opening the chosen definition, a settings change,
and "Show Status".
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "clients" / "vscode"
HOST = Path(__file__).resolve().parent / "vscode_host.js"
WORKSPACE = ROOT / "tests" / "workspaces" / "shapes"
#: What the build needs from the source folder (node_modules and out are made fresh).
SOURCES = ("package.json", "package-lock.json", "tsconfig.json", "src")


def run(
    command: list[str], cwd: Path, timeout: float, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_UPDATE_NOTIFIER": "1", "npm_config_fund": "false"}
    env.update(extra_env or {})
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The extension, installed and compiled in a temporary folder."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed: apt-get install nodejs npm")
    work = tmp_path_factory.mktemp("vscode")
    for name in SOURCES:
        source = EXTENSION / name
        if source.is_dir():
            shutil.copytree(source, work / name)
        else:
            shutil.copy2(source, work / name)
    done = run([npm, "ci", "--prefer-offline", "--no-audit"], work, timeout=600)
    assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
    tsc = work / "node_modules" / "typescript" / "bin" / "tsc"
    done = run([node, str(tsc), "-p", "."], work, timeout=300)
    assert done.returncode == 0, f"tsc failed:\n{done.stdout}\n{done.stderr}"
    assert (work / "out" / "extension.js").is_file()
    return work


def test_node_tests_of_the_pure_modules_pass(built: Path) -> None:
    tests = sorted(str(p) for p in (built / "out" / "test").glob("*.test.js"))
    assert tests, "no compiled node tests"
    done = run(["node", "--test", *tests], built, timeout=300)
    assert done.returncode == 0, f"node tests failed:\n{done.stdout}\n{done.stderr}"
    passed = re.search(r"^# pass (\d+)$", done.stdout, re.MULTILINE)
    failed = re.search(r"^# fail (\d+)$", done.stdout, re.MULTILINE)
    assert passed is not None and failed is not None, done.stdout
    assert int(failed.group(1)) == 0
    assert int(passed.group(1)) >= len(tests)


def test_extension_drives_the_real_server(built: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(WORKSPACE, workspace)
    out = tmp_path / "result.json"
    done = run(
        ["node", str(HOST), str(built), str(out)],
        tmp_path,
        timeout=400,
        extra_env={
            "CODEIDX_PYTHON": sys.executable,
            "CODEIDX_WORKSPACE": str(workspace),
            "CODEIDX_INDEX": str(tmp_path / "index"),
        },
    )
    assert out.is_file(), f"the host wrote no result:\n{done.stdout}\n{done.stderr}"
    seen: dict[str, Any] = json.loads(out.read_text())
    assert "failure" not in seen, f"{seen.get('failure')}\nsteps: {seen['steps']}\n{done.stderr}"
    assert seen["errors"] == []

    # The extension's commands, and the server's, which the language client registers.
    assert set(seen["commands"]) >= {
        "codeidx.searchCode",
        "codeidx.reindexWorkspace",
        "codeidx.showStatus",
        "codeidx.reindex",
        "codeidx.status",
    }
    # The status bar followed the progress of the initial run, then showed its end.
    assert any(text.startswith("$(sync~spin) codeidx") for text in seen["statusTexts"])
    assert seen["tooltipAfterInitial"].startswith("codeidx: last run initial: complete")

    search = seen["search"]
    assert search["title"] == "codeidx: sum the areas of shapes"
    assert re.fullmatch(r"\d+ results \(hybrid\)", search["placeholder"])
    by_label = {item["label"]: item for item in search["items"]}
    total = by_label["app.shapes.total_area"]
    lines = (workspace / "app" / "shapes.py").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("def total_area("))
    assert total["description"] == f"function · app/shapes.py:{line}"
    assert "Sum the areas" in total["detail"]

    opened = seen["opened"]
    assert opened["uri"] == (workspace / "app" / "shapes.py").resolve().as_uri()
    start = {"line": line - 1, "character": len("def ")}
    end = {"line": line - 1, "character": len("def total_area")}
    assert opened["selection"] == {"start": start, "end": end}

    # After `exclude` changed, the server re-indexed without app/report.py.
    report = seen["statusReport"]
    assert report.startswith("# codeidx status")
    assert "- 2 files," in report
    assert "- Last run: config: complete" in report
