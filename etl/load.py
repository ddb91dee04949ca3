"""``kasane load``: read, map, validate and write files into one layer, all or nothing.

Each input is sniffed (format and encoding from content), read, mapped by the source family
that recognises its columns, and checked row by row, a chunk at a time (:mod:`etl.read_inputs`);
the chunks are written as they come as one new version (binary ``COPY`` into a fresh table,
indexes, swap, see :mod:`etl.writer`). A file that cannot be used is rejected with its reason
while the others still load. Re-loading files whose sha256 match the served version is a no-op
unless forced.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from etl.inputs import Input, expand, hash_inputs
from etl.load_options import LoadOptions, Progress
from etl.municipality import ADMIN_LAYER, boundaries
from etl.read_inputs import Collector
from etl.report import LoadReport
from etl.writer import write_chunks
from gis.layerstore import storage
from gis.layerstore.layerspec import LayerSpec
from gis.platform.db import connect
from gis.platform.errors import LoadError
from gis.platform.timings import phase

__all__ = ["LoadOptions", "Progress", "load", "served_files"]

HASH = "hash files (sha256), compare with served"


def served_files(conn: storage.Conn, layer_id: str) -> set[tuple[str, int]]:
    """(sha256, size) of every source file of the served version."""
    row = conn.execute(
        "SELECT v.source_files FROM kasane.layer_current c"
        " JOIN kasane.layer_versions v USING (layer_id, version) WHERE c.layer_id = %s",
        (layer_id,),
    ).fetchone()
    return {(str(f["sha256"]), int(f["bytes"])) for f in row[0]} if row else set()


def provenance_of(inputs: list[Input], report: LoadReport) -> storage.Provenance:
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
    """Load ``paths`` into ``spec``'s layer as a new version (or only check, in a dry run).

    The files are hashed first only when the served version may have the same ones (same
    sizes, no ``--force``); otherwise the hashes, needed only for the provenance, are computed
    in a thread while the files load (hashlib lets go of the GIL).
    """
    if spec.parts:
        from etl.part_load import load_parts  # a shared layer: each municipality's part

        return load_parts(url, spec, paths, options, progress)
    if spec.derived:
        raise LoadError(
            f"layer {spec.id!r} is computed by Kasane, not loaded from files",
            hint="see `kasane transit --help`",
        )
    with connect(url, autocommit=True) as conn, ThreadPoolExecutor(1) as pool:
        with phase(HASH):
            inputs = expand(paths, digest=False)
            served = served_files(conn, spec.id)
            sizes_match = {i.bytes for i in inputs} == {size for _, size in served}
            if sizes_match and not options.force and not options.dry_run:
                hash_inputs(inputs)
                if {i.sha256 for i in inputs} == {digest for digest, _ in served}:
                    return LoadReport(spec.id, outcome="unchanged: the served version has the"
                                      " same files (use --force to load again)")  # fmt: skip
        hashing = pool.submit(hash_inputs, [i for i in inputs if not i.sha256])
        report = LoadReport(spec.id, dry_run=options.dry_run)
        by_code = spec.source is not None and spec.source.geometry == "lg_code"
        wants_areas = ("lg_code" in spec.field_names or by_code) and spec.id != ADMIN_LAYER
        collector = Collector(spec, options, report, boundaries(conn) if wants_areas else None)
        chunks = collector.chunks(inputs, progress)

        def hashed() -> None:
            with phase(HASH):
                hashing.result()
            for file_report, item in collector.sources:
                file_report.sha256 = item.sha256

        def provenance() -> storage.Provenance:  # asked for once every chunk is copied
            hashed()
            return provenance_of(inputs, report)

        if options.dry_run:
            for chunk in chunks:
                if options.inspect is not None:
                    options.inspect(chunk)
        else:
            report.version = write_chunks(conn, spec, chunks, provenance, skip_empty=True)
        hashed()  # the report's files too, also when nothing was written
        if not report.rows_loaded:
            report.outcome = "nothing to load"
        elif options.dry_run:
            report.outcome = (
                f"dry run: {report.rows_loaded} features would be loaded; nothing changed"
            )
        else:
            report.outcome = f"loaded {report.rows_loaded} features as version {report.version}"
    return report
