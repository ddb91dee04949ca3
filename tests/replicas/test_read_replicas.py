"""Reads on a real hot standby: routed there, skipped when down or behind, never ahead of the
versions the primary serves (ETags stay right)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from gis.layerstore.registry import LayerRegistry
from gis.platform.settings import Settings
from tests.replicas.conftest import Replicated, load_wifi, wait_for
from webmap.db import READS

ITEMS = "/collections/wifi_spots/items?limit=100"


def reads(on: str) -> float:
    return READS.labels(on)._value.get()  # type: ignore[attr-defined,no-any-return]


def _app(settings: Settings, replicated: Replicated, max_lag_s: float) -> Flask:
    from webmap import create_app

    app = create_app(
        settings.model_copy(
            update={
                "database_url": replicated.primary,
                "database_replica_urls": replicated.replica,
                "replica_max_lag_s": max_lag_s,
                "cache_mb": 0,  # every request reads the database
                "point_index_mb": 0,
            }
        )
    )
    app.testing = True
    return app


@pytest.fixture()
def make_app(settings: Settings, replicated: Replicated) -> Iterator[Any]:
    from webmap import close

    made: list[Flask] = []

    def make(max_lag_s: float = 5.0) -> Flask:
        made.append(_app(settings, replicated, max_lag_s))
        return made[-1]

    yield make
    for app in made:
        close(app)


def _replica_state(client: Any) -> str:
    body = client.get("/readyz").get_json()
    return str(body["replicas"][0]["state"])


def _items(client: Any) -> tuple[str, int, bytes]:
    response = client.get(ITEMS)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.headers["ETag"], len(response.get_json()["features"]), response.get_data()


def _commits_on_standby(replicated: Replicated) -> int:
    name = replicated.primary.rsplit("/", 1)[1]
    return int(
        replicated.on_standby(f"SELECT xact_commit FROM pg_stat_database WHERE datname = '{name}'")
    )


def test_reads_go_to_the_replica_and_writes_to_the_primary(make_app: Any, replicated: Replicated):
    from webmap import close

    app = make_app()
    client = app.test_client()
    wait_for(lambda: _replica_state(client) == "streaming", "the replica to be seen")
    on_replica, on_primary = reads("replica1"), reads("primary")
    commits = _commits_on_standby(replicated)
    for _ in range(5):
        _items(client)
    assert reads("replica1") - on_replica == 5
    assert reads("primary") == on_primary
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "ready"
    assert ready["replicas"][0]["state"] == "streaming"
    assert "***" in ready["replicas"][0]["url"]  # never the password
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'kasane_replica_up{replica="replica1"} 1.0' in metrics
    assert 'kasane_replica_usable{replica="replica1"} 1.0' in metrics
    assert "kasane_replica_lag_seconds" in metrics
    # the standby itself counted the transactions: its backends report them as they end
    close(app)
    wait_for(lambda: _commits_on_standby(replicated) >= commits + 5, "the standby's counters")


def test_a_stopped_replica_falls_back_to_the_primary(make_app: Any, replicated: Replicated):
    from gis.platform import standby as standbys

    client = make_app().test_client()
    wait_for(lambda: _replica_state(client) == "streaming", "the replica to be seen")
    etag, count, body = _items(client)
    on_primary = reads("primary")
    standbys.stop(replicated.cluster, replicated.standby)
    try:
        for _ in range(3):  # at once, before the watcher has noticed: still no error
            assert _items(client) == (etag, count, body)
        assert reads("primary") - on_primary == 3
        wait_for(lambda: _replica_state(client) == "down", "/readyz to say the replica is down")
        assert client.get("/readyz").status_code == 200  # the primary serves: still ready
        assert 'kasane_replica_up{replica="replica1"} 0.0' in client.get("/metrics").get_data(
            as_text=True
        )
    finally:
        standbys.start(replicated.cluster, replicated.standby)
    wait_for(lambda: _replica_state(client) == "streaming", "the replica to be back")
    on_replica = reads("replica1")
    wait_for(lambda: _items(client) and reads("replica1") > on_replica, "reads to return")


def _write_on_primary(replicated: Replicated) -> None:
    from gis.platform.db import connect

    with connect(replicated.primary) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS public.lag_probe (at timestamptz)")
        conn.execute("INSERT INTO public.lag_probe VALUES (now())")
        conn.commit()


def test_a_replica_held_back_is_skipped_past_the_lag_limit(make_app: Any, replicated: Replicated):
    client = make_app(max_lag_s=1.0).test_client()
    wait_for(lambda: _replica_state(client) == "streaming", "the replica to be seen")
    replicated.on_standby("SELECT pg_wal_replay_pause()")
    try:
        # writes that are no layer version: only the lag can make the replica unfit
        wait_for(
            lambda: _write_on_primary(replicated) or _replica_state(client) == "lagging",
            "the paused replica to fall behind the limit",
        )
        ready = client.get("/readyz").get_json()["replicas"][0]
        assert ready["replay_paused"] is True and ready["lag_s"] > 1.0
        on_replica, on_primary = reads("replica1"), reads("primary")
        for _ in range(3):
            _items(client)
        assert (reads("replica1"), reads("primary") - on_primary) == (on_replica, 3)
    finally:
        replicated.on_standby("SELECT pg_wal_replay_resume()")
    wait_for(lambda: _replica_state(client) == "streaming", "the replica to catch up")
    on_replica = reads("replica1")
    _items(client)
    assert reads("replica1") == on_replica + 1


def test_a_load_appears_through_the_replica_after_replay_with_the_right_etag(
    make_app: Any, replicated: Replicated, registry: LayerRegistry
):
    from webmap import served_versions

    app = make_app(max_lag_s=3600.0)  # the lag never excludes it: only the versions rule does
    client = app.test_client()
    wait_for(lambda: _replica_state(client) == "streaming", "the replica to be seen")
    old_etag, old_count, _ = _items(client)
    replicated.on_standby("SELECT pg_wal_replay_pause()")
    try:
        version = load_wifi(replicated.primary, registry, 7)
        tracker = served_versions.tracker_for(app)
        wait_for(lambda: tracker.lookup(None)["wifi_spots"].version == version, "the NOTIFY")
        on_replica, on_primary = reads("replica1"), reads("primary")
        new_etag, new_count, new_body = _items(client)
        assert (new_count, reads("replica1")) == (7, on_replica)  # new bytes, from the primary
        assert reads("primary") == on_primary + 1
        assert new_etag != old_etag and old_count > 7
    finally:
        replicated.on_standby("SELECT pg_wal_replay_resume()")
    wait_for(lambda: _items(client) and reads("replica1") > on_replica, "reads on the replica")
    on_replica = reads("replica1")
    assert _items(client) == (new_etag, 7, new_body)  # from the replica: same ETag, same bytes
    assert reads("replica1") == on_replica + 1


def test_a_status_change_is_never_read_back_from_a_replica_behind_it(
    make_app: Any, replicated: Replicated, registry: LayerRegistry
):
    from etl.writer import write_version
    from gis.layerstore import storage
    from gis.platform import auth
    from gis.platform.db import connect
    from tests.demo import demo_frames

    frame = demo_frames()["shelters"].iloc[:5].copy()
    shelter, lg_code = str(frame.iloc[0]["shelter_id"]), str(frame.iloc[0]["lg_code"])
    with connect(replicated.primary, autocommit=True) as conn:
        write_version(conn, registry.get("shelters"), frame, storage.Provenance(rows_read=5))
        token = auth.add_user(conn, "replica-editor", lg_code, auth.Role.EDITOR, org_name="市")
    client = make_app(max_lag_s=3600.0).test_client()
    wait_for(lambda: _replica_state(client) == "streaming", "the replica to be seen")
    status_url = f"/api/shelters/{shelter}/status"
    on_replica = reads("replica1")
    wait_for(lambda: client.get(status_url).status_code == 200 and reads("replica1") > on_replica,
             "the shelters version on the replica")  # fmt: skip
    replicated.on_standby("SELECT pg_wal_replay_pause()")
    try:
        for wanted in ("open", "closed"):
            changed = client.put(status_url, json={"status": wanted},
                                 headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            assert changed.status_code == 200, changed.get_data(as_text=True)
            on_replica = reads("replica1")
            assert client.get(status_url).get_json()["status"] == wanted  # read back at once
            assert reads("replica1") == on_replica  # from the primary: the replica is behind
    finally:
        replicated.on_standby("SELECT pg_wal_replay_resume()")
    on_replica = reads("replica1")
    wait_for(lambda: client.get(status_url).get_json()["status"] == "closed"
             and reads("replica1") > on_replica, "the replica to answer again")  # fmt: skip
