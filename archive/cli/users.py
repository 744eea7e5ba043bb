"""The users commands: the accounts of the server, kept in the archive's private/users.json."""

from __future__ import annotations

import sys

import click

from archive.cli import common
from archive.cli.main import cli
from events.errors import InvalidInput, UsageError

__all__ = ["users"]


def _accounts(ctx: click.Context) -> object:
    try:
        from archive.web.accounts import Accounts  # noqa: PLC0415
    except ImportError as exc:
        raise UsageError(
            f"Accounts need the server's libraries ({exc.name} is missing).", hint="Install them: pip install 'fact-archive[server]'"
        ) from exc
    return Accounts(common.open_archive(ctx).root)


@cli.group()
def users() -> None:
    """Keep the accounts of 'archive serve': who may read, write, and sign in.

    \b
    archive users add NAME --role reader|editor|admin [--password-stdin]
    archive users list
    archive users remove NAME
    """


@users.command(name="add")
@click.argument("name")
@click.option("--role", type=click.Choice(("reader", "editor", "admin")), required=True, help="What the account may do.")
@click.option("--password-stdin", is_flag=True, help="Read a password for the browser's sign-in from the first line of stdin.")
@click.pass_context
def add(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:
    """Make an account; print its API token once, alone on the last line (only a slow hash of it is kept)."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InvalidInput("--password-stdin: the first line of stdin is empty.", hint="Pipe the password in: echo PASSWORD | archive users add ...")
    accounts = _accounts(ctx)
    token = accounts.add(name, role, password)  # type: ignore[attr-defined]
    signs = "a token and a password" if password else "a token (no password: add one with --password-stdin when making the account)"
    click.echo(f"Made the account '{name}' ({role}), which signs in with {signs}.")
    click.echo("Its token, shown this once (send it as 'Authorization: Bearer TOKEN'):")
    click.echo(token)


@users.command(name="list")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="How to print it.")
@click.pass_context
def list_(ctx: click.Context, fmt: str) -> None:
    """List the accounts: name, role, whether it has a password, when it was made (never a token or hash)."""
    from projections.views import to_json  # noqa: PLC0415

    rows = [
        {"name": a.name, "role": a.role, "password": a.password_hash is not None, "created": a.created}
        for a in _accounts(ctx).list()  # type: ignore[attr-defined]
    ]
    if fmt == "json":
        common.out(to_json(rows))
        return
    for row in rows:
        common.out(f"{row['name']}  {row['role']}  {'password' if row['password'] else 'token only'}  {row['created']}\n")


@users.command(name="remove")
@click.argument("name")
@click.pass_context
def remove(ctx: click.Context, name: str) -> None:
    """Remove an account: its token and browser sessions stop working at once."""
    _accounts(ctx).remove(name)  # type: ignore[attr-defined]
    click.echo(f"Removed the account '{name}'.")
