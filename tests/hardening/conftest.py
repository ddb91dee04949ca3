"""Fixtures of the hardening tests: a layers dir with restricted layers, loaded, and an app."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely

from etl.writer import write_version
from gis.layerstore import storage
from gis.layerstore.registry import LayerRegistry
from gis.platform.db import connect
from gis.platform.settings import Settings
from tests.conftest import ROOT

# Owned by 山口市 (352039) and hidden from everyone else (prefecture admins excepted).
RESTRICTED = {
    "staff_wifi": ("wifi_spots", "Staff-only Wi-Fi", "職員用Wi-Fi"),
    "staff_flood": ("flood_depth", "Staff-only flood study", "内部検討用浸水想定"),
    "staff_points": ("wifi_spots", "Staff-only points", "職員用地点"),  # the upload tests' layer
}
# Small limits, so the tests can reach them with small files.
UPLOAD_LIMITS = {
    "upload_max_bytes": 4_000_000,
    "upload_max_unzipped_bytes": 2_000_000,
    "upload_max_ratio": 100.0,
    "upload_max_members": 50,
}
OWNER = "352039"


def _restricted_file(source: Path, layer_id: str, en: str, ja: str) -> str:
    text = source.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n[title]")
    kept = [
        line for line in head.splitlines() if not line.startswith(("id =", "owner =", "public ="))
    ]
    top = "\n".join([f'id = "{layer_id}"', f'owner = "{OWNER}"', "public = false", *kept])
    rest = rest.split("\n[description]", 1)[1]
    return f'{top}\n[title]\nja = "{ja}"\nen = "{en}"\n\n[description]{rest}'


@pytest.fixture(scope="session")
def restricted_layers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of layers/ plus two restricted layers owned by 山口市."""
    target = tmp_path_factory.mktemp("layers")
    for path in (ROOT / "layers").glob("*.toml"):
        shutil.copy(path, target / path.name)
    for layer_id, (source, en, ja) in RESTRICTED.items():
        text = _restricted_file(ROOT / "layers" / f"{source}.toml", layer_id, en, ja)
        (target / f"{layer_id}.toml").write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def inside_point(database_url: str, demo_loaded: dict[str, str]) -> tuple[float, float]:
    """A point inside a demo municipality (lon, lat), read from the loaded boundaries."""
    with connect(database_url) as conn:
        row = conn.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p"
            " FROM layer_data.admin_boundaries WHERE lg_code = %s LIMIT 1) AS x",
            (OWNER,),
        ).fetchone()
    assert row is not None
    return float(row[0]), float(row[1])


@pytest.fixture(scope="session")
def restricted_loaded(
    database_url: str, restricted_layers_dir: Path, inside_point: tuple[float, float]
) -> dict[str, Any]:
    """Data in both restricted layers: one Wi-Fi spot and one flood square at inside_point."""
    registry = LayerRegistry.from_dir(restricted_layers_dir)
    lon, lat = inside_point
    wifi = registry.get("staff_wifi")
    flood = registry.get("staff_flood")
    frames = {
        wifi: {"name": ["庁舎職員用"], "lg_code": [OWNER], "ssid": ["staff-net"]},
        flood: {"depth_m": [4.0], "depth_rank": [3], "river_name": ["検討川"]},
    }
    geoms = {wifi: shapely.Point(lon, lat), flood: shapely.box(lon - 0.01, lat - 0.01,
                                                               lon + 0.01, lat + 0.01)}  # fmt: skip
    with connect(database_url, autocommit=True) as conn:
        for spec, values in frames.items():
            data = {f.name: values.get(f.name, [None]) for f in spec.fields}
            frame = gpd.GeoDataFrame(data, geometry=[geoms[spec]], crs="EPSG:4326")
            write_version(conn, spec, frame, storage.Provenance())
    return {"point": inside_point, "registry": registry}


@pytest.fixture()
def restricted_app(
    settings: Settings, restricted_layers_dir: Path, restricted_loaded: dict[str, Any]
) -> Iterator[Any]:
    """An app serving layers/ plus the restricted layers."""
    from webmap import close, create_app

    application = create_app(settings.model_copy(update={"layers_dir": restricted_layers_dir}))
    application.testing = True
    yield application
    close(application)


@pytest.fixture()
def upload_dir(tmp_path: Path) -> Path:
    """Where the upload app keeps uploads while loading (must be empty after every request)."""
    return tmp_path / "uploads"


@pytest.fixture()
def upload_app(
    settings: Settings,
    restricted_layers_dir: Path,
    restricted_loaded: dict[str, Any],
    upload_dir: Path,
) -> Iterator[Any]:
    """An app that loads uploads (as `kasane serve` does), small limits, no rate limits."""
    from etl.upload import load_upload
    from webmap import close, create_app

    changes = {"layers_dir": restricted_layers_dir, "upload_dir": upload_dir,
               "rate_limit_writes": 0, "rate_limit_heavy": 0, **UPLOAD_LIMITS}  # fmt: skip
    application = create_app(settings.model_copy(update=changes), loader=load_upload)
    application.testing = True
    yield application
    close(application)
