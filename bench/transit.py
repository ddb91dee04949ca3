"""Transit benchmark: coverage of 岩国市 (822 stops, real GTFS-JP feed) with a 3rd-mesh
population grid over the municipality (synthetic, deterministic; about 960 cells).

Loads the feed, Yamaguchi's N03 boundaries and the mesh into a database of its own in the
private cluster (`kasane load`, as a user would), then times, in-process:

- departures per stop for a date (one SQL query),
- coverage figures (departures within reach, discs, area and population shares),
- coverage with the transit-blank areas as polygons (what /api/transit/blank-areas computes),
- a draft-route evaluation.

Each is run several times and the median wall time is printed. Figures are noisy on a shared
2-core machine.

    .venv/bin/python bench/transit.py [--runs 7] [--keep-db]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gis.platform import provision  # noqa: E402
from gis.platform.databases import create_sibling  # noqa: E402
from gis.platform.db import connect  # noqa: E402
from gis.platform.settings import load_settings  # noqa: E402
from gis.transit import coverage, drafts, service  # noqa: E402
from gis.transit.request import TransitRequest  # noqa: E402
from tests.transit.synthetic import boundary_from_n03, write_mesh_csv  # noqa: E402

SHARED = Path(os.environ.get("KASANE_SHARED_DIR", ROOT.parent / "shared")) / "data"
FEED = SHARED / "yamaguchi-uesugi" / "gtfs" / "352080_gtfs-jp.zip"
N03 = SHARED / "n03-smartnews" / "geojson_s0010_N03-21_35_210101.json"
SCRATCH = Path("/tmp/kasane-bench-transit")
DB_NAME = "kasane_bench_transit"
DAY = date(2025, 6, 4)


def _kasane(url: str, *args: str) -> None:
    env = {**os.environ, "KASANE_DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "kasane", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def prepare() -> str:
    """A fresh database with the feed, the boundaries and the mesh; returns its URL."""
    url = create_sibling(provision.up(load_settings().home).url, DB_NAME)
    SCRATCH.mkdir(parents=True, exist_ok=True)
    mesh_csv = SCRATCH / "iwakuni_mesh3.csv"
    cells = write_mesh_csv(boundary_from_n03(N03, "35208"), mesh_csv)
    _kasane(url, "load", "transit", str(FEED))
    _kasane(url, "load", "admin_boundaries", str(N03))
    _kasane(url, "load", "population_mesh", str(mesh_csv), "--set", "survey_year=2020")
    print(f"loaded: {FEED.name}, {N03.name}, {len(cells)} mesh cells")
    return url


def timed(label: str, runs: int, job: Callable[[], Any]) -> Any:
    """Run ``job`` ``runs`` times; print the median, min and max wall time."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - start)
    print(f"{label:<44} median {statistics.median(times):6.3f} s"
          f"  (min {min(times):.3f}, max {max(times):.3f}, {runs} runs)")  # fmt: skip
    return result


def main() -> None:
    """Prepare the data, time the analyses, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep-db", action="store_true")
    options = parser.parse_args()
    if not FEED.exists() or not N03.exists():
        sys.exit(f"bench/transit.py: shared data missing under {SHARED}")
    url = prepare()
    req = TransitRequest("352080", DAY)
    line = {"type": "FeatureCollection", "departures_per_day": 12, "features": [
        {"type": "Feature", "properties": {}, "geometry": {
            "type": "LineString", "coordinates": [[132.00, 34.25], [132.02, 34.26]]}},
        {"type": "Feature", "properties": {}, "geometry": {
            "type": "MultiPoint", "coordinates": [[132.00, 34.25], [132.02, 34.26]]}}]}  # fmt: skip
    draft = drafts.parse_draft(line)
    try:
        with connect(url) as conn:
            stops = timed("departures per stop (SQL)", options.runs,
                          lambda: service.stop_services(conn, req))  # fmt: skip
            figures = timed("coverage figures", options.runs,
                            lambda: coverage.coverage(conn, req, with_areas=False))  # fmt: skip
            full = timed("coverage + blank-area polygons", options.runs,
                         lambda: coverage.coverage(conn, req))  # fmt: skip
            gain = timed("draft-route evaluation", options.runs,
                         lambda: drafts.evaluate(conn, req, draft))  # fmt: skip
        print(f"stops in 岩国市: {len(stops)}; counted for coverage: {figures.stops_counted}")
        summary = full.summary()
        print(f"covered area {summary['covered_area_share']:.1%}, population "
              f"{summary['covered_population_share']:.1%}, blank areas {len(full.blank_areas)},"
              f" draft gain {gain['population_newly_covered']} people")  # fmt: skip
    finally:
        if not options.keep_db:
            cluster = provision.up(load_settings().home)
            with connect(cluster.url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
