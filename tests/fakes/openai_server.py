"""A fake OpenAI-compatible Chat Completions API on 127.0.0.1: a real HTTP server the real
``openai`` SDK talks to through ``base_url``.

Replies are chosen per request by a *responder*: a function of the request body returning a
:class:`Reply` (an assistant message), an :class:`Error` (status, headers) or a :class:`Hang`
(sleep before answering). Every request is recorded with its headers and arrival time, and
the server counts how many were in flight at once, so tests can measure the request rate
and concurrency a client produces. Usage figures are the responder's, so tests can check the
accounting to the token.
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
    content: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, Any] = field(
        default_factory=lambda: {"prompt_tokens": 100, "completion_tokens": 10}
    )
    finish_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # more message fields


@dataclass
class Error:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    code: str | None = None
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
    path: str
    at: float  # time.monotonic() on arrival
    concurrent: int = 0  # requests in flight on arrival, this one included
    status: int = 0  # what it was answered with


def call(name: str, arguments: dict[str, Any] | str, call_id: str) -> dict[str, Any]:
    """A tool call as the API returns it (``arguments`` given as text is sent as is)."""
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": text}}


def from_blocks(blocks: list[dict[str, Any]], prefix: str, **kwargs: Any) -> Reply:
    """The reply carrying Anthropic-style ``blocks`` (text, tool_use) as a chat message."""
    text = "\n".join(b["text"] for b in blocks if b["type"] == "text") or None
    calls = [
        call(b["name"], b["input"], f"{prefix}_{n}")
        for n, b in enumerate(blocks)
        if b["type"] == "tool_use"
    ]
    return Reply(text, calls, **kwargs)


class FakeOpenAI(LoopbackServer):
    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self.served = 0
        self.in_flight = 0
        self.most_in_flight = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake.lock:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    fake.in_flight += 1
                    recorded = Recorded(body, headers, self.path, time.monotonic(), fake.in_flight)
                    fake.requests.append(recorded)
                    fake.most_in_flight = max(fake.most_in_flight, fake.in_flight)
                    response = fake.responder(body)
                try:
                    recorded.status = fake.answer(self, response)
                finally:
                    with fake.lock:
                        fake.in_flight -= 1

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def answer(self, handler: BaseHTTPRequestHandler, response: Response) -> int:
        if isinstance(response, Hang):
            time.sleep(response.seconds)
            if response.then is None:
                return 0
            response = response.then
        if isinstance(response, Error):
            refusal: dict[str, Any] = {
                "error": {
                    "message": response.message,
                    "type": "error",
                    "code": response.code,
                    "param": None,
                }
            }
            send_json(handler, response.status, refusal, response.headers)
            return response.status
        with self.lock:
            self.served += 1
            number = self.served
        message: dict[str, Any] = {"role": "assistant", "content": response.content}
        if response.tool_calls:
            message["tool_calls"] = response.tool_calls
        message.update(response.extra)
        usage = dict(response.usage)
        usage.setdefault("total_tokens", usage["prompt_tokens"] + usage["completion_tokens"])
        payload: dict[str, Any] = {
            "id": f"chatcmpl-{number:04d}",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": "fake",
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": response.finish_reason
                    or ("tool_calls" if response.tool_calls else "stop"),
                }
            ],
            "usage": usage,
        }
        send_json(handler, 200, payload, {})
        return 200
