"""A database of its own in the private cluster, replicated to a real hot standby."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from etl.writer import write_version
from gis.layerstore import storage
from gis.layerstore.registry import LayerRegistry
from gis.platform import provision
from gis.platform import standby as standbys
from gis.platform.databases import create_sibling, drop_sibling, sibling_url
from gis.platform.db import connect
from tests.demo import demo_frames

WAIT_S = 30


@dataclass
class Replicated:
    """The primary database, its URL on the standby, and how to reach the standby."""

    primary: str
    replica: str
    cluster: provision.Cluster
    standby: standbys.Standby

    def on_standby(self, sql: str) -> str:
        return standbys.admin_sql(self.cluster, self.standby, sql)


def wait_for(check: Any, what: str, timeout: float = WAIT_S) -> Any:
    """Poll ``check()`` until it returns something true (replication is asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout} s for {what}")
        time.sleep(0.05)


def load_wifi(url: str, registry: LayerRegistry, rows: int) -> int:
    """Publish the first ``rows`` demo Wi-Fi spots as a new version of wifi_spots."""
    frame = demo_frames()["wifi_spots"].iloc[:rows].copy()
    with connect(url, autocommit=True) as conn:
        return write_version(
            conn, registry.get("wifi_spots"), frame, storage.Provenance(rows_read=rows)
        )


def replayed_version(replicated: Replicated) -> int | None:
    """The served wifi_spots version as the standby has replayed it."""
    try:
        with connect(replicated.replica) as conn:
            row = conn.execute(
                "SELECT version FROM kasane.layer_current WHERE layer_id = 'wifi_spots'"
            ).fetchone()
    except Exception:
        return None
    return int(row[0]) if row else None


@pytest.fixture(scope="session")
def replicated(standby: Any, registry: LayerRegistry) -> Iterator[Replicated]:
    """A fresh database with one Wi-Fi version, replayed by the standby."""
    cluster, found = standby
    name = f"kasane_repl_{os.getpid()}_{secrets.token_hex(3)}"
    primary = create_sibling(cluster.url, name)
    made = Replicated(primary, sibling_url(found.url(cluster), name), cluster, found)
    version = load_wifi(primary, registry, 40)
    wait_for(lambda: replayed_version(made) == version, "the standby to replay the load")
    yield made
    standbys.start(cluster, found)
    made.on_standby("SELECT pg_wal_replay_resume()")
    drop_sibling(cluster.url, name)
