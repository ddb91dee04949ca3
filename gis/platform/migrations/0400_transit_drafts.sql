-- Draft bus routes drawn by municipal planners, saved per organisation with the figures they
-- had when evaluated (population newly covered, blank area removed, overlap with routes).
CREATE TABLE IF NOT EXISTS kasane.transit_drafts (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_code           text        NOT NULL REFERENCES kasane.organisations (code),
    lg_code            text        NOT NULL CHECK (lg_code ~ '^[0-9]{6}$'),
    name               text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    departures_per_day integer     NOT NULL CHECK (departures_per_day >= 0),
    features           jsonb       NOT NULL,  -- GeoJSON features (line and stops), lon/lat
    parameters         jsonb       NOT NULL,  -- date, radii, minimum departures, filters
    result             jsonb       NOT NULL,
    created_by         text        NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS transit_drafts_org ON kasane.transit_drafts (org_code, created_at DESC);
