-- Byte-order indexes of the folded title and artist, so "starts with" is a
-- range scan whatever the database's collation (as-you-type search).
CREATE INDEX songs_title_prefix ON songs ((title_sort COLLATE "C"));
CREATE INDEX songs_artist_prefix ON songs ((artist_sort COLLATE "C"));
