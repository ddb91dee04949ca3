"""The layer catalogue model: what a file in ``layers/`` declares, validated with pydantic."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gis.layerstore.source_spec import FieldSource, GeometrySource, check_geometry_source
from gis.platform import languages

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
RESERVED_FIELDS = {"fid", "geom", "geom_3857"}


class LayerKind(StrEnum):
    """What a layer is about; jobs and pages pick layers by kind."""

    FLOOD_DEPTH = "flood_depth"
    LANDSLIDE_ZONE = "landslide_zone"
    SHELTER = "shelter"
    TRANSIT = "transit"
    EV_CHARGER = "ev_charger"
    WIFI_SPOT = "wifi_spot"
    ADMIN_BOUNDARY = "admin_boundary"
    DEAD_ZONE = "dead_zone"
    MESH_COVERAGE = "mesh_coverage"
    POPULATION_MESH = "population_mesh"
    ADDRESS = "address"
    # generic kinds: any declared fields, mapped by the layer file's own source mapping
    FACILITY = "facility"  # points: AEDs, toilets, hospitals, loudspeakers, …
    ROUTE = "route"  # lines: snow-removal routes, evacuation routes, …
    AREA = "area"  # polygons: school districts, designated zones, …


GENERIC_KINDS = frozenset({LayerKind.FACILITY, LayerKind.ROUTE, LayerKind.AREA})


class Theme(StrEnum):
    """The group a layer is listed under in the integrated map's layer panel (``/map``)."""

    DISASTER = "disaster"
    TRANSPORT = "transport"
    SERVICES = "services"  # everyday services: EV chargers, Wi-Fi, ...
    TELECOM = "telecom"
    STATISTICS = "statistics"  # statistics and boundaries
    OTHER = "other"


class GeometryType(StrEnum):
    """PostGIS geometry types a layer may hold (multi types accept their single forms)."""

    POINT = "Point"
    MULTIPOINT = "MultiPoint"
    LINESTRING = "LineString"
    MULTILINESTRING = "MultiLineString"
    POLYGON = "Polygon"
    MULTIPOLYGON = "MultiPolygon"
    GEOMETRY = "Geometry"  # mixed points and polygons (e.g. dead-zone districts)


FieldType = Literal["text", "integer", "bigint", "real", "boolean", "date", "timestamptz", "jsonb"]
SQL_TYPES: dict[str, str] = {
    "text": "text",
    "integer": "integer",
    "bigint": "bigint",
    "real": "double precision",
    "boolean": "boolean",
    "date": "date",
    "timestamptz": "timestamptz",
    "jsonb": "jsonb",
}


class Strict(BaseModel):
    """Base: unknown keys are errors, so a typo in a layer file never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(BaseModel):
    """A label in Japanese and English (required) and any other supported language
    (optional, keyed by its tag: ``vi``, ``"zh-Hans"``, ``"ja-x-easy"``…)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)

    @model_validator(mode="after")
    def _known_languages(self) -> Text:
        for tag, value in (self.model_extra or {}).items():
            if tag not in languages.TAGS:
                known = ", ".join(languages.TAGS)
                raise ValueError(f"{tag!r} is not a supported language (use one of {known})")
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"the {tag} text must be a non-empty string")
        return self

    def resolve(self, lang: str) -> tuple[str, str]:
        """The text for ``lang`` and the language it is really in: the language itself, else
        English, else Japanese (やさしい日本語 falls back to Japanese)."""
        extra = self.model_extra or {}
        for tag in languages.fallbacks(languages.normalise(lang) or "ja"):
            value = self.ja if tag == "ja" else self.en if tag == "en" else extra.get(tag)
            if value:
                return str(value), tag
        return self.ja, "ja"

    def get(self, lang: str) -> str:
        """The text in ``lang``, with the fallbacks of :meth:`resolve`."""
        return self.resolve(lang)[0]


class FieldSpec(Strict):
    """One canonical attribute of a layer."""

    name: str
    type: FieldType
    title: Text
    required: bool = False
    filterable: bool = True
    in_tiles: bool = True
    index: bool = False  # a b-tree on the column of each version, for filters (CQL2)
    values: tuple[str | int, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    source: FieldSource | None = None  # declared mapping: source columns and parse

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError("must be lower-case letters, digits and _ (start with a letter)")
        if value in RESERVED_FIELDS:
            raise ValueError(f"{value!r} is reserved for Kasane's own columns")
        return value

    @model_validator(mode="after")
    def _consistent_rules(self) -> FieldSpec:
        numeric = self.type in ("integer", "bigint", "real")
        if (self.minimum is not None or self.maximum is not None) and not numeric:
            raise ValueError("minimum/maximum apply only to integer, bigint and real fields")
        if self.values and self.type not in ("text", "integer", "bigint"):
            raise ValueError("values apply only to text and integer fields")
        if self.values and any(isinstance(v, str) != (self.type == "text") for v in self.values):
            raise ValueError("values must have the field's type (strings for text fields)")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum must not exceed maximum")
        if self.source is not None:
            from gis.layerstore.source_spec import PARSE_TYPES

            parse = self.source.parse_for(self.type)
            if self.type not in PARSE_TYPES[parse]:
                raise ValueError(f"source.parse {parse!r} cannot feed a {self.type} field")
        return self

    def check(self, value: object) -> str | None:
        """Why ``value`` breaks this field's declared rules, or None when it is fine."""
        if value is None:
            return f"required field {self.name!r} is empty" if self.required else None
        if self.values and value not in self.values:
            allowed = ", ".join(map(str, self.values))
            return f"{self.name} {value!r} is not one of {allowed}"
        if isinstance(value, int | float) and not isinstance(value, bool):
            if self.minimum is not None and value < self.minimum:
                return f"{self.name} {value} is below the minimum {self.minimum:g}"
            if self.maximum is not None and value > self.maximum:
                return f"{self.name} {value} is above the maximum {self.maximum:g}"
        return None

    @property
    def sql_type(self) -> str:
        """The PostgreSQL column type."""
        return SQL_TYPES[self.type]


class StyleClass(Strict):
    """One legend entry: features whose ``property`` equals ``value`` get this colour."""

    value: str | int | float | bool
    color: str
    label: Text
    outline: str | None = None

    @field_validator("color", "outline")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if value is not None and not HEX_COLOUR.match(value):
            raise ValueError("must be a #RRGGBB colour")
        return value


class Style(Strict):
    """How the layer is drawn and explained in the legend."""

    color: str = "#3366CC"
    property: str | None = None
    classes: tuple[StyleClass, ...] = ()
    opacity: float = Field(default=0.7, ge=0, le=1)

    @field_validator("color")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not HEX_COLOUR.match(value):
            raise ValueError("must be a #RRGGBB colour")
        return value


class License(Strict):
    """Licence and credit that must be shown with the data."""

    name: str
    url: str | None = None
    attribution: Text


class LayerSpec(Strict):
    """A layer as declared in ``layers/<id>.toml``."""

    id: str
    kind: LayerKind
    theme: Theme = Theme.OTHER
    title: Text
    description: Text
    geometry: GeometryType
    fields: tuple[FieldSpec, ...] = Field(min_length=1)
    style: Style = Style()
    min_zoom: int = Field(default=5, ge=0, le=22)
    max_zoom: int = Field(default=18, ge=0, le=22)
    license: License
    owner: str = Field(description="6-digit local-government code of the owning organisation")
    public: bool = True
    derived: bool = False  # computed by Kasane from other data (no demo frame, no file source)
    id_field: str | None = None
    source: GeometrySource | None = None  # declared mapping: where the geometry comes from
    # Shared by municipalities: the text field holding each feature's local-government code,
    # which names the part it belongs to (each part is published and rolled back on its own).
    parts: str | None = None

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError("must be lower-case letters, digits and _ (start with a letter)")
        return value

    @field_validator("owner")
    @classmethod
    def _owner_code(cls, value: str) -> str:
        from gis.geo.lg_codes import is_valid_lg_code

        if not is_valid_lg_code(value):
            raise ValueError(f"{value!r} is not a 6-digit local-government code with check digit")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> LayerSpec:
        names = [f.name for f in self.fields]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"field names repeat: {sorted(duplicates)}")
        if self.min_zoom > self.max_zoom:
            raise ValueError("min_zoom must not exceed max_zoom")
        if self.style.property and self.style.property not in names:
            raise ValueError(f"style.property {self.style.property!r} is not a declared field")
        if self.id_field and self.id_field not in names:
            raise ValueError(f"id_field {self.id_field!r} is not a declared field")
        self._consistent_source()
        if self.parts and (self.parts not in names or self.field(self.parts).type != "text"):
            raise ValueError(f"parts {self.parts!r} is not a declared text field")
        if self.parts and self.derived:
            raise ValueError("a derived layer cannot declare parts")
        return self

    def _consistent_source(self) -> None:
        declared = [f.name for f in self.fields if f.source is not None]
        if self.source is not None:
            check_geometry_source(self.source, self.geometry.value)
            if not declared:
                raise ValueError("[source] needs at least one field with source.columns")
        elif declared:
            raise ValueError(f"fields {declared} declare a source, but there is no [source] table")
        if self.kind in GENERIC_KINDS and not self.derived and self.source is None:
            raise ValueError(f"kind {self.kind.value!r} needs a [source] table and field sources")

    @property
    def declared(self) -> bool:
        """True when the layer file maps its source itself (no Python mapper needed)."""
        return self.source is not None

    def field(self, name: str) -> FieldSpec:
        """The declared field called ``name`` (KeyError when there is none)."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def field_names(self) -> list[str]:
        """Canonical attribute names, in declaration order."""
        return [f.name for f in self.fields]
