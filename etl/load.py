"""``kasane load``: read, map, validate and write files into one layer, all or nothing.

Each input is sniffed (format and encoding from content), read, mapped by the source family
that recognises its columns, and checked row by row, a chunk at a time (:mod:`etl.collect`);
the chunks are written as they come as one new version (binary ``COPY`` into a fresh table,
indexes, swap, see :mod:`etl.writer`). A file that cannot be used is rejected with its reason
while the others still load. Re-loading files whose sha256 match the served version is a no-op
unless forced.
"""

from __future__ import annotations

from pathlib import Path

from etl.collect import Collector
from etl.inputs import Input, expand
from etl.municipality import ADMIN_LAYER, boundaries
from etl.options import LoadOptions, Progress
from etl.report import LoadReport
from etl.writer import write_chunks
from gis import storage
from gis.db import connect
from gis.errors import LoadError
from gis.layerspec import LayerSpec
from gis.timings import phase

__all__ = ["LoadOptions", "Progress", "load", "served_digests"]


def served_digests(conn: storage.Conn, layer_id: str) -> set[str]:
    """sha256 of every source file of the served version."""
    row = conn.execute(
        "SELECT v.source_files FROM kasane.layer_current c"
        " JOIN kasane.layer_versions v USING (layer_id, version) WHERE c.layer_id = %s",
        (layer_id,),
    ).fetchone()
    return {str(f["sha256"]) for f in row[0]} if row else set()


def _provenance(inputs: list[Input], report: LoadReport) -> storage.Provenance:
    """What the new version records about its files and rows (the report is complete now)."""
    files = {i.sha256: storage.SourceFile(i.name, i.sha256, i.bytes) for i in inputs}
    provenance = storage.Provenance(
        files=list(files.values()),
        source_crs=", ".join(sorted({f.crs for f in report.files if f.crs})) or None,
        source_encoding=", ".join(sorted({f.encoding for f in report.files if f.encoding})) or None,
        rows_read=report.rows_read,
        rows_repaired=report.rows_repaired,
        rows_rejected=report.rows_rejected,
    )
    report.outcome = "loading"
    provenance.report = report.provenance_summary()
    return provenance


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
        with phase("hash files (sha256), compare with served"):
            inputs = expand(paths)
            digests = {i.sha256 for i in inputs}
            same = digests == served_digests(conn, spec.id)
        if not options.force and not options.dry_run and same:
            report = LoadReport(spec.id, outcome="unchanged: the served version has the same files"
                                " (use --force to load again)")  # fmt: skip
            return report
        report = LoadReport(spec.id, dry_run=options.dry_run)
        wants_areas = "lg_code" in spec.field_names and spec.id != ADMIN_LAYER
        collector = Collector(spec, options, report, boundaries(conn) if wants_areas else None)
        chunks = collector.chunks(inputs, progress)
        if options.dry_run:
            for _ in chunks:
                pass
        else:
            report.version = write_chunks(
                conn, spec, chunks, lambda: _provenance(inputs, report), skip_empty=True
            )
        if not report.rows_loaded:
            report.outcome = "nothing to load"
        elif options.dry_run:
            report.outcome = (
                f"dry run: {report.rows_loaded} features would be loaded; nothing changed"
            )
        else:
            report.outcome = f"loaded {report.rows_loaded} features as version {report.version}"
    return report
