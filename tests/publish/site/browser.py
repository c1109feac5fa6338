"""A built site served from 127.0.0.1 and opened in headless Debian Chromium, for the page tests."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Response, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# A second request for an asset already in the context's cache (an embed guide's preview
# frame asks for the stylesheet its page loaded) may be revalidated: its body was counted
# when it first arrived. A 304 for an asset not received before is a failure.
NOT_MODIFIED = 304


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP from 127.0.0.1 while the block runs.

    Yields
    ------
    str
        The base URL, ``http://127.0.0.1:<port>`` (no trailing slash).
    """
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def chromium_page(
    url: str,
    *,
    ready: str = ".leaflet-container .atlas-site",
    width_px: int = 1280,
    height_px: int = 800,
) -> Iterator[Page]:
    """``url`` loaded in headless Chromium (``width_px`` x ``height_px``) once the selector
    ``ready`` matches (by default: its map shows a site marker).

    The page records what it did in lists: ``page.requests`` (every URL requested),
    ``page.dialogs`` (the message of every dialog, each dismissed), ``page.errors`` (every
    uncaught script error), ``page.console_errors`` (every error written to the console) and
    ``page.failed`` (every request that failed or was answered with a status of 400 or more).
    Fails the test when Debian chromium is missing.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` to install Debian chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": width_px, "height": height_px})
            tab.requests, tab.dialogs, tab.errors = [], [], []
            tab.console_errors, tab.failed = [], []
            tab.on(
                "console",
                lambda message: message.type == "error" and tab.console_errors.append(message.text),
            )
            tab.on("requestfailed", lambda request: tab.failed.append(request.url))
            tab.on(
                "response",
                lambda response: response.status >= 400 and tab.failed.append(response.url),
            )
            tab.on("request", lambda request: tab.requests.append(request.url))
            tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
            tab.on("pageerror", lambda error: tab.errors.append(str(error)))
            tab.goto(url)
            tab.wait_for_selector(ready)
            yield tab
        finally:
            browser.close()


def off_host(requests: list[str], url: str) -> list[str]:
    """The requests that went to another host than the one serving ``url``."""
    host = urlsplit(url).netloc
    return [request for request in requests if urlsplit(request).netloc != host]


@dataclass
class Visit:
    """What a page did while it loaded: every request with its response size, the failed
    ones, console errors, uncaught errors and dialogs."""

    sizes_bytes: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def transferred_bytes(self) -> int:
        """Bytes of every response body the page received (uncompressed)."""
        return sum(self.sizes_bytes.values())


def _record(tab: Page, visit: Visit) -> None:
    def response(resp: Response) -> None:
        if resp.ok:
            visit.sizes_bytes[resp.url] = len(resp.body())
        elif resp.status != NOT_MODIFIED or not visit.sizes_bytes.get(resp.url):
            visit.failed.append(f"{resp.status} {resp.url}")

    tab.on("response", response)
    tab.on("requestfailed", lambda request: visit.failed.append(f"failed {request.url}"))
    tab.on("request", lambda request: visit.sizes_bytes.setdefault(request.url, 0))
    tab.on("pageerror", lambda error: visit.errors.append(str(error)))
    tab.on(
        "console",
        lambda message: (
            visit.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    tab.on("dialog", lambda dialog: (visit.dialogs.append(dialog.message), dialog.dismiss()))


@contextmanager
def launched() -> Iterator[Browser]:
    """Headless Debian Chromium, for several pages; fails the test when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` to install Debian chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def visit(browser: Browser, url: str, width_px: int = 1200) -> Iterator[tuple[Page, Visit]]:
    """``url`` loaded (until the network is idle) in a fresh context ``width_px`` wide, with
    what it did recorded (:class:`Visit`); a fresh context has an empty cache, so every
    asset is requested."""
    context = browser.new_context(viewport={"width": width_px, "height": 800})
    try:
        tab = context.new_page()
        record = Visit()
        _record(tab, record)
        tab.goto(url, wait_until="networkidle")
        yield tab, record
    finally:
        context.close()
