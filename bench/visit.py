"""Whole-visit surge benchmark (issue 22): each virtual resident loads the hazard map page, its
scripts and styles, the tiles of the opening view and of one zoom-in, the shelter markers, and
asks "hazards here" and "nearest open shelter" (flood and landslide) — against (a) `kasane
serve` and (b) the static edition (`kasane export static`) under nginx, on loopback.

    .venv/bin/python bench/visit.py [--seconds 60] [--residents 500] [--workers 2]

The load client is wrk (as bench/surge.py), run with one connection per wrk thread so that each
thread's script walks one resident's visit in order; a visit's time is from its first request
sent to its last answer read, written by each thread to a file (LuaJIT's clock). In the static
edition "hazards here" is the area files of the point and "nearest" is data/shelters.json (the
page computes both in the browser). Reports visits/s, p50/p99 of a whole visit and errors.
nginx and wrk are Debian packages (`apt-get install nginx wrk`). Figures are noisy on a
shared machine: PostgreSQL, gunicorn, nginx and wrk share the cores.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from surge import prepare  # noqa: E402

from gis.platform.databases import sibling_url  # noqa: E402
from gis.platform.db import connect  # noqa: E402

SCRATCH = Path("/tmp/kasane-bench-visit")
DB_NAME = "kasane_bench_surge"  # made and dropped by bench/surge.py's prepare()
VIEW_W, VIEW_H = 390, 700  # a phone, the worst day's screen
OPEN_Z, ZOOM_IN = 11, 3
TILE_LAYERS = ("flood_depth", "landslide_zones", "admin_boundaries")
VISITS = 64  # distinct visits (random places), cycled by the residents

LUA = r"""
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } timespec;
           int clock_gettime(int clk_id, timespec *tp); ]]
local ts = ffi.new("timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local visits = dofile("%(visits)s")
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  v = (id - 1) %% #visits + 1
  i = 0
  bad = 0
  out = io.open("%(out)s/visits-" .. id .. ".txt", "w")
end
function request()
  i = i + 1
  if i == 1 then started = now_ms() end
  return wrk.format("GET", visits[v][i])
end
function response(status, headers, body)
  if status >= 400 then bad = bad + 1 end
  if i == #visits[v] then
    out:write(string.format("%%.1f %%d\n", now_ms() - started, bad))
    out:flush()
    i = 0
    bad = 0
    v = v %% #visits + 1
  end
end
"""


def tiles_of_view(lon: float, lat: float, z: int) -> list[tuple[int, int, int]]:
    """The tiles a VIEW_W x VIEW_H map centred on lon/lat shows at zoom z."""
    scale = 256 * 2**z
    cx = (lon + 180) / 360 * scale
    cy = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * scale
    x0, x1 = int((cx - VIEW_W / 2) // 256), int((cx + VIEW_W / 2) // 256)
    y0, y1 = int((cy - VIEW_H / 2) // 256), int((cy + VIEW_H / 2) // 256)
    return [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def view_bbox(lon: float, lat: float, z: int) -> str:
    dx = VIEW_W / 2 / (256 * 2**z) * 360
    dy = dx * VIEW_H / VIEW_W * math.cos(math.radians(lat))
    return f"{lon - dx:.6f},{lat - dy:.6f},{lon + dx:.6f},{lat + dy:.6f}"


def assets_of(html: str) -> list[str]:
    return sorted(set(re.findall(r'(?:src|href)="/?((?:static|vendor)/[^"#?]+)"', html)))


def chunk(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def visits(url: str, live_html: str, static_html: str, static: dict) -> tuple[list, list]:
    """The same random visits as paths on the live server and in the static edition."""
    with connect(url) as conn:
        box = conn.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM"
            " (SELECT ST_Extent(geom)::geometry AS e FROM layer_data.shelters) AS x"
        ).fetchone()
    west, south, east, north = (float(v) for v in box)
    rng = np.random.default_rng(22)
    live, flat = [], []
    for _ in range(VISITS):
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        views = tiles_of_view(lon, lat, OPEN_Z) + tiles_of_view(lon, lat, OPEN_Z + ZOOM_IN)
        shown = [
            (layer, z, x, y)
            for z, x, y in views
            for layer in TILE_LAYERS
            if z >= static["min_zoom"].get(layer, 0)  # the page asks no tile below
        ]
        q = f"lat={lat:.6f}&lon={lon:.6f}"
        live.append(
            ["/map/hazard?lang=ja", *("/" + a for a in assets_of(live_html))]
            + [f"/tiles/{layer}/{z}/{x}/{y}.mvt" for layer, z, x, y in shown]
            + [f"/api/shelters/map?bbox={view_bbox(lon, lat, OPEN_Z + ZOOM_IN)}",
               f"/api/hazards/at?{q}",
               f"/api/shelters/nearest?{q}&hazard=flood&open=true&n=5",
               f"/api/shelters/nearest?{q}&hazard=landslide&open=true&n=5"]
        )  # fmt: skip
        cx, cy = chunk(lon, lat, static["chunk_zoom"])
        deepest = {layer: static["tile_zoom"].get(layer, 14) for layer in TILE_LAYERS}
        files = [
            f"/tiles/{layer}/{min(z, deepest[layer])}/{x >> max(0, z - deepest[layer])}/"
            f"{y >> max(0, z - deepest[layer])}.mvt"
            for layer, z, x, y in shown
        ]
        files += [f"/areas/{layer}/{cx}/{cy}.json" for layer in TILE_LAYERS]
        # the static page asks nothing outside each layer's extent (its bounds)
        found = [f for f in dict.fromkeys(files) if (static["root"] / f[1:]).is_file()]
        flat.append(
            [
                "/index.html",
                *("/" + a for a in assets_of(static_html)),
                "/data/shelters.json",
                *found,
            ]
        )
    return live, flat


def lua_table(rows: list[list[str]]) -> str:
    return (
        "return {\n"
        + ",\n".join("{" + ",".join(json.dumps(p) for p in r) + "}" for r in rows)
        + "\n}\n"
    )


def run(base: str, rows: list[list[str]], name: str, seconds: int, residents: int) -> dict:
    out = SCRATCH / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    (out / "visits.lua").write_text(lua_table(rows))
    (out / "visit.lua").write_text(LUA % {"visits": out / "visits.lua", "out": out})
    result = subprocess.run(
        ["wrk", f"-t{residents}", f"-c{residents}", f"-d{seconds}s", "-s", str(out / "visit.lua"),
         "--timeout", "30s", base],
        capture_output=True, text=True, timeout=seconds + 120,
    )  # fmt: skip
    times, bad = [], 0
    for f in out.glob("visits-*.txt"):
        for line in f.read_text().split("\n"):
            if line:
                ms, errors = line.split()
                times.append(float(ms))
                bad += int(errors) > 0
    socket = re.search(r"Socket errors: (.*)", result.stdout)
    arr = np.array(times) if times else np.array([math.nan])
    return {
        "visits": len(times),
        "visits/s": len(times) / seconds,
        "p50": float(np.percentile(arr, 50)),
        "p99": float(np.percentile(arr, 99)),
        "bad visits": bad,
        "socket errors": socket.group(1) if socket else "none",
        "requests/visit": sum(map(len, rows)) / len(rows),
    }


def wait(base: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(base, timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{base} did not answer")


NGINX = """daemon off; worker_processes 2; pid %(dir)s/nginx.pid; error_log %(dir)s/error.log;
events { worker_connections 8192; }
http { include /etc/nginx/mime.types; types { application/vnd.mapbox-vector-tile mvt; }
  access_log off; sendfile on; keepalive_requests 100000;
  client_body_temp_path %(dir)s; proxy_temp_path %(dir)s; fastcgi_temp_path %(dir)s;
  uwsgi_temp_path %(dir)s; scgi_temp_path %(dir)s;
  server { listen 127.0.0.1:%(port)d; root %(root)s; } }
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--residents", type=int, default=500)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=18051)
    a = ap.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"{tool} is missing: apt-get install nginx wrk")
    url = prepare()
    SCRATCH.mkdir(parents=True, exist_ok=True)
    edition = SCRATCH / "edition"
    env = {**os.environ, "KASANE_DATABASE_URL": url, "KASANE_BASEMAP_URL": ""}
    subprocess.run([sys.executable, "-m", "kasane", "export", "static", str(edition)],
                   cwd=ROOT, env=env, check=True)  # fmt: skip
    manifest = json.loads((edition / "edition.json").read_text())
    html = (edition / "index.html").read_text()
    cfg = json.loads(re.search(r'id="hazard-map-config">(.*?)</script>', html, re.S).group(1))
    labels = json.loads((edition / "basemap" / "labels.json").read_text())
    static = {
        "chunk_zoom": cfg["static"]["chunk_zoom"],
        "tile_zoom": {o["layer"]: o["max_zoom"] for o in cfg["overlays"]}
        | {labels["layer"]: labels["max_zoom"]},
        "min_zoom": {o["layer"]: o["min_zoom"] for o in cfg["overlays"]},
        "root": edition.resolve(),
    }
    log = (SCRATCH / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "kasane", "serve", "--host", "127.0.0.1", "--port", str(a.port),
         "--workers", str(a.workers)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    nginx_port = a.port + 1
    conf = SCRATCH / "nginx.conf"
    conf.write_text(NGINX % {"dir": SCRATCH, "port": nginx_port, "root": edition.resolve()})
    nginx = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(SCRATCH)])
    base, flat_base = f"http://127.0.0.1:{a.port}", f"http://127.0.0.1:{nginx_port}"
    try:
        wait(base + "/healthz")
        wait(flat_base + "/edition.json")
        with urllib.request.urlopen(base + "/map/hazard?lang=ja") as response:
            live_html = response.read().decode()
        live, flat = visits(url, live_html, html, static)
        for path in live[0] + live[-1]:  # every kind of URL answers before we measure
            with urllib.request.urlopen(base + path, timeout=30) as response:
                assert response.status in (200, 204), path
        for path in flat[0] + flat[-1]:
            with urllib.request.urlopen(flat_base + path, timeout=30) as response:
                assert response.status == 200, path
        results = {
            "live (kasane serve)": run(base, live, "live", a.seconds, a.residents),
            "static (nginx)": run(flat_base, flat, "static", a.seconds, a.residents),
        }
        print(f"\nvisit: {a.residents} residents for {a.seconds} s each, {a.workers} gunicorn"
              f" workers; edition of {manifest['exported_at']} (demo data, loopback)")  # fmt: skip
        print(f"{'':<20} {'req/visit':>9} {'visits':>7} {'visits/s':>9} {'p50 ms':>8}"
              f" {'p99 ms':>8} {'bad':>5}  socket errors")  # fmt: skip
        for name, r in results.items():
            print(
                f"{name:<20} {r['requests/visit']:>9.0f} {r['visits']:>7} {r['visits/s']:>9.1f}"
                f" {r['p50']:>8.0f} {r['p99']:>8.0f} {r['bad visits']:>5}  {r['socket errors']}"
            )
        live_rate = results["live (kasane serve)"]["visits/s"]
        if live_rate:
            ratio = results["static (nginx)"]["visits/s"] / live_rate
            print(f"static / live visits/s: {ratio:.1f}x")
    finally:
        nginx.terminate()
        server.terminate()
        nginx.wait(timeout=15)
        server.wait(timeout=15)
        with connect(sibling_url(url, "postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
