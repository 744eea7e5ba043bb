"""The command line: parses arguments, calls the layers below, turns errors into exit statuses."""

from archive.cli.main import cli, main

__all__ = ["cli", "main"]
