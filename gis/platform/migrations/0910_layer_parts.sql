-- Shared layers (issue 27): a layer that declares `parts` is served as every municipality's
-- current part together. Each part version is its own table, layer_data."<layer>__m<code>__v<N>";
-- each layer version of such a layer is a view (layer_data."<layer>__v<N>") that combines one
-- version of each part by UNION ALL, so publishing a part costs in proportion to the part.
CREATE TABLE IF NOT EXISTS kasane.layer_parts (
    layer_id        text        NOT NULL,
    part            text        NOT NULL CHECK (part ~ '^[0-9]{6}$'),
    version         integer     NOT NULL CHECK (version > 0),
    table_name      text        NOT NULL,
    source_files    jsonb       NOT NULL DEFAULT '[]'::jsonb,  -- [{"name", "sha256", "bytes"}]
    source_crs      text,
    source_encoding text,
    loaded_at       timestamptz NOT NULL DEFAULT now(),
    loaded_by       text        NOT NULL,                      -- the actor, as in the audit log
    loader_version  text        NOT NULL,
    rows_read       integer     NOT NULL DEFAULT 0,
    rows_loaded     integer     NOT NULL DEFAULT 0,
    rows_repaired   integer     NOT NULL DEFAULT 0,
    rows_rejected   integer     NOT NULL DEFAULT 0,
    bbox            double precision[] CHECK (bbox IS NULL OR cardinality(bbox) = 4),
    report          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    dropped_at      timestamptz,                               -- table pruned; no rollback to it
    PRIMARY KEY (layer_id, part, version)
);

-- Which version of each part a layer version shows ({"352012": 3, ...}); NULL for layers
-- without parts. `part` names the part whose change made the version (NULL: several at once).
ALTER TABLE kasane.layer_versions ADD COLUMN IF NOT EXISTS parts jsonb;
ALTER TABLE kasane.layer_versions ADD COLUMN IF NOT EXISTS part text;

-- Feature ids of part tables: drawn by COPY from one sequence, so that parts loaded at the same
-- time never share a fid, and a layer's fids stay unique across its parts.
CREATE SEQUENCE IF NOT EXISTS kasane.part_fids AS integer;
