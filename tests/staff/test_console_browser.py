"""The staff console in headless Chromium: sign in and open a shelter on a 360 px phone and
see it on the public hazard map and in the CAP feed; the board by keyboard alone; zero axe
violations on every console page in ja and en."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from gis.platform.db import connect
from tests.browser import axe_violations, wait_until
from tests.staff.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_loaded")]
PHONE = {"width": 360, "height": 740}


class Watched:
    """A browser context whose pages report console errors and off-site requests."""

    def __init__(self, browser: Any, base: str, viewport: dict[str, int]) -> None:
        self.base = base
        self.context = browser.new_context(viewport=viewport)
        self.errors: list[str] = []
        self.offsite: list[str] = []
        self.page = self.new_page()

    def new_page(self) -> Any:
        page = self.context.new_page()
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: r.url.startswith(self.base) or r.url.startswith(
            ("data:", "blob:")) or self.offsite.append(r.url))  # fmt: skip
        return page

    def go(self, path: str) -> Any:
        self.page.goto(self.base + path, wait_until="networkidle")
        return self.page

    def sign_in(self, name: str, lang: str = "ja") -> None:
        page = self.go(f"/staff/sign-in?lang={lang}")
        page.fill("#name", name)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("#sign-in-form button[type=submit]")
        assert page.url.endswith("/staff/"), page.url


@pytest.fixture()
def phone(browser, live_server) -> Iterator[Watched]:  # type: ignore[no-untyped-def]
    watched = Watched(browser, live_server, PHONE)
    yield watched
    watched.context.close()


def _closed_flood_shelter(database_url: str, lg_code: str) -> tuple[str, str, float, float]:
    with connect(database_url) as conn:
        row = conn.execute(
            "SELECT s.shelter_id, s.name, ST_X(s.geom), ST_Y(s.geom) FROM layer_data.shelters s"
            " LEFT JOIN kasane.shelter_status st USING (shelter_id) WHERE s.lg_code = %s"
            " AND coalesce(st.status, 'not_opened') <> 'open' ORDER BY s.fid DESC LIMIT 1",
            (lg_code,),
        ).fetchone()
    assert row is not None
    return str(row[0]), str(row[1]), float(row[2]), float(row[3])


def test_open_a_shelter_on_a_phone_and_see_it_on_the_public_map_and_cap(
    phone, people, database_url, live_server
) -> None:
    sid, name, lon, lat = _closed_flood_shelter(database_url, "352039")
    phone.sign_in(people["yamaguchi_editor"])
    page = phone.go("/staff/shelters")
    card = f"#s-{sid}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    button = page.locator(f"{card} button.tap-open")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44  # one tap, big target
    with page.expect_navigation():
        button.click()
    assert page.locator("#board-done").count() == 1
    assert page.get_attribute(f"{card} .badge", "data-state") == "open"
    public = phone.new_page()
    public.goto(f"{live_server}/map/hazard?lang=en&c={lat},{lon}&z=16", wait_until="networkidle")
    marker = f"span.badge[data-shelter-id='{sid}']"
    wait_until(public, f"document.querySelector({marker!r}) !== null", timeout_s=5)
    assert public.get_attribute(marker, "data-status") == "open"
    with urllib.request.urlopen(f"{live_server}/feeds/shelters.xml", timeout=5) as feed:
        cap = feed.read().decode()
    assert sid in cap and name in cap
    with page.expect_navigation():
        page.locator(f"{card} button.tap-closed").click()  # leave it as it was found
    assert phone.errors == [] and phone.offsite == []


def test_the_board_by_keyboard_alone(phone, people) -> None:
    page = phone.go("/staff/sign-in?lang=en")
    page.keyboard.press("Tab")  # skip link
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "name":
            break
    page.keyboard.type(people["hofu_editor"])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/")
    page = phone.go("/staff/shelters?lang=en")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('tap-crowded')"):
            break
    else:
        focused = page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
        raise AssertionError(f"no tap button ever got the keyboard focus; last: {focused}")
    sid = page.evaluate("document.activeElement.closest('li').dataset.shelterId")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute(f"#s-{sid} .badge", "data-state") == "crowded"
    page.keyboard.press("Tab")  # from the card the page scrolled to, on to "closed"
    page.keyboard.press("Tab")
    page.locator(f"#s-{sid} button.tap-closed").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute(f"#s-{sid} .badge", "data-state") == "closed"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_console_page_has_no_axe_violations(browser, live_server, people, lang) -> None:
    desk = Watched(browser, live_server, {"width": 1280, "height": 900})
    small = Watched(browser, live_server, PHONE)
    try:
        found = {}
        for who in (desk, small):
            page = who.go(f"/staff/sign-in?lang={lang}")
            page.fill("#name", "nobody-at-all")
            page.fill("#password", "wrong password")
            with page.expect_navigation():
                page.click("#sign-in-form button[type=submit]")
            assert page.locator("#sign-in-error").count() == 1
            found[id(who)] = axe_violations(page)
            who.errors.clear()  # Chromium logs the 401 of the wrong password as an error
            who.sign_in(people["pref_admin"], lang)
        for who in (desk, small):
            for path in [
                "/staff/",
                "/staff/shelters",
                "/staff/shelters?lg_code=352039",
                "/staff/password",
                "/staff/invitations",
                "/staff/summary",
                "/staff/audit",
                "/staff/layers",
                "/staff/people",
                "/staff/people?org=352039",
            ]:
                page = who.go(path)
                assert page.get_attribute("html", "lang") == lang
                assert axe_violations(page) == [], path
                if who is small:
                    assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
            page = who.go("/staff/shelters?lg_code=352039&hazard=flood")
            with page.expect_navigation():
                page.click(".bulk button")
            assert page.locator("#bulk-summary").count() == 1
            assert axe_violations(page) == []
            page = who.go("/staff/invitations")
            with page.expect_navigation():
                page.click("form.stack button[type=submit]")
            assert page.locator("#invite-link").count() == 1
            assert axe_violations(page) == []
        assert all(v == [] for v in found.values()), found
        assert desk.errors == [] and small.errors == []
        assert desk.offsite == [] and small.offsite == []
    finally:
        desk.context.close()
        small.context.close()
