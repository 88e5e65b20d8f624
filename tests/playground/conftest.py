"""What the playground's browser tests share: the page served on a free port, and Debian's
chromium driven by Playwright (never `playwright install`: its download does not work here)."""

import os
import threading
import time

import playwright.sync_api as playwright_api
import pytest

from xornet.playground import server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def url():
    """The playground served on 127.0.0.1 at a free port, for one test module."""
    sock = server.bind("127.0.0.1", 0)
    srv = server.make_server(sock, "127.0.0.1")
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    """Headless chromium. No skip: the browser tests are part of the issue, and `make test`
    installs Debian's chromium."""
    assert os.path.exists(CHROMIUM), ("Debian's chromium is missing: run `make test`, which "
                                      "installs it")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
