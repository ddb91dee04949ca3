"""The layer files and the generated demo data agree, and the demo data is sound."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pandas.api.types import is_string_dtype

from etl.demo import FILE_LAYERS
from etl.demo_data import demo_layers, depth_rank, layer_frame
from gis.geo.lg_codes import is_valid_lg_code
from gis.geo.mesh import mesh_polygon, meshes_in_bbox
from gis.layerstore.layerspec import (
    FieldSpec,
    GeometryType,
    LayerSpec,
    License,
    Style,
    StyleClass,
    Text,
)
from gis.layerstore.registry import LayerRegistry
from gis.platform.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
LAYERS_DIR = ROOT / "layers"
EXPECTED_LAYERS = {
    "admin_boundaries",
    "flood_depth",
    "landslide_zones",
    "shelters",
    "ev_chargers",
    "wifi_spots",
    "transit_stops",
    "transit_routes",
    "dead_zones",
    "mesh_coverage",
    "population_mesh",
    "transit_blank_areas",
    "addresses",
}
# MLIT standard depth ranks (docs/jp-gis-standards.md §5.1).
MLIT_RANK_COLOURS = {
    1: "#F7F5A9",
    2: "#FFD8C0",
    3: "#FFB7B7",
    4: "#FF9191",
    5: "#F285C9",
    6: "#DC7ADC",
}
GSI_FLAGS = [
    "hz_flood",
    "hz_landslide",
    "hz_storm_surge",
    "hz_earthquake",
    "hz_tsunami",
    "hz_fire",
    "hz_inland_flood",
    "hz_volcano",
]


@pytest.fixture(scope="module")
def layer_registry() -> LayerRegistry:
    return LayerRegistry.from_dir(LAYERS_DIR)


@pytest.fixture(scope="module")
def demo(layer_registry: LayerRegistry) -> dict[str, gpd.GeoDataFrame]:
    return demo_layers(layer_registry)


def specs(registry: LayerRegistry) -> list[LayerSpec]:
    return list(registry)


def generated(registry: LayerRegistry) -> list[LayerSpec]:
    """The layers the demo generates frames for: every layer but the derived ones and those
    whose demo data are files in their real format (loaded like any file)."""
    return [spec for spec in registry if not spec.derived and spec.id not in FILE_LAYERS]


# --- layer files ------------------------------------------------------------------------------


def test_every_layer_file_validates(layer_registry: LayerRegistry) -> None:
    stems = {path.stem for path in LAYERS_DIR.glob("*.toml")}
    assert {spec.id for spec in layer_registry} == stems
    assert stems == EXPECTED_LAYERS
    for spec in layer_registry:
        assert spec.public, spec.id
        assert is_valid_lg_code(spec.owner), spec.id
        assert spec.min_zoom <= spec.max_zoom


def test_readme_documents_every_key() -> None:
    readme = (LAYERS_DIR / "README.md").read_text(encoding="utf-8")
    for model in (LayerSpec, FieldSpec, Style, StyleClass, License, Text):
        for key in model.model_fields:
            assert f"`{key}`" in readme, f"{model.__name__}.{key} is not documented"
    for layer_id in EXPECTED_LAYERS:
        assert f"`{layer_id}`" in readme, f"layer {layer_id} is not listed"


def test_styled_layers_use_declared_field_values(layer_registry: LayerRegistry) -> None:
    for spec in layer_registry:
        if not spec.style.classes:
            continue
        assert spec.style.property, spec.id
        field = spec.field(spec.style.property)
        python_type = {"integer": int, "text": str, "boolean": bool}[field.type]
        values = [c.value for c in spec.style.classes]
        assert all(type(v) is python_type for v in values), (spec.id, values)
        assert len(set(values)) == len(values), spec.id


def test_flood_depth_style_is_the_mlit_standard(layer_registry: LayerRegistry) -> None:
    style = layer_registry.get("flood_depth").style
    assert style.property == "depth_rank"
    assert {c.value: c.color.upper() for c in style.classes} == MLIT_RANK_COLOURS
    labels = {c.value: (c.label.ja, c.label.en) for c in style.classes}
    assert labels[1] == ("0.5m未満", "under 0.5 m")
    assert labels[6][0] == "20.0m以上"


def test_shelter_flags_are_the_eight_gsi_hazards_in_order(layer_registry: LayerRegistry) -> None:
    spec = layer_registry.get("shelters")
    assert [n for n in spec.field_names if n.startswith("hz_")] == GSI_FLAGS
    assert all(spec.field(n).type == "boolean" for n in GSI_FLAGS)
    assert spec.id_field == "shelter_id"


# --- demo frames match the declarations ---------------------------------------------------------


def with_fields(spec: LayerSpec, fields: list[FieldSpec]) -> LayerSpec:
    """``spec`` with other fields, validated like a layer file."""
    data = spec.model_dump()
    data["fields"] = [f.model_dump() for f in fields]
    return LayerSpec.model_validate(data)


EXTRA_FIELD = FieldSpec(name="extra_note", type="text", title=Text(ja="追加", en="Extra"))


def test_frame_builder_fails_when_a_layer_declares_other_fields(
    layer_registry: LayerRegistry, demo: dict[str, gpd.GeoDataFrame]
) -> None:
    for spec in generated(layer_registry):
        frame = demo[spec.id]
        rows = frame.drop(columns="geometry").to_dict("records")
        geoms = list(frame.geometry)
        rebuilt = layer_frame(spec, rows, geoms)  # the declared fields build
        assert list(rebuilt.columns) == [*spec.field_names, "geometry"], spec.id
        extra = with_fields(spec, [*spec.fields, EXTRA_FIELD])
        with pytest.raises(ConfigError, match=r"declared but not generated: \['extra_note'\]"):
            layer_frame(extra, rows, geoms)
        dropped = spec.fields[-1].name
        fewer = with_fields(spec, list(spec.fields[:-1]))
        with pytest.raises(ConfigError, match=rf"generated but not declared: \['{dropped}'\]"):
            layer_frame(fewer, rows, geoms)


def test_demo_layers_follow_the_catalogue(layer_registry: LayerRegistry) -> None:
    shelters = layer_registry.get("shelters")
    drifted = [
        with_fields(spec, [*spec.fields, EXTRA_FIELD]) if spec is shelters else spec
        for spec in layer_registry
    ]
    with pytest.raises(ConfigError, match=r"'shelters'.*extra_note"):
        demo_layers(LayerRegistry(drifted))
    without = [spec for spec in layer_registry if spec.id != "dead_zones"]
    with pytest.raises(ConfigError, match="dead_zones"):
        demo_layers(LayerRegistry(without))


def test_frame_for_every_layer_with_declared_columns(
    layer_registry: LayerRegistry, demo: dict[str, gpd.GeoDataFrame]
) -> None:
    assert set(demo) == {spec.id for spec in generated(layer_registry)}
    for spec in generated(layer_registry):
        frame = demo[spec.id]
        assert isinstance(frame, gpd.GeoDataFrame)
        assert list(frame.columns) == [*spec.field_names, "geometry"], spec.id
        assert frame.geometry.name == "geometry"
        assert frame.crs is not None and frame.crs.to_epsg() == 4326, spec.id
        assert len(frame) > 0, spec.id
        assert frame.index.equals(pd.RangeIndex(len(frame))), spec.id


def test_dtypes_fit_field_types(
    layer_registry: LayerRegistry, demo: dict[str, gpd.GeoDataFrame]
) -> None:
    for spec in generated(layer_registry):
        frame = demo[spec.id]
        for field in spec.fields:
            column = frame[field.name]
            where = f"{spec.id}.{field.name}"
            present = column.dropna()
            if field.type == "text":
                assert is_string_dtype(column.dtype), where
                assert all(isinstance(v, str) and v for v in present), where
            elif field.type in ("integer", "bigint"):
                assert str(column.dtype) == "Int64", where
            elif field.type == "real":
                assert column.dtype == np.float64, where
            elif field.type == "boolean":
                assert column.dtype == np.bool_, where
            elif field.type == "date":
                assert all(type(v) is dt.date for v in present), where
            else:
                pytest.fail(f"{where}: unexpected type {field.type}")


def test_required_fields_have_no_nulls(
    layer_registry: LayerRegistry, demo: dict[str, gpd.GeoDataFrame]
) -> None:
    for spec in generated(layer_registry):
        frame = demo[spec.id]
        for field in spec.fields:
            if field.required:
                assert frame[field.name].notna().all(), f"{spec.id}.{field.name}"
                if field.type == "text":
                    assert (frame[field.name].str.len() > 0).all(), f"{spec.id}.{field.name}"


def test_id_field_is_unique(
    layer_registry: LayerRegistry, demo: dict[str, gpd.GeoDataFrame]
) -> None:
    for spec in generated(layer_registry):
        if spec.id_field:
            assert demo[spec.id][spec.id_field].is_unique, spec.id


def test_geometry_types_are_the_declared_ones(
    layer_registry: LayerRegistry, demo: dict[str, gpd.GeoDataFrame]
) -> None:
    for spec in generated(layer_registry):
        types = set(demo[spec.id].geom_type)
        if spec.geometry is GeometryType.GEOMETRY:
            assert types <= {"Point", "Polygon", "MultiPolygon"}, (spec.id, types)
        else:
            assert types == {spec.geometry.value}, (spec.id, types)


def test_geometries_valid_and_in_the_demo_area(demo: dict[str, gpd.GeoDataFrame]) -> None:
    for layer_id, frame in demo.items():
        geoms = frame.geometry.values
        assert not frame.geometry.isna().any(), layer_id
        assert not shapely.is_empty(geoms).any(), layer_id
        assert shapely.is_valid(geoms).all(), (layer_id, shapely.is_valid_reason(geoms))
        min_x, min_y, max_x, max_y = frame.total_bounds
        # inside Japan (the JIS X 0410 range) ...
        assert min_x >= 122 and max_x < 154 and min_y >= 20 and max_y < 46, layer_id
        # ... and around Yamaguchi city / Hofu
        assert min_x >= 131.2 and max_x <= 131.8 and min_y >= 33.9 and max_y <= 34.35, layer_id


def test_deterministic(layer_registry: LayerRegistry, demo: dict[str, gpd.GeoDataFrame]) -> None:
    again = demo_layers(layer_registry)
    assert list(again) == list(demo)
    for layer_id, frame in demo.items():
        other = again[layer_id]
        pd.testing.assert_frame_equal(
            frame.drop(columns="geometry"), other.drop(columns="geometry"), check_exact=True
        )
        assert list(frame.geometry.to_wkb()) == list(other.geometry.to_wkb()), layer_id


def test_lg_codes_valid_and_known(demo: dict[str, gpd.GeoDataFrame]) -> None:
    known = set(demo["admin_boundaries"]["lg_code"])
    assert known == {"352039", "352063", "352021"}
    for layer_id, frame in demo.items():
        if "lg_code" not in frame.columns:
            continue
        codes = frame["lg_code"].dropna()
        assert len(codes) == len(frame), f"{layer_id}: lg_code missing"
        assert all(is_valid_lg_code(c) for c in codes), layer_id
        assert set(codes) <= known, layer_id


def test_features_lie_in_their_municipality(demo: dict[str, gpd.GeoDataFrame]) -> None:
    admin = demo["admin_boundaries"]
    munis = dict(zip(admin["lg_code"], admin.geometry, strict=True))
    for layer_id in ("shelters", "ev_chargers", "wifi_spots", "landslide_zones", "dead_zones"):
        frame = demo[layer_id]
        for code, geom in zip(frame["lg_code"], frame.geometry, strict=True):
            assert munis[code].covers(geom), (layer_id, code, geom.wkt[:80])
    stops = demo["transit_stops"]
    for code, geom in zip(stops["lg_code"], stops.geometry, strict=True):
        assert munis[code].buffer(1e-6).covers(geom)


# --- layer-specific content -------------------------------------------------------------------


def test_municipalities_share_borders_without_overlap(demo: dict[str, gpd.GeoDataFrame]) -> None:
    admin = demo["admin_boundaries"]
    geoms = dict(zip(admin["name"], admin.geometry, strict=True))
    assert set(geoms) == {"山口市", "防府市", "宇部市"}
    pairs = [("山口市", "防府市"), ("山口市", "宇部市"), ("防府市", "宇部市")]
    for a, b in pairs:
        assert geoms[a].intersection(geoms[b]).area < 1e-10, (a, b)
    assert geoms["山口市"].intersection(geoms["防府市"]).length > 0.1
    assert geoms["山口市"].intersection(geoms["宇部市"]).length > 0.1
    union = shapely.union_all(admin.geometry.values)
    assert union.geom_type == "Polygon" and not list(union.interiors)
    assert admin["pref_name"].eq("山口県").all()


def test_flood_depth_ranks(demo: dict[str, gpd.GeoDataFrame]) -> None:
    flood = demo["flood_depth"]
    assert 200 <= len(flood) <= 800
    assert set(flood["depth_rank"]) <= set(MLIT_RANK_COLOURS)
    assert flood["depth_rank"].nunique() >= 3
    with_depth = flood[flood["depth_m"].notna()]
    assert len(with_depth) > 0.8 * len(flood)
    assert (with_depth["depth_m"] > 0).all()
    assert [depth_rank(d) for d in with_depth["depth_m"]] == with_depth["depth_rank"].tolist()
    assert set(flood["river_name"]) == {"椹野川", "佐波川"}
    for depth, label in zip(with_depth["depth_m"], with_depth["source_class"], strict=True):
        match = re.fullmatch(r"(?:([0-9.]+)m以上)?(?:([0-9.]+)m未満)?", label)
        assert match and any(match.groups()), label
        lower, upper = (float(g) if g else None for g in match.groups())
        assert (lower is None or depth >= lower) and (upper is None or depth < upper), label
    # Deeper ranks lie nearer the river: mean distance to the nearest rank-3+ cell grows.
    cells = gpd.GeoSeries(flood.geometry.values, crs=4326).to_crs(6671)
    deep = shapely.union_all(cells[flood["depth_rank"].to_numpy() >= 3].values)
    shallow = cells[flood["depth_rank"].to_numpy() == 1]
    assert shallow.distance(deep).mean() > 100


def test_cells_are_small_grid_squares(demo: dict[str, gpd.GeoDataFrame]) -> None:
    cells = demo["flood_depth"].to_crs(6671)
    assert cells.area.between(2_000, 12_000).all()
    assert all(len(g.geoms) == 1 for g in demo["flood_depth"].geometry)


def test_landslide_zones(demo: dict[str, gpd.GeoDataFrame]) -> None:
    zones = demo["landslide_zones"]
    assert 50 <= len(zones) <= 70
    assert set(zones["phenomenon"]) == {1, 2, 3}
    assert set(zones["zone_class"]) == {1, 2}
    assert np.median(shapely.get_y(shapely.centroid(zones.geometry.values))) > 34.15  # hills
    areas = zones.to_crs(6671).area
    assert areas.max() < 300_000
    # Every special-warning (red) zone lies inside the warning (yellow) zone with its number.
    yellow = zones[zones["zone_class"] == 1].set_index("zone_no").geometry
    assert yellow.index.is_unique
    for zone_no, geom in zones[zones["zone_class"] == 2].set_index("zone_no").geometry.items():
        assert yellow[zone_no].buffer(1e-9).covers(geom), zone_no
    assert zones["designated_on"].map(lambda d: dt.date(2000, 1, 1) < d < dt.date(2025, 1, 1)).all()


def test_shelters(demo: dict[str, gpd.GeoDataFrame]) -> None:
    shelters = demo["shelters"]
    assert 130 <= len(shelters) <= 170
    assert shelters["shelter_id"].str.fullmatch(r"E\d{5}\d{5}201").all()
    assert (shelters["shelter_id"].str[1:6] == shelters["lg_code"].str[:5]).all()
    assert shelters["name"].is_unique
    assert set(shelters["kind"]) == {"emergency_site", "shelter", "both", "welfare"}
    assert shelters["name_kana"].str.fullmatch(r"[ァ-ヶー]+").all()
    assert shelters["address"].str.startswith("山口県").all()
    flags = shelters[GSI_FLAGS]
    # Only evacuation sites carry hazard designations; each serves at least one hazard.
    sites = shelters["kind"].isin(["emergency_site", "both"]).to_numpy()
    assert not flags[~sites].to_numpy().any()
    assert flags[sites].any(axis=1).all()
    assert not shelters["hz_volcano"].any()
    for flag in GSI_FLAGS[:-1]:  # varied, not all the same
        assert 0 < shelters.loc[sites, flag].sum() < sites.sum(), flag
    # A site inside a flood-depth zone is not a flood site, unless it says to go upstairs.
    flood = shapely.union_all(demo["flood_depth"].geometry.values)
    wet = shapely.contains(flood, shelters.geometry.values) & sites
    assert wet.any()
    upstairs = shelters["note"].fillna("").str.contains("2階")
    assert not (wet & shelters["hz_flood"].to_numpy() & ~upstairs.to_numpy()).any()
    assert shelters["capacity"].dropna().gt(0).all()
    assert shelters["capacity"].isna().sum() <= 10


def test_points_layers(demo: dict[str, gpd.GeoDataFrame]) -> None:
    ev = demo["ev_chargers"]
    assert 10 <= len(ev) <= 20
    assert set(ev["charger_type"]) <= {"quick", "normal", "both"}
    assert ev["connectors"].ge(1).all()
    wifi = demo["wifi_spots"]
    assert 20 <= len(wifi) <= 30
    assert wifi["ssid"].notna().all()
    phones = pd.concat([ev["phone"], demo["shelters"]["phone"]]).dropna()
    assert phones.str.fullmatch(r"0\d{2,3}-00{1,2}-\d{4}").all()  # 000 exchanges do not exist


def test_transit(demo: dict[str, gpd.GeoDataFrame]) -> None:
    stops, routes = demo["transit_stops"], demo["transit_routes"]
    assert len(routes) == 6
    assert 100 <= len(stops) <= 140
    assert routes["color"].str.fullmatch(r"[0-9A-F]{6}").all()
    assert routes["route_type"].eq(3).all()
    assert not routes.duplicated(["feed_id", "route_id"]).any()
    assert not stops.duplicated(["feed_id", "stop_id"]).any()
    assert not stops.duplicated(["feed_id", "name"]).any()
    assert set(stops["feed_id"]) == set(routes["feed_id"])
    assert stops["departures_per_day"].ge(1).all()
    lines = {feed: shapely.union_all(g.geometry.values) for feed, g in routes.groupby("feed_id")}
    for feed, geom in zip(stops["feed_id"], stops.geometry, strict=True):
        assert geom.distance(lines[feed]) < 1e-6
    for line in routes.geometry:
        assert line.length > 0.02  # several km


def unresolved(zones: pd.DataFrame, year: int) -> pd.Series:
    """Districts still unresolved at the end of ``year``."""
    resolved = zones["resolved_year"]
    return resolved.isna() | (resolved > year)


def test_dead_zone_counts(demo: dict[str, gpd.GeoDataFrame]) -> None:
    zones = demo["dead_zones"]
    assert len(zones) == 62
    assert zones["surveyed_year"].eq(2019).all()
    assert unresolved(zones, 2019).sum() == 62
    counts = {year: int(unresolved(zones, year).sum()) for year in range(2019, 2025)}
    assert 35 <= counts[2022] <= 40
    assert counts[2024] < counts[2022]
    assert all(counts[y + 1] <= counts[y] for y in range(2019, 2024))
    for code, group in zones.groupby("lg_code"):
        per_year = [int(unresolved(group, y).sum()) for y in range(2019, 2025)]
        assert per_year == sorted(per_year, reverse=True), code
        assert per_year[-1] < per_year[3] < per_year[0], code
    assert zones["households"].between(5, 200).all()
    assert zones["resolved_year"].dropna().between(2020, 2024).all()
    resolved = zones["resolved_year"].notna()
    assert (zones.loc[resolved, "status"] == "resolved").all()
    assert set(zones.loc[~resolved, "status"]) == {"unresolved", "in_progress"}
    assert zones.loc[resolved, "carrier"].notna().all()
    assert set(zones.geom_type) == {"Point", "Polygon"}
    assert not zones.duplicated(["lg_code", "district_name"]).any()


def test_mesh_coverage(demo: dict[str, gpd.GeoDataFrame]) -> None:
    coverage = demo["mesh_coverage"]
    admin = demo["admin_boundaries"]
    expected = set(meshes_in_bbox(*admin.total_bounds, 2))
    assert set(coverage["year"]) == {2020, 2021, 2022, 2023, 2024}
    for _, group in coverage.groupby("year"):
        assert set(group["mesh_code"]) == expected
        assert group["mesh_code"].is_unique
    for code, geom in zip(coverage["mesh_code"], coverage.geometry, strict=True):
        assert re.fullmatch(r"\d{6}", code)
        assert geom.equals(mesh_polygon(code))
    share = coverage.groupby("year")["has_advanced_station"].mean()
    assert share.is_monotonic_increasing and share.iloc[-1] > share.iloc[0]
    assert (coverage.loc[~coverage["has_advanced_station"], "stations"] == 0).all()
    assert (coverage.loc[coverage["has_advanced_station"], "stations"] >= 1).all()
    # Once a mesh has an advanced station it keeps it.
    first = coverage[coverage["has_advanced_station"]].groupby("mesh_code")["year"].min()
    for code, year in first.items():
        rows = coverage[(coverage["mesh_code"] == code) & (coverage["year"] >= year)]
        assert rows["has_advanced_station"].all(), code


def test_population_mesh(demo: dict[str, gpd.GeoDataFrame]) -> None:
    population = demo["population_mesh"]
    assert population["mesh_code"].str.fullmatch(r"\d{8}").all()
    assert population["mesh_code"].is_unique
    for code, geom in zip(population["mesh_code"], population.geometry, strict=True):
        assert geom.equals(mesh_polygon(code))
    land = shapely.union_all(demo["admin_boundaries"].geometry.values)
    assert shapely.intersects(population.geometry.values, land).all()
    people = population["population"].to_numpy(dtype=int)
    assert (people >= 0).all()
    assert (population["households"] <= population["population"]).all()
    assert (people == 0).sum() > 50  # empty hills
    top = np.sort(people)[::-1]
    assert top[: len(top) // 10].sum() > 0.5 * top.sum()  # concentrated in the towns
    assert 150_000 < top.sum() < 500_000
