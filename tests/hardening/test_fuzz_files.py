"""Property-based fuzzing of the loaders with the real files of ../shared/data, mutated.

Each seed is a real file (or a small real excerpt) of one source family and reader: CSV in
UTF-8 with BOM and in CP932, GSI GeoJSON, N03 TopoJSON, a Tokyo landslide GeoJSON excerpt and
the same as a GeoPackage, a flood-depth shapefile, the Shunan zipped shapefile and a GTFS feed.
Hypothesis mutates it (:mod:`tests.hardening.mutations`: truncation, flipped bytes, other
encodings, a column dropped or renamed, headers only, BOMs, CR/CRLF, huge cells, NaN/inf and
out-of-range coordinates, duplicates, empty geometries, unclosed rings, z/m coordinates) and
loads it for real. Whatever happens: no exception but Kasane's own (one clear line) escapes,
every rejected file and row has its reason, a load that publishes nothing leaves the served
versions as they were, and no version table is left behind.

``make test`` runs :data:`EXAMPLES` examples a seed (derandomized: the same every run); set
``KASANE_FUZZ_EXAMPLES`` (e.g. 200) for a longer run.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.gtfs_load import load_feeds
from etl.load import LoadOptions, load
from gis.layerstore.registry import LayerRegistry
from gis.platform.databases import create_sibling, drop_sibling
from gis.platform.db import connect
from gis.platform.errors import KasaneError
from tests.conftest import ROOT
from tests.hardening.mutations import FOR_KIND, Mutation
from tests.shared_data import shared_path

EXAMPLES = int(os.environ.get("KASANE_FUZZ_EXAMPLES", "6"))
N03 = ("n03-smartnews", "geojson_s0010_N03-21_35_210101.json")
LANDSLIDE = ("landslide-tokyo", "tokyo_dosekiryu_tokubetsu.json")
FLOOD = ("yamaguchi-uesugi", "flood_depth", "浸水深3.0m以上4.0m未満")
SHUNAN = ("yamaguchi-uesugi", "bus_map_shunan")
KAMINOSEKI = "10_指定緊急避難場所一覧_353418_evacuation_space_2022.6.csv"


@dataclass(frozen=True)
class Seed:
    """A real file to mutate, the layer it loads into, and how to lay it out for a load."""

    name: str
    layer: str
    kind: str  # csv, json, binary, gtfs: which mutations fit (see FOR_KIND)
    make: Callable[[Path], tuple[Path, list[Path]]]  # folder -> (file to mutate, load these)
    options: dict[str, Any] = field(default_factory=dict)


def _copy(*parts: str) -> Callable[[Path], tuple[Path, list[Path]]]:
    def make(folder: Path) -> tuple[Path, list[Path]]:
        source = shared_path(*parts)
        target = folder / source.name
        shutil.copy(source, target)
        return target, [target]

    return make


def _landslide_excerpt(folder: Path) -> Path:
    doc = json.loads(shared_path(*LANDSLIDE).read_text("utf-8"))
    doc["features"] = doc["features"][:12]
    target = folder / "landslide.geojson"
    target.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return target


def _landslide(folder: Path) -> tuple[Path, list[Path]]:
    target = _landslide_excerpt(folder)
    return target, [target]


def _landslide_gpkg(folder: Path) -> tuple[Path, list[Path]]:
    import pyogrio

    with warnings.catch_warnings():  # "several features with id = 0": the file's own ids
        warnings.simplefilter("ignore", RuntimeWarning)
        frame = pyogrio.read_dataframe(_landslide_excerpt(folder))
    target = folder / "landslide.gpkg"
    pyogrio.write_dataframe(frame, target, driver="GPKG")
    return target, [target]


def _flood(member: str) -> Callable[[Path], tuple[Path, list[Path]]]:
    def make(folder: Path) -> tuple[Path, list[Path]]:
        for path in shared_path(*FLOOD).glob("ZZ_5_region.*"):
            shutil.copy(path, folder / path.name)
        return folder / f"ZZ_5_region.{member}", [folder / "ZZ_5_region.shp"]

    return make


def _shunan_zip(folder: Path) -> tuple[Path, list[Path]]:
    source = next(shared_path(*SHUNAN).glob("*.zip"))
    target = folder / "shunan.zip"
    shutil.copy(source, target)
    return target, [target]


SEEDS = [
    Seed("evacuation CSV (UTF-8 BOM)", "shelters", "csv",
         _copy("yamaguchi-uesugi", "evacuation", "353434_evacuation_space.csv")),
    Seed("evacuation CSV (CP932)", "shelters", "csv",
         _copy("yamaguchi-uesugi", "evacuation", KAMINOSEKI)),
    Seed("GSI shelters GeoJSON", "shelters", "json", _copy("gsi-shelters", "emergency",
                                                           "336637.json")),
    Seed("Wi-Fi CSV", "wifi_spots", "csv",
         _copy("yamaguchi-uesugi", "wifi", "352110_public_wireless_lan_tourist-spot.csv")),
    Seed("EV CSV (title row, CP932)", "ev_chargers", "csv",
         _copy("ev-tokushima", "電気自動車充電スタンド.csv")),
    Seed("N03 TopoJSON", "admin_boundaries", "json",
         _copy("n03-smartnews", "topojson_s0010_N03-21_35_210101.json")),
    Seed("landslide GeoJSON", "landslide_zones", "json", _landslide),
    Seed("landslide GeoPackage", "landslide_zones", "binary", _landslide_gpkg),
    Seed("flood shapefile (.shp)", "flood_depth", "binary", _flood("shp")),
    Seed("flood shapefile (.dbf)", "flood_depth", "binary", _flood("dbf")),
    Seed("Shunan zipped shapefile", "transit_stops", "binary", _shunan_zip,
         {"crs": "EPSG:4326"}),
    Seed("GTFS feed", "transit", "gtfs", _copy("gtfs-google-sample", "good_feed.zip")),
]  # fmt: skip


@pytest.fixture(scope="module")
def fuzz_db(database_url: str) -> Iterator[str]:
    """A database of its own, with Yamaguchi's boundaries (so the area rules run too)."""
    name = database_url.rsplit("/", 1)[1].split("?")[0] + "_fuzzfiles"
    url = create_sibling(database_url, name)
    registry = LayerRegistry.from_dir(ROOT / "layers")
    load(url, registry.get("admin_boundaries"), [shared_path(*N03)], LoadOptions())
    yield url
    drop_sibling(database_url, name)


def _state(url: str) -> dict[str, Any]:
    with connect(url) as conn:
        current = conn.execute("SELECT layer_id, version FROM kasane.layer_current ORDER BY 1")
        known = conn.execute(
            "SELECT table_name FROM kasane.layer_versions WHERE dropped_at IS NULL"
        ).fetchall()
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'layer_data'"
            " AND tablename LIKE '%\\_\\_v%'"
        ).fetchall()
        feeds = conn.execute("SELECT feed_id, sha256 FROM transit.feeds ORDER BY 1").fetchall()
        return {"current": dict(current.fetchall()), "known": {r[0] for r in known},
                "tables": {r[0] for r in tables}, "feeds": feeds}  # fmt: skip


def _gtfs_mutation(data: bytes, rnd: random.Random) -> bytes:
    """A CSV fault in one member of the feed, or a byte fault in the zip itself."""
    if rnd.random() < 0.3:
        return rnd.choice(FOR_KIND["binary"])(data, rnd)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    name = rnd.choice(sorted(members))
    members[name] = rnd.choice(FOR_KIND["csv"])(members[name], rnd)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return out.getvalue()


def _mutations(kind: str) -> list[Mutation]:
    return [_gtfs_mutation] if kind == "gtfs" else FOR_KIND[kind]


def _check_report(report: Any) -> None:
    data = report.as_json()
    for f in data["files"]:
        if f["error"] is not None:
            assert f["error"].strip() and "Traceback" not in f["error"], f
        for issue in f["issues"]:
            assert issue["reason"].strip(), issue
            assert issue["action"] != "rejected" or issue["row"] is not None, issue
    assert report.outcome, data


@pytest.mark.parametrize("seed", SEEDS, ids=[s.name for s in SEEDS])
def test_mutated_real_files_never_break_a_load(fuzz_db: str, seed: Seed) -> None:
    registry = LayerRegistry.from_dir(ROOT / "layers")

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(pick=st.integers(0, 10**6), salt=st.integers(0, 2**32 - 1))
    def run(pick: int, salt: int) -> None:
        rnd = random.Random(salt)
        with tempfile.TemporaryDirectory(prefix="kasane-fuzz-") as scratch:
            folder = Path(scratch)
            target, paths = seed.make(folder)
            mutations = _mutations(seed.kind)
            mutation = mutations[pick % len(mutations)]
            target.write_bytes(mutation(target.read_bytes(), rnd))
            before = _state(fuzz_db)
            options = LoadOptions(force=True, **seed.options)
            try:
                if seed.layer == "transit":
                    options.dry_run = True
                    report = load_feeds(fuzz_db, registry, paths, options)
                else:
                    report = load(fuzz_db, registry.get(seed.layer), paths, options)
            except KasaneError as err:  # a whole-load failure: Kasane's own, one clear line
                message = str(err)
                assert message.strip() and "Traceback" not in message, message
                report = None
            after = _state(fuzz_db)
            assert after["tables"] <= after["known"], "a version table was left behind"
            if report is not None:
                _check_report(report)
            if report is None or report.version is None:
                assert after["current"] == before["current"], mutation.__name__
                assert after["feeds"] == before["feeds"], mutation.__name__
            else:
                changed = {k for k in after["current"] if after["current"][k] !=
                           before["current"].get(k)}  # fmt: skip
                assert changed == {seed.layer}, changed

    run()
