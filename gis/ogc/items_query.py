"""Parse and check the query parameters of ``/collections/{id}/items`` against a layer."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gis.layerstore.layerspec import FieldSpec, LayerSpec
from gis.ogc.cql2_parse import parse_filter
from gis.ogc.cql2_sql import SqlFilter, to_sql
from gis.ogc.output_crs import DEFAULT, OutputCrs, parse_crs
from gis.platform.errors import BadRequest
from gis.platform.params import parse_int

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_OFFSET = 1_000_000
# parameters with a meaning of their own; every other one must be a filterable property
RESERVED = {"bbox", "bbox-crs", "crs", "limit", "offset", "sortby", "f", "lang", "properties",
            "filter", "filter-lang", "filter-crs"}  # fmt: skip


@dataclass(frozen=True)
class ItemsQuery:
    """A checked items request."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None  # in bbox_crs, lon/lat-like order
    bbox_crs: OutputCrs = DEFAULT
    crs: OutputCrs = DEFAULT
    filters: tuple[tuple[str, Any], ...] = ()
    sortby: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    cql: SqlFilter | None = None  # the ``filter`` parameter (CQL2), translated
    extra: dict[str, str] = field(default_factory=dict)


def parse_bbox(text: str, crs: OutputCrs) -> tuple[float, float, float, float]:
    """``minx,miny,maxx,maxy`` (axis order of ``crs``) -> x/y order (east, north)."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise BadRequest(f"bbox={text!r} must be four numbers separated by commas") from None
    if len(values) == 6:  # 3-D bbox: drop the heights
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise BadRequest(f"bbox={text!r} must be four finite numbers: minx,miny,maxx,maxy")
    if crs.north_first:
        values = [values[1], values[0], values[3], values[2]]
    x1, y1, x2, y2 = values
    if x1 > x2 or y1 > y2:
        raise BadRequest(f"bbox={text!r}: the minimum must not exceed the maximum")
    if crs.srid in (4326, 6668) and not (x1 >= -180 and x2 <= 180 and y1 >= -90 and y2 <= 90):
        raise BadRequest(f"bbox={text!r} is outside longitude ±180 / latitude ±90")
    return (x1, y1, x2, y2)


def _value(spec: FieldSpec, text: str) -> Any:
    try:
        if spec.type in ("integer", "bigint"):
            return int(text)
        if spec.type == "real":
            value = float(text)
            if not math.isfinite(value):
                raise ValueError(text)
            return value
        if spec.type == "boolean":
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "1", "0"):
                raise ValueError(text)
            return lowered in ("true", "1")
        if spec.type == "date":
            return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{spec.name}={text!r} is not a valid {spec.type}") from None
    if spec.type in ("jsonb", "timestamptz"):
        raise BadRequest(f"property {spec.name!r} ({spec.type}) cannot be used as a filter")
    return text


def _field(layer: LayerSpec, name: str, what: str) -> FieldSpec:
    try:
        return layer.field(name)
    except KeyError:
        known = ", ".join(layer.field_names)
        raise BadRequest(f"unknown property {name!r} in {what} (properties: {known})") from None


def parse_items_query(layer: LayerSpec, args: Mapping[str, str]) -> ItemsQuery:
    """Check every parameter; unknown or malformed ones raise BadRequest naming them."""
    crs = parse_crs(args.get("crs"))
    bbox_crs = parse_crs(args.get("bbox-crs"), parameter="bbox-crs")
    bbox = parse_bbox(args["bbox"], bbox_crs) if args.get("bbox") else None
    filters = []
    for name, text in args.items():
        if name in RESERVED:
            continue
        spec = _field(layer, name, "the filters")
        if not spec.filterable:
            raise BadRequest(f"property {name!r} cannot be used as a filter")
        filters.append((name, _value(spec, text)))
    sortby = []
    for item in filter(None, (s.strip() for s in args.get("sortby", "").split(","))):
        descending = item.startswith("-")
        name = item.lstrip("+-").strip()
        if name != "fid":
            _field(layer, name, "sortby")
        sortby.append((name, descending))
    return ItemsQuery(
        cql=parse_cql(layer, args),
        limit=parse_int(
            args.get("limit"), "limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT
        ),
        offset=parse_int(args.get("offset"), "offset", default=0, minimum=0, maximum=MAX_OFFSET),
        bbox=bbox,
        bbox_crs=bbox_crs,
        crs=crs,
        filters=tuple(sorted(filters)),
        sortby=tuple(sortby),
    )


def parse_cql(layer: LayerSpec, args: Mapping[str, str], prefix: str = "cql_") -> SqlFilter | None:
    """The ``filter`` / ``filter-lang`` / ``filter-crs`` parameters as SQL, or None."""
    text = args.get("filter")
    if text is None:
        for name in ("filter-lang", "filter-crs"):
            if args.get(name):
                raise BadRequest(f"{name} is given without a filter")
        return None
    crs = parse_crs(args.get("filter-crs"), parameter="filter-crs")
    return to_sql(parse_filter(text, args.get("filter-lang")), layer, crs, prefix=prefix)
