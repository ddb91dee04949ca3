"""The open-data catalogue as DCAT (DCAT-AP style JSON-LD), built from the layer files.

Each public, loaded layer is a ``dcat:Dataset`` with ja/en titles and descriptions, the
publishing organisation (the layer's ``owner`` code, named from ``admin_boundaries``), licence,
attribution, last update (the served version's load time), bbox and one ``dcat:Distribution``
per download format with a stable ``downloadURL`` (``/datasets/<layer>.<format>``). A shared
layer (:mod:`gis.layerstore.parts`) also lists each municipality's part as a dataset of its own
(``dct:hasPart``), published by that municipality, with its own downloads (``?part=CODE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql

from gis.geo.lg_codes import is_prefecture, prefecture_code
from gis.layerstore.layerspec import LayerSpec, Text
from gis.layerstore.loaded_layers import served_version
from gis.layerstore.storage import Conn, layer_view
from gis.ogc.opendata import FORMATS

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "cc": "http://creativecommons.org/ns#",
    "locn": "http://www.w3.org/ns/locn#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "kasane": "urn:kasane:terms:",
}
BOUNDARIES = "admin_boundaries"
KNOWN_LICENCES = {  # licence name (prefix) -> URL, used when a layer file gives none
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
}


@dataclass(frozen=True)
class Published:
    """A public layer's served version as seen by the catalogue."""

    spec: LayerSpec
    version: int
    loaded_at: datetime
    bbox: tuple[float, float, float, float] | None
    features: int


def published_layers(conn: Conn, specs: list[LayerSpec]) -> list[Published]:
    """The loaded ones among ``specs`` (public layers), with version, load time and bbox."""
    rows = conn.execute(
        "SELECT c.layer_id, c.version, v.loaded_at, v.bbox, v.rows_loaded"
        " FROM kasane.layer_current c JOIN kasane.layer_versions v USING (layer_id, version)"
    ).fetchall()
    loaded = {str(r[0]): r for r in rows}
    result = []
    for spec in specs:
        row = loaded.get(spec.id)
        if row is None:
            continue
        bbox = tuple(float(v) for v in row[3]) if row[3] else None
        result.append(Published(spec, int(row[1]), row[2], bbox, int(row[4])))  # type: ignore[arg-type]
    return result


def served_parts(conn: Conn, spec: LayerSpec) -> dict[str, Published]:
    """Each served part of a shared layer (by code), as the catalogue shows it."""
    if not spec.parts:
        return {}
    rows = conn.execute(
        "SELECT p.part, p.version, p.loaded_at, p.bbox, p.rows_loaded FROM kasane.layer_parts p"
        " JOIN kasane.layer_current c ON c.layer_id = p.layer_id"
        " JOIN kasane.layer_versions v ON v.layer_id = c.layer_id AND v.version = c.version"
        " WHERE p.layer_id = %s AND (v.parts ->> p.part)::int = p.version ORDER BY p.part",
        (spec.id,),
    ).fetchall()
    return {
        str(r[0]): Published(spec, int(r[1]), r[2], tuple(float(v) for v in r[3]) if r[3]
                             else None, int(r[4]))  # type: ignore[arg-type]
        for r in rows
    }  # fmt: skip


def served_part(conn: Conn, spec: LayerSpec, code: str) -> Published | None:
    """One served part of a shared layer (None: no such part, or the layer has no parts)."""
    return served_parts(conn, spec).get(code)


def organisation_names(conn: Conn) -> dict[str, str]:
    """Names of municipalities and their prefectures (6-digit code -> name) from the boundaries."""
    if served_version(conn, BOUNDARIES) is None:
        return {}
    rows = conn.execute(
        sql.SQL("SELECT lg_code, pref_name, name FROM {}").format(layer_view(BOUNDARIES))
    ).fetchall()
    names: dict[str, str] = {}
    for code, pref_name, name in rows:
        names[str(code)] = str(name)
        if pref_name:
            names.setdefault(prefecture_code(str(code)), str(pref_name))
    return names


def _text(value: Text) -> list[dict[str, str]]:
    return [{"@language": "ja", "@value": value.ja}, {"@language": "en", "@value": value.en}]


def licence_url(spec: LayerSpec) -> str | None:
    """The licence URL from the layer file, else a known one for the licence name."""
    if spec.license.url:
        return spec.license.url
    for name, url in KNOWN_LICENCES.items():
        if spec.license.name.startswith(name):
            return url
    return None


def download_url(base_url: str, layer_id: str, fmt: str) -> str:
    """The stable download URL of a layer in a format."""
    return f"{base_url.rstrip('/')}/datasets/{layer_id}.{fmt}"


def dataset(
    item: Published, base_url: str, names: dict[str, str], part: str | None = None
) -> dict[str, Any]:
    """One layer (or one municipality's part of a shared layer) as a ``dcat:Dataset``."""
    spec = item.spec
    owner = part or spec.owner
    query = f"?part={part}" if part else ""
    kind = "prefecture" if is_prefecture(owner) else "municipality"
    licence: dict[str, Any] = {"@type": "dct:LicenseDocument", "dct:title": spec.license.name}
    url = licence_url(spec)
    if url:
        licence["@id"] = url
    entry: dict[str, Any] = {
        "@id": f"{base_url.rstrip('/')}/datasets#{spec.id}" + (f"-{part}" if part else ""),
        "@type": "dcat:Dataset",
        "dct:identifier": spec.id,
        "dct:title": _text(spec.title),
        "dct:description": _text(spec.description),
        "dcat:keyword": [spec.kind.value],
        "dct:publisher": {
            "@type": "foaf:Organization",
            "dct:identifier": owner,
            "foaf:name": names.get(owner, owner),
            "dct:type": kind,
        },
        "dct:license": licence,
        "cc:attributionName": _text(spec.license.attribution),
        "dct:modified": {"@type": "xsd:dateTime", "@value": item.loaded_at.isoformat()},
        "dcat:version": str(item.version),
        "kasane:featureCount": item.features,
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dct:title": fmt.label,
                "dct:format": fmt.label,
                "dcat:mediaType": fmt.media_type.split(";")[0],
                "dcat:downloadURL": {"@id": download_url(base_url, spec.id, fmt.key) + query},
                "dct:license": licence,
            }
            for fmt in FORMATS.values()
        ],
    }
    if item.bbox:
        west, south, east, north = item.bbox
        entry["dct:spatial"] = {
            "@type": "dct:Location",
            "dcat:bbox": {
                "@type": "http://www.opengis.net/ont/geosparql#wktLiteral",
                "@value": (
                    f"POLYGON(({west} {south},{east} {south},{east} {north},"
                    f"{west} {north},{west} {south}))"
                ),
            },
            "kasane:bbox": [west, south, east, north],
        }
    return entry


def catalogue(conn: Conn, specs: list[LayerSpec], base_url: str) -> dict[str, Any]:
    """The whole catalogue (``dcat:Catalog``) of the published public layers."""
    names = organisation_names(conn)
    datasets = []
    for item in published_layers(conn, specs):
        entry = dataset(item, base_url, names)
        shared = served_parts(conn, item.spec)
        if shared:
            entry["dct:hasPart"] = [dataset(p, base_url, names, code) for code, p in shared.items()]
        datasets.append(entry)
    return {
        "@context": CONTEXT,
        "@type": "dcat:Catalog",
        "dct:title": _text(Text(ja="重ね オープンデータカタログ", en="Kasane open-data catalogue")),
        "dcat:dataset": datasets,
    }
