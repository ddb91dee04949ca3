-- Append-only record of every write: who (user and organisation), what, when, and a short
-- summary of the state before and after. Written in the same transaction as the change.
CREATE TABLE IF NOT EXISTS kasane.audit_log (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor     text        NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    user_id   bigint      REFERENCES kasane.users (id),
    org_code  text        CHECK (org_code ~ '^[0-9]{6}$'),
    action    text        NOT NULL CHECK (action ~ '^[a-z_.]{1,60}$'),
    target    text        NOT NULL,
    before    jsonb,
    after     jsonb
);
CREATE INDEX IF NOT EXISTS audit_log_at ON kasane.audit_log (at);
CREATE INDEX IF NOT EXISTS audit_log_org ON kasane.audit_log (org_code, at);

CREATE OR REPLACE FUNCTION kasane.refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'kasane.audit_log is append-only';
END
$$;

DROP TRIGGER IF EXISTS audit_log_append_only ON kasane.audit_log;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON kasane.audit_log
    FOR EACH ROW EXECUTE FUNCTION kasane.refuse_audit_change();

DROP TRIGGER IF EXISTS audit_log_no_truncate ON kasane.audit_log;
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON kasane.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION kasane.refuse_audit_change();
