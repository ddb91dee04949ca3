"""A database with the real 岩国市 GTFS-JP feed, Yamaguchi's N03 boundaries and a synthetic
population mesh over 岩国市, loaded with `kasane load` as a user would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.etl.conftest import etl_url, run_load  # noqa: F401  (fixture re-export)
from tests.server import running_server
from tests.shared_data import shared_path
from tests.transit.synthetic import boundary_from_n03, write_mesh_csv

IWAKUNI = "352080"


@pytest.fixture(scope="module")
def feed_path() -> Path:
    """The real GTFS-JP feed of 岩国市."""
    return shared_path("yamaguchi-uesugi", "gtfs", "352080_gtfs-jp.zip")


@pytest.fixture(scope="module")
def n03_path() -> Path:
    """N03 boundaries of Yamaguchi prefecture."""
    return shared_path("n03-smartnews", "geojson_s0010_N03-21_35_210101.json")


@pytest.fixture(scope="module")
def mesh_csv(n03_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic 3rd-mesh population CSV over 岩国市."""
    path = tmp_path_factory.mktemp("mesh") / "iwakuni_mesh3.csv"
    write_mesh_csv(boundary_from_n03(n03_path, IWAKUNI[:5]), path)
    return path


@pytest.fixture(scope="module")
def transit_url(
    etl_url: str,  # noqa: F811
    feed_path: Path,
    n03_path: Path,
    mesh_csv: Path,
) -> Iterator[str]:
    """A fresh database with the feed, the boundaries and the synthetic mesh loaded."""
    run_load(etl_url, "transit", str(feed_path), check=True)
    run_load(etl_url, "admin_boundaries", str(n03_path), check=True)
    run_load(etl_url, "population_mesh", str(mesh_csv), "--set", "survey_year=2020", check=True)
    yield etl_url


@pytest.fixture(scope="module")
def transit_server(transit_url: str) -> Iterator[str]:
    """`kasane serve` against the transit database, on a free port."""
    with running_server(transit_url, workers=1) as base:
        yield base
