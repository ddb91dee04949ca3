-- Rate limits shared by every worker and every host: one token bucket per kind of request and
-- client (a keyed digest of the address, never the address). UNLOGGED: counting needs no WAL
-- and no replica; after a crash the buckets start full again, which is harmless.
CREATE UNLOGGED TABLE IF NOT EXISTS kasane.rate_buckets (
    kind    text             NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
    client  bytea            NOT NULL CHECK (length(client) BETWEEN 1 AND 64),
    tokens  double precision NOT NULL,
    allowed boolean          NOT NULL,
    at      timestamptz      NOT NULL,
    PRIMARY KEY (kind, client)
);
