-- A song's folded sort keys and search text are written with the song
-- instead of generated from it.
--
-- Generated, they called search_fold five times for every song written
-- (three sort keys, the search text, and again inside the full-text
-- vector), though a library repeats its artists and albums on every one
-- of their songs. Writers now fold each distinct title, artist and album
-- once per batch, with the same search_fold, so the values are the ones
-- the generated columns held: the search text is the three folded parts
-- joined by spaces, which is what folding the joined text gives (no
-- unaccent rule crosses a space, and lower-casing stops at one).
--
-- DROP EXPRESSION keeps every stored value; only the full-text vector is
-- computed again, now from the search text it was always equal to.
ALTER TABLE songs
    ALTER COLUMN title_sort DROP EXPRESSION,
    ALTER COLUMN artist_sort DROP EXPRESSION,
    ALTER COLUMN album_sort DROP EXPRESSION,
    ALTER COLUMN search_text DROP EXPRESSION;
ALTER TABLE songs
    ALTER COLUMN title_sort SET NOT NULL,
    ALTER COLUMN artist_sort SET NOT NULL,
    ALTER COLUMN album_sort SET NOT NULL,
    ALTER COLUMN search_text SET NOT NULL;

DELETE FROM deferred_indexes WHERE name = 'songs_search_fts';
ALTER TABLE songs DROP COLUMN search_vector;
ALTER TABLE songs ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED;
CREATE INDEX songs_search_fts ON songs USING gin (search_vector);
