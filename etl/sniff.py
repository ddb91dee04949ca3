"""Tell what a file is from its content, never from its name, and how its text is encoded.

Japanese public data comes as CSV in CP932 or UTF-8 (with or without BOM), zips whose member
names are CP932 without the UTF-8 flag, spreadsheets saved under a ``.csv`` name, GeoJSON,
TopoJSON, GeoPackage, shapefiles and GTFS feeds. :func:`sniff` names the format and, for text,
the encoding; :func:`zip_names` decodes zip member names the way the archiver meant them.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

HEAD_BYTES = 65536
GTFS_REQUIRED = {"stops.txt", "stop_times.txt", "trips.txt", "routes.txt"}
UTF8_FLAG = 0x800


@dataclass(frozen=True)
class Sniffed:
    """The detected format of a file, and its text encoding when it is text."""

    format: str  # csv, geojson, topojson, gpkg, shapefile, shapefile-zip, gtfs, xlsx, ...
    encoding: str | None = None
    detail: str = ""


def detect_encoding(data: bytes) -> str:
    """``utf-8-sig`` (BOM), ``utf-8``, ``cp932`` or ``euc_jp``: the first that decodes cleanly."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for encoding in ("utf-8", "cp932", "euc_jp"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError as err:
            # a multi-byte character cut at the end of a sample is not an error
            if err.start >= len(data) - 3 and err.reason.startswith("unexpected end"):
                return encoding
            continue
        return encoding
    return "cp932"


def zip_names(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Member names decoded properly: without the UTF-8 flag, CP437 bytes are re-read as CP932."""
    names: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        name = info.filename
        if not info.flag_bits & UTF8_FLAG:
            raw = name.encode("cp437", errors="replace")
            try:
                raw.decode("utf-8")
                name = raw.decode("utf-8")
            except UnicodeDecodeError:
                name = raw.decode("cp932", errors="replace")
        names[name] = info
    return names


def _sniff_zip(path: Path) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as archive:
            names = list(zip_names(archive))
    except zipfile.BadZipFile as err:
        return Sniffed("broken", detail=f"a damaged zip archive ({err})")
    base = {n.rsplit("/", 1)[-1].lower() for n in names}
    if base >= GTFS_REQUIRED:
        return Sniffed("gtfs", detail="GTFS feed")
    if any(n.startswith("xl/") for n in names):
        return Sniffed("xlsx", detail="an Excel workbook (xlsx)")
    if any(n.startswith("word/") for n in names):
        return Sniffed("unsupported", detail="a Word document (docx)")
    if any(n.lower().endswith(".shp") for n in names):
        return Sniffed("shapefile-zip", detail="zipped shapefile")
    if any(n.lower().endswith(".gpkg") for n in names):
        return Sniffed("gpkg-zip", detail="zipped GeoPackage")
    if any(n.lower().endswith(".csv") for n in names) and "agency.txt" not in base:
        return Sniffed("csv-zip", detail="zipped CSV")
    if "agency.txt" in base or "stops.txt" in base:
        missing = sorted(GTFS_REQUIRED - base)
        return Sniffed("broken", detail=f"a GTFS feed without {', '.join(missing)}")
    return Sniffed("unsupported", detail=f"a zip archive of {len(names)} files with no GIS data")


def _sniff_json(text: str) -> Sniffed:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        return Sniffed("broken", detail=f"JSON that does not parse ({err.msg}, line {err.lineno})")
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "Topology":
        return Sniffed("topojson", detail="TopoJSON")
    if kind in ("FeatureCollection", "Feature"):
        return Sniffed("geojson", detail="GeoJSON")
    if isinstance(data, dict) and kind is not None:
        message = data.get("message")
        note = f": {message}" if isinstance(message, str) else ""
        return Sniffed("not-geo", detail=f'JSON of type "{kind}", not GeoJSON{note}')
    return Sniffed("not-geo", detail="JSON without a GeoJSON or TopoJSON type")


def sniff(path: Path) -> Sniffed:
    """Detect the format of ``path`` from its first bytes (and, for zips and JSON, content)."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head.strip():
        return Sniffed("empty", detail="an empty file")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(path)
    if head.startswith(b"SQLite format 3\x00"):
        return Sniffed("gpkg", detail="GeoPackage (SQLite)")
    if head[:4] == b"\x00\x00\x27\x0a":
        return Sniffed("shapefile", detail="ESRI shapefile")
    if head.startswith(b"%PDF"):
        return Sniffed("unsupported", detail="a PDF document")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return Sniffed("unsupported", detail="an old Excel/Office file (xls); save it as CSV")
    if b"\x00" in head[:4096]:
        return Sniffed("unsupported", detail="a binary file of unknown format")
    encoding = detect_encoding(head)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        full = path.read_bytes().decode(encoding, errors="replace").lstrip("\ufeff")
        found = _sniff_json(full)
        return Sniffed(found.format, encoding, found.detail)
    if text[:15].lower().startswith(("<!doctype html", "<html")):
        return Sniffed("unsupported", encoding, "an HTML page")
    if text.startswith("<?xml"):
        return Sniffed("unsupported", encoding, "an XML document")
    return Sniffed("csv", encoding, "CSV text")
