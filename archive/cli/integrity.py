"""Commands that check and repair the log: verify, recover."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from archive.cli import common
from archive.cli.main import cli
from events.errors import DamagedLog

__all__ = ["recover", "verify"]


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="How to print the result."
)
@click.option(
    "--against",
    type=click.Path(exists=True, dir_okay=False),
    metavar="CHECKPOINT",
    help="Also prove the log extends the one this signed checkpoint names (a consistency proof).",
)
@click.option("--key", "public", metavar="PUBKEY", help="The public key that signed CHECKPOINT (default: keys/archive.pub).")
@click.pass_context
def verify(ctx: click.Context, fmt: str, against: str | None, public: str | None) -> None:
    """Check the whole log, line by line, and name the first bad line (exit 4).

    \b
    Checks every line's JSON and event schema, seq and rev numbering, the
    hash chain, end marks, references (no revision or retraction of an
    unknown fact, no event for an unknown record), and that the last line an
    append wrote (.archive/head.json) is there unchanged. Reads the log once,
    streaming: it works on logs larger than memory. Then checks every archived
    copy of a source (captures/sha256/...) against the hash its event
    recorded, and names a missing or altered one (exit 4). When authors have
    keys (keys/authors.json), checks every revision's signature and names one
    that fails. With --against, also proves that the log of the checkpoint's
    size is a prefix of today's, which catches a history rewritten with its
    chain and witness recomputed. Saved states in .archive/ that disagree
    with the log are named (a warning) and discarded.
    """
    from archive.saved.audit import audit_saved_states  # noqa: PLC0415
    from archive.store.folder import open_log  # noqa: PLC0415
    from archive.store.verify import verify_log  # noqa: PLC0415
    from projections.views import to_json  # noqa: PLC0415


    found = common.open_archive(ctx)
    bar = common.progress(open_log(found).size(), "Verifying")
    report = verify_log(found, progress=bar.update if bar is not None else None)
    if bar is not None:
        bar.render_finish()
    saved = audit_saved_states(found, report.state) if report.state is not None else []
    problems, checked = _check_captures(found, report.state) if report.ok and report.state is not None else ([], 0)
    for problem in saved:
        common.warn(problem)
    if not report.ok:
        if fmt == "json":
            common.out(to_json({**report.as_json(), "saved_states": saved}))
        raise report.error()
    captures = {"checked": checked, "problems": [_problem_json(found, p) for p in problems]}
    if problems:
        if fmt == "json":
            common.out(to_json({**report.as_json(), "ok": False, "saved_states": saved, "captures": captures}))
        raise DamagedLog(
            "; ".join(_problem_text(found, p) for p in problems) + ".",
            hint="Restore the file from a backup: its name is its SHA-256, so any copy of it will do.",
        )
    extra = _proofs(found, against, public)
    if fmt == "json":
        common.out(to_json({**report.as_json(), "saved_states": saved, "captures": captures, **extra}))
    if fmt == "text":
        records = f"{report.records} record{'s' if report.records != 1 else ''}"
        common.out(
            f"{report.file} is sound: {report.lines} lines, {report.revisions} revisions, {records}, {report.bytes} bytes; "
            f"the hash chain holds to line {report.lines} (head {report.head[:12]}).\n"
        )
        if checked:
            common.out(f"{checked} archived cop{'y' if checked == 1 else 'ies'} of sources checked against their hashes: as captured.\n")
        if "signed" in extra:
            common.out(f"Signatures: {extra['signed']} revisions signed by their authors, all holding; {extra['unsigned']} unsigned.\n")
        if "against" in extra:
            proven = extra["against"]
            common.out(
                f"It extends the checkpoint {against} of {proven['size']:,} lines signed by {proven['origin']}: "
                f"its root recomputed from the log, and a consistency proof of {proven['proof']} hashes to today's "
                f"{proven['today']:,} lines, hold.\n"
            )
        if not report.witness and report.lines:
            common.warn(
                "no .archive/head.json (the log was copied without it, or no append wrote it yet): a change to the "
                "last line alone, or whole revisions lost from the end, cannot be seen."
            )
        if "against" not in extra:
            common.out(
                "The chain shows no line was changed, removed or reordered since it was written; it cannot show a history "
                "rewritten whole with a recomputed chain and witness: only a checkpoint kept elsewhere can.\n"
            )


def _check_captures(found: Any, state: Any) -> tuple[list[tuple[Any, list[tuple[str, int]]]], int]:
    """The stored captures the log (folded by verify into ``state``) names that are missing or altered, each
    with the records and revisions that recorded it; and how many were checked."""
    from archive.store.captures import check_captures  # noqa: PLC0415

    named: dict[str, list[tuple[str, int]]] = {}
    for slug, record in state.records.items():
        for kept in record.captures.values():
            for capture in kept:
                named.setdefault(capture.warc, []).append((slug, capture.rev))
    problems = check_captures(found.root, named)
    return [(p, named[p.sha256]) for p in problems], len(named)


def _shown(found: Any, path: Path) -> str:
    return str(path.relative_to(found.root)) if path.is_relative_to(found.root) else str(path)


def _problem_text(found: Any, item: tuple[Any, list[tuple[str, int]]]) -> str:
    problem, where = item
    by = ", ".join(f"'{slug}' r{rev}" for slug, rev in where)
    what = "is missing" if problem.problem == "missing" else f"has been altered (its bytes hash to {problem.actual})"
    return f"the archived copy {_shown(found, problem.path)} {what}; recorded for {by}"


def _problem_json(found: Any, item: tuple[Any, list[tuple[str, int]]]) -> dict[str, Any]:
    problem, where = item
    return {
        "file": _shown(found, problem.path),
        "sha256": problem.sha256,
        "problem": problem.problem,
        "actual": problem.actual,
        "records": [{"record": slug, "rev": rev} for slug, rev in where],
    }


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


def _proofs(found: Any, against: str | None, public: str | None) -> dict[str, Any]:
    """The signature and checkpoint checks that go beyond the chain (issue 17); raises DamagedLog naming what fails."""
    from pathlib import Path  # noqa: PLC0415

    from archive.saved.proving import check_extends, revision_signatures  # noqa: PLC0415
    from archive.store.keys import load_archive_verifier  # noqa: PLC0415
    from archive.store.notes import Verifier  # noqa: PLC0415
    from events.errors import DamagedLog  # noqa: PLC0415

    extra: dict[str, Any] = {}
    checks = revision_signatures(found)
    if checks:
        for rev, (by, check) in sorted(checks.items()):
            if check.status == "failed":
                raise DamagedLog(
                    f"{found.log.name}: revision {rev} (by {by}): {check.problem}.",
                    hint="The revision was changed after its author signed it, or signed by someone else; restore the log from a backup.",
                )
        extra["signed"] = sum(1 for _by, check in checks.values() if check.status == "signed")
        extra["unsigned"] = sum(1 for _by, check in checks.values() if check.status == "unsigned")
    if against is not None:
        if public is None:
            verifier = load_archive_verifier(found)
        else:
            text = Path(public).read_text(encoding="utf-8") if Path(public).is_file() else public
            verifier = Verifier.parse(text)
        note = Path(against).read_text(encoding="utf-8")
        extension = check_extends(found, note, verifier, name=against, warn=common.warn)
        extra["against"] = {
            "checkpoint": against,
            "origin": extension.checkpoint.origin,
            "size": extension.checkpoint.size,
            "today": extension.size,
            "proof": extension.proof,
        }
    return extra
