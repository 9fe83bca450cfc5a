"""A stub FHIR server for tests, and servers that misbehave, on 127.0.0.1 ports 18431-18439.

Each stub records what it was asked (path and headers), so tests can show a server was never
contacted, or was contacted without the caller's token.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PORTS = range(18431, 18440)


def _bind(factory: Callable[[tuple[str, int]], Any]) -> Any:
    """The first free port of PORTS (tests run in parallel and may each hold some)."""
    last: OSError | None = None
    for port in PORTS:
        try:
            return factory(("127.0.0.1", port))
        except OSError as error:
            last = error
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}: {last}")


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    server: _StubHttpServer

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        stub = self.server.stub
        stub.seen.append(Seen(self.path, dict(self.headers.items())))
        reply = stub.route(self.path)
        payload = b"" if reply.body is None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def finish(self) -> None:
        # Let the client close first: the closing side keeps the port in TIME_WAIT, and these
        # few ports are needed again by the next test.
        super().finish()
        with contextlib.suppress(OSError):
            self.connection.settimeout(5)
            while self.connection.recv(4096):
                pass

    def log_message(self, *args: Any) -> None:
        pass


class _StubHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    stub: FhirStub


class FhirStub:
    """``routes`` maps a resource type (the first path segment after ``/fhir/``), or a whole
    path with its query, to a :class:`Reply` or a JSON body; anything else is an empty
    searchset."""

    def __init__(self) -> None:
        self.routes: dict[str, Any] = {}
        self.seen: list[Seen] = []
        self.server: _StubHttpServer = _bind(lambda address: _StubHttpServer(address, _Handler))
        self.server.stub = self
        self.port = self.server.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.base = f"{self.origin}/fhir"

    def route(self, path: str) -> Reply:
        found = self.routes.get(path)
        if found is None:
            after = path.split("/fhir/", 1)[1] if "/fhir/" in path else ""
            found = self.routes.get(after.split("?")[0].split("/")[0])
        if found is None:
            found = {"resourceType": "Bundle", "type": "searchset", "entry": []}
        return found if isinstance(found, Reply) else Reply(body=found)

    def __enter__(self) -> FhirStub:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def silent_server(*, drip: bool = False) -> Iterator[str]:
    """A server that accepts connections and never answers (``drip``: answers the status
    line, then one byte of headers every 0.2 s, for a minute). Yields its base URL."""
    listener: socket.socket = _bind(lambda address: socket.create_server(address))
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            held.append(connection)
            if drip:
                threading.Thread(target=_drip, args=(connection, stop), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/fhir"
    finally:
        stop.set()
        for connection in held:
            connection.close()
        listener.close()


def _drip(connection: socket.socket, stop: threading.Event) -> None:
    # Gives up after a minute, so a client without a deadline fails its test, not hangs it.
    give_up = time.monotonic() + 60
    with contextlib.suppress(OSError):
        connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not stop.is_set() and time.monotonic() < give_up:
            connection.sendall(b"a")
            time.sleep(0.2)
        connection.close()


def closed_port_url() -> str:
    """The base URL of a port in PORTS that nothing listens on."""
    probe: socket.socket = _bind(lambda address: socket.create_server(address))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}/fhir"
