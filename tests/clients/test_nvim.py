"""The Neovim plugin against the real server, in a headless Neovim.

``tests/clients/nvim_search.lua`` runs inside ``nvim --headless -u NONE``:
it sets the plugin up with ``search.model = "hash"`` (no model is loaded) and
an index folder under the test's temporary folder, opens a file of a copy of
``tests/workspaces/shapes``, waits (bounded) for the initial index run and
for embedding to finish, runs ``:CodeidxSearch sum the areas of shapes`` and
``:CodeidxStatus`` and ``:CodeidxReindex``, writes a file behind Neovim's back
(it registers no file watcher, so the server looks at the disk itself), and
writes what it saw as JSON for the checks here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "clients" / "nvim"
SCRIPT = Path(__file__).resolve().parent / "nvim_search.lua"
WORKSPACE = ROOT / "tests" / "workspaces" / "shapes"


def test_search_fills_the_quickfix_list(tmp_path: Path) -> None:
    nvim = shutil.which("nvim")
    if nvim is None:
        pytest.skip("nvim is not installed: apt-get install neovim")
    workspace = tmp_path / "ws"
    shutil.copytree(WORKSPACE, workspace)
    # The plugin finds the workspace root by its nearest .git.
    (workspace / ".git").mkdir()
    out = tmp_path / "result.json"
    env = {
        **os.environ,
        "CODEIDX_PLUGIN": str(PLUGIN),
        "CODEIDX_PYTHON": sys.executable,
        "CODEIDX_WORKSPACE": str(workspace),
        "CODEIDX_INDEX": str(tmp_path / "index"),
        "CODEIDX_RESULT": str(out),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    env.pop("CODEIDX_MODEL", None)
    done = subprocess.run(
        [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {SCRIPT}"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    log = tmp_path / "cache" / "nvim" / "lsp.log"
    server_log = log.read_text(errors="replace")[-4000:] if log.is_file() else "(no lsp.log)"
    assert out.is_file(), f"nvim wrote no result (exit {done.returncode}):\n{done.stderr}"
    result = json.loads(out.read_text())
    assert result["errors"] == [], f"{result}\n{done.stderr}\n{server_log}"

    assert Path(result["root"]).resolve() == workspace.resolve()
    assert result["run"]["reason"] == "initial"
    assert result["run"]["status"] == "complete"
    assert result["mode"] == "hybrid"

    assert result["title"] == "codeidx: sum the areas of shapes"
    assert result["quickfix_open"] is True
    shapes = workspace / "app" / "shapes.py"
    lines = shapes.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("def total_area("))
    found = [
        item for item in result["quickfix"] if item["text"].startswith("app.shapes.total_area — ")
    ]
    assert len(found) == 1, result["quickfix"]
    item = found[0]
    assert Path(item["filename"]).resolve() == shapes.resolve()
    assert (item["lnum"], item["col"]) == (line, len("def ") + 1)
    assert "Sum the areas" in item["text"]

    status = "\n".join(result["status"])
    assert status.startswith("# codeidx status")
    assert f"## {workspace.resolve()}" in status
    assert "- 3 files," in status
    assert "- Last run: initial: complete" in status
    assert result["status_buffers_added"] == 1

    assert result["reindex"]["status"] == "complete"
    assert result["reindex"]["filesUnchanged"] == 3

    assert result["watch"]["run"]["status"] == "complete"
    assert result["watch"]["paths"] == ["app/extra.py"]
