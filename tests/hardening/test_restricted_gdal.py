"""A restricted layer through GDAL's OGC API - Features driver (the one QGIS uses), as
docs/api-qgis.md tells analysts: with the organisation's token as an ``Authorization: Bearer``
header (QGIS: an "API Header" authentication configuration; GDAL: ``GDAL_HTTP_HEADERS``) the
layer reads; without it the layer is not there, and a wrong token is refused."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server import running_server

OGRINFO = shutil.which("ogrinfo")
pytestmark = pytest.mark.skipif(
    OGRINFO is None, reason="ogrinfo not installed (Debian gdal-bin: scripts/setup-system.sh test)"
)


@pytest.fixture(scope="module")
def restricted_server(
    database_url: str, restricted_layers_dir: Path, restricted_loaded: dict[str, Any]
) -> Iterator[str]:
    with running_server(
        database_url, workers=1, KASANE_LAYERS_DIR=str(restricted_layers_dir)
    ) as base:
        yield base


def _ogrinfo(base: str, token: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GDAL_HTTP_TIMEOUT": "60"}
    if token is not None:
        env["GDAL_HTTP_HEADERS"] = f"Authorization: Bearer {token}"
    return subprocess.run(
        [str(OGRINFO), "-ro", "-al", f"OAPIF:{base}", "staff_wifi"],
        capture_output=True, text=True, env=env, timeout=180, check=False,
    )  # fmt: skip


def test_a_bearer_header_opens_a_restricted_layer_to_gdal(
    restricted_server: str, staff_tokens: dict[str, str]
) -> None:
    allowed = _ogrinfo(restricted_server, staff_tokens["yamaguchi_viewer"])
    assert allowed.returncode == 0, allowed.stderr[-2000:]
    assert (
        allowed.stdout.count("OGRFeature(staff_wifi):") == 1
    )  # the one spot restricted_loaded wrote
    anonymous = _ogrinfo(restricted_server, None)
    assert anonymous.returncode != 0 and "Layer name: staff_wifi" not in anonymous.stdout
    other_town = _ogrinfo(restricted_server, staff_tokens["hofu_editor"])
    assert other_town.returncode != 0 and "Layer name: staff_wifi" not in other_town.stdout
    wrong = _ogrinfo(restricted_server, "not-a-token")
    assert wrong.returncode != 0 and "401" in wrong.stderr
