-- Every statement that changes songs, albums or artists tells listeners
-- once its transaction commits (NOTIFY is delivered on commit only, and
-- one notice per schema per transaction): the service drops the answers
-- it keeps for library lists when the library changes, whichever replica
-- changed it.
CREATE FUNCTION notify_library_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tonearm_library_changed', TG_TABLE_SCHEMA);
    RETURN NULL;
END
$$;

CREATE TRIGGER songs_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON songs
    FOR EACH STATEMENT EXECUTE FUNCTION notify_library_changed();
CREATE TRIGGER albums_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON albums
    FOR EACH STATEMENT EXECUTE FUNCTION notify_library_changed();
CREATE TRIGGER artists_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON artists
    FOR EACH STATEMENT EXECUTE FUNCTION notify_library_changed();
