-- Two indexes a first scan of local files pays for without using.
--
-- A file's path is only compared whole or by prefix, never sorted for
-- display: compared byte for byte, its unique index no longer runs the
-- database's locale rules over long, mostly shared prefixes for every
-- song written. Equality (and so uniqueness) is the same.
-- The view stream-service reads is made again as it was.
DROP VIEW song_sources;
ALTER TABLE songs ALTER COLUMN path TYPE text COLLATE "C";
CREATE VIEW song_sources AS
SELECT id AS song_id,
       kind,
       path,
       url,
       file_name,
       content_type,
       size_bytes,
       modified_at,
       duration_ms
FROM songs;

-- Only songs of Internet sources have a source: local files (most of a
-- library) no longer fill this index with empty entries. Lookups by
-- source (`source_id = $1`) use it as before.
DELETE FROM deferred_indexes WHERE name = 'songs_source';
DROP INDEX IF EXISTS songs_source;
CREATE INDEX songs_source ON songs (source_id) WHERE source_id IS NOT NULL;
