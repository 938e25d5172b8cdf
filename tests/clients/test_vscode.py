"""The VS Code extension builds with ``tsc`` and its node tests pass.

The extension is copied to a temporary folder, its locked dependencies are
installed with ``npm ci`` (from npm's cache when it holds them), it is
compiled, and node's built-in test runner runs the tests of its pure modules
(settings, search items, status text), which need no VS Code.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

EXTENSION = Path(__file__).resolve().parents[2] / "clients" / "vscode"
#: What the build needs from the source folder (node_modules and out are made fresh).
SOURCES = ("package.json", "package-lock.json", "tsconfig.json", "src")


def run(command: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_UPDATE_NOTIFIER": "1", "npm_config_fund": "false"}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_extension_builds_and_its_node_tests_pass(tmp_path: Path) -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed: apt-get install nodejs npm")
    work = tmp_path / "vscode"
    work.mkdir()
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

    tests = sorted(str(p) for p in (work / "out" / "test").glob("*.test.js"))
    assert tests, "no compiled node tests"
    done = run([node, "--test", *tests], work, timeout=300)
    assert done.returncode == 0, f"node tests failed:\n{done.stdout}\n{done.stderr}"
    passed = re.search(r"^# pass (\d+)$", done.stdout, re.MULTILINE)
    failed = re.search(r"^# fail (\d+)$", done.stdout, re.MULTILINE)
    assert passed is not None and failed is not None, done.stdout
    assert int(failed.group(1)) == 0
    assert int(passed.group(1)) >= len(tests)
