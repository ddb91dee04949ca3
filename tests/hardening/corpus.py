"""The bad-input corpus: files built here (and one real broken file from ../shared/data), each
with the exact answer the upload endpoint must give."""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Files = list[tuple[bytes, str]]
NOTHING = "nothing was loaded: nothing to load; the served version is unchanged"


@dataclass(frozen=True)
class Case:
    """One bad upload and the answer it must get."""

    name: str
    build: Callable[[float, float], Files]
    status: int
    code: str
    detail: str  # the exact problem detail
    fields: dict[str, str] = field(default_factory=dict)
    reason: str | None = None  # for 422 reports: the exact file error or first row issue


def zipped(*members: tuple[str, bytes], mode: int | None = None, stored: bool = False) -> bytes:
    """A zip of (name, data) members; ``mode`` sets Unix file-type bits on every member."""
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            if mode is not None:
                info.create_system = 3
                info.external_attr = mode << 16
            archive.writestr(info, data)
    return out.getvalue()


def _raw_name_zip(raw: bytes, data: bytes) -> bytes:
    """A zip whose member name is the given bytes without the UTF-8 flag."""
    placeholder = b"N" * len(raw)
    body = zipped((placeholder.decode(), data))
    return body.replace(placeholder, raw)


def _bad_crc_zip() -> bytes:
    """A zip whose data does not match its CRC (damaged in transit)."""
    body = bytearray(zipped(("a.shp", b"x" * 1000), stored=True))
    at = body.index(b"x" * 1000)
    body[at : at + 5] = b"yyyyy"
    return bytes(body)


def _geojson(features: list[Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _point(lon: float, lat: float, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"name": "x", **props},
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}  # fmt: skip


def _one(data: bytes, name: str) -> Callable[[float, float], Files]:
    return lambda lon, lat: [(data, name)]


def _unsafe(member: str, why: str) -> Case:
    return Case(f"zip member {member!r}", _one(zipped((member, b"x")), "bad.zip"), 422,
                "unsafe-archive", f"bad.zip: member {member!r} {why}")  # fmt: skip


def _unsupported(name: str, data: bytes, what: str, hint: str | None = None) -> Case:
    detail = f"{name}: {what} is not loadable" + (f" ({hint})" if hint else "")
    return Case(name, _one(data, name), 415, "unsupported-media-type", detail)


def _rows(name: str, build: Callable[[float, float], Files], reason: str) -> Case:
    return Case(name, build, 422, "load-error", NOTHING, reason=reason)


ZEROS = b"\0" * 1_000_000
RANDOM = os.urandom(2_100_000)
WIFI = "public Wi-Fi CSV (名称, SSID, 緯度, 経度)"
SHP_HINT = "upload the .shp with its .shx, .dbf and .prj in one zip"
CASES: list[Case] = [
    # unsafe archives: refused before anything is unpacked
    _unsafe("../evil.shp", "points outside the archive (..)"),
    _unsafe("a/../../evil.shp", "points outside the archive (..)"),
    _unsafe("..\\..\\evil.shp", "points outside the archive (..)"),
    _unsafe("/etc/evil.shp", "has an absolute path"),
    _unsafe("C:/evil.shp", "has an absolute path"),
    _unsafe("a\x01b.shp", "has control characters in its name"),
    _unsafe("a\x7fb.shp", "has control characters in its name"),
    Case("symlink", _one(zipped(("link.shp", b"/etc/passwd"), mode=stat.S_IFLNK | 0o777),
         "bad.zip"), 422, "unsafe-archive", "bad.zip: member 'link.shp' is a symbolic link"),
    Case("fifo", _one(zipped(("pipe.shp", b""), mode=stat.S_IFIFO | 0o644), "bad.zip"), 422,
         "unsafe-archive", "bad.zip: member 'pipe.shp' is a device, FIFO or socket"),
    Case("char device", _one(zipped(("tty.shp", b""), mode=stat.S_IFCHR | 0o644), "bad.zip"),
         422, "unsafe-archive", "bad.zip: member 'tty.shp' is a device, FIFO or socket"),
    Case("block device", _one(zipped(("sda.shp", b""), mode=stat.S_IFBLK | 0o644), "bad.zip"),
         422, "unsafe-archive", "bad.zip: member 'sda.shp' is a device, FIFO or socket"),
    # size limits: zip bombs and big uploads
    Case("zip bomb (ratio)", _one(zipped(("zeros.shp", ZEROS)), "bomb.zip"), 413,
         "upload-too-large", "bomb.zip: member 'zeros.shp' is compressed more than 100:1"),
    Case("zip bomb (total)", _one(zipped(("big.shp", RANDOM), stored=True), "big.zip"), 413,
         "upload-too-large", "big.zip: unpacks to 2100000 bytes; at most 2000000"),
    Case("too many members", _one(zipped(*[(f"{i}.txt", b"x") for i in range(51)]), "many.zip"),
         413, "upload-too-large", "many.zip: 51 members; at most 50"),
    Case("upload too large", _one(b"a,b\n" + b"1,2\n" * 1_000_000, "big.csv"), 413,
         "upload-too-large", "big.csv: larger than 4000000 bytes"),
    Case("damaged zip (CRC)", _one(_bad_crc_zip(), "crc.zip"), 422, "load-error",
         "crc.zip: a damaged zip archive (Bad CRC-32 for file 'a.shp')"),
    # content sniffing: the name never decides
    _unsupported("notes.zip", zipped(("readme.txt", b"hello")),
                 "a zip archive of 1 files with no GIS data"),
    _unsupported("cp932.zip", _raw_name_zip("説明.txt".encode("cp932"), b"x"),
                 "a zip archive of 1 files with no GIS data"),
    _unsupported("undecodable.zip", _raw_name_zip(b"\xff\xfe\xfd.txt", b"x"),
                 "a zip archive of 1 files with no GIS data"),
    _unsupported("sheet.csv", zipped(("xl/workbook.xml", b"<x/>")), "an Excel workbook (xlsx)",
                 "save the sheet as CSV (UTF-8) and upload that"),
    _unsupported("letter.zip", zipped(("word/document.xml", b"<x/>")), "a Word document (docx)"),
    _unsupported("feed.zip", zipped(*[(n, b"x") for n in
                 ("stops.txt", "stop_times.txt", "trips.txt", "routes.txt")]), "GTFS feed",
                 "load GTFS feeds with `kasane load transit FEED.zip`"),
    _unsupported("map.geojson", b"%PDF-1.4 ...", "a PDF document"),
    _unsupported("old.csv", b"\xd0\xcf\x11\xe0" + b"\0" * 100,
                 "an old Excel/Office file (xls); save it as CSV"),
    _unsupported("blob.geojson", b"\x7fELF\x02\x01\x01\0\0\0", "a binary file of unknown format"),
    _unsupported("page.geojson", b"<!DOCTYPE html><html></html>", "an HTML page"),
    _unsupported("data.geojson", b'<?xml version="1.0"?><kml/>', "an XML document"),
    _unsupported("empty.csv", b"", "an empty file"),
    _unsupported("blank.csv", b"  \r\n\t ", "an empty file"),
    _unsupported("points.shp", b"\x00\x00\x27\x0a" + b"\0" * 96, "ESRI shapefile", SHP_HINT),
    _unsupported("error.json", b'{"type": "Error", "message": "rate limited"}',
                 'JSON of type "Error", not GeoJSON: rate limited'),
    _unsupported("list.json", b"[1, 2, 3]", "JSON without a GeoJSON or TopoJSON type"),
    Case("broken JSON", _one(b'{"type": "FeatureCollection", "features": [', "cut.geojson"),
         422, "load-error", "cut.geojson: JSON that does not parse (Expecting value, line 1)"),
    # rows that cannot be used: 422 with the row-level report
    _rows("required field empty", lambda lon, lat: [(_geojson([_point(lon, lat, name=None)]),
          "p.geojson")], "required field 'name' is empty"),
    _rows("no features", lambda lon, lat: [(_geojson([]), "none.geojson")], None),
    _rows("null geometry", lambda lon, lat: [(_geojson([{**_point(lon, lat), "geometry": None}]),
          "p.geojson")], None),
    _rows("longitude out of range", lambda lon, lat: [(_geojson([_point(500.0, lat)]),
          "p.geojson")], "outside Japan (wrong CRS?)"),
    _rows("polygon for a point layer", lambda lon, lat: [(_geojson([{**_point(lon, lat),
          "geometry": {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.001, lat],
          [lon, lat + 0.001], [lon, lat]]]}}]), "p.geojson")],
          "Polygon does not fit a Point layer"),
    _rows("CSV without coordinates", _one("名称,住所\n庁舎,山口市\n".encode("cp932"), "x.csv"),
          f"columns (名称, 住所) match no known wifi_spot source (expected one of: {WIFI})"),
    _rows("CSV header only", _one(b"name,lat,lon\n", "x.csv"), None),
    _rows("broken GeoPackage", _one(b"SQLite format 3\x00" + b"\x01" * 2000, "x.gpkg"),
          "GDAL cannot read it: sqlite3_prepare_v2(SELECT COUNT(*) FROM sqlite_master WHERE name"
          " IN ('gpkg_metadata', 'gpkg_metadata_reference') AND type IN ('table', 'view'))"
          " failed: file is not a database; file is not a database"),
    _rows("shapefile zip without .dbf/.shx", _one(zipped(("a.shp", b"\x00\x00\x27\x0a" +
          b"\0" * 96)), "a.zip"),
          "GDAL cannot read it: Unable to open a.shx or a.SHX. Set SHAPE_RESTORE_SHX config"
          " option to YES to restore or create it."),
    _rows("TopoJSON without arcs", _one(b'{"type": "Topology", "objects": {}}', "t.json"),
          "GDAL cannot read it: Failed to read TopoJSON data"),
]  # fmt: skip

_CSV = "name,lat,lon\n庁舎,34.18,131.47\n".encode()
CASES += [
    Case("no file field", lambda lon, lat: [], 400, "bad-request",
         "send 1-20 files as multipart/form-data field 'file'"),
    Case("21 files", lambda lon, lat: [(_CSV, f"{i}.csv") for i in range(21)], 400,
         "bad-request", "send 1-20 files as multipart/form-data field 'file'"),
    Case("dry_run not a boolean", _one(_CSV, "x.csv"), 400, "bad-request",
         "dry_run='maybe' must be true or false", fields={"dry_run": "maybe"}),
    _rows("unknown encoding", _one(_CSV, "x.csv"),
          "cannot decode as klingon: unknown encoding: klingon (give --encoding)"),
    _rows("unknown CRS", lambda lon, lat: [(_geojson([_point(lon, lat)]), "p.geojson")],
          "cannot read CRS 'EPSG:99999' (Invalid projection: EPSG:99999: (Internal Proj Error:"
          " proj_create: crs not found: EPSG:99999)); accepted forms: 'EPSG:6671' or '6671';"
          " 'JGD2011', 'JGD2000', 'Tokyo', 'WGS84', 'CRS84'; zones as 'zone3', 'zone III',"
          " 'JGD2011 zone III', 'JGD2000 zone 3', 'Tokyo zone 3', '第3系', 'III系' (zones"
          " without a datum are JGD2011); anything pyproj reads: WKT or ESRI .prj text, PROJ"
          " strings, 'ESRI:102612', OGC URNs and URLs"),
]  # fmt: skip
CASES[-2] = Case(**{**CASES[-2].__dict__, "fields": {"encoding": "klingon"}})
CASES[-1] = Case(**{**CASES[-1].__dict__, "fields": {"crs": "EPSG:99999"}})
