"""CQL2 filter benchmark: what a filter costs on a 200k-shelter layer.

A synthetic shelters layer (random points over Yamaguchi, the demo's names, kinds, capacities
and hazard flags; ``capacity`` and ``kind`` indexed as declared in layers/shelters.toml) is
loaded into a scratch database; then, in this process (no HTTP), each filter is parsed,
translated and run as an items page of 100 and as a z12 tile, and the median of repeated runs
is printed beside the unfiltered page. Figures are noisy on a shared 2-core machine.

    .venv/bin/python bench/filters.py [--rows 200000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.writer import write_version  # noqa: E402
from gis.layerstore import storage  # noqa: E402
from gis.layerstore.registry import LayerRegistry  # noqa: E402
from gis.ogc import features, tiles  # noqa: E402
from gis.ogc.cql2_parse import parse_filter  # noqa: E402
from gis.ogc.cql2_sql import to_sql  # noqa: E402
from gis.ogc.items_query import parse_items_query  # noqa: E402
from gis.platform import provision  # noqa: E402
from gis.platform.databases import create_sibling, drop_sibling  # noqa: E402
from gis.platform.db import connect  # noqa: E402
from gis.platform.errors import BadRequest  # noqa: E402
from gis.platform.settings import load_settings  # noqa: E402

DB = "kasane_bench_cql2"
FILTERS = [
    "",
    "capacity > 300 AND hz_flood = true",
    "kind IN ('shelter', 'welfare')",
    "name LIKE '中央%'",
    "name LIKE '%小学校%'",
    "S_INTERSECTS(geometry, POLYGON((131.40 34.10, 131.50 34.10, 131.50 34.20, 131.40 34.10)))",
    "S_DWITHIN(geometry, POINT(131.47 34.18), 2000, meters) AND capacity >= 100",
    "capacity BETWEEN 100 AND 200 AND NOT (kind = 'both') OR hz_tsunami = true",
]


def frame(spec: object, rows: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(30)
    names = np.array(["中央小学校", "中央公園", "大殿地域交流センター", "湯田中学校", "宮野公民館"])
    kinds = np.array(["emergency_site", "shelter", "both", "welfare"])
    data: dict[str, object] = {}
    for f in spec.fields:  # type: ignore[attr-defined]
        if f.type == "boolean":
            data[f.name] = rng.random(rows) < 0.5
        elif f.name == "capacity":
            data[f.name] = pd.array(rng.integers(0, 2000, rows), dtype="Int64")
        elif f.name == "kind":
            data[f.name] = kinds[rng.integers(0, 4, rows)]
        elif f.name == "name":
            data[f.name] = names[rng.integers(0, 5, rows)]
        elif f.name == "shelter_id":
            data[f.name] = [f"B{i:09d}" for i in range(rows)]
        elif f.name == "lg_code":
            data[f.name] = "352039"
        else:
            data[f.name] = None
    points = shapely.points(rng.uniform(130.8, 132.2, rows), rng.uniform(33.8, 34.8, rows))
    return gpd.GeoDataFrame(data, geometry=points, crs=4326)


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm: prepared statements, caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=15)
    a = ap.parse_args()
    settings = load_settings()
    spec = LayerRegistry.from_dir(settings.layers_dir).get("shelters")
    cluster = provision.up(settings.home)
    drop_sibling(cluster.url, DB)
    url = create_sibling(cluster.url, DB)
    try:
        with connect(url, autocommit=True) as conn:
            started = time.monotonic()
            version = write_version(conn, spec, frame(spec, a.rows), storage.Provenance())
            print(f"loaded {a.rows:,} synthetic shelters in {time.monotonic() - started:.1f} s\n")
            z, x, y = 12, 3543, 1625  # over Yamaguchi city
            print(f"{'filter':<80} {'parse+SQL':>9} {'page 100':>9} {'z12 tile':>9}")
            for text in FILTERS:
                args = {"filter": text} if text else {}
                try:
                    query = parse_items_query(spec, args)
                    page = median_ms(
                        lambda q=query: features.items(conn, spec, version, q, a.rows), a.repeat
                    )
                except BadRequest as exc:
                    print(f"{text[:80]:<80} 400: {exc}"[:200])
                    continue
                parse = (
                    median_ms(lambda t=text: to_sql(parse_filter(t), spec), a.repeat * 10)
                    if text
                    else 0.0
                )
                expr = parse_filter(text) if text else None
                tile = median_ms(
                    lambda e=expr: tiles.tile(conn, [(spec, version)], z, x, y, cql=e), a.repeat
                )
                print(f"{text[:80] or '(no filter)':<80} {parse:>7.2f}ms {page:>7.1f}ms"
                      f" {tile:>7.1f}ms")  # fmt: skip
    finally:
        drop_sibling(cluster.url, DB)


if __name__ == "__main__":
    main()
