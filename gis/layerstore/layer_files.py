"""Layer files added or changed while the server runs: re-read, validated, never fatal.

A :class:`LayerFiles` holds one process's :class:`LayerRegistry` and re-reads the layer
directory when told (the ``kasane_layer_files`` notification that ``kasane layers reload``
sends, heard by :class:`gis.layerstore.served_versions.ServedVersions`) or when the directory's
files change (names, sizes, modification times; looked at no more than every
:data:`CHECK_S` seconds). Each file is validated on its own: a broken file is refused with its
file, key and reason (logged, and kept in :attr:`LayerFiles.errors`) while the layer it
declared before, if any, stays as it was, so a broken file never takes a running server's
layers down. Start-up stays strict (:meth:`LayerRegistry.from_dir`).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.registry import LayerRegistry, load_layer_file
from gis.platform.errors import LayerSpecError

LAYER_FILES_CHANNEL = "kasane_layer_files"  # sent by `kasane layers reload`
CHECK_S = 2.0

log = logging.getLogger("kasane.layer_files")
Signature = tuple[tuple[str, int, int], ...]


def signature(directory: Path) -> Signature:
    """Name, size and modification time of every layer file: changes when any file does."""
    try:
        found = [(p.name, p.stat()) for p in directory.glob("*.toml")]
    except OSError:
        return ()
    return tuple(sorted((name, st.st_size, st.st_mtime_ns) for name, st in found))


def reread(directory: Path, previous: LayerRegistry) -> tuple[LayerRegistry, list[str]]:
    """The directory's layers, each file validated on its own: a broken file keeps the layer
    its stem named before (if any) and gives an error naming the file, the key and why."""
    old = {spec.id: spec for spec in previous}
    specs: list[LayerSpec] = []
    errors: list[str] = []
    for path in sorted(directory.glob("*.toml")):
        try:
            specs.append(load_layer_file(path))
        except (LayerSpecError, OSError) as err:
            errors.append(str(err))
            if path.stem in old:
                specs.append(old[path.stem])
    return LayerRegistry(specs), errors


class LayerFiles:
    """One process's layer registry, kept in step with the layer directory (module doc)."""

    def __init__(self, directory: Path, registry: LayerRegistry) -> None:
        self.directory = directory
        self.registry = registry
        self.errors: list[str] = []
        self.generation = 0  # moves whenever the registry is replaced
        self._signature = signature(directory)
        self._epoch: int | None = None
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    def current(self, epoch: int | None = None) -> LayerRegistry:
        """The registry, re-read first when ``epoch`` (the notifications heard) moved or the
        files changed since the last look."""
        now = time.monotonic()
        told = epoch is not None and self._epoch is not None and epoch != self._epoch
        if self._epoch is None:
            self._epoch = epoch
        if not told and now - self._checked < CHECK_S:
            return self.registry
        with self._lock:
            self._checked = now
            self._epoch = epoch
            seen = signature(self.directory)
            if seen != self._signature or told:
                self._signature = seen
                self.reload()
        return self.registry

    def reload(self) -> list[str]:
        """Re-read every file now; returns the errors (also logged)."""
        registry, errors = reread(self.directory, self.registry)
        for error in errors:
            log.error("layer file refused, previous definition kept: %s", error)
        added = sorted({s.id for s in registry} - {s.id for s in self.registry})
        if added:
            log.info("layers added: %s", ", ".join(added))
        self.registry, self.errors = registry, errors
        self.generation += 1
        return errors
