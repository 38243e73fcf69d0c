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
DROP INDEX albums_search_gist;
DROP INDEX artists_search_gist;

-- Every read of a GIN index also reads its whole pending list (rows
-- inserted since the last merge), up to 4 MB by default: right after a
-- scan that is most of the cost of a search. A 128 kB list is merged more
-- often, which costs inserts nothing measurable.
CREATE INDEX albums_search_fts ON albums USING gin (search_vector)
    WITH (gin_pending_list_limit = 128);
CREATE INDEX artists_search_fts ON artists USING gin (search_vector)
    WITH (gin_pending_list_limit = 128);
CREATE INDEX albums_search_trgm ON albums USING gin (search_text gin_trgm_ops)
    WITH (gin_pending_list_limit = 128);
CREATE INDEX artists_search_trgm ON artists USING gin (search_text gin_trgm_ops)
    WITH (gin_pending_list_limit = 128);
ALTER INDEX songs_search_fts SET (gin_pending_list_limit = 128);
ALTER INDEX songs_search_trgm SET (gin_pending_list_limit = 128);
