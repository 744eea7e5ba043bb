"""The layers keep their arrows one way (archive → projections → events), and the inner two do no I/O.

Walks every module's syntax tree, so imports inside functions count too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("events", "projections", "archive")

MAY_NOT_IMPORT = {
    "events": {"projections", "archive"},
    "projections": {"archive"},
    "archive": set(),
}
"""Which of our packages each layer may not import."""

IO_MODULES = frozenset(
    {
        "os",
        "pathlib",
        "subprocess",
        "shutil",
        "tempfile",
        "glob",
        "io",
        "sys",
        "time",
        "socket",
        "select",
        "signal",
        "fcntl",
        "mmap",
        "threading",
        "multiprocessing",
        "asyncio",
        "concurrent",
        "urllib",
        "http",
        "logging",
        "getpass",
        "platform",
        "sqlite3",
        "click",
        "watchfiles",
        "rich",
    }
)
"""Modules that touch files, processes, clocks, the network or the terminal: archive/ only."""

CLOCK_CALLS = frozenset({"now", "utcnow", "today", "time", "monotonic", "perf_counter", "time_ns"})
"""Calls that read a clock."""
IO_BUILTINS = frozenset({"open", "print", "input", "breakpoint", "exec", "eval", "__import__"})


@dataclass(frozen=True, slots=True)
class Use:
    """Something a module does that the layer rules look at."""

    module: str
    line: int
    what: str


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _name(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def _imports(path: Path, root: Path = ROOT) -> list[Use]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = _name(path, root)
    found: list[Use] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Use(name, node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # a relative import stays in its own package
                package = name.split(".")[0]
                found.append(Use(name, node.lineno, f"{package}.{node.module or ''}".rstrip(".")))
            elif node.module:
                found.append(Use(name, node.lineno, node.module))
    return found


def _calls(path: Path, root: Path = ROOT) -> list[Use]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = _name(path, root)
    found: list[Use] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in IO_BUILTINS:
            found.append(Use(name, node.lineno, f"{func.id}()"))
        elif isinstance(func, ast.Attribute) and func.attr in CLOCK_CALLS:
            found.append(Use(name, node.lineno, f".{func.attr}()"))
    return found


def test_every_package_has_modules() -> None:
    for package in PACKAGES:
        assert _modules(package), f"no modules in {package}/"


@pytest.mark.parametrize("package", PACKAGES)
def test_arrows_point_one_way(package: str) -> None:
    forbidden = MAY_NOT_IMPORT[package]
    wrong = [
        f"{use.module}:{use.line} imports {use.what}"
        for path in _modules(package)
        for use in _imports(path)
        if use.what.split(".")[0] in forbidden
    ]
    assert wrong == [], f"{package}/ may not import {', '.join(sorted(forbidden))}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("package", ["events", "projections"])
def test_inner_layers_do_no_io(package: str) -> None:
    wrong = [
        f"{use.module}:{use.line} imports {use.what}"
        for path in _modules(package)
        for use in _imports(path)
        if use.what.split(".")[0] in IO_MODULES
    ]
    wrong += [f"{use.module}:{use.line} calls {use.what}" for path in _modules(package) for use in _calls(path)]
    assert wrong == [], f"{package}/ must stay pure (no files, clocks, processes, terminal):\n" + "\n".join(wrong)


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    """The walker sees imports inside functions, relative imports and clock calls (a guard on the guard)."""
    module = tmp_path / "sample.py"
    module.write_text(
        "from datetime import datetime\n"
        "def f():\n"
        "    import os\n"
        "    from archive.cli.main import main\n"
        "    from . import sibling\n"
        "    return datetime.now(), open('x')\n",
        encoding="utf-8",
    )
    imports = {use.what for use in _imports(module, tmp_path)}
    calls = {use.what for use in _calls(module, tmp_path)}
    assert {"datetime", "os", "archive.cli.main", "sample"} <= imports
    assert calls == {".now()", "open()"}


ARCHIVE_LAYERS = ("store", "saved", "ingest", "web", "cli")
"""The sub-packages of archive/, lowest first: each may import those before it, never those after.

The store knows nothing above it; saved states know the store; ingestion composes appends from saved
states; the web layer renders and serves; the command line uses everything."""


def _archive_layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) >= 2 and parts[0] == "archive" and parts[1] in ARCHIVE_LAYERS else None


def test_archive_is_made_of_its_sub_packages() -> None:
    loose = sorted(p.name for p in (ROOT / "archive").glob("*.py") if p.name not in {"__init__.py", "__main__.py"})
    assert loose == [], f"archive/ holds only its sub-packages {ARCHIVE_LAYERS}; move these into one: {loose}"
    folders = sorted(p.name for p in (ROOT / "archive").iterdir() if p.is_dir() and p.name != "__pycache__")
    assert folders == sorted(ARCHIVE_LAYERS)


def test_archive_sub_packages_point_down() -> None:
    wrong = []
    for path in _modules("archive"):
        for use in _imports(path):
            here, there = _archive_layer(use.module), _archive_layer(use.what)
            if here is None or there is None:
                continue
            if ARCHIVE_LAYERS.index(there) > ARCHIVE_LAYERS.index(here):
                wrong.append(f"{use.module}:{use.line} imports {use.what} ({here} may not import {there})")
    assert wrong == [], "archive/ sub-packages point one way (" + " → ".join(reversed(ARCHIVE_LAYERS)) + "):\n" + "\n".join(wrong)
