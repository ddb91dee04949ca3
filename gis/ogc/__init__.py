"""Publishing layers by the open standards: OGC API Features items, vector tiles, open data.

Items queries and output CRSs, Mapbox Vector Tiles (with the per-version band copies that keep
low zooms cheap), downloads and DCAT catalogue records. The Flask views that answer these are in
``webmap/ogc``; this package holds the SQL and the rules.
"""
