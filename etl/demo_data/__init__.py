"""Deterministic demo data for every layer, around Yamaguchi city and Hofu (山口市・防府市・宇部市).

Everything is generated here from a fixed seed: no network and no input files. The geography is
plausible rather than true: the coast, two rivers (椹野川, 佐波川), hills, municipal borders and
place names sit roughly where they are, but every feature is invented, and the municipalities are
clipped to the demo area (lon 131.32-131.68, lat up to 34.26). Use it for development,
tests and screenshots, never as hazard or shelter information. Phone numbers use an exchange
starting with 0 (``083-000-1234``), which no real number has.

The columns of each frame and their types come from the layer catalogue (``layers/*.toml``);
a generator that drifts from its layer's declared fields stops the build (see ``frames``).
"""

from __future__ import annotations

import geopandas as gpd

from etl.demo_data.hazards import admin_boundaries, depth_rank, flood_depth, landslide_zones
from etl.demo_data.layer_frames import layer_frame
from etl.demo_data.places import MUNICIPALITIES
from etl.demo_data.planning import dead_zones, mesh_coverage, population_mesh
from etl.demo_data.services import ev_chargers, shelters, wifi_spots
from etl.demo_data.transit import transit
from etl.demo_data.world import World
from gis.geo.lg_codes import is_valid_lg_code
from gis.layerstore.registry import LayerRegistry
from gis.platform.errors import ConfigError

__all__ = ["DEMO_LAYERS", "demo_layers", "depth_rank", "layer_frame"]

# Every layer the demo generates, in the order demo_layers returns them.
DEMO_LAYERS = (
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
)


def demo_layers(registry: LayerRegistry) -> dict[str, gpd.GeoDataFrame]:
    """Demo data for every layer, keyed by layer id; frames in EPSG:4326 with the declared columns.

    ``registry`` is the layer catalogue: each frame has exactly the fields its layer declares,
    in order, typed as declared. Raises ConfigError when the catalogue lacks a demo layer or a
    layer's fields differ from what the demo generates. Deterministic: every call with the same
    catalogue returns identical frames.
    """
    missing = [layer_id for layer_id in DEMO_LAYERS if layer_id not in registry]
    if missing:
        raise ConfigError(f"the demo data needs layers the catalogue does not declare: {missing}")
    spec = {layer_id: registry.get(layer_id) for layer_id in DEMO_LAYERS}
    for muni in MUNICIPALITIES:
        if not is_valid_lg_code(muni.code):
            raise RuntimeError(f"demo municipality code {muni.code} has a wrong check digit")
    world = World()
    flood = flood_depth(spec["flood_depth"], world)
    landslide = landslide_zones(spec["landslide_zones"], world)
    shelter_frame = shelters(spec["shelters"], world, flood, landslide)
    stops, routes = transit(spec["transit_stops"], spec["transit_routes"], world)
    population = population_mesh(spec["population_mesh"], world)
    return {  # derived layers (e.g. transit_blank_areas) are computed, never generated
        "admin_boundaries": admin_boundaries(spec["admin_boundaries"], world),
        "flood_depth": flood,
        "landslide_zones": landslide,
        "shelters": shelter_frame,
        "ev_chargers": ev_chargers(spec["ev_chargers"], world),
        "wifi_spots": wifi_spots(spec["wifi_spots"], world, shelter_frame),
        "transit_stops": stops,
        "transit_routes": routes,
        "dead_zones": dead_zones(spec["dead_zones"], world),
        "mesh_coverage": mesh_coverage(spec["mesh_coverage"], world, population),
        "population_mesh": population,
    }
