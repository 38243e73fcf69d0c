-- Search in tiers (catalog-service/src/store/search): album and artist
-- names match by word prefix through full-text GIN indexes, as songs do,
-- and typos through trigram GIN indexes read only when the cheaper tiers
-- found too few hits (the nearest-name GiST indexes are no longer used).
ALTER TABLE albums ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig, search_fold(title || ' ' || artist))
) STORED;
ALTER TABLE artists ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig, search_fold(name))
) STORED;
CREATE INDEX albums_search_fts ON albums USING gin (search_vector);
CREATE INDEX artists_search_fts ON artists USING gin (search_vector);
DROP INDEX albums_search_gist;
DROP INDEX artists_search_gist;
CREATE INDEX albums_search_trgm ON albums USING gin (search_text gin_trgm_ops);
CREATE INDEX artists_search_trgm ON artists USING gin (search_text gin_trgm_ops);
