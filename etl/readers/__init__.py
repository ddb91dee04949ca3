"""Readers turn one input into a :class:`Table`: raw columns plus, for vector files, geometry.

Column names are NFKC-normalised and stripped. ``rows`` holds the row number a person would look
for in the source (the CSV line where the record starts, or the feature's 1-based index).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pyproj import CRS


@dataclass
class Table:
    """What a reader found in one input."""

    frame: pd.DataFrame
    rows: np.ndarray
    geometry: np.ndarray | None = None  # shapely geometries in EPSG:4326, or None for CSV
    encoding: str | None = None
    source_crs: CRS | None = None
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.frame)
