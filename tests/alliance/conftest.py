"""A real HTTP server on loopback for the alliance's tests: a webhook receiver, a fake
fediverse server, a partner platform. Each request is recorded (method, path, headers,
body); `answers` scripts what it says (a status, a body, a delay)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Seen:
    method: str
    path: str
    headers: dict
    body: bytes


@dataclass
class Loopback:
    base: str
    requests: list[Seen] = field(default_factory=list)
    # path -> list of (status, body bytes, content type, delay seconds); the last one repeats
    answers: dict = field(default_factory=dict)

    def answer(self, path: str, *replies):
        self.answers[path] = [r if isinstance(r, tuple) else (r, b"", "text/plain", 0) for r in replies]

    def serve(self, path: str, body: bytes, content_type: str = "application/json"):
        self.answers[path] = [(200, body, content_type, 0)]

    def posts(self, path: str | None = None) -> list[Seen]:
        return [r for r in self.requests if r.method == "POST" and (path is None or r.path == path)]


@pytest.fixture
def loopback():
    state = Loopback(base="")

    class Handler(BaseHTTPRequestHandler):
        def _reply(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path
            state.requests.append(Seen(self.command, path, {k.lower(): v for k, v in self.headers.items()}, body))
            replies = state.answers.get(path.split("?")[0]) or [(404, b"", "text/plain", 0)]
            status, payload, content_type, delay = replies.pop(0) if len(replies) > 1 else replies[0]
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = _reply

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
