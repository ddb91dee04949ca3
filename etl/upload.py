"""Uploaded files: refuse what is unsafe or unloadable before anything is unpacked, then run
the ``kasane load`` pipeline on them.

Checks, in order, on each saved file: the content is sniffed (never the name); a zip's central
directory is read and refused when it has too many members, would unpack to too many bytes or
at too high a ratio (zip bombs), or holds a member that is absolute, climbs out with ``..``,
is a symlink, a device or a FIFO, or has a name with control characters. Member names without
the UTF-8 flag are decoded as CP932 (:func:`etl.sniff.zip_names`).
"""

from __future__ import annotations

import re
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from etl.load import LoadOptions, load
from etl.row_rules import Chunk
from etl.sniff import sniff, zip_names
from gis.layerstore.differences import MAP_POINTS, difference, served_ids
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.uploads import (
    UnsafeArchive,
    UnsupportedUpload,
    UploadLimits,
    UploadOutcome,
    UploadRequest,
    UploadTooLarge,
)
from gis.platform.db import connect
from gis.platform.errors import LoadError

LOADABLE = {"csv", "geojson", "topojson", "gpkg", "shapefile-zip", "gpkg-zip"}
HINTS = {
    "shapefile": "upload the .shp with its .shx, .dbf and .prj in one zip",
    "gtfs": "load GTFS feeds with `kasane load transit FEED.zip`",
    "xlsx": "save the sheet as CSV (UTF-8) and upload that",
}


def _unsafe_name(name: str) -> str | None:
    if any(ord(c) < 32 or c == "\x7f" for c in name):
        return "has control characters in its name"
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or (len(name) > 1 and name[1] == ":"):
        return "has an absolute path"
    if ".." in path.parts:
        return "points outside the archive (..)"
    return None


def _kind(info: zipfile.ZipInfo) -> str | None:
    kind = stat.S_IFMT(info.external_attr >> 16)
    if info.create_system != 3 or kind in (0, stat.S_IFREG, stat.S_IFDIR):
        return None  # not Unix, no file type recorded (Python's own zips), file or folder
    return "is a symbolic link" if kind == stat.S_IFLNK else "is a device, FIFO or socket"


def check_archive(path: Path, limits: UploadLimits, label: str) -> None:
    """Refuse a zip whose central directory shows a bomb, an escape or a special file."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = zip_names(archive)
    except (zipfile.BadZipFile, OSError) as err:
        raise LoadError(f"{label}: a damaged zip archive ({err})") from None
    if len(members) > limits.max_members:
        raise UploadTooLarge(f"{label}: {len(members)} members; at most {limits.max_members}")
    unpacked = sum(i.file_size for i in members.values())
    packed = sum(i.compress_size for i in members.values())
    if unpacked > limits.max_unzipped_bytes:
        raise UploadTooLarge(
            f"{label}: unpacks to {unpacked} bytes; at most {limits.max_unzipped_bytes}"
        )
    for name, info in members.items():
        why = _unsafe_name(name) or _kind(info)
        if why:
            raise UnsafeArchive(f"{label}: member {name!r} {why}")
        if info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise UploadTooLarge(
                f"{label}: member {name!r} is compressed more than {limits.max_ratio:g}:1"
            )
    if unpacked > limits.max_ratio * max(packed, 1):
        raise UploadTooLarge(f"{label}: compressed more than {limits.max_ratio:g}:1")


def check_upload(path: Path, limits: UploadLimits, label: str) -> str:
    """The sniffed format of one saved upload, after the safety checks; refuses the rest."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise UploadTooLarge(f"{label}: {size} bytes; at most {limits.max_bytes}")
    with path.open("rb") as handle:
        zipped = handle.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    if zipped:
        check_archive(path, limits, label)
    found = sniff(path)
    if found.format == "broken":
        raise LoadError(f"{label}: {found.detail}")
    if found.format not in LOADABLE:
        hint = HINTS.get(found.format)
        raise UnsupportedUpload(f"{label}: {found.detail} is not loadable", hint=hint)
    return found.format


def load_upload(url: str, request: UploadRequest) -> UploadOutcome:
    """Check every file, then load them all as one new version (or only check: dry run)."""
    for path in request.files:
        check_upload(path, request.limits, path.name)
    preview = _Preview(request.spec, request.part)
    options = LoadOptions(
        dry_run=request.dry_run,
        force=request.force,
        encoding=request.encoding,
        crs=request.crs,
        scratch=request.scratch,
        inspect=preview.add if request.dry_run else None,
        part=request.part,
        parts=request.parts,
        loaded_by=request.loaded_by,
    )
    report = load(url, request.spec, request.files, options)
    data = report.as_json()
    for file in data["files"]:
        file.pop("traceback", None)  # for the server's log, not for the caller
    if request.dry_run:
        data["preview"] = preview.result(url)
    return UploadOutcome(
        report=_scrub(data, request.scratch.parent),
        version=report.version,
        loaded=report.rows_loaded,
        unchanged=report.outcome.startswith("unchanged"),
        files=[p.name for p in request.files],
    )


class _Preview:
    """Ids and a sample of positions of the rows a dry run would load."""

    def __init__(self, spec: LayerSpec, part: str | None = None) -> None:
        self.spec, self.part = spec, part  # a shared layer's part: compared with that part only
        self.rows = 0
        self.ids: set[str] | None = set() if spec.id_field else None
        self.points: list[tuple[float, float]] = []

    def add(self, chunk: Chunk) -> None:
        self.rows += len(chunk)
        if self.ids is not None and self.spec.id_field:
            self.ids.update(str(v) for v in chunk.columns[self.spec.id_field] if v is not None)
        step = max(1, len(chunk) // 200)
        for shape in chunk.geometry[::step]:
            if len(self.points) < MAP_POINTS and shape is not None and not shape.is_empty:
                p = shape.representative_point()
                self.points.append((round(p.x, 5), round(p.y, 5)))

    def result(self, url: str) -> dict[str, Any]:
        with connect(url) as conn:
            count, served = served_ids(conn, self.spec, self.part)
        return {**difference(count, served, self.rows, self.ids), "points": self.points}


def _scrub(value: Any, root: Path) -> Any:
    """The report without the server's temporary paths (GDAL messages name them)."""
    if isinstance(value, str):
        return re.sub(re.escape(str(root)) + r"[^\s'\"]*/", "", value)
    if isinstance(value, list):
        return [_scrub(v, root) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, root) for k, v in value.items()}
    return value
