"""The server's application (FastAPI on uvicorn): record pages rendered on request, the JSON API with its OpenAPI
document, sign-in, and editing in the browser; open pages follow the log through server-sent events."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import re
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote

import orjson
from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from archive.ingest.append_options import AppendOptions, OptionError, as_field, check_options
from archive.ingest.batch import read_batch
from archive.ingest.signing import AuthorKeyError
from archive.store.folder import Archive, open_log
from archive.store.record_log import record_revisions
from archive.web.accounts import Account, Accounts, Throttle, can_write
from archive.web.api_models import Created, ErrorBody, RecordRow, RevisionBody, RevisionRow
from archive.web.capture_copies import COPIES_DIR, COPY_POLICY, copy_text
from archive.web.checkpoint_note import CHECKPOINT_EXAMPLE, CHECKPOINT_PATH, latest_note
from archive.web.committer import Committed, Committer, WriteRequest
from archive.web.guard import Guard
from archive.web.live import EVENTS_PATH, SCRIPT, SCRIPT_PATH, LiveReload, with_script
from archive.web.pages import PAGE_NAMES, VIEW_FILES, Pages, Rendered
from archive.web.sessions import COOKIE, PRE_COOKIE, Session, Sessions
from events.errors import ArchiveError, DamagedLog, InvalidInput, StaleRevision, UnknownName
from events.source import Source, parse_source
from projections.blame import blame_json, blame_lines
from projections.diff import diff_json, diff_records
from projections.history import fact_history, history_json
from projections.listing import records_json, revisions_json
from projections.render_forms import edit_panel, login_page
from projections.replay import capture
from projections.views import to_json

__all__ = ["ServerOptions", "make_app"]

Warn = Callable[[str], None]
Slug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$", description="A record's name.")]
_FEED_SECONDS = 0.1
"""How often the server looks at the head witness for appends made by other programs."""
_META_POLICY = "form-action 'none'"
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No valid token or session."},
    403: {"model": ErrorBody, "description": "The account may not do this."},
    404: {"model": ErrorBody, "description": "No such record, fact or revision."},
    409: {"model": ErrorBody, "description": "`expect_rev` no longer holds: `head` says where the archive is."},
    422: {"model": ErrorBody, "description": "The request was refused: `field` names what to look at."},
}


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """How one server runs."""

    private: bool = False
    """Everyone signs in, readers too."""
    loopback: bool = True
    """Listening on loopback only: requests must name a loopback host."""
    secure_cookies: bool = False
    """Mark cookies Secure (behind HTTPS)."""


class _Refused(Exception):
    """An answer other than 200, for the API (JSON) or a page (plain text)."""

    def __init__(self, status: int, error: str, *, hint: str | None = None, field: str | None = None, head: int | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.hint, self.field, self.head = status, error, hint, field, head

    def body(self) -> dict[str, Any]:
        return {k: v for k, v in (("error", self.error), ("hint", self.hint), ("field", self.field), ("head", self.head)) if v is not None}


def _json(text: str | bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(content=text, status_code=status, media_type="application/json", headers=headers)


def _field_of(exc: ArchiveError, body: RevisionBody | None) -> str | None:
    """The request field an error is about: the one its message names (``--when`` → ``when``), else the change."""
    if isinstance(exc, OptionError):
        return exc.field
    if isinstance(exc, AuthorKeyError):  # about the account's key, not a field of the request
        return None
    named = re.search(r"--([a-z][a-z-]*)", exc.message)
    if named:
        name = named.group(1).replace("-", "_")
        return "sources" if name == "source" else name
    if exc.message.startswith("No source"):
        return "sources"
    if exc.message.startswith("events:"):
        return "events"
    if body is not None:
        for name in ("revise", "retract", "move", "prefer", "paragraph", "after", "infobox", "remove_infobox", "item", "events", "text"):
            if getattr(body, name) is not None:
                return name
    return None


def _status_of(exc: ArchiveError) -> int:
    if isinstance(exc, StaleRevision):
        return 409
    if isinstance(exc, DamagedLog):
        return 503
    if isinstance(exc, UnknownName) and exc.message.startswith(("Record '", "Revision ")) and "does not exist" in exc.message:
        return 404
    return 422


def make_app(archive: Archive, options: ServerOptions | None = None, *, warn: Warn | None = None) -> FastAPI:
    """The application serving ``archive``: pages, API, sign-in, editing."""
    opts = options or ServerOptions()
    pages = Pages(archive, warn=warn)
    accounts = Accounts(archive.root)
    sessions = Sessions()
    throttle = Throttle()
    live = LiveReload(pages.head())
    secret = secrets.token_bytes(32)
    loop_box: list[asyncio.AbstractEventLoop] = []

    def committed() -> None:
        if loop_box:
            loop_box[0].call_soon_threadsafe(lambda: live.set(pages.head()))

    committer = Committer(archive, on_commit=committed, warn=warn)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        loop_box.append(asyncio.get_running_loop())

        async def feed() -> None:
            while not live.closed:
                await asyncio.sleep(_FEED_SECONDS)
                try:
                    live.set(pages.head())
                except (ArchiveError, OSError):
                    continue

        task = asyncio.create_task(feed())
        try:
            yield
        finally:
            live.close()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await run_in_threadpool(committer.close)

    app = FastAPI(
        title="fact-archive",
        summary="Read and write a sourced record of events: every fact is an append-only, sourced event.",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.live = live
    app.state.committer = committer
    app.state.pages = pages

    # ------------------------------------------------------------------ errors

    @app.exception_handler(_Refused)
    async def refused(request: Request, exc: _Refused) -> Response:
        headers = {"WWW-Authenticate": 'Bearer realm="fact-archive"'} if exc.status == 401 else None
        if request.url.path.startswith("/api/"):
            return JSONResponse(exc.body(), status_code=exc.status, headers=headers)
        if exc.status == 401 and request.method in ("GET", "HEAD"):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        text = f"{exc.error}" + (f" {exc.hint}" if exc.hint else "")
        return Response(f"{exc.status}: {text}\n", status_code=exc.status, media_type="text/plain; charset=utf-8", headers=headers)

    @app.exception_handler(ArchiveError)
    async def archive_error(request: Request, exc: ArchiveError) -> Response:
        return await refused(request, _Refused(_status_of(exc), exc.message, hint=exc.hint))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = exc.errors()
        first = problems[0] if problems else {"loc": (), "msg": "invalid request"}
        if first.get("loc", ("",))[0] == "path":  # not a name of a record or fact: no such page
            return await refused(request, _Refused(404, "No such page or record."))
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        field = loc[0] if loc else None
        message = f"{'.'.join(loc) or 'the request'}: {first.get('msg', 'invalid')}."
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message, "field": field}, status_code=422)
        return Response(f"422: {message}\n", status_code=422, media_type="text/plain; charset=utf-8")

    # ------------------------------------------------------------------ who is asking

    async def account_of(request: Request) -> Account | None:
        """The account of the bearer token, else of the session cookie; None for an anonymous reader."""
        auth = request.headers.get("authorization")
        client = request.client.host if request.client else "?"
        if auth:
            scheme, _, token = auth.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise _Refused(401, "The Authorization header must be 'Bearer TOKEN'.", hint="'archive users add' prints a token.")
            delay = throttle.delay(client)
            if delay:
                await asyncio.sleep(delay)
            account = await run_in_threadpool(accounts.by_token, token.strip())
            if account is None:
                throttle.failed(client)
                await run_in_threadpool(accounts.audit, "token refused", None, client)
                raise _Refused(401, "This token is not valid.", hint="Ask an admin for a token: archive users add NAME --role editor.")
            return account
        session = sessions.get(request.cookies.get(COOKIE))
        if session is None:
            return None
        account = accounts.get(session.name)
        if account is None:
            sessions.end(request.cookies.get(COOKIE))
            return None
        request.state.session = session
        return account

    async def reader(request: Request) -> Account | None:
        account = await account_of(request)
        if opts.private and account is None:
            raise _Refused(401, "This archive is private: sign in to read it.", hint="Send 'Authorization: Bearer TOKEN', or sign in at /login.")
        return account

    async def writer(request: Request) -> Account:
        account = await account_of(request)
        if account is None:
            raise _Refused(401, "Writing needs an account: send 'Authorization: Bearer TOKEN'.", hint="An admin makes one: archive users add NAME --role editor.")
        if not can_write(account.role):
            raise _Refused(403, f"The account '{account.name}' is a {account.role}: it may read, not write.")
        return account

    # ------------------------------------------------------------------ helpers

    def resolved(at: str | None) -> int | None:
        return pages.resolve(at)

    def send_page(request: Request, rendered: Rendered, *, live_page: bool, extra: str | None = None) -> Response:
        personal = extra is not None
        if not personal and request.headers.get("if-none-match") == rendered.etag:
            return Response(status_code=304, headers={"ETag": rendered.etag, "Cache-Control": "no-cache"})
        body = rendered.body
        if rendered.media_type.startswith("text/html"):
            body = body.replace(_META_POLICY, "form-action 'self'", 1)
            if extra:
                at = body.rfind("</main>")
                body = body[:at] + extra + body[at:] if at >= 0 else body + extra
            if live_page:
                body = with_script(body, rendered.rev)
        headers = {"Cache-Control": "no-store"} if personal else {"ETag": rendered.etag, "Cache-Control": "no-cache"}
        return Response(body, media_type=rendered.media_type, headers=headers)

    def sign_in_note(account: Account | None, slug: str) -> str:
        if account is None:
            return f'<p class="account"><a href="/login?next=/{slug}/">Sign in</a> to edit.</p>\n'
        return f'<p class="account">Signed in as {_escape(account.name)} ({account.role}).</p>\n'

    async def article(
        request: Request, slug: str, account: Account | None, at: str | None, *, failed: str | None = None, error: str | None = None, values: dict[str, str] | None = None, status: int = 200
    ) -> Response:
        rev = resolved(at)
        rendered = await run_in_threadpool(pages.page, slug, "index.html", rev)
        session: Session | None = getattr(request.state, "session", None)
        extra = None
        if account is not None and rev is None:
            if can_write(account.role) and session is not None:
                record = await run_in_threadpool(pages.record, slug, None)
                extra = edit_panel(record, user=account.name, role=account.role, csrf=session.csrf, failed=failed, error=error, values=values)
            else:
                extra = sign_in_note(account, slug)
        elif account is None and rev is None:
            extra = None if not accounts.list() else sign_in_note(None, slug)
        response = send_page(request, rendered, live_page=rev is None, extra=extra)
        response.status_code = status if response.status_code == 200 else response.status_code
        return response

    def submit(request: WriteRequest) -> Any:
        return asyncio.wrap_future(committer.submit(request))

    # ------------------------------------------------------------------ live reload

    @app.get(SCRIPT_PATH, include_in_schema=False)
    async def script() -> Response:
        return Response(SCRIPT, media_type="text/javascript; charset=utf-8", headers={"Cache-Control": "no-cache"})

    @app.get(EVENTS_PATH, include_in_schema=False)
    async def events(request: Request) -> Response:
        await reader(request)
        return StreamingResponse(live.stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    # ------------------------------------------------------------------ the JSON API: reading

    @app.get("/api/records", response_model=list[RecordRow], responses=_ERRORS, tags=["read"])
    async def api_records(request: Request, at: str | None = None) -> Response:
        """Every record: name, title, facts shown, last revision (`archive records --format json`)."""
        await reader(request)
        state = await run_in_threadpool(pages.state, resolved(at))
        return _json(to_json(records_json(state.records.values())))

    @app.get("/api/records/{record}", responses=_ERRORS, tags=["read"])
    async def api_record(
        request: Request,
        record: Slug,
        view: Annotated[str, Query(pattern="^(article|infobox|timeline|sources|facts)$")] = "article",
        at: str | None = None,
    ) -> Response:
        """One view of a record at a revision (`archive show RECORD --view VIEW --format json`)."""
        await reader(request)
        rendered = await run_in_threadpool(pages.view_json, record, view, resolved(at))
        if request.headers.get("if-none-match") == rendered.etag:
            return Response(status_code=304, headers={"ETag": rendered.etag})
        return _json(rendered.body, headers={"ETag": rendered.etag, "Cache-Control": "no-cache"})

    @app.get("/api/records/{record}/sources", responses=_ERRORS, tags=["read"])
    async def api_sources(request: Request, record: Slug, at: str | None = None) -> Response:
        """The sources of a record with the facts each backs (`archive show RECORD --view sources --format json`)."""
        return await api_record(request, record, "sources", at)

    @app.get("/api/log", response_model=list[RevisionRow], responses=_ERRORS, tags=["read"])
    async def api_log(request: Request, record: str | None = None, by: str | None = None, limit: Annotated[int | None, Query(ge=1)] = None) -> Response:
        """The revisions, newest first (`archive log --format json`), of one record or author if asked."""
        await reader(request)
        state = await run_in_threadpool(pages.state, None)
        if record is not None and record not in state.records:
            raise UnknownName(f"Record '{record}' does not exist.", hint=f"Records: {', '.join(sorted(state.records)) or 'none yet'}.")
        rows = [
            r
            for r in reversed(state.revisions)
            if (record is None or record in r.records) and (by is None or r.by.casefold() == by.casefold())
        ]
        return _json(to_json(revisions_json(rows[:limit] if limit else rows)))

    @app.get("/api/records/{record}/diff", responses=_ERRORS, tags=["read"])
    async def api_diff(request: Request, record: Slug, a: Annotated[str, Query(alias="from")], b: Annotated[str, Query(alias="to")] = "HEAD") -> Response:
        """What changed in a record from revision `from` to `to` (`archive diff RECORD A B --format json`)."""
        await reader(request)

        def work() -> str:
            head = pages.head()
            first, last = pages.resolve(a) or head, pages.resolve(b) or head
            if first > last:
                raise InvalidInput(f"Revision from ({a} = r{first}) comes after revision to ({b} = r{last}).")
            log = open_log(archive)
            captured = capture(record_revisions(log, record, warn=warn, head=log.witness()), record, (first, last))
            after = captured.states.get(last)
            if after is None:
                raise UnknownName(f"Record '{record}' does not exist at revision {last}.")
            return to_json(diff_json(diff_records(captured.states.get(first), after, from_rev=first, to_rev=last)))

        return _json(await run_in_threadpool(work))

    @app.get("/api/records/{record}/blame", responses=_ERRORS, tags=["read"])
    async def api_blame(request: Request, record: Slug, at: str | None = None) -> Response:
        """Each line of the article with the revision, author, signature and sources behind it (`archive blame --format json`)."""
        await reader(request)

        def work() -> str:
            rev = pages.resolve(at)
            state = pages.state(rev)
            signatures = pages.signatures(r.rev for r in state.revisions if record in r.records)
            return to_json(blame_json(blame_lines(pages.record(record, rev), state.revisions, signatures)))

        return _json(await run_in_threadpool(work))

    @app.get("/api/records/{record}/facts/{fact}/history", responses=_ERRORS, tags=["read"])
    async def api_history(request: Request, record: Slug, fact: Annotated[str, Path(max_length=100)]) -> Response:
        """Every version of one fact, each with who signed it (`archive history RECORD FACT --format json`)."""
        await reader(request)

        def work() -> str:
            log = open_log(archive)
            versions, state = fact_history(record_revisions(log, record, warn=warn, head=log.witness()), record, fact)
            if record not in state.records:
                raise UnknownName(f"Record '{record}' does not exist.")
            if not versions:
                raise UnknownName(f"Fact '{fact}' does not exist in record '{record}'.")
            return to_json(history_json(record, fact, versions, pages.signatures(v.rev for v in versions)))

        return _json(await run_in_threadpool(work))

    # ------------------------------------------------------------------ proofs

    @app.get(
        CHECKPOINT_PATH,
        response_class=PlainTextResponse,
        tags=["proofs"],
        responses={
            200: {"content": {"text/plain": {"example": CHECKPOINT_EXAMPLE}}, "description": "The signed note."},
            401: {"content": {"text/plain": {}}, "description": "A private archive: sign in first."},
            404: {"content": {"text/plain": {}}, "description": "The archive has no key, or no checkpoint yet."},
            503: {"content": {"text/plain": {}}, "description": "A kept checkpoint's signature does not hold."},
        },
    )
    async def checkpoint(request: Request) -> Response:
        """The latest signed checkpoint of the log: a C2SP signed note (origin, size, base64 Merkle root, `time` and
        `revision` lines, then its Ed25519 signature), byte for byte as `archive checkpoint` printed it. Keep it to
        check proofs (`archive check-proof`) and to catch a rewritten history later (`archive verify --against`)."""
        await reader(request)
        try:
            note = await run_in_threadpool(latest_note, archive)
        except UnknownName as exc:
            raise _Refused(404, exc.message, hint=exc.hint) from exc
        return Response(note, media_type="text/plain; charset=utf-8", headers={"Cache-Control": "no-cache"})

    # ------------------------------------------------------------------ the JSON API: writing

    @app.post("/api/records/{record}/revisions", status_code=201, response_model=Created, responses=_ERRORS, tags=["write"])
    async def api_write(request: Request, record: Slug, body: RevisionBody) -> Response:
        """Append one revision to a record, signed with the account of the token; concurrent writes are committed
        together (one write, one fsync), each its own revision."""
        account = await writer(request)
        if request.cookies.get(COOKIE) and not request.headers.get("authorization"):
            session: Session | None = getattr(request.state, "session", None)
            if session is None or not hmac.compare_digest(request.headers.get("x-csrf-token", ""), session.csrf):
                raise _Refused(403, "A write with a session cookie needs its CSRF token in the X-CSRF-Token header.")
        try:
            done = await submit(_write_request(record, body, account.name))
        except ArchiveError as exc:
            status = _status_of(exc)
            raise _Refused(
                status, exc.message, hint=exc.hint, field=_field_of(exc, body) if status == 422 else None, head=pages.head() if status == 409 else None
            ) from exc
        return _created(record, done, account.name)

    # ------------------------------------------------------------------ signing in

    def login_csrf(pre: str) -> str:
        return hmac.new(secret, pre.encode(), hashlib.sha256).hexdigest()

    @app.get("/login", include_in_schema=False)
    async def login_form(request: Request, next: str = "/") -> Response:
        pre = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)
        page = login_page(csrf=login_csrf(pre), next_path=_safe_next(next), rev=pages.head())
        response = Response(page.replace(_META_POLICY, "form-action 'self'"), media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})
        response.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="strict", secure=opts.secure_cookies, path="/login")
        return response

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = _form(await request.body())
        pre = request.cookies.get(PRE_COOKIE, "")
        name, password, next_path = form.get("name", ""), form.get("password", ""), _safe_next(form.get("next", "/"))
        if not pre or not hmac.compare_digest(form.get("csrf", ""), login_csrf(pre)):
            raise _Refused(403, "The sign-in form is stale or did not come from this server: load /login again.")
        client = request.client.host if request.client else "?"
        delay = throttle.delay(f"name:{name}", client)
        if delay:
            await asyncio.sleep(delay)
        account = await run_in_threadpool(accounts.by_password, name, password)
        if account is None:
            throttle.failed(f"name:{name}", client)
            await run_in_threadpool(accounts.audit, "sign-in failed", name[:64], client)
            page = login_page(csrf=login_csrf(pre), next_path=next_path, name=name, error="Wrong name or password.", rev=pages.head())
            return Response(page.replace(_META_POLICY, "form-action 'self'"), status_code=401, media_type="text/html; charset=utf-8")
        throttle.succeeded(f"name:{name}", client)
        await run_in_threadpool(accounts.audit, "sign-in", account.name, client)
        sid, _session = sessions.start(account.name)
        response = RedirectResponse(next_path, status_code=303)
        response.set_cookie(COOKIE, sid, httponly=True, samesite="strict", secure=opts.secure_cookies, path="/")
        response.delete_cookie(PRE_COOKIE, path="/login")
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        session = sessions.get(request.cookies.get(COOKIE))
        form = _form(await request.body())
        if session is not None and not hmac.compare_digest(form.get("csrf", ""), session.csrf):
            raise _Refused(403, "The form is stale or did not come from this server: reload the page.")
        sessions.end(request.cookies.get(COOKIE))
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    # ------------------------------------------------------------------ pages

    @app.get("/", include_in_schema=False)
    @app.get("/index.html", include_in_schema=False)
    async def index(request: Request, at: str | None = None) -> Response:
        await reader(request)
        rev = resolved(at)
        rendered = await run_in_threadpool(pages.index, rev)
        return send_page(request, rendered, live_page=rev is None)

    @app.get(f"/{COPIES_DIR}/{{name}}", include_in_schema=False)
    async def archived_copy(request: Request, name: str) -> Response:
        """The text of a captured page, never its HTML: plain text, sandboxed, sniffing off."""
        await reader(request)
        match = re.fullmatch(r"([0-9a-f]{64})\.txt", name)
        if match is None:
            raise _Refused(404, "No such archived copy.")
        text = await run_in_threadpool(_copy_of, match.group(1))
        if text is None:
            raise _Refused(404, "No such archived copy.")
        return Response(
            text, media_type="text/plain; charset=utf-8", headers={"Content-Security-Policy": COPY_POLICY, "X-Content-Type-Options": "nosniff"}
        )

    def _copy_of(warc: str) -> str | None:
        state = pages.state(None)
        for record in state.records.values():
            for kept in record.captures.values():
                for copy in kept:
                    if copy.warc == warc:
                        return copy_text(archive.root, copy)
        return None

    @app.get("/{record}", include_in_schema=False)
    async def record_folder(record: Slug) -> Response:
        return RedirectResponse(f"/{record}/", status_code=301)

    @app.get("/{record}/", include_in_schema=False)
    async def record_page(request: Request, record: Slug, at: str | None = None) -> Response:
        account = await reader(request)
        return await article(request, record, account, at)

    @app.get("/{record}/{name}", include_in_schema=False)
    async def record_file(request: Request, record: Slug, name: str, at: str | None = None) -> Response:
        account = await reader(request)
        if name == "index.html":
            return await article(request, record, account, at)
        if name not in PAGE_NAMES and name not in VIEW_FILES and not re.fullmatch(r"diff-[0-9]{1,12}\.html", name):
            raise _Refused(404, "No such page.")
        rev = resolved(at)
        rendered = await run_in_threadpool(pages.page, record, name, rev)
        return send_page(request, rendered, live_page=rev is None and not name.startswith("diff-"))

    @app.post("/{record}/edit", include_in_schema=False)
    async def edit(request: Request, record: Slug) -> Response:
        form = _form(await request.body())
        account = await account_of(request)
        session: Session | None = getattr(request.state, "session", None)
        if account is None or session is None:
            raise _Refused(401, "Sign in to edit: /login.")
        if not hmac.compare_digest(form.get("csrf", ""), session.csrf):
            raise _Refused(403, "The form is stale or did not come from this server: reload the page and try again.")
        if not can_write(account.role):
            raise _Refused(403, f"The account '{account.name}' is a {account.role}: it may read, not edit.")
        action = form.get("action", "")
        try:
            body = _form_body(action, form)
            done = await submit(_write_request(record, body, account.name))
        except ArchiveError as exc:
            return await article(request, record, account, None, failed=action, error=str(exc), values=form, status=409 if isinstance(exc, StaleRevision) else 422)
        anchor = f"#f-{done.facts[0]}" if done.facts else ""
        return RedirectResponse(f"/{record}/{anchor}", status_code=303)

    return Guard(app, loopback=opts.loopback)  # type: ignore[return-value]


def _escape(text: str) -> str:
    from markupsafe import escape  # noqa: PLC0415

    return str(escape(text))


def _safe_next(path: str) -> str:
    """Where to go after signing in: a path of this server only."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/"


def _form(raw: bytes) -> dict[str, str]:
    """An urlencoded form body, the last value of each name kept."""
    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=64, strict_parsing=False))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _Refused(400, "The form could not be read.") from exc


def _form_body(action: str, form: dict[str, str]) -> RevisionBody:
    """The write a form of the editing panel asks for, as the API's body."""
    sources: list[str | Source] = [line.strip() for line in form.get("sources", "").splitlines() if line.strip()]
    when = form.get("when", "").strip() or None
    summary = form.get("summary", "").strip() or None
    if action == "sentence":
        return RevisionBody(section=form.get("section", "").strip() or None, text=form.get("text", "").strip() or None, when=when, sources=sources, summary=summary)
    if action == "revise":
        return RevisionBody(revise=form.get("fact") or None, text=form.get("text", "").strip() or None, when=when, sources=sources, summary=summary)
    if action == "retract":
        return RevisionBody(retract=form.get("fact") or None, reason=form.get("reason", "").strip() or None, sources=sources, summary=summary)
    if action == "infobox":
        key, value = form.get("key", "").strip(), form.get("value", "").strip()
        return RevisionBody(infobox=f"{key}={value}", alternative=bool(form.get("alternative")), sources=sources, summary=summary)
    raise InvalidInput(f"The form asks for {action!r}, which is not an edit this page offers.")


def _write_request(record: str, body: RevisionBody, by: str) -> WriteRequest:
    """Check a write's options as ``archive append`` does, and make the request the committer takes."""
    batch = None
    if body.events is not None:
        batch = (read_batch([orjson.dumps(line) for line in body.events], "events"), "events")
    options = AppendOptions(
        section=body.section,
        lead=body.lead,
        text=body.text,
        when=body.when,
        paragraph=body.paragraph,
        item=body.item,
        infobox=body.infobox,
        remove_infobox=body.remove_infobox,
        revise=body.revise,
        retract=body.retract,
        reason=body.reason,
        move=body.move,
        after=body.after,
        alternative=body.alternative,
        prefer=body.prefer,
        batch=batch,
        replace_sources=body.replace_sources,
    )
    when = check_options(options, cited=bool(body.sources), name=as_field)
    cited = tuple(s if isinstance(s, Source) else parse_source(s) for s in body.sources)
    return WriteRequest(record, options, cited, when, body.summary, by, body.expect_rev)


def _created(record: str, done: Committed, by: str) -> Response:
    revision = done.revision
    data = {
        "rev": revision.rev,
        "record": record,
        "facts": list(done.facts),
        "events": revision.events,
        "by": by,
        "at": revision.at.isoformat().replace("+00:00", "Z"),
        "summary": revision.summary,
    }
    return _json(orjson.dumps(data), status=201, headers={"Location": f"/api/records/{record}?at={revision.rev}"})
