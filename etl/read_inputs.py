"""Inputs read, mapped and checked into canonical chunks, one file after another.

A GeoPackage is read from SQLite a chunk (:data:`CHUNK_ROWS` features, at most
:data:`CHUNK_BYTES` of WKB) at a time (:mod:`etl.readers.geopackage`); another vector file is
read whole into Arrow by pyogrio (compact: its WKB and column buffers), then turned into shapely
geometries and columns a chunk at a time. Either way each chunk is mapped and checked as it
comes, so memory grows with the chunk rather than the file, and the writer sends one chunk by
``COPY`` while the next is made. A source family that
needs every row at once (N03 merges a municipality's islands) gets the file as one chunk, and
so does a CSV (read whole: its coordinate rules compare each point with the file's others).

A file that cannot be used (unreadable, no known columns) is rejected with its reason before
any of its rows is given out, and the other files still load.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from functools import partial
from itertools import chain
from pathlib import Path

import numpy as np

from etl.inputs import Input, expand
from etl.load_options import LoadOptions, Progress
from etl.municipality import Areas, check_municipality
from etl.readers import Table, to_wgs84
from etl.readers.csv_text import coordinate_crs, read_csv
from etl.readers.geopackage import open_geopackage
from etl.report import FileReport, LoadReport, reject_file
from etl.row_rules import Chunk, checked_chunk
from etl.sniff import sniff
from etl.sources import Context, Mapped, canonical, declared, pick
from gis.layerstore.layerspec import LayerSpec
from gis.platform.errors import LoadError
from gis.platform.timings import phase

CHUNK_ROWS = 10_000
CHUNK_BYTES = 4 << 20  # of WKB: about 2,000 polygons of 110 vertices
VECTOR_FORMATS = {"geojson", "topojson", "gpkg", "shapefile"}
Mapper = Callable[[Table, Context], Mapped]
READ = "  read (in copy: SQLite or GDAL, WKB to shapely)"
CHECK = "  map and check rows (in copy)"


def _tables(item: Input, options: LoadOptions, report: FileReport) -> tuple[Iterator[Table], bool]:
    """The input as tables (chunks for a vector file), and whether it may be split."""
    found = sniff(item.path)
    report.format = found.format
    if found.format == "csv":
        table = read_csv(item.path, options.encoding)
        table.source_crs = coordinate_crs(options.crs) if options.crs else None
        report.encoding, report.rows_read = table.encoding, len(table)
        for warning in table.warnings:
            report.add(None, None, warning, "warning")
        return iter([table]), False
    if found.format == "gpkg":
        package = open_geopackage(item.path, encoding=options.encoding, crs=options.crs)
        if package is not None:
            report.encoding, report.rows_read = package.encoding, len(package)
            return package.tables(CHUNK_ROWS, CHUNK_BYTES), True
    if found.format in VECTOR_FORMATS:
        from etl.readers.vector import open_vector  # imports pyogrio, pandas and pyarrow

        vector = open_vector(item, encoding=options.encoding, crs=options.crs)
        report.encoding, report.rows_read = vector.encoding, len(vector)
        return vector.tables(CHUNK_ROWS, CHUNK_BYTES), True
    if found.format == "xlsx":
        from etl.readers.spreadsheet import read_sheet

        table = read_sheet(item.path, options.sheet)
        table.source_crs = coordinate_crs(options.crs) if options.crs else None
        report.rows_read = len(table)
        for warning in table.warnings:
            report.add(None, None, warning, "warning")
        return iter([table]), False
    if found.format == "gtfs":
        raise LoadError("this is a GTFS feed", hint="load it with `kasane load transit FEED.zip`")
    raise LoadError(f"not loadable: {found.detail}")


def _members(item: Input, scratch: Path) -> list[Input]:
    """A zipped shapefile, GeoPackage or CSV unpacked into inputs of their own."""
    from etl.readers.vector import extract_zip

    target = Path(tempfile.mkdtemp(dir=scratch))
    extract_zip(item.path, target)
    members = [m for m in expand([target]) if m.path.suffix.lower() in (".shp", ".gpkg", ".csv")]
    for m in members:
        m.sha256, m.bytes = item.sha256, item.bytes
    return members


def _mapper(spec: LayerSpec, table: Table, context: Context) -> tuple[Mapper, Mapped, bool]:
    """The source family's mapping for this table (or the layer's own field names), the
    mapped first table, and whether the family needs the whole file at once. A layer file
    that declares its own source mapping is mapped by it, whatever its kind."""
    if spec.declared:
        declared.check_fits(spec, table)
        mapper = partial(declared.map_declared, spec)
        return mapper, mapper(table, context), False
    try:
        source = pick(spec.kind, table)
        return source.map, source.map(table, context), source.whole_file
    except LoadError:
        if not canonical.fits(spec, table):
            raise
        mapper = partial(canonical.map_canonical, spec)
        return mapper, mapper(table, context), False


class FirstIds:
    """Rejects rows whose ``id_field`` value an earlier row (in any chunk) had: the first wins."""

    def __init__(self, spec: LayerSpec) -> None:
        self.field = spec.id_field
        self.seen: dict[object, tuple[str, int]] = {}

    def keep_first(self, chunk: Chunk, report: FileReport) -> Chunk:
        """``chunk`` without its repeated ids, each reported with where the id was first."""
        if not self.field or not len(chunk):
            return chunk
        seen, name = self.seen, report.name
        ids, rows = chunk.columns[self.field], chunk.rows.tolist()
        repeated: list[int] = []
        for i, (value, row) in enumerate(zip(ids, rows, strict=True)):
            if value is None:
                continue
            first = seen.setdefault(value, (name, row))
            if first[1] != row or first[0] != name:
                repeated.append(i)
                report.add(row, self.field, f"duplicate {self.field} {value!r}"
                           f" (first in {first[0]} row {first[1]})", "rejected")  # fmt: skip
        if not repeated:
            return chunk
        keep = np.ones(len(chunk), dtype=bool)
        keep[repeated] = False
        return chunk.where(keep)


class Collector:
    """Turns a load's inputs into checked chunks, filling the load's report as it goes."""

    def __init__(self, spec: LayerSpec, options: LoadOptions, report: LoadReport,
                 areas: Areas | None = None) -> None:  # fmt: skip
        self.spec, self.options, self.report = spec, options, report
        self.areas = areas or {}
        self.ids = FirstIds(spec)
        self.rules: list[Callable[[Chunk, FileReport], Chunk]] = []  # more row rules (parts)
        self.sources: list[tuple[FileReport, Input]] = []  # each file's report, and its input

    def chunks(self, inputs: list[Input], progress: Progress | None = None) -> Iterator[Chunk]:
        """Every input's rows that pass the rules, a chunk at a time (see the module doc)."""
        scratch_dir = self.options.scratch
        with tempfile.TemporaryDirectory(prefix="kasane-load-", dir=scratch_dir) as scratch:
            for n, item in enumerate(inputs, start=1):
                if progress:
                    progress(n - 1, len(inputs), item.name)
                parts = [item]
                if sniff(item.path).format in ("shapefile-zip", "gpkg-zip", "csv-zip"):
                    parts = _members(item, Path(scratch))
                for part in parts:
                    name = item.name if part is item else f"{item.name}:{part.path.name}"
                    file_report = FileReport(name, item.sha256, item.bytes)
                    self.report.files.append(file_report)
                    self.sources.append((file_report, item))
                    yield from self._file(part, file_report)
            if progress:
                progress(len(inputs), len(inputs), "")

    def _file(self, item: Input, report: FileReport) -> Iterator[Chunk]:
        context = Context(item.path, report, self.options.values, self.areas)
        try:
            with phase(READ):
                tables, splittable = _tables(item, self.options, report)
                first = next(tables)
            report.crs = _crs_name(first)
            with phase(CHECK):
                mapper, mapped, whole = _mapper(self.spec, first, context)
            if whole and splittable:  # this family needs every row: one table after all
                with phase(READ):
                    first = _joined(chain([first], tables))
                with phase(CHECK):
                    tables, mapped = iter(()), mapper(first, context)
            with phase(CHECK):
                head = self._checked(first, mapped, report)
        except LoadError as err:
            report.error = str(err)
            return
        except Exception as err:  # a library's surprise or a bug: this file is rejected, not all
            reject_file(report, err)
            return
        yield head
        while True:  # an error from here on fails the whole load (rows were sent already)
            try:
                with phase(READ):
                    table = next(tables, None)
                if table is None:
                    return
                with phase(CHECK):
                    chunk = self._checked(table, mapper(table, context), report)
            except LoadError:
                raise
            except Exception as err:
                reject_file(report, err)
                raise LoadError(f"{report.name}: {report.error}") from err
            yield chunk

    def _checked(self, table: Table, mapped: Mapped, report: FileReport) -> Chunk:
        for row, reason, action in table.problems:
            report.add(row, "geometry", reason, action)  # type: ignore[arg-type]
        if table.geometry is None and table.source_crs is not None:  # a CSV's --crs
            mapped.geometry = to_wgs84(mapped.geometry, table.source_crs)
        chunk = checked_chunk(self.spec, mapped, report, self.options)
        chunk = self.ids.keep_first(chunk, report)
        for rule in self.rules:
            chunk = rule(chunk, report)
        if self.areas:
            reject_km = self.options.reject_outside_km
            chunk = chunk.where(check_municipality(chunk, self.areas, report, reject_km))
        report.rows_loaded += len(chunk)
        return chunk


def _joined(tables: Iterator[Table]) -> Table:
    parts = list(tables)
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    return Table(
        columns={name: [v for t in parts for v in t.columns[name]] for name in first.columns},
        rows=np.concatenate([t.rows for t in parts]),
        geometry=np.concatenate([t.geometry for t in parts if t.geometry is not None]),
        encoding=first.encoding,
        source_crs=first.source_crs,
        wkb=None if any(t.wkb is None for t in parts) else np.concatenate([t.wkb for t in parts]),
    )


def _crs_name(table: Table) -> str | None:
    if table.source_crs is None:
        return None
    code = table.source_crs.to_epsg()
    return f"EPSG:{code}" if code else table.source_crs.name
