"""Surge benchmark: 500 concurrent clients for 60 s mixing vector tiles, items and hazards-at
on the demo data, against `kasane serve` on loopback. Prints req/s, p50/p90/p99 and errors
(socket errors plus non-2xx answers).

    .venv/bin/python bench/surge.py [--seconds 60] [--connections 500] [--workers 2]

Bounded (one wrk run of --seconds) and loopback only. Figures are noisy on a shared 2-core
machine: PostgreSQL, gunicorn and wrk share the cores.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from residents import run_wrk  # noqa: E402

from etl.demo import load_demo  # noqa: E402
from gis.layerstore.registry import LayerRegistry  # noqa: E402
from gis.platform import provision  # noqa: E402
from gis.platform.databases import create_sibling, sibling_url  # noqa: E402
from gis.platform.db import connect  # noqa: E402
from gis.platform.settings import load_settings  # noqa: E402

DB_NAME = "kasane_bench_surge"
SCRATCH = Path("/tmp/kasane-bench-surge")
TILE_LAYERS = ("shelters", "flood_depth,landslide_zones", "admin_boundaries", "wifi_spots")
ITEM_LAYERS = ("shelters", "ev_chargers", "wifi_spots", "flood_depth")


def prepare() -> str:
    """A fresh database with the demo data."""
    url = create_sibling(provision.up(load_settings().home).url, DB_NAME)
    load_demo(url, LayerRegistry.from_dir(load_settings().layers_dir))
    return url


def _tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def paths(url: str, count: int = 6000) -> list[str]:
    """One third each: tiles (z 10-15), items in a small bbox, hazards-at; inside the data."""
    with connect(url) as conn:
        box = conn.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM"
            " (SELECT ST_Extent(geom)::geometry AS e FROM layer_data.admin_boundaries) AS x"
        ).fetchone()
    assert box is not None
    west, south, east, north = (float(v) for v in box)
    rng = np.random.default_rng(8)
    out = []
    for i in range(count):
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if i % 3 == 0:
            z = int(rng.integers(10, 16))
            x, y = _tile(lon, lat, z)
            out.append(f"/tiles/{TILE_LAYERS[i % len(TILE_LAYERS)]}/{z}/{x}/{y}.mvt")
        elif i % 3 == 1:
            d = 0.01
            layer = ITEM_LAYERS[i % len(ITEM_LAYERS)]
            out.append(f"/collections/{layer}/items?bbox={lon - d:.4f},{lat - d:.4f},"
                       f"{lon + d:.4f},{lat + d:.4f}&limit=50")  # fmt: skip
        else:
            out.append(f"/api/hazards/at?lat={lat:.5f}&lon={lon:.5f}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--connections", type=int, default=500)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=18041)
    a = ap.parse_args()
    url = prepare()
    SCRATCH.mkdir(parents=True, exist_ok=True)
    chosen = paths(url)
    env = {**os.environ, "KASANE_DATABASE_URL": url, "KASANE_BASEMAP_URL": ""}
    server = subprocess.Popen(
        [sys.executable, "-m", "kasane", "serve", "--host", "127.0.0.1", "--port", str(a.port),
         "--workers", str(a.workers)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{a.port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for p in chosen[:30]:  # every kind of URL answers before we measure
            with urllib.request.urlopen(base + p, timeout=30) as response:
                assert response.status in (200, 204), p
        path_file = SCRATCH / "paths.txt"
        path_file.write_text("\n".join(chosen) + "\n")
        f = run_wrk(base, path_file, a.seconds, a.connections)
        sockets = re.search(r"Socket errors: (.*)", f["raw"])
        print(f"\nsurge: {a.connections} connections for {a.seconds}s, {a.workers} gunicorn"
              " workers, 1/3 tiles, 1/3 items, 1/3 hazards-at (demo data, loopback)")  # fmt: skip
        print(f"{'p50':>9} {'p90':>9} {'p99':>9} {'req/s':>9} {'non-2xx':>8}  socket errors")
        print(
            f"{f.get('50%', '?'):>9} {f.get('90%', '?'):>9} {f.get('99%', '?'):>9}"
            f" {f['req/s']:>9} {f['non-2xx']:>8}  {sockets.group(1) if sockets else 'none'}"
        )
    finally:
        server.terminate()
        server.wait(timeout=15)
        with connect(sibling_url(url, "postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
