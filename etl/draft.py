"""``kasane layers draft``: a layer file drafted from data files, for a person to finish.

The files are read as ``kasane load`` reads them (format, encoding, title rows and sheets
detected). Each column becomes a field with a declared source: a column a recommended-dataset
template knows gets that template's field name, type and titles; any other gets a name from
its position, a type inferred from its values and its header as the Japanese title (the English
title is left marked ``TODO``). The geometry source is detected (the file's own geometry,
latitude/longitude columns in decimal or DMS, one ``lat,lon`` cell, WKT, a mesh code, a
local-government code). What could not be decided is listed at the top of the draft.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import shapely

from etl.cell_parsers import parse_date, parse_integer, parse_number
from etl.cell_values import clean
from etl.inputs import expand
from etl.load_options import LoadOptions
from etl.read_inputs import _tables
from etl.readers import Table
from etl.report import FileReport
from etl.sources import key
from gis.geo.lg_codes import is_valid_lg_code
from gis.layerstore.layerspec import IDENTIFIER, FieldSpec, LayerSpec
from gis.layerstore.registry import load_layer_file

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "layers" / "templates"
LAT = ("緯度", "latitude", "lat", "y", "世界_10進_Y", "北緯")
LON = ("経度", "longitude", "lon", "lng", "long", "x", "世界_10進_X", "東経")
_WKT = re.compile(r"^\s*(MULTI)?(POINT|LINESTRING|POLYGON)\s*Z?\s*\(", re.I)
_PAIR = re.compile(r"^\s*[+-]?\d{2,3}\.\d+\s*[,、，]\s*[+-]?\d{2,3}\.\d+\s*$")
_COUNT = re.compile(r"^(?:約)?\d[\d,]*\s*(?:人|名|台|件|床|基|箇所|か所|円)?\s*(?:[(（].*[)）])?$")
_MESH = re.compile(r"^\d{6}(\d{2}(\d{1,2})?)?$")
_BOOL_MARKS = set("○〇◯●◎×✕✓✔") | {"有", "無", "可", "不可", "true", "false", "yes", "no"}
_KINDS = {
    "Point": "facility",
    "MultiPoint": "facility",
    "LineString": "route",
    "MultiLineString": "route",
    "Polygon": "area",
    "MultiPolygon": "area",
}


@dataclass
class Draft:
    """The drafted layer file's text and what could not be decided."""

    text: str
    undecided: list[str] = field(default_factory=list)
    geometry_source: str = ""


def known_columns(directory: Path = TEMPLATES_DIR) -> dict[str, FieldSpec]:
    """Every template field by the reduced name of each of its source columns."""
    known: dict[str, FieldSpec] = {}
    for path in sorted(directory.glob("*.toml")):
        spec = load_layer_file(path, check_stem=False)
        for f in spec.fields:
            for alias in f.source.columns if f.source else ():
                known.setdefault(key(alias), f)
    return known


def read_for_draft(paths: list[Path], options: LoadOptions) -> tuple[Table, FileReport]:
    """The first file's first table, as ``kasane load`` would read it, and its report."""
    item = expand(paths)[0]
    report = FileReport(item.name, item.sha256, item.bytes)
    tables, _ = _tables(item, options, report)
    return next(tables), report


def _filled(values: list[object]) -> list[str]:
    return [t for t in (clean(v) for v in values) if t]


def infer_type(values: list[object]) -> tuple[str, str | None]:
    """``(field type, parse)`` for a column's values: codes with leading zeros stay text."""
    texts = _filled(values)
    if not texts:
        return "text", None
    if all(t.lower() in _BOOL_MARKS or t in ("0", "1", "1.0", "0.0") for t in texts):
        return "boolean", None
    if any(len(t) > 1 and t.startswith("0") and t.isdigit() for t in texts):
        return "text", "code"
    if all(re.fullmatch(r"[+-]?\d[\d,]*", t) for t in texts):
        big = any(abs(parse_integer(t)[0] or 0) >= 2**31 for t in texts)  # type: ignore[arg-type]
        return ("text", "code") if big else ("integer", None)
    if all(parse_number(t)[1] is None and re.fullmatch(r"[+-]?[\d,]*\.?\d+", t) for t in texts):
        return "real", None
    if all(re.search(r"\d", t) and parse_date(t)[1] is None for t in texts):
        return "date", None
    if all(_COUNT.match(t) for t in texts):
        return "integer", None  # counts with units or notes: 282人, 800(2㎡あたり1人）
    return "text", None


def _find(table: Table, aliases: tuple[str, ...]) -> str | None:
    wanted = {key(a) for a in aliases}
    return next((c for c in table.columns if key(c) in wanted), None)


def detect_geometry(table: Table) -> tuple[dict[str, object], str, list[str], list[str]]:
    """The ``[source]`` table, the geometry type, the columns it uses, and notes."""
    notes: list[str] = []
    if table.geometry is not None:
        types = Counter(g.geom_type for g in table.geometry if g is not None)
        kind = types.most_common(1)[0][0] if types else "Geometry"
        if len(types) > 1:
            kind = (
                "Multi" + kind.removeprefix("Multi")
                if len({t.removeprefix("Multi") for t in types}) == 1
                else "Geometry"
            )
        return {"geometry": "file"}, kind, [], notes
    lat, lon = _find(table, LAT), _find(table, LON)
    if lat and lon:
        sample = _filled(table.columns[lat])[:50]
        if any(not re.fullmatch(r"[+-]?\d+(\.\d+)?", t) for t in sample):
            notes.append(f"{lat}/{lon}: coordinates written as DMS text (read as degrees)")
        return {"geometry": "latlon", "lat": [lat], "lon": [lon]}, "Point", [lat, lon], notes
    for name, column in table.columns.items():
        sample = _filled(column)[:50]
        if not sample:
            continue
        if all(_PAIR.match(t) for t in sample):
            return {"geometry": "latlon_cell", "columns": [name]}, "Point", [name], notes
        if all(_WKT.match(t) for t in sample):
            found = {str(shapely.from_wkt(t).geom_type) for t in sample[:10]}
            shape = found.pop() if len(found) == 1 else "Geometry"
            return {"geometry": "wkt", "columns": [name]}, shape, [name], notes
        if ("メッシュ" in name or "mesh" in name.lower()) and all(_MESH.match(t) for t in sample):
            return {"geometry": "mesh", "columns": [name]}, "Polygon", [name], notes
    code = _find(
        table,
        (
            "全国地方公共団体コード",
            "市区町村コード",
            "都道府県コード又は市区町村コード",
            "団体コード",
            "lg_code",
        ),
    )
    if code:
        notes.append(
            f"no coordinates: geometry from the municipality of {code} (its outline);"
            " needs admin_boundaries loaded"
        )
        return {"geometry": "lg_code", "columns": [code]}, "MultiPolygon", [code], notes
    notes.append("no geometry found: the draft assumes 緯度/経度 columns; fix [source]")
    return {"geometry": "latlon"}, "Point", [], notes


def _field_name(header: str, index: int, taken: set[str]) -> str:
    ascii_name = re.sub(r"[^a-z0-9]+", "_", clean(header).lower()).strip("_")
    name = ascii_name if IDENTIFIER.match(ascii_name or "-") else f"col_{index:02d}"
    if name in ("fid", "geom", "geom_3857"):
        name = f"src_{name}"
    base, n = name[:38], 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def _q(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def draft(
    paths: list[Path],
    layer_id: str,
    owner: str,
    options: LoadOptions | None = None,
    templates: Path = TEMPLATES_DIR,
) -> Draft:
    """A layer file for ``paths`` (see the module doc); ``templates`` give known columns."""
    table, report = read_for_draft(paths, options or LoadOptions())
    known = known_columns(templates)
    source, geometry, used, undecided = detect_geometry(table)
    owner_code = _single_code(table, known) or owner
    lines: list[str] = []
    taken: set[str] = set()
    todo_en = 0
    for index, (header, column) in enumerate(table.columns.items(), start=1):
        if header in used:
            continue
        if not _filled(column):
            undecided.append(f"{header}: every cell is empty (drafted as text)")
        template = known.get(key(header))
        if template is not None and template.name not in taken:
            taken.add(template.name)
            name, kind = template.name, str(template.type)
            parse: str | None = template.source.parse if template.source else None
            title = (template.title.ja, template.title.en)
            flags = (template.filterable, template.in_tiles)
        else:
            name = _field_name(header, index, taken)
            kind, parse = infer_type(column)
            title, flags, todo_en = (
                (header, f"TODO: English title ({header})"),
                (True, True),
                todo_en + 1,
            )
        lines += [
            "",
            "[[fields]]",
            f'name = "{name}"',
            f'type = "{kind}"',
            f"title = {{ ja = {_q(title[0])}, en = {_q(title[1])} }}",
        ]
        if name == "name":
            lines.append("required = true")
        if not flags[0]:
            lines.append("filterable = false")
        if not flags[1]:
            lines.append("in_tiles = false")
        extra = f', parse = "{parse}"' if parse else ""
        lines.append(f"source = {{ columns = {_q([header])}{extra} }}")
    if todo_en:
        undecided.append(f"{todo_en} English field title(s) marked TODO: write them")
    undecided.append("title, description, licence and attribution are placeholders: write them")
    if options is not None and options.crs:
        undecided.append(f"the file does not state its CRS: load with --crs {options.crs}")
    if owner_code == owner:
        undecided.append(f"owner {owner} is a default: set the responsible organisation's code")
    head = _head(layer_id, geometry, owner_code, source, table, report, undecided, paths)
    return Draft("\n".join(head + lines) + "\n", undecided, str(source["geometry"]))


def _single_code(table: Table, known: dict[str, FieldSpec]) -> str | None:
    """The one local-government code every row names, if the file has such a column."""
    for header, column in table.columns.items():
        spec = known.get(key(header))
        if spec is not None and spec.source is not None and spec.source.parse == "lg_code":
            codes = {clean(v).split(".")[0].zfill(5) for v in column if clean(v)}
            if len(codes) == 1:
                from gis.geo.lg_codes import normalize_lg_code

                try:
                    code = normalize_lg_code(codes.pop())
                except ValueError:
                    return None
                return code if is_valid_lg_code(code) else None
    return None


def _head(
    layer_id: str,
    geometry: str,
    owner: str,
    source: dict[str, object],
    table: Table,
    report: FileReport,
    undecided: list[str],
    paths: list[Path],
) -> list[str]:
    crs = table.source_crs.to_epsg() if table.source_crs is not None else None
    read = (
        f"# Read: {', '.join(p.name for p in paths)}: {report.format}, encoding"
        f" {report.encoding or table.encoding or '-'} (detected), CRS"
        f" {f'EPSG:{crs}' if crs else 'latitude/longitude as JGD2011 (none stated)'}"
    )
    out = ["# Draft by `kasane layers draft`: check it, then `kasane layers validate`.", read]
    out += [f"# Undecided: {u}" for u in undecided]
    kind = _KINDS.get(geometry, "facility")
    out += [
        f'id = "{layer_id}"',
        f'kind = "{kind}"',
        f'geometry = "{geometry}"',
        f'owner = "{owner}"',
        "",
        "[title]",
        f"ja = {_q(layer_id)}",
        f'en = "TODO: English title ({layer_id})"',
        "",
        "[description]",
        'ja = "TODO: 利用者向けの説明 (何を示すデータか、その限界)"',
        'en = "TODO: a sentence for users: what the data shows, its limits"',
        "",
        "[license]",
        'name = "TODO: licence (e.g. CC BY 4.0)"',
        "",
        "[license.attribution]",
        'ja = "TODO: 出典"',
        'en = "TODO: Source"',
        "",
        "[source]",
    ]
    out += [f"{k} = {_q(v)}" for k, v in source.items()]
    return out


def check(text: str, layer_id: str) -> LayerSpec:
    """The draft validated as a layer file (LayerSpecError names the key and why)."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"{layer_id}.toml"
        path.write_text(text, encoding="utf-8")
        return load_layer_file(path)
