-- Core catalogue: schemas, layer versions with provenance, and the pointer to the served version.
CREATE SCHEMA IF NOT EXISTS kasane;
CREATE SCHEMA IF NOT EXISTS layer_data;

CREATE TABLE IF NOT EXISTS kasane.layer_versions (
    layer_id        text        NOT NULL,
    version         integer     NOT NULL CHECK (version > 0),
    table_name      text        NOT NULL,
    source_files    jsonb       NOT NULL DEFAULT '[]'::jsonb,  -- [{"name", "sha256", "bytes"}]
    source_crs      text,
    source_encoding text,
    loaded_at       timestamptz NOT NULL DEFAULT now(),
    loader_version  text        NOT NULL,
    rows_read       integer     NOT NULL DEFAULT 0,
    rows_loaded     integer     NOT NULL DEFAULT 0,
    rows_repaired   integer     NOT NULL DEFAULT 0,
    rows_rejected   integer     NOT NULL DEFAULT 0,
    bbox            double precision[] CHECK (bbox IS NULL OR cardinality(bbox) = 4),
    report          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    dropped_at      timestamptz,                              -- table pruned; no rollback to it
    PRIMARY KEY (layer_id, version)
);

CREATE TABLE IF NOT EXISTS kasane.layer_current (
    layer_id   text        PRIMARY KEY,
    version    integer     NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (layer_id, version) REFERENCES kasane.layer_versions (layer_id, version)
);
