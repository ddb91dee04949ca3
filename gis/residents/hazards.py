""" "Is my place at risk?": every hazard layer at a point, in words, with the MLIT colours.

Layers are picked by kind from the catalogue (``flood_depth``, ``landslide_zone``), so a
second flood layer (e.g. inland flooding) is reported without code changes. Labels and
colours come from the layer files; the landslide phenomenon names come from A33_001.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from gis.layerstore.layerspec import LayerKind, LayerSpec
from gis.layerstore.registry import LayerRegistry
from gis.layerstore.served_versions import read_state
from gis.layerstore.storage import layer_view
from gis.platform.errors import BadRequest, NotFound
from gis.platform.languages import Msg
from gis.residents.area_index import attributes_sql

Conn = psycopg.Connection[Any]
AREA_MARGIN_DEG = 0.02  # about 2 km of grace around the loaded data
AREA_KINDS = (
    LayerKind.FLOOD_DEPTH,
    LayerKind.LANDSLIDE_ZONE,
    LayerKind.ADMIN_BOUNDARY,
    LayerKind.SHELTER,
)
# Which shelter hazard flag (hz_<hazard>) fits each hazard layer kind.
HAZARD_OF_KIND = {LayerKind.FLOOD_DEPTH: "flood", LayerKind.LANDSLIDE_ZONE: "landslide"}
PHENOMENA = {
    1: Msg("急傾斜地の崩壊", "steep slope failure"),
    2: Msg("土石流", "debris flow"),
    3: Msg("地滑り", "landslide"),
}
RED_ZONES = (2, 4)  # 特別警戒区域 (designated or at the survey stage)


@dataclass(frozen=True)
class LonLat:
    """A validated WGS84 / JGD2011 position."""

    lon: float
    lat: float

    @classmethod
    def parse(cls, lat: object, lon: object) -> LonLat:
        """Parse query parameters; :class:`BadRequest` says what is wrong."""
        values = []
        for name, raw, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
            if raw is None or str(raw).strip() == "":
                raise BadRequest(f"{name} is required (decimal degrees, WGS84/JGD2011)")
            try:
                value = float(str(raw))
            except ValueError:
                raise BadRequest(f"{name}={raw!r} is not a number") from None
            if not math.isfinite(value) or abs(value) > limit:
                raise BadRequest(f"{name}={raw!r} is out of range (±{limit:g})")
            values.append(value)
        return cls(lon=values[1], lat=values[0])


def loaded_layers(conn: Conn) -> dict[str, tuple[float, float, float, float] | None]:
    """Served layers and their bbox (min lon, min lat, max lon, max lat), read now (the server
    keeps them from its version listener,
    :class:`gis.layerstore.served_versions.ServedVersions`)."""
    return {layer_id: served.bbox for layer_id, served in read_state(conn).items()}


def require_in_area(
    registry: LayerRegistry,
    loaded: dict[str, tuple[float, float, float, float] | None],
    point: LonLat,
) -> None:
    """:class:`BadRequest` when the point lies outside every loaded layer used here."""
    boxes = [
        loaded[spec.id]
        for kind in AREA_KINDS
        for spec in registry.of_kind(kind)
        if loaded.get(spec.id) is not None
    ]
    if not boxes:
        raise NotFound("no hazard, boundary or shelter data is loaded yet")
    m = AREA_MARGIN_DEG
    for box in boxes:
        assert box is not None
        if box[0] - m <= point.lon <= box[2] + m and box[1] - m <= point.lat <= box[3] + m:
            return
    west = min(b[0] for b in boxes if b)
    south = min(b[1] for b in boxes if b)
    east = max(b[2] for b in boxes if b)
    north = max(b[3] for b in boxes if b)
    raise BadRequest(
        f"lat={point.lat:g}, lon={point.lon:g} is outside the area Kasane has data for"
        f" (lon {west:.3f}–{east:.3f}, lat {south:.3f}–{north:.3f})"
    )


def _class_of(spec: LayerSpec, value: object) -> tuple[dict[str, str] | None, str | None]:
    for cls in spec.style.classes:
        if cls.value == value:
            return cls.label.model_dump(), cls.color
    return None, None


@functools.lru_cache(maxsize=64)
def _features_sql(layers: tuple[tuple[str, tuple[str, ...]], ...]) -> bytes:
    """The point query over ``layers`` (id, declared fields), rendered once per layer set:
    composing it took longer than running it."""
    columns = [
        sql.SQL(
            "(SELECT coalesce(jsonb_agg({} ORDER BY t.fid), '[]'::jsonb)"
            " FROM {} t WHERE ST_Intersects(t.geom, p.pt))"
        ).format(attributes_sql(fields), layer_view(layer_id))
        for layer_id, fields in layers
    ]
    query = sql.SQL(
        "SELECT {} FROM (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326) AS pt) AS p"
    ).format(sql.SQL(", ").join(columns))
    return query.as_bytes(None)


FeatureFinder = Callable[[list[LayerSpec], LonLat], dict[str, list[Any]]]


def features_in_database(conn: Conn) -> FeatureFinder:
    """A finder asking PostGIS: the attributes of every feature of each layer that contains
    the point, in fid order, in one round trip."""

    def find(specs: list[LayerSpec], point: LonLat) -> dict[str, list[Any]]:
        if not specs:
            return {}
        query = _features_sql(tuple((spec.id, tuple(spec.field_names)) for spec in specs))
        row = conn.execute(query, (point.lon, point.lat)).fetchone()
        assert row is not None
        return {spec.id: list(value) for spec, value in zip(specs, row, strict=True)}

    return find


def _flood(spec: LayerSpec, rows: list[dict[str, Any]]) -> dict[str, Any]:
    areas = []
    for r in sorted(rows, key=lambda r: -(r.get("depth_rank") or 0)):
        label, color = _class_of(spec, r.get("depth_rank"))
        areas.append({**r, "label": label, "color": color})
    worst = areas[0] if areas else None
    return {
        "inside": bool(areas),
        "depth_rank": worst["depth_rank"] if worst else None,
        "label": worst["label"] if worst else None,
        "color": worst["color"] if worst else None,
        "areas": areas,
    }


def _landslide(spec: LayerSpec, rows: list[dict[str, Any]]) -> dict[str, Any]:
    areas = []
    for r in sorted(rows, key=lambda r: (r.get("zone_class") not in RED_ZONES, r.get("fid"))):
        label, color = _class_of(spec, r.get("zone_class"))
        phenomenon = PHENOMENA.get(int(r["phenomenon"])) if r.get("phenomenon") else None
        areas.append({**r, "label": label, "color": color, "phenomenon_label": phenomenon})
    worst = areas[0] if areas else None
    return {
        "inside": bool(areas),
        "zone_class": worst["zone_class"] if worst else None,
        "label": worst["label"] if worst else None,
        "color": worst["color"] if worst else None,
        "phenomena": sorted({a["phenomenon"] for a in areas if a.get("phenomenon")}),
        "areas": areas,
    }


def _summary(municipality: dict[str, Any] | None, hazards: list[dict[str, Any]]) -> dict[str, str]:
    ja: list[str] = []
    en: list[str] = []
    if municipality:
        ja.append(f"{municipality['name']}の地点です。")
        en.append(f"This place is in {municipality['name']} ({municipality['lg_code']}).")
    for h in hazards:
        if not h["inside"]:
            ja.append(f"{h['title']['ja']}: 区域外です。")
            en.append(f"{h['title']['en']}: not inside any area.")
        elif h["kind"] == LayerKind.FLOOD_DEPTH.value:
            rank = h["depth_rank"]
            label = h["label"] or {"ja": f"ランク{rank}", "en": f"rank {rank}"}
            ja.append(f"{h['title']['ja']}: 浸水深 {label['ja']} (ランク{h['depth_rank']})。")
            en.append(f"{h['title']['en']}: depth {label['en']} (rank {h['depth_rank']}).")
        else:
            kinds_ja = "・".join(PHENOMENA[p]["ja"] for p in h["phenomena"] if p in PHENOMENA)
            kinds_en = ", ".join(PHENOMENA[p]["en"] for p in h["phenomena"] if p in PHENOMENA)
            label = h["label"] or Msg("区域内", "inside a zone")
            ja.append(f"{label['ja']} ({kinds_ja}) の中です。")
            en.append(f"Inside a {label['en'].lower()} ({kinds_en}).")
    return {"ja": "".join(ja), "en": " ".join(en)}


Loaded = dict[str, tuple[float, float, float, float] | None]


def layers_asked(registry: LayerRegistry, loaded: Loaded) -> list[LayerSpec]:
    """The loaded layers :func:`hazards_at` reads: every hazard layer, then the first
    boundary layer (the municipality)."""
    hazard_specs = [
        spec for kind in HAZARD_OF_KIND for spec in registry.of_kind(kind) if spec.id in loaded
    ]
    admin_specs = [s for s in registry.of_kind(LayerKind.ADMIN_BOUNDARY) if s.id in loaded][:1]
    return [*hazard_specs, *admin_specs]


def hazards_at(
    find: FeatureFinder, registry: LayerRegistry, point: LonLat, loaded: Loaded
) -> dict[str, Any]:
    """Every hazard layer at ``point``, the municipality, and a plain-language summary.

    ``registry`` holds the layers the caller may see
    (:func:`gis.layerstore.access.visible_registry`);
    ``loaded`` the served layers and their extents (:func:`loaded_layers`); ``find`` answers
    which features contain the point (:func:`features_in_database`, or memory).
    """
    require_in_area(registry, loaded, point)
    asked = layers_asked(registry, loaded)
    hazard_specs = [spec for spec in asked if spec.kind in HAZARD_OF_KIND]
    admin_specs = [spec for spec in asked if spec.kind == LayerKind.ADMIN_BOUNDARY]
    found = find(asked, point)
    hazards = []
    for spec in hazard_specs:
        rows = found[spec.id]
        flood = spec.kind == LayerKind.FLOOD_DEPTH
        detail = _flood(spec, rows) if flood else _landslide(spec, rows)
        hazards.append(
            {
                "layer": spec.id,
                "kind": spec.kind.value,
                "hazard": HAZARD_OF_KIND[spec.kind],
                "title": spec.title.model_dump(),
                **detail,
                "attribution": spec.license.attribution.model_dump(),
            }
        )
    municipality = None
    if admin_specs and found[admin_specs[0].id]:
        first = found[admin_specs[0].id][0]
        municipality = {k: first.get(k) for k in ("lg_code", "name", "pref_name")}
    return {
        "lat": point.lat,
        "lon": point.lon,
        "municipality": municipality,
        "hazards": hazards,
        "summary": _summary(municipality, hazards),
    }
