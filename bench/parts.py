"""Shared-layer benchmark (issue 27): republishing one part costs in proportion to the part.

A synthetic point layer of ``--features`` (default 1,000,000) features in the 19 parts of the
municipalities of 山口県 (one part of ``--part-features``, default 50,000, the rest shared
evenly) is loaded three ways, in a database of its own in the private cluster:

1. the whole layer, without parts, as one version (what every load was before parts);
2. the same features as 19 parts at once (the prefecture's ``--parts all``);
3. one 50,000-feature part republished (a municipality's ``--part CODE``), then rolled back;

plus the first tile-band copy (what the first map tile after a change builds) after the whole
load and after the part's republish. Storage only: the rows are made in memory, so that
reading and checking files (the same per row either way) does not blur the comparison. Prints
wall seconds; no assertion on them.

    .venv/bin/python bench/parts.py [--features 1000000] [--part-features 50000]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.part_writer import write_parts  # noqa: E402
from etl.row_rules import Chunk  # noqa: E402
from etl.writer import write_chunks  # noqa: E402
from gis.layerstore import parts, storage  # noqa: E402
from gis.layerstore.layerspec import LayerSpec  # noqa: E402
from gis.ogc.tile_bands import ALL_ZOOMS, prepare_band  # noqa: E402
from gis.platform import provision  # noqa: E402
from gis.platform.databases import create_sibling, drop_sibling  # noqa: E402
from gis.platform.db import connect  # noqa: E402
from gis.platform.settings import load_settings  # noqa: E402

# The 19 municipalities of 山口県 (13 cities, 6 towns).
CODES = ["352012", "352021", "352039", "352047", "352063", "352071", "352080", "352101",
         "352110", "352128", "352136", "352144", "352152", "353051", "353213", "353418",
         "353434", "353442", "355020"]  # fmt: skip
CHUNK = 50_000


def spec(layer_id: str, shared: bool) -> LayerSpec:
    text = {"ja": "ベンチ", "en": "bench"}
    return LayerSpec.model_validate({
        "id": layer_id, "kind": "shelter", "geometry": "Point", "owner": "350001",
        "title": text, "description": text,
        "license": {"name": "CC0", "attribution": text},
        "fields": [{"name": "lg_code", "type": "text", "required": True, "title": text},
                   {"name": "name", "type": "text", "title": text},
                   {"name": "capacity", "type": "integer", "title": text}],
        "parts": "lg_code" if shared else None,
    })  # fmt: skip


def sizes(total: int, first: int) -> dict[str, int]:
    """Features per part: ``first`` for the first, the rest shared evenly."""
    rest, extra = divmod(total - first, len(CODES) - 1)
    return {c: first if i == 0 else rest + (i <= extra) for i, c in enumerate(CODES)}


def chunks(code: str, n: int, seed: int) -> Iterator[Chunk]:
    """``n`` points of part ``code`` (somewhere in 山口県), a chunk at a time."""
    rng = np.random.default_rng(seed)
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        lon = rng.uniform(130.8, 132.3, m)
        lat = rng.uniform(33.8, 34.8, m)
        columns: dict[str, list[Any]] = {
            "lg_code": [code] * m,
            "name": [f"{code}-{seed}-{start + i}" for i in range(m)],
            "capacity": rng.integers(0, 500, m).tolist(),
        }
        yield Chunk(columns, shapely.points(lon, lat), np.arange(start + 1, start + m + 1))


def timed(label: str, run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    print(f"{label:<58} {seconds:8.2f} s", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--features", type=int, default=1_000_000)
    parser.add_argument("--part-features", type=int, default=50_000)
    args = parser.parse_args()
    per_part = sizes(args.features, args.part_features)
    cluster = provision.up(load_settings().home)
    url = create_sibling(cluster.url, "kasane_bench_parts")
    whole, shared = spec("bench_whole", False), spec("bench_shared", True)
    first = CODES[0]
    print(f"{args.features:,} points in {len(CODES)} parts; republished part {first}:"
          f" {per_part[first]:,} features")  # fmt: skip
    try:
        with connect(url, autocommit=True) as conn:

            def record(code: str) -> storage.Provenance:
                return storage.Provenance()

            def every(seed: int) -> Iterator[Chunk]:
                for code, n in per_part.items():
                    yield from chunks(code, n, seed)

            def load_whole() -> None:
                write_chunks(conn, whole, every(1), storage.Provenance)

            t_whole = timed("1. whole layer, no parts, one version", load_whole)
            served = storage.current_versions(conn)["bench_whole"]
            timed("   first tile band copy of it (points: all zooms)", lambda: prepare_band(
                conn, whole, served, ALL_ZOOMS, cut_above=2048, piece=256))  # fmt: skip

            groups = {code: chunks(code, n, 1) for code, n in per_part.items()}
            timed("2. 19 parts at once (prefecture, --parts all)", lambda: write_parts(
                conn, shared, dict(groups), record, "bench"))  # fmt: skip
            v = storage.current_versions(conn)["bench_shared"]
            timed("   first tile band copy (19 part copies, one view)", lambda: prepare_band(
                conn, shared, v, ALL_ZOOMS, cut_above=2048, piece=256))  # fmt: skip

            one = {first: chunks(first, per_part[first], 2)}
            t_part = timed(f"3. republish part {first} ({per_part[first]:,} features)",
                           lambda: write_parts(conn, shared, one, record, "bench"))  # fmt: skip
            v = storage.current_versions(conn)["bench_shared"]
            timed("   first tile band copy (that part only, one view)", lambda: prepare_band(
                conn, shared, v, ALL_ZOOMS, cut_above=2048, piece=256))  # fmt: skip
            timed(f"4. roll back part {first}", lambda: _rollback(conn, shared, first))
            count = conn.execute("SELECT count(*) FROM layer_data.bench_shared").fetchone()
            print(f"served features after the rollback: {count[0] if count else 0:,}")
            print(f"republishing one part / loading the whole layer: {t_part / t_whole:.3f}")
    finally:
        drop_sibling(cluster.url, "kasane_bench_parts")


def _rollback(conn: storage.Conn, spec_: LayerSpec, code: str) -> None:
    with conn.transaction():
        parts.rollback_part(conn, spec_, code, None, "bench")


if __name__ == "__main__":
    main()
