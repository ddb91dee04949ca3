"""``kasane load``: read, map, validate and write files into one layer, all or nothing.

Each input is sniffed (format and encoding from content), read, mapped by the source family
that recognises its columns, checked row by row, and collected; then the whole set is written
as one new version (binary ``COPY`` into a fresh table, indexes, swap in one transaction, see
:mod:`etl.writer`). A file that cannot be used is rejected with its reason while the others
still load. Re-loading files whose sha256 match the served version is a no-op unless forced.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from etl.inputs import Input, expand
from etl.municipality import flag_outside_municipality
from etl.readers import Table
from etl.readers.csv_text import coordinate_crs, read_csv
from etl.readers.vector import extract_zip, read_vector, to_wgs84
from etl.report import FileReport, LoadReport
from etl.sniff import sniff
from etl.sources import Context, Mapped, canonical, pick
from etl.validate import check_fields, check_geometries
from etl.writer import write_version
from gis import storage
from gis.db import connect
from gis.errors import LoadError
from gis.layerspec import LayerSpec

Progress = Callable[[int, int, str], None]
VECTOR_FORMATS = {"geojson", "topojson", "gpkg", "shapefile"}


@dataclass
class LoadOptions:
    """The options of ``kasane load``."""

    dry_run: bool = False
    force: bool = False
    encoding: str | None = None
    crs: str | None = None
    values: dict[str, str] = field(default_factory=dict)  # --set FIELD=VALUE
    scratch: Path | None = None  # where zips are unpacked (default: the system temp dir)


def served_digests(conn: storage.Conn, layer_id: str) -> set[str]:
    """sha256 of every source file of the served version."""
    row = conn.execute(
        "SELECT v.source_files FROM kasane.layer_current c"
        " JOIN kasane.layer_versions v USING (layer_id, version) WHERE c.layer_id = %s",
        (layer_id,),
    ).fetchone()
    return {str(f["sha256"]) for f in row[0]} if row else set()


def _read(item: Input, options: LoadOptions, report: FileReport) -> Table:
    found = sniff(item.path)
    report.format = found.format
    if found.format == "csv":
        table = read_csv(item.path, options.encoding)
        table.source_crs = coordinate_crs(options.crs) if options.crs else None
        return table
    if found.format in VECTOR_FORMATS:
        return read_vector(item, encoding=options.encoding, crs=options.crs)
    if found.format == "xlsx":
        raise LoadError(
            f"this is {found.detail}, not CSV", hint="save it as CSV (UTF-8) and load that"
        )
    if found.format == "gtfs":
        raise LoadError("this is a GTFS feed", hint="load it with `kasane load transit FEED.zip`")
    raise LoadError(f"not loadable: {found.detail}")


def _members(item: Input, scratch: Path) -> list[Input]:
    """A zipped shapefile or GeoPackage unpacked into inputs of their own."""
    target = Path(tempfile.mkdtemp(dir=scratch))
    extract_zip(item.path, target)
    members = [m for m in expand([target]) if m.path.suffix.lower() in (".shp", ".gpkg")]
    for m in members:
        m.sha256, m.bytes = item.sha256, item.bytes
    return members


def _canonical(
    spec: LayerSpec, mapped: Mapped, report: FileReport, options: LoadOptions
) -> gpd.GeoDataFrame:
    rows = mapped.rows
    columns: dict[str, list[object]] = {}
    for f in spec.fields:
        column = mapped.columns.get(f.name)
        default = options.values.get(f.name)
        if column is None:
            column = [default] * len(rows) if default is not None else None
        elif default is not None:
            column = [default if v is None else v for v in column]
        if column is not None:
            columns[f.name] = column
    keep = np.array([g is not None for g in mapped.geometry], dtype=bool)
    _reject_missing(rows[~keep], report)
    geoms, valid = check_geometries(mapped.geometry[keep], rows[keep], spec, report)
    full = np.empty(len(rows), dtype=object)
    full[keep] = geoms
    keep[keep] = valid
    rejected = {i.row for i in report.issues if i.action == "rejected"}
    if rejected:
        keep &= ~np.isin(rows, np.array(sorted(r for r in rejected if r is not None)))
    ok_fields = check_fields(columns, rows, spec, report)
    keep &= ok_fields
    every = bool(keep.all())
    data = {
        f.name: gpd.pd.Series(
            _typed_column(
                f.type,
                columns[f.name]
                if every
                else [v for v, k in zip(columns[f.name], keep, strict=True) if k],
            )
            if f.name in columns
            else [None] * int(keep.sum()),
            dtype=object,
        )
        for f in spec.fields
    }
    frame = gpd.GeoDataFrame(data, geometry=list(full[keep]), crs="EPSG:4326")
    frame["_row"] = rows[keep]
    frame["_file"] = report.name
    return frame


def _reject_missing(rows: np.ndarray, report: FileReport) -> None:
    """Report rows without a geometry (a feature whose geometry is null) that no rule has
    rejected already (coordinate rules reject a CSV row's unusable point with their reason)."""
    if not len(rows):
        return
    done = {i.row for i in report.issues if i.action == "rejected"}
    for row in rows:
        if int(row) not in done:
            report.add(int(row), "geometry", "no geometry (null)", "rejected")


_CASTS: dict[str, Callable[[Any], Any]] = {"integer": int, "bigint": int, "real": float,
                                           "text": str, "boolean": bool}  # fmt: skip


def _typed_column(kind: str, values: list[Any]) -> list[Any]:
    """Values cast to the field's Python type (None for missing), skipped when already right."""
    cast = _CASTS.get(kind)
    if cast is None:
        return values
    wanted = int if cast is int else cast
    if set(map(type, values)) <= {wanted}:  # one C-level pass
        return values
    return [None if v is None or (isinstance(v, float) and v != v) else cast(v) for v in values]


def collect(
    spec: LayerSpec, paths: list[Path], options: LoadOptions, progress: Progress | None = None
) -> tuple[LoadReport, list[Input], gpd.GeoDataFrame]:
    """Read, map and validate every input; nothing touches the database."""
    inputs = expand(paths)
    report = LoadReport(spec.id, dry_run=options.dry_run)
    frames: list[gpd.GeoDataFrame] = []
    with tempfile.TemporaryDirectory(prefix="kasane-load-", dir=options.scratch) as scratch:
        for n, item in enumerate(inputs, start=1):
            if progress:
                progress(n - 1, len(inputs), item.name)
            parts = [item]
            if sniff(item.path).format in ("shapefile-zip", "gpkg-zip"):
                parts = _members(item, Path(scratch))
            for part in parts:
                name = item.name if part is item else f"{item.name}:{part.path.name}"
                file_report = FileReport(name, item.sha256, item.bytes)
                report.files.append(file_report)
                try:
                    table = _read(part, options, file_report)
                    file_report.encoding = table.encoding
                    file_report.crs = _crs_name(table)
                    file_report.rows_read = len(table)
                    for warning in table.warnings:
                        file_report.add(None, None, warning, "warning")
                    context = Context(part.path, file_report, options.values)
                    try:
                        mapped = pick(spec.kind, table).map(table, context)
                    except LoadError:
                        if not canonical.fits(spec, table):
                            raise
                        mapped = canonical.map_canonical(spec, table, context)
                    if table.geometry is None and table.source_crs is not None:  # CSV, --crs
                        mapped.geometry = to_wgs84(mapped.geometry, table.source_crs)
                    frame = _canonical(spec, mapped, file_report, options)
                except LoadError as err:
                    file_report.error = str(err)
                    continue
                file_report.rows_loaded = len(frame)
                frames.append(frame)
        if progress:
            progress(len(inputs), len(inputs), "")
    if not frames:
        empty = {f.name: [] for f in spec.fields} | {"_row": [], "_file": []}
        return report, inputs, gpd.GeoDataFrame(empty, geometry=[], crs="EPSG:4326")
    frame = gpd.GeoDataFrame(gpd.pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    return report, inputs, drop_duplicate_ids(spec, frame, report)


def drop_duplicate_ids(
    spec: LayerSpec, frame: gpd.GeoDataFrame, report: LoadReport
) -> gpd.GeoDataFrame:
    """Reject rows whose ``id_field`` value was already seen (the first one wins)."""
    if not spec.id_field or not len(frame):
        return frame
    ids = frame[spec.id_field]
    dup = ids.notna() & ids.duplicated(keep="first")
    if not dup.any():
        return frame
    first = frame[~dup].set_index(spec.id_field)
    by_name = {f.name: f for f in report.files}
    for _, row in frame[dup].iterrows():
        seen = first.loc[row[spec.id_field]]
        by_name[row["_file"]].add(
            int(row["_row"]), spec.id_field,
            f"duplicate {spec.id_field} {row[spec.id_field]!r} (first in {seen['_file']}"
            f" row {seen['_row']})", "rejected",
        )  # fmt: skip
    return frame[~dup].reset_index(drop=True)


def _crs_name(table: Table) -> str | None:
    if table.source_crs is None:
        return None
    code = table.source_crs.to_epsg()
    return f"EPSG:{code}" if code else table.source_crs.name


def load(
    url: str,
    spec: LayerSpec,
    paths: list[Path],
    options: LoadOptions,
    progress: Progress | None = None,
) -> LoadReport:
    """Load ``paths`` into ``spec``'s layer as a new version (or only check, in a dry run)."""
    if spec.derived:
        raise LoadError(
            f"layer {spec.id!r} is computed by Kasane, not loaded from files",
            hint="see `kasane transit --help`",
        )
    with connect(url, autocommit=True) as conn:
        inputs = expand(paths)
        digests = {i.sha256 for i in inputs}
        if not options.force and not options.dry_run and digests == served_digests(conn, spec.id):
            report = LoadReport(spec.id, outcome="unchanged: the served version has the same files"
                                " (use --force to load again)")  # fmt: skip
            return report
        report, inputs, frame = collect(spec, paths, options, progress)
        if len(frame) and spec.id != "admin_boundaries":
            flag_outside_municipality(conn, frame, report)
        for f in report.files:
            f.rows_loaded = int((frame["_file"] == f.name).sum()) if len(frame) else 0
        if not len(frame):
            report.outcome = "nothing to load"
            return report
        if options.dry_run:
            report.outcome = f"dry run: {len(frame)} features would be loaded; nothing changed"
            return report
        files = {i.sha256: storage.SourceFile(i.name, i.sha256, i.bytes) for i in inputs}
        provenance = storage.Provenance(
            files=list(files.values()),
            source_crs=", ".join(sorted({f.crs for f in report.files if f.crs})) or None,
            source_encoding=", ".join(sorted({f.encoding for f in report.files if f.encoding}))
            or None,
            rows_read=report.rows_read,
            rows_repaired=report.rows_repaired,
            rows_rejected=report.rows_rejected,
        )
        report.outcome = "loading"
        provenance.report = report.provenance_summary()
        report.version = write_version(conn, spec, frame, provenance)
        report.outcome = f"loaded {len(frame)} features as version {report.version}"
    return report
