"""Helpers of the upload tests: files to upload, the served state of a layer, requests."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from gis.platform.db import connect

LAYER = "staff_points"
URL = f"/api/layers/{LAYER}/versions"


def points(names: list[str | None], lon: float, lat: float, **props: Any) -> bytes:
    """A GeoJSON FeatureCollection of points near (lon, lat), one per name."""
    features = [
        {
            "type": "Feature",
            "properties": {"name": name, "lg_code": "352039", **props},
            "geometry": {"type": "Point", "coordinates": [lon + i * 0.001, lat]},
        }
        for i, name in enumerate(names)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def served(url: str, layer: str = LAYER) -> tuple[int | None, str | None]:
    """(served version, digest of every served row), read straight from the database."""
    with connect(url) as conn:
        row = conn.execute(
            "SELECT version FROM kasane.layer_current WHERE layer_id = %s", (layer,)
        ).fetchone()
        if row is None:
            return None, None
        digest = conn.execute(
            f"SELECT md5(string_agg(t::text, ',' ORDER BY fid)) FROM layer_data.{layer} t"
        ).fetchone()
    assert digest is not None
    return int(row[0]), digest[0]


def post(client: Any, token: str | None, files: list[tuple[bytes, str]], **fields: str) -> Any:
    """POST files as multipart field ``file`` (plus form fields) with a Bearer token."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data: dict[str, Any] = {"file": [(io.BytesIO(b), name) for b, name in files], **fields}
    return client.post(URL, data=data, headers=headers, content_type="multipart/form-data")


def leftovers(folder: Path) -> list[str]:
    """Whatever is left in the upload directory (should be nothing)."""
    return sorted(str(p) for p in folder.rglob("*")) if folder.exists() else []
