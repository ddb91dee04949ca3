"""Issue 31: `kasane demo` never replaces data a user loaded, the transit layers always agree
with the stored feeds, and `kasane demo --reset` is the explicit way back to the demo data.

The user's story, as a new user runs it: `kasane demo` on an empty database, then real files
loaded (GSI shelters, a GTFS feed), then `kasane demo` again (the README's way to start)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gis.layerstore import storage
from gis.platform.db import connect
from gis.platform.settings import load_settings
from tests.etl.conftest import ROOT, run_load
from tests.shared_data import shared_path

pytestmark = pytest.mark.shared
SHELTERS = ("gsi-shelters", "evacuation", "332071.json")
FEED = ("gtfs-google-sample", "good_feed.zip")


def kasane(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`kasane …` as a user runs it (stdin not a terminal), against ``url``."""
    env = {**os.environ, "KASANE_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "kasane", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def count(url: str, query: str) -> int:
    with connect(url) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])


def served_shelters(url: str) -> int:
    return count(url, "SELECT count(*) FROM layer_data.shelters")


def layer_stops(url: str) -> int:
    return count(url, "SELECT count(*) FROM layer_data.transit_stops")


def schema_stops(url: str) -> int:
    return count(url, "SELECT count(*) FROM transit.stops WHERE stop_lat IS NOT NULL")


def page_stops(url: str) -> tuple[int, int]:
    """(boarding stops in the demo municipalities as the transit page counts them, from the
    transit schema; the same count over the served transit_stops layer)."""
    from webmap import close, create_app

    app = create_app(load_settings(database_url=url))
    try:
        body = app.test_client().get("/api/transit/municipalities").get_json()
    finally:
        close(app)
    in_layer = count(
        url,
        "SELECT count(*) FROM layer_data.transit_stops s JOIN layer_data.admin_boundaries b"
        " ON ST_Intersects(b.geom, s.geom) WHERE coalesce(s.location_type, 0) = 0",
    )
    return sum(m["stops"] for m in body["municipalities"]), in_layer


def deep_ready(url: str) -> dict[str, object]:
    from webmap import close, create_app

    app = create_app(load_settings(database_url=url))
    try:
        response = app.test_client().get("/readyz?deep=1")
        assert response.status_code == 200
        body: dict[str, object] = response.get_json()
    finally:
        close(app)
    return body


@pytest.fixture(scope="module")
def story(etl_url: str) -> Iterator[dict[str, int]]:
    """The demo, then the user's shelters and feed: returns the user's counts."""
    first = kasane(etl_url, "demo", "--no-serve")
    assert first.returncode == 0, first.stderr
    demo_shelters = served_shelters(etl_url)
    path = shared_path(*SHELTERS)
    expected = len(json.loads(path.read_text("utf-8"))["features"])
    run_load(etl_url, "shelters", str(path), check=True)
    run_load(etl_url, "transit", str(shared_path(*FEED)), check=True)
    yield {"shelters": expected, "demo_shelters": demo_shelters}


def test_demo_again_keeps_the_users_data(etl_url: str, story: dict[str, int]) -> None:
    assert served_shelters(etl_url) == story["shelters"] != story["demo_shelters"]
    stops_before = schema_stops(etl_url)
    again = kasane(etl_url, "demo", "--no-serve")
    assert again.returncode == 0, again.stderr
    assert "did not come from the demo" in again.stderr
    assert "layer shelters" in again.stderr and "GTFS feed good_feed" in again.stderr
    assert "kasane serve" in again.stderr and "kasane demo --reset" in again.stderr
    assert "as version" not in again.stderr  # nothing was loaded
    assert served_shelters(etl_url) == story["shelters"]
    assert schema_stops(etl_url) == stops_before == layer_stops(etl_url)
    good = count(
        etl_url, "SELECT count(*) FROM layer_data.transit_stops WHERE feed_id = 'good_feed'"
    )
    assert good == 10  # the Google sample feed's stops (PROVENANCE.md)
    on_page, in_layer = page_stops(etl_url)
    assert on_page == in_layer > 0
    check = kasane(etl_url, "layers", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert deep_ready(etl_url) == {"status": "ready", "derived_layers": []}
    # the user's real shelters are never opened as a drill
    assert count(etl_url, "SELECT count(*) FROM kasane.shelter_status s JOIN"
                 " layer_data.shelters l USING (shelter_id)") == 0  # fmt: skip


def test_check_reports_a_derived_layer_that_disagrees(etl_url: str, story: dict[str, int]) -> None:
    with connect(etl_url, autocommit=True) as conn, conn.transaction():
        storage.rollback(conn, "transit_stops")  # built before the user's feed came
    check = kasane(etl_url, "layers", "check")
    assert check.returncode == 1
    assert "disagrees: transit_stops" in check.stdout and "good_feed" in check.stdout
    ready = deep_ready(etl_url)
    assert ready["status"] == "degraded"
    assert any("transit_stops" in str(p) for p in ready["derived_layers"])  # type: ignore[attr-defined]
    refused = kasane(etl_url, "layers", "rollback", "transit_routes")
    assert refused.returncode == 1 and "derived from the stored GTFS feeds" in refused.stderr
    # loading the feed again rebuilds every derived layer from the whole schema
    run_load(etl_url, "transit", "--force", str(shared_path(*FEED)), check=True)
    assert kasane(etl_url, "layers", "check").returncode == 0
    assert layer_stops(etl_url) == schema_stops(etl_url)


def test_reset_returns_to_the_demo_and_says_what_it_replaced(
    etl_url: str, story: dict[str, int]
) -> None:
    with connect(etl_url) as conn:
        user_version = storage.current_versions(conn)["shelters"]
    reset = kasane(etl_url, "demo", "--reset", "--no-serve")
    assert reset.returncode == 0, reset.stderr
    assert "replaced: layer shelters: version" in reset.stderr
    assert "replaced: GTFS feed good_feed (good_feed.zip): 10 stops" in reset.stderr
    assert served_shelters(etl_url) == story["demo_shelters"]
    assert count(etl_url, "SELECT count(*) FROM transit.feeds WHERE NOT demo") == 0
    assert layer_stops(etl_url) == schema_stops(etl_url) > 0
    assert kasane(etl_url, "layers", "check").returncode == 0
    history = kasane(etl_url, "layers", "history", "shelters")
    lines = {int(line[3:].split()[0]): line for line in history.stdout.splitlines()}
    assert lines[user_version].startswith("  ") and " demo " not in lines[user_version]
    assert "(pruned)" not in lines[user_version]
    served = next(line for line in lines.values() if line.startswith("*"))
    assert " demo " in served
    # the database holds only demo data again: `kasane demo` changes nothing
    again = kasane(etl_url, "demo", "--no-serve")
    assert "did not come from the demo" not in again.stderr
    assert "shelters             unchanged" in again.stderr


def test_pruning_keeps_the_last_version_that_is_not_demo_data(
    etl_url: str, story: dict[str, int]
) -> None:
    from etl.writer import write_version
    from gis.layerstore.registry import LayerRegistry
    from tests.demo import demo_frames

    registry = LayerRegistry.from_dir(load_settings().layers_dir)
    spec = registry.get("wifi_spots")
    frame = demo_frames()["wifi_spots"]
    with connect(etl_url, autocommit=True) as conn:
        mine = write_version(conn, spec, frame.head(3), storage.Provenance(rows_read=3))
        for n in range(storage.KEEP_VERSIONS + 2):
            demo = storage.Provenance(rows_read=n, demo=True)
            write_version(conn, spec, frame.head(n + 1), demo)
        versions = {v.version: v for v in storage.history(conn, spec.id)}
    assert versions[mine].available and not versions[mine].demo
    older_demo = [v for v in versions.values() if v.demo and v.version < max(versions)]
    assert sum(v.available for v in older_demo) == storage.KEEP_VERSIONS - 1
    assert any(not v.available for v in older_demo)  # pruning still prunes demo versions


def test_readme_says_which_command_serves_real_data() -> None:
    text = Path(ROOT, "docs", "demo-and-real-data.md").read_text("utf-8")
    assert "kasane serve" in text and "kasane demo --reset" in text
    assert "docs/demo-and-real-data.md" in Path(ROOT, "README.md").read_text("utf-8")


def test_feeds_and_derived_layers_change_together_or_not_at_all(
    etl_url: str, story: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after transit_stops and transit_routes were rebuilt (here: injected where the
    blank areas would be) rolls back the feed too: the schema and the layers stay as they were."""
    import etl.derived_layers
    from etl.gtfs_load import load_feeds
    from etl.load_options import LoadOptions
    from gis.layerstore.registry import LayerRegistry

    def fail(*args: object) -> None:
        raise RuntimeError("injected after the transit layers were written")

    monkeypatch.setattr(etl.derived_layers, "republish_blank_areas", fail)
    registry = LayerRegistry.from_dir(load_settings().layers_dir)
    with connect(etl_url) as conn:
        before = storage.current_versions(conn)
        feeds_before = conn.execute("SELECT feed_id, sha256 FROM transit.feeds").fetchall()
    with pytest.raises(RuntimeError, match="injected"):
        load_feeds(etl_url, registry, [shared_path(*FEED)], LoadOptions())
    with connect(etl_url) as conn:
        assert storage.current_versions(conn) == before
        assert conn.execute("SELECT feed_id, sha256 FROM transit.feeds").fetchall() == feeds_before
        leftovers = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'layer_data'"
            " AND tablename LIKE 'transit_%%' AND tablename NOT IN"
            " (SELECT table_name FROM kasane.layer_versions WHERE dropped_at IS NULL)"
        ).fetchone()
    assert leftovers == (0,)
    assert kasane(etl_url, "layers", "check").returncode == 0
