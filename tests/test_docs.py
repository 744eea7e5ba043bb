"""Docs kept honest: every ``archive`` command and option has help text, read commands speak JSON, and the README
names every command."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from archive.cli.main import cli

README = Path(__file__).resolve().parents[1] / "README.md"
COMMANDS = sorted(cli.commands)
READ_COMMANDS = ("show", "records", "log")
"""The foundation's read commands; every command with a --format must offer json too."""


def test_the_foundation_commands_are_there() -> None:
    assert {"init", "import", "append", "build", "show", "records", "log", "schema"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_text(name: str) -> None:
    command = cli.commands[name]
    text = (command.help or "").strip()
    assert text, f"archive {name} has no help text"
    assert command.get_short_help_str(limit=80).strip(), f"archive {name} has no short help"


@pytest.mark.parametrize("name", ["(group)", *COMMANDS])
def test_every_option_has_help_text(name: str) -> None:
    command: click.Command = cli if name == "(group)" else cli.commands[name]
    missing = [
        "/".join(param.opts) for param in command.params if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert missing == [], f"archive {name}: options without help text: {', '.join(missing)}"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_format_option_offers_json(name: str) -> None:
    for param in cli.commands[name].params:
        if isinstance(param, click.Option) and "--format" in param.opts:
            assert isinstance(param.type, click.Choice) and "json" in param.type.choices, f"archive {name} --format"


@pytest.mark.parametrize("name", READ_COMMANDS)
def test_read_commands_have_format(name: str) -> None:
    assert any("--format" in p.opts for p in cli.commands[name].params if isinstance(p, click.Option))


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str) -> None:
    if not README.is_file():
        pytest.skip("README.md is not written yet")
    text = README.read_text(encoding="utf-8")
    assert re.search(rf"archive (?:\[-C DIR\] |-C \S+ )?{re.escape(name)}\b", text), f"README.md never shows 'archive {name}'"
