"""A built site served from 127.0.0.1 and opened in headless Debian Chromium, for the page tests."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


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
    url: str, *, ready: str = ".leaflet-container .atlas-site", width_px: int = 1280
) -> Iterator[Page]:
    """``url`` loaded in headless Chromium (``width_px`` x 800) once the selector ``ready``
    matches (by default: its map shows a site marker).

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
            tab = browser.new_page(viewport={"width": width_px, "height": 800})
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
