"""A database and a layer catalogue of their own, in which ``shelters`` is shared by
municipalities (``parts = "lg_code"``), and ``kasane`` run as a user runs it against them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gis.layerstore.registry import LayerRegistry
from gis.platform.databases import create_sibling, drop_sibling
from gis.platform.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[4]
SHIMONOSEKI, IWAKUNI, PREFECTURE = "352012", "352080", "350001"
HEADER = "shelter_id,lg_code,name,kind,capacity,lat,lon"


@pytest.fixture(scope="module")
def parts_url(database_url: str) -> Iterator[str]:
    """A fresh migrated database for these tests (dropped afterwards)."""
    name = database_url.rsplit("/", 1)[1].split("?")[0] + f"_parts{os.getpid() % 1000}"
    yield create_sibling(database_url, name)
    drop_sibling(database_url, name)


@pytest.fixture(scope="module")
def parts_layers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real layer files, with shelters declared shared by municipalities."""
    folder = tmp_path_factory.mktemp("layers")
    for path in (ROOT / "layers").glob("*.toml"):
        shutil.copy(path, folder / path.name)
    spec = folder / "shelters.toml"
    text = spec.read_text("utf-8").replace(
        'id_field = "shelter_id"\n', 'id_field = "shelter_id"\nparts = "lg_code"\n'
    )
    assert 'parts = "lg_code"' in text
    spec.write_text(text, "utf-8")
    return folder


@pytest.fixture(scope="module")
def parts_settings(parts_url: str, parts_layers: Path) -> Settings:
    return load_settings(database_url=parts_url, layers_dir=parts_layers)


@pytest.fixture(scope="module")
def parts_registry(parts_layers: Path) -> LayerRegistry:
    return LayerRegistry.from_dir(parts_layers)


def shelters_csv(folder: Path, name: str, rows: list[tuple[str, str, str, float, float]]) -> Path:
    """A shelters CSV with the layer's own column names: (id, code, name, lat, lon) rows."""
    lines = [HEADER] + [f"{i},{c},{n},shelter,100,{lat},{lon}" for i, c, n, lat, lon in rows]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def kasane(
    url: str, layers: Path, *args: str, token: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``kasane ARGS`` in a subprocess against ``url`` and the layer files in ``layers``."""
    env = {**os.environ, "KASANE_DATABASE_URL": url, "KASANE_LAYERS_DIR": str(layers)}
    env.pop("KASANE_TOKEN", None)
    if token is not None:
        env["KASANE_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "kasane", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
