"""The options of ``kasane load`` and its progress callback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Progress = Callable[[int, int, str], None]


@dataclass
class LoadOptions:
    """The options of ``kasane load``."""

    dry_run: bool = False
    force: bool = False
    encoding: str | None = None
    crs: str | None = None
    values: dict[str, str] = field(default_factory=dict)  # --set FIELD=VALUE
    scratch: Path | None = None  # where zips are unpacked (default: the system temp dir)
    # Shared layers (etl.parts): the one part to publish, or for the prefecture "present" (the
    # parts in the files) or "all" (also empties the parts the files do not have).
    part: str | None = None
    parts: str | None = None
    loaded_by: str = "cli"  # who publishes, recorded with each part version
