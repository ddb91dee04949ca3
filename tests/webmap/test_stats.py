"""/stats: page and layer use per day, counted in memory and written in batches (no IPs)."""

from __future__ import annotations

import urllib.request
from datetime import date

from gis.platform.db import connect
from tests.server import running_server


def _today(url: str) -> dict[tuple[str, str], int]:
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT kind, key, hits FROM kasane.usage_daily WHERE day = %s", (date.today(),)
        ).fetchall()
    return {(str(k), str(key)): int(n) for k, key, n in rows}


def test_stats_counts_pages_and_layers(client, demo_loaded) -> None:
    before = client.get("/stats?f=json").get_json()
    client.get("/map/deadzones")
    client.get("/datasets/landslide_zones.geojson")
    client.get("/api/areastats/landslide_zones")
    client.get("/datasets/nothing.csv")  # a 404 is not counted
    client.get("/healthz")  # neither a page nor a layer
    after = client.get("/stats?f=json").get_json()

    def hits(data, kind: str, key: str) -> int:
        name = "page" if kind == "pages" else "layer"
        return next((r["hits"] for r in data[kind] if r[name] == key), 0)

    assert hits(after, "layers", "landslide_zones") - hits(before, "layers", "landslide_zones") == 2
    # /stats itself is an HTML page only when asked as HTML; the JSON calls are not page views
    assert hits(after, "pages", "/map/deadzones") - hits(before, "pages", "/map/deadzones") == 1
    assert "nothing" not in {r["layer"] for r in after["layers"]}
    assert after["days"][-1]["day"] == date.today().isoformat()
    assert after["days"][-1]["layers"] - before["days"][-1]["layers"] == 2


def test_no_ip_or_user_agent_is_stored(database_url, demo_loaded) -> None:
    with connect(database_url) as conn:
        columns = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = 'kasane' AND table_name = 'usage_daily'"
            ).fetchall()
        ]
    assert sorted(columns) == ["day", "hits", "key", "kind"]


def test_stats_page_and_chart(client, demo_loaded) -> None:
    html = client.get("/stats?lang=en&days=7").get_data(as_text=True)
    assert "Use per day" in html and 'id="days-table"' in html
    chart = client.get("/stats/chart.svg?days=7&lang=en")
    assert chart.mimetype == "image/svg+xml" and b"<title" in chart.data
    assert client.get("/stats?days=0").status_code == 400


def test_server_writes_counts_in_batches_and_at_exit(database_url, demo_loaded) -> None:
    """A running server writes nothing per request; its counts reach the database at exit."""
    with running_server(database_url, workers=1, KASANE_USAGE_FLUSH_SECONDS="3600") as base:
        before = _today(database_url)
        for _ in range(3):
            urllib.request.urlopen(base + "/map/deadzones", timeout=30).read()
        for _ in range(2):
            urllib.request.urlopen(base + "/datasets/ev_chargers.csv", timeout=30).read()
        assert _today(database_url) == before  # nothing written per request
    after = _today(database_url)
    page, layer = ("page", "/map/deadzones"), ("layer", "ev_chargers")
    assert after.get(page, 0) - before.get(page, 0) == 3
    assert after.get(layer, 0) - before.get(layer, 0) == 2
