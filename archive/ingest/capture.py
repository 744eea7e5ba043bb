"""Fetching a cited page into one WARC file (request and response records of every hop), safely.

Only ``http`` and ``https``; every hop's host is resolved once, each of its addresses checked (no private,
loopback, link-local or otherwise non-global address unless ``allow_private``), and the connection made
to the checked address itself, so a name cannot resolve to one address for the check and another for the
connection. Redirects are followed up to a limit, each hop checked the same way. The body is read up to
a size limit, under a time limit per hop. What answers, an error status included, is a capture; a fetch
that got no answer (a timeout, a refused connection) is a capture with an ``error``; what the policy
refuses (a scheme, an address, too many redirects, too large) raises ``Refused`` and is not kept.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import ipaddress
import mimetypes
import socket
import ssl
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from archive.ingest.page_text import MissingExtra, page_text

__all__ = ["Fetched", "Hop", "Limits", "Refused", "capture_file", "fetch", "tool_name", "warc_payload"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


class Refused(Exception):
    """The capture policy refuses this address or answer; nothing is kept."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How far a capture may go."""

    timeout: float = 30.0
    """Seconds for each hop: to connect, and to read the whole answer."""
    max_bytes: int = 50 * 1024 * 1024
    """The largest body kept."""
    max_redirects: int = 5
    allow_private: bool = False
    """Allow private and loopback addresses (a local test server)."""


@dataclass(slots=True)
class Hop:
    """One request and its answer."""

    url: str
    ip: str
    request: list[tuple[str, str]]
    """The request's headers, in the order sent."""
    target: str
    """The request target (path and query)."""
    status: int = 0
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


@dataclass(slots=True)
class Fetched:
    """What a capture got: its hops (the last one answered, unless ``error``), or the error."""

    url: str
    fetched: datetime
    hops: list[Hop]
    error: str | None = None
    warc: bytes = b""
    """The WARC file of it (gzipped records), made by ``warc_payload``."""

    @property
    def last(self) -> Hop | None:
        """The final answer, if one came."""
        return self.hops[-1] if self.hops and self.error is None else None


def tool_name() -> str:
    """The program and library versions that capture: ``fact-archive 0.1.0 (warcio 1.8.1)``."""
    return f"fact-archive {version('fact-archive')} (warcio {version('warcio')}, selectolax {version('selectolax')})"


def _refuse_address(host: str, port: int, allow_private: bool) -> str:
    """The address to connect to for ``host``: every address it resolves to must be global."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {host}: {exc.strerror}") from exc
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        mapped = getattr(ip, "ipv4_mapped", None)
        if not allow_private and not (mapped or ip).is_global:
            raise Refused(f"{host} resolves to {address}, a private or loopback address (pass --allow-private to allow it)")
    return addresses[0]


def _check_url(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused(f"{url}: only http and https addresses are captured")
    if not parts.hostname:
        raise Refused(f"{url}: no host")
    if parts.username or parts.password:
        raise Refused(f"{url}: an address with a user name or password is not captured")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, target


def _one_hop(url: str, limits: Limits, clock: Callable[[], float]) -> Hop:
    scheme, host, port, target = _check_url(url)
    ip = _refuse_address(host, port, limits.allow_private)
    conn: http.client.HTTPConnection
    if scheme == "https":
        conn = http.client.HTTPSConnection(host, port, timeout=limits.timeout, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=limits.timeout)

    def pinned(_address: Any, timeout: Any = None, source_address: Any = None) -> socket.socket:
        return socket.create_connection((ip, port), timeout, source_address)

    conn._create_connection = pinned  # type: ignore[attr-defined]  # connect to the address that was checked
    default_port = 443 if scheme == "https" else 80
    request = [
        ("Host", host if port == default_port else f"{host}:{port}"),
        ("User-Agent", f"fact-archive/{version('fact-archive')} (source capture)"),
        ("Accept", "*/*"),
        ("Accept-Encoding", "identity"),
        ("Connection", "close"),
    ]
    hop = Hop(url=url, ip=ip, request=request, target=target)
    deadline = clock() + limits.timeout
    try:
        conn.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
        for name, value in request:
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        hop.status, hop.reason = response.status, response.reason
        hop.headers = [(k, v) for k, v in response.getheaders() if k.lower() != "transfer-encoding"]
        length = response.getheader("Content-Length")
        if length is not None and length.isdigit() and int(length) > limits.max_bytes:
            raise Refused(f"{url}: the answer is {int(length)} bytes, more than the limit of {limits.max_bytes} (--max-size)")
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read(_CHUNK):
            size += len(chunk)
            if size > limits.max_bytes:
                raise Refused(f"{url}: the answer is larger than the limit of {limits.max_bytes} bytes (--max-size)")
            if clock() > deadline:
                raise TimeoutError(f"the answer took longer than {limits.timeout:g} s")
            chunks.append(chunk)
        hop.body = b"".join(chunks)
    finally:
        conn.close()
    return hop


def fetch(url: str, limits: Limits, *, clock: Callable[[], float] = time.monotonic) -> Fetched:
    """Fetch ``url``, following redirects; raise Refused for what the policy refuses; make its WARC file."""
    fetched = Fetched(url=url, fetched=datetime.now(UTC), hops=[])
    _check_url(url)
    current = url
    while True:
        try:
            hop = _one_hop(current, limits, clock)
        except Refused:
            raise
        except TimeoutError as exc:
            fetched.error = f"no answer from {current}: timed out ({exc or f'after {limits.timeout:g} s'})"
            break
        except (OSError, http.client.HTTPException) as exc:
            fetched.error = f"no answer from {current}: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}"
            break
        fetched.hops.append(hop)
        location = next((v for k, v in hop.headers if k.lower() == "location"), None)
        if hop.status not in _REDIRECTS or location is None:
            break
        if len(fetched.hops) > limits.max_redirects:
            raise Refused(f"{url}: more than {limits.max_redirects} redirects (--max-redirects)")
        current = urljoin(current, location)
    if fetched.error is not None and fetched.hops:  # a redirect led nowhere: the attempt is kept with its hops
        pass
    fetched.warc = warc_payload(fetched)
    return fetched


def _warcio() -> Any:
    try:
        from warcio.statusandheaders import StatusAndHeaders  # noqa: PLC0415
        from warcio.warcwriter import WARCWriter  # noqa: PLC0415
    except ImportError as exc:
        raise MissingExtra("warcio") from exc
    return StatusAndHeaders, WARCWriter


def _warc_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def warc_payload(fetched: Fetched) -> bytes:
    """The WARC file of a fetch: a warcinfo record, then a request and a response record per hop (a metadata
    record with the error when no answer came)."""
    StatusAndHeaders, WARCWriter = _warcio()
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    date = _warc_date(fetched.fetched)
    info = writer.create_warcinfo_record(
        "capture.warc.gz", {"software": tool_name(), "format": "WARC File Format 1.1", "isPartOf": fetched.url}
    )
    info.rec_headers.replace_header("WARC-Date", date)
    writer.write_record(info)
    for hop in fetched.hops:
        req = writer.create_warc_record(
            hop.url,
            "request",
            payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders(f"GET {hop.target} HTTP/1.1", hop.request, is_http_request=True),
            warc_headers_dict={"WARC-Date": date, "WARC-IP-Address": hop.ip},
        )
        resp = writer.create_warc_record(
            hop.url,
            "response",
            payload=io.BytesIO(hop.body),
            length=len(hop.body),
            http_headers=StatusAndHeaders(f"{hop.status} {hop.reason}", hop.headers, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": date, "WARC-IP-Address": hop.ip},
        )
        writer.write_request_response_pair(req, resp)
    if fetched.error is not None:
        meta = writer.create_warc_record(
            fetched.hops[-1].url if fetched.hops else fetched.url,
            "metadata",
            payload=io.BytesIO(f"error: {fetched.error}\n".encode()),
            warc_content_type="text/plain; charset=utf-8",
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_record(meta)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A local document as one WARC ``resource`` record, with its custody facts."""

    warc: bytes
    sha256: str
    size: int
    content_type: str
    address: str
    fetched: datetime


def capture_file(path: Path, limits: Limits) -> StoredFile:
    """Read a local document into a WARC ``resource`` record (its name, type, bytes, where it was read)."""
    StatusAndHeaders, WARCWriter = _warcio()
    del StatusAndHeaders
    resolved = path.resolve()
    size = resolved.stat().st_size
    if size > limits.max_bytes:
        raise Refused(f"{path}: {size} bytes, more than the limit of {limits.max_bytes} (--max-size)")
    data = resolved.read_bytes()
    kind = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
    moment = datetime.now(UTC)
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    address = f"{resolved} on {socket.gethostname()}"
    info = writer.create_warcinfo_record("capture.warc.gz", {"software": tool_name(), "format": "WARC File Format 1.1"})
    info.rec_headers.replace_header("WARC-Date", _warc_date(moment))
    writer.write_record(info)
    record = writer.create_warc_record(
        resolved.as_uri(),
        "resource",
        payload=io.BytesIO(data),
        length=len(data),
        warc_content_type=kind,
        warc_headers_dict={"WARC-Date": _warc_date(moment), "WARC-Source-URI": address},
    )
    writer.write_record(record)
    return StoredFile(out.getvalue(), hashlib.sha256(data).hexdigest(), len(data), kind, address, moment)


def decoded_body(headers: list[tuple[str, str]], body: bytes) -> bytes:
    """The body without its content encoding (gzip, deflate), as its text is read."""
    encoding = next((v.strip().lower() for k, v in headers if k.lower() == "content-encoding"), "")
    try:
        if encoding in ("gzip", "x-gzip"):
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
    except (OSError, zlib.error, EOFError):
        return body
    return body


def text_hash(body: bytes, content_type: str | None) -> str | None:
    """SHA-256 of the page's normalised text, or None when it has none."""
    text = page_text(body, content_type)
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()
