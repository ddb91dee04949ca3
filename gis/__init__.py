"""Kasane core library, one sub-package per concern (lower layers never import higher ones):

- :mod:`gis.geo` — CRS, JIS X 0410 mesh and local-government code maths (no database);
- :mod:`gis.platform` — settings, errors, database, migrations, users and audit;
- :mod:`gis.layerstore` — layer files, the registry and the versioned layer store;
- :mod:`gis.ogc` — OGC API items and tiles queries, open data and DCAT;
- :mod:`gis.residents` — hazards at a point, shelters and their status, the CAP feed;
- :mod:`gis.planning` — dead zones, 5G mesh coverage, area statistics, usage counts;
- :mod:`gis.transit` — GTFS service, stop coverage, blank areas and draft routes.

``residents``, ``planning`` and ``transit`` are independent of each other. Nothing here imports
Flask, folium, ``etl`` or ``webmap``: the jobs and the server build on it.
"""

__version__ = "0.1.0"
