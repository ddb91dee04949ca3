"""``kasane load`` of a shared layer: publish one municipality's part, or several at once.

A layer that declares ``parts = "lg_code"`` is published a part at a time
(:mod:`gis.layerstore.parts`).
A municipality loads its own part (``--part CODE``): a row whose code names another
municipality is rejected, row by row, with the reason. The prefecture may load a file of
many municipalities with ``--parts present`` (each part found in the files gets a new
version, the others stay as they are) or ``--parts all`` (the parts the files lack are
emptied too), in one atomic change. Re-loading the files of a part's served version is a no-op
unless forced. Rows of a part's file without a code (an empty cell; no column, where the
layer's reader allows that) are that part's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

from etl.inputs import expand, hash_inputs
from etl.load_options import LoadOptions, Progress
from etl.municipality import boundaries
from etl.part_writer import write_parts
from etl.read_inputs import Collector
from etl.report import FileReport, LoadReport
from etl.row_rules import Chunk
from gis.geo.lg_codes import is_valid_lg_code, prefecture_code
from gis.layerstore import parts, storage
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.part_access import PARTS_MODES
from gis.platform.db import connect
from gis.platform.errors import BadRequest, LoadError
from gis.platform.timings import phase


def check_part(spec: LayerSpec, code: str) -> str:
    """``code`` when it can name a part of ``spec`` (a valid code of its prefecture)."""
    if not is_valid_lg_code(code) or prefecture_code(code) != prefecture_code(spec.owner):
        raise BadRequest(
            f"{code!r} is not a local-government code of prefecture"
            f" {prefecture_code(spec.owner)} (6 digits with check digit, e.g. 352012)"
        )
    return code


class PartRule:
    """Rejects rows that do not belong to the parts being published, each with its reason."""

    def __init__(self, spec: LayerSpec, only: str | None) -> None:
        assert spec.parts
        self.field, self.only = spec.parts, only
        self.prefecture = prefecture_code(spec.owner)

    def reason(self, code: object) -> str | None:
        """Why a row with this code may not be published here (None: it may)."""
        if self.only is not None:
            if code == self.only:
                return None
            return f"row belongs to part {code}, not to part {self.only} being published"
        if isinstance(code, str) and is_valid_lg_code(code) and code[:2] == self.prefecture[:2]:
            return None
        return f"{code!r} is not a municipality of prefecture {self.prefecture}"

    def __call__(self, chunk: Chunk, report: FileReport) -> Chunk:
        """``chunk`` without the rows of other parts, each reported with its reason."""
        keep = np.ones(len(chunk), dtype=bool)
        codes = chunk.columns[self.field]
        for i, (code, row) in enumerate(zip(codes, chunk.rows, strict=True)):
            if self.only is not None and code in (None, ""):
                codes[i] = code = self.only  # an empty code in a part's own file: that part's
            why = self.reason(code)
            if why is not None:
                keep[i] = False
                report.add(int(row), self.field, why, "rejected")
        return chunk.where(keep)


def load_parts(
    url: str,
    spec: LayerSpec,
    paths: list[Path],
    options: LoadOptions,
    progress: Progress | None = None,
) -> LoadReport:
    """Load ``paths`` into one part (``options.part``) or several (``options.parts``)."""
    from etl.load import provenance_of  # etl.load hands shared layers over to this module

    if (options.part is None) == (options.parts is None):
        raise LoadError(
            f"layer {spec.id!r} is shared by municipalities: say which part to publish",
            hint="--part CODE (e.g. --part 352012), or for the prefecture --parts present|all",
        )
    if options.parts is not None and options.parts not in PARTS_MODES:
        raise BadRequest(f"--parts must be one of {', '.join(PARTS_MODES)}")
    only = None if options.part is None else check_part(spec, options.part)
    if only is not None and spec.parts and spec.parts not in options.values:
        # A municipality's own file often leaves the code empty: such rows are its own.
        options = replace(options, values={**options.values, spec.parts: only})
    with connect(url, autocommit=True) as conn, ThreadPoolExecutor(1) as pool:
        inputs = expand(paths, digest=False)
        if only is not None and not options.force and not options.dry_run:
            served = parts.served_part_files(conn, spec.id, only)
            if {i.bytes for i in inputs} == {size for _, size in served}:
                with phase("hash files (sha256), compare with served"):
                    hash_inputs(inputs)
                if {i.sha256 for i in inputs} == {digest for digest, _ in served}:
                    return LoadReport(spec.id, outcome=f"unchanged: part {only} is served with"
                                      " the same files (use --force to load again)")  # fmt: skip
        hashing = pool.submit(hash_inputs, [i for i in inputs if not i.sha256])
        report = LoadReport(spec.id, dry_run=options.dry_run)
        collector = Collector(spec, options, report, boundaries(conn))
        collector.rules.append(PartRule(spec, only))
        chunks = collector.chunks(inputs, progress)

        def provenance(code: str) -> storage.Provenance:
            hashing.result()
            for file_report, item in collector.sources:
                file_report.sha256 = item.sha256
            return provenance_of(inputs, report)

        groups: dict[str, Iterable[Chunk]]
        if only is not None:
            groups = {only: chunks}
        else:
            groups = _split(chunks, spec)
            if options.parts == "all":
                for code in parts.composition(conn, spec.id):
                    groups.setdefault(code, [])
        if options.dry_run:
            for group in groups.values():
                for chunk in group:
                    if options.inspect is not None:
                        options.inspect(chunk)
            hashing.result()
            report.outcome = f"dry run: {report.rows_loaded} features would be loaded"
            return report
        done = write_parts(conn, spec, groups, provenance, options.loaded_by)
        hashing.result()
        if done is None:
            report.outcome = "nothing to load"
            return report
        report.version, versions = done
        listed = ", ".join(f"{code} v{v}" for code, v in sorted(versions.items()))
        report.outcome = (
            f"loaded {report.rows_loaded} features as part versions {listed}"
            f" (layer version {report.version})"
        )
    return report


def _split(chunks: Iterator[Chunk], spec: LayerSpec) -> dict[str, Iterable[Chunk]]:
    """Every chunk's rows grouped by part (read whole: the parts are written one by one)."""
    assert spec.parts
    groups: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        codes = np.asarray(chunk.columns[spec.parts], dtype=object)
        for code in sorted({str(c) for c in codes}):
            groups.setdefault(code, []).append(chunk.where(codes == code))
    return dict(groups)
