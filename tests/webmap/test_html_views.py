"""HTML views of the API's resources: ``?f=html`` or a browser's Accept gets a page in the
site's layout (ja/en, linked to each other and to the maps); API clients still get JSON."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RESOURCES = [
    "/conformance",
    "/collections",
    "/collections/shelters",
    "/collections/shelters/tiles",
    "/collections/shelters/tiles/WebMercatorQuad",
    "/tiles/shelters,flood_depth.json",
]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.lang: str | None = None
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))
        if tag == "html":
            self.lang = found.get("lang")
        self._in_title = tag == "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False


def _page(client: Any, url: str, **headers: str) -> _Links:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    assert response.mimetype == "text/html", url
    if url.split("?")[0] in RESOURCES:
        # the representation follows Accept; the language follows ?lang=, the cookie, or
        # Accept-Language (webmap.i18n)
        vary = {v.strip() for v in response.headers["Vary"].split(",")}
        assert "Accept" in vary
        assert "lang=" in url or {"Accept-Language", "Cookie"} <= vary
    parsed = _Links()
    parsed.feed(response.get_data(as_text=True))
    return parsed


@pytest.mark.parametrize("path", RESOURCES)
def test_browsers_and_f_html_get_a_page_api_clients_get_json(client, demo_loaded, path) -> None:
    by_accept = _page(client, path, Accept=BROWSER)
    by_f = _page(client, f"{path}?f=html&lang=en")
    assert by_accept.lang == "ja" and by_f.lang == "en"
    assert by_accept.title.strip() and by_f.title.strip() != by_accept.title.strip()
    for accept in ("*/*", "application/json", None):
        response = client.get(path, headers={"Accept": accept} if accept else {})
        assert response.mimetype == "application/json", (path, accept)
    assert client.get(f"{path}?f=json", headers={"Accept": BROWSER}).mimetype == (
        "application/json"
    )


def test_the_views_link_to_each_other_and_to_the_maps(client, demo_loaded) -> None:
    listing = _page(client, "/collections?f=html").hrefs
    assert "/collections/shelters?f=html" in listing
    assert "/collections/shelters/tiles?f=html" in listing
    one = _page(client, "/collections/shelters?f=html").hrefs
    assert {"/collections/shelters/items?f=html", "/map/hazard", "/shelters"} <= set(one)
    assert "/tiles/shelters.json?f=html" in one
    assert "/collections?f=html" in one  # breadcrumbs back
    tiles = _page(client, "/collections/shelters/tiles?f=html").hrefs
    assert "/collections/shelters/tiles/WebMercatorQuad?f=html" in tiles
    flood = _page(client, "/collections/flood_depth/tiles/WebMercatorQuad?f=html").hrefs
    assert "/map/hazard" in flood
    landing = _page(client, "/", Accept=BROWSER).hrefs
    assert {"/collections?f=html", "/conformance?f=html"} <= set(landing)
    items = _page(client, "/collections/shelters/items?f=html").hrefs
    assert "/collections/shelters?f=html" in items


def test_json_documents_name_their_html_alternates(client, demo_loaded) -> None:
    for path in RESOURCES[:-1]:
        links = client.get(path).get_json()["links"]
        html = [x for x in links if x["type"] == "text/html" and x["rel"] == "alternate"]
        assert html and html[0]["href"].endswith(f"{path}?f=html"), path


def test_tilejson_etag_differs_between_json_and_html(client, demo_loaded) -> None:
    as_json = client.get("/tiles/shelters.json")
    as_html = client.get("/tiles/shelters.json?f=html")
    assert as_json.headers["ETag"] != as_html.headers["ETag"]
    again = client.get("/tiles/shelters.json", headers={"If-None-Match": as_json.headers["ETag"]})
    assert again.status_code == 304


def test_unknown_collection_as_html_is_an_html_404_and_bad_f_a_400(client, demo_loaded) -> None:
    response = client.get("/collections/nope?f=html", headers={"Accept": BROWSER})
    assert response.status_code == 404 and response.mimetype == "text/html"
    response = client.get("/collections/nope")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert client.get("/collections?f=xml").status_code == 400
