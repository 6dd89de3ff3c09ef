"""Open exported pages in headless Chromium (Debian's, which scripts/setup-host installs:
the tests fail, never skip, without it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"


@dataclass
class Visit:
    """An open page, the console errors it logged and every request it made."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@contextmanager
def browse(page_path: Path, shot: Path | None = None) -> Iterator[Visit]:
    """Open ``page_path`` (a full-page screenshot to ``shot``), closed on leaving."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as manager:
        browser = manager.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1600})
            visit = Visit(page)
            page.on("console", lambda m: visit.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: visit.errors.append(str(exc)))
            page.on("request", lambda r: visit.requests.append(r.url))
            page.goto(page_path.as_uri())
            if shot is not None:
                page.screenshot(path=str(shot), full_page=True)
            yield visit
        finally:
            browser.close()
