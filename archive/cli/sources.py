"""Commands that keep copies of the sources and check them: capture, sources, sources check."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from archive.cli import common
from archive.cli.main import cli
from events.errors import InvalidInput, UsageError

__all__ = ["capture", "limits_options", "sources"]

_MB = 1024 * 1024


def limits_options(fn: Any) -> Any:
    """The options that bound a fetch: --allow-private, --timeout, --max-size, --max-redirects."""
    for option in reversed(
        (
            click.option(
                "--allow-private",
                is_flag=True,
                help="Allow private and loopback addresses (a server on this machine or its network).",
            ),
            click.option("--timeout", type=click.FloatRange(0.01, 600), default=30.0, show_default=True, help="Seconds per request."),
            click.option(
                "--max-size", type=click.IntRange(1), default=50 * _MB, show_default=True, help="The largest page kept, in bytes."
            ),
            click.option("--max-redirects", type=click.IntRange(0, 30), default=5, show_default=True, help="Redirects followed."),
        )
    ):
        fn = option(fn)
    return fn


def make_limits(allow_private: bool, timeout: float, max_size: int, max_redirects: int) -> Any:
    """The fetch limits of the options."""
    from archive.ingest.capture import Limits  # noqa: PLC0415

    return Limits(timeout=timeout, max_bytes=max_size, max_redirects=max_redirects, allow_private=allow_private)


def keep_urls(root: Path, urls: Sequence[str], limits: Any) -> dict[str, Any]:
    """Fetch and store every URL (each WARC durable before anything is recorded); refuse all if the policy
    refuses one."""
    from archive.ingest.capture import Refused  # noqa: PLC0415
    from archive.ingest.source_copies import keep_url  # noqa: PLC0415

    kept: dict[str, Any] = {}
    refused: list[str] = []
    for url in urls:
        try:
            kept[url] = keep_url(root, url, limits)
        except Refused as exc:
            refused.append(str(exc))
    if refused:
        raise InvalidInput(
            "Nothing was recorded: " + "; ".join(refused) + ".",
            hint="Drop those addresses, or change the limit the message names.",
        )
    return kept


def _citing(state: Any) -> dict[str, list[str]]:
    """Every http(s) URL cited by a visible fact, with the records that cite it, in order of first citation."""
    from projections.sources import source_rows  # noqa: PLC0415

    cited: dict[str, list[str]] = {}
    for slug, record in state.records.items():
        for row in source_rows(record):
            url = row.source.url
            if url and url.lower().startswith(("http://", "https://")) and slug not in cited.get(url, []):
                cited.setdefault(url, []).append(slug)
    return cited


@cli.command()
@click.argument("urls", nargs=-1, metavar="URL...")
@click.option("--all", "every", is_flag=True, help="Every URL the records cite that has no copy yet.")
@click.option("--record", "records", multiple=True, metavar="SLUG", help="Record the capture for this record (repeatable).")
@limits_options
@click.option("--by", help="Who asks for the capture (default: $ARCHIVE_USER, else your login name).")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="How to print the result.")
@click.pass_context
def capture(
    ctx: click.Context,
    urls: tuple[str, ...],
    every: bool,
    records: tuple[str, ...],
    allow_private: bool,
    timeout: float,
    max_size: int,
    max_redirects: int,
    by: str | None,
    fmt: str,
) -> None:
    """Keep a copy of each URL: fetched, stored as a WARC file under its SHA-256, recorded as an event.

    \b
    The copy goes to captures/sha256/XX/<sha256>.warc.gz in the archive; one
    'source.captured' event per record that cites the URL (or per --record)
    says what answered, the hashes, when, with what program, and who asked.
    Captures of the same URL over time are kept side by side.
    Refused (exit 1, nothing recorded): other schemes than http(s), private or
    loopback addresses without --allow-private (checked at every redirect),
    more redirects or bytes than allowed. A page that answers with an error,
    or does not answer, is kept as such (it is gone).
    """
    from archive.saved.appending import PendingRevision, append_revisions  # noqa: PLC0415
    from archive.saved.checkpoint import load_state  # noqa: PLC0415
    from projections.views import to_json  # noqa: PLC0415

    if not urls and not every:
        raise UsageError("Name the URLs to capture, or --all for every cited URL not captured yet.")
    found = common.open_archive(ctx)
    state, _ = load_state(found, warn=common.warn)
    cited = _citing(state)
    for slug in records:
        common.get_record(state, slug, None)
    wanted = list(dict.fromkeys(urls))
    if every:
        wanted += [
            url for url, slugs in cited.items() if url not in wanted and any(not state.records[s].captures.get(url) for s in slugs)
        ]
    targets: dict[str, list[str]] = {}
    for url in wanted:
        slugs = list(records) or cited.get(url, [])
        if not slugs:
            raise InvalidInput(f"{url} is cited by no record.", hint="Name the record to keep it for with --record SLUG.")
        targets[url] = slugs
    if not targets:
        common.out("[]\n" if fmt == "json" else "Nothing to capture: every cited URL has a copy.\n")
        return
    kept = keep_urls(found.root, list(targets), make_limits(allow_private, timeout, max_size, max_redirects))
    touched = list(dict.fromkeys(slug for slugs in targets.values() for slug in slugs))

    def build(_state: Any) -> list[PendingRevision]:
        changes = [kept[url].change_for(slug) for url, slugs in targets.items() for slug in slugs]
        return [PendingRevision(changes, f"Capture {len(targets)} source{'s' if len(targets) != 1 else ''}")]

    [revision] = append_revisions(found, build, by=common.author(by), warn=common.warn, records=touched)
    if fmt == "json":
        common.out(to_json([{**kept[url].fields, "records": targets[url], "rev": revision.rev} for url in targets]))
        return
    for url, slugs in targets.items():
        k = kept[url]
        common.out(f"{url}: {k.summary}; warc sha256:{k.fields['warc']} for {', '.join(slugs)}\n")
    common.out(f"Recorded revision {revision.rev}: {revision.events} capture{'s' if revision.events != 1 else ''}.\n")


class _SourcesGroup(click.Group):
    """``archive sources [RECORD]`` and ``archive sources check``: a first word that is not a sub-command is the record."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            ctx.meta["sources.record"] = args[0]
            args = args[1:]
        return super().parse_args(ctx, args)


@cli.group(cls=_SourcesGroup, invoke_without_command=True)
@click.option("--check-quotes", is_flag=True, help="List every quote that is not in the archived copy of its source.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="How to print it.")
@click.pass_context
def sources(ctx: click.Context, check_quotes: bool, fmt: str) -> None:
    """archive sources [RECORD]: every source with the facts that cite it and its archived copies.

    \b
    With --check-quotes: every quoted source whose quote is not in the text of
    its latest archived copy (HTML reduced to text, white space and
    typographic quotes normalised), or that has no copy; exit 1 if any.
    'archive sources check' fetches the captured URLs again (see its --help).
    """
    if ctx.invoked_subcommand is not None:
        if check_quotes or ctx.meta.get("sources.record"):
            raise UsageError("'archive sources check' takes its own options; give RECORD and --check-quotes without it.")
        return
    from archive.saved.checkpoint import load_state  # noqa: PLC0415
    from projections.sources import source_rows  # noqa: PLC0415
    from projections.views import capture_json, capture_line, source_json, to_json  # noqa: PLC0415

    found = common.open_archive(ctx)
    slug = ctx.meta.get("sources.record")
    if slug is not None:
        chosen = {slug: common.record_at(ctx, slug, None)}
    else:
        state, _ = load_state(found, warn=common.warn)
        chosen = dict(state.records)
    if check_quotes:
        _check_quotes(found.root, chosen, fmt)
        return
    if fmt == "json":
        rows = [
            {
                "record": s,
                **source_json(row.source),
                "facts": list(row.facts),
                "captures": [capture_json(c) for c in row.captures],
                "drift": row.drift,
            }
            for s, record in chosen.items()
            for row in source_rows(record)
        ]
        common.out(to_json(rows))
        return
    lines = []
    for s, record in chosen.items():
        for row in source_rows(record):
            lines.append(f"{s}: {row.source.label()}\n    backs: {', '.join(row.facts)}\n")
            if not row.captures:
                lines.append("    no archived copy\n" if row.source.url else "")
                continue
            lines.append(f"    {len(row.captures)} archived {'copy' if len(row.captures) == 1 else 'copies'}, {row.drift}\n")
            lines.extend(f"      {capture_line(c)}\n" for c in row.captures)
    common.out("".join(lines) or "No sources.\n")


def _check_quotes(root: Path, chosen: dict[str, Any], fmt: str) -> None:
    from archive.ingest.source_copies import quote_misses  # noqa: PLC0415
    from projections.views import to_json  # noqa: PLC0415

    misses = [(slug, miss) for slug, record in chosen.items() for miss in quote_misses(root, record)]
    if fmt == "json":
        common.out(
            to_json(
                [
                    {
                        "record": slug,
                        "source": m.source,
                        "quote": m.source.quote,
                        "facts": list(m.facts),
                        "warc": m.capture.warc if m.capture else None,
                        "problem": m.problem,
                    }
                    for slug, m in misses
                ]
            )
        )
    else:
        for slug, m in misses:
            common.out(f"{slug}: {m.source.label()}: quote {m.source.quote!r} {m.problem} (facts {', '.join(m.facts)})\n")
        if not misses:
            common.out("Every quote is in the archived copy of its source.\n")
    if misses:
        raise InvalidInput(f"{len(misses)} quote{'s' if len(misses) != 1 else ''} not found in the archived copies.")


@sources.command("check")
@click.option("--record", "record_new", is_flag=True, help="Keep each new copy too, as a capture event.")
@limits_options
@click.option("--by", help="Who asks for the check (default: $ARCHIVE_USER, else your login name).")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="How to print it.")
@click.pass_context
def check(
    ctx: click.Context,
    record_new: bool,
    allow_private: bool,
    timeout: float,
    max_size: int,
    max_redirects: int,
    by: str | None,
    fmt: str,
) -> None:
    """Fetch every captured URL again: unchanged, changed or gone, and the facts that rest on it.

    \b
    Compares the text of what answers now (its bytes, when it has no text)
    with the first archived copy that answered. For each changed or gone
    source it names the facts, and records, that cite it. With --record the
    new copies are kept and recorded (one revision), so the views flag the
    facts whose every source changed ("source changed since cited").
    """
    from archive.ingest.capture import Refused  # noqa: PLC0415
    from archive.ingest.source_copies import keep_url  # noqa: PLC0415
    from archive.saved.appending import PendingRevision, append_revisions  # noqa: PLC0415
    from archive.saved.checkpoint import load_state  # noqa: PLC0415
    from projections.sources import source_rows  # noqa: PLC0415
    from projections.views import to_json  # noqa: PLC0415

    found = common.open_archive(ctx)
    state, _ = load_state(found, warn=common.warn)
    limits = make_limits(allow_private, timeout, max_size, max_redirects)
    rows: dict[str, dict[str, Any]] = {}
    for slug, record in state.records.items():
        for row in source_rows(record):
            url = row.source.url
            if not url or not row.captures:
                continue
            entry = rows.setdefault(url, {"url": url, "first": next((c for c in row.captures if c.answered), None), "facts": {}})
            entry["facts"].setdefault(slug, []).extend(f for f in row.facts if f not in entry["facts"].get(slug, []))
    report = []
    kept: dict[str, Any] = {}
    for url, entry in rows.items():
        try:
            now = keep_url(found.root, url, limits) if record_new else _peek(url, limits)
        except Refused as exc:
            report.append({"url": url, "status": "refused", "detail": str(exc), "facts": entry["facts"]})
            continue
        fields = now.fields
        first = entry["first"]
        if fields.get("error") or (fields.get("status") or 0) >= 400:
            status = "gone"
            detail = fields.get("error") or f"HTTP {fields['status']}"
        elif first is None or (fields.get("text_sha256") or fields.get("sha256")) != first.fingerprint:
            status = "changed"
            detail = f"HTTP {fields['status']}, text differs from the copy of {first.fetched}" if first else "no good copy before"
        else:
            status = "unchanged"
            detail = f"HTTP {fields['status']}"
        if record_new:
            kept[url] = now
        report.append({"url": url, "status": status, "detail": detail, "facts": entry["facts"]})
    revision = None
    if record_new and kept:

        def build(_state: Any) -> list[PendingRevision]:
            changes = [kept[url].change_for(slug) for url in kept for slug in rows[url]["facts"]]
            return [PendingRevision(changes, f"Check {len(kept)} source{'s' if len(kept) != 1 else ''} again")]

        touched = list(dict.fromkeys(slug for url in kept for slug in rows[url]["facts"]))
        [revision] = append_revisions(found, build, by=common.author(by), warn=common.warn, records=touched)
    if fmt == "json":
        common.out(to_json({"sources": report, "rev": revision.rev if revision else None}))
        return
    lines = []
    for item in report:
        lines.append(f"{item['status']:<9} {item['url']}  ({item['detail']})\n")
        if item["status"] != "unchanged":
            for slug, facts in item["facts"].items():
                lines.append(f"          rests on it: {slug} {', '.join(facts)}\n")
    if not report:
        lines.append("No captured source to check: capture some with 'archive capture URL' or 'archive capture --all'.\n")
    if revision is not None:
        lines.append(f"Recorded revision {revision.rev}: {revision.events} capture{'s' if revision.events != 1 else ''}.\n")
    common.out("".join(lines))


def _peek(url: str, limits: Any) -> Any:
    """Fetch ``url`` and say what answered, keeping nothing."""
    import hashlib  # noqa: PLC0415

    from archive.ingest.capture import decoded_body, fetch  # noqa: PLC0415
    from archive.ingest.page_text import MissingExtra, page_text  # noqa: PLC0415
    from archive.ingest.source_copies import Kept, missing_extra  # noqa: PLC0415

    try:
        fetched = fetch(url, limits)
        last = fetched.last
        if last is None:
            return Kept({"error": fetched.error}, None)
        kind = next((v for k, v in last.headers if k.lower() == "content-type"), None)
        text = page_text(decoded_body(last.headers, last.body), kind)
    except MissingExtra as exc:
        raise missing_extra(exc) from exc
    return Kept(
        {
            "status": last.status,
            "sha256": hashlib.sha256(last.body).hexdigest(),
            "text_sha256": None if text is None else hashlib.sha256(text.encode()).hexdigest(),
        },
        text,
    )
