"""What the fake model APIs share: answering JSON, serving on 127.0.0.1 in a thread, and
the helpers their responders are written with."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, TypeVar

__all__ = ["LoopbackServer", "send_json", "sequence", "turn_of"]

T = TypeVar("T")


def send_json(
    handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any], headers: dict[str, str]
) -> None:
    """Answer ``handler``'s request with ``payload`` as JSON (a client that gave up, as in
    the timeout tests, is no error)."""
    data = json.dumps(payload).encode()
    try:
        handler.send_response(status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(data)))
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


class LoopbackServer:
    """A fake API whose ``server`` listens on 127.0.0.1 while :meth:`running`."""

    server: ThreadingHTTPServer

    @contextmanager
    def running(self) -> Iterator[Self]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


def turn_of(body: dict[str, Any]) -> int:
    """0 for the first request of a conversation, 1 after one assistant reply, ..."""
    return sum(1 for m in body.get("messages", []) if m.get("role") == "assistant")


def sequence(*responses: T) -> Callable[[dict[str, Any]], T]:
    """Answer with ``responses`` in order, one per request (the last one repeats)."""
    queue = list(responses)

    def responder(body: dict[str, Any]) -> T:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return responder
