-- The orders apps list albums by (artist, newest, year) read from indexes,
-- so a page of them costs its own rows, not a sort of every album.
CREATE INDEX albums_artist_order ON albums (search_fold(artist), search_fold(title), id);
CREATE INDEX albums_added ON albums (added_at, id);
CREATE INDEX albums_year ON albums (year, search_fold(title), id);
