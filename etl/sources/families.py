"""Every source family Kasane can map, in the order they are tried."""

from __future__ import annotations

from etl.sources import Source
from etl.sources.addresses import ADDRESS_SOURCES
from etl.sources.areas import AREA_SOURCES
from etl.sources.planning import PLANNING_SOURCES
from etl.sources.points import POINT_SOURCES
from etl.sources.shelters import SHELTER_SOURCES
from etl.sources.transit_shapes import TRANSIT_SHAPE_SOURCES

SOURCES: tuple[Source, ...] = (
    *SHELTER_SOURCES,
    *POINT_SOURCES,
    *AREA_SOURCES,
    *PLANNING_SOURCES,
    *TRANSIT_SHAPE_SOURCES,
    *ADDRESS_SOURCES,
)
