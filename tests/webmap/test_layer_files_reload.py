"""A layer added while the server runs appears in every worker; a broken file changes nothing."""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from gis.platform.databases import create_sibling, drop_sibling
from tests.etl.declared_helpers import kasane, layers_copy
from tests.server import running_server

AED_CSV = (
    "全国地方公共団体コード,ID,名称,所在地_連結表記,緯度,経度,小児対応設備の有無\n"
    "352039,1,山口市役所,山口市亀山町2-1,34.1861,131.4705,○\n"
    "352039,2,中央公民館,山口市中央2丁目,34.1802,131.4731,\n"
)


@pytest.fixture(scope="module")
def reload_url(database_url: str) -> Iterator[str]:
    name = database_url.rsplit("/", 1)[1].split("?")[0] + "_reload"
    yield create_sibling(database_url, name)
    drop_sibling(database_url, name)


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _collections(base: str) -> set[str]:
    status, body = _get(base + "/collections?f=json")
    assert status == 200
    return {c["id"] for c in json.loads(body)["collections"]}


def _tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def _everywhere(base: str, test: object, tries: int = 8) -> bool:
    """``test(base)`` holds on several requests in a row (so in both workers), waiting for the
    change to arrive at most a few seconds (a wait, not a timing assertion)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if all(test(base) for _ in range(tries)):  # type: ignore[operator]
            return True
        time.sleep(0.3)
    return False


def test_new_layer_without_restart_and_broken_file_refused(reload_url: str, tmp_path: Path) -> None:
    layers = layers_copy(tmp_path)
    sample = tmp_path / "aed.csv"
    sample.write_text(AED_CSV, "cp932")
    with running_server(reload_url, workers=2, KASANE_LAYERS_DIR=str(layers)) as base:
        assert "aed" not in _collections(base)
        kasane(reload_url, layers, "layers", "new", "aed", "--template", "aed")
        kasane(reload_url, layers, "load", "aed", str(sample))
        proc = kasane(reload_url, layers, "layers", "reload")
        assert "0 refused; servers notified" in proc.stdout
        assert _everywhere(base, lambda b: "aed" in _collections(b))
        status, body = _get(base + "/collections/aed/items?f=json")
        assert status == 200 and len(json.loads(body)["features"]) == 2
        x, y = _tile(131.4705, 34.1861, 14)
        status, body = _get(f"{base}/tiles/aed/14/{x}/{y}.mvt")
        assert status == 200 and body
        assert _everywhere(base, lambda b: "AED設置箇所一覧" in _get(b + "/map")[1].decode())
        status, body = _get(base + "/datasets?f=json")
        assert status == 200 and "/datasets/aed." in body.decode()

        good = (layers / "aed.toml").read_text("utf-8")
        (layers / "aed.toml").write_text(good.replace('kind = "facility"', 'kind = "nope"'))
        (layers / "zz_bad.toml").write_text('id = "zz_bad"\n', "utf-8")
        proc = kasane(reload_url, layers, "layers", "reload", check=False)
        assert proc.returncode == 1
        assert f"refused: {layers / 'aed.toml'}: key 'kind'" in proc.stderr
        assert f"refused: {layers / 'zz_bad.toml'}: key" in proc.stderr
        time.sleep(2.5)  # let each worker look at the files again (they refuse both)
        assert _everywhere(base, lambda b: "aed" in _collections(b))  # the previous definition
        assert _everywhere(base, lambda b: _get(b + "/collections/aed/items?f=json")[0] == 200)
        assert "zz_bad" not in _collections(base)
