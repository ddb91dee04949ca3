"""Load the shared benchmark's synthetic layers into a Kasane-migrated database through the
same storage path as `kasane load` (pyogrio -> etl.writer.write_version).

    load_layers.py BENCH_DIR   (KASANE_DATABASE_URL and KASANE_LAYERS_DIR set by run.sh)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pyogrio

from etl.writer import write_version
from gis.layerstore import storage
from gis.layerstore.registry import LayerRegistry
from gis.ogc.tiles import prepare_copies
from gis.platform.db import check_postgis, connect
from gis.platform.migrate import migrate
from gis.platform.settings import load_settings


def main() -> None:
    bench = Path(sys.argv[1])
    settings = load_settings()
    registry = LayerRegistry.from_dir(settings.layers_dir)
    assert settings.database_url, "set KASANE_DATABASE_URL"
    with connect(settings.database_url) as conn:
        check_postgis(conn)
        migrate(conn)
        conn.commit()
    with connect(settings.database_url, autocommit=True) as conn:
        for spec in registry:
            started = time.perf_counter()
            frame = pyogrio.read_dataframe(bench / "data" / f"{spec.id}.gpkg")
            frame = frame[[*spec.field_names, "geometry"]]
            provenance = storage.Provenance(source_crs="EPSG:4326", rows_read=len(frame))
            version = write_version(conn, spec, frame, provenance)
            prepare_copies(conn, spec, version)
            print(
                f"  {spec.id:<11} {len(frame):>7} rows as v{version} "
                f"in {time.perf_counter() - started:.1f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
