"""Every HTML page of Kasane, and the states of each page the accessibility test opens.

``tests/webmap/test_every_page_axe.py`` asks the app for its routes (``app.url_map``), requests
each one as a browser would (and with ``?f=html``), and FAILS when a route answers HTML but has
no entry in :data:`PAGES`. It then runs axe-core (WCAG 2.1 A/AA) on every state listed here, in
every language of ``webmap.i18n.LANGUAGES``, at phone and desktop widths, with one browser and
one live server (the demo data).

Adding a page? Add its Flask rule (as in ``app.url_map``, e.g. ``"/map/<name>"``) to
:data:`PAGES` with at least one :class:`State`: the plain page, then one state per panel,
popup, dialog or tab a person can open (a query string that opens it, and/or an ``action``
that clicks it open, plus a ``ready`` expression that is true once it is drawn). If the new
rule has an argument not yet in :data:`SAMPLE_ARGS`, add a value that the demo data answers.
Pages behind a sign-in: give the state ``user=`` a key of the ``staff_tokens`` fixture; the
test then sends ``Authorization: Bearer <token>`` with every request of that page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Each state is loaded at PHONE width (axe, reflow), narrowed to NARROWEST (reflow), then
# widened to DESKTOP (axe again): one page load per state and language.
PHONE = (390, 844)
NARROWEST = (360, 740)
DESKTOP = (1366, 900)

Action = Callable[[Any], None]  # given the Playwright page


@dataclass(frozen=True)
class State:
    """One state of a page: ``url`` (path and query, without ``lang``), what shows it is drawn
    (``ready``, a JavaScript expression), what opens it (``action``), and its status."""

    url: str
    label: str = ""
    ready: str | None = None
    action: Action | None = None
    status: int = 200
    user: str | None = None
    tested_in: str | None = None  # pages behind a session: the test module that signs in

    @property
    def id(self) -> str:
        """The test id: the URL, or the label when given."""
        return self.label or self.url


def _click(selector: str, ready: str | None = None) -> Action:
    """Click the first element matching ``selector`` (a map marker, a summary…) and wait for
    ``ready``. Leaflet finds the clicked layer from the event, so a dispatched click works on
    markers hidden under others."""

    def act(page: Any) -> None:
        from tests.browser import wait_until

        wait_until(page, f"document.querySelector({selector!r}) !== null")
        page.locator(selector).first.dispatch_event("click")
        if ready:
            wait_until(page, ready)
        # A popup pans the map to fit (Leaflet animates the pan in script, which the CSS
        # transition wait before axe cannot see): let it end before contrast is measured.
        page.wait_for_timeout(400)

    return act


def _hover(selector: str) -> Action:
    """Hover the first map shape matching ``selector`` (opens its Leaflet tooltip)."""

    def act(page: Any) -> None:
        from tests.browser import wait_until

        wait_until(page, f"document.querySelector({selector!r}) !== null")
        page.locator(selector).first.dispatch_event("mouseover")
        wait_until(page, "document.querySelector('.leaflet-tooltip') !== null")

    return act


def _steps(*actions: Action) -> Action:
    """Several actions, one after the other."""

    def act(page: Any) -> None:
        for action in actions:
            action(page)

    return act


def _search(text: str) -> Action:
    """Type ``text`` in the page's search box (a combobox) until its suggestions show."""

    def act(page: Any) -> None:
        from tests.browser import wait_until

        wait_until(page, "document.querySelector('[role=combobox]') !== null")
        page.locator("[role=combobox]").first.fill(text)
        wait_until(page, "document.querySelector('[role=option]') !== null")

    return act


def _evaluate_draft(page: Any) -> None:
    """Type a draft bus line (GeoJSON, as a keyboard user would paste it) and evaluate it."""
    import json

    from tests.browser import wait_until

    line = [[131.47, 34.15], [131.49, 34.17]]
    feats = [{"type": "Feature", "properties": {}, "geometry": {"type": "LineString",
              "coordinates": line}}] + [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": c}}
        for c in line
    ]  # fmt: skip
    page.locator("#draft-geojson").fill(
        json.dumps({"type": "FeatureCollection", "features": feats})
    )
    page.locator("#draft-evaluate").click()
    wait_until(page, "document.getElementById('transit-map').dataset.evaluated === '1'")


HAZARD_READY = "document.body.dataset.hazardMap === 'ready'"
PANEL_READY = "document.querySelector('#panel-hazards') !== null"
TRANSIT_READY = "document.getElementById('transit-map').dataset.loaded === 'true'"
DEADZONES_READY = (
    "document.getElementById('stats-map').hasAttribute('data-drawn')"
    " && document.getElementById('mesh-map').hasAttribute('data-drawn-year')"
)
MENU_OPEN = "document.querySelector('.site-header.nav-open') !== null"  # phone: "Menu" opened
NEAR = "lat=34.18&lon=131.474"  # among demo shelters
STAFF_BROWSER_TEST = "tests/staff/test_console_browser.py"

PAGES: dict[str, tuple[State, ...]] = {
    "/": (
        State("/"),
        State("/", label="/ (site menu open)", action=_click(".nav-toggle", MENU_OPEN)),
    ),
    "/layers": (State("/layers"),),
    "/api.html": (State("/api.html"),),
    "/conformance": (State("/conformance?f=html"),),
    "/collections": (State("/collections?f=html"),),
    "/collections/<layer_id>": (
        State("/collections/shelters?f=html"),
        State("/collections/flood_depth?f=html"),
    ),
    "/collections/<layer_id>/items": (
        State("/collections/shelters/items?f=html"),
        State(
            "/collections/shelters/items?f=html&crs=http://www.opengis.net/def/crs/EPSG/0/6677",
            label="/collections/shelters/items?f=html&crs=6677 (table, no map)",
        ),
    ),
    "/collections/<layer_id>/tiles": (State("/collections/shelters/tiles?f=html"),),
    "/collections/<layer_id>/tiles/WebMercatorQuad": (
        State("/collections/shelters/tiles/WebMercatorQuad?f=html"),
    ),
    "/tiles/<names>.json": (State("/tiles/shelters,flood_depth.json?f=html"),),
    "/map/hazard": (
        State("/map/hazard", ready=HAZARD_READY),
        State(f"/map/hazard?{NEAR}", label="/map/hazard (place panel)", ready=PANEL_READY),
        State(
            "/map/hazard?c=34.18,131.474&z=15&layers=shelters,flood",
            label="/map/hazard (shelter popup)",
            ready=HAZARD_READY,
            action=_click(".shelter-marker", "document.querySelector('.shelter-popup') !== null"),
        ),
        State(
            "/map/hazard",
            label="/map/hazard (search suggestions)",
            ready=HAZARD_READY,
            action=_search("山口"),
        ),
    ),
    # the integrated map (issue 19): its owner should add the states that open its panels
    "/map": (State("/map", ready="document.body.dataset.integratedMap === 'ready'"),),
    "/shelters": (State("/shelters"), State("/shelters?open=true&sort=capacity&dir=desc")),
    "/map/deadzones": (
        State("/map/deadzones", ready=DEADZONES_READY),
        State(
            "/map/deadzones?as_of=2022",
            label="/map/deadzones (districts table open, tooltip)",
            ready=DEADZONES_READY,
            action=_steps(_click("#dz-districts summary"), _hover("#deadzone-map path.dz-feature")),
        ),
    ),
    "/map/transit": (
        State("/map/transit", ready=TRANSIT_READY),
        State(
            "/map/transit",
            label="/map/transit (stop popup)",
            ready=TRANSIT_READY,
            action=_click("path.transit-stop", "document.querySelector('.leaflet-popup') !== null"),
        ),
        State(
            "/map/transit",
            label="/map/transit (draft evaluated)",
            ready=TRANSIT_READY,
            action=_evaluate_draft,
        ),
    ),
    "/datasets": (State("/datasets"),),
    "/stats": (State("/stats"),),
    # The staff console: the sign-in page here; the signed-in pages (a session cookie, not a
    # Bearer token) are opened and checked with axe, ja/en at 1280 and 360 px, by their own test.
    "/staff/sign-in": (State("/staff/sign-in"),),
    **{
        rule: (State(rule.replace("<layer_id>", "shelters"), tested_in=STAFF_BROWSER_TEST),)
        for rule in (
            "/staff/",
            "/staff/password",
            "/staff/invitations",
            "/staff/shelters",
            "/staff/summary",
            "/staff/layers",
            "/staff/layers/<layer_id>",
            "/staff/people",
            "/staff/audit",
            "/staff/audit.csv",
        )
    },
}

# Not a route: the error page people see for a wrong address.
EXTRA_STATES = (State("/no-such-page", label="404 page", status=404),)


def _a_shelter(client: Any) -> str:
    """The id of a demo shelter."""
    rows = client.get("/shelters?f=json").get_json()
    return str(rows["shelters"][0]["shelter_id"])


def _vendored_file(_client: Any) -> str:
    from webmap.vendor import vendor_url

    return vendor_url("leaflet", "dist/leaflet.css").removeprefix("/vendor/")


# Values for route arguments when the test probes every route: a value the demo data
# answers (not 404), or a function of the Flask test client that finds one.
SAMPLE_ARGS: dict[str, str | int | Callable[[Any], str]] = {
    "layer_id": "shelters",
    "names": "shelters",
    "style_id": "default",
    "feature_id": "1",
    "shelter_id": _a_shelter,
    "draft_id": 1,
    "ext": "csv",
    "z": 12,
    "x": 3543,
    "y": 1634,  # a z12 tile over the demo shelters
    "filename": "css/kasane.css",
    "spec": _vendored_file,
    "token": "no-such-invitation",
}

# Routes whose sample answers 404 by design (their 404 is the site's error page, tested above
# as "404 page"), with the reason. Keep this short: a 404 hides whether the route is a page.
SAMPLE_404: dict[str, str] = {
    "/staff/join/<token>": "an invitation link answers only with a token an admin issued "
    "(tests/staff opens a real one)",
    "/basemap/tiles/<int:z>/<int:x>/<int:y>": "tiles of the local PMTiles basemap, which the "
    "test server does not have",
    "/basemap/basemap.pmtiles": "the local PMTiles basemap file, which the test server does "
    "not have",
    "/feeds/shelters/<shelter_id>.xml": "a CAP alert exists only for an open shelter, and no "
    "demo shelter is open",
    "/layers/<layer_id>/parts": "only a shared layer (one that declares parts) has this page, "
    "and the demo declares none; tests/gis/layerstore/parts/test_parts_served.py opens one "
    "with axe in ja and en",
}
