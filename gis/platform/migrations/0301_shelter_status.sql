-- Live shelter status, kept outside the versioned shelters layer so that reloading the
-- shelter list never wipes it. Keyed by the layer's id_field (shelter_id).
CREATE TABLE IF NOT EXISTS kasane.shelter_status (
    shelter_id   text        PRIMARY KEY,
    lg_code      text        NOT NULL CHECK (lg_code ~ '^[0-9]{6}$'),
    status       text        NOT NULL
                 CHECK (status IN ('not_opened', 'open', 'closed', 'unknown', 'permanent')),
    crowding     text        NOT NULL DEFAULT 'unknown'
                 CHECK (crowding IN ('vacant', 'crowded', 'full', 'unknown')),
    note         text,
    distribution text        NOT NULL DEFAULT 'Actual'
                 CHECK (distribution IN ('Actual', 'Exercise', 'Test')),
    revision     integer     NOT NULL CHECK (revision > 0),
    opened_at    timestamptz,
    closed_at    timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   bigint      NOT NULL REFERENCES kasane.users (id)
);
CREATE INDEX IF NOT EXISTS shelter_status_status ON kasane.shelter_status (status);

-- Every change, append-only: who (user and organisation), when, old -> new.
CREATE TABLE IF NOT EXISTS kasane.shelter_status_history (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shelter_id   text        NOT NULL,
    revision     integer     NOT NULL,
    lg_code      text        NOT NULL,
    old_status   text,
    new_status   text        NOT NULL,
    old_crowding text,
    new_crowding text        NOT NULL,
    note         text,
    distribution text        NOT NULL,
    changed_at   timestamptz NOT NULL,
    user_id      bigint      NOT NULL REFERENCES kasane.users (id),
    user_name    text        NOT NULL,
    org_code     text        NOT NULL,
    UNIQUE (shelter_id, revision)
);

CREATE OR REPLACE FUNCTION kasane.refuse_history_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'kasane.shelter_status_history is append-only';
END
$$;

DROP TRIGGER IF EXISTS shelter_status_history_append_only ON kasane.shelter_status_history;
CREATE TRIGGER shelter_status_history_append_only
    BEFORE UPDATE OR DELETE ON kasane.shelter_status_history
    FOR EACH ROW EXECUTE FUNCTION kasane.refuse_history_change();
