"""Read what search needs from the served versions (the stable views ``layer_data."<layer>"``).

Only public layers are read: the search API answers anonymous residents. A layer's name is its
``name`` field (a municipality adds its ward: 岡山市北区), its reading ``name_kana`` where the
layer declares one; polygons are placed at a point on their surface.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from psycopg import sql

from gis.layerstore.layerspec import LayerKind, LayerSpec
from gis.layerstore.storage import Conn
from gis.search.engine import ADDRESS_LAYER
from gis.search.gazetteer import AddressRow
from gis.search.places import Place

PLACE_GEOMETRIES = {"Point", "MultiPoint", "Polygon", "MultiPolygon"}


def address_rows(conn: Conn) -> Iterator[AddressRow]:
    """Every current (not superseded) row of the served ``addresses`` layer."""
    query = sql.SQL(
        "SELECT level, pref_name, city_name, town_name, block, city_code, town_code,"
        " ST_X(geom), ST_Y(geom) FROM {} WHERE superseded IS NOT TRUE"
        " ORDER BY representative IS NOT TRUE, fid"
    ).format(sql.Identifier("layer_data", ADDRESS_LAYER))
    with conn.cursor(name="kasane_search_addresses") as cur:
        cur.itersize = 20_000
        cur.execute(query)
        for row in cur:
            yield AddressRow(*row)


def place_layers(specs: Iterable[LayerSpec], loaded: Iterable[str]) -> list[LayerSpec]:
    """The public loaded layers whose features have names to search."""
    served = set(loaded)
    return [
        s
        for s in specs
        if s.id in served
        and s.public
        and s.kind != LayerKind.ADDRESS
        and "name" in s.field_names
        and s.geometry.value in PLACE_GEOMETRIES
    ]


def places(conn: Conn, spec: LayerSpec) -> Iterator[Place]:
    """The named features of one layer."""
    fields = spec.field_names
    name: Any = sql.Identifier("name")
    if "ward_name" in fields:
        name = sql.SQL("name || coalesce(ward_name, '')")
    kana: Any = sql.Identifier("name_kana") if "name_kana" in fields else sql.NULL
    point = "geom" if spec.geometry.value == "Point" else "ST_PointOnSurface(geom)"
    query = sql.SQL(
        "SELECT fid, {name}, {kana}, ST_X({pt}), ST_Y({pt}) FROM {table}"
        " WHERE geom IS NOT NULL AND name IS NOT NULL"
    ).format(name=name, kana=kana, pt=sql.SQL(point), table=sql.Identifier("layer_data", spec.id))
    for fid, text, reading, lon, lat in conn.execute(query):
        yield Place(spec.id, spec.kind.value, int(fid), str(text), reading, float(lon), float(lat))
