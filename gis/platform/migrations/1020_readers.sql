-- Read-only PostgreSQL roles made by `kasane db reader add NAME`: analysts (QGIS, R, psql)
-- who may SELECT the served layer views (layer_data."<layer>") and nothing else. Kept here so
-- that every newly published view (and a restored backup) is granted to them again.
CREATE TABLE IF NOT EXISTS kasane.readers (
    name       text        PRIMARY KEY CHECK (name ~ '^[a-z_][a-z0-9_]{0,62}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);
