"""A fake PyPI simple index (PEP 691 JSON, PEP 700 upload times) on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeIndex:
    """The index's address (``{name}`` filled in per project) and the projects asked."""

    url: str
    asked: list[str] = field(default_factory=list)


@contextmanager
def simple_index(files: dict[str, list[dict[str, Any]]]) -> Iterator[FakeIndex]:
    """Serve ``files`` (project -> its file entries); unknown projects answer 404."""
    served = FakeIndex("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.strip("/").split("/")[-1]
            served.asked.append(name)
            body = json.dumps({"meta": {"api-version": "1.1"}, "files": files.get(name, [])})
            self.send_response(200 if name in files else 404)
            self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    served.url = f"http://127.0.0.1:{server.server_port}/simple/{{name}}/"
    try:
        yield served
    finally:
        server.shutdown()
