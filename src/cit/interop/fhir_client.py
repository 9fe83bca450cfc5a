"""Reading a CDS Hooks client's FHIR server, safely.

A CDS Hooks request names the ``fhirServer`` to read what was not prefetched. Taken as is,
that lets anyone who can call the service make this server fetch any URL (``file://``, the
cloud metadata address, the clinic's internal hosts) and hand it the caller's bearer token.
So, framework-free and with the standard library only:

* only ``http``/``https`` URLs are read, and only under a base on the operator's allow-list
  (the calling client's ``fhir_servers`` in ``CDS_HOOKS_CLIENTS``), compared as normalised
  scheme, host, port and whole path segments; no user-info, no ``.``/``..`` segments
  (encoded or not), no backslashes or control characters. An empty allow-list reads nothing;
* every URL read in one call is under the ``fhirServer`` the call named, itself under an
  allowed base: redirects and ``next`` links elsewhere are refused, not followed;
* the request carries ``Accept`` and, when the caller sent one, its
  ``fhirAuthorization.access_token`` - nothing else of the caller's;
* each connect and read has a short timeout, one call's reading has a deadline (a watchdog
  shuts the socket down, so a server that drips bytes cannot hold a worker), and the bytes
  read in one call are bounded;
* every failure is a :class:`FhirUnavailable` whose message says nothing about the network
  or the files; the detail is in :attr:`FhirUnavailable.reason`, for the operator's log.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cit.interop.bounded_json import JsonTooDeep, loads_bounded

PUBLIC_MESSAGE = "The FHIR server could not be read; send the data as prefetch."
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Whitespace, control characters and backslashes (which some servers read as "/").
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")
_MAX_REDIRECTS = 3
_CHUNK = 64 * 1024
_TLS: ssl.SSLContext | None = None


class FhirUnavailable(Exception):
    """The FHIR server could not be read. ``str()`` is safe to show the caller; ``reason``
    (URL, network error) is for the operator's log only."""

    def __init__(self, reason: str):
        super().__init__(PUBLIC_MESSAGE)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ServerUrl:
    """A normalised http(s) URL: lower-case scheme and host, explicit port, path segments."""

    scheme: str
    host: str
    port: int
    segments: tuple[str, ...]
    query: str = ""

    def contains(self, other: ServerUrl) -> bool:
        """True when ``other`` is this URL or below it (same origin, whole path segments)."""
        return (self.scheme, self.host, self.port) == (
            other.scheme,
            other.host,
            other.port,
        ) and other.segments[: len(self.segments)] == self.segments

    @property
    def request_target(self) -> str:
        path = "/" + "/".join(self.segments)
        return f"{path}?{self.query}" if self.query else path

    @property
    def logged(self) -> str:
        """The URL for the log: without its query, which names the patient."""
        return str(ServerUrl(self.scheme, self.host, self.port, self.segments))

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if _DEFAULT_PORTS[self.scheme] == self.port else f":{self.port}"
        return f"{self.scheme}://{host}{port}{self.request_target}"


def _logged(url: object) -> str:
    """A URL for the log: without its query, which names the patient."""
    return str(url).split("?", 1)[0][:200]


def _unquoted(segment: str) -> str:
    """A path segment decoded until stable (so ``%252e%252e`` is seen as ``..``)."""
    for _ in range(4):
        decoded = urllib.parse.unquote(segment)
        if decoded == segment:
            break
        segment = decoded
    return segment


def parse_url(url: object) -> ServerUrl | None:
    """``url`` normalised, or None when it is not a plain http(s) URL this client reads."""
    if not isinstance(url, str) or not url or len(url) > 4096 or _FORBIDDEN.search(url):
        return None
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or "@" in parts.netloc or not parts.hostname:
        return None
    host = parts.hostname.lower().removesuffix(".")
    if not host or "%" in host:
        return None
    segments = parts.path.split("/")[1:] if parts.path else []
    if segments and segments[-1] == "":
        segments.pop()  # a trailing slash names the same base
    for segment in segments:
        decoded = _unquoted(segment)
        if "/" in decoded or "\\" in decoded or decoded.split(";")[0] in (".", ".."):
            return None
    return ServerUrl(scheme, host, port or _DEFAULT_PORTS[scheme], tuple(segments), parts.query)


def parse_allow_list(urls: Iterable[str]) -> tuple[ServerUrl, ...]:
    """The configured FHIR server bases; raises ValueError naming one that is not a plain
    http(s) base URL (with no query)."""
    bases = []
    for url in urls:
        base = parse_url(url)
        if base is None or base.query:
            raise ValueError(f"not an http(s) FHIR base URL: {url!r}")
        bases.append(base)
    return tuple(bases)


@dataclass(frozen=True, slots=True)
class FhirAccess:
    """What the operator allows: the servers, and the limits of one hook call's reading."""

    servers: tuple[ServerUrl, ...] = ()
    timeout: float = 3.0  # each connect and each read
    total_timeout: float = 10.0  # all the reading of one hook call
    max_bytes: int = 10_000_000  # all the bytes read in one hook call
    max_pages: int = 20  # pages of one search

    def allowed(self, server: ServerUrl) -> bool:
        return any(base.contains(server) for base in self.servers)

    def session(self, server: object, token: str | None) -> FhirSession:
        """A session reading below ``server`` (the hook's ``fhirServer``); raises
        FhirUnavailable when it is not under an allowed base."""
        base = parse_url(server)
        if base is None or base.query:
            raise FhirUnavailable(f"fhirServer {_logged(server)!r} is not an http(s) base URL")
        if not self.allowed(base):
            raise FhirUnavailable(f"fhirServer {str(base)!r} is not on the client's allow-list")
        return FhirSession(self, base, token)


def next_link(bundle: object) -> str | None:
    """The URL of a Bundle's ``next`` link (more pages of a search follow), or None.
    A ``next`` link that is not a string is returned as "" (there is more, unreadable)."""
    if not isinstance(bundle, dict):
        return None
    links = bundle.get("link")
    if not isinstance(links, list):
        return None
    for link in links:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            return url if isinstance(url, str) else ""
    return None


def _tls_context() -> ssl.SSLContext:
    global _TLS
    if _TLS is None:
        _TLS = ssl.create_default_context()
    return _TLS


def _shut_down(connection: http.client.HTTPConnection) -> None:
    """The watchdog: end a connection another thread is blocked on."""
    sock = connection.sock
    if sock is not None:
        # The plain socket's shutdown, also for a TLS socket: it wakes a blocked recv.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


@dataclass
class FhirSession:
    """One hook call's reading of one FHIR server: every URL under ``base``, the token sent
    only there, within one deadline and byte budget."""

    access: FhirAccess
    base: ServerUrl
    token: str | None
    clock: Callable[[], float] = time.monotonic
    accept: str = "application/fhir+json"
    deadline: float = field(init=False)
    bytes_left: int = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = self.clock() + self.access.total_timeout
        self.bytes_left = self.access.max_bytes

    def url(self, relative: str) -> str:
        """``relative`` (e.g. ``Patient/p1``) below the base."""
        return f"{str(self.base).rstrip('/')}/{relative}"

    def get(self, url: str, *, missing_is_none: bool = False) -> Any:
        """GET ``url`` (under the base) as decoded JSON. With ``missing_is_none`` a 404 is
        None (a read of a resource that does not exist)."""
        for _ in range(_MAX_REDIRECTS + 1):
            target = parse_url(url)
            if target is None or not self.base.contains(target):
                raise FhirUnavailable(f"{_logged(url)!r} is not under the fhirServer {self.base}")
            status, location, body = self._exchange(target)
            if status in (301, 302, 303, 307, 308):
                if not location:
                    raise FhirUnavailable(f"{status} without a Location from {target.logged}")
                url = urllib.parse.urljoin(str(target), location)
                continue
            if status == 404 and missing_is_none:
                return None
            if status != 200:
                raise FhirUnavailable(f"HTTP {status} from {target.logged}")
            try:
                return loads_bounded(body)
            except (ValueError, JsonTooDeep) as error:
                raise FhirUnavailable(f"not JSON from {target.logged}: {error}") from None
        raise FhirUnavailable(f"more than {_MAX_REDIRECTS} redirects from {_logged(url)}")

    def search(self, url: str) -> dict[str, Any]:
        """A search's Bundle with every page's entries, following its next links."""
        return self.rest_of(self._bundle(self.get(url), url))

    def rest_of(self, bundle: dict[str, Any]) -> dict[str, Any]:
        """``bundle`` (a search's first page) with the entries of the pages after it, read
        by following the next links (all below the base, at most ``max_pages`` pages in all);
        the result has no next link. Raises FhirUnavailable when the end is not reached: a
        part of the record is never returned as if it were all of it."""
        entries = list(self._entries(bundle, "the first page"))
        pages = 1
        url = next_link(bundle)
        while url is not None:
            if pages >= self.access.max_pages:
                raise FhirUnavailable(f"more than {self.access.max_pages} pages of results")
            page = self._bundle(self.get(url), url)
            entries.extend(self._entries(page, url))
            pages += 1
            url = next_link(page)
        links = [
            link
            for link in bundle.get("link") or []
            if not (isinstance(link, dict) and link.get("relation") == "next")
        ]
        return {**bundle, "link": links, "entry": entries}

    @staticmethod
    def _bundle(value: Any, url: str) -> dict[str, Any]:
        if not isinstance(value, dict) or value.get("resourceType") != "Bundle":
            raise FhirUnavailable(f"{_logged(url)}: not a Bundle")
        return value

    @staticmethod
    def _entries(bundle: dict[str, Any], where: str) -> list[Any]:
        entries = bundle.get("entry") or []
        if not isinstance(entries, list):
            raise FhirUnavailable(f"{_logged(where)}: Bundle.entry is not a list")
        return entries

    def _remaining(self) -> float:
        return self.deadline - self.clock()

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": self.accept, "Accept-Encoding": "identity"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _exchange(self, target: ServerUrl) -> tuple[int, str | None, bytes]:
        """One GET: the status, the Location of a redirect, the body of a 200."""
        remaining = self._remaining()
        if remaining <= 0:
            raise FhirUnavailable(f"out of time before {target.logged}")
        timeout = min(self.access.timeout, remaining)
        connection: http.client.HTTPConnection
        if target.scheme == "https":
            connection = http.client.HTTPSConnection(
                target.host, target.port, timeout=timeout, context=_tls_context()
            )
        else:
            connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
        watchdog = threading.Timer(remaining, _shut_down, (connection,))
        watchdog.daemon = True
        watchdog.start()
        try:
            connection.request("GET", target.request_target, headers=self._headers())
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                return response.status, response.getheader("Location"), b""
            if response.status != 200:
                return response.status, None, b""
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > self.bytes_left:
                raise FhirUnavailable(f"{target.logged} answers {declared} bytes, over the limit")
            body = bytearray()
            while chunk := response.read(min(_CHUNK, self.bytes_left + 1 - len(body))):
                body += chunk
                if len(body) > self.bytes_left:
                    raise FhirUnavailable(f"{target.logged} answers more bytes than the limit")
                if self._remaining() <= 0:
                    raise FhirUnavailable(f"out of time reading {target.logged}")
            self.bytes_left -= len(body)
            return 200, None, bytes(body)
        except FhirUnavailable:
            raise
        except Exception as error:  # noqa: BLE001 - any network failure is "unavailable"
            if self._remaining() <= 0:
                raise FhirUnavailable(f"out of time reading {target.logged}") from None
            raise FhirUnavailable(f"{target.logged}: {error!r}") from None
        finally:
            watchdog.cancel()
            connection.close()
