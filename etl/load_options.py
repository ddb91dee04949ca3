"""The options of ``kasane load`` and its progress callback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Progress = Callable[[int, int, str], None]


@dataclass
class LoadOptions:
    """The options of ``kasane load``."""

    dry_run: bool = False
    force: bool = False
    encoding: str | None = None
    crs: str | None = None
    values: dict[str, str] = field(default_factory=dict)  # --set FIELD=VALUE
    sheet: str | None = None  # --sheet: a workbook's sheet (default: the first with data)
    scratch: Path | None = None  # where zips are unpacked (default: the system temp dir)
    # rows further than this outside the municipality they name are rejected (nearer: flagged)
    reject_outside_km: float = 10.0  # etl.municipality.REJECT_KM
    # Shown every chunk of rows that passed the rules, in a dry run (the console's preview).
    inspect: Callable[[Any], None] | None = None
    # Shared layers (etl.parts): the one part to publish, or for the prefecture "present" (the
    # parts in the files) or "all" (also empties the parts the files do not have).
    part: str | None = None
    parts: str | None = None
    loaded_by: str = "cli"  # who publishes, recorded with each part version
