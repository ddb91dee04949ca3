-- Which data came from the bundled demo (`kasane demo`), so that the demo never replaces data
-- a user loaded, pruning keeps the last version that is not demo data, and `kasane layers
-- history` marks demo versions. A derived layer's version is demo data when all its sources are.
ALTER TABLE kasane.layer_versions ADD COLUMN IF NOT EXISTS demo boolean NOT NULL DEFAULT false;
ALTER TABLE transit.feeds ADD COLUMN IF NOT EXISTS demo boolean NOT NULL DEFAULT false;

-- Before this migration the demo's versions were named "demo:<layer>" and its feeds were
-- stored from "<feed_id>.zip" under the two demo feed ids.
UPDATE transit.feeds SET demo = true
 WHERE feed_id IN ('yamaguchi_demo', 'hofu_demo') AND file_name = feed_id || '.zip';
UPDATE kasane.layer_versions v SET demo = true
 WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(v.source_files) f
                WHERE starts_with(f ->> 'name', 'demo:'));
UPDATE kasane.layer_versions v SET demo = true
 WHERE v.layer_id IN ('transit_stops', 'transit_routes', 'transit_blank_areas')
   AND EXISTS (SELECT 1 FROM transit.feeds)
   AND NOT EXISTS (SELECT 1 FROM transit.feeds WHERE NOT demo);
