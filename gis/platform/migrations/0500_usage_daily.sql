-- Usage statistics: page views and layer requests per day, aggregated in memory by each server
-- process and added here periodically. No IP addresses, user agents or per-request rows.
CREATE TABLE IF NOT EXISTS kasane.usage_daily (
    day  date   NOT NULL,
    kind text   NOT NULL CHECK (kind IN ('page', 'layer')),
    key  text   NOT NULL,   -- the page's route (e.g. /map/deadzones) or the layer id
    hits bigint NOT NULL DEFAULT 0 CHECK (hits >= 0),
    PRIMARY KEY (day, kind, key)
);
