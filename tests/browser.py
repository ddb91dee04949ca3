"""Helpers for browser tests: open a page, collect console errors and off-site requests,
and run axe-core (shipped by axe-playwright-python) for WCAG 2.1 A/AA."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass
class PageWatch:
    """What a page did while loading."""

    console_errors: list[str] = field(default_factory=list)
    offsite_requests: list[str] = field(default_factory=list)
    status: int | None = None  # of the page itself


def open_page(
    browser: Any,
    url: str,
    *,
    width: int = 1280,
    height: int = 900,
    headers: dict[str, str] | None = None,
) -> tuple[Any, PageWatch]:
    """A new page at ``url`` with watchers attached before navigation (``headers`` are sent
    with every request of the page, e.g. a staff member's ``Authorization``)."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, extra_http_headers=headers or {}
    )
    page = context.new_page()
    watch = PageWatch()
    own_host = urlparse(url).netloc

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            watch.console_errors.append(msg.text)

    def on_request(request: Any) -> None:
        host = urlparse(request.url).netloc
        if request.url.startswith(("data:", "blob:")):
            return
        if host != own_host:
            watch.offsite_requests.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: watch.console_errors.append(str(exc)))
    page.on("request", on_request)
    response = page.goto(url, wait_until="networkidle")
    watch.status = response.status if response is not None else None
    return page, watch


_SETTLE_ANIMATIONS = """async () => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const finite = document.getAnimations().filter(a => a.playState === 'running'
    && a.effect && Number.isFinite(a.effect.getComputedTiming().endTime));
  await Promise.race([
    Promise.all(finite.map(a => a.finished.catch(() => null))),
    new Promise(r => setTimeout(r, 3000)),
  ]);
}"""


def settle_animations(page: Any) -> None:
    """Wait until the page's finite CSS transitions and animations have ended (at most 3 s):
    axe measures colour contrast on what is painted, so a popup fading in (Leaflet's
    opacity transition) would otherwise be judged at half opacity on a slow machine."""
    page.evaluate(_SETTLE_ANIMATIONS)


def axe_violations(page: Any) -> list[str]:
    """WCAG 2.1 A/AA violations found by axe-core, as readable lines (once the page's
    transitions have ended)."""
    from axe_playwright_python.sync_playwright import Axe

    settle_animations(page)
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)  # violations only: half the time of all results
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


@contextmanager
def accessible_page(browser: Any, url: str, lang: str | None = None) -> Iterator[Any]:
    """Open ``url`` and yield the page for the test's own checks; then assert the page's
    ``lang`` (if given), no console errors, no off-site requests and zero axe violations,
    and close it."""
    page, watch = open_page(browser, url)
    try:
        yield page
        if lang is not None:
            assert page.get_attribute("html", "lang") == lang
        assert watch.console_errors == [], watch.console_errors
        assert watch.offsite_requests == [], watch.offsite_requests
        violations = axe_violations(page)
        assert violations == [], violations
    finally:
        page.context.close()


def assert_page_ok(browser: Any, url: str, lang: str) -> None:
    """The page at ``url`` has ``lang``, no console errors or off-site requests, no axe
    violations."""
    with accessible_page(browser, url, lang):
        pass


def wait_until(page: Any, expression: str, *, timeout_s: float = 10.0) -> None:
    """Poll ``expression`` with page.evaluate until it is truthy. (Playwright's
    wait_for_function evaluates strings with eval, which our CSP rightly forbids.)"""
    import time

    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        page.wait_for_timeout(50)
