"""The basemap Kasane serves itself: the imported archive's tiles by z/x/y with ETag and
Cache-Control, the whole PMTiles file with HTTP Range, and the local basemap's labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gis.platform import basemap
from tests.basemap_files import make_pmtiles


@pytest.fixture()
def archive_client(settings: Any, tmp_path: Path):  # type: ignore[no-untyped-def]
    from webmap import close, create_app

    source = tmp_path / "prefecture.pmtiles"
    held = make_pmtiles(source, max_zoom=10)
    info = basemap.import_archive(source, tmp_path / "home")
    app = create_app(settings.model_copy(update={"home": tmp_path / "home", "basemap": "auto"}))
    app.testing = True
    yield app.test_client(), held, info
    close(app)


def test_tiles_are_served_with_etag_and_cache_control(archive_client: Any) -> None:
    client, held, _ = archive_client
    (z, x, y), data = next(iter(sorted(held.items(), key=lambda kv: -kv[0][0])))
    response = client.get(f"/basemap/tiles/{z}/{x}/{y}")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data == data
    assert "max-age=" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get(f"/basemap/tiles/{z}/{x}/{y}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert client.get("/basemap/tiles/10/0/0").status_code == 204  # outside the archive
    bad = client.get("/basemap/tiles/3/9/0")
    assert bad.status_code == 400 and "does not exist" in bad.get_json()["detail"]


def test_whole_archive_is_served_with_range_and_etag(archive_client: Any, tmp_path: Path) -> None:
    client, _, info = archive_client
    whole = (basemap.basemap_dir(tmp_path / "home") / basemap.ARCHIVE).read_bytes()
    response = client.get("/basemap/basemap.pmtiles", headers={"Range": "bytes=0-126"})
    assert response.status_code == 206
    assert response.data == whole[:127]
    assert response.headers["Content-Range"] == f"bytes 0-126/{len(whole)}"
    etag = response.headers["ETag"]
    assert info.etag in etag
    tail = client.get("/basemap/basemap.pmtiles", headers={"Range": f"bytes={len(whole) - 10}-"})
    assert tail.data == whole[-10:]
    cached = client.get("/basemap/basemap.pmtiles", headers={"If-None-Match": etag})
    assert cached.status_code == 304


def test_pages_use_the_archive_and_no_offsite_host(archive_client: Any) -> None:
    client, _, _ = archive_client
    html = client.get("/map").get_data(as_text=True)
    assert '"mode": "archive"' in html
    assert "/basemap/tiles/{z}/{x}/{y}" in html
    assert "cyberjapandata" not in html  # the online tiles are not used when an archive is


def test_without_archive_the_local_basemap_is_drawn(client: Any, demo_loaded: Any) -> None:
    html = client.get("/map").get_data(as_text=True)
    assert '"local": true' in html
    labels = client.get("/basemap/labels.json").get_json()
    assert labels["tiles"] == "/tiles/admin_boundaries/{z}/{x}/{y}.mvt"
    assert {label["name"] for label in labels["labels"]} >= {"山口市"}
    assert client.get("/basemap/basemap.pmtiles").status_code == 404
