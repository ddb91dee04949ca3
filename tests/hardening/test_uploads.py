"""Layer uploads: a good upload becomes the served version (audited); dry runs and repeats
change nothing; zipped shapefiles with CP932 member names load; only the owner may upload."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely

from gis.platform import audit
from gis.platform.db import connect
from tests.conftest import ROOT
from tests.hardening.uploads import LAYER, leftovers, points, post, served


def _names(client: Any, token: str) -> list[str]:
    body = client.get(f"/collections/{LAYER}/items?limit=1000",
                      headers={"Authorization": f"Bearer {token}"}).get_json()  # fmt: skip
    return sorted(f["properties"]["name"] for f in body["features"])


def test_upload_dry_run_repeat_and_audit(
    upload_app: Any,
    staff_tokens: dict[str, str],
    restricted_loaded: dict[str, Any],
    database_url: str,
    upload_dir: Path,
) -> None:
    client = upload_app.test_client()
    token = staff_tokens["yamaguchi_editor"]
    lon, lat = restricted_loaded["point"]
    names = ["図書館", "公民館", "支所"]
    body = points(names, lon, lat)
    before = served(database_url)
    dry = post(client, token, [(body, "spots.geojson")], dry_run="true")
    assert dry.status_code == 200 and dry.get_json()["rows_loaded"] == 3
    assert served(database_url) == before
    made = post(client, token, [(body, "spots.geojson")], force="true")
    assert made.status_code == 201, made.get_json()
    version = made.get_json()["version"]
    assert version == (before[0] or 0) + 1
    assert made.headers["Location"] == f"/collections/{LAYER}"
    assert _names(client, token) == sorted(names)
    again = post(client, token, [(body, "spots.geojson")])
    assert again.status_code == 200 and again.get_json()["outcome"].startswith("unchanged")
    assert served(database_url)[0] == version
    assert leftovers(upload_dir) == []
    with connect(database_url) as conn:
        entry = audit.entries(conn, action="layer.upload", limit=1)[0]
    assert entry.target == f"layers/{LAYER}"
    assert entry.after == {"version": version, "rows": 3, "files": ["spots.geojson"]}
    assert entry.before == {"version": before[0]}
    assert entry.org_code == "352039"


def _cp932_shapefile_zip(tmp: Path, lon: float, lat: float) -> tuple[bytes, list[str]]:
    names = ["駅前広場", "市役所"]
    frame = gpd.GeoDataFrame({"name": names, "lg_code": ["352039"] * 2},
                             geometry=[shapely.Point(lon, lat), shapely.Point(lon + 0.002, lat)],
                             crs="EPSG:4326")  # fmt: skip
    frame.to_file(tmp / "stem.shp", encoding="utf-8")
    stem = "職員地点".encode("cp932")  # 8 bytes, as an old Windows archiver writes them
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for part in sorted(tmp.glob("stem.*")):
            archive.write(part, "N" * len(stem) + part.suffix)
    return out.getvalue().replace(b"N" * len(stem), stem), names


def test_zipped_shapefile_with_cp932_names_loads(
    upload_app: Any,
    staff_tokens: dict[str, str],
    restricted_loaded: dict[str, Any],
    tmp_path: Path,
    upload_dir: Path,
) -> None:
    lon, lat = restricted_loaded["point"]
    data, names = _cp932_shapefile_zip(tmp_path, lon, lat)
    client = upload_app.test_client()
    made = post(client, staff_tokens["pref_admin"], [(data, "shp.zip")])
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["files"][0]["name"] == "shp.zip:職員地点.shp"
    assert _names(client, staff_tokens["pref_admin"]) == sorted(names)
    assert leftovers(upload_dir) == []


@pytest.mark.parametrize(
    ("who", "layer", "status"),
    [
        (None, LAYER, 401),
        ("bad", LAYER, 401),
        ("hofu_editor", LAYER, 404),  # restricted to 山口市: as if it did not exist
        ("pref_editor", LAYER, 404),
        ("yamaguchi_viewer", LAYER, 403),
        ("yamaguchi_editor", "wifi_spots", 403),  # the prefecture's layer
        ("hofu_editor", "shelters", 403),
        ("yamaguchi_editor", "no_such_layer", 404),
    ],
)
def test_only_the_owner_may_upload(
    upload_app: Any,
    staff_tokens: dict[str, str],
    restricted_loaded: dict[str, Any],
    database_url: str,
    who: str | None,
    layer: str,
    status: int,
) -> None:
    lon, lat = restricted_loaded["point"]
    token = {None: None, "bad": "ksn_guess"}.get(who) if who in (None, "bad") else staff_tokens[who]
    assert who is None or token
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    before = served(database_url, layer) if layer != "no_such_layer" else None
    response = upload_app.test_client().post(
        f"/api/layers/{layer}/versions", headers=headers, content_type="multipart/form-data",
        data={"file": (io.BytesIO(points(["x"], lon, lat)), "p.geojson")},
    )  # fmt: skip
    assert response.status_code == status, response.get_json()
    if status == 404 and who in ("hofu_editor", "pref_editor"):  # as for an unknown layer
        known = response.get_json()["detail"].split("(known layers: ")[1]
        assert "staff_" not in known
    if before is not None:
        assert served(database_url, layer) == before


def test_kasane_audit_prints_the_log(database_url: str, upload_app: Any) -> None:
    with connect(database_url) as conn:
        audit.record(conn, "cli:tester", "layer.load", "layers/test_marker", after={"n": 1})
        conn.commit()
    env = {"KASANE_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "kasane", "audit", "--action", "layer.load",
                          "--limit", "5"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60, check=True).stdout  # fmt: skip
    assert "cli:tester" in out and "layers/test_marker" in out


def test_audit_log_is_append_only(database_url: str) -> None:
    import psycopg

    with connect(database_url) as conn:
        audit.record(conn, "cli:tester", "layer.load", "layers/x")
        conn.commit()
        for statement in ("UPDATE kasane.audit_log SET actor = 'someone else'",
                          "DELETE FROM kasane.audit_log", "TRUNCATE kasane.audit_log"):  # fmt: skip
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(statement)
            conn.rollback()
