"""A fake Anthropic Messages API on 127.0.0.1: a real HTTP server the real SDK talks to.

Replies are chosen per request by a *responder*: a function of the request body returning a
:class:`Reply` (a message), an :class:`Error` (status, headers) or a :class:`Hang` (sleep
before answering). Every request is recorded with its headers. Usage figures are the
responder's, so tests can check the accounting to the token.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.http import LoopbackServer, send_json


@dataclass
class Reply:
    content: list[dict[str, Any]]
    usage: dict[str, int] = field(
        default_factory=lambda: {"input_tokens": 100, "output_tokens": 10}
    )
    stop_reason: str | None = None


@dataclass
class Error:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "overloaded_error"
    message: str = "try again"


@dataclass
class Hang:
    seconds: float
    then: Reply | Error | None = None


Response = Reply | Error | Hang
Responder = Callable[[dict[str, Any]], Response]


@dataclass
class Recorded:
    body: dict[str, Any]
    headers: dict[str, str]


class FakeAnthropic(LoopbackServer):
    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self.served = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake.lock:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    fake.requests.append(Recorded(body, headers))
                    response = fake.responder(body)
                fake.answer(self, response)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, handler: BaseHTTPRequestHandler, response: Response) -> None:
        if isinstance(response, Hang):
            time.sleep(response.seconds)
            if response.then is None:
                return
            response = response.then
        if isinstance(response, Error):
            payload = {
                "type": "error",
                "error": {"type": response.kind, "message": response.message},
            }
            send_json(handler, response.status, payload, response.headers)
            return
        with self.lock:
            self.served += 1
            number = self.served
        calls = any(b.get("type") == "tool_use" for b in response.content)
        usage = {"cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, **response.usage}
        message = {
            "id": f"msg_{number:04d}",
            "type": "message",
            "role": "assistant",
            "model": "fake",
            "content": response.content,
            "stop_reason": response.stop_reason or ("tool_use" if calls else "end_turn"),
            "stop_sequence": None,
            "usage": usage,
        }
        send_json(handler, 200, message, {})
