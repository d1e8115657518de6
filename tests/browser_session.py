"""A real browser for the page tests: Debian's chromium driven by Playwright, against `kg serve` on 127.0.0.1.

A Visit refuses every request that would leave 127.0.0.1 and records console errors; the `visit` fixture
fails a test that saw either, and keeps a screenshot of each view of a failed test in its temporary directory.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from live_server import kg_server
from servers import missing_service

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with kg_server(tmp_path_factory.mktemp("browser-server"), store="memory:") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_service("Playwright for Python is not installed (pip install playwright)")
    if not Path(CHROMIUM).exists():
        missing_service("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


class Visit:
    """A browser context that refuses requests leaving 127.0.0.1, records console errors and views."""

    def __init__(self, browser, base: str, **context):
        self.base, self.outside, self.errors, self.views = base, [], [], []
        self.allowed: list[str] = []  # console errors a test expects (the browser logs a 4xx it was sent)
        self.context = browser.new_context(**context)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route):
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, path: str):
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        self.views.append(path)
        return self.page

    def screenshots(self, folder: Path) -> list[Path]:
        """A screenshot of the current view (the others were left behind) named by each path opened."""
        folder.mkdir(parents=True, exist_ok=True)
        taken = folder / ("-".join(view.strip("/").replace("/", "_")[:30] or "home" for view in self.views[-3:]) + ".png")
        self.page.screenshot(path=str(taken), full_page=True)
        return [taken]


@pytest.fixture
def visit(request, browser, server, tmp_path):
    """Open views in a fresh context; afterwards no outside request and no console error, and on failure
    a screenshot of the view kept in tmp_path/screenshots."""
    made = []

    def start(**context) -> Visit:
        made.append(Visit(browser, server, **context))
        return made[-1]

    yield start
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for number, session in enumerate(made):
        if failed:
            for shot in session.screenshots(tmp_path / "screenshots" / str(number)):
                print(f"screenshot of {session.views}: {shot}")
        session.context.close()
    for session in made:
        assert session.outside == [], f"requests left 127.0.0.1: {session.outside}"
        unexpected = [error for error in session.errors if not any(allowed in error for allowed in session.allowed)]
        assert unexpected == [], f"console errors: {unexpected}"


def serious_violations(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # not a script tag: the pages' policy refuses inline scripts
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                          ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in found if v["impact"] in ("serious", "critical")]
