-- Organisations (a prefecture or a municipality, by 6-digit local-government code), their
-- users and API tokens. Tokens are stored only as sha256 digests; the token itself is shown
-- once when it is issued.
CREATE TABLE IF NOT EXISTS kasane.organisations (
    code       text        PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS kasane.users (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    org_code   text        NOT NULL REFERENCES kasane.organisations (code),
    role       text        NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
-- A name is unique among active users; a revoked user's name may be given out again.
CREATE UNIQUE INDEX IF NOT EXISTS users_active_name ON kasane.users (name)
    WHERE revoked_at IS NULL;

CREATE TABLE IF NOT EXISTS kasane.api_tokens (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES kasane.users (id),
    token_sha256 text        NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);
CREATE INDEX IF NOT EXISTS api_tokens_user ON kasane.api_tokens (user_id);
