"""ETL benchmark: `kasane load` against ogr2ogr (PG_USE_COPY) and the psycopg binary-COPY floor.

Runs in one go, on one machine, against the private benchmark PostGIS of ../shared/bench (pg.sh,
BENCHPG_DIR/BENCHPG_PORT), with the synthetic 200k points and 20k polygons made by its
make_data.py, in rounds: each round times every method once. Prints a table of medians (wall
seconds), the peak RSS of `kasane load`, and where its time went (the medians of the phases that
`KASANE_TIMINGS=1` makes it print).

    make bench-etl            # or: .venv/bin/python bench/etl.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_BENCH = Path(os.environ.get("KASANE_SHARED_DIR", ROOT.parent / "shared")) / "bench"
WORK = Path(os.environ.get("KASANE_BENCH_DIR", "/tmp/kasane-bench-etl"))
PG_ENV = {
    "BENCHPG_DIR": os.environ.get("BENCHPG_DIR", "/tmp/kasane-benchpg-etl"),
    "BENCHPG_PORT": os.environ.get("BENCHPG_PORT", "55442"),
}
LAYERS = {"shelters": "bench_points", "floodzones": "bench_polygons"}


def sh(*args: str, env: dict[str, str] | None = None, cwd: Path = WORK) -> str:
    out = subprocess.run(
        args, cwd=cwd, env={**os.environ, **PG_ENV, **(env or {})}, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    return out.stdout


PEER_PACKAGES = [
    "pyarrow==26.0.1", "geopandas==1.2.0", "pyogrio==0.13.0", "psycopg[binary]==3.3.9",
    "shapely==2.2.0", "numpy==2.4.6", "pandas==3.1.1",
]  # fmt: skip
PEER_PYTHON = WORK / ".venv-bench" / "bin" / "python"


def prepare() -> str:
    if not (WORK / "make_data.py").exists():
        shutil.copytree(SHARED_BENCH, WORK, dirs_exist_ok=True)
    if not PEER_PYTHON.exists():  # etl_bench.py needs pyarrow, which Kasane does not
        sh(sys.executable, "-m", "venv", str(WORK / ".venv-bench"))
        sh(str(PEER_PYTHON), "-m", "pip", "install", "-q", *PEER_PACKAGES)
    if not (WORK / "data" / "floodzones.gpkg").exists():
        print("generating synthetic data (make_data.py, about 1-2 min)…", flush=True)
        sh(sys.executable, "make_data.py")
    # Kasane's own modules compiled as an install compiles them: an editable install leaves
    # that to the first import, which PYTHONDONTWRITEBYTECODE (set in some shells) forbids, and
    # then every start compiles about a hundred modules again.
    sh(sys.executable, "-m", "compileall", "-q", "gis", "etl", "kasane", cwd=ROOT)
    return sh("./pg.sh", "start").strip().splitlines()[-1]


PHASE_LINE = re.compile(r"^  (\s*\S.*?)\s+(\d+\.\d+)$")


def phases(stderr: str) -> dict[str, float]:
    """The phase lines of ``KASANE_TIMINGS=1``'s printout (name, indented as there -> seconds)."""
    lines = stderr.split("kasane timings", 1)[-1].splitlines()[1:]
    return {m[1]: float(m[2]) for line in lines if (m := PHASE_LINE.match(line))}


def kasane_load(dsn: str, layer: str, source: Path) -> tuple[float, int, dict[str, float]]:
    env = {"KASANE_DATABASE_URL": dsn, "KASANE_LAYERS_DIR": str(ROOT / "bench" / "layers"),
           "KASANE_TIMINGS": "1"}  # fmt: skip
    sh("psql", dsn, "-qc", "CHECKPOINT")
    start = time.perf_counter()
    out = subprocess.run(
        ["/usr/bin/time", "-f", "peak_rss_kb=%M", sys.executable, "-m", "kasane", "load",
         layer, str(source), "--force"],
        cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - start
    rss = int(re.search(r"peak_rss_kb=(\d+)", out.stderr)[1])  # type: ignore[index]
    return wall, rss, phases(out.stderr)


def startup() -> float:
    """Median wall time of starting Python and importing `kasane load`'s modules, as the
    ``kasane`` program does (:mod:`kasane.entry`)."""
    walls = []
    code = "import gc; gc.disable(); import kasane.cli, etl.load"
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load_before = f"{os.getloadavg()[0]:.2f}"
    dsn = prepare()
    sh(sys.executable, "-m", "kasane", "db", "migrate", env={"KASANE_DATABASE_URL": dsn},
       cwd=ROOT)  # fmt: skip
    # Rounds interleave the methods, so that a burst of load from other jobs on the machine
    # falls on all of them rather than on whichever ran last.
    walls: dict[tuple[str, str], list[float]] = {}
    rss: dict[str, int] = {}
    spent: dict[str, dict[str, list[float]]] = {source: {} for source in LAYERS}
    peer_json = WORK / "out" / "etl-kasane-run.json"
    peers = ["--methods", "ogr2ogr,floor", "--layers", ",".join(LAYERS), "--out", str(peer_json)]
    for _ in range(args.runs):
        sh(str(PEER_PYTHON), "etl_bench.py", "--dsn", dsn, "--runs", "1", *peers)
        for r in json.loads(peer_json.read_text()):
            if r["method"] != "ogr2ogr(geojson)":
                walls.setdefault((r["method"], r["layer"]), []).append(r["median"])
        for source, layer in LAYERS.items():
            wall, peak, parts = kasane_load(dsn, layer, WORK / "data" / f"{source}.gpkg")
            walls.setdefault(("kasane load (gpkg)", source), []).append(wall)
            for name, seconds in parts.items():
                spent[source].setdefault(name, []).append(seconds)
            rss[source] = max(rss.get(source, 0), peak)
    rows = [
        (method, layer, statistics.median(w), min(w), max(w),
         f"peak RSS {rss[layer] / 1024:.0f} MiB" if method.startswith("kasane") else "")
        for (method, layer), w in sorted(walls.items(), key=lambda kv: kv[0][1])
    ]  # fmt: skip
    boot = startup()
    print(f"\nload average before / after: {load_before} / {os.getloadavg()[0]:.2f} (2 cores)")
    print(f"\n{'method':<28} {'layer':<11} {'median s':>9} {'min-max s':>13}  note")
    for method, layer, med, low, high, note in rows:
        print(f"{method:<28} {layer:<11} {med:>9.2f} {low:>6.2f}-{high:<6.2f}  {note}")
    for source in LAYERS:
        get = {m: med for m, layer, med, *_ in rows if layer == source}
        kasane, floor = get["kasane load (gpkg)"], get["floor(psycopg COPY binary)"]
        print(f"{source}: kasane/ogr2ogr(gpkg) = {kasane / get['ogr2ogr(gpkg)']:.2f}×,"
              f" kasane/floor = {kasane / floor:.2f}× (bar: ≤ 1.0× and ≤ 1.3×)")  # fmt: skip
    print(f"kasane's startup (Python + imports, in each kasane figure; the floor's own imports"
          f" are outside its figure): {boot:.2f} s")  # fmt: skip
    print("\nkasane load, median wall seconds per phase (indented phases run inside the COPY):")
    print(f"{'phase':<58}" + "".join(f"{source:>12}" for source in LAYERS))
    for name in dict.fromkeys(n for source in LAYERS for n in spent[source]):
        cells = [spent[source].get(name) for source in LAYERS]
        print(f"{name:<58}" + "".join(
            f"{statistics.median(c):>12.2f}" if c else f"{'-':>12}" for c in cells))  # fmt: skip


if __name__ == "__main__":
    main()
