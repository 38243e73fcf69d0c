-- Two indexes a first scan of local files pays for without using.
--
-- A file's path is only compared whole or by prefix (never sorted, and no
-- lookup goes through this index): compared byte for byte, the index that
-- keeps paths unique no longer runs the database's locale rules over long,
-- mostly shared prefixes for every song written. Equality, and so what
-- counts as a duplicate, is the same.
ALTER TABLE songs DROP CONSTRAINT songs_path_key;
CREATE UNIQUE INDEX songs_path_key ON songs (path COLLATE "C");

-- Only songs of Internet sources have a source: local files (most of a
-- library) no longer fill this index with empty entries. Lookups by
-- source (`source_id = $1`) use it as before.
DELETE FROM deferred_indexes WHERE name = 'songs_source';
DROP INDEX IF EXISTS songs_source;
CREATE INDEX songs_source ON songs (source_id) WHERE source_id IS NOT NULL;
