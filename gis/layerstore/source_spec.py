"""Declared source mappings: which columns of a source file feed a layer, and how to read them.

A layer file may say, per field, which source columns feed it (``source.columns``, several
aliases, matched after NFKC/width/space normalisation) and how each cell is parsed
(``source.parse``); and, in its top-level ``[source]`` table, where the geometry comes from.
With these a layer of any kind loads without a line of Python (see ``layers/README.md``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Parse = Literal["text", "integer", "number", "boolean", "date", "enum", "lg_code", "code"]
GeometryFrom = Literal["latlon", "latlon_cell", "wkt", "file", "mesh", "lg_code"]
# the parse a field gets when its source names none, by field type
DEFAULT_PARSE: dict[str, Parse] = {
    "text": "text",
    "integer": "integer",
    "bigint": "integer",
    "real": "number",
    "boolean": "boolean",
    "date": "date",
    "timestamptz": "text",
    "jsonb": "text",
}
# which parses may feed which field types
PARSE_TYPES: dict[Parse, set[str]] = {
    "text": {"text", "timestamptz", "jsonb"},
    "integer": {"integer", "bigint", "real"},
    "number": {"real"},
    "boolean": {"boolean"},
    "date": {"date", "timestamptz"},
    "enum": {"text", "integer", "bigint", "boolean"},
    "lg_code": {"text"},
    "code": {"text"},
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSource(_Strict):
    """Where one field's values come from: ``source = { columns = [...], parse = "..." }``."""

    columns: tuple[str, ...] = Field(min_length=1)
    parse: Parse | None = None
    map: dict[str, str | int | bool] = Field(default_factory=dict)  # enum: source text -> value
    default: str | int | float | bool | None = None  # for a blank cell or a missing column

    @model_validator(mode="after")
    def _enum_has_map(self) -> FieldSource:
        if self.parse == "enum" and not self.map:
            raise ValueError("parse = 'enum' needs a map of source values to field values")
        if self.map and self.parse not in (None, "enum"):
            raise ValueError("map applies only to parse = 'enum'")
        return self

    def parse_for(self, field_type: str) -> Parse:
        """The parse used for a field of ``field_type``."""
        if self.parse is not None:
            return self.parse
        return "enum" if self.map else DEFAULT_PARSE[field_type]


class GeometrySource(_Strict):
    """Where a declared layer's geometry comes from (the layer file's ``[source]`` table).

    ``latlon``: ``lat`` and ``lon`` columns (decimal or DMS text); ``latlon_cell``: one cell
    holding ``lat,lon``; ``wkt``: WKT text; ``file``: the file's own geometry; ``mesh``: a JIS
    X 0410 mesh code (the cell, or its centre for point layers); ``lg_code``: a
    local-government code (the municipality's outline, or a point inside it for point layers,
    from the loaded ``admin_boundaries``).
    """

    geometry: GeometryFrom = "latlon"
    lat: tuple[str, ...] = ("緯度", "latitude", "lat", "Y")
    lon: tuple[str, ...] = ("経度", "longitude", "lon", "lng", "X")
    columns: tuple[str, ...] = ()  # the cell for latlon_cell, wkt, mesh and lg_code

    @model_validator(mode="after")
    def _columns_given(self) -> GeometrySource:
        if self.geometry in ("latlon_cell", "wkt", "mesh", "lg_code") and not self.columns:
            raise ValueError(f"geometry = {self.geometry!r} needs columns = [...] naming the cell")
        return self

    @property
    def needed(self) -> list[tuple[str, ...]]:
        """The alias groups that must each name a column of the source."""
        if self.geometry == "latlon":
            return [self.lat, self.lon]
        return [] if self.geometry == "file" else [self.columns]


def check_geometry_source(source: GeometrySource, geometry: str) -> None:
    """ValueError when ``source`` cannot give geometries of the layer's ``geometry`` type."""
    points = geometry in ("Point", "MultiPoint", "Geometry")
    if source.geometry in ("latlon", "latlon_cell") and not points:
        raise ValueError(f"source.geometry {source.geometry!r} gives points, not {geometry}")
    if source.geometry in ("mesh", "lg_code") and geometry in ("LineString", "MultiLineString"):
        raise ValueError(f"source.geometry {source.geometry!r} gives areas or points, not lines")
