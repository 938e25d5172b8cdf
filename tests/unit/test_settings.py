"""``config.Settings``: parsing client settings, filters for runs and single paths."""

from __future__ import annotations

import logging

import pytest

from codeidx.config import Settings


def test_defaults_index_everything() -> None:
    settings = Settings.parse({}, "test")
    assert settings == Settings()
    options = settings.index_options()
    assert (options.include, options.exclude) == ((), ())
    assert settings.admits("a/b.py") and settings.admits("x.go")
    assert not settings.admits("notes.txt")


def test_bad_values_are_named_and_defaulted(caplog: pytest.LogCaptureFixture) -> None:
    raw = {"include": "src", "exclude": [1], "maxFileBytes": True, "languages": ["cobol"]}
    with caplog.at_level(logging.WARNING, logger="codeidx.config"):
        settings = Settings.parse(raw, "settings")
    assert settings == Settings()
    text = caplog.text
    for key in ("'include'", "'exclude'", "'maxFileBytes'", "'cobol'"):
        assert text.count(key) == 1, key


def test_languages_become_an_include_filter() -> None:
    settings = Settings.parse({"languages": ["python", "go"], "maxFileBytes": 1000}, "test")
    options = settings.index_options()
    assert options.include == ("*.py", "*.pyi", "*.go")
    assert options.max_file_bytes == 1000
    assert settings.admits("a/b.go") and not settings.admits("a/b.rs")


def test_languages_with_include_exclude_the_other_languages() -> None:
    settings = Settings.parse({"languages": ["python"], "include": ["src/"]}, "test")
    options = settings.index_options()
    assert options.include == ("src/",)
    assert "*.rs" in options.exclude and "*.py" not in options.exclude
    assert settings.admits("src/a.py")
    assert not settings.admits("lib/a.py") and not settings.admits("src/a.rs")


@pytest.mark.parametrize(
    ("glob", "path", "excluded"),
    [
        ("extra/", "extra/tools.py", True),
        ("extra", "pkg/extra/tools.py", True),
        ("/extra", "pkg/extra/tools.py", False),
        ("pkg/extra", "pkg/extra/tools.py", True),
        ("*_test.go", "a/b_test.go", True),
        ("**/gen", "a/gen/x.py", True),
        ("extra/", "extras/tools.py", False),
    ],
)
def test_exclude_globs_on_single_paths(glob: str, path: str, excluded: bool) -> None:
    assert Settings(exclude=(glob,)).admits(path) is not excluded
