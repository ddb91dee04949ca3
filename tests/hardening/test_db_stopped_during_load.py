"""The database goes away while `kasane load` is copying rows: the load fails with one clear
line (no traceback), the served version is unchanged, and the next load succeeds.

As in tests/webmap/test_db_outage.py, the loader reaches the database through a TCP relay
that the test cuts (the cluster itself is shared by the whole test session)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from gis.platform.db import connect
from tests.conftest import ROOT
from tests.etl.conftest import etl_url, run_load  # noqa: F401  (fixture re-export)
from tests.webmap.test_db_outage import Relay

ROWS = 150_000


def _points(path: Path, n: int) -> Path:
    features = [
        {"type": "Feature", "properties": {"name": f"spot {i}", "lg_code": "352039"},
         "geometry": {"type": "Point",
                      "coordinates": [131.4 + (i % 400) * 0.0005, 34.1 + (i // 400) * 0.0002]}}
        for i in range(n)
    ]  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def _served(url: str) -> tuple[object, ...] | None:
    with connect(url) as conn:
        return conn.execute(
            "SELECT c.version, (SELECT count(*) FROM layer_data.wifi_spots)"
            " FROM kasane.layer_current c WHERE c.layer_id = 'wifi_spots'"
        ).fetchone()


def test_database_lost_during_copy(etl_url: str, tmp_path: Path) -> None:  # noqa: F811
    run_load(etl_url, "wifi_spots", str(_points(tmp_path / "small.geojson", 10)), check=True)
    before = _served(etl_url)
    assert before is not None and before[1] == 10
    big = _points(tmp_path / "big.geojson", ROWS)
    parts = urlsplit(etl_url)
    relay = Relay(parts.hostname or "127.0.0.1", parts.port or 5432)
    through = urlunsplit(parts._replace(netloc=parts.netloc.rsplit(":", 1)[0] + f":{relay.port}"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kasane", "load", "wifi_spots", str(big)],
        cwd=ROOT, env={**os.environ, "KASANE_DATABASE_URL": through},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 180
    with connect(etl_url, autocommit=True) as conn:
        while time.monotonic() < deadline and proc.poll() is None:
            busy = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE query ILIKE 'COPY%%wifi_spots%%'"
            ).fetchone()
            if busy and busy[0]:
                break
            time.sleep(0.02)
        else:
            proc.kill()
            pytest.fail("the load never reached COPY")
    relay.cut()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kasane: error: "), err
    assert "Traceback" not in err
    assert lines[0] == (
        "kasane: error: the database connection was lost while loading layer 'wifi_spots';"
        " nothing was changed (the served version is still served): load again when it is back"
    )
    assert _served(etl_url) == before
    relay.restore()
    # The cut load's backend holds the layer's load lock until PostgreSQL notices its client
    # is gone; until then a new load is (rightly) refused as "another load is running".
    with connect(etl_url, autocommit=True) as conn:
        deadline = time.monotonic() + 60
        while holders := conn.execute(
            "SELECT a.pid, a.datname, a.state, a.client_port, left(a.query, 80)"
            " FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.objid = hashtext('wifi_spots')::oid"
        ).fetchall():
            assert time.monotonic() < deadline, f"the cut load's backend never went away: {holders}"
            time.sleep(0.1)
    again = run_load(etl_url, "wifi_spots", str(big), check=True)
    assert f"as version {int(before[0]) + 1}" in again.stdout  # type: ignore[call-overload]
    with connect(etl_url) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'layer_data'"
            " AND tablename LIKE 'wifi_spots__v%%' ORDER BY 1"
        ).fetchall()
    version = int(before[0])  # type: ignore[call-overload]
    assert [t[0] for t in tables] == [f"wifi_spots__v{version}", f"wifi_spots__v{version + 1}"]
