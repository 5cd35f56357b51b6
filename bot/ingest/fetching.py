"""Fetch one URL safely: http(s) only, public addresses only, bounded in time, size and hops.

Every refusal is a FetchError whose message a person can act on ("HTTP 404", "timed out",
"refused: 10.0.0.5 is a private address"). The address check runs inside the connection
step itself: the host is resolved once, every address it resolves to is checked, and the
socket is opened to a checked address, so a name that resolves differently a moment later
(DNS rebinding) cannot slip through. Redirects are followed here, one hop at a time, and
each hop opens its connections through the same check. Pages and feeds both come through
`fetch`: the caller says which content types it accepts.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from bot.config.settings import Settings
from bot.ingest.reading import MAX_FILE_BYTES

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
MAX_REDIRECTS = 5
USER_AGENT = "newsbot/1.0 (+article fetcher; fetches only links its admins send)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A URL that could not be fetched, with the reason to show the person who sent it."""


@dataclass(frozen=True)
class FetchLimits:
    """How far a fetch may go; built from Settings, smaller in tests."""

    timeout: float = 15.0  # seconds for the whole fetch, redirects included
    max_bytes: int = MAX_FILE_BYTES  # the loader's own cap on an article file
    max_redirects: int = MAX_REDIRECTS
    allow_private: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchLimits:
        return cls(timeout=settings.fetch_timeout, allow_private=settings.fetch_allow_private)


@dataclass(frozen=True)
class Page:
    """A fetched body: where it finally came from (after redirects), its type and bytes.

    `status` is 200, or 304 when the caller sent a conditional request and nothing changed."""

    url: str
    status: int
    content_type: str
    body: bytes
    charset: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


def address_problem(ip: str) -> str | None:
    """Why an address must not be fetched ("a private address"), or None for a public one."""
    address = ipaddress.ip_address(ip.split("%")[0])  # an IPv6 zone id is not part of it
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    for kind, flag in (("an unspecified", address.is_unspecified),
                       ("a loopback", address.is_loopback),
                       ("a link-local", address.is_link_local),
                       ("a multicast", address.is_multicast),
                       ("a reserved", address.is_reserved),
                       ("a private", address.is_private)):
        if flag:
            return f"{kind} address"
    return None if address.is_global else "not a public address"


def check_address(ip: str, allow_private: bool = False) -> None:
    """Raise FetchError for an address the bot must not connect to (unless allowed)."""
    if not allow_private and (problem := address_problem(ip)):
        raise FetchError(f"refused: {ip} is {problem}")


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (a literal IP resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot find the host {host}: {exc}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to checked addresses: all of a host's addresses must pass
    (a name resolving to a public and a private address is refused), then the socket goes
    to one of exactly those addresses. TLS still verifies the certificate for the host name."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port)
        for ip in addresses:
            check_address(ip, self.allow_private)
        for ip in addresses[:-1]:
            try:
                return self.inner.connect_tcp(ip, port, timeout, local_address, socket_options)
            except httpcore.ConnectError:
                continue
        return self.inner.connect_tcp(addresses[-1], port, timeout, local_address,
                                      socket_options)

    def connect_unix_socket(self, *args: object, **kwargs: object) -> httpcore.NetworkStream:
        raise FetchError("refused: not a TCP address")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def guarded_client(limits: FetchLimits) -> httpx.Client:
    """An httpx client whose every connection goes through GuardedBackend; no proxies from
    the environment (they would make the check look at the proxy's address instead)."""
    transport = httpx.HTTPTransport()
    # httpx has no public way to pass a network backend; the pool it would build, rebuilt
    # with ours (same defaults otherwise).
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(), network_backend=GuardedBackend(
            limits.allow_private))
    return httpx.Client(transport=transport, trust_env=False, follow_redirects=False,
                        timeout=httpx.Timeout(limits.timeout),
                        headers={"User-Agent": USER_AGENT})


def check_url(url: str) -> str:
    """The URL if it is http(s) with a host; FetchError otherwise."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(f"refused: only http and https links are fetched, not "
                         f"{parts.scheme or 'a bare name'}")
    if not parts.hostname:
        raise FetchError("refused: the link has no host")
    return url


def fetch(url: str, limits: FetchLimits, accept: frozenset[str] = HTML_TYPES,
          headers: Mapping[str, str] | None = None, what: str = "a web page") -> Page:
    """GET `url` within `limits`, following at most `limits.max_redirects` redirects, each
    checked; only bodies of the `accept` content types (else "not `what` (its type)").
    FetchError says why not.

    `headers`: extra request headers (a feed reader's If-None-Match / If-Modified-Since);
    a 304 answer to them comes back as a Page with status 304 and no body."""
    deadline = time.monotonic() + limits.timeout
    seen: set[str] = set()
    with guarded_client(limits) as client:
        for _ in range(limits.max_redirects + 1):
            if time.monotonic() > deadline:
                raise FetchError("timed out")
            seen.add(check_url(url))
            try:
                with client.stream("GET", url, headers=headers) as response:
                    location = _redirect_target(response)
                    if location is None:
                        return _read_page(response, limits, accept, what, deadline)
            except httpx.TimeoutException:
                raise FetchError("timed out") from None
            except httpx.HTTPError as exc:
                raise FetchError(f"could not fetch: {exc or type(exc).__name__}") from None
            url = urljoin(url, location)
            if url in seen:
                raise FetchError("refused: the redirects go round in a loop")
    raise FetchError(f"refused: more than {limits.max_redirects} redirects")


def _redirect_target(response: httpx.Response) -> str | None:
    """Where a redirect points (None when the response is not one)."""
    if response.status_code not in REDIRECT_STATUSES:
        return None
    location = response.headers.get("location")
    if not location:
        raise FetchError(f"HTTP {response.status_code} without a Location to go to")
    return location


def _read_page(response: httpx.Response, limits: FetchLimits, accept: frozenset[str],
               what: str, deadline: float) -> Page:
    """The body of a final (non-redirect) response, after its status, type and size pass."""
    if response.status_code == 304:
        return Page(str(response.url), 304, "", b"", headers=dict(response.headers))
    if response.status_code != 200:
        raise FetchError(f"HTTP {response.status_code}")
    media_type, charset = _content_type(response.headers.get("content-type", ""))
    if media_type not in accept:
        raise FetchError(f"not {what} ({media_type or 'no content type'})")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError(f"too large ({int(declared):,} bytes; the limit is "
                         f"{limits.max_bytes:,})")
    body = bytearray()
    # As the bytes arrive (a chunk size would wait for it to fill, deadline unchecked);
    # decompressed, so a zip bomb is capped too.
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > limits.max_bytes:
            raise FetchError(f"too large (over {limits.max_bytes:,} bytes)")
        if time.monotonic() > deadline:  # a server dripping bytes never hits a read timeout
            raise FetchError("timed out")
    return Page(str(response.url), 200, media_type, bytes(body), charset,
                dict(response.headers))


def _content_type(header: str) -> tuple[str, str | None]:
    """The media type (lower case) and charset of a Content-Type header."""
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media_type.strip().lower(), charset
