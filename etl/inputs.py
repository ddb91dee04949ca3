"""Turn the PATHs given to ``kasane load`` into inputs: files, or shapefiles with their sidecars.

A directory stands for every file under it. A shapefile's ``.shx``, ``.dbf``, ``.prj``, ``.cpg``
(and sidecars that a virus scanner renamed to ``<stem>_sanitized_by_…txt``) belong to its
``.shp`` and are not inputs of their own. Each input carries the sha256 of all its parts, so a
reload of identical content is recognised.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from gis.platform.errors import LoadError

SIDECAR_SUFFIXES = {".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd"}
IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}


@dataclass
class Input:
    """One thing to load: a file, or a ``.shp`` with its sidecar files."""

    path: Path
    sidecars: list[Path] = field(default_factory=list)
    sha256: str = ""
    bytes: int = 0
    label: str = ""

    @property
    def name(self) -> str:
        """The name shown in reports: the path below the directory given, or the file name."""
        return self.label or self.path.name

    def sidecar(self, suffix: str) -> Path | None:
        """The sidecar with this suffix (``.prj``, case-insensitive), if any."""
        return next((p for p in self.sidecars if p.suffix.lower() == suffix), None)

    def sanitized_texts(self) -> list[str]:
        """Contents of ``<stem>_sanitized_by_…txt`` sidecars (renamed .prj/.cpg files)."""
        return [
            p.read_bytes().decode("utf-8", errors="replace").strip()
            for p in self.sidecars
            if p.suffix.lower() == ".txt"
        ]


def _digest(paths: list[Path]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for path in paths:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    return digest.hexdigest(), size


def _is_sanitized_sidecar(path: Path, stems: set[str]) -> bool:
    stem = path.stem
    return (
        path.suffix.lower() == ".txt"
        and "_sanitized_by_" in stem
        and (stem.split("_sanitized_by_")[0] in stems)
    )


def hash_inputs(inputs: list[Input]) -> None:
    """Fill in each input's sha256 (and size) from all its parts."""
    for item in inputs:
        item.sha256, item.bytes = _digest([item.path, *item.sidecars])


def expand(paths: list[Path], *, digest: bool = True) -> list[Input]:
    """The inputs named by ``paths`` (files or directories), in a stable order. Without
    ``digest``, only their sizes are known: :func:`hash_inputs` adds the sha256 later."""
    files: list[Path] = []
    labels: dict[Path, str] = {}
    for path in paths:
        if not path.exists():
            raise LoadError(f"{path}: no such file or directory")
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file())
            files.extend(found)
            labels.update({p: str(p.relative_to(path.parent)) for p in found})
        else:
            files.append(path)
    shp_stems = {(p.parent, p.stem) for p in files if p.suffix.lower() == ".shp"}
    stems_by_dir: dict[Path, set[str]] = {}
    for parent, stem in shp_stems:
        stems_by_dir.setdefault(parent, set()).add(stem)
    inputs: list[Input] = []
    for path in files:
        stems = stems_by_dir.get(path.parent, set())
        if path.name.lower() in IGNORED_NAMES:
            continue
        if path.suffix.lower() in SIDECAR_SUFFIXES and path.stem in stems:
            continue
        if _is_sanitized_sidecar(path, stems):
            continue
        item = Input(path, label=labels.get(path, path.name))
        if path.suffix.lower() == ".shp":
            item.sidecars = sorted(
                p
                for p in path.parent.iterdir()
                if p != path
                and (
                    (p.stem == path.stem and p.suffix.lower() in SIDECAR_SUFFIXES)
                    or _is_sanitized_sidecar(p, {path.stem})
                )
            )
        if digest:
            item.sha256, item.bytes = _digest([item.path, *item.sidecars])
        else:
            item.bytes = sum(p.stat().st_size for p in [item.path, *item.sidecars])
        inputs.append(item)
    if not inputs:
        raise LoadError(f"no input files in {', '.join(map(str, paths))}")
    return inputs
