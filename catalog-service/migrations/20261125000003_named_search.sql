-- Album and artist search ranks the nearest names with a GiST trigram index
-- (ordered by word-similarity distance, so the work is bounded by the
-- number of results), and matches name prefixes with byte-order indexes.
DROP INDEX albums_search_trgm;
DROP INDEX artists_search_trgm;
CREATE INDEX albums_search_gist ON albums USING gist (search_text gist_trgm_ops);
CREATE INDEX artists_search_gist ON artists USING gist (search_text gist_trgm_ops);
CREATE INDEX albums_title_prefix ON albums ((search_fold(title) COLLATE "C"));
CREATE INDEX artists_name_prefix ON artists ((search_text COLLATE "C"));
