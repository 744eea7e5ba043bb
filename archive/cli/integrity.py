"""Commands that check and repair the log: verify, recover."""

from __future__ import annotations

import click

from archive.cli import common as common
from archive.cli.main import cli

__all__ = ["recover", "verify"]


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="How to print the result."
)
@click.pass_context
def verify(ctx: click.Context, fmt: str) -> None:
    """Check the whole log, line by line, and name the first bad line (exit 4).

    \b
    Checks every line's JSON and event schema, seq and rev numbering, the
    hash chain, end marks, references (no revision or retraction of an
    unknown fact, no event for an unknown record), and that the last line an
    append wrote (.archive/head.json) is there unchanged. Reads the log once,
    streaming: it works on logs larger than memory.
    """
    from archive.saved.audit import audit_saved_states  # noqa: PLC0415
    from archive.store.folder import open_log  # noqa: PLC0415
    from archive.store.verify import verify_log  # noqa: PLC0415
    from projections.views import to_json  # noqa: PLC0415

    from archive.store.folder import open_log  # noqa: PLC0415

    found = common.open_archive(ctx)
    bar = common.progress(open_log(found).size(), "Verifying")
    report = verify_log(found, progress=bar.update if bar is not None else None)
    if bar is not None:
        bar.render_finish()
    saved = audit_saved_states(found, report.state) if report.state is not None else []
    if fmt == "json":
        common.out(to_json({**report.as_json(), "saved_states": saved}))
    for problem in saved:
        common.warn(problem)
    if not report.ok:
        raise report.error()
    if fmt == "text":
        records = f"{report.records} record{'s' if report.records != 1 else ''}"
        common.out(
            f"{report.file} is sound: {report.lines} lines, {report.revisions} revisions, {records}, {report.bytes} bytes; "
            f"the hash chain holds to line {report.lines} (head {report.head[:12]}).\n"
        )
        if not report.witness and report.lines:
            common.warn(
                "no .archive/head.json (the log was copied without it, or no append wrote it yet): a change to the "
                "last line alone, or whole revisions lost from the end, cannot be seen."
            )
        common.out(
            "The chain shows no line was changed, removed or reordered since it was written; it cannot show a history "
            "rewritten whole with a recomputed chain and witness: only a checkpoint kept elsewhere can.\n"
        )


@cli.command()
@click.option("--dry-run", is_flag=True, help="Say what would be moved, and change nothing.")
@click.option(
    "--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="How to print the result."
)
@click.pass_context
def recover(ctx: click.Context, dry_run: bool, fmt: str) -> None:
    """Repair a torn tail: move an unfinished revision at the end of the log to .archive/quarantine/.

    A write cut short by a crash leaves lines with no end mark, or half a
    line, after the last whole revision. This copies exactly those bytes to
    a new file in .archive/quarantine/ (named for the time and the byte
    range, fsynced), then cuts the log back to its last whole revision.
    Nothing else is ever removed: damage anywhere else is refused (exit 4).
    """
    from archive.store.recover import recover_log  # noqa: PLC0415
    from projections.views import to_json  # noqa: PLC0415

    found = common.open_archive(ctx)
    result = recover_log(found, dry_run=dry_run)
    if fmt == "json":
        common.out(to_json(result.as_json(dry_run=dry_run)))
        return
    from archive.store.folder import open_log  # noqa: PLC0415

    name = open_log(found).name
    if not result.torn:
        common.out(f"Nothing to recover: {name} ends with a whole revision (revision {result.rev}).\n")
        return
    what = f"bytes {result.start}-{result.end} of {name} ({result.lines} line{'s' if result.lines != 1 else ''})"
    if dry_run:
        common.out(f"Would move {what} to .archive/quarantine/; the log would end with revision {result.rev}.\n")
        return
    assert result.quarantine is not None
    shown = result.quarantine.relative_to(found.root) if result.quarantine.is_relative_to(found.root) else result.quarantine
    common.out(f"Moved {what} to {shown}; the log now ends with revision {result.rev}.\n")
