"""Commands that prove the log to an outsider: keys, checkpoint, prove, check-proof."""

from __future__ import annotations

from pathlib import Path

import click

from archive.cli import common
from archive.cli.main import cli

__all__ = ["check_proof", "checkpoint", "keys", "prove"]

_KEY_PATH = click.option(
    "--key", "key_path", type=click.Path(dir_okay=False, path_type=Path), help="The private key file (default: in $XDG_CONFIG_HOME/fact-archive/)."
)


@cli.group()
def keys() -> None:
    """The archive's signing key and its authors' keys (public keys in keys/, private keys outside the archive)."""


@keys.command("init")
@click.option("--origin", metavar="NAME", help="The log's name in its checkpoints (default: fact-archive.local/FOLDER).")
@_KEY_PATH
@click.pass_context
def keys_init(ctx: click.Context, origin: str | None, key_path: Path | None) -> None:
    """Make the archive's Ed25519 key and print its public key on one line.

    \b
    The public key goes to keys/archive.pub; the private key to --key PATH,
    else $XDG_CONFIG_HOME/fact-archive/keys/ (mode 600). Give the public
    key to anyone who will check a checkpoint or a proof.
    """
    from archive.store.keys import init_archive_key  # noqa: PLC0415

    found = common.open_archive(ctx)
    name = origin or f"fact-archive.local/{found.root.resolve().name or 'archive'}"
    verifier = init_archive_key(found, name, key_path)
    common.out(f"{verifier}\n")


@keys.command("add-author")
@click.argument("name")
@click.option("--public", metavar="KEY", help="Register this public key (base64) instead of making a key pair.")
@_KEY_PATH
@click.pass_context
def keys_add_author(ctx: click.Context, name: str, public: str | None, key_path: Path | None) -> None:
    """Give the author NAME a key: their revisions from the next one on are signed, and verify checks them.

    \b
    With no --public, makes a key pair: the private key goes to --key PATH,
    else $XDG_CONFIG_HOME/fact-archive/authors/ (an append with --by NAME
    finds it there, or in $ARCHIVE_AUTHOR_KEY); the public key is listed in
    keys/authors.json.
    """
    from archive.saved.checkpoint import load_state  # noqa: PLC0415
    from archive.store.keys import add_author  # noqa: PLC0415

    found = common.open_archive(ctx)
    state, _ = load_state(found, warn=common.warn)
    author = add_author(found, name, since=state.head + 1, public=public, key_path=key_path)
    common.out(f"{name}: key {author.key_id}, signs revisions from {author.since} on.\n")


@cli.command("checkpoint")
@_KEY_PATH
@click.option("--export", "export", type=click.Path(dir_okay=False, allow_dash=True), help="Also write the latest checkpoint to FILE (- for stdout only).")
@click.option("--import", "import_", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="Keep a checkpoint someone kept (a witness), once it is signed by this archive's key and today's log extends it.")
@click.pass_context
def checkpoint(ctx: click.Context, key_path: Path | None, export: str | None, import_: Path | None) -> None:
    """Sign a checkpoint of the log (its size and Merkle root) and print it, a C2SP signed note.

    \b
    Kept in checkpoints/SIZE.note. Checkpoints are the summaries a reader
    keeps: 'archive verify --against FILE' later proves today's log extends
    the one it signs, and 'archive prove' proves lines against one.
    """
    from archive.saved.proving import check_extends, make_checkpoint  # noqa: PLC0415
    from archive.store.checkpoints import store_checkpoint  # noqa: PLC0415
    from archive.store.keys import load_archive_verifier  # noqa: PLC0415

    found = common.open_archive(ctx)
    if import_ is not None:
        verifier = load_archive_verifier(found)
        note = import_.read_text(encoding="utf-8")
        extension = check_extends(found, note, verifier, name=str(import_), warn=common.warn)
        path = store_checkpoint(found, note, extension.checkpoint)
        common.out(f"Kept {path.relative_to(found.root)}: today's log of {extension.size:,} lines extends it.\n")
        return
    kept, new = make_checkpoint(found, key_path=key_path, warn=common.warn)
    if export is not None and export != "-":
        Path(export).write_text(kept.note, encoding="utf-8")
    common.out(kept.note)
    if not new:
        common.warn(f"the log has not grown since {kept.path.relative_to(found.root)}; printed that one.")


@cli.command()
@click.argument("record")
@click.option("--at", metavar="REV", help="The revision of the view (default: the latest checkpoint's). " + common.REV_HELP)
@click.option("--fact", metavar="ID", help="Only the lines of this fact.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the bundle to FILE instead of stdout.")
@click.pass_context
def prove(ctx: click.Context, record: str, at: str | None, fact: str | None, out_path: Path | None) -> None:
    """Write a proof bundle (JSON): the log lines behind RECORD's view (or one fact) at a revision, each with its
    inclusion proof, and the signed checkpoint they lead to. Check it with 'archive check-proof'."""
    from archive.saved.proving import make_bundle  # noqa: PLC0415
    from archive.store.folder import open_log  # noqa: PLC0415
    from archive.store.keys import load_archive_verifier  # noqa: PLC0415
    from archive.store.revisions import resolve_revision  # noqa: PLC0415

    found = common.open_archive(ctx)
    until = None if at is None else resolve_revision(at, open_log(found))
    bundle = make_bundle(found, load_archive_verifier(found), record, at=until, fact=fact, warn=common.warn)
    data = bundle.model_dump_json(indent=1) + "\n"
    if out_path is not None:
        out_path.write_text(data, encoding="utf-8")
    else:
        common.out(data)


@cli.command("check-proof")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--key", "public", required=True, metavar="PUBKEY", help="The archive's public key (NAME+ID+KEY), or a file holding it.")
def check_proof(bundle: str, public: str) -> None:
    """Check a proof bundle with nothing but the archive's public key, and say what it proves (exit 1 if it does not hold).

    Needs no archive: the checkpoint's signature, every line's inclusion proof,
    and each line's record, fact and revision are checked from the bundle alone.
    """
    import sys  # noqa: PLC0415

    from archive.store.bundle import check_bundle, describe  # noqa: PLC0415
    from archive.store.notes import Verifier  # noqa: PLC0415

    text = Path(public).read_text(encoding="utf-8") if Path(public).is_file() else public
    verifier = Verifier.parse(text)
    raw = sys.stdin.buffer.read() if bundle == "-" else Path(bundle).read_bytes()
    checked, cp, events = check_bundle(raw, verifier, bundle)
    common.out(describe(checked, cp, events))
