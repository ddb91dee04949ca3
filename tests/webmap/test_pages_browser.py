"""The public pages in a real headless Chromium: language, keyboard, no off-site requests,
and zero axe-core WCAG 2.1 A/AA violations, in Japanese and English."""

from __future__ import annotations

import pytest

from tests.browser import axe_violations, open_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/", "/layers"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_is_accessible(browser, live_server, path: str, lang: str) -> None:
    page, watch = open_page(browser, f"{live_server}{path}?lang={lang}")
    try:
        assert page.get_attribute("html", "lang") == lang
        assert watch.console_errors == []
        assert watch.offsite_requests == []
        assert axe_violations(page) == []
    finally:
        page.context.close()


def test_skip_link_is_first_in_tab_order(browser, live_server) -> None:
    page, _ = open_page(browser, f"{live_server}/layers")
    try:
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('href')")
        assert focused == "#main"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
    finally:
        page.context.close()
