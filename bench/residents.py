"""Residents benchmark: hazards-at + nearest open flood shelter on 200k shelters.

Data: the 200k synthetic shelters and 20k flood polygons of ../shared/bench (generated in memory
by its make_data.py, copied to /tmp/kasane-bench-residents, with the same seeds), mapped onto
Kasane's shelters / flood_depth layers; landslide zones and boundaries are the demo layers.
A quarter of the shelters is opened. Then `kasane serve` runs against that database and wrk
drives it with 50 connections over random points near shelters; the figures are printed, with
the share of answers that came from the answer cache (webmap/fastpath/remembered_answers.py) and,
of the others, the
share answered from the in-memory indexes (gis/residents/point_indexes.py; the bench waits until
every
worker holds them). Two workloads: 4000
places asked again and again (many residents asking about the same places; measured after one
unreported pass, so the cache answers them), and every request a new point (no cache hit: the
indexes or the database answer each).

    .venv/bin/python bench/residents.py [--seconds 30] [--connections 50] [--keep-db]

Figures are noisy on a shared 2-core machine (PostgreSQL, gunicorn and wrk share the cores).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.demo_data import demo_layers  # noqa: E402
from etl.writer import write_version  # noqa: E402
from gis.geo.lg_codes import check_digit  # noqa: E402
from gis.layerstore import storage  # noqa: E402
from gis.layerstore.registry import LayerRegistry  # noqa: E402
from gis.platform import auth, provision  # noqa: E402
from gis.platform.databases import create_sibling, sibling_url  # noqa: E402
from gis.platform.db import connect  # noqa: E402
from gis.platform.migrate import migrate  # noqa: E402
from gis.platform.settings import load_settings  # noqa: E402

SCRATCH = Path("/tmp/kasane-bench-residents")
DB_NAME = "kasane_bench_residents"
SEED = 20240601
CITY_CODES = {
    "岡山市": "33100",
    "倉敷市": "33202",
    "津山市": "33203",
    "玉野市": "33204",
    "笠岡市": "33205",
    "総社市": "33208",
    "真庭市": "33214",
}
KIND = {
    "指定避難所": "shelter",
    "指定緊急避難場所": "emergency_site",
    "福祉避難所": "welfare",
    "EV普通充電器": "both",
    "EV急速充電器": "both",
}
HAZARDS = (
    "flood",
    "landslide",
    "storm_surge",
    "earthquake",
    "tsunami",
    "fire",
    "inland_flood",
    "volcano",
)
SHARE = (0.7, 0.6, 0.5, 0.9, 0.4, 0.5, 0.6, 0.05)  # share of shelters flagged per hazard


def make_data_module():
    """Import a scratch copy of ../shared/bench/make_data.py."""
    source = Path(os.environ.get("KASANE_SHARED_DIR", ROOT.parent / "shared")) / "bench"
    SCRATCH.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "make_data.py", SCRATCH / "make_data.py")
    spec = importlib.util.spec_from_file_location("bench_make_data", SCRATCH / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shelters_frame(points):
    fid = points["fid_src"].to_numpy()
    city = points["name"].str.extract(f"^({'|'.join(CITY_CODES)})")[0]
    codes = {name: c + check_digit(c) for name, c in CITY_CODES.items()}
    frame = pd.DataFrame(
        {
            "shelter_id": [f"B{i:07d}" for i in fid],
            "lg_code": city.map(codes).to_numpy(),
            "name": points["name"].to_numpy(),
            "name_kana": None,
            "address": "岡山県" + city + "1-" + pd.Series(fid % 97 + 1).astype(str),
            "kind": points["category"].map(KIND).to_numpy(),
        }
    )
    for k, (hazard, share) in enumerate(zip(HAZARDS, SHARE, strict=True)):
        frame[f"hz_{hazard}"] = ((fid * (7919 + 104729 * k)) % 1000) < share * 1000
    frame["capacity"] = points["capacity"].to_numpy()
    for column in ("capacity_note", "phone", "url", "note"):
        frame[column] = None
    import geopandas as gpd

    return gpd.GeoDataFrame(frame, geometry=points.geometry.values, crs="EPSG:4326")


def flood_frame(polys):
    import geopandas as gpd

    return gpd.GeoDataFrame(
        {
            "depth_m": None,
            "depth_rank": polys["depth_rank"].astype(int).to_numpy(),
            "source_class": None,
            "scenario": "想定最大規模 L2",
            "river_name": polys["river"].to_numpy(),
        },
        geometry=polys.geometry.values,
        crs="EPSG:4326",
    )


def prepare_database() -> str:
    return create_sibling(provision.up(load_settings().home).url, DB_NAME)


def load(url: str) -> None:
    registry = LayerRegistry.from_dir(ROOT / "layers")
    make_data = make_data_module()
    t = time.perf_counter()
    points = make_data.make_points(np.random.default_rng([SEED, 1]), 200_000)
    polys = make_data.make_polygons(np.random.default_rng([SEED, 2]), 20_000)
    demo = demo_layers(LayerRegistry.from_dir(load_settings().layers_dir))
    print(f"generated data in {time.perf_counter() - t:.1f}s", flush=True)
    frames = {
        "shelters": shelters_frame(points),
        "flood_depth": flood_frame(polys),
        "landslide_zones": demo["landslide_zones"],
        "admin_boundaries": demo["admin_boundaries"],
    }
    with connect(url, autocommit=True) as conn:
        for layer, frame in frames.items():
            t = time.perf_counter()
            source = storage.SourceFile(name=f"bench:{layer}", sha256="0" * 64, bytes=0)
            write_version(conn, registry.get(layer), frame, storage.Provenance(files=[source]))
            print(f"loaded {layer:<16} {len(frame):>7} rows in {time.perf_counter() - t:.1f}s")
    with connect(url) as conn:
        auth.add_user(conn, "bench", "330001", auth.Role.ADMIN, org_name="岡山県")
        conn.execute(
            "INSERT INTO kasane.shelter_status (shelter_id, lg_code, status, crowding, revision,"
            " opened_at, updated_by) SELECT shelter_id, lg_code, 'open', 'vacant', 1, now(),"
            " (SELECT id FROM kasane.users WHERE name = 'bench') FROM layer_data.shelters"
            " WHERE fid % 4 = 0"
        )
        conn.execute("ANALYZE kasane.shelter_status")
        conn.commit()


def paths(url: str, count: int = 4000, repeats: int = 1, seed: int = 5) -> list[str]:
    """Random points within ~1.5 km of ``count`` random shelters (each jittered ``repeats``
    times, all different), alternating the two endpoints."""
    with connect(url) as conn:
        conn.execute("SELECT setseed(%s)", (seed / 100,))
        rows = conn.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM layer_data.shelters ORDER BY random() LIMIT %s",
            (count,),
        ).fetchall()
    rng = np.random.default_rng(seed)
    out = []
    for i, (lon, lat) in enumerate(rows * repeats):
        lon += rng.normal(0, 0.01)
        lat += rng.normal(0, 0.008)
        if i % 2:
            out.append(
                f"/api/shelters/nearest?lat={lat:.6f}&lon={lon:.6f}&hazard=flood&open=true&n=5"
            )
        else:
            out.append(f"/api/hazards/at?lat={lat:.6f}&lon={lon:.6f}")
    return out


COUNTERS = {
    "hits": r"kasane_cache_hits_total",
    "misses": r"kasane_cache_misses_total",
    "memory": r'kasane_point_answers_total\{source="memory"\}',
    "database": r'kasane_point_answers_total\{source="database"\}',
}


def counters(base: str) -> dict[str, float]:
    """Answer-cache hits/misses and point answers by source, from /metrics (all workers)."""
    with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        name: float(m.group(1)) if (m := re.search(rf"^{pattern} (\S+)", text, re.M)) else 0.0
        for name, pattern in COUNTERS.items()
    }


def share(after: dict[str, float], before: dict[str, float], yes: str, no: str) -> str:
    """The share of ``yes`` among ``yes`` + ``no`` between two readings of the counters."""
    got, missed = after[yes] - before[yes], after[no] - before[no]
    return f"{got / (got + missed):.0%}" if got + missed else "-"


def wait_for_memory(base: str, url: str, limit_s: float = 180.0) -> float:
    """Ask new questions until both workers answer from their in-memory indexes (built in the
    background after the first questions); the seconds it took."""
    started = time.monotonic()
    for seed in range(20, 100):  # (setseed takes seed / 100)
        if time.monotonic() - started > limit_s:
            break
        before = counters(base)
        for p in paths(url, count=30, seed=seed):  # new places: the answer cache has none
            urllib.request.urlopen(base + p, timeout=10).read()
        if share(counters(base), before, "memory", "database") == "100%":
            return time.monotonic() - started
        time.sleep(0.5)
    return float("nan")


LUA = """
-- each wrk thread starts half-way through the list from the other, so no question is asked
-- twice at once by the two threads
local made = 0
function setup(thread)
  thread:set("offset", made)
  made = made + 1
end
paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
counter = 0
request = function()
  counter = counter + 1
  local i = (offset * math.floor(#paths / 2) + counter) %% #paths
  return wrk.format("GET", paths[i + 1])
end
"""


def run_wrk(base: str, path_file: Path, seconds: int, connections: int) -> dict[str, str]:
    script = path_file.with_suffix(".lua")
    script.write_text(LUA % path_file)
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), base],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    out = result.stdout
    figures = {
        p: m.group(1)
        for p in ("50%", "75%", "90%", "99%")
        if (m := re.search(rf"^\s+{re.escape(p)}\s+(\S+)", out, re.M))
    }
    figures["req/s"] = re.search(r"Requests/sec:\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["non-2xx"] = errors.group(1) if errors else "0"
    figures["raw"] = out
    return figures


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--warm-seconds", type=int, default=8, help="unreported pass before 'again'")
    ap.add_argument("--port", type=int, default=18031)
    ap.add_argument("--reuse", action="store_true", help="skip loading (database already built)")
    a = ap.parse_args()
    if a.reuse:
        cluster = provision.up(load_settings().home)
        url = sibling_url(cluster.url, DB_NAME)
        with connect(url, autocommit=True) as conn:
            migrate(conn)
    else:
        url = prepare_database()
        load(url)
    all_paths = paths(url)
    env = {**os.environ, "KASANE_DATABASE_URL": url, "KASANE_POOL_MAX": "8"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kasane",
            "serve",
            "--port",
            str(a.port),
            "--workers",
            str(a.workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{a.port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for p in all_paths[:20]:  # every kind of URL answers 200 before we measure
            with urllib.request.urlopen(base + p, timeout=10) as response:
                assert response.status == 200, p
        took = wait_for_memory(base, url)
        print(f"point indexes in memory in every worker after {took:.1f} s")
        distinct = paths(url, count=4000, repeats=40, seed=11)  # 160k, none asked twice
        print(
            f"\nwrk: {a.connections} connections, {a.seconds}s each, {a.workers} gunicorn workers"
        )
        print(
            f"{'endpoint':<34} {'p50':>9} {'p90':>9} {'p99':>9} {'req/s':>9} {'non-2xx':>8}"
            f" {'cache hits':>10} {'memory':>7}"
        )
        for label, chosen, warm in (
            ("hazards-at, 2000 places again", all_paths[0::2], True),
            ("nearest (flood, open), again", all_paths[1::2], True),
            ("mixed 1:1, 4000 places again", all_paths, True),
            ("mixed 1:1, every point new", distinct, False),
        ):
            path_file = SCRATCH / f"paths-{len(chosen)}-{label.split()[0]}.txt"
            path_file.write_text("\n".join(chosen) + "\n")
            if warm:  # one unreported pass first: these residents have asked before
                run_wrk(base, path_file, a.warm_seconds, a.connections)
            before = counters(base)
            f = run_wrk(base, path_file, a.seconds, a.connections)
            after = counters(base)
            print(
                f"{label:<34} {f.get('50%', '?'):>9} {f.get('90%', '?'):>9} {f.get('99%', '?'):>9}"
                f" {f['req/s']:>9} {f['non-2xx']:>8} {share(after, before, 'hits', 'misses'):>10}"
                f" {share(after, before, 'memory', 'database'):>7}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
