-- Tell every server process when shelter status changes (by the API or by hand in SQL), so
-- cached answers that depend on it (nearest open shelter) are dropped at once.
CREATE OR REPLACE FUNCTION kasane.notify_shelter_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kasane_shelter_status', '');
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS shelter_status_notify ON kasane.shelter_status;
CREATE TRIGGER shelter_status_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON kasane.shelter_status
    FOR EACH STATEMENT EXECUTE FUNCTION kasane.notify_shelter_status();
