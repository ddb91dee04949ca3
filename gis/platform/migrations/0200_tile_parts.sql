-- Subdivided copies of large polygon layer versions, for fast low-zoom vector tiles
-- (gis/tiles.py: layer_tiles."<layer>__v<N>" with fid and pieces of geom_3857).
CREATE SCHEMA IF NOT EXISTS layer_tiles;
