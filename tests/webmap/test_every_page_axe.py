"""Every HTML page, found from the app's routes, in real headless Chromium: axe-core (WCAG 2.1
A/AA) finds nothing at desktop and phone widths, in every language, with its panels and popups
open; the page has its ``lang``, loads nothing from elsewhere, logs no error, and reflows
without horizontal scrolling on the phone. The states are listed in ``tests/pages_registry.py``;
a route that answers HTML without an entry there fails ``test_every_html_route_is_covered``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.routing import Rule

from tests.browser import axe_violations, open_page, wait_until
from tests.pages_registry import (
    DESKTOP,
    EXTRA_STATES,
    NARROWEST,
    PAGES,
    PHONE,
    SAMPLE_404,
    SAMPLE_ARGS,
    State,
)
from webmap.i18n import LANGUAGES

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# pages behind a staff session are registered for coverage; their own browser test signs in
STATES = [s for states in PAGES.values() for s in states if not s.tested_in] + list(EXTRA_STATES)


def _probe_url(rule: Rule, client: Any) -> str:
    missing = [a for a in sorted(rule.arguments) if a not in SAMPLE_ARGS]
    if missing:
        pytest.fail(f"route {rule.rule}: add sample values for {missing} to SAMPLE_ARGS in "
                    "tests/pages_registry.py")  # fmt: skip
    values = {a: v(client) if callable(v) else v for a, v in SAMPLE_ARGS.items()}
    path: str = rule.build({a: values[a] for a in rule.arguments}, append_unknown=False)[1]
    return path


def html_routes(app: Any, client: Any) -> dict[str, str]:
    """Rules of GET routes that answer HTML to a browser or to ``?f=html``, with why."""
    found = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        path = _probe_url(rule, client)
        for url in (path, f"{path}{'&' if '?' in path else '?'}f=html"):
            response = client.get(url, headers={"Accept": BROWSER_ACCEPT})
            assert response.status_code < 500, f"{url} answers {response.status_code}"
            if response.status_code == 404 and rule.rule in SAMPLE_404:
                break
            if response.status_code == 404:
                pytest.fail(f"route {rule.rule}: {url} answers 404; give SAMPLE_ARGS in "
                            "tests/pages_registry.py values the demo data answers")  # fmt: skip
            if response.mimetype == "text/html" and response.status_code != 204:
                found[rule.rule] = f"{url} answers text/html ({response.status_code})"
                break
    return found


def test_every_html_route_is_covered(app: Any, client: Any, demo_loaded: Any) -> None:
    """A new page (a route that answers HTML) cannot ship without axe states."""
    found = html_routes(app, client)
    uncovered = {rule: why for rule, why in found.items() if rule not in PAGES}
    assert uncovered == {}, "add these HTML routes to PAGES in tests/pages_registry.py"
    not_html = sorted(set(PAGES) - set(found))
    assert not_html == [], "these PAGES entries are not HTML routes (renamed or removed?)"
    for rule, states in PAGES.items():
        assert states, f"{rule} has no state to test"


def test_the_route_discovery_notices_a_new_page(app: Any, client: Any, demo_loaded: Any) -> None:
    """The check above would catch a page added tomorrow (here: one added to this app)."""
    app.add_url_rule("/brand-new-page", "brand_new", lambda: "<!doctype html><p>new</p>")
    app.add_url_rule("/brand-new.json", "brand_new_json", lambda: {"new": True})
    found = html_routes(app, client)
    assert "/brand-new-page" in found and "/brand-new-page" not in PAGES
    assert "/brand-new.json" not in found


def _url(base: str, state: State, lang: str) -> str:
    joiner = "&" if urlsplit(state.url).query else "?"
    return f"{base}{state.url}{joiner}lang={lang}"


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("state", STATES, ids=[s.id for s in STATES])
def test_page_state_is_accessible(
    browser: Any, live_server: str, staff_tokens: dict[str, str], state: State, lang: str
) -> None:
    """Loaded at phone width (the worst day's device), then checked wider and narrower."""
    headers = {"Authorization": f"Bearer {staff_tokens[state.user]}"} if state.user else None
    width, height = PHONE
    url = _url(live_server, state, lang)
    page, watch = open_page(browser, url, width=width, height=height, headers=headers)
    try:
        if state.ready:
            wait_until(page, state.ready)
        if state.action:
            state.action(page)
        assert page.get_attribute("html", "lang") == lang
        assert watch.status == state.status
        violations = {PHONE[0]: axe_violations(page)}
        # WCAG 1.4.10 reflow: no horizontal scrolling of the page (wide tables scroll in a box)
        scroll_widths = {PHONE[0]: page.evaluate("document.documentElement.scrollWidth")}
        page.set_viewport_size({"width": NARROWEST[0], "height": NARROWEST[1]})
        scroll_widths[NARROWEST[0]] = page.evaluate("document.documentElement.scrollWidth")
        page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
        page.wait_for_timeout(100)  # let Leaflet follow the resize
        violations[DESKTOP[0]] = axe_violations(page)
        assert violations == {PHONE[0]: [], DESKTOP[0]: []}
        assert {w: s for w, s in scroll_widths.items() if s > w} == {}
        errors = watch.console_errors
        if state.status != 200:  # the browser logs the page's own status as an error
            errors = [e for e in errors if str(state.status) not in e]
        assert errors == []
        assert watch.offsite_requests == []
    finally:
        page.context.close()
