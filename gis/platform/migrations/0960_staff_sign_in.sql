-- The staff console: passwords (argon2id hashes only), server-side sign-in sessions, failed
-- sign-in attempts (throttling) and one-time invitation links.
ALTER TABLE kasane.users ADD COLUMN IF NOT EXISTS password_hash text
    CHECK (password_hash IS NULL OR password_hash LIKE '$argon2%');
ALTER TABLE kasane.users ADD COLUMN IF NOT EXISTS password_changed_at timestamptz;

-- A session is known by the sha256 of its cookie value (the value itself is never stored).
CREATE TABLE IF NOT EXISTS kasane.staff_sessions (
    id_sha256    text        PRIMARY KEY CHECK (id_sha256 ~ '^[0-9a-f]{64}$'),
    user_id      bigint      NOT NULL REFERENCES kasane.users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz
);
CREATE INDEX IF NOT EXISTS staff_sessions_user ON kasane.staff_sessions (user_id);

-- Failed sign-ins by account name and by client (a keyed digest of the address, never the
-- address itself); only the recent ones count, so nobody is locked out for good.
CREATE TABLE IF NOT EXISTS kasane.sign_in_failures (
    id     bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key    text        NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sign_in_failures_key ON kasane.sign_in_failures (key, at);

-- One-time invitation links: the link's token is shown once; only its sha256 is stored.
CREATE TABLE IF NOT EXISTS kasane.invitations (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_sha256 text        NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    org_code     text        NOT NULL REFERENCES kasane.organisations (code),
    role         text        NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    created_by   bigint      REFERENCES kasane.users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    used_by      bigint      REFERENCES kasane.users (id)
);

-- Evacuee counts reported with a shelter's status (kept over time in the history).
ALTER TABLE kasane.shelter_status ADD COLUMN IF NOT EXISTS evacuees integer
    CHECK (evacuees IS NULL OR evacuees BETWEEN 0 AND 1000000);
ALTER TABLE kasane.shelter_status_history ADD COLUMN IF NOT EXISTS evacuees integer;
