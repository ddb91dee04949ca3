"""/shelters: the table lists what pandas finds in the raw demo frame (filters, sorting,
pages), in real Chromium with the keyboard alone, and with zero axe-core violations."""

from __future__ import annotations

import re

import pytest

from tests.browser import accessible_page, open_page
from tests.residents.helpers import demo_frames

pytestmark = pytest.mark.usefixtures("demo_loaded")


def _ids(html: str) -> list[str]:
    return re.findall(r'data-shelter-id="([^"]+)"', html)


@pytest.mark.parametrize(
    ("query", "select"),
    [
        ("lg_code=352063", lambda f: f["lg_code"] == "352063"),
        ("hazard=tsunami", lambda f: f["hz_tsunami"].fillna(False).astype(bool)),
        (
            "lg_code=352021&hazard=flood",
            lambda f: (f["lg_code"] == "352021") & f["hz_flood"].fillna(False).astype(bool),
        ),
    ],
)
def test_filters_match_pandas(client, query, select) -> None:
    frame = demo_frames()["shelters"]
    want = frame[select(frame)]
    body = client.get(f"/shelters?{query}&f=json").get_json()
    assert body["total"] == len(want)
    page1 = client.get(f"/shelters?{query}").get_data(as_text=True)
    assert set(_ids(page1)) <= set(want["shelter_id"])
    assert len(_ids(page1)) == min(50, len(want))


def test_sort_by_capacity_descending_matches_pandas(client) -> None:
    frame = demo_frames()["shelters"]
    want = frame[frame["lg_code"] == "352063"].sort_values(
        ["capacity"], ascending=False, kind="stable"
    )
    html = client.get("/shelters?lg_code=352063&sort=capacity&dir=desc").get_data(as_text=True)
    got = _ids(html)
    caps = dict(zip(frame["shelter_id"], frame["capacity"], strict=True))
    assert [caps[i] for i in got] == list(want["capacity"])[: len(got)]
    assert 'aria-sort="descending"' in html


def test_paging_covers_every_shelter_once(client) -> None:
    frame = demo_frames()["shelters"]
    seen: list[str] = []
    for page in (1, 2, 3, 4):
        seen += _ids(client.get(f"/shelters?page={page}").get_data(as_text=True))
    assert sorted(seen) == sorted(frame["shelter_id"])


def test_bad_filters_are_400(client) -> None:
    assert client.get("/shelters?hazard=meteor").status_code == 400
    assert client.get("/shelters?sort=evil").status_code == 400
    assert client.get("/shelters?page=-1").status_code == 400


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_is_accessible(browser, live_server, lang) -> None:
    with accessible_page(browser, f"{live_server}/shelters?lang={lang}", lang) as page:
        assert page.locator("a[href='/map/hazard']").count() >= 1


def _tab_to(page, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} never got the keyboard focus")


@pytest.mark.browser
def test_keyboard_only_filter_and_sort(browser, live_server) -> None:
    frame = demo_frames()["shelters"]
    page, watch = open_page(browser, f"{live_server}/shelters?lang=en")
    try:
        _tab_to(page, "#f-municipality")
        # Options are ordered by code: 352021 宇部市, 352039 山口市, 352063 防府市.
        for _ in range(3):
            page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.value") == "352063"
        _tab_to(page, "#f-hazard")
        page.keyboard.press("ArrowDown")  # first hazard: flood
        _tab_to(page, "#f-open")
        _tab_to(page, "button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "lg_code=352063" in page.url and "hazard=flood" in page.url
        want = frame[(frame["lg_code"] == "352063") & frame["hz_flood"].fillna(False).astype(bool)]
        got = page.eval_on_selector_all(
            "tr[data-shelter-id]", "rows => rows.map(r => r.dataset.shelterId)"
        )
        assert sorted(got) == sorted(want["shelter_id"])

        _tab_to(page, "#sort-capacity")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_attribute("th:has(#sort-capacity)", "aria-sort") == "ascending"
        caps = dict(zip(frame["shelter_id"], frame["capacity"], strict=True))
        got = page.eval_on_selector_all(
            "tr[data-shelter-id]", "rows => rows.map(r => r.dataset.shelterId)"
        )
        assert [caps[i] for i in got] == sorted(want["capacity"])
        _tab_to(page, "#sort-capacity")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_attribute("th:has(#sort-capacity)", "aria-sort") == "descending"
        assert watch.console_errors == []
    finally:
        page.context.close()
